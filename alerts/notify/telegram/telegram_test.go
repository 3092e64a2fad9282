package telegram

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/dispatch"
	"github.com/vigia-dev/vigia/alerts/notify"
	"github.com/vigia-dev/vigia/internal/backoff"
	"github.com/vigia-dev/vigia/internal/tgapi"
	"github.com/vigia-dev/vigia/internal/tgapi/tgapitest"
)

const (
	testToken = "777000:receiver-SECRET_token"
	testChat  = -1001234567890
	testTopic = 7
)

var fixedNow = time.Date(2025, 3, 3, 12, 0, 0, 0, time.UTC)

type fixture struct {
	srv  *tgapitest.Server
	r    *Receiver
	reg  *prometheus.Registry
	logs *bytes.Buffer
}

// newFixture starts a fake Bot API and a receiver posting to testChat in
// testTopic, rate limits off unless edit turns them on.
func newFixture(t *testing.T, edit func(*Config)) fixture {
	t.Helper()
	srv := tgapitest.NewServer(t, testToken)
	return newFixtureOn(t, srv, srv.URL, edit)
}

func newFixtureOn(t *testing.T, srv *tgapitest.Server, url string, edit func(*Config)) fixture {
	t.Helper()
	cfg := testConfig(t)
	cfg.APIURL = url
	if edit != nil {
		edit(&cfg)
	}
	logs := &bytes.Buffer{}
	reg := prometheus.NewRegistry()
	r, err := New(cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), reg,
		WithHTTPClient(srv.Client()), WithClock(func() time.Time { return fixedNow }),
		WithBackoff(backoff.Policy{Initial: time.Millisecond, Max: 10 * time.Millisecond}))
	require.NoError(t, err)
	return fixture{srv: srv, r: r, reg: reg, logs: logs}
}

func testConfig(t *testing.T) Config {
	t.Helper()
	p := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(p, []byte(testToken+"\n"), 0o600))
	cfg := DefaultConfig()
	cfg.BotTokenFile = p
	cfg.ChatID = testChat
	cfg.TopicID = testTopic
	cfg.ChatInterval = 0
	cfg.GroupMessagesPerMinute = 0
	return cfg
}

func firing(caseID, summary, text string) alert.Alert {
	return alert.Alert{
		Labels: map[string]string{
			alert.LabelBrand: "acme", alert.LabelRule: "urgent", alert.LabelCaseID: caseID,
			alert.LabelPriority: "urgent", alert.LabelChannel: "x",
		},
		Annotations: map[string]string{notify.AnnotationSummary: summary, notify.AnnotationText: text},
		StartsAt:    fixedNow.Add(-10 * time.Minute),
		UpdatedAt:   fixedNow.Add(-time.Minute),
	}
}

func resolved(a alert.Alert) alert.Alert {
	a.EndsAt = fixedNow.Add(-time.Second)
	return a
}

func group(alerts ...alert.Alert) dispatch.Group {
	return dispatch.Group{
		Key: "{}:{brand=\"acme\",rule=\"urgent\"}", ID: "g1", Version: 1, Kind: dispatch.KindFirst, Receiver: "telegram",
		Labels: map[string]string{"brand": "acme", "rule": "urgent"}, Alerts: alerts,
	}
}

func buttonData(m tgapitest.Message) [][]string {
	var out [][]string
	for _, row := range m.Keyboard {
		var r []string
		for _, b := range row {
			r = append(r, b.Text+"="+b.CallbackData)
		}
		out = append(out, r)
	}
	return out
}

func TestPost(t *testing.T) {
	f := newFixture(t, nil)
	g := group(firing("c1", "Urgent complaint", "my order never arrived"), firing("c2", "Second", ""))
	ref, err := f.r.Post(t.Context(), g)
	require.NoError(t, err)
	require.Equal(t, notify.PostRef("-1001234567890:1"), ref)

	msgs := f.srv.Messages(testChat)
	require.Len(t, msgs, 1)
	m := msgs[0]
	require.Equal(t, testTopic, m.ThreadID)
	require.Equal(t, "HTML", m.ParseMode)
	require.Equal(t, strings.Join([]string{
		"🔴 [FIRING:2] acme · urgent",
		"brand: acme · rule: urgent",
		"",
		"1. Urgent complaint",
		"my order never arrived",
		"channel=x · priority=urgent · case c1 · since 2025-03-03 11:50 UTC",
		"",
		"2. Second",
		"channel=x · priority=urgent · case c2 · since 2025-03-03 11:50 UTC",
	}, "\n"), m.Text)
	require.Contains(t, m.Entities, tgapitest.Entity{Type: "bold", Offset: 3, Length: 24})
	require.Equal(t, [][]string{
		{"#1 Claim=v1|claim|c1", "#1 Replied=v1|replied|c1", "#1 Resolve=v1|resolve|c1", "#1 Not a complaint=v1|not_complaint|c1", "#1 Spam=v1|spam|c1"},
		{"#2 Claim=v1|claim|c2", "#2 Replied=v1|replied|c2", "#2 Resolve=v1|resolve|c2", "#2 Not a complaint=v1|not_complaint|c2", "#2 Spam=v1|spam|c2"},
	}, buttonData(m))
	require.Equal(t, 1.0, testutil.ToFloat64(f.r.metrics.requests.WithLabelValues("sendMessage", "ok")))
}

func TestPostWithoutButtons(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Actions = ActionsNone; c.TopicID = 0 })
	_, err := f.r.Post(t.Context(), group(firing("c1", "Urgent", "")))
	require.NoError(t, err)
	m := f.srv.Messages(testChat)[0]
	require.Nil(t, m.Keyboard)
	require.Zero(t, m.ThreadID)
	require.NoError(t, f.r.RunActions(t.Context(), nil), "nothing to run without buttons")
}

func TestUpdate(t *testing.T) {
	f := newFixture(t, nil)
	a1, a2 := firing("c1", "First", ""), firing("c2", "Second", "")
	ref, err := f.r.Post(t.Context(), group(a1))
	require.NoError(t, err)

	g := group(a1, a2)
	g.Version, g.Kind = 2, dispatch.KindUpdate
	require.NoError(t, f.r.Update(t.Context(), ref, g))
	msgs := f.srv.Messages(testChat)
	require.Len(t, msgs, 1, "an update edits, it does not post")
	require.Equal(t, 1, msgs[0].Edits)
	require.Contains(t, msgs[0].Text, "[FIRING:2]")
	require.Len(t, msgs[0].Keyboard, 2)

	// The same content again: Telegram says "not modified", which is success.
	require.NoError(t, f.r.Update(t.Context(), ref, g))
	require.Equal(t, 1, f.srv.Messages(testChat)[0].Edits)
	require.Equal(t, 2, f.srv.Calls("editMessageText"))
	require.Equal(t, 2.0, testutil.ToFloat64(f.r.metrics.requests.WithLabelValues("editMessageText", "ok")))

	// Everything resolved: the post says so and loses its buttons.
	g = group(resolved(a1), resolved(a2))
	require.NoError(t, f.r.Update(t.Context(), ref, g))
	msgs = f.srv.Messages(testChat)
	require.Len(t, msgs, 1)
	require.True(t, strings.HasPrefix(msgs[0].Text, "✅ [RESOLVED] acme · urgent"), msgs[0].Text)
	require.Contains(t, msgs[0].Entities, tgapitest.Entity{Type: "strikethrough", Offset: 60, Length: 5})
	require.Nil(t, msgs[0].Keyboard)
	require.Equal(t, 2, msgs[0].Edits)
}

func TestUpdateErrors(t *testing.T) {
	f := newFixture(t, nil)
	for _, ref := range []notify.PostRef{"", "abc", "-100:", "0:5", "-100:-1"} {
		err := f.r.Update(t.Context(), ref, group(firing("c1", "x", "")))
		reason, _ := notify.ReasonOf(err)
		require.Equal(t, notify.ReasonClientError, reason, "ref %q", ref)
	}
	err := f.r.Update(t.Context(), "-1001234567890:99", group(firing("c1", "x", "")))
	reason, _ := notify.ReasonOf(err)
	require.Equal(t, notify.ReasonClientError, reason)
	require.ErrorContains(t, err, "message to edit not found")
}

func TestFailureReasons(t *testing.T) {
	tests := []struct {
		name       string
		failure    *tgapitest.Failure
		token      string // the fake's token, when not the receiver's
		closed     bool
		reason     notify.Reason
		retryAfter time.Duration
	}{
		{name: "flood control", failure: &tgapitest.Failure{Code: 429, RetryAfter: 12}, reason: notify.ReasonRateLimited, retryAfter: 12 * time.Second},
		{name: "server error", failure: &tgapitest.Failure{Code: 500}, reason: notify.ReasonServerError},
		{name: "proxy error page", failure: &tgapitest.Failure{Code: 502, Body: "<html>502</html>"}, reason: notify.ReasonServerError},
		{name: "kicked", failure: &tgapitest.Failure{Code: 403, Description: "Forbidden: bot was kicked from the supergroup chat"}, reason: notify.ReasonAuthError},
		{name: "bad request", failure: &tgapitest.Failure{Code: 400, Description: "Bad Request: chat not found"}, reason: notify.ReasonClientError},
		{name: "wrong token", token: "1:another-token", reason: notify.ReasonAuthError},
		{name: "unreachable", closed: true, reason: notify.ReasonTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := testToken
			if tt.token != "" {
				token = tt.token
			}
			srv := tgapitest.NewServer(t, token)
			f := newFixtureOn(t, srv, srv.URL, nil)
			if tt.failure != nil {
				srv.FailNextWith(1, *tt.failure)
			}
			if tt.closed {
				srv.Close()
			}
			_, err := f.r.Post(t.Context(), group(firing("c1", "x", "")))
			var ne *notify.Error
			require.ErrorAs(t, err, &ne)
			require.Equal(t, tt.reason, ne.Reason, "%v", err)
			require.Equal(t, tt.retryAfter, ne.RetryAfter)
			for e := error(err); e != nil; e = errors.Unwrap(e) {
				require.NotContains(t, e.Error(), testToken)
				require.NotContains(t, e.Error(), "SECRET_token")
			}
			require.NotContains(t, f.logs.String(), "SECRET_token")
			require.Equal(t, 1.0, testutil.ToFloat64(f.r.metrics.requests.WithLabelValues("sendMessage", string(tt.reason))))
		})
	}
}

// hostile is text that breaks HTML that is not escaped.
const hostile = `<script>alert("x")</script> & <b>bold?</b> &amp; </i>`

func TestHTMLEscaping(t *testing.T) {
	f := newFixture(t, nil)
	a := firing("c1", hostile, hostile)
	a.Labels["team"] = hostile
	a.Annotations[notify.AnnotationLink] = `https://vigia.example/cases/c1?q="><script>&x=1`
	b := firing("c2", "second", "")
	b.Annotations[notify.AnnotationLink] = "javascript:alert(1)"
	g := group(a, b)
	g.Labels["brand"] = hostile
	_, err := f.r.Post(t.Context(), g)
	require.NoError(t, err, "the fake rejects HTML Telegram would not parse")
	m := f.srv.Messages(testChat)[0]
	require.Equal(t, 5, strings.Count(m.Text, hostile), "title, group label, summary, text and item label show verbatim:\n%s", m.Text)
	var links []string
	for _, e := range m.Entities {
		if e.Type == "text_link" {
			links = append(links, e.URL)
		}
	}
	require.Equal(t, []string{`https://vigia.example/cases/c1?q="><script>&x=1`}, links, "only http(s) links are kept")
}

func TestTruncation(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxItems = MaxMaxItems })
	var alerts []alert.Alert
	for i := range 40 {
		text := strings.Repeat("ñ😀&<ü", 200) // 1000 runes, 1200 UTF-16 units, far more escaped
		alerts = append(alerts, firing("c"+string(rune('a'+i%26))+"x", "Complaint "+strings.Repeat("é", i), text))
	}
	_, err := f.r.Post(t.Context(), group(alerts...))
	require.NoError(t, err, "the fake rejects texts over 4096 characters")
	m := f.srv.Messages(testChat)[0]
	require.True(t, utf8.ValidString(m.Source))
	require.LessOrEqual(t, units(m.Source), MaxMessageLength)
	require.Greater(t, units(m.Source), MaxMessageLength-600, "the space is used")
	require.Regexp(t, `… and \d+ more alerts$`, m.Text)
	require.NotContains(t, m.Text, "\uFFFD")
	shown := strings.Count(m.Text, "Complaint ")
	require.GreaterOrEqual(t, shown, 1)
	require.Len(t, m.Keyboard, shown, "buttons only for the cases shown")
}

func TestRenderCutsOneLongText(t *testing.T) {
	c := notify.Render(group(firing("c1", "Long", strings.Repeat("😀", 5000))), fixedNow, 10)
	p := render(c, 1, true)
	require.LessOrEqual(t, units(p.html), MaxMessageLength)
	require.Contains(t, p.html, "😀…</i>")
	require.NotContains(t, p.html, "more alert")

	// A text too long to fit even the first item is squeezed, never dropped.
	c.Title = strings.Repeat("&", 2000)
	p = render(c, 1, true)
	require.LessOrEqual(t, units(p.html), MaxMessageLength)
	require.Contains(t, p.html, "1. <b>Long</b>")
}

func TestEscapeCut(t *testing.T) {
	tests := []struct {
		in     string
		budget int
		want   string
	}{
		{"a&b", 10, "a&amp;b"},
		{"a&b", 6, "a…"},
		{"a&b", 7, "a&amp;b"},
		{"😀😀", 3, "😀…"},
		{"😀😀", 2, "…"},
		{"bad\xffutf8", 20, "bad\uFFFDutf8"},
		{`"q"`, 100, "&quot;q&quot;"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, escapeCut(tt.in, tt.budget), "%q in %d", tt.in, tt.budget)
		require.LessOrEqual(t, units(escapeCut(tt.in, tt.budget)), tt.budget)
	}
}

// recorder is an ActionHandler that keeps the actions it is given.
type recorder struct {
	mu      sync.Mutex
	actions []notify.Action
	fail    error
	got     chan notify.Action
}

func newRecorder() *recorder { return &recorder{got: make(chan notify.Action, 16)} }

func (h *recorder) HandleAction(_ context.Context, a notify.Action) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.actions = append(h.actions, a)
	h.got <- a
	if h.fail != nil {
		return "", h.fail
	}
	return "Case " + string(a.Kind) + "d by you", nil
}

func (h *recorder) all() []notify.Action {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]notify.Action(nil), h.actions...)
}

// runActions starts RunActions and stops it when the test ends, requiring
// that it returned nil.
func runActions(t *testing.T, r *Receiver, h notify.ActionHandler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.RunActions(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Error("RunActions did not return after cancel")
		}
	})
}

func waitAnswers(t *testing.T, srv *tgapitest.Server, n int) []tgapitest.CallbackAnswer {
	t.Helper()
	require.Eventually(t, func() bool { return len(srv.Answers()) >= n }, 10*time.Second, time.Millisecond)
	return srv.Answers()
}

func TestRunActions(t *testing.T) {
	f := newFixture(t, nil)
	h := newRecorder()
	runActions(t, f.r, h)
	ref, err := f.r.Post(t.Context(), group(firing("c1", "Urgent", ""), firing("k9z", "Other", "")))
	require.NoError(t, err)
	_, msgID, err := parseRef(ref)
	require.NoError(t, err)

	ana := tgapitest.User{ID: 31337, FirstName: "Ana"}
	qid := f.srv.PressButton(testChat, msgID, "v1|resolve|c1", ana)
	a := <-h.got
	require.Equal(t, notify.Action{Kind: notify.ActionResolve, CaseID: "c1", Actor: "telegram:31337", At: fixedNow}, a)
	answers := waitAnswers(t, f.srv, 1)
	require.Equal(t, tgapitest.CallbackAnswer{QueryID: qid, Text: "Case resolved by you"}, answers[0])

	// The press is confirmed by the next poll's offset.
	require.Eventually(t, func() bool { return f.srv.PendingUpdates() == 0 }, 10*time.Second, time.Millisecond)

	// A failing handler: the presser is told why.
	h.mu.Lock()
	h.fail = errors.New("case k9z is closed")
	h.mu.Unlock()
	f.srv.PressButton(testChat, msgID, "v1|not_complaint|k9z", ana)
	a = <-h.got
	require.Equal(t, notify.ActionNotComplaint, a.Kind)
	answers = waitAnswers(t, f.srv, 2)
	require.Equal(t, "Could not apply: case k9z is closed", answers[1].Text)
	require.Equal(t, 1.0, testutil.ToFloat64(f.r.metrics.callbacks.WithLabelValues(callbackHandled)))
	require.Equal(t, 1.0, testutil.ToFloat64(f.r.metrics.callbacks.WithLabelValues(callbackHandlerError)))
}

func TestRunActionsRejectsForeignAndForgedPresses(t *testing.T) {
	f := newFixture(t, nil)
	h := newRecorder()
	runActions(t, f.r, h)
	ref, err := f.r.Post(t.Context(), group(firing("c1", "Urgent", "")))
	require.NoError(t, err)
	_, msgID, _ := parseRef(ref)

	// The same bot's message with the same buttons in another chat.
	other, err := tgapi.New(tgapi.Options{Token: testToken, BaseURL: f.srv.URL, HTTPClient: f.srv.Client()})
	require.NoError(t, err)
	kb := keyboard([]notify.Item{{CaseID: "c1"}})
	otherID, err := other.SendMessage(t.Context(), -42, 0, "elsewhere", kb)
	require.NoError(t, err)
	eve := tgapitest.User{ID: 666, FirstName: "Eve"}
	f.srv.PressButton(-42, otherID, "v1|resolve|c1", eve)
	// Data no button of the message carries (a modified client), and
	// garbage.
	forged := f.srv.InjectCallback(testChat, msgID, "v1|spam|zz9", eve)
	garbage := f.srv.InjectCallback(testChat, msgID, "v2|resolve|c1", eve)
	// Then a real press, which must be the only one handled.
	real := f.srv.PressButton(testChat, msgID, "v1|claim|c1", tgapitest.User{ID: 5, FirstName: "Bo"})

	a := <-h.got
	require.Equal(t, notify.Action{Kind: notify.ActionClaim, CaseID: "c1", Actor: "telegram:5", At: fixedNow}, a)
	answers := waitAnswers(t, f.srv, 3)
	require.Equal(t, []tgapitest.CallbackAnswer{
		{QueryID: forged, Text: textInvalid},
		{QueryID: garbage, Text: textInvalid},
		{QueryID: real, Text: "Case claimd by you"},
	}, answers, "the press in the other chat is not answered")
	require.Len(t, h.all(), 1)
	require.Equal(t, 1.0, testutil.ToFloat64(f.r.metrics.callbacks.WithLabelValues(callbackIgnored)))
	require.Equal(t, 2.0, testutil.ToFloat64(f.r.metrics.callbacks.WithLabelValues(callbackInvalid)))
}

// TestRunActionsRetries runs in a synctest bubble against the in-process
// fake: a 429 with retry_after 30 delays the next poll by 30 s of fake
// time, two 500s are retried with backoff, and a press is then handled.
func TestRunActionsRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := tgapitest.NewInProcess(t, testToken)
		f := newFixtureOn(t, srv, "http://tgapitest.invalid", nil)
		ref, err := f.r.Post(t.Context(), group(firing("c1", "Urgent", "")))
		require.NoError(t, err)
		_, msgID, _ := parseRef(ref)
		srv.FailNextWith(1, tgapitest.Failure{Code: 429, RetryAfter: 30, Method: "getUpdates"})
		srv.FailNextWith(2, tgapitest.Failure{Code: 500, Method: "getUpdates"})
		srv.PressButton(testChat, msgID, "v1|replied|c1", tgapitest.User{ID: 9})

		h := newRecorder()
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		start := time.Now()
		go func() { done <- f.r.RunActions(ctx, h) }()
		a := <-h.got
		require.Equal(t, notify.ActionReplied, a.Kind)
		waited := time.Since(start)
		require.GreaterOrEqual(t, waited, 30*time.Second, "retry_after is honoured")
		require.Less(t, waited, 31*time.Second)
		synctest.Wait() // the answer is sent and the next poll waits
		require.Equal(t, 5, srv.Calls("getUpdates"))
		require.Equal(t, 3.0, testutil.ToFloat64(f.r.metrics.pollErrors))
		require.Equal(t, 2, strings.Count(f.logs.String(), "telegram actions poll failed"), "a repeated error is logged once")
		require.Len(t, srv.Answers(), 1)
		cancel()
		require.NoError(t, <-done)
		require.Zero(t, srv.PendingUpdates(), "the handled press is confirmed at shutdown")
	})
}

// TestRunActionsAnswerRetried: when the answer cannot be sent, the update
// is not confirmed, and the answer is retried without calling the
// handler again.
func TestRunActionsAnswerRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := tgapitest.NewInProcess(t, testToken)
		f := newFixtureOn(t, srv, "http://tgapitest.invalid", nil)
		ref, err := f.r.Post(t.Context(), group(firing("c1", "Urgent", "")))
		require.NoError(t, err)
		_, msgID, _ := parseRef(ref)
		srv.FailNextWith(2, tgapitest.Failure{Code: 502, Method: "answerCallbackQuery"})
		srv.PressButton(testChat, msgID, "v1|spam|c1", tgapitest.User{ID: 9})

		h := newRecorder()
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- f.r.RunActions(ctx, h) }()
		<-h.got
		time.Sleep(time.Second) // past the backoff of both failures
		synctest.Wait()
		require.Len(t, srv.Answers(), 1)
		require.Equal(t, 3, srv.Calls("answerCallbackQuery"))
		require.Len(t, h.all(), 1, "the handler ran once")
		cancel()
		require.NoError(t, <-done)
		require.Zero(t, srv.PendingUpdates())
	})
}

// TestRateLimitSpacesPosts posts a burst to one group with the default
// limits against a fake enforcing Telegram's: nothing is refused and
// posts are a second apart in fake time.
func TestRateLimitSpacesPosts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := tgapitest.NewInProcess(t, testToken)
		srv.SetFloodLimits(tgapitest.DocumentedFloodLimits())
		f := newFixtureOn(t, srv, "http://tgapitest.invalid", func(c *Config) {
			c.ChatInterval = DefaultConfig().ChatInterval
			c.GroupMessagesPerMinute = DefaultConfig().GroupMessagesPerMinute
		})
		start := time.Now()
		var refs []notify.PostRef
		for range 3 {
			ref, err := f.r.Post(t.Context(), group(firing("c1", "Urgent", "")))
			require.NoError(t, err)
			refs = append(refs, ref)
		}
		require.NoError(t, f.r.Update(t.Context(), refs[0], group(resolved(firing("c1", "Urgent", "")))))
		require.Equal(t, 3*time.Second, time.Since(start), "edits count like messages")
		msgs := srv.Messages(testChat)
		require.Len(t, msgs, 3)
		for i := 1; i < 3; i++ {
			require.Equal(t, time.Second, msgs[i].Date.Sub(msgs[i-1].Date))
		}
		require.Equal(t, 3*time.Second, msgs[0].EditDate.Sub(msgs[0].Date))
	})
}

func TestMetricsLint(t *testing.T) {
	f := newFixture(t, nil)
	_, err := f.r.Post(t.Context(), group(firing("c1", "x", "")))
	require.NoError(t, err)
	// A second receiver on the same registry shares the metrics.
	cfg := testConfig(t)
	cfg.Name = "oncall"
	_, err = New(cfg, slog.New(slog.DiscardHandler), f.reg)
	require.NoError(t, err)
	problems, err := testutil.GatherAndLint(f.reg)
	require.NoError(t, err)
	require.Empty(t, problems)
	require.Equal(t, 2*4*(1+len(notify.Reasons())), testutil.CollectAndCount(f.reg, "vigia_notify_telegram_requests_total"))
}

// TestRunActionsWrongToken: a revoked token is retried with backoff, not
// returned, and logged once, without the token.
func TestRunActionsWrongToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := tgapitest.NewInProcess(t, "1:the-real-token")
		f := newFixtureOn(t, srv, "http://tgapitest.invalid", nil)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- f.r.RunActions(ctx, newRecorder()) }()
		time.Sleep(time.Minute)
		synctest.Wait()
		cancel()
		require.NoError(t, <-done)
		require.Greater(t, testutil.ToFloat64(f.r.metrics.pollErrors), 3.0)
		require.Equal(t, 1, strings.Count(f.logs.String(), "telegram actions poll failed"))
		require.Contains(t, f.logs.String(), "401 Unauthorized")
		require.NotContains(t, f.logs.String(), "SECRET_token")
	})
}
