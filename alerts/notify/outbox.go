package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/alerts/dispatch"
	"github.com/vigia-dev/vigia/internal/backoff"
)

// Status is the outcome of one delivery attempt, as recorded.
type Status string

// The attempt outcomes.
const (
	// StatusSent: the post was created or updated.
	StatusSent Status = "sent"
	// StatusRetry: the attempt failed and will be retried.
	StatusRetry Status = "retry"
	// StatusFailed: the attempt failed for good (a client error); the
	// notification is given up.
	StatusFailed Status = "failed"
	// StatusSkipped: a newer version of the post was already delivered.
	StatusSkipped Status = "skipped"
)

// Record is one delivery attempt, for the notifications table.
type Record struct {
	Receiver   string
	GroupKey   string
	GroupID    string
	Version    uint64
	Kind       dispatch.Kind
	Status     Status
	Attempt    int
	Reason     Reason // empty unless the attempt failed
	Error      string // the failure, without secrets; empty when sent
	PostRef    PostRef
	Alerts     int
	EnqueuedAt time.Time
	At         time.Time
}

// Recorder keeps delivery records, for instance in ClickHouse. Record must
// not block for long: the outbox calls it inline.
type Recorder interface {
	Record(ctx context.Context, r Record)
}

// OutboxOptions configure an [Outbox].
type OutboxOptions struct {
	// Stream is the JetStream stream holding pending notifications;
	// default VIGIA_OUTBOX.
	Stream string
	// Subject is the subject prefix; a receiver's queue is
	// <Subject>.<receiver>. Default vigia.outbox.
	Subject string
	// Replicas is the stream's replication factor; default 1.
	Replicas int
	// MaxAge bounds how long an undelivered notification is kept; default
	// 7 days.
	MaxAge time.Duration
	// Backoff paces retries; default 1s doubling up to 5m.
	Backoff backoff.Policy
	// AttemptTimeout bounds one call to a receiver; default 30s.
	AttemptTimeout time.Duration
	// AckWait is how long a notification handed to a delivery loop that
	// went away (a crash, a restart) waits before it is delivered again;
	// default 1m, and always more than AttemptTimeout.
	AckWait time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

func (o OutboxOptions) withDefaults() OutboxOptions {
	if o.Stream == "" {
		o.Stream = "VIGIA_OUTBOX"
	}
	if o.Subject == "" {
		o.Subject = "vigia.outbox"
	}
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.MaxAge <= 0 {
		o.MaxAge = 7 * 24 * time.Hour
	}
	if o.Backoff.Initial <= 0 {
		o.Backoff.Initial = time.Second
	}
	if o.Backoff.Max <= 0 {
		o.Backoff.Max = 5 * time.Minute
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 30 * time.Second
	}
	if o.AckWait <= o.AttemptTimeout {
		o.AckWait = max(time.Minute, 2*o.AttemptTimeout)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Outbox is the durable queue between the dispatcher and the receivers.
// Notify stores a group notification in a JetStream work queue (one subject
// per receiver) under an idempotency key, so a retried Notify is stored
// once; Run delivers each receiver's queue in order, retrying with backoff
// (and the API's own retry-after) until the receiver accepts it. A chat
// outage delays notifications; it does not lose them, and a restart
// resumes where delivery stopped. Which post a group became is kept in a
// JetStream key-value bucket, so the next version updates that post, and a
// version older than the one delivered is skipped.
type Outbox struct {
	opts      OutboxOptions
	js        jetstream.JetStream
	posts     jetstream.KeyValue
	receivers map[string]Receiver
	recorder  Recorder
	logger    *slog.Logger
	metrics   *metrics
}

// entry is the queued form of a notification.
type entry struct {
	Receiver   string         `json:"receiver"`
	Group      dispatch.Group `json:"group"`
	EnqueuedAt time.Time      `json:"enqueued_at"`
}

// postState is what the posts bucket remembers per receiver and group ID.
type postState struct {
	Ref     PostRef `json:"ref"`
	Version uint64  `json:"version"`
}

// NewOutbox creates (or updates) the outbox stream and posts bucket and
// returns an Outbox delivering to receivers. recorder may be nil.
func NewOutbox(ctx context.Context, js jetstream.JetStream, opts OutboxOptions, receivers []Receiver, recorder Recorder, logger *slog.Logger, reg prometheus.Registerer) (*Outbox, error) {
	opts = opts.withDefaults()
	o := &Outbox{
		opts: opts, js: js, receivers: map[string]Receiver{}, recorder: recorder,
		logger: logger.With("component", "outbox"),
	}
	names := make([]string, 0, len(receivers))
	for _, r := range receivers {
		if _, dup := o.receivers[r.Name()]; dup {
			return nil, fmt.Errorf("outbox: receiver %q defined twice", r.Name())
		}
		o.receivers[r.Name()] = r
		names = append(names, r.Name())
	}
	o.metrics = newMetrics(reg, names)
	_, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        opts.Stream,
		Description: "Vigía: notifications waiting for delivery",
		Subjects:    []string{opts.Subject + ".>"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.WorkQueuePolicy,
		Replicas:    opts.Replicas,
		MaxAge:      opts.MaxAge,
		Duplicates:  24 * time.Hour,
	})
	if err != nil {
		return nil, fmt.Errorf("create outbox stream %s: %w", opts.Stream, err)
	}
	o.posts, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      opts.Stream + "_POSTS",
		Description: "Vigía: the post each notification group became",
		History:     1,
		TTL:         opts.MaxAge + 30*24*time.Hour,
		Storage:     jetstream.FileStorage,
		Replicas:    opts.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("create outbox posts bucket: %w", err)
	}
	return o, nil
}

func (o *Outbox) subject(receiver string) string {
	return o.opts.Subject + "." + hashKey(receiver)
}

// hashKey turns any name into a token safe for NATS subjects and KV keys.
func hashKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(strconv.Itoa(len(p))))
		h.Write([]byte{':'})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// IdempotencyKey is the key a notification is stored under: one per
// receiver, post and version.
func IdempotencyKey(receiver string, g dispatch.Group) string {
	return receiver + "/" + g.ID + "/" + strconv.FormatUint(g.Version, 10)
}

// Notify queues g for its receiver and returns once the queue holds it. It
// implements dispatch.Notifier.
func (o *Outbox) Notify(ctx context.Context, g dispatch.Group) error {
	if _, ok := o.receivers[g.Receiver]; !ok {
		return fmt.Errorf("queue notification: no receiver named %q", g.Receiver)
	}
	data, err := json.Marshal(entry{Receiver: g.Receiver, Group: g, EnqueuedAt: o.opts.Now()})
	if err != nil {
		return fmt.Errorf("encode notification %s: %w", IdempotencyKey(g.Receiver, g), err)
	}
	_, err = o.js.Publish(ctx, o.subject(g.Receiver), data, jetstream.WithMsgID(IdempotencyKey(g.Receiver, g)))
	if err != nil {
		return fmt.Errorf("queue notification %s: %w", IdempotencyKey(g.Receiver, g), err)
	}
	o.metrics.queued.WithLabelValues(g.Receiver).Inc()
	return nil
}

// Run delivers every receiver's queue until ctx is cancelled, then returns
// nil; a notification being attempted when ctx ends stays queued.
func (o *Outbox) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(o.receivers))
	for name, r := range o.receivers {
		wg.Go(func() {
			if err := o.runReceiver(ctx, name, r); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

func (o *Outbox) runReceiver(ctx context.Context, name string, r Receiver) error {
	cons, err := o.js.CreateOrUpdateConsumer(ctx, o.opts.Stream, jetstream.ConsumerConfig{
		Durable:       "outbox-" + hashKey(name),
		Description:   "deliveries to receiver " + name,
		FilterSubject: o.subject(name),
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       o.opts.AckWait,
		MaxDeliver:    -1,
		MaxAckPending: 1, // in order: a post is created before it is updated
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("create outbox consumer for %s: %w", name, err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1))
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("consume outbox of %s: %w", name, err)
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	logger := o.logger.With("receiver", name)
	for {
		m, err := it.Next()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return nil
			}
			if errors.Is(err, jetstream.ErrNoHeartbeat) {
				// A late idle heartbeat (a busy machine, a slow server) is
				// reported but does not end the iterator, which has
				// already asked again: keep delivering.
				logger.Debug("outbox consumer missed a heartbeat", "err", err)
				continue
			}
			return fmt.Errorf("consume outbox of %s: %w", name, err)
		}
		o.deliver(ctx, r, m, logger)
	}
}

// deliver attempts one queued notification until it is sent, given up, or
// ctx ends; it settles the stream message accordingly.
func (o *Outbox) deliver(ctx context.Context, r Receiver, m jetstream.Msg, logger *slog.Logger) {
	var e entry
	if err := json.Unmarshal(m.Data(), &e); err != nil {
		o.metrics.dropped.WithLabelValues(r.Name()).Inc()
		logger.Warn("terminating undecodable notification", "err", err)
		_ = m.Term()
		return
	}
	g := e.Group
	logger = logger.With("group_key", g.Key)
	rec := Record{
		Receiver: r.Name(), GroupKey: g.Key, GroupID: g.ID, Version: g.Version, Kind: g.Kind,
		Alerts: len(g.Alerts), EnqueuedAt: e.EnqueuedAt,
	}
	key := hashKey(r.Name(), g.ID)
	st, err := o.loadPost(ctx, key)
	if err != nil {
		o.retryLater(m, logger, err)
		return
	}
	if st.Ref != "" && st.Version >= g.Version {
		rec.Status, rec.PostRef, rec.At = StatusSkipped, st.Ref, o.opts.Now()
		o.record(ctx, rec)
		_ = m.Ack()
		return
	}
	var lastReason Reason
	for attempt := 1; ; attempt++ {
		if ctx.Err() != nil {
			_ = m.Nak()
			return
		}
		rec.Attempt = attempt
		ref, err := o.attempt(ctx, r, st.Ref, g)
		rec.At = o.opts.Now()
		if err == nil {
			st = postState{Ref: ref, Version: g.Version}
			for a := 1; ; a++ { // a post that is not remembered would be posted again
				if err := o.savePost(ctx, key, st); err == nil {
					break
				} else if !o.sleep(ctx, m, o.opts.Backoff.Delay(a)) {
					_ = m.Nak()
					return
				}
			}
			rec.Status, rec.PostRef, rec.Reason, rec.Error = StatusSent, ref, "", ""
			o.record(ctx, rec)
			_ = m.Ack()
			o.metrics.sent.WithLabelValues(r.Name()).Inc()
			if !e.EnqueuedAt.IsZero() {
				o.metrics.latency.WithLabelValues(r.Name()).Observe(rec.At.Sub(e.EnqueuedAt).Seconds())
			}
			return
		}
		if ctx.Err() != nil {
			_ = m.Nak()
			return
		}
		reason, after := ReasonOf(err)
		o.metrics.failed.WithLabelValues(r.Name(), string(reason)).Inc()
		rec.Reason, rec.Error = reason, err.Error()
		if reason != lastReason {
			logger.Warn("notification attempt failed", "attempt", attempt, "reason", reason, "err", err)
			lastReason = reason
		}
		if !reason.Retryable() {
			rec.Status = StatusFailed
			o.record(ctx, rec)
			o.metrics.dropped.WithLabelValues(r.Name()).Inc()
			_ = m.Term()
			return
		}
		rec.Status = StatusRetry
		o.record(ctx, rec)
		if !o.sleep(ctx, m, max(after, o.opts.Backoff.Delay(attempt))) {
			_ = m.Nak()
			return
		}
	}
}

// attempt makes one call: Post when the group has no post yet, otherwise
// Update; an update refused as a client error (the post was deleted) falls
// back to a new post.
func (o *Outbox) attempt(ctx context.Context, r Receiver, ref PostRef, g dispatch.Group) (PostRef, error) {
	ctx, cancel := context.WithTimeout(ctx, o.opts.AttemptTimeout)
	defer cancel()
	if ref == "" {
		return r.Post(ctx, g)
	}
	err := r.Update(ctx, ref, g)
	if err == nil {
		return ref, nil
	}
	if reason, _ := ReasonOf(err); reason == ReasonClientError {
		return r.Post(ctx, g)
	}
	return "", err
}

// sleep waits d while telling the stream the message is still being
// worked on; false when ctx ended first.
func (o *Outbox) sleep(ctx context.Context, m jetstream.Msg, d time.Duration) bool {
	heartbeat := o.opts.AckWait / 3
	t := time.NewTimer(d)
	defer t.Stop()
	hb := time.NewTicker(heartbeat)
	defer hb.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		case <-hb.C:
			_ = m.InProgress()
		}
	}
}

func (o *Outbox) retryLater(m jetstream.Msg, logger *slog.Logger, err error) {
	logger.Warn("notification state unavailable", "err", err)
	_ = m.NakWithDelay(o.opts.Backoff.Initial)
}

func (o *Outbox) loadPost(ctx context.Context, key string) (postState, error) {
	kv, err := o.posts.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return postState{}, nil
	}
	if err != nil {
		return postState{}, fmt.Errorf("load post state: %w", err)
	}
	var st postState
	if err := json.Unmarshal(kv.Value(), &st); err != nil {
		return postState{}, nil // unreadable state: post anew rather than never
	}
	return st, nil
}

func (o *Outbox) savePost(ctx context.Context, key string, st postState) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode post state: %w", err)
	}
	if _, err := o.posts.Put(ctx, key, data); err != nil {
		return fmt.Errorf("save post state: %w", err)
	}
	return nil
}

func (o *Outbox) record(ctx context.Context, r Record) {
	if o.recorder != nil {
		o.recorder.Record(ctx, r)
	}
}
