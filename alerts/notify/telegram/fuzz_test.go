package telegram

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/notify"
	"github.com/vigia-dev/vigia/internal/tgapi/tgapitest"
)

func TestCallbackData(t *testing.T) {
	tests := []struct {
		data   string
		kind   notify.ActionKind
		caseID string
		ok     bool
	}{
		{"v1|claim|c1", notify.ActionClaim, "c1", true},
		{"v1|not_complaint|0123456789abcdefghijklmn", notify.ActionNotComplaint, "0123456789abcdefghijklmn", true},
		{"v1|not_complaint|0123456789abcdefghijklmno", "", "", false}, // 25 characters
		{"v1|claim|C1", "", "", false},
		{"v1|claim|", "", "", false},
		{"v1|dance|c1", "", "", false},
		{"v2|claim|c1", "", "", false},
		{"v1|claim|c1|x", "", "", false},
		{"v1|claim|c-1", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		kind, caseID, err := parseCallbackData(tt.data)
		require.Equal(t, tt.ok, err == nil, "%q: %v", tt.data, err)
		require.Equal(t, tt.kind, kind)
		require.Equal(t, tt.caseID, caseID)
	}
	// Every action fits Telegram's limit with the longest case id.
	for _, k := range notify.Actions() {
		d := encodeCallbackData(k, "zzzzzzzzzzzzzzzzzzzzzzzz")
		require.LessOrEqual(t, len(d), MaxCallbackDataBytes)
	}
}

// FuzzParseCallbackData: any data either fails to parse or is exactly the
// encoding of what it parses to, which fits in a button.
func FuzzParseCallbackData(f *testing.F) {
	for _, s := range []string{"v1|claim|c1", "v1|spam|zzzzzzzzzzzzzzzzzzzzzzzz", "v1||", "|||", "v1|claim|c1\x00", "v1|resolve|ñ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		kind, caseID, err := parseCallbackData(data)
		if err != nil {
			require.Empty(t, kind)
			require.Empty(t, caseID)
			return
		}
		require.True(t, kind.Valid())
		require.True(t, validCaseID(caseID))
		enc := encodeCallbackData(kind, caseID)
		require.Equal(t, data, enc)
		require.True(t, len(enc) >= 1 && len(enc) <= MaxCallbackDataBytes)
	})
}

// FuzzRender: whatever the alerts say, the post is HTML Telegram parses,
// within MaxMessageLength, and shows a short summary verbatim.
func FuzzRender(f *testing.F) {
	f.Add("Urgent", "my order <never> arrived & I'm angry", "acme", "https://x.example/?a=1&b=2")
	f.Add("<script>", "&amp;&#0;\xff", "</b>", `javascript:"><b>`)
	f.Fuzz(func(t *testing.T, summary, text, brand, link string) {
		a := firing("c1", summary, text)
		a.Annotations[notify.AnnotationLink] = link
		g := group(a, firing("c2", text, summary))
		g.Labels["brand"] = brand
		p := render(notify.Render(g, fixedNow, 10), len(g.Alerts), true)
		require.LessOrEqual(t, units(p.html), MaxMessageLength)
		plain, _, err := tgapitest.ParseHTML(p.html)
		require.NoError(t, err, "%s", p.html)
		if utf8.ValidString(summary) && summary != "" && units(summary) < 100 {
			require.Contains(t, plain, summary)
		}
	})
}
