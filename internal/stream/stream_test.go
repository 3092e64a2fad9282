package stream

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/message"
)

func testMessage(i int) message.Message {
	return message.Message{
		ID: message.NewID(message.ChannelWebhook, fmt.Sprint(i)), Brand: "acme",
		Channel: message.ChannelWebhook, Kind: message.KindMention, Direction: message.DirectionInbound,
		Author: message.Author{ID: "u1"}, Text: fmt.Sprintf("hola %d", i),
		CreatedAt: time.Date(2026, 11, 23, 10, 0, i, 0, time.UTC),
	}
}

func openTest(t *testing.T, dir string) *Stream {
	t.Helper()
	cfg := DefaultConfig()
	cfg.StoreDir = dir
	cfg.AckWait = time.Second
	s, err := Open(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry())
	require.NoError(t, err)
	return s
}

// collect consumes until want distinct messages were seen (acking each
// when ack is true) or the timeout passes.
func collect(t *testing.T, s *Stream, durable string, want int, ack bool) map[message.ID]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	seen := map[message.ID]int{}
	var mu sync.Mutex
	err := s.Consume(ctx, durable, func(_ context.Context, d Delivery) {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range d.Messages {
			seen[m.ID]++
		}
		if ack {
			require.NoError(t, d.Ack())
		}
		if len(seen) >= want {
			cancel()
		}
	})
	require.NoError(t, err)
	return seen
}

func TestPublishDeduplicatesRetries(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	msgs := []message.Message{testMessage(1), testMessage(2), testMessage(3)}
	require.NoError(t, s.Publish(t.Context(), msgs...))
	// A retried call (same messages) and a retried single message are
	// dropped by the stream's duplicate window.
	require.NoError(t, s.Publish(t.Context(), msgs...))
	require.NoError(t, s.Publish(t.Context(), testMessage(4)))
	require.NoError(t, s.Publish(t.Context(), testMessage(4)))
	n, _, _, err := s.Info(t.Context(), "none")
	require.NoError(t, err)
	require.Equal(t, uint64(2), n, "envelopes in the stream")

	seen := collect(t, s, "proc", 4, true)
	require.Len(t, seen, 4)
	for id, c := range seen {
		require.Equal(t, 1, c, "message %s delivered %d times", id, c)
	}
	_, pending, unacked, err := s.Info(t.Context(), "proc")
	require.NoError(t, err)
	require.Zero(t, pending)
	require.Zero(t, unacked)
}

func TestUnackedMessagesSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	for i := range 50 {
		require.NoError(t, s.Publish(t.Context(), testMessage(i)))
	}
	// Read everything without acking, then stop: nothing is lost.
	got := collect(t, s, "proc", 50, false)
	require.Len(t, got, 50)
	s.Close()

	s = openTest(t, dir)
	defer s.Close()
	got = collect(t, s, "proc", 50, true)
	require.Len(t, got, 50)
	_, pending, unacked, err := s.Info(t.Context(), "proc")
	require.NoError(t, err)
	require.Zero(t, pending+unacked)
}

func TestUndecodablePayloadIsTerminated(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	_, err := s.js.PublishMsg(t.Context(), &nats.Msg{Subject: "vigia.messages.webhook", Data: []byte("{not json")})
	require.NoError(t, err)
	require.NoError(t, s.Publish(t.Context(), testMessage(7)))
	got := collect(t, s, "proc", 1, true)
	require.Equal(t, map[message.ID]int{testMessage(7).ID: 1}, got)
}

func TestConfigValidateReportsEveryField(t *testing.T) {
	c := Config{URL: "http://x", Replicas: 0, MaxAckPending: 0}
	err := c.Validate()
	require.Error(t, err)
	for _, field := range []string{"url:", "stream:", "subject:", "replicas:", "max_age:", "max_bytes:", "duplicate_window:", "ack_wait:", "max_ack_pending:"} {
		require.Contains(t, err.Error(), field)
	}
	d := DefaultConfig()
	d.StoreDir = "x"
	require.NoError(t, d.Validate())
}

// BenchmarkPublish measures acked publishes into the embedded stream, in
// calls of 500 messages as the collectors make them.
func BenchmarkPublish(b *testing.B) {
	cfg := DefaultConfig()
	cfg.StoreDir = b.TempDir()
	s, err := Open(b.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry())
	require.NoError(b, err)
	defer s.Close()
	batch := make([]message.Message, 500)
	b.ResetTimer()
	for i := 0; i < b.N; i += len(batch) {
		for j := range batch {
			batch[j] = testMessage(i + j)
			batch[j].Text = "@AcmeHelp llevo tres días sin internet y nadie me responde, ¿qué está pasando? #fibra"
		}
		require.NoError(b, s.Publish(b.Context(), batch...))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// TestConsumeCancelledBeforeStartIsClean: a consumer stopped before it
// could even be created is a clean stop, not an error.
func TestConsumeCancelledBeforeStartIsClean(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.NoError(t, s.Consume(ctx, "proc", func(context.Context, Delivery) { t.Fatal("no delivery expected") }))
}
