//go:build chdb

package storage

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestChdbCaseEvents runs the case_events SQL on a modern engine: the
// migration, a duplicated insert, the rebuild load and the report query.
func TestChdbCaseEvents(t *testing.T) {
	e := newChdbEngine(t)
	const db = "vigia_chdb_cases"
	v, err := ParseVersion(e.rows("SELECT version() AS v")[0]["v"].(string))
	require.NoError(t, err)
	e.migrate(TemplateData{DB: db, Features: FeaturesFor(v)})
	t.Cleanup(func() { e.exec("DROP DATABASE " + db) })

	t0 := time.Date(2026, 5, 11, 10, 0, 0, 0, time.UTC)
	row := func(c string, seq int, event string, at time.Time, secs int64) string {
		b, err := json.Marshal(map[string]any{
			"id": c + event, "case_id": c, "seq": seq, "brand": "acme", "channel": "x", "customer_id": "u1",
			"conversation_id": "", "event": event, "at": at.Unix(), "actor": "u1", "message_id": "", "reason": "",
			"calendar_seconds": secs, "business_seconds": secs / 2, "priority": "normal", "inserted_at": t0.Unix(),
		})
		require.NoError(t, err)
		return string(b)
	}
	rows := []string{
		row("c1", 1, "opened", t0.Add(-200*time.Hour), 0), // old and open
		row("c2", 1, "opened", t0.Add(-200*time.Hour), 0), // old and resolved
		row("c2", 2, "resolved", t0.Add(-199*time.Hour), 3600),
		row("c3", 1, "opened", t0, 0),
		row("c3", 2, "responded", t0.Add(time.Minute), 60),
		row("c4", 1, "opened", t0, 0),
		row("c4", 2, "responded", t0.Add(time.Hour), 3600),
	}
	insert := "INSERT INTO " + db + ".case_events (" + caseEventColumns + ", inserted_at) FORMAT JSONEachRow\n"
	e.exec(insert + strings.Join(rows, "\n"))
	e.exec(insert + rows[4]) // a retried insert

	bind := func(q string, at time.Time) string {
		return strings.Replace(q, "?", strconv.FormatInt(at.Unix(), 10), 1)
	}
	var loaded []string
	for _, r := range e.rows(bind(LoadCaseEventsSQL(db), t0.Add(-time.Hour))) {
		loaded = append(loaded, r["case_id"].(string)+"/"+r["event"].(string))
	}
	require.Equal(t, []string{"c1/opened", "c3/opened", "c3/responded", "c4/opened", "c4/responded"}, loaded)

	sum := e.rows(bind(ResponseTimesSQL(db), t0.Add(-time.Hour)))
	require.Len(t, sum, 1)
	got := map[string]uint64{}
	for _, k := range []string{"cases", "answered", "calendar_p50", "calendar_p90", "business_p50", "business_p90"} {
		got[k] = toUint(t, sum[0][k])
	}
	require.Equal(t, map[string]uint64{
		"cases": 2, "answered": 2, "calendar_p50": 3600, "calendar_p90": 3600, "business_p50": 1800, "business_p90": 1800,
	}, got)
}
