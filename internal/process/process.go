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
	"sync"

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

// Durable is the name of the processor's durable consumer.
const Durable = "vigia-processor"

// Processor moves messages from a Source to a Sink.
type Processor struct {
	src        Source
	sink       Sink
	classifier Classifier
	logger     *slog.Logger
	metrics    *metrics

	mu       sync.Mutex
	inflight map[message.ID][]stream.Delivery
}

// New returns a Processor. classifier may be nil.
func New(src Source, sink Sink, classifier Classifier, logger *slog.Logger, reg prometheus.Registerer) *Processor {
	return &Processor{
		src: src, sink: sink, classifier: classifier,
		logger:   logger.With("component", "processor"),
		metrics:  newMetrics(reg),
		inflight: map[message.ID][]stream.Delivery{},
	}
}

// Run consumes until ctx is cancelled, then lets the sink flush what it
// holds (acking what commits) and returns. It returns nil on a clean stop.
func (p *Processor) Run(ctx context.Context) error {
	sinkCtx, stopSink := context.WithCancel(context.WithoutCancel(ctx))
	sinkDone := make(chan error, 1)
	go func() { sinkDone <- p.sink.Run(sinkCtx) }()

	consumeErr := p.src.Consume(ctx, Durable, p.handle)
	// Intake has stopped: let the sink flush and ack, then return.
	stopSink()
	sinkErr := <-sinkDone
	if consumeErr != nil {
		return fmt.Errorf("consume stream: %w", consumeErr)
	}
	if sinkErr != nil && !errors.Is(sinkErr, context.Canceled) {
		return fmt.Errorf("storage writer: %w", sinkErr)
	}
	return nil
}

// handle takes one delivery. A redelivery of a message still waiting in the
// sink joins it instead of being written twice.
func (p *Processor) handle(ctx context.Context, d stream.Delivery) {
	p.metrics.consumed.Inc()
	id := d.Message.ID
	p.mu.Lock()
	if waiting, ok := p.inflight[id]; ok {
		p.inflight[id] = append(waiting, d)
		p.mu.Unlock()
		p.metrics.redelivered.Inc()
		return
	}
	p.inflight[id] = []stream.Delivery{d}
	p.mu.Unlock()

	m := d.Message
	if p.classifier != nil {
		if err := p.classifier.Classify(ctx, &m); err != nil {
			// Classification is best effort: the message is stored unlabeled.
			p.metrics.classifyErrors.Inc()
			p.logger.Debug("classify failed", "message_id", id, "err", err)
		}
	}
	if err := p.sink.Add(ctx, m, func(err error) { p.settle(id, err) }); err != nil {
		p.settle(id, err)
	}
}

// settle acks (err == nil) or naks every delivery of message id.
func (p *Processor) settle(id message.ID, err error) {
	p.mu.Lock()
	ds := p.inflight[id]
	delete(p.inflight, id)
	p.mu.Unlock()
	for _, d := range ds {
		if err == nil {
			if aerr := d.Ack(); aerr != nil {
				// The row is committed; a lost ack means a redelivery that
				// ReplacingMergeTree collapses.
				p.logger.Debug("ack failed", "message_id", id, "err", aerr)
			}
			p.metrics.acked.Inc()
			continue
		}
		_ = d.Nak()
		p.metrics.naked.Inc()
	}
}

type metrics struct {
	consumed, redelivered, acked, naked, classifyErrors prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	c := func(name, help string) prometheus.Counter {
		return f.NewCounter(prometheus.CounterOpts{Name: "vigia_processor_" + name, Help: help})
	}
	return &metrics{
		consumed:       c("consumed_messages_total", "Stream deliveries taken by the processor."),
		redelivered:    c("redelivered_messages_total", "Deliveries of a message already waiting in the storage writer."),
		acked:          c("acked_messages_total", "Deliveries acked after their ClickHouse batch committed."),
		naked:          c("naked_messages_total", "Deliveries handed back to the stream for redelivery."),
		classifyErrors: c("classify_errors_total", "Messages stored unlabeled because classification failed."),
	}
}
