package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/storage"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
)

// caseEvent is an event of case c at t0+d.
func caseEvent(c string, seq uint32, event string, d time.Duration, brand, customer string, seconds int64) storage.CaseEvent {
	return storage.CaseEvent{
		ID: c + "-" + string(rune('0'+seq)), CaseID: c, Seq: seq, Brand: brand, Channel: "x", CustomerID: customer,
		ConversationID: "conv-" + c, Event: event, At: t0.Add(d), Actor: customer, MessageID: "x:" + c + string(rune('0'+seq)),
		CalendarSeconds: seconds, BusinessSeconds: seconds / 2, Priority: "normal", Language: "es",
	}
}

func TestCaseEventsRoundTrip(t *testing.T) {
	db := chtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	h := time.Hour
	old := []storage.CaseEvent{ // a case resolved long before since
		caseEvent("c0", 1, "opened", -100*h, "acme", "u1", 0),
		caseEvent("c0", 2, "responded", -99*h, "acme", "u1", 3600),
		caseEvent("c0", 3, "resolved", -98*h, "acme", "u1", 7200),
	}
	oldOpen := []storage.CaseEvent{ // opened long before since, still open
		caseEvent("c1", 1, "opened", -90*h, "acme", "u2", 0),
	}
	recent := []storage.CaseEvent{
		caseEvent("c2", 1, "opened", -80*h, "acme", "u1", 0),
		caseEvent("c2", 2, "resolved", -79*h, "acme", "u1", 3600),
		caseEvent("c2", 3, "reopened", -2*h, "acme", "u1", 0),
		caseEvent("c2", 4, "responded", -1*h, "acme", "u1", 3600),
		caseEvent("c2", 5, "resolved", 0, "acme", "u1", 7200),
		caseEvent("c3", 1, "opened", 0, "globex", "u1", 0),
		caseEvent("c3", 2, "inbound", 0, "globex", "u1", 0), // same second as opened
		caseEvent("c3", 3, "responded", 10*time.Minute, "globex", "u1", 600),
		caseEvent("c4", 1, "opened", time.Minute, "globex", "u3", 0),
		caseEvent("c4", 2, "responded", 2*time.Hour, "globex", "u3", 7140),
		caseEvent("c5", 1, "opened", time.Minute, "globex", "u4", 0),
	}
	all := append(append(append([]storage.CaseEvent{}, old...), oldOpen...), recent...)
	require.NoError(t, storage.InsertCaseEvents(ctx, db.Conn, db.Database, all))
	// A retried insert of the same events, as after a lost ack.
	require.NoError(t, storage.InsertCaseEvents(ctx, db.Conn, db.Database, recent[3:7]))
	require.NoError(t, storage.InsertCaseEvents(ctx, db.Conn, db.Database, nil))

	var raw uint64
	require.NoError(t, db.Conn.QueryRow(ctx, "SELECT count() FROM "+db.Database+".case_events").Scan(&raw))
	require.Equal(t, uint64(len(all)+4), raw)

	got, err := storage.LoadCaseEvents(ctx, db.Conn, db.Database, t0.Add(-3*h))
	require.NoError(t, err)
	require.Equal(t, append(append([]storage.CaseEvent{}, oldOpen...), recent...), got, "c0 is resolved and old; c1 is open")

	hist, err := storage.CaseHistory(ctx, db.Conn, db.Database, "acme", "u1")
	require.NoError(t, err)
	require.Equal(t, append(append([]storage.CaseEvent{}, old...), recent[:5]...), hist)
	hist, err = storage.CaseHistory(ctx, db.Conn, db.Database, "acme", "it's nobody")
	require.NoError(t, err)
	require.Empty(t, hist)

	sum, err := storage.ResponseTimesSince(ctx, db.Conn, db.Database, t0.Add(-95*h))
	require.NoError(t, err)
	require.Equal(t, []storage.ResponseTimes{
		// c1 (unanswered) and c2 (answered after a reopening).
		{Brand: "acme", Cases: 2, Answered: 1, CalendarP50: 3600, CalendarP90: 3600, BusinessP50: 1800, BusinessP90: 1800},
		// c3, c4 answered, c5 not: the median of {600, 7140} is the upper one.
		{Brand: "globex", Cases: 3, Answered: 2, CalendarP50: 7140, CalendarP90: 7140, BusinessP50: 3570, BusinessP90: 3570},
	}, sum)
	sum, err = storage.ResponseTimesSince(ctx, db.Conn, db.Database, t0.Add(time.Hour))
	require.NoError(t, err)
	require.Empty(t, sum)

	_, err = storage.LoadCaseEvents(ctx, db.Conn, "bad-name", t0)
	require.Error(t, err)
}

func TestCaseEventsSQL(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"insert", storage.InsertCaseEventsSQL("vigia"), "INSERT INTO vigia.case_events (id, case_id, seq, brand, channel, " +
			"customer_id, conversation_id, event, at, actor, message_id, reason, calendar_seconds, business_seconds, priority, language, complaint, influencer, inserted_at)"},
		{"history", storage.CaseHistorySQL("vigia"), "SELECT id, case_id, seq, brand, channel, customer_id, conversation_id, event, at, " +
			"actor, message_id, reason, calendar_seconds, business_seconds, priority, language, complaint, influencer FROM vigia.case_events FINAL " +
			"WHERE brand = ? AND customer_id = ? ORDER BY at, case_id, seq"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.got)
		})
	}
}
