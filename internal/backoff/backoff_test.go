package backoff

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDelay(t *testing.T) {
	b := Policy{Initial: 100 * time.Millisecond, Max: time.Second}
	tests := []struct {
		attempt int
		base    time.Duration
	}{
		{1, 100 * time.Millisecond},
		{2, 200 * time.Millisecond},
		{4, 800 * time.Millisecond},
		{5, time.Second},
		{60, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.base.String(), func(t *testing.T) {
			for range 100 {
				d := b.Delay(tt.attempt)
				require.GreaterOrEqual(t, d, tt.base/2)
				require.Less(t, d, tt.base)
			}
		})
	}
}
