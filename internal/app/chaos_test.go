package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/localserver"
	"github.com/vigia-dev/vigia/internal/storage"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
)

// ownServer is a ClickHouse server of this test alone, started through
// deploy/clickhouse-local.sh with its own ports and data directory, so the
// test can stop and restart it without disturbing other tests.
type ownServer struct {
	t    *testing.T
	env  []string
	addr string
	root string
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := localserver.RepoRoot()
	require.NoError(t, err)
	return root
}

func startOwnServer(t *testing.T) *ownServer {
	t.Helper()
	tcp, http := freePort(t), freePort(t)
	s := &ownServer{
		t:    t,
		root: repoRoot(t),
		addr: fmt.Sprintf("127.0.0.1:%d", tcp),
		env: append(os.Environ(),
			"VIGIA_CH_DIR="+t.TempDir(),
			fmt.Sprintf("VIGIA_CH_TCP_PORT=%d", tcp),
			fmt.Sprintf("VIGIA_CH_HTTP_PORT=%d", http)),
	}
	s.script("start")
	t.Cleanup(func() { s.script("stop") })
	return s
}

func (s *ownServer) script(verb string) {
	s.t.Helper()
	cmd := exec.Command(filepath.Join(s.root, "deploy", "clickhouse-local.sh"), verb)
	cmd.Env = s.env
	out, err := cmd.CombinedOutput()
	if err != nil && os.Getenv("CI") != "true" && verb == "start" {
		s.t.Skipf("cannot start a dedicated ClickHouse: %v: %s", err, out)
	}
	require.NoError(s.t, err, "clickhouse-local.sh %s: %s", verb, out)
}

// TestClickHouseStoppedMidIngest stops the ClickHouse server while messages
// keep arriving, then restarts it: every message arrives exactly once.
func TestClickHouseStoppedMidIngest(t *testing.T) {
	srv := startOwnServer(t)
	t.Setenv(chtest.EnvAddr, srv.addr)
	db := chtest.New(t)
	cfg := testConfig(t, db)
	a, stop := startApp(t, cfg, false)
	url := "http://" + a.Addr() + "/intake/webhook"

	const perPhase, batch = 300, 30
	send := func(from int) {
		for i := from; i < from+perPhase; i += batch {
			var msgs []any
			for j := i; j < i+batch; j++ {
				msgs = append(msgs, webhookMessage(j))
			}
			body, err := json.Marshal(msgs)
			require.NoError(t, err)
			code, out := post(t, url, body, true, "application/json")
			require.Equal(t, http.StatusAccepted, code, "%v", out)
		}
	}
	send(0)
	waitRows(t, db, perPhase, 30*time.Second)

	srv.script("stop")
	// Intake goes on: the stream holds what ClickHouse cannot take.
	send(perPhase)
	resp, err := http.Get("http://" + a.Addr() + "/readyz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)

	srv.script("start")
	require.Eventually(t, func() bool {
		n, err := storage.CountMessages(context.Background(), db.Conn, db.Database)
		return err == nil && n == 2*perPhase
	}, 90*time.Second, 200*time.Millisecond)
	require.NoError(t, stop())

	var total, distinct uint64
	row := db.Conn.QueryRow(t.Context(), "SELECT count(), uniqExact(id) FROM "+db.Database+".messages FINAL")
	require.NoError(t, row.Scan(&total, &distinct))
	require.Equal(t, uint64(2*perPhase), total)
	require.Equal(t, uint64(2*perPhase), distinct)
	rows, err := storage.ReadMessages(t.Context(), db.Conn, db.Database, "")
	require.NoError(t, err)
	for i := range 2 * perPhase {
		require.True(t, strings.HasPrefix(string(rows[i].ID), "webhook:crm-"))
	}
}
