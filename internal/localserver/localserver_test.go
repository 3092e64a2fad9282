package localserver

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRepoRootAndScript(t *testing.T) {
	root, err := RepoRoot()
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(root, "deploy", "clickhouse-local.sh"))

	_, err = Script("no-such-script.sh", "start", time.Second)
	require.ErrorContains(t, err, "no-such-script.sh")

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o600))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "deploy"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "deploy", "ok.sh"), []byte("echo starting >&2\necho addr 127.0.0.1:1\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "deploy", "fail.sh"), []byte("echo first >&2\necho broken >&2\nexit 3\n"), 0o600))
	t.Chdir(filepath.Join(dir, "deploy"))
	got, err := Script("ok.sh", "start", 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:1", got)
	_, err = Script("fail.sh", "start", 10*time.Second)
	require.ErrorContains(t, err, "first\nbroken")
}

func TestUniqueName(t *testing.T) {
	a, b := UniqueName("TestX/sub case", '_'), UniqueName("TestX/sub case", '_')
	require.NotEqual(t, a, b)
	require.Regexp(t, `^testx_sub_case_[0-9a-f]{12}$`, a)
	require.Regexp(t, `^[a-z0-9-]{1,40}-[0-9a-f]{12}$`, UniqueName("Test"+string(make([]byte, 80)), '-'))
}
