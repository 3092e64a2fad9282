package storage_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/dispatch"
	"github.com/vigia-dev/vigia/alerts/silence"
	"github.com/vigia-dev/vigia/internal/storage"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
)

func mustMatchers(t *testing.T, ss ...string) alert.Matchers {
	t.Helper()
	ms, err := alert.ParseMatchers(ss)
	require.NoError(t, err)
	return ms
}

// sequentialIDs names silences s1, s2, ... so that tests can compare whole
// rows.
func sequentialIDs() func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("s%d", n) }
}

func TestSilenceStoreRoundTrip(t *testing.T) {
	db := chtest.New(t)
	store, err := storage.NewSilenceStore(db.Conn, db.Database)
	require.NoError(t, err)
	ctx := t.Context()

	empty, err := store.Load(ctx)
	require.NoError(t, err)
	require.Empty(t, empty)

	s := silence.New(silence.Options{Store: store, NewID: sequentialIDs()})
	now := t0
	urgent := silence.Silence{
		Matchers:  mustMatchers(t, "brand=acme", `rule=~"urgent|sla_breach"`),
		EndsAt:    now.Add(2 * time.Hour),
		CreatedBy: "ana",
		Comment:   "maintenance de la app — ñandú",
	}
	id1, err := s.Add(ctx, urgent, now)
	require.NoError(t, err)
	quoted := silence.Silence{
		Matchers:  mustMatchers(t, `channel!="x \"quoted\""`, "priority!~low|normal", "brand=globex"),
		StartsAt:  now.Add(time.Hour),
		EndsAt:    now.Add(3 * time.Hour),
		CreatedBy: "bot",
		Comment:   "line one\nline 'two'",
	}
	id2, err := s.Add(ctx, quoted, now)
	require.NoError(t, err)
	// Expired in the same second it was added: only the revision tells
	// the two versions apart.
	id3, err := s.Add(ctx, urgent, now)
	require.NoError(t, err)
	require.NoError(t, s.Expire(ctx, id3, now.Add(300*time.Millisecond)))
	// Expired a second later, while pending.
	require.NoError(t, s.Expire(ctx, id2, now.Add(time.Second)))

	want := []silence.Silence{
		{ID: id1, Matchers: urgent.Matchers, StartsAt: now, EndsAt: now.Add(2 * time.Hour), CreatedBy: "ana", Comment: urgent.Comment, UpdatedAt: now},
		{ID: id2, Matchers: quoted.Matchers, StartsAt: now.Add(time.Second), EndsAt: now.Add(time.Second), CreatedBy: "bot", Comment: quoted.Comment, UpdatedAt: now.Add(time.Second)},
		{ID: id3, Matchers: urgent.Matchers, StartsAt: now, EndsAt: now, CreatedBy: "ana", Comment: urgent.Comment, UpdatedAt: now},
	}
	check := func(t *testing.T) {
		t.Helper()
		got, err := store.Load(ctx)
		require.NoError(t, err)
		require.Equal(t, want, got)

		// A restarted Silencer sees the same silences in the same states.
		restarted := silence.New(silence.Options{Store: store})
		require.NoError(t, restarted.Load(ctx))
		at := now.Add(2 * time.Second)
		require.Equal(t, []silence.Silence{want[2], want[1]}, restarted.List(at, silence.StateExpired))
		require.Equal(t, []silence.Silence{want[0]}, restarted.List(at, silence.StateActive))
		muted, ids := restarted.Mutes(map[string]string{"brand": "acme", "rule": "sla_breach"}, at)
		require.True(t, muted)
		require.Equal(t, []string{id1}, ids)
	}
	t.Run("before merge", check)
	// After a merge the table holds one row per silence, the newest.
	require.NoError(t, db.Conn.Exec(ctx, "OPTIMIZE TABLE "+db.Database+".silences FINAL"))
	t.Run("after merge", check)
	var rows uint64
	require.NoError(t, db.Conn.QueryRow(ctx, "SELECT count() FROM "+db.Database+".silences").Scan(&rows))
	require.Equal(t, uint64(3), rows)
}

func TestSilenceStoreRejectsTimesBeyondDateTime(t *testing.T) {
	db := chtest.New(t)
	store, err := storage.NewSilenceStore(db.Conn, db.Database)
	require.NoError(t, err)
	err = store.Save(t.Context(), silence.Silence{
		ID: "far", Matchers: mustMatchers(t, "brand=acme"), StartsAt: t0,
		EndsAt: time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), CreatedBy: "ana", Comment: "x", UpdatedAt: t0,
	})
	require.ErrorContains(t, err, "ends_at: 2200-01-01T00:00:00Z: after 2106-02-07T06:28:15Z")
	got, err := store.Load(t.Context())
	require.NoError(t, err)
	require.Empty(t, got)
}

func TestNotificationLog(t *testing.T) {
	db := chtest.New(t)
	log, err := storage.NewNotificationLog(db.Conn, db.Database)
	require.NoError(t, err)
	ctx := t.Context()
	const key = `{}/{brand="acme"}:{rule="urgent"}`
	const other = `{}/{brand="globex"}:{}`

	first := dispatch.Entry{GroupKey: key, GroupID: "post-1", Version: 1, Firing: []alert.Fingerprint{1, 1<<64 - 1}, At: t0}
	update := dispatch.Entry{GroupKey: key, GroupID: "post-1", Version: 2, Firing: []alert.Fingerprint{7}, At: t0.Add(300 * time.Millisecond)}
	finished := dispatch.Entry{GroupKey: key, GroupID: "post-1", Version: 3, At: t0.Add(time.Minute)}
	// A new post starts again at version 1: the revision, not the version,
	// orders entries.
	again := dispatch.Entry{GroupKey: key, GroupID: "post-2", Version: 1, Firing: []alert.Fingerprint{9}, At: t0.Add(2 * time.Minute)}
	otherEntry := dispatch.Entry{GroupKey: other, GroupID: "post-9", Version: 4, Firing: []alert.Fingerprint{3}, At: t0}
	// Times come back at whole seconds.
	trunc := func(e dispatch.Entry) dispatch.Entry { e.At = e.At.Truncate(time.Second); return e }
	// The steps run in order against the same table.
	steps := []struct {
		name    string
		put     *dispatch.Entry
		key     string
		want    dispatch.Entry
		wantHit bool
	}{
		{name: "unknown key", key: key},
		{name: "first notification", put: &first, key: key, want: first, wantHit: true},
		{name: "other key is separate", put: &otherEntry, key: other, want: otherEntry, wantHit: true},
		{name: "update in the same second wins", put: &update, key: key, want: trunc(update), wantHit: true},
		{name: "finished post is forgotten", put: &finished, key: key},
		{name: "new post after a finished one", put: &again, key: key, want: again, wantHit: true},
		{name: "other key untouched", key: other, want: otherEntry, wantHit: true},
	}
	for _, tt := range steps {
		t.Run(tt.name, func(t *testing.T) {
			if tt.put != nil {
				require.NoError(t, log.Put(ctx, *tt.put))
			}
			got, ok, err := log.Get(ctx, tt.key)
			require.NoError(t, err)
			require.Equal(t, tt.wantHit, ok)
			require.Equal(t, tt.want, got)
		})
	}
	// A new process reads the same live entries back from ClickHouse,
	// before and after the table's parts are merged.
	for _, optimize := range []bool{false, true} {
		if optimize {
			require.NoError(t, db.Conn.Exec(ctx, "OPTIMIZE TABLE "+db.Database+".notification_log FINAL"))
		}
		fresh, err := storage.NewNotificationLog(db.Conn, db.Database)
		require.NoError(t, err)
		got, ok, err := fresh.Get(ctx, key)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, again, got)
		got, ok, err = fresh.Get(ctx, other)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, otherEntry, got)
	}
}

// TestNotificationLogGroupCommit puts many entries at once: all are stored,
// in fewer inserts than entries, and read back by a new log.
func TestNotificationLogGroupCommit(t *testing.T) {
	db := chtest.New(t)
	log, err := storage.NewNotificationLog(db.Conn, db.Database)
	require.NoError(t, err)
	ctx := t.Context()
	const n = 200
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			e := dispatch.Entry{GroupKey: fmt.Sprintf("k%d", i), GroupID: fmt.Sprintf("p%d", i), Version: 1, Firing: []alert.Fingerprint{alert.Fingerprint(i + 1)}, At: t0}
			require.NoError(t, log.Put(ctx, e))
		})
	}
	wg.Wait()
	var inserts uint64
	require.NoError(t, db.Conn.QueryRow(ctx, "SELECT count() FROM system.parts WHERE database = ? AND table = 'notification_log'", db.Database).Scan(&inserts))
	require.Less(t, inserts, uint64(n), "concurrent puts share inserts")
	fresh, err := storage.NewNotificationLog(db.Conn, db.Database)
	require.NoError(t, err)
	for i := range n {
		got, ok, err := fresh.Get(ctx, fmt.Sprintf("k%d", i))
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, []alert.Fingerprint{alert.Fingerprint(i + 1)}, got.Firing)
	}
}

func TestAlertStateSQL(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"insert silence", storage.InsertSilenceSQL("vigia"),
			"INSERT INTO vigia.silences (id, matchers, starts_at, ends_at, created_by, comment, updated_at, revision)"},
		{"select silences", storage.SelectSilencesSQL("vigia"),
			"SELECT id, matchers, starts_at, ends_at, created_by, comment, updated_at, revision FROM vigia.silences FINAL ORDER BY id"},
		{"insert log", storage.InsertNotificationLogSQL("vigia"),
			"INSERT INTO vigia.notification_log (group_key, group_id, version, firing, at, revision)"},
		{"select log", storage.SelectNotificationLogSQL("vigia"),
			"SELECT group_key, argMax(group_id, revision) AS last_group_id, argMax(version, revision) AS last_version, " +
				"argMax(firing, revision) AS last_firing, argMax(at, revision) AS last_at FROM vigia.notification_log " +
				"GROUP BY group_key HAVING notEmpty(last_firing)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.got)
		})
	}
}

func TestAlertStateStoresRejectBadDatabase(t *testing.T) {
	_, err := storage.NewSilenceStore(nil, "a-b")
	require.Error(t, err)
	_, err = storage.NewNotificationLog(nil, "x; DROP TABLE y")
	require.Error(t, err)
}
