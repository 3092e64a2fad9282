package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary act as the vigia command for tests that
// need a real process (SIGKILL, SIGTERM): they run os.Args[0] with
// VIGIA_TEST_MAIN=1.
func TestMain(m *testing.M) {
	if os.Getenv("VIGIA_TEST_MAIN") == "1" {
		os.Exit(realMain(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func runVigia(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = realMain(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpForEveryCommand(t *testing.T) {
	code, out, _ := runVigia(t, "help")
	require.Equal(t, 0, code)
	for _, c := range commands() {
		require.Contains(t, out, c.name)
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runVigia(t, c.name, "--help")
			require.Equal(t, 0, code, errOut)
			require.Contains(t, out+errOut, "Usage:")
		})
	}
	code, _, errOut := runVigia(t, "nonsense")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `unknown command "nonsense"`)
}

func TestCheckConfig(t *testing.T) {
	code, out, _ := runVigia(t, "check-config", "../../internal/config/testdata/good/full.yaml")
	require.Equal(t, 0, code)
	require.Contains(t, out, "ok (1 brands, 3 collectors)")

	code, _, errOut := runVigia(t, "check-config", "../../internal/config/testdata/bad/bad_values.yaml")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `brands[0].time_zone: "Mars/Olympus"`)
	require.Contains(t, errOut, `clickhouse.batch_max_rows: 0`)
	require.Contains(t, errOut, "configuration is invalid")

	code, _, _ = runVigia(t, "check-config")
	require.Equal(t, 2, code)
}

func TestVersion(t *testing.T) {
	code, out, _ := runVigia(t, "version")
	require.Equal(t, 0, code)
	require.True(t, strings.HasPrefix(out, "vigia "))
}
