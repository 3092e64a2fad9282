package collectortest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// RequireProblems requires err to be nil when wants is empty, and otherwise
// to hold exactly len(wants) lines (a Validate error joins one problem per
// line), each containing one of wants.
func RequireProblems(t *testing.T, err error, wants []string) {
	t.Helper()
	if len(wants) == 0 {
		require.NoError(t, err)
		return
	}
	require.Error(t, err)
	for _, w := range wants {
		require.Contains(t, err.Error(), w)
	}
	require.Len(t, strings.Split(err.Error(), "\n"), len(wants), "got %v", err)
}

// DecodeSample decodes dir/testdata/sample.yaml into cfg, which holds the
// collector's defaults, rejecting unknown keys, as the app's loader does.
func DecodeSample(t *testing.T, dir string, cfg any) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "testdata", "sample.yaml"))
	require.NoError(t, err)
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(cfg))
}
