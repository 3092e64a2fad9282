// Package process is the stage between the stream and ClickHouse: it
// consumes messages from the stream, classifies them, hands them to the
// storage writer, and acks each stream delivery only after the ClickHouse
// batch holding its message has committed.
package process

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/stream"
)

// Source is where deliveries come from: the stream.
type Source interface {
	Consume(ctx context.Context, durable string, handle func(context.Context, stream.Delivery)) error
}

// Sink stores messages: the storage writer. done is called once the
// message is committed (nil) or given up on (an error).
type Sink interface {
	Add(ctx context.Context, m message.Message, done func(error)) error
	Run(ctx context.Context) error
}

// Classifier labels a message in place. A nil Classifier leaves messages
// unlabeled.
type Classifier interface {
	Classify(ctx context.Context, m *message.Message) error
}

// Observer sees every message after it is committed to storage and before
// its envelope is acked: the alerts engine. An error naks the envelope, so
// its messages come back; Observe must therefore take a message it has
// already seen without effect.
type Observer interface {
	Observe(ctx context.Context, msgs []message.Message) error
}

// Durable is the name of the processor's durable consumer.
const Durable = "vigia-processor"

// Processor moves messages from a Source to a Sink.
type Processor struct {
	src        Source
	sink       Sink
	classifier Classifier
	workers    int
	logger     *slog.Logger
	metrics    *metrics

	observer Observer
	observed chan *observed

	mu       sync.Mutex
	inflight map[string]*envelope
}

// observed is an envelope whose messages are stored, waiting for the
// observer.
type observed struct {
	id  string
	env *envelope
}

// envelope tracks one stream delivery until all of its messages settle.
type envelope struct {
	deliveries []stream.Delivery // the first delivery and any redeliveries
	remaining  atomic.Int64
	failed     atomic.Bool
	msgs       []message.Message // the classified messages, for the observer
}

// SetObserver makes o see every stored message before its envelope is
// acked. Call it before Run.
func (p *Processor) SetObserver(o Observer) { p.observer = o }

// New returns a Processor. classifier may be nil. workers is how many
// goroutines classify and queue messages; 0 means GOMAXPROCS.
func New(src Source, sink Sink, classifier Classifier, workers int, logger *slog.Logger, reg prometheus.Registerer) *Processor {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if classifier == nil {
		workers = 1
	}
	return &Processor{
		src: src, sink: sink, classifier: classifier, workers: workers,
		logger:   logger.With("component", "processor"),
		metrics:  newMetrics(reg),
		inflight: map[string]*envelope{},
	}
}

type job struct {
	id   string
	env  *envelope
	msgs []message.Message
}

// Run consumes until ctx is cancelled, then lets the sink flush what it
// holds (acking what commits) and returns. It returns nil on a clean stop.
func (p *Processor) Run(ctx context.Context) error {
	sinkCtx, stopSink := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSink()
	sinkDone := make(chan error, 1)
	go func() { sinkDone <- p.sink.Run(sinkCtx) }()
	observerDone := make(chan struct{})
	if p.observer != nil {
		p.observed = make(chan *observed, 1024)
		observeCtx := context.WithoutCancel(ctx)
		go func() {
			defer close(observerDone)
			p.observeLoop(observeCtx)
		}()
	} else {
		close(observerDone)
	}

	jobs := make(chan job, p.workers)
	var wg sync.WaitGroup
	for range p.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				p.process(ctx, j)
			}
		}()
	}
	consumeErr := p.src.Consume(ctx, Durable, func(ctx context.Context, d stream.Delivery) {
		if j, ok := p.admit(d); ok {
			select {
			case jobs <- j:
			case <-ctx.Done():
				p.settle(j.id, j.env, errors.New("processor stopping"))
			}
		}
	})
	// Intake has stopped: finish queued work, let the sink flush and ack.
	close(jobs)
	wg.Wait()
	stopSink()
	sinkErr := <-sinkDone
	if p.observed != nil {
		close(p.observed) // the sink has called every done func
	}
	<-observerDone
	if consumeErr != nil {
		return fmt.Errorf("consume stream: %w", consumeErr)
	}
	if sinkErr != nil && !errors.Is(sinkErr, context.Canceled) {
		return fmt.Errorf("storage writer: %w", sinkErr)
	}
	return nil
}

// maxObserveMessages bounds the messages handed to the observer in one
// call when envelopes that committed together are observed together.
const maxObserveMessages = 10_000

// observeLoop hands stored envelopes to the observer until p.observed is
// closed. Envelopes already waiting are taken together, up to
// maxObserveMessages, and observed in one call: the alerts engine then
// stores their case events in one insert instead of one per envelope, which
// is what kept it from keeping up with many small envelopes (one per
// webhook request). One error naks them all; they come back, and the
// observer takes messages it has seen without effect.
func (p *Processor) observeLoop(ctx context.Context) {
	for o := range p.observed {
		group := []*observed{o}
		msgs := o.env.msgs
		n := len(msgs)
	take:
		for n < maxObserveMessages {
			select {
			case more, ok := <-p.observed:
				if !ok {
					break take
				}
				group = append(group, more)
				n += len(more.env.msgs)
			default:
				break take
			}
		}
		if len(group) > 1 {
			msgs = make([]message.Message, 0, n)
			for _, g := range group {
				msgs = append(msgs, g.env.msgs...)
			}
		}
		err := p.observer.Observe(ctx, msgs)
		for _, g := range group {
			p.settle(g.id, g.env, err)
		}
	}
}

// admit registers a delivery. A redelivery of an envelope still waiting in
// the sink joins it instead of being written twice.
func (p *Processor) admit(d stream.Delivery) (job, bool) {
	p.metrics.envelopes.Inc()
	p.metrics.consumed.Add(float64(len(d.Messages)))
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.inflight[d.ID]; ok {
		e.deliveries = append(e.deliveries, d)
		p.metrics.redelivered.Inc()
		return job{}, false
	}
	e := &envelope{deliveries: []stream.Delivery{d}}
	e.remaining.Store(int64(len(d.Messages)))
	p.inflight[d.ID] = e
	return job{id: d.ID, env: e, msgs: d.Messages}, true
}

// process classifies the messages of one envelope and queues them for
// storage; the envelope is acked when the last of them commits.
func (p *Processor) process(ctx context.Context, j job) {
	if len(j.msgs) == 0 {
		p.settle(j.id, j.env, nil)
		return
	}
	j.env.msgs = j.msgs
	for i := range j.msgs {
		m := &j.msgs[i]
		if p.classifier != nil {
			if err := p.classifier.Classify(ctx, m); err != nil {
				// Classification is best effort: the message is stored unlabeled.
				p.metrics.classifyErrors.Inc()
				p.logger.Debug("classify failed", "message_id", m.ID, "err", err)
			}
		}
		done := func(err error) {
			if err != nil {
				j.env.failed.Store(true)
			}
			if j.env.remaining.Add(-1) == 0 {
				var ferr error
				if j.env.failed.Load() {
					ferr = errors.New("some messages were not stored")
				}
				if ferr == nil && p.observed != nil {
					p.observed <- &observed{id: j.id, env: j.env}
					return
				}
				p.settle(j.id, j.env, ferr)
			}
		}
		if err := p.sink.Add(ctx, *m, done); err != nil {
			done(err)
		}
	}
}

// settle acks (err == nil) or naks every delivery of an envelope.
func (p *Processor) settle(id string, e *envelope, err error) {
	p.mu.Lock()
	if p.inflight[id] == e {
		delete(p.inflight, id)
	}
	ds := e.deliveries
	p.mu.Unlock()
	for _, d := range ds {
		if err == nil {
			if aerr := d.Ack(); aerr != nil {
				// The rows are committed; a lost ack means a redelivery that
				// ReplacingMergeTree collapses.
				p.logger.Debug("ack failed", "envelope", id, "err", aerr)
			}
			p.metrics.acked.Add(float64(len(d.Messages)))
			continue
		}
		_ = d.Nak()
		p.metrics.naked.Add(float64(len(d.Messages)))
	}
}

type metrics struct {
	envelopes, consumed, redelivered, acked, naked, classifyErrors prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	c := func(name, help string) prometheus.Counter {
		return f.NewCounter(prometheus.CounterOpts{Name: "vigia_processor_" + name, Help: help})
	}
	return &metrics{
		envelopes:      c("envelopes_total", "Stream deliveries (envelopes of messages) taken by the processor."),
		consumed:       c("consumed_messages_total", "Messages taken from the stream by the processor."),
		redelivered:    c("redelivered_envelopes_total", "Redeliveries of an envelope whose messages were still waiting in the storage writer."),
		acked:          c("acked_messages_total", "Messages acked to the stream after their ClickHouse batch committed."),
		naked:          c("naked_messages_total", "Messages handed back to the stream for redelivery."),
		classifyErrors: c("classify_errors_total", "Messages stored unlabeled because classification failed."),
	}
}
