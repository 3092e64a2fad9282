package storage

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestExpiredPartitions(t *testing.T) {
	now := time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)
	ids := []string{"20240101", "20240301", "20240302", "20240303", "20240310", "tuple()", "202403"}
	tests := []struct {
		name string
		days int
		want []string
	}{
		{"zero days keeps all", 0, nil},
		// cutoff 2024-03-02 12:00: days ending by then go.
		{"eight days", 8, []string{"20240101", "20240301"}},
		{"seven days", 7, []string{"20240101", "20240301", "20240302"}},
		{"a year", 365, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, ExpiredPartitions(ids, tt.days, now))
		})
	}
}
