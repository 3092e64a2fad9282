package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/message"
)

// runVigiaStdin is runVigia with stdin.
func runVigiaStdin(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = realMain(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestClassifyJSONLines(t *testing.T) {
	const in = `{"id":"x:1","brand":"acme","channel":"x","kind":"mention","direction":"inbound","author":{"id":"u1","handle":"ana","followers":250000},"text":"@acme me han cobrado dos veces la factura","created_at":"2026-11-23T10:00:00Z"}
{"id":"x:2","brand":"acme","channel":"x","kind":"mention",

{"id":"x:3","brand":"acme","channel":"x","kind":"mention","direction":"inbound","author":{"id":"u3"},"text":"la portabilidad sigue sin hacerse","created_at":"2026-11-23T10:01:00Z","classify_input":{"unanswered_in_conversation":3}}
{"id":"x:4","brand":"acme","channel":"x","kind":"mention","direction":"inbound","author":{"id":"u4"},"text":"sin fecha"}
`
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "vigia.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(`classify:
  brands:
    - name: acme
      keywords:
        - {label: urgent, lang: es, phrases: [portabilidad]}
`), 0o600))

	code, out, errOut := runVigiaStdin(t, in, "classify", "--config", cfgPath)
	require.Equal(t, 1, code, errOut)
	require.Contains(t, errOut, "line 2: decode message:")
	require.Contains(t, errOut, "line 5: invalid message: created_at: is missing")
	require.NotContains(t, errOut, "line 3", "blank lines are skipped")
	require.Contains(t, errOut, "2 lines failed")

	var got []message.Message
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var m message.Message
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		got = append(got, m)
	}
	require.Len(t, got, 2, "the good lines are written, in order")
	require.Equal(t, message.ID("x:1"), got[0].ID)
	require.Equal(t, message.ID("x:3"), got[1].ID)
	for _, m := range got {
		require.Equal(t, "es", m.Lang)
		require.Len(t, m.Labels, 5)
		require.GreaterOrEqual(t, m.Sentiment, -1.0)
		require.LessOrEqual(t, m.Sentiment, 1.0)
	}
	urgent, ok := got[0].Label("urgent")
	require.True(t, ok)
	require.True(t, urgent.Decision)
	require.Contains(t, urgent.Reasons, `phrase "cobr* dos veces" (money lost)`)
	infl, _ := got[0].Label("influencer")
	require.True(t, infl.Decision)
	require.Equal(t, []string{"followers 250,000 ≥ macro tier 100,000"}, infl.Reasons)

	urgent, _ = got[1].Label("urgent")
	require.True(t, urgent.Decision)
	require.Contains(t, urgent.Reasons, `brand keyword "portabilidad"`, "the config's brand keyword applies")
	require.Contains(t, urgent.Reasons, "3 unanswered messages from this customer in the open conversation", "classify_input is read")

	// Every line good: exit 0, nothing on stderr.
	code, out, errOut = runVigiaStdin(t, strings.SplitN(in, "\n", 2)[0]+"\n", "classify")
	require.Equal(t, 0, code, errOut)
	require.Empty(t, errOut)
	require.Equal(t, 1, strings.Count(out, "\n"))
}

func TestClassifyText(t *testing.T) {
	code, out, errOut := runVigia(t, "classify", "--text", "@acme me han cobrado dos veces 😡")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "language:  es\n")
	require.Contains(t, out, "sentiment: ")
	for _, l := range []string{"complaint:", "troll:", "spam:", "influencer:", "urgent:"} {
		require.Contains(t, out, "\n"+l)
	}
	require.Regexp(t, `\nurgent: +0\.\d\d YES  phrase "cobr\* dos veces" \(money lost\)`, out)

	code, out, errOut = runVigia(t, "classify", "--text", "charged twice!!", "--json")
	require.Equal(t, 0, code, errOut)
	var r struct {
		Lang   string          `json:"lang"`
		Labels []message.Label `json:"labels"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	require.Equal(t, "en", r.Lang)
	require.Len(t, r.Labels, 5)
	require.Equal(t, "urgent", r.Labels[4].Name)
	require.True(t, r.Labels[4].Decision)

	code, _, errOut = runVigia(t, "classify", "--text", "x", "extra")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `unexpected arguments: ["extra"]`)

	code, _, errOut = runVigia(t, "classify", "--config", filepath.Join(t.TempDir(), "missing.yaml"))
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "read classify config:")
}
