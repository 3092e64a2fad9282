package storage_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/storage"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
)

func TestLabelCounts(t *testing.T) {
	db := chtest.New(t)
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	m1, m2, m3 := minimalMessage("1", at), minimalMessage("2", at), minimalMessage("3", at)
	m1.Labels = []message.Label{{Name: "complaint", Score: 0.9, Decision: true}, {Name: "spam", Score: 0.1}}
	m2.Labels = []message.Label{{Name: "complaint", Score: 0.8, Decision: true}, {Name: "spam", Score: 0.7, Decision: true}}
	m3.Brand = "globex"
	m3.Labels = []message.Label{{Name: "complaint", Score: 0.2}}
	// m2 twice: counted once.
	require.NoError(t, storage.InsertMessages(t.Context(), db.Conn, db.Database, []message.Message{m1, m2, m3}))
	require.NoError(t, storage.InsertMessages(t.Context(), db.Conn, db.Database, []message.Message{m2}))
	got, err := storage.LabelCounts(t.Context(), db.Conn, db.Database)
	require.NoError(t, err)
	require.Equal(t, []storage.LabelCount{
		{Brand: m1.Brand, Label: "complaint", N: 2},
		{Brand: m1.Brand, Label: "spam", N: 1},
	}, got)
}
