package storage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/backoff"
	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/storage"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
)

// t0 is a whole second, as DateTime stores.
var t0 = time.Date(2024, 5, 17, 9, 30, 0, 0, time.UTC)

// fullMessage sets every field, with scores float32 can hold exactly.
func fullMessage(ext string, at time.Time) message.Message {
	return message.Message{
		ID:             message.NewID(message.ChannelX, ext),
		Brand:          "acme",
		Channel:        message.ChannelX,
		Kind:           message.KindMention,
		Direction:      message.DirectionInbound,
		ConversationID: "conv-" + ext,
		InReplyTo:      message.NewID(message.ChannelX, "parent-"+ext),
		Author: message.Author{
			ID: "u-" + ext, Handle: "maria_" + ext, DisplayName: "María Pérez",
			Followers: 120345, Following: 321, Verified: true,
			CreatedAt: time.Date(2015, 2, 3, 4, 5, 6, 0, time.UTC),
		},
		Text:       "@acme mi pedido no llega 😡 it's late",
		Lang:       "es",
		Sentiment:  -0.75,
		CreatedAt:  at,
		ReceivedAt: at.Add(3 * time.Second),
		Raw:        json.RawMessage(`{"id_str":"` + ext + `","text":"raw"}`),
		Labels: []message.Label{
			{Name: "complaint", Score: 0.875, Decision: true, Reasons: []string{"keyword: no llega", "negative sentiment"}},
			{Name: "urgent", Score: 0.25, Decision: false},
		},
	}
}

// minimalMessage leaves every optional field empty.
func minimalMessage(ext string, at time.Time) message.Message {
	return message.Message{
		ID:        message.NewID(message.ChannelTelegram, ext),
		Brand:     "acme",
		Channel:   message.ChannelTelegram,
		Kind:      message.KindDM,
		Direction: message.DirectionOutbound,
		Author:    message.Author{ID: "agent-1"},
		Text:      "hola",
		CreatedAt: at,
	}
}

// collector records done calls.
type collector struct {
	mu   sync.Mutex
	errs map[message.ID][]error
}

func newCollector() *collector { return &collector{errs: map[message.ID][]error{}} }

func (c *collector) done(id message.ID) func(error) {
	return func(err error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.errs[id] = append(c.errs[id], err)
	}
}

func (c *collector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.errs)
}

func (c *collector) snapshot() map[message.ID][]error {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[message.ID][]error, len(c.errs))
	for k, v := range c.errs {
		out[k] = append([]error(nil), v...)
	}
	return out
}

// startWriter runs w until the test ends and returns a func that stops it
// and returns Run's error.
func startWriter(t *testing.T, w *storage.Writer) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-errc })
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// stopMerges keeps every insert in its own part, so raw row counts see
// duplicates and only FINAL collapses them.
func stopMerges(t *testing.T, db *chtest.DB) {
	t.Helper()
	require.NoError(t, db.Conn.Exec(t.Context(), "SYSTEM STOP MERGES "+db.Database+".messages"))
}

// rawRows counts stored rows, duplicates included.
func rawRows(t *testing.T, db *chtest.DB) uint64 {
	t.Helper()
	var n uint64
	require.NoError(t, db.Conn.QueryRow(t.Context(), "SELECT count() FROM "+db.Database+".messages").Scan(&n))
	return n
}

func TestMigrate(t *testing.T) {
	db := chtest.NewEmpty(t)
	ctx := t.Context()
	opts := storage.MigrateOptions{Database: db.Database, RetentionDays: 30}
	for i := range 3 {
		require.NoError(t, storage.Migrate(ctx, db.Conn, opts), "run %d", i+1)
	}
	var versions []uint32
	rows, err := db.Conn.Query(ctx, storage.AppliedMigrationsSQL(db.Database))
	require.NoError(t, err)
	for rows.Next() {
		var v uint32
		require.NoError(t, rows.Scan(&v))
		versions = append(versions, v)
	}
	require.NoError(t, rows.Err())
	rows.Close()
	require.Equal(t, []uint32{1, 2, 3, 4, 5}, versions)

	var raw uint64
	require.NoError(t, db.Conn.QueryRow(ctx, "SELECT count() FROM "+db.Database+".schema_migrations").Scan(&raw))
	require.Equal(t, uint64(5), raw, "rerunning records nothing twice")

	var tables []string
	rows, err = db.Conn.Query(ctx, "SELECT name FROM system.tables WHERE database = ? ORDER BY name", db.Database)
	require.NoError(t, err)
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		tables = append(tables, s)
	}
	rows.Close()
	require.Equal(t, []string{"case_events", "labels", "messages", "notification_log", "notifications", "schema_migrations", "silences"}, tables)
}

func TestMigrateSchemaTooNew(t *testing.T) {
	db := chtest.New(t)
	ctx := t.Context()
	require.NoError(t, db.Conn.Exec(ctx, storage.RecordMigrationSQL(db.Database, storage.Migration{Version: 9999, Name: "future"})))
	err := storage.Migrate(ctx, db.Conn, storage.MigrateOptions{Database: db.Database})
	require.ErrorIs(t, err, storage.ErrSchemaTooNew)
}

func TestWriterRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		msgs []message.Message
	}{
		{"full", []message.Message{fullMessage("1", t0)}},
		{"minimal", []message.Message{minimalMessage("2", t0)}},
		{"mixed, ordered by created_at", []message.Message{
			fullMessage("a", t0), minimalMessage("b", t0.Add(time.Minute)), fullMessage("c", t0.Add(48*time.Hour)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := chtest.New(t)
			reg := prometheus.NewPedanticRegistry()
			w, err := storage.NewWriter(db.Conn, storage.WriterOptions{
				Database:   db.Database,
				Policy:     storage.BatchPolicy{MaxRows: len(tt.msgs), MaxAge: time.Hour},
				Registerer: reg,
			})
			require.NoError(t, err)
			startWriter(t, w)
			c := newCollector()
			for _, m := range tt.msgs {
				require.NoError(t, w.Add(t.Context(), m, c.done(m.ID)))
			}
			require.Eventually(t, func() bool { return c.count() == len(tt.msgs) }, 10*time.Second, 10*time.Millisecond)
			for id, errs := range c.snapshot() {
				require.Equal(t, []error{nil}, errs, "done calls for %s", id)
			}
			got, err := storage.ReadMessages(t.Context(), db.Conn, db.Database, "")
			require.NoError(t, err)
			require.Equal(t, tt.msgs, got)

			require.Equal(t, float64(len(tt.msgs)), testutil.ToFloat64(collectorFor(t, reg, "vigia_storage_insert_rows_total")))
			problems, err := testutil.GatherAndLint(reg)
			require.NoError(t, err)
			require.Empty(t, problems)
		})
	}
}

// collectorFor finds a registered metric by name, for testutil.ToFloat64.
func collectorFor(t *testing.T, reg *prometheus.Registry, name string) prometheus.Collector {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() == name {
			g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: "copy"})
			m := mf.GetMetric()[0]
			switch {
			case m.GetCounter() != nil:
				g.Set(m.GetCounter().GetValue())
			case m.GetGauge() != nil:
				g.Set(m.GetGauge().GetValue())
			}
			return g
		}
	}
	t.Fatalf("metric %s not registered", name)
	return nil
}

func TestDuplicatesCollapse(t *testing.T) {
	db := chtest.New(t)
	stopMerges(t, db)
	ctx := t.Context()
	a, b := fullMessage("dup", t0), minimalMessage("other", t0)
	later := a
	later.Text = "edited"
	// Three separate inserts of the same message: three parts until a
	// merge, one message under FINAL, the last ingested one winning.
	require.NoError(t, storage.InsertMessages(ctx, db.Conn, db.Database, []message.Message{a, b}))
	require.NoError(t, storage.InsertMessages(ctx, db.Conn, db.Database, []message.Message{a}))
	// The edit goes through a writer whose clock is an hour ahead, so its
	// ingested_at (the version column, whole seconds) is the largest.
	w, err := storage.NewWriter(db.Conn, storage.WriterOptions{
		Database: db.Database,
		Policy:   storage.BatchPolicy{MaxRows: 1},
		Now:      func() time.Time { return time.Now().Add(time.Hour) },
	})
	require.NoError(t, err)
	startWriter(t, w)
	acked := make(chan error, 1)
	require.NoError(t, w.Add(ctx, later, func(err error) { acked <- err }))
	require.NoError(t, <-acked)

	require.Equal(t, uint64(4), rawRows(t, db))
	n, err := storage.CountMessages(ctx, db.Conn, db.Database)
	require.NoError(t, err)
	require.Equal(t, uint64(2), n)

	got, err := storage.ReadMessages(ctx, db.Conn, db.Database, "id = ?", string(a.ID))
	require.NoError(t, err)
	require.Equal(t, []message.Message{later}, got)

	counts, err := storage.CountsBy(ctx, db.Conn, db.Database)
	require.NoError(t, err)
	require.Equal(t, []storage.Count{
		{Brand: "acme", Channel: "telegram", Kind: "dm", Direction: "outbound", N: 1},
		{Brand: "acme", Channel: "x", Kind: "mention", Direction: "inbound", N: 1},
	}, counts)
}

func TestWriterFlushes(t *testing.T) {
	tests := []struct {
		name   string
		policy storage.BatchPolicy
		n      int
		// wantBatches after all n were acknowledged
		wantBatches float64
	}{
		{"by size", storage.BatchPolicy{MaxRows: 5, MaxAge: time.Hour}, 10, 2},
		{"by bytes", storage.BatchPolicy{MaxRows: 1000, MaxBytes: 1, MaxAge: time.Hour}, 3, 3},
		{"by age", storage.BatchPolicy{MaxRows: 1000, MaxAge: 200 * time.Millisecond}, 3, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := chtest.New(t)
			reg := prometheus.NewPedanticRegistry()
			w, err := storage.NewWriter(db.Conn, storage.WriterOptions{Database: db.Database, Policy: tt.policy, Registerer: reg})
			require.NoError(t, err)
			startWriter(t, w)
			c := newCollector()
			for i := range tt.n {
				m := minimalMessage(fmt.Sprint(i), t0)
				require.NoError(t, w.Add(t.Context(), m, c.done(m.ID)))
			}
			require.Eventually(t, func() bool { return c.count() == tt.n }, 10*time.Second, 10*time.Millisecond)
			require.Equal(t, tt.wantBatches, testutil.ToFloat64(collectorFor(t, reg, "vigia_storage_insert_batches_total")))
			n, err := storage.CountMessages(t.Context(), db.Conn, db.Database)
			require.NoError(t, err)
			require.Equal(t, uint64(tt.n), n)
		})
	}
}

// TestWriterRetriesWhileUnreachable cuts the connection to ClickHouse (via
// a proxy, so other tests sharing the server are unaffected), adds
// messages, checks nothing is acknowledged, restores the connection and
// checks every message is written exactly once and acknowledged once.
func TestWriterRetriesWhileUnreachable(t *testing.T) {
	db := chtest.New(t)
	stopMerges(t, db)
	proxy := chtest.NewProxy(t, db.Addr)
	ctx := t.Context()
	conn, err := storage.Open(ctx, storage.Options{Addr: []string{proxy.Addr()}, Database: db.Database, DialTimeout: time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	require.NoError(t, storage.Ping(ctx, conn))

	reg := prometheus.NewPedanticRegistry()
	w, err := storage.NewWriter(conn, storage.WriterOptions{
		Database: db.Database,
		Policy:   storage.BatchPolicy{MaxRows: 4, MaxAge: 50 * time.Millisecond},
		// Room for all n while the first batch is stuck; with less, Add
		// blocks: that is the backpressure.
		QueueSize: 16,
		Backoff:   backoff.Policy{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond},
		// A cut connection fails fast; this only bounds a hung attempt.
		AttemptTimeout: 2 * time.Second,
		Registerer:     reg,
	})
	require.NoError(t, err)
	startWriter(t, w)

	proxy.Cut()
	c := newCollector()
	const n = 10
	for i := range n {
		m := fullMessage(fmt.Sprint(i), t0.Add(time.Duration(i)*time.Second))
		require.NoError(t, w.Add(ctx, m, c.done(m.ID)))
	}
	require.Eventually(t, func() bool {
		return testutil.ToFloat64(collectorFor(t, reg, "vigia_storage_insert_errors_total")) >= 3
	}, 10*time.Second, 10*time.Millisecond, "the writer keeps retrying")
	require.Equal(t, 0, c.count(), "nothing is acknowledged while ClickHouse is unreachable")

	proxy.Restore()
	require.Eventually(t, func() bool { return c.count() == n }, 30*time.Second, 10*time.Millisecond)
	for id, errs := range c.snapshot() {
		require.Equal(t, []error{nil}, errs, "done calls for %s", id)
	}
	require.Equal(t, uint64(n), rawRows(t, db), "each message written exactly once")
	require.Equal(t, float64(n), testutil.ToFloat64(collectorFor(t, reg, "vigia_storage_insert_rows_total")))
}

// TestWriterShutdown checks that cancelling Run flushes what it holds, and
// that what cannot be flushed in time is handed back with an error.
func TestWriterShutdown(t *testing.T) {
	tests := []struct {
		name    string
		cut     bool
		wantErr bool
		wantRow uint64
	}{
		{name: "flushes held messages", wantRow: 3},
		{name: "hands back unwritten messages", cut: true, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := chtest.New(t)
			proxy := chtest.NewProxy(t, db.Addr)
			conn, err := storage.Open(t.Context(), storage.Options{Addr: []string{proxy.Addr()}, Database: db.Database})
			require.NoError(t, err)
			t.Cleanup(func() { _ = conn.Close() })
			w, err := storage.NewWriter(conn, storage.WriterOptions{
				Database:        db.Database,
				Policy:          storage.BatchPolicy{MaxRows: 1000, MaxAge: time.Hour},
				Backoff:         backoff.Policy{Initial: 20 * time.Millisecond, Max: 50 * time.Millisecond},
				ShutdownTimeout: 500 * time.Millisecond,
			})
			require.NoError(t, err)
			stop := startWriter(t, w)
			if tt.cut {
				proxy.Cut()
			}
			c := newCollector()
			for i := range 3 {
				m := minimalMessage(fmt.Sprint(i), t0)
				require.NoError(t, w.Add(t.Context(), m, c.done(m.ID)))
			}
			require.NoError(t, stop())
			require.Equal(t, 3, c.count(), "every message gets its done call by the time Run returns")
			for id, errs := range c.snapshot() {
				require.Len(t, errs, 1, "done calls for %s", id)
				if tt.wantErr {
					require.Error(t, errs[0])
				} else {
					require.NoError(t, errs[0])
				}
			}
			require.Equal(t, tt.wantRow, rawRows(t, db))
			m := minimalMessage("late", t0)
			require.ErrorIs(t, w.Add(t.Context(), m, c.done(m.ID)), storage.ErrWriterStopped)
		})
	}
}

func TestWriterBackpressure(t *testing.T) {
	db := chtest.New(t)
	w, err := storage.NewWriter(db.Conn, storage.WriterOptions{Database: db.Database, QueueSize: 2})
	require.NoError(t, err)
	// Run is not started: the queue fills and Add blocks until ctx ends.
	for i := range 2 {
		require.NoError(t, w.Add(t.Context(), minimalMessage(fmt.Sprint(i), t0), func(error) {}))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, w.Add(ctx, minimalMessage("3", t0), func(error) {}), context.DeadlineExceeded)
}

func TestJanitorDropsExpiredPartitions(t *testing.T) {
	db := chtest.New(t)
	ctx := t.Context()
	now := time.Date(2024, 5, 20, 12, 0, 0, 0, time.UTC)
	var msgs []message.Message
	for _, daysAgo := range []int{40, 31, 30, 29, 1, 0} {
		msgs = append(msgs, minimalMessage(fmt.Sprint(daysAgo), now.AddDate(0, 0, -daysAgo)))
	}
	require.NoError(t, storage.InsertMessages(ctx, db.Conn, db.Database, msgs))

	j := &storage.Janitor{Conn: db.Conn, Database: db.Database, Days: 30, Now: func() time.Time { return now }}
	require.NoError(t, j.Sweep(ctx))

	got, err := storage.ReadMessages(ctx, db.Conn, db.Database, "")
	require.NoError(t, err)
	var ids []message.ID
	for _, m := range got {
		ids = append(ids, m.ID)
	}
	// 2024-04-20 (30 days ago) ends after the cutoff 2024-04-20 12:00 and stays.
	require.Equal(t, []message.ID{"telegram:30", "telegram:29", "telegram:1", "telegram:0"}, ids)

	dropped, err := storage.DropExpiredPartitions(ctx, db.Conn, db.Database, "messages", 30, now)
	require.NoError(t, err)
	require.Empty(t, dropped, "a second sweep has nothing to drop")
}

func TestInsertFeedback(t *testing.T) {
	db := chtest.New(t)
	ctx := t.Context()
	fb := []storage.Feedback{
		{MessageID: "x:1", Brand: "acme", Label: "complaint", Value: true, Actor: "agent-7", Note: "yes", CreatedAt: t0},
		{MessageID: "x:1", Brand: "acme", Label: "complaint", Value: false, Actor: "agent-7", Note: "on second thought", CreatedAt: t0.Add(time.Minute)},
	}
	require.NoError(t, storage.InsertFeedback(ctx, db.Conn, db.Database, fb))
	var value uint8
	var note string
	require.NoError(t, db.Conn.QueryRow(ctx, "SELECT value, note FROM "+db.Database+".labels FINAL").Scan(&value, &note))
	require.Equal(t, uint8(0), value)
	require.Equal(t, "on second thought", note)
}

func TestPing(t *testing.T) {
	db := chtest.New(t)
	require.NoError(t, storage.Ping(t.Context(), db.Conn))
}
