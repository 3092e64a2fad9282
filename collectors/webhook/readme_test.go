package webhook

import (
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/collectors/collectortest"
)

func TestREADME(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	sample, err := os.ReadFile("testdata/sample.yaml")
	require.NoError(t, err)
	for _, s := range []string{"## Configuration", "## Metrics", "## Limits & costs", "## Example"} {
		require.Contains(t, string(readme), "\n"+s+"\n")
	}
	require.Contains(t, string(readme), "```yaml\n"+string(sample)+"```", "README shows testdata/sample.yaml verbatim")
	for _, name := range metricNames(t) {
		require.True(t, strings.Contains(string(readme), "`"+name+"`"), "metric %s not in README", name)
	}
}

func metricNames(t *testing.T) []string {
	t.Helper()
	return gatherNames(t, func(reg prometheus.Registerer) error {
		_, err := New(testConfig(t), collectortest.NewRecorder(), slog.New(slog.DiscardHandler), reg)
		return err
	})
}

// gatherNames returns the names of the metrics build registers.
func gatherNames(t *testing.T, build func(prometheus.Registerer) error) []string {
	t.Helper()
	reg := prometheus.NewRegistry()
	require.NoError(t, build(reg))
	mfs, err := reg.Gather()
	require.NoError(t, err)
	names := make([]string, 0, len(mfs))
	for _, mf := range mfs {
		names = append(names, mf.GetName())
	}
	require.NotEmpty(t, names)
	return names
}
