package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/collectors/webhook"
	"github.com/vigia-dev/vigia/internal/storage"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
)

const killSecret = "kill-test-secret-0123456789"

type vigiaProc struct {
	cmd *exec.Cmd
	log *bytes.Buffer
}

func startVigia(t *testing.T, args ...string) *vigiaProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "VIGIA_TEST_MAIN=1", "VIGIA_KILL_SECRET="+killSecret)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	require.NoError(t, cmd.Start())
	p := &vigiaProc{cmd: cmd, log: &log}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return p
}

func waitReady(t *testing.T, base string, p *vigiaProc) {
	t.Helper()
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 60*time.Second, 50*time.Millisecond, "vigia never became ready; its log:\n%s", p.log)
}

// postUntilAccepted posts body until the intake answers 202, riding out a
// process that is down or restarting; it gives up after a minute.
func postUntilAccepted(url string, body []byte) error {
	deadline := time.Now().Add(time.Minute)
	for {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(webhook.HeaderTimestamp, ts)
		req.Header.Set(webhook.HeaderSignature, webhook.Sign([]byte(killSecret), ts, body))
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusAccepted {
				return nil
			}
			if resp.StatusCode < 500 {
				return fmt.Errorf("intake answered %d", resp.StatusCode)
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no 202 within a minute (last error %v)", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSIGKILLMidIngest kills the vigia process with SIGKILL while a client
// keeps sending, restarts it, and checks that every accepted message is in
// ClickHouse exactly once; then SIGTERM stops it cleanly with exit 0.
func TestSIGKILLMidIngest(t *testing.T) {
	db := chtest.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "vigia.yaml")
	require.NoError(t, os.WriteFile(cfgFile, []byte(fmt.Sprintf(`
data_dir: state
http: {listen: %q}
brands: [{name: acme}]
nats: {ack_wait: 3s}
clickhouse: {addr: [%q], database: %q, batch_max_rows: 200, batch_max_age: 100ms}
retention: {days: 0}
collectors:
  webhook:
    - name: hook
      secret_env: VIGIA_KILL_SECRET
      default_brand: acme
`, addr, db.Addr, db.Database)), 0o600))
	base := "http://" + addr
	p := startVigia(t, "run", "--config", cfgFile)
	waitReady(t, base, p)

	const batches, perBatch = 60, 50
	var sent atomic.Int64
	sendErr := make(chan error, 1)
	go func() {
		for b := range batches {
			var msgs []map[string]any
			for i := range perBatch {
				n := b*perBatch + i
				msgs = append(msgs, map[string]any{
					"id": fmt.Sprintf("k-%d", n), "author": map[string]any{"id": fmt.Sprintf("c%d", n%13)},
					"text": fmt.Sprintf("mensaje %d", n), "created_at": time.Date(2026, 11, 21, 9, n%60, 0, 0, time.UTC),
				})
			}
			body, _ := json.Marshal(msgs)
			if err := postUntilAccepted(base+"/intake/webhook", body); err != nil {
				sendErr <- fmt.Errorf("batch %d: %w", b, err)
				return
			}
			sent.Add(perBatch)
			// A steady client, not a burst: the kill must land mid-stream
			// however fast ingest is.
			time.Sleep(25 * time.Millisecond)
		}
		sendErr <- nil
	}()

	// Kill it once part of the traffic is in ClickHouse and more is coming.
	require.Eventually(t, func() bool {
		n, err := storage.CountMessages(t.Context(), db.Conn, db.Database)
		return err == nil && n >= 300
	}, 60*time.Second, 10*time.Millisecond)
	require.Less(t, sent.Load(), int64(batches*perBatch), "the sender finished before the kill; nothing was mid-flight")
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL))
	_ = p.cmd.Wait()
	killedAt := sent.Load()

	p = startVigia(t, "run", "--config", cfgFile)
	waitReady(t, base, p)
	require.NoError(t, <-sendErr)
	require.Greater(t, sent.Load(), killedAt, "nothing was sent after the restart")

	const want = batches * perBatch
	require.Eventually(t, func() bool {
		n, err := storage.CountMessages(t.Context(), db.Conn, db.Database)
		return err == nil && n == want
	}, 90*time.Second, 100*time.Millisecond, "log:\n%s", p.log)

	// A graceful stop: SIGTERM, exit 0.
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, p.cmd.Wait(), "log:\n%s", p.log)
	require.Equal(t, 0, p.cmd.ProcessState.ExitCode())

	// No duplicate rows: once merged, every message is one row.
	require.NoError(t, db.Conn.Exec(t.Context(), "OPTIMIZE TABLE "+db.Database+".messages FINAL"))
	var rows, distinct uint64
	require.NoError(t, db.Conn.QueryRow(t.Context(), "SELECT count(), uniqExact(id) FROM "+db.Database+".messages").Scan(&rows, &distinct))
	require.Equal(t, uint64(want), distinct)
	require.Equal(t, uint64(want), rows)
}
