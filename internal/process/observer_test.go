package process_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/process"
	"github.com/vigia-dev/vigia/internal/storage"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
	"github.com/vigia-dev/vigia/internal/stream"
)

// failingObserver refuses the first failures calls, then records.
type failingObserver struct {
	mu       sync.Mutex
	failures int
	calls    int
	seen     map[message.ID]int
}

func (o *failingObserver) Observe(_ context.Context, msgs []message.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls++
	if o.calls <= o.failures {
		return errors.New("alerts store down")
	}
	for _, m := range msgs {
		o.seen[m.ID]++
	}
	return nil
}

func (o *failingObserver) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.seen)
}

// TestObserverSeesStoredMessagesAndItsErrorsRedeliver runs the real stream
// and the real ClickHouse writer: every message reaches the observer after
// it is stored, and an observer error sends the envelope back rather than
// acking it.
func TestObserverSeesStoredMessagesAndItsErrorsRedeliver(t *testing.T) {
	db := chtest.New(t)
	cfg := stream.DefaultConfig()
	cfg.StoreDir = t.TempDir()
	cfg.AckWait = time.Second
	logger := slog.New(slog.DiscardHandler)
	st, err := stream.Open(t.Context(), cfg, logger, prometheus.NewRegistry())
	require.NoError(t, err)
	defer st.Close()

	const n = 50
	var msgs []message.Message
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i := range n {
		msgs = append(msgs, message.Message{
			ID: message.ID(fmt.Sprintf("x:%d", i)), Brand: "acme", Channel: message.ChannelX, Kind: message.KindMention,
			Direction: message.DirectionInbound, Author: message.Author{ID: "u1"}, Text: "hola",
			CreatedAt: base.Add(time.Duration(i) * time.Second), ReceivedAt: base,
		})
	}
	require.NoError(t, st.Publish(t.Context(), msgs...))

	w, err := storage.NewWriter(db.Conn, storage.WriterOptions{Database: db.Database, Policy: storage.BatchPolicy{MaxAge: 50 * time.Millisecond}})
	require.NoError(t, err)
	obs := &failingObserver{failures: 1, seen: map[message.ID]int{}}
	p := process.New(st, w, nil, 1, logger, prometheus.NewRegistry())
	p.SetObserver(obs)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	require.Eventually(t, func() bool { return obs.count() == n }, 30*time.Second, 20*time.Millisecond)
	cancel()
	require.NoError(t, <-done)

	var stored uint64
	require.NoError(t, db.Conn.QueryRow(t.Context(), "SELECT count() FROM "+db.Database+".messages FINAL").Scan(&stored))
	require.Equal(t, uint64(n), stored)
	_, pending, unacked, err := st.Info(t.Context(), process.Durable)
	require.NoError(t, err)
	require.Zero(t, pending+unacked, "every envelope acked once observed")
	require.GreaterOrEqual(t, obs.calls, 2, "the refused envelope came back")
}

// gatedObserver holds its first call until release is closed, and counts
// calls and messages.
type gatedObserver struct {
	release chan struct{}
	mu      sync.Mutex
	calls   int
	seen    map[message.ID]int
}

func (o *gatedObserver) Observe(_ context.Context, msgs []message.Message) error {
	o.mu.Lock()
	o.calls++
	first := o.calls == 1
	o.mu.Unlock()
	if first {
		<-o.release
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, m := range msgs {
		o.seen[m.ID]++
	}
	return nil
}

func (o *gatedObserver) state() (calls, seen int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.calls, len(o.seen)
}

// TestObserverTakesWaitingEnvelopesTogether: envelopes stored while the
// observer is busy are handed to it in one call (so the alerts engine
// stores their case events in one insert), and every one of them is acked.
func TestObserverTakesWaitingEnvelopesTogether(t *testing.T) {
	db := chtest.New(t)
	cfg := stream.DefaultConfig()
	cfg.StoreDir = t.TempDir()
	logger := slog.New(slog.DiscardHandler)
	st, err := stream.Open(t.Context(), cfg, logger, prometheus.NewRegistry())
	require.NoError(t, err)
	defer st.Close()

	const envelopes, per = 40, 5
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for e := range envelopes {
		var msgs []message.Message
		for i := range per {
			msgs = append(msgs, message.Message{
				ID: message.ID(fmt.Sprintf("x:%d-%d", e, i)), Brand: "acme", Channel: message.ChannelX, Kind: message.KindMention,
				Direction: message.DirectionInbound, Author: message.Author{ID: fmt.Sprintf("u%d", e)}, Text: "hola",
				CreatedAt: base.Add(time.Duration(e*per+i) * time.Second), ReceivedAt: base,
			})
		}
		require.NoError(t, st.Publish(t.Context(), msgs...)) // one envelope per call
	}

	w, err := storage.NewWriter(db.Conn, storage.WriterOptions{Database: db.Database, Policy: storage.BatchPolicy{MaxAge: 500 * time.Millisecond}})
	require.NoError(t, err)
	obs := &gatedObserver{release: make(chan struct{}), seen: map[message.ID]int{}}
	p := process.New(st, w, nil, 1, logger, prometheus.NewRegistry())
	p.SetObserver(obs)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()

	// The first envelope is with the observer; the others commit meanwhile.
	require.Eventually(t, func() bool { calls, _ := obs.state(); return calls == 1 }, 30*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool {
		n, err := storage.CountMessages(t.Context(), db.Conn, db.Database)
		return err == nil && n == envelopes*per
	}, 30*time.Second, 20*time.Millisecond)
	close(obs.release)
	require.Eventually(t, func() bool { _, seen := obs.state(); return seen == envelopes*per }, 30*time.Second, 10*time.Millisecond)
	calls, _ := obs.state()
	require.LessOrEqual(t, calls, 3, "got %d observer calls for %d envelopes, want the waiting ones taken together", calls, envelopes)
	require.Eventually(t, func() bool {
		_, pending, unacked, err := st.Info(t.Context(), process.Durable)
		return err == nil && pending+unacked == 0
	}, 30*time.Second, 20*time.Millisecond, "every envelope acked")
	cancel()
	require.NoError(t, <-done)
}
