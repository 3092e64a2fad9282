package storage_test

import (
	"bytes"
	"net"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/storage"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
)

// TestJSONEachRowMatchesNativeInsert inserts the same messages natively and
// as JSONEachRow through clickhouse-client (which ships with the server
// package): both read back identical.
func TestJSONEachRowMatchesNativeInsert(t *testing.T) {
	client, err := exec.LookPath("clickhouse-client")
	if err != nil {
		t.Fatalf("clickhouse-client not found: it is installed with the server package: %v", err)
	}
	native, viaClient := chtest.New(t), chtest.New(t)
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	msgs := []message.Message{fullMessage("1", at), minimalMessage("2", at)}
	require.NoError(t, storage.InsertMessages(t.Context(), native.Conn, native.Database, msgs))

	var body []byte
	for i := range msgs {
		body, err = storage.AppendJSONEachRow(body, &msgs[i], at)
		require.NoError(t, err)
	}
	host, port, err := net.SplitHostPort(viaClient.Addr)
	require.NoError(t, err)
	cmd := exec.Command(client, "--host", host, "--port", port, "--query",
		"INSERT INTO "+viaClient.Database+".messages FORMAT JSONEachRow")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)

	want, err := storage.ReadMessages(t.Context(), native.Conn, native.Database, "")
	require.NoError(t, err)
	got, err := storage.ReadMessages(t.Context(), viaClient.Conn, viaClient.Database, "")
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, want, got)
}
