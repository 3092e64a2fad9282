package stream

import (
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/message"
)

// TestExternalServer runs the same code path against a separate NATS
// server reached over TCP on loopback, as with nats.url in production.
func TestExternalServer(t *testing.T) {
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true,
	})
	require.NoError(t, err)
	srv.Start()
	t.Cleanup(srv.Shutdown)
	require.True(t, srv.ReadyForConnections(10*time.Second))

	cfg := DefaultConfig()
	cfg.URL = srv.ClientURL()
	cfg.AckWait = time.Second
	s, err := Open(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry())
	require.NoError(t, err)
	defer s.Close()
	require.False(t, s.Embedded())
	require.NoError(t, s.Ping(t.Context()))

	var msgs []message.Message
	for i := range 1200 {
		msgs = append(msgs, testMessage(i))
	}
	require.NoError(t, s.Publish(t.Context(), msgs...))
	got := collect(t, s, "proc", len(msgs), true)
	require.Len(t, got, len(msgs))
	for i := range msgs {
		require.Equal(t, 1, got[msgs[i].ID], fmt.Sprint(i))
	}
}

func TestOpenReportsUnreachableServer(t *testing.T) {
	cfg := DefaultConfig()
	cfg.URL = "nats://127.0.0.1:1"
	_, err := Open(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry())
	require.ErrorContains(t, err, "connect to nats")
}
