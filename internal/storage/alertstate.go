package storage

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/dispatch"
	"github.com/vigia-dev/vigia/alerts/silence"
)

// The alert state tables (migration 0004) are ReplacingMergeTree tables
// versioned by a revision column: the change's time in Unix nanoseconds.
// The DateTime columns keep whole seconds, too coarse to order an add and
// an expiry made in the same second; the revision is not. Every change is
// an appended row, and reads take the newest row per key with FINAL, whose
// WHERE is only ever on the sorting key: a condition on another column may
// be applied before FINAL picks the newest row, and would then resurrect
// an older one.

const silenceColumns = "id, matchers, starts_at, ends_at, created_by, comment, updated_at, revision"

const notificationLogColumns = "group_key, group_id, version, firing, at, revision"

// InsertSilenceSQL is the INSERT a silence version is prepared with.
func InsertSilenceSQL(db string) string {
	return "INSERT INTO " + db + ".silences (" + silenceColumns + ")"
}

// SelectSilencesSQL reads the newest version of every silence.
func SelectSilencesSQL(db string) string {
	return "SELECT " + silenceColumns + " FROM " + db + ".silences FINAL ORDER BY id"
}

// InsertNotificationLogSQL is the INSERT a notification log entry is
// prepared with.
func InsertNotificationLogSQL(db string) string {
	return "INSERT INTO " + db + ".notification_log (" + notificationLogColumns + ")"
}

// SelectNotificationLogSQL reads the newest entry of the group key bound to
// its one placeholder.
func SelectNotificationLogSQL(db string) string {
	return "SELECT group_key, argMax(group_id, revision) AS last_group_id, argMax(version, revision) AS last_version, " +
		"argMax(firing, revision) AS last_firing, argMax(at, revision) AS last_at FROM " + db + ".notification_log " +
		"GROUP BY group_key HAVING notEmpty(last_firing)"
}

// revision orders the versions of one row: t in Unix nanoseconds, 0 for
// times before 1970 (the zero time among them).
func revision(t time.Time) uint64 {
	if t.Before(time.Unix(0, 0)) {
		return 0
	}
	return uint64(t.UnixNano())
}

// maxDateTime is the last second a DateTime column holds.
var maxDateTime = time.Unix(1<<32-1, 0)

// checkDateTime rejects a time a DateTime column would wrap around.
func checkDateTime(field string, t time.Time) error {
	if t.After(maxDateTime) {
		return fmt.Errorf("%s: %s: after %s, the last time ClickHouse DateTime holds", field, t.UTC().Format(time.RFC3339), maxDateTime.UTC().Format(time.RFC3339))
	}
	return nil
}

// silenceRow is one row of the silences table.
type silenceRow struct {
	ID        string    `ch:"id"`
	Matchers  []string  `ch:"matchers"`
	StartsAt  time.Time `ch:"starts_at"`
	EndsAt    time.Time `ch:"ends_at"`
	CreatedBy string    `ch:"created_by"`
	Comment   string    `ch:"comment"`
	UpdatedAt time.Time `ch:"updated_at"`
	Revision  uint64    `ch:"revision"`
}

// SilenceStore keeps silences in the silences table: a [silence.Store].
// Times are stored at whole seconds.
type SilenceStore struct {
	conn driver.Conn
	db   string
}

var _ silence.Store = (*SilenceStore)(nil)

// NewSilenceStore returns a store over db's silences table, which
// [Migrate] creates.
func NewSilenceStore(conn driver.Conn, db string) (*SilenceStore, error) {
	if err := checkIdent(db); err != nil {
		return nil, fmt.Errorf("new silence store: %w", err)
	}
	return &SilenceStore{conn: conn, db: db}, nil
}

// Save appends s as the silence's newest version, in one native batch.
func (st *SilenceStore) Save(ctx context.Context, s silence.Silence) error {
	if err := checkDateTime("ends_at", s.EndsAt); err != nil {
		return fmt.Errorf("insert silence %s into %s.silences: %w", s.ID, st.db, err)
	}
	matchers := make([]string, len(s.Matchers))
	for i, m := range s.Matchers {
		matchers[i] = m.String()
	}
	batch, err := st.conn.PrepareBatch(ctx, InsertSilenceSQL(st.db))
	if err != nil {
		return fmt.Errorf("insert silence %s into %s.silences: %w", s.ID, st.db, err)
	}
	defer func() { _ = batch.Close() }()
	if err := batch.Append(s.ID, matchers, dateTime(s.StartsAt), dateTime(s.EndsAt), s.CreatedBy, s.Comment,
		dateTime(s.UpdatedAt), revision(s.UpdatedAt)); err != nil {
		return fmt.Errorf("insert silence %s into %s.silences: %w", s.ID, st.db, err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("insert silence %s into %s.silences: %w", s.ID, st.db, err)
	}
	return nil
}

// Load returns the newest version of every silence ever saved, expired
// ones included; [silence.Silencer.Forget] bounds what stays in memory.
func (st *SilenceStore) Load(ctx context.Context) ([]silence.Silence, error) {
	rows, err := st.conn.Query(ctx, SelectSilencesSQL(st.db))
	if err != nil {
		return nil, fmt.Errorf("read silences from %s: %w", st.db, err)
	}
	defer rows.Close()
	var out []silence.Silence
	for rows.Next() {
		var r silenceRow
		if err := rows.ScanStruct(&r); err != nil {
			return nil, fmt.Errorf("read silences from %s: %w", st.db, err)
		}
		ms, err := alert.ParseMatchers(r.Matchers)
		if err != nil {
			return nil, fmt.Errorf("read silences from %s: silence %s: matchers: %w", st.db, r.ID, err)
		}
		out = append(out, silence.Silence{
			ID:        r.ID,
			Matchers:  ms,
			StartsAt:  fromDateTime(r.StartsAt),
			EndsAt:    fromDateTime(r.EndsAt),
			CreatedBy: r.CreatedBy,
			Comment:   r.Comment,
			UpdatedAt: fromDateTime(r.UpdatedAt),
		})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read silences from %s: %w", st.db, err)
	}
	return out, nil
}

// notificationLogRow is the newest entry of one key.
type notificationLogRow struct {
	GroupKey string    `ch:"group_key"`
	GroupID  string    `ch:"last_group_id"`
	Version  uint64    `ch:"last_version"`
	Firing   []uint64  `ch:"last_firing"`
	At       time.Time `ch:"last_at"`
}

// NotificationLog keeps the dispatcher's notification log in the
// notification_log table: a [dispatch.Log] that survives restarts. Like
// [dispatch.MemLog] it treats an entry showing nothing firing as a
// finished post: Get reports no entry for its key. Times are stored at
// whole seconds.
//
// The live entries are read once, at the first call, and then answered
// from memory; Put returns once its entry is in ClickHouse, and Puts made
// while an insert is under way share the next one (a group commit), so a
// burst of new groups costs a few inserts, not one each. One process owns
// its log: the memory is not refreshed from other writers.
type NotificationLog struct {
	conn driver.Conn
	db   string

	load    sync.Once
	loadErr error

	mu       sync.Mutex
	live     map[string]dispatch.Entry
	pending  []dispatch.Entry
	waiters  []chan error
	flushing bool
}

var _ dispatch.Log = (*NotificationLog)(nil)

// NewNotificationLog returns a log over db's notification_log table, which
// [Migrate] creates.
func NewNotificationLog(conn driver.Conn, db string) (*NotificationLog, error) {
	if err := checkIdent(db); err != nil {
		return nil, fmt.Errorf("new notification log: %w", err)
	}
	return &NotificationLog{conn: conn, db: db, live: map[string]dispatch.Entry{}}, nil
}

// loadLive reads the newest entry of every key that shows something
// firing.
func (l *NotificationLog) loadLive(ctx context.Context) error {
	l.load.Do(func() {
		rows, err := l.conn.Query(ctx, SelectNotificationLogSQL(l.db))
		if err != nil {
			l.loadErr = fmt.Errorf("read notification log from %s: %w", l.db, err)
			return
		}
		defer rows.Close()
		live := map[string]dispatch.Entry{}
		for rows.Next() {
			var r notificationLogRow
			if err := rows.ScanStruct(&r); err != nil {
				l.loadErr = fmt.Errorf("read notification log from %s: %w", l.db, err)
				return
			}
			firing := make([]alert.Fingerprint, len(r.Firing))
			for i, fp := range r.Firing {
				firing[i] = alert.Fingerprint(fp)
			}
			live[r.GroupKey] = dispatch.Entry{GroupKey: r.GroupKey, GroupID: r.GroupID, Version: r.Version, Firing: firing, At: fromDateTime(r.At)}
		}
		if err := rows.Err(); err != nil {
			l.loadErr = fmt.Errorf("read notification log from %s: %w", l.db, err)
			return
		}
		l.mu.Lock()
		for k, e := range live {
			if _, put := l.live[k]; !put {
				l.live[k] = e
			}
		}
		l.mu.Unlock()
	})
	if l.loadErr != nil {
		// A failed first read is retried by a later call.
		err := l.loadErr
		l.load, l.loadErr = sync.Once{}, nil
		return err
	}
	return nil
}

// Get returns the newest entry for the key, unless there is none or it
// shows nothing firing.
func (l *NotificationLog) Get(ctx context.Context, groupKey string) (dispatch.Entry, bool, error) {
	if err := l.loadLive(ctx); err != nil {
		return dispatch.Entry{}, false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.live[groupKey]
	if !ok {
		return dispatch.Entry{}, false, nil
	}
	e.Firing = slices.Clone(e.Firing)
	return e, true, nil
}

// Put stores e as its key's newest entry and returns once it is in
// ClickHouse. Entries of one key must be put in the order of their At.
func (l *NotificationLog) Put(ctx context.Context, e dispatch.Entry) error {
	if err := checkDateTime("at", e.At); err != nil {
		return fmt.Errorf("insert notification log of %s into %s.notification_log: %w", e.GroupKey, l.db, err)
	}
	if err := l.loadLive(ctx); err != nil {
		return err
	}
	e.Firing = slices.Clone(e.Firing)
	done := make(chan error, 1)
	l.mu.Lock()
	l.pending = append(l.pending, e)
	l.waiters = append(l.waiters, done)
	if !l.flushing {
		l.flushing = true
		go l.flushLoop(context.WithoutCancel(ctx))
	}
	l.mu.Unlock()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("insert notification log of %s: %w", e.GroupKey, ctx.Err())
	}
}

// flushLoop inserts what is pending, batch after batch, until nothing is.
func (l *NotificationLog) flushLoop(ctx context.Context) {
	for {
		l.mu.Lock()
		batch, waiters := l.pending, l.waiters
		l.pending, l.waiters = nil, nil
		if len(batch) == 0 {
			l.flushing = false
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		ictx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := l.insert(ictx, batch)
		cancel()
		if err == nil {
			l.mu.Lock()
			for _, e := range batch {
				e.At = fromDateTime(dateTime(e.At)) // as ClickHouse gives it back
				if len(e.Firing) == 0 {
					delete(l.live, e.GroupKey)
				} else {
					l.live[e.GroupKey] = e
				}
			}
			l.mu.Unlock()
		}
		for _, w := range waiters {
			w <- err
		}
	}
}

// insert writes entries as one native batch.
func (l *NotificationLog) insert(ctx context.Context, entries []dispatch.Entry) error {
	batch, err := l.conn.PrepareBatch(ctx, InsertNotificationLogSQL(l.db))
	if err != nil {
		return fmt.Errorf("insert %d notification log entries into %s.notification_log: %w", len(entries), l.db, err)
	}
	defer func() { _ = batch.Close() }()
	for _, e := range entries {
		firing := make([]uint64, len(e.Firing))
		for i, fp := range e.Firing {
			firing[i] = uint64(fp)
		}
		if err := batch.Append(e.GroupKey, e.GroupID, e.Version, firing, dateTime(e.At), revision(e.At)); err != nil {
			return fmt.Errorf("insert notification log of %s into %s.notification_log: %w", e.GroupKey, l.db, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("insert %d notification log entries into %s.notification_log: %w", len(entries), l.db, err)
	}
	return nil
}
