package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/silence"
	"github.com/vigia-dev/vigia/internal/httpapi"
)

const apiToken = "test-api-token-0123456789"

var apiT0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// apiClock is the API server's settable clock.
type apiClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *apiClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *apiClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// testCases is a CaseReader over fixed cases, recording the last filter.
type testCases struct {
	mu   sync.Mutex
	list []httpapi.CaseSummary
	last httpapi.CaseFilter
}

func (c *testCases) ListCases(_ context.Context, f httpapi.CaseFilter) ([]httpapi.CaseSummary, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = f
	var out []httpapi.CaseSummary
	for _, cs := range c.list {
		if f.Brand == "" || cs.Brand == f.Brand {
			out = append(out, cs)
		}
	}
	return out, nil
}

func (c *testCases) GetCase(_ context.Context, id string) (httpapi.CaseDetail, error) {
	for _, cs := range c.list {
		if cs.ID == id {
			return httpapi.CaseDetail{CaseSummary: cs, Events: []httpapi.CaseEvent{
				{At: cs.OpenedAt, Kind: "message", MessageID: "x:100", Actor: cs.Customer, Text: "where is my order?\x1b[31m"},
				{At: cs.OpenedAt.Add(5 * time.Minute), Kind: "reply", MessageID: "x:101", Actor: "agent:lucia", Text: "Looking into it"},
			}}, nil
		}
	}
	return httpapi.CaseDetail{}, fmt.Errorf("case %s: %w", id, httpapi.ErrNotFound)
}

type apiServer struct {
	url   string
	clock *apiClock
	cases *testCases
}

// startAPI runs the real API handler, with a real Silencer, on an
// httptest server, and points VIGIA_API_TOKEN at its token.
func startAPI(t *testing.T) *apiServer {
	t.Helper()
	s := &apiServer{clock: &apiClock{now: apiT0}, cases: &testCases{}}
	n := 0
	var mu sync.Mutex
	sil := silence.New(silence.Options{NewID: func() string { mu.Lock(); defer mu.Unlock(); n++; return fmt.Sprintf("sil-%d", n) }})
	h, err := httpapi.New(httpapi.Options{Token: []byte(apiToken), Silences: sil, Cases: s.cases, Now: s.clock.Now})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s.url = srv.URL
	t.Setenv(defaultAPITokenEnv, apiToken)
	return s
}

func TestSilenceAddListExpire(t *testing.T) {
	api := startAPI(t)
	code, out, errOut := runVigia(t, "silence", "add", "--url", api.url, "--matcher", "brand=acme", "--matcher", `rule=~"urgent|sla_breach"`,
		"--duration", "2h", "--comment", "planned outage", "--author", "ana")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "sil-1\n", out)

	// The default duration is an hour and the author defaults to $USER.
	t.Setenv("USER", "bot")
	code, out, errOut = runVigia(t, "silence", "add", "--url", api.url, "--matcher", "channel=telegram", "--comment", "noisy")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "sil-2\n", out)

	code, out, errOut = runVigia(t, "silence", "list", "--url", api.url)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, ""+
		"ID     STATE   STARTS                ENDS                  CREATED BY  MATCHERS                                COMMENT\n"+
		"sil-2  active  2025-03-01T09:00:00Z  2025-03-01T10:00:00Z  bot         channel=\"telegram\"                      noisy\n"+
		"sil-1  active  2025-03-01T09:00:00Z  2025-03-01T11:00:00Z  ana         brand=\"acme\" rule=~\"urgent|sla_breach\"  planned outage\n", out)

	api.clock.Advance(time.Minute)
	code, out, errOut = runVigia(t, "silence", "expire", "--url", api.url, "sil-1")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "expired sil-1 at 2025-03-01T09:01:00Z\n", out)

	code, out, errOut = runVigia(t, "silence", "list", "--url", api.url, "--state", "expired", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var list httpapi.SilenceList
	require.NoError(t, json.Unmarshal([]byte(out), &list))
	require.Len(t, list.Silences, 1)
	require.Equal(t, "sil-1", list.Silences[0].ID)
	require.Equal(t, silence.StateExpired, list.Silences[0].State)
	require.Equal(t, "planned outage", list.Silences[0].Comment)

	code, out, errOut = runVigia(t, "silence", "list", "--url", api.url, "--state", "active")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "sil-2  active")
	require.NotContains(t, out, "sil-1")

	// Expiring twice, or an unknown ID, says so; the known ones still expire.
	code, out, errOut = runVigia(t, "silence", "expire", "--url", api.url, "sil-1", "nope", "sil-2")
	require.Equal(t, 1, code)
	require.Equal(t, "expired sil-2 at 2025-03-01T09:01:00Z\n", out)
	require.Equal(t, "vigia silence: expire silence sil-1: 409 Conflict: silence \"sil-1\" already expired at 2025-03-01T09:01:00Z\n"+
		"expire silence nope: 404 Not Found: silence \"nope\" not found\n", errOut)

	// JSON output of add is the whole silence.
	code, out, errOut = runVigia(t, "silence", "add", "--url", api.url, "--matcher", "brand=acme", "--ends-at", "2025-03-01T12:00:00Z",
		"--comment", "x", "--author", "ana", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var added httpapi.Silence
	require.NoError(t, json.Unmarshal([]byte(out), &added))
	require.Equal(t, "sil-3", added.ID)
	require.True(t, added.EndsAt.Equal(apiT0.Add(3*time.Hour)))
}

func TestSilenceWrongToken(t *testing.T) {
	api := startAPI(t)
	t.Setenv(defaultAPITokenEnv, "wrong")
	code, out, errOut := runVigia(t, "silence", "list", "--url", api.url)
	require.Equal(t, 1, code)
	require.Empty(t, out)
	require.Equal(t, "vigia silence: the API at "+api.url+" rejected the token (401 Unauthorized): "+
		"check --token-env VIGIA_API_TOKEN against the server's alerts.api_token_env or alerts.api_token_file\n", errOut)

	file := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(file, []byte("also-wrong\n"), 0o600))
	code, _, errOut = runVigia(t, "cases", "list", "--url", api.url, "--token-file", file)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "rejected the token (401 Unauthorized): check --token-file "+file)
	require.NotContains(t, errOut, "also-wrong")

	// The right token from a file works, whatever the environment says.
	require.NoError(t, os.WriteFile(file, []byte(apiToken+"\n"), 0o600))
	code, out, errOut = runVigia(t, "silence", "list", "--url", api.url, "--token-file", file)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "ID  STATE")
}

func TestSilenceFlagErrors(t *testing.T) {
	api := startAPI(t)
	t.Setenv("USER", "")
	file := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantCode int
		wantErr  string // the whole stderr for code 1; a part of it for code 2
	}{
		{name: "no subcommand", args: []string{"silence"}, wantCode: 2, wantErr: "vigia silence add --matcher"},
		{name: "unknown subcommand", args: []string{"silence", "mute"}, wantCode: 2, wantErr: `unknown subcommand "mute"`},
		{name: "unknown flag", args: []string{"silence", "add", "--matchers", "a=b"}, wantCode: 2, wantErr: "flag provided but not defined: -matchers"},
		{name: "nothing given", args: []string{"silence", "add", "--url", api.url}, wantCode: 1,
			wantErr: "vigia silence: --matcher: at least one is required, such as --matcher brand=acme\n" +
				"--comment: required: say why the silence exists\n" +
				"--author: required: $USER is not set, so say who you are\n"},
		{name: "bad matcher", args: []string{"silence", "add", "--url", api.url, "--matcher", "brand", "--comment", "x", "--author", "a"}, wantCode: 1,
			wantErr: "vigia silence: --matcher \"brand\": expected one of =, !=, =~, !~ after the label name\n"},
		{name: "duration and ends-at", args: []string{"silence", "add", "--url", api.url, "--matcher", "a=b", "--duration", "1h",
			"--ends-at", "2025-03-01T12:00:00Z", "--comment", "x", "--author", "a"}, wantCode: 1,
			wantErr: "vigia silence: --duration and --ends-at: give one of them, not both\n"},
		{name: "bad ends-at", args: []string{"silence", "add", "--url", api.url, "--matcher", "a=b", "--ends-at", "noon", "--comment", "x", "--author", "a"}, wantCode: 1,
			wantErr: "vigia silence: --ends-at \"noon\": want an RFC 3339 time such as 2025-03-01T18:00:00Z\n"},
		{name: "server-side validation", args: []string{"silence", "add", "--url", api.url, "--matcher", "a=~.*", "--comment", "x", "--author", "a"}, wantCode: 1,
			wantErr: "vigia silence: add silence: 400 Bad Request: invalid silence: matchers: {a=~\".*\"}: at least one must reject an empty label, or the silence would mute every alert\n"},
		{name: "bad format", args: []string{"silence", "list", "--url", api.url, "--format", "yaml"}, wantCode: 1,
			wantErr: "vigia silence: --format \"yaml\": want table or json\n"},
		{name: "bad state", args: []string{"silence", "list", "--url", api.url, "--state", "muted"}, wantCode: 1,
			wantErr: "vigia silence: --state \"muted\": want active, pending or expired\n"},
		{name: "both token sources", args: []string{"silence", "list", "--url", api.url, "--token-env", "X", "--token-file", "/nonexistent"}, wantCode: 1,
			wantErr: "vigia silence: at most one of --token-env & --token-file may be given\n"},
		{name: "token env unset", args: []string{"silence", "list", "--url", api.url, "--token-env", "VIGIA_TEST_NO_SUCH_TOKEN"}, wantCode: 1,
			wantErr: "vigia silence: --token-env VIGIA_TEST_NO_SUCH_TOKEN: environment variable is not set or empty; export it with the API token, or pass --token-file\n"},
		{name: "token file empty", args: []string{"silence", "list", "--url", api.url, "--token-file", file}, wantCode: 1,
			wantErr: "vigia silence: --token-file " + file + ": file is empty\n"},
		{name: "bad url", args: []string{"silence", "list", "--url", "127.0.0.1:8080"}, wantCode: 1,
			wantErr: "vigia silence: --url: api url \"127.0.0.1:8080\": want http://host:port or https://host:port\n"},
		{name: "expire without id", args: []string{"silence", "expire", "--url", api.url}, wantCode: 1,
			wantErr: "vigia silence: missing silence ID: vigia silence expire ID [ID ...] (vigia silence list shows them)\n"},
		{name: "cases show without id", args: []string{"cases", "show", "--url", api.url}, wantCode: 1,
			wantErr: "vigia cases: want exactly one case ID: vigia cases show ID (vigia cases list shows them)\n"},
		{name: "cases limit", args: []string{"cases", "list", "--url", api.url, "--limit", "0"}, wantCode: 1,
			wantErr: "vigia cases: --limit 0: want 1 to 1000\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runVigia(t, tt.args...)
			require.Equal(t, tt.wantCode, code, errOut)
			if tt.wantCode == 1 {
				require.Equal(t, tt.wantErr, errOut)
			} else {
				require.Contains(t, errOut, tt.wantErr)
			}
		})
	}
}

func TestSilenceServerDown(t *testing.T) {
	srv := httptest.NewServer(nil)
	url := srv.URL
	srv.Close()
	t.Setenv(defaultAPITokenEnv, apiToken)
	code, _, errOut := runVigia(t, "silence", "list", "--url", url)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "connection refused")
	require.Contains(t, errOut, "(is vigia running and serving the API at --url "+url+"?)")
	require.NotContains(t, errOut, apiToken)
}

func TestAPICommandsHelp(t *testing.T) {
	for _, args := range [][]string{
		{"silence", "--help"}, {"silence", "add", "--help"}, {"silence", "list", "--help"}, {"silence", "expire", "--help"},
		{"cases", "--help"}, {"cases", "list", "--help"}, {"cases", "show", "--help"},
	} {
		t.Run(fmt.Sprint(args), func(t *testing.T) {
			code, out, errOut := runVigia(t, args...)
			require.Equal(t, 0, code, errOut)
			out += errOut // flag sets print their help on stderr
			require.Contains(t, out, "Usage:")
			require.Contains(t, out, "http://127.0.0.1:8080")
			require.Contains(t, out, "VIGIA_API_TOKEN")
			require.Contains(t, out, "table")
		})
	}
	code, _, out := runVigia(t, "silence", "add", "--help")
	require.Equal(t, 0, code)
	require.Contains(t, out, "default 1h")
	require.Contains(t, out, "$USER")
}
