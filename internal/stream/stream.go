package stream

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/internal/message"
)

// Stream is a connection to the JetStream stream of messages, with the
// embedded server it started, if any. It is safe for concurrent use.
type Stream struct {
	cfg     Config
	logger  *slog.Logger
	srv     *server.Server // nil when connected to an external server
	nc      *nats.Conn
	js      jetstream.JetStream
	metrics *metrics
	close   sync.Once
}

// Open starts the embedded server (when cfg.URL is empty) or connects to
// the external one, and creates or updates the stream.
func Open(ctx context.Context, cfg Config, logger *slog.Logger, reg prometheus.Registerer) (*Stream, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("stream config: %w", err)
	}
	s := &Stream{cfg: cfg, logger: logger.With("component", "stream"), metrics: newMetrics(reg)}
	var err error
	if cfg.URL == "" {
		if s.srv, err = startEmbedded(cfg.StoreDir); err != nil {
			return nil, err
		}
		s.nc, err = nats.Connect("", nats.InProcessServer(s.srv), nats.Name("vigia"), nats.MaxReconnects(-1))
	} else {
		opts := []nats.Option{nats.Name("vigia"), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(false)}
		if cfg.CredentialsFile != "" {
			opts = append(opts, nats.UserCredentials(cfg.CredentialsFile))
		}
		s.nc, err = nats.Connect(cfg.URL, opts...)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("connect to nats: %w", err)
	}
	s.js, err = jetstream.New(s.nc, jetstream.WithPublishAsyncMaxPending(4096))
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open jetstream: %w", err)
	}
	_, err = s.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        cfg.Stream,
		Description: "Vigía: normalized messages from every collector",
		Subjects:    []string{cfg.Subject + ".>"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Replicas:    cfg.Replicas,
		MaxAge:      cfg.MaxAge,
		MaxBytes:    cfg.MaxBytes,
		Duplicates:  cfg.DuplicateWindow,
		Discard:     jetstream.DiscardOld,
	})
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("create stream %s: %w", cfg.Stream, err)
	}
	return s, nil
}

func startEmbedded(dir string) (*server.Server, error) {
	if dir == "" {
		return nil, errors.New("start embedded nats: store_dir is empty")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("start embedded nats: %w", err)
	}
	srv, err := server.NewServer(&server.Options{
		ServerName: "vigia-embedded",
		DontListen: true,
		JetStream:  true,
		StoreDir:   filepath.Clean(dir),
		NoSigs:     true,
		NoLog:      true,
		MaxPayload: 1 << 20,
	})
	if err != nil {
		return nil, fmt.Errorf("start embedded nats: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("start embedded nats: not ready after 30s")
	}
	return srv, nil
}

// JetStream returns the JetStream context, for other durable queues that
// share the connection (the notification outbox).
func (s *Stream) JetStream() jetstream.JetStream { return s.js }

// Embedded reports whether the stream runs on an embedded server.
func (s *Stream) Embedded() bool { return s.srv != nil }

// subject returns the subject a message of channel c is published on.
func (s *Stream) subject(c message.Channel) string {
	return s.cfg.Subject + "." + strings.NewReplacer(".", "_", "*", "_", ">", "_", " ", "_").Replace(string(c))
}

// Publish writes msgs to the stream and returns once JetStream acknowledged
// every one of them. Messages travel in envelopes of up to 500 (one per
// channel and chunk); an envelope's Nats-Msg-Id is derived from the IDs it
// holds (a single message's own ID), so a retried call inside the duplicate
// window is stored once. On error some envelopes may be stored: callers
// retry the whole call, which is safe, and ClickHouse collapses any
// message stored twice.
func (s *Stream) Publish(ctx context.Context, msgs ...message.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	envs := s.envelopes(msgs)
	futures := make([]jetstream.PubAckFuture, 0, len(envs))
	for _, nm := range envs {
		f, err := s.js.PublishMsgAsync(nm)
		if err != nil {
			s.metrics.publishErrors.Inc()
			return fmt.Errorf("publish envelope %s: %w", nm.Header.Get(jetstream.MsgIDHeader), err)
		}
		futures = append(futures, f)
	}
	var stored, dup int
	for i, f := range futures {
		select {
		case ack := <-f.Ok():
			if ack.Duplicate {
				dup += envelopeCounts(envs[i])
			} else {
				stored += envelopeCounts(envs[i])
			}
		case err := <-f.Err():
			s.metrics.publishErrors.Inc()
			return fmt.Errorf("publish envelope %s: %w", f.Msg().Header.Get(jetstream.MsgIDHeader), err)
		case <-ctx.Done():
			return fmt.Errorf("publish %d messages: %w", len(msgs), ctx.Err())
		}
	}
	s.metrics.published.Add(float64(stored))
	s.metrics.duplicates.Add(float64(dup))
	return nil
}

// countHeader carries the number of messages in an envelope, for metrics.
const countHeader = "Vigia-Count"

func envelopeCounts(m *nats.Msg) int {
	n, _ := strconv.Atoi(m.Header.Get(countHeader))
	return n
}

// envelopes groups msgs by channel, in order, into envelopes of at most
// maxEnvelopeMessages messages and about maxEnvelopeBytes bytes.
func (s *Stream) envelopes(msgs []message.Message) []*nats.Msg {
	var out []*nats.Msg
	byChannel := map[message.Channel][]message.Message{}
	var order []message.Channel
	for _, m := range msgs {
		if _, ok := byChannel[m.Channel]; !ok {
			order = append(order, m.Channel)
		}
		byChannel[m.Channel] = append(byChannel[m.Channel], m)
	}
	for _, ch := range order {
		group := byChannel[ch]
		for len(group) > 0 {
			n, size := 0, 0
			for n < len(group) && n < maxEnvelopeMessages {
				size += approxSize(&group[n])
				if n > 0 && size > maxEnvelopeBytes {
					break
				}
				n++
			}
			chunk := group[:n]
			group = group[n:]
			nm := &nats.Msg{Subject: s.subject(ch), Data: encodeEnvelope(make([]byte, 0, size+64), chunk), Header: nats.Header{}}
			nm.Header.Set(jetstream.MsgIDHeader, envelopeID(chunk))
			nm.Header.Set(countHeader, strconv.Itoa(len(chunk)))
			out = append(out, nm)
		}
	}
	return out
}

func approxSize(m *message.Message) int {
	n := 128 + len(m.ID) + len(m.Brand) + len(m.ConversationID) + len(m.InReplyTo) + len(m.Author.ID) +
		len(m.Author.Handle) + len(m.Author.DisplayName) + len(m.Text) + len(m.Lang) + len(m.Raw)
	for _, l := range m.Labels {
		n += len(l.Name) + 16
		for _, r := range l.Reasons {
			n += len(r) + 2
		}
	}
	return n
}

// envelopeID is the deduplication ID of an envelope: the message's own ID
// for one message, else a hash of the IDs it holds.
func envelopeID(msgs []message.Message) string {
	if len(msgs) == 1 {
		return string(msgs[0].ID)
	}
	h := sha256.New()
	for _, m := range msgs {
		h.Write([]byte(m.ID))
		h.Write([]byte{'\n'})
	}
	return "batch:" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Delivery is one envelope read from the stream: a batch of messages
// acked together. Its handler must call Ack once every message is
// committed downstream, or Nak to have the envelope redelivered.
type Delivery struct {
	// ID identifies the envelope (its Nats-Msg-Id); a redelivery has the
	// same ID.
	ID       string
	Messages []message.Message
	msg      jetstream.Msg
}

// Ack tells the stream the envelope's messages are safely stored downstream.
func (d Delivery) Ack() error { return d.msg.Ack() }

// Nak asks the stream to redeliver the envelope.
func (d Delivery) Nak() error { return d.msg.Nak() }

// Consume reads the stream through the durable consumer named durable and
// calls handle for each delivery, one at a time, until ctx is cancelled;
// it then returns nil. Undecodable payloads are terminated (never
// redelivered), counted and logged: they cannot become valid later.
func (s *Stream) Consume(ctx context.Context, durable string, handle func(context.Context, Delivery)) error {
	cons, err := s.js.CreateOrUpdateConsumer(ctx, s.cfg.Stream, jetstream.ConsumerConfig{
		Durable:       durable,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       s.cfg.AckWait,
		MaxDeliver:    -1,
		MaxAckPending: s.cfg.MaxAckPending,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped before consuming anything: a clean stop
		}
		return fmt.Errorf("create consumer %s: %w", durable, err)
	}
	// The pull buffer is bounded in bytes as well as envelopes, so memory
	// stays flat whatever the envelopes hold.
	it, err := cons.Messages(jetstream.PullMaxMessagesWithBytesLimit(min(s.cfg.MaxAckPending, 256), 16<<20))
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("consume %s: %w", durable, err)
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	for {
		m, err := it.Next()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return nil
			}
			if errors.Is(err, jetstream.ErrNoHeartbeat) {
				// A late idle heartbeat (a busy machine) is reported, but
				// the iterator has already pulled again: keep consuming.
				s.logger.Debug("stream consumer missed a heartbeat", "durable", durable, "err", err)
				continue
			}
			return fmt.Errorf("consume %s: %w", durable, err)
		}
		msgs, err := decodeEnvelope(m.Data())
		if err != nil {
			s.metrics.poison.Inc()
			s.logger.Warn("terminating undecodable stream message", "subject", m.Subject(), "err", err)
			_ = m.Term()
			continue
		}
		id := m.Headers().Get(jetstream.MsgIDHeader)
		if id == "" {
			if meta, err := m.Metadata(); err == nil {
				id = "seq:" + strconv.FormatUint(meta.Sequence.Stream, 10)
			}
		}
		handle(ctx, Delivery{ID: id, Messages: msgs, msg: m})
	}
}

// Ping reports whether the stream answers.
func (s *Stream) Ping(ctx context.Context) error {
	if s.nc == nil || !s.nc.IsConnected() {
		return errors.New("nats: not connected")
	}
	if _, err := s.js.Stream(ctx, s.cfg.Stream); err != nil {
		return fmt.Errorf("look up stream %s: %w", s.cfg.Stream, err)
	}
	return nil
}

// Info returns the stream's message count and the named consumer's pending
// (not yet delivered) and unacked counts.
func (s *Stream) Info(ctx context.Context, durable string) (msgs, pending, unacked uint64, err error) {
	st, err := s.js.Stream(ctx, s.cfg.Stream)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("look up stream %s: %w", s.cfg.Stream, err)
	}
	si, err := st.Info(ctx)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("stream %s info: %w", s.cfg.Stream, err)
	}
	msgs = si.State.Msgs
	c, err := st.Consumer(ctx, durable)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		return msgs, msgs, 0, nil
	}
	if err != nil {
		return 0, 0, 0, fmt.Errorf("look up consumer %s: %w", durable, err)
	}
	ci, err := c.Info(ctx)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("consumer %s info: %w", durable, err)
	}
	return msgs, ci.NumPending, uint64(ci.NumAckPending), nil
}

// Close drains the connection and shuts the embedded server down. It is
// safe to call more than once.
func (s *Stream) Close() {
	s.close.Do(func() {
		if s.nc != nil {
			_ = s.nc.Drain()
			for i := 0; i < 100 && !s.nc.IsClosed(); i++ {
				time.Sleep(20 * time.Millisecond)
			}
			s.nc.Close()
		}
		if s.srv != nil {
			s.srv.Shutdown()
			s.srv.WaitForShutdown()
		}
	})
}
