package archtest

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/vigia-dev/vigia"

type pkg struct {
	ImportPath string
	Dir        string
	Name       string
	Doc        string
	Deps       []string
	Standard   bool
}

// listPackages runs `go list -deps=false -json ./...` from the module root.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = root(t)
	out, err := cmd.Output()
	require.NoError(t, err)
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []pkg
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else {
			require.NoError(t, err)
		}
		pkgs = append(pkgs, p)
	}
	require.NotEmpty(t, pkgs)
	return pkgs
}

func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(dir, "go.mod"))
	require.NoError(t, err)
	return dir
}

func TestDependencyRules(t *testing.T) {
	stdlib := map[string]bool{}
	cmd := exec.Command("go", "list", "std")
	out, err := cmd.Output()
	require.NoError(t, err)
	for _, p := range strings.Fields(string(out)) {
		stdlib[p] = true
	}
	rules := []struct {
		pkgPrefix string
		forbid    func(dep string) bool
		why       string
	}{
		{module + "/internal/message", func(d string) bool {
			return !stdlib[d] && !strings.HasPrefix(d, "internal/") && !strings.HasPrefix(d, "vendor/")
		},
			"the message model imports only the standard library"},
		{module + "/classify", func(d string) bool {
			return strings.HasPrefix(d, module+"/internal/storage") || strings.HasPrefix(d, module+"/alerts")
		}, "the classifier knows neither storage nor alerts"},
		{module + "/collectors", func(d string) bool { return strings.HasPrefix(d, module+"/alerts") },
			"collectors never import alerts"},
	}
	for _, p := range listPackages(t) {
		for _, r := range rules {
			if p.ImportPath != r.pkgPrefix && !strings.HasPrefix(p.ImportPath, r.pkgPrefix+"/") {
				continue
			}
			for _, d := range p.Deps {
				require.False(t, r.forbid(d), "%s depends on %s: %s", p.ImportPath, d, r.why)
			}
		}
	}
}

func TestEveryPackageIsDocumented(t *testing.T) {
	for _, p := range listPackages(t) {
		require.NotEmpty(t, strings.TrimSpace(p.Doc), "package %s has no package doc comment (add a doc.go)", p.ImportPath)
	}
}

// TestEveryCollectorIsWired fails when a directory under collectors/ is
// missing from the table in internal/app/collectors.go.
func TestEveryCollectorIsWired(t *testing.T) {
	table, err := os.ReadFile(filepath.Join(root(t), "internal", "app", "collectors.go"))
	require.NoError(t, err)
	entries, err := os.ReadDir(filepath.Join(root(t), "collectors"))
	require.NoError(t, err)
	n := 0
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "collectortest" || e.Name() == "internal" {
			continue
		}
		n++
		require.Contains(t, string(table), `"`+module+"/collectors/"+e.Name()+`"`,
			"collector %s is not imported by internal/app/collectors.go", e.Name())
		require.Contains(t, string(table), e.Name()+".New(", "collector %s is not built in the table", e.Name())
		_, err := os.Stat(filepath.Join(root(t), "collectors", e.Name(), "README.md"))
		require.NoError(t, err, "collector %s has no README.md", e.Name())
	}
	require.GreaterOrEqual(t, n, 3)
}
