package storage

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vigia-dev/vigia/alerts/notify"
)

// InsertNotificationsSQL is the INSERT a notifications batch is prepared
// with.
func InsertNotificationsSQL(db string) string {
	return "INSERT INTO " + db + ".notifications (receiver, group_key, group_id, version, kind, status, attempt, " +
		"reason, error, post_ref, alerts, enqueued_at, at)"
}

// NotificationRecorder writes the outbox's delivery records into the
// notifications table in batches, off the delivery path: Record never
// blocks, and a full queue (ClickHouse down for long) drops records,
// counted in Dropped and logged, never notifications.
type NotificationRecorder struct {
	conn    driver.Conn
	db      string
	queue   chan notify.Record
	logger  *slog.Logger
	dropped atomic.Uint64
}

// NotificationQueueSize bounds the records waiting for ClickHouse.
const NotificationQueueSize = 10000

// NewNotificationRecorder returns a recorder into db; call Run.
func NewNotificationRecorder(conn driver.Conn, db string, logger *slog.Logger) (*NotificationRecorder, error) {
	if err := checkIdent(db); err != nil {
		return nil, fmt.Errorf("notification recorder: %w", err)
	}
	return &NotificationRecorder{conn: conn, db: db, queue: make(chan notify.Record, NotificationQueueSize),
		logger: logger.With("component", "notification_recorder")}, nil
}

// Record queues r. It implements notify.Recorder.
func (n *NotificationRecorder) Record(_ context.Context, r notify.Record) {
	select {
	case n.queue <- r:
	default:
		if n.dropped.Add(1) == 1 {
			n.logger.Warn("notification records dropped: clickhouse is not keeping up", "queue_size", NotificationQueueSize)
		}
	}
}

// Dropped counts records dropped because the queue was full.
func (n *NotificationRecorder) Dropped() uint64 { return n.dropped.Load() }

// Run writes queued records every second (or every 500) until ctx ends,
// retrying a failed batch at the next second; it then writes what is left, for
// at most five seconds, and returns nil.
func (n *NotificationRecorder) Run(ctx context.Context) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var batch []notify.Record
	failures := 0
	flush := func(ctx context.Context) {
		if len(batch) == 0 {
			return
		}
		if err := n.insert(ctx, batch); err != nil {
			failures++
			if failures == 1 {
				n.logger.Warn("write notification records", "err", err)
			}
			return
		}
		failures = 0
		batch = batch[:0]
	}
	for {
		select {
		case <-ctx.Done():
			for {
				select {
				case r := <-n.queue:
					batch = append(batch, r)
					continue
				default:
				}
				break
			}
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			flush(final)
			cancel()
			return nil
		case r := <-n.queue:
			batch = append(batch, r)
			if len(batch) >= 500 && failures == 0 {
				flush(ctx)
			}
		case <-tick.C:
			flush(ctx) // after a failure, the next tick retries

		}
	}
}

func (n *NotificationRecorder) insert(ctx context.Context, rs []notify.Record) error {
	b, err := n.conn.PrepareBatch(ctx, InsertNotificationsSQL(n.db))
	if err != nil {
		return fmt.Errorf("insert batch of %d into %s.notifications: %w", len(rs), n.db, err)
	}
	defer func() { _ = b.Close() }()
	for i := range rs {
		r := &rs[i]
		enq := r.EnqueuedAt
		if enq.IsZero() {
			enq = r.At
		}
		if err := b.Append(r.Receiver, r.GroupKey, r.GroupID, r.Version, string(r.Kind), string(r.Status), uint32(r.Attempt),
			string(r.Reason), r.Error, string(r.PostRef), uint32(r.Alerts), dateTime(enq), dateTime(r.At)); err != nil {
			return fmt.Errorf("insert batch of %d into %s.notifications: append row %d: %w", len(rs), n.db, i, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert batch of %d into %s.notifications: %w", len(rs), n.db, err)
	}
	return nil
}
