// Package localserver runs the deploy/*-local.sh scripts that install and
// start the development servers tests need (ClickHouse, Mattermost), from
// anywhere inside the repository. The test helpers chtest and mmtest share
// it.
package localserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Script runs deploy/<name> verb from the repository root, waiting at most
// timeout, and returns the last word the script printed on stdout (the
// address a start prints). A failure carries the last lines of its stderr.
func Script(name, verb string, timeout time.Duration) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	script := filepath.Join(root, "deploy", name)
	if _, err := os.Stat(script); err != nil {
		return "", fmt.Errorf("find %s: %w", script, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "bash", script, verb)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", script, verb, err, lastLines(stderr.String(), 15))
	}
	words := strings.Fields(stdout.String())
	if len(words) == 0 {
		return "", nil
	}
	return words[len(words)-1], nil
}

// RepoRoot walks up from the working directory to the repository root:
// the directory holding go.mod and deploy/.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find repository root: %w", err)
	}
	for {
		if isRoot(dir) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find repository root: no go.mod with a deploy directory above the working directory")
		}
		dir = parent
	}
}

func isRoot(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return false
	}
	st, err := os.Stat(filepath.Join(dir, "deploy"))
	return err == nil && st.IsDir()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// UniqueName makes a name for a test's own resource (a database, a
// channel) from the test's name: lowercase letters and digits, every other
// character replaced by sep, cut to 40 characters, then sep and random hex
// so that reruns and parallel tests never collide.
func UniqueName(testName string, sep rune) string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	base := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return sep
	}, testName)
	if len(base) > 40 {
		base = base[:40]
	}
	return strings.Trim(base, string(sep)) + string(sep) + hex.EncodeToString(b[:])
}
