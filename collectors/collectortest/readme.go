package collectortest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// CheckREADME checks the README.md of the collector in dir: it has the
// sections every collector README has, shows testdata/sample.yaml
// verbatim, and names every metric that build registers.
func CheckREADME(t *testing.T, dir string, build func(reg prometheus.Registerer) error) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	require.NoError(t, err)
	sample, err := os.ReadFile(filepath.Join(dir, "testdata", "sample.yaml"))
	require.NoError(t, err)
	for _, s := range []string{"## Configuration", "## Metrics", "## Limits & costs", "## Example"} {
		require.Contains(t, string(readme), "\n"+s+"\n")
	}
	require.Contains(t, string(readme), "```yaml\n"+string(sample)+"```", "README shows testdata/sample.yaml verbatim")

	reg := prometheus.NewRegistry()
	require.NoError(t, build(reg))
	mfs, err := reg.Gather()
	require.NoError(t, err)
	require.NotEmpty(t, mfs)
	for _, mf := range mfs {
		require.True(t, strings.Contains(string(readme), "`"+mf.GetName()+"`"), "metric %s not in README", mf.GetName())
	}
}
