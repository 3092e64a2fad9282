package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestGoodConfigLoads(t *testing.T) {
	cfg, err := LoadFile("testdata/good/full.yaml")
	require.NoError(t, err)
	dir, err := filepath.Abs("testdata/good")
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "state"), cfg.DataDir)
	require.Equal(t, filepath.Join(dir, "state", "nats"), cfg.NATS.StoreDir)
	require.Equal(t, filepath.Join(dir, "history.csv"), cfg.Collectors.Replay[0].Path)
	require.Equal(t, 500*time.Millisecond, cfg.ClickHouse.BatchMaxAge)
	require.Equal(t, 5000, cfg.NATS.MaxAckPending)
	// Unset fields keep their defaults, in lists too.
	require.Equal(t, "VIGIA_MESSAGES", cfg.NATS.Stream)
	require.Equal(t, 10.0, cfg.Collectors.Replay[0].Speed)
	require.Equal(t, 500, cfg.Collectors.Replay[0].BatchSize)
	require.Equal(t, "acme", cfg.Collectors.Replay[0].DefaultBrand)
	require.Equal(t, map[string]string{"acmehelp": "acme"}, cfg.Collectors.Replay[0].HandleToBrand)
	require.Len(t, cfg.Collectors.Simulate[0].Brands, 1)
	require.Equal(t, "acme", cfg.Collectors.Simulate[0].Brands[0].Name)
	require.Equal(t, "AcmeHelp", cfg.Collectors.Simulate[0].Brands[0].Handle)
}

func TestDemoConfigIsValid(t *testing.T) {
	cfg, err := Load(DemoYAML(), t.TempDir())
	require.NoError(t, err)
	require.Len(t, cfg.Brands, 3)
	require.Len(t, cfg.Collectors.Simulate, 1)
}

// TestBadConfigs loads each testdata/bad/NAME.yaml and requires every line
// of NAME.want in the error: one file per kind of mistake.
func TestBadConfigs(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(f, ".yaml") + ".want")
			require.NoError(t, err)
			_, err = LoadFile(f)
			require.Error(t, err)
			for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
				require.Contains(t, err.Error(), line)
			}
		})
	}
}

func TestAllProblemsReportedAtOnce(t *testing.T) {
	_, err := LoadFile("testdata/bad/bad_values.yaml")
	require.Error(t, err)
	// One line per problem, each starting with its field path.
	lines := strings.Split(err.Error(), "\n")
	require.GreaterOrEqual(t, len(lines), 10)
}

func TestSecretNeverPrinted(t *testing.T) {
	t.Setenv("VIGIA_TEST_SECRET", "s3cr3t-value")
	s, err := SecretRef{Env: "VIGIA_TEST_SECRET"}.Resolve()
	require.NoError(t, err)
	require.Equal(t, "s3cr3t-value", s.Reveal())
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s), fmt.Sprint(struct{ P Secret }{s})} {
		require.NotContains(t, out, "s3cr3t")
	}
	_, err = SecretRef{Env: "VIGIA_TEST_UNSET_SECRET"}.Resolve()
	require.ErrorContains(t, err, "VIGIA_TEST_UNSET_SECRET is not set")

	file := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(file, []byte("from-file\n"), 0o600))
	s, err = SecretRef{File: file}.Resolve()
	require.NoError(t, err)
	require.Equal(t, "from-file", s.Reveal())
}

func FuzzLoad(f *testing.F) {
	for _, p := range []string{"testdata/good/full.yaml", "demo.yaml"} {
		b, err := os.ReadFile(p)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte("brands: [{name: a}]\ncollectors: {replay: [{}]}"))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Load(data, t.TempDir())
		if err == nil {
			require.NotNil(t, cfg)
			require.NoError(t, cfg.Validate())
		}
	})
}

// TestAlertsExample loads the configuration docs/alerts.md shows, so the
// documentation cannot drift from what the loader accepts.
func TestAlertsExample(t *testing.T) {
	cfg, err := LoadFile("testdata/good/alerts.yaml")
	require.NoError(t, err)
	require.True(t, cfg.Alerts.On())
	require.Equal(t, []string{"log", "crm", "oncall-telegram", "team"}, cfg.Alerts.Receivers.Names())
	require.Len(t, cfg.Alerts.Rules.Policies, 2)
	cal, err := cfg.Brands[0].Calendar()
	require.NoError(t, err)
	require.False(t, cal.Always())
	require.Equal(t, 10*time.Second, cfg.Alerts.Receivers.Webhook[0].Timeout, "list entries decode over their defaults")
}
