//go:build chdb

package storage

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestChdbAlertState runs the alert state tables' SQL on a modern engine:
// the newest revision wins under FINAL, in one part or several, whatever
// the DateTime columns say.
func TestChdbAlertState(t *testing.T) {
	e := newChdbEngine(t)
	const db = "vigia_chdb_alert_state"
	e.migrate(TemplateData{DB: db, Features: FeaturesFor(Version{Major: 26, Minor: 7})})
	e.exec("SYSTEM STOP MERGES " + db + ".silences")
	e.exec("SYSTEM STOP MERGES " + db + ".notification_log")

	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	ts := func(t time.Time) string { return t.In(e.loc).Format(time.DateTime) }
	// Added, then expired 300 ms later: the same second, a higher revision.
	e.exec(InsertSilenceSQL(db) + " FORMAT JSONEachRow\n" +
		`{"id":"s1","matchers":["brand=\"acme\""],"starts_at":"` + ts(at) + `","ends_at":"` + ts(at.Add(time.Hour)) +
		`","created_by":"ana","comment":"x","updated_at":"` + ts(at) + `","revision":` + u64(revision(at)) + "}")
	e.exec(InsertSilenceSQL(db) + " FORMAT JSONEachRow\n" +
		`{"id":"s1","matchers":["brand=\"acme\""],"starts_at":"` + ts(at) + `","ends_at":"` + ts(at) +
		`","created_by":"ana","comment":"x","updated_at":"` + ts(at) + `","revision":` + u64(revision(at.Add(300*time.Millisecond))) + "}")
	rows := e.rows(SelectSilencesSQL(db))
	require.Len(t, rows, 1)
	require.Equal(t, at, e.time(rows[0]["ends_at"]).UTC(), "the expiry wins")
	require.Equal(t, []any{`brand="acme"`}, rows[0]["matchers"])

	// A new post restarts version at 1 and still wins.
	for _, row := range []string{
		`{"group_key":"k","group_id":"p1","version":5,"firing":[1,18446744073709551615],"at":"` + ts(at) + `","revision":` + u64(revision(at)) + "}",
		`{"group_key":"k","group_id":"p2","version":1,"firing":[9],"at":"` + ts(at) + `","revision":` + u64(revision(at.Add(time.Millisecond))) + "}",
		`{"group_key":"other","group_id":"p3","version":2,"firing":[3],"at":"` + ts(at) + `","revision":1}`,
	} {
		e.exec(InsertNotificationLogSQL(db) + " FORMAT JSONEachRow\n" + row)
	}
	rows = e.rows(SelectNotificationLogSQL(db) + " ORDER BY group_key")
	require.Len(t, rows, 2)
	require.Equal(t, "k", rows[0]["group_key"])
	require.Equal(t, "p2", rows[0]["last_group_id"])
	require.Equal(t, uint64(1), toUint(t, rows[0]["last_version"]))
	require.Equal(t, "p3", rows[1]["last_group_id"])
}

func u64(v uint64) string { return strconv.FormatUint(v, 10) }
