package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/internal/backoff"
	"github.com/vigia-dev/vigia/internal/message"
)

// ErrWriterStopped is returned by [Writer.Add] once the writer's Run has
// returned; the message was not taken and its done func is never called.
var ErrWriterStopped = errors.New("storage writer stopped")

// BatchPolicy says when the writer flushes: whichever limit is reached
// first.
type BatchPolicy struct {
	// MaxRows flushes when the batch holds this many messages; 0 means 1000.
	MaxRows int
	// MaxBytes flushes when the batch's approximate size reaches this many
	// bytes; 0 means no byte limit.
	MaxBytes int
	// MaxAge flushes when the oldest message in the batch has waited this
	// long; 0 means 1s.
	MaxAge time.Duration
}

func (p BatchPolicy) withDefaults() BatchPolicy {
	if p.MaxRows <= 0 {
		p.MaxRows = 1000
	}
	if p.MaxAge <= 0 {
		p.MaxAge = time.Second
	}
	return p
}

// WriterOptions configures a [Writer].
type WriterOptions struct {
	// Database holds the messages table.
	Database string
	// Policy says when to flush.
	Policy BatchPolicy
	// Backoff paces the retries of a failed batch; the zero value is
	// [backoff.Default].
	Backoff backoff.Policy
	// AttemptTimeout bounds one insert attempt; 0 means 30s.
	AttemptTimeout time.Duration
	// ShutdownTimeout bounds the last flush after Run's context is
	// cancelled; 0 means 10s.
	ShutdownTimeout time.Duration
	// QueueSize is how many added messages may wait for Run before Add
	// blocks; 0 means Policy.MaxRows.
	QueueSize int
	// Logger receives the writer's logs; nil discards them.
	Logger *slog.Logger
	// Registerer receives the writer's metrics; nil leaves them
	// unregistered.
	Registerer prometheus.Registerer
	// Now is the clock for ingested_at; nil means time.Now.
	Now func() time.Time
}

// item is one message waiting to be written, with its row built at Add.
type item struct {
	row  messageRow
	done func(error)
}

// Writer batches messages into the messages table. Add hands it a message
// and a done func; Run writes batches and calls done(nil) for every message
// of a batch once ClickHouse has taken it, or done(err) for messages it
// gives up on at shutdown. It retries a failed batch until it succeeds or
// Run's context ends, and never drops a message: when it is busy retrying,
// Add blocks, which is the backpressure.
type Writer struct {
	conn     driver.Conn
	db       string
	policy   BatchPolicy
	backoff  backoff.Policy
	attempt  time.Duration
	shutdown time.Duration
	log      *slog.Logger
	metrics  *metrics
	now      func() time.Time

	in       chan item
	stopping chan struct{} // closed when Run starts shutting down
	stopOnce sync.Once
	mu       sync.RWMutex // held for reading by Add while it sends on in
	stopped  bool         // set under mu once Run no longer reads in
}

// NewWriter returns a writer into opts.Database over conn. Start it with
// Run.
func NewWriter(conn driver.Conn, opts WriterOptions) (*Writer, error) {
	if err := checkIdent(opts.Database); err != nil {
		return nil, fmt.Errorf("new storage writer: %w", err)
	}
	policy := opts.Policy.withDefaults()
	queue := opts.QueueSize
	if queue <= 0 {
		queue = policy.MaxRows
	}
	attempt := opts.AttemptTimeout
	if attempt <= 0 {
		attempt = 30 * time.Second
	}
	shutdown := opts.ShutdownTimeout
	if shutdown <= 0 {
		shutdown = 10 * time.Second
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Writer{
		conn:     conn,
		db:       opts.Database,
		policy:   policy,
		backoff:  opts.Backoff.WithDefaults(),
		attempt:  attempt,
		shutdown: shutdown,
		log:      logger.With("component", "storage_writer"),
		metrics:  newMetrics(opts.Registerer),
		now:      now,
		in:       make(chan item, queue),
		stopping: make(chan struct{}),
	}, nil
}

// Add queues m for writing. done is called exactly once, from Run's
// goroutine: with nil after the batch holding m was sent, or with an error
// if the writer stopped before it could be written (the caller then naks
// it). Add blocks while the queue is full. It returns an error, and never
// calls done, when ctx ends first or the writer has stopped.
func (w *Writer) Add(ctx context.Context, m message.Message, done func(error)) error {
	it := item{row: toRow(&m, time.Time{}), done: done}
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.stopped {
		return ErrWriterStopped
	}
	select {
	case w.in <- it:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("queue message for storage: %w", ctx.Err())
	case <-w.stopping:
		return ErrWriterStopped
	}
}

// Run writes batches until ctx ends, then flushes what it holds within the
// shutdown timeout and reports the rest to their done funcs. It returns nil
// on cancel. A writer runs once: after Run returns, Add fails with
// [ErrWriterStopped].
//
// Filling and sending overlap: while one batch is being sent (and retried),
// the next one fills; when it is full before the send ends, Run stops
// reading, and Add blocks. So at most two batches are held at a time.
func (w *Writer) Run(ctx context.Context) error {
	var (
		batch = make([]item, 0, w.policy.MaxRows)
		bytes int
		timer = time.NewTimer(time.Hour)
	)
	timer.Stop()
	defer timer.Stop()

	sends := make(chan []item) // hand-off to the sender: one batch in flight
	var unsent []item          // what the sender gave up on when ctx ended
	senderDone := make(chan struct{})
	go func() {
		defer close(senderDone)
		for b := range sends {
			if unsent != nil || w.flush(ctx, b) != nil {
				unsent = append(unsent, b...)
			}
		}
	}()
	stop := func() error {
		close(sends)
		<-senderDone
		return w.stop(ctx, append(unsent, batch...))
	}
	hand := func() bool {
		timer.Stop()
		select {
		case sends <- batch:
			batch, bytes = make([]item, 0, w.policy.MaxRows), 0
			w.metrics.pending.Set(0)
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		select {
		case <-ctx.Done():
			return stop()
		case it := <-w.in:
			if len(batch) == 0 {
				timer.Reset(w.policy.MaxAge)
			}
			batch = append(batch, it)
			bytes += it.row.approxBytes()
			w.metrics.pending.Set(float64(len(batch)))
			full := len(batch) >= w.policy.MaxRows || (w.policy.MaxBytes > 0 && bytes >= w.policy.MaxBytes)
			if full && !hand() {
				return stop()
			}
		case <-timer.C:
			if len(batch) > 0 && !hand() {
				return stop()
			}
		}
	}
}

// flush writes items as one batch, retrying with backoff until it succeeds
// or ctx ends, and then calls every done(nil). It returns ctx's error if it
// gave up; the items' done funcs are then not called.
func (w *Writer) flush(ctx context.Context, items []item) error {
	if len(items) == 0 {
		return nil
	}
	rows := make([]messageRow, len(items))
	ingested := dateTime(w.now())
	for i := range items {
		rows[i] = items[i].row
		rows[i].IngestedAt = ingested
	}
	var last string
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := w.insert(ctx, rows)
		if err == nil {
			if attempt > 1 {
				w.log.Info("insert recovered", "attempt", attempt)
			}
			for _, it := range items {
				it.done(nil)
			}
			return nil
		}
		if msg := err.Error(); msg != last {
			w.log.Warn("insert failed, retrying", "err", err, "attempt", attempt)
			last = msg
		} else {
			w.log.Debug("insert failed, retrying", "err", err, "attempt", attempt)
		}
		t := time.NewTimer(w.backoff.Delay(attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// insert is one attempt, bounded by the attempt timeout.
func (w *Writer) insert(ctx context.Context, rows []messageRow) error {
	ctx, cancel := context.WithTimeout(ctx, w.attempt)
	defer cancel()
	start := time.Now()
	err := insertRows(ctx, w.conn, w.db, rows)
	w.metrics.duration.Observe(time.Since(start).Seconds())
	if err != nil {
		w.metrics.errors.Inc()
		return err
	}
	w.metrics.batches.Inc()
	w.metrics.rows.Add(float64(len(rows)))
	return nil
}

// stop ends intake, then flushes held (plus whatever is still queued)
// within the shutdown timeout, in batches of at most MaxRows, and calls
// done(err) for what could not be written.
func (w *Writer) stop(ctx context.Context, held []item) error {
	w.stopOnce.Do(func() { close(w.stopping) })
	w.mu.Lock() // waits for every Add in flight to return
	w.stopped = true
	w.mu.Unlock()
	for drained := false; !drained; {
		select {
		case it := <-w.in:
			held = append(held, it)
		default:
			drained = true
		}
	}
	w.metrics.pending.Set(float64(len(held)))
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.shutdown)
	defer cancel()
	for len(held) > 0 {
		n := min(len(held), w.policy.MaxRows)
		if err := w.flush(sctx, held[:n]); err != nil {
			break
		}
		held = held[n:]
		w.metrics.pending.Set(float64(len(held)))
	}
	if len(held) > 0 {
		err := fmt.Errorf("storage writer stopped with %d messages unwritten: %w", len(held), context.Cause(sctx))
		w.log.Warn("shutdown left messages unwritten", "err", err)
		w.metrics.dropped.Add(float64(len(held)))
		for _, it := range held {
			it.done(err)
		}
		w.metrics.pending.Set(0)
	}
	return nil
}
