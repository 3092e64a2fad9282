package app

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	notifylog "github.com/vigia-dev/vigia/alerts/notify/log"
	"github.com/vigia-dev/vigia/collectors/replay"
	"github.com/vigia-dev/vigia/collectors/simulate"
	"github.com/vigia-dev/vigia/internal/storage"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
)

// TestMetricsDocumentedAndLinted runs the app with every collector, then
// checks that every vigia_* metric it exposes passes the Prometheus linter
// and is listed in docs/metrics.md (and that the doc lists nothing else).
func TestMetricsDocumentedAndLinted(t *testing.T) {
	db := chtest.New(t)
	cfg := testConfig(t, db)
	file := filepath.Join(t.TempDir(), "twcs.csv")
	require.NoError(t, os.WriteFile(file, []byte(twcsSample), 0o600))
	rc := replay.DefaultConfig()
	rc.Path, rc.DefaultBrand = file, "acme"
	cfg.Collectors.Replay = []replay.Config{rc}
	sc := simulate.DefaultConfig()
	sc.Brands = []simulate.Brand{{Name: "acme", Handle: "AcmeHelp"}}
	sc.Rate = 50
	cfg.Collectors.Simulate = []simulate.Config{sc}
	cfg.Alerts.Mode = "on" // every stage registers its metrics
	cfg.Alerts.Receivers.Log = []notifylog.Config{{Name: "log"}}
	cfg.Alerts.Route.Receiver = "log"
	reg := prometheus.NewRegistry()
	a, err := New(t.Context(), cfg, Options{Logger: testLogger(t), Registry: reg})
	require.NoError(t, err)
	defer a.Close()
	done := make(chan error, 1)
	runCtx, stop := context.WithCancel(context.Background())
	go func() { done <- a.Run(runCtx) }()
	code, _ := post(t, "http://"+a.Addr()+"/intake/webhook", []byte(`{"id":"m1","author":{"id":"a"},"text":"hola","created_at":"2026-11-20T10:00:00Z"}`), true, "application/json")
	require.Equal(t, http.StatusAccepted, code)
	require.Eventually(t, func() bool { // 6 replayed, 1 posted, and simulated ones
		n, err := storage.CountMessages(t.Context(), db.Conn, db.Database)
		return err == nil && n >= 9
	}, 30*time.Second, 50*time.Millisecond)
	stop()
	require.NoError(t, <-done)

	problems, err := testutil.GatherAndLint(reg)
	require.NoError(t, err)
	require.Empty(t, problems)

	mfs, err := reg.Gather()
	require.NoError(t, err)
	var exposed []string
	for _, mf := range mfs {
		if strings.HasPrefix(mf.GetName(), "vigia_") {
			exposed = append(exposed, mf.GetName())
		}
	}
	doc, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "metrics.md"))
	require.NoError(t, err)
	documented := regexp.MustCompile("(?m)^\\| `(vigia_[a-z_]+)`").FindAllStringSubmatch(string(doc), -1)
	docNames := map[string]bool{}
	for _, m := range documented {
		docNames[m[1]] = true
	}
	var missing []string
	for _, n := range exposed {
		if !docNames[n] {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing, "metrics exposed but not in docs/metrics.md")
}
