package mattermost

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/notify"
	"github.com/vigia-dev/vigia/internal/mmapi/mmtest"
)

const actionPath = "/api/v1/actions/mattermost"

// newTestReceiver returns a receiver posting to srv's channel with the
// bot token (through bot_token_env), signing buttons with signer.
func newTestReceiver(t *testing.T, srv *mmtest.Server, cfg Config, opts Options) *Receiver {
	t.Helper()
	t.Setenv("VIGIA_TEST_MM_TOKEN", srv.BotToken)
	if cfg.Name == "" {
		cfg.Name = "team"
	}
	if cfg.URL == "" {
		cfg.URL = srv.URL
	}
	cfg.BotTokenEnv = "VIGIA_TEST_MM_TOKEN"
	cfg.ChannelID = srv.Channel.Id
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	r, err := New(cfg, opts)
	require.NoError(t, err)
	return r
}

// botPosts returns the channel's posts written by the bot (Mattermost adds
// its own "joined the channel" posts), newest first.
func botPosts(t *testing.T, srv *mmtest.Server) []*model.Post {
	t.Helper()
	all, err := srv.ChannelPosts(t.Context())
	require.NoError(t, err)
	var out []*model.Post
	for _, p := range all {
		if p.UserId == srv.BotUserID {
			out = append(out, p)
		}
	}
	return out
}

func TestPostAndUpdate(t *testing.T) {
	srv := mmtest.New(t)
	reg := prometheus.NewRegistry()
	rcv := newTestReceiver(t, srv, Config{ActionURL: "http://127.0.0.1:1" + actionPath}, Options{Signer: testSigner(t), Registerer: reg})
	ctx := t.Context()
	now := time.Now()

	a1 := testAlert("urgent", "x:1", "Urgent complaint", now.Add(-2*time.Minute))
	a2 := testAlert("sla_warning", "x:2", "SLA warning", now.Add(-time.Minute))
	ref, err := rcv.Post(ctx, testGroup(a1, a2))
	require.NoError(t, err)

	posts := botPosts(t, srv)
	require.Len(t, posts, 1)
	require.Equal(t, string(ref), posts[0].Id)
	att := posts[0].Attachments()
	require.Len(t, att, 3)
	require.Equal(t, "[FIRING:2] acme", att[0].Title)
	require.Equal(t, notify.SeverityCritical.Color(), att[0].Color)
	require.Len(t, att[0].Fields, 1)
	require.Equal(t, "brand", att[0].Fields[0].Title)
	require.Equal(t, "acme", att[0].Fields[0].Value)
	require.True(t, bool(att[0].Fields[0].Short))
	require.Equal(t, "Urgent complaint", att[1].Title)
	require.Equal(t, "SLA warning", att[2].Title)
	require.Equal(t, notify.SeverityWarning.Color(), att[2].Color)
	for _, a := range att[1:] {
		var names []string
		for _, act := range a.Actions {
			names = append(names, act.Name)
			require.NotEmpty(t, act.Id, "Mattermost gives every button an id")
			require.Nil(t, act.Integration, "Mattermost never shows a button's integration to clients")
		}
		require.Equal(t, []string{"Claim", "Replied", "Resolve", "Not a complaint", "Spam"}, names)
	}

	// a1 resolved, a3 added: the same post changes.
	a1.EndsAt = now.Add(-time.Second)
	a3 := testAlert("influencer_complaint", "x:3", "Influencer complaint", now)
	g := testGroup(a2, a3, a1)
	g.Kind, g.Version = "update", 2
	require.NoError(t, rcv.Update(ctx, ref, g))

	posts = botPosts(t, srv)
	require.Len(t, posts, 1, "an update edits the post, it does not add one")
	require.Equal(t, string(ref), posts[0].Id)
	require.NotZero(t, posts[0].EditAt)
	att = posts[0].Attachments()
	require.Len(t, att, 4)
	require.Equal(t, "[FIRING:2] acme", att[0].Title)
	require.Equal(t, notify.SeverityWarning.Color(), att[0].Color)
	require.Equal(t, []string{"SLA warning", "Influencer complaint", "Resolved: Urgent complaint"}, []string{att[1].Title, att[2].Title, att[3].Title})
	require.Len(t, att[2].Actions, len(notify.Actions()))
	require.Empty(t, att[3].Actions)

	require.Equal(t, 1.0, testutil.ToFloat64(rcv.metrics.requests.WithLabelValues("team", opPost, resultOK)))
	require.Equal(t, 1.0, testutil.ToFloat64(rcv.metrics.requests.WithLabelValues("team", opUpdate, resultOK)))
	problems, err := testutil.GatherAndLint(reg)
	require.NoError(t, err)
	require.Empty(t, problems)
}

// actionServer serves an ActionHandler on 127.0.0.1, where the local
// Mattermost server is allowed to call.
func actionServer(t *testing.T, signer *notify.Signer, rec *recorder) (string, *ActionHandler) {
	t.Helper()
	h, err := NewActionHandler(signer, rec, ActionOptions{})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle(actionPath, h)
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return hs.URL + actionPath, h
}

func TestButtonPress(t *testing.T) {
	srv := mmtest.New(t)
	signer := testSigner(t)
	rec := newRecorder()
	actionURL, h := actionServer(t, signer, rec)
	rcv := newTestReceiver(t, srv, Config{ActionURL: actionURL}, Options{Signer: signer})
	ctx := t.Context()
	now := time.Now()

	ref, err := rcv.Post(ctx, testGroup(testAlert("urgent", "x:1", "Urgent complaint", now)))
	require.NoError(t, err)
	require.NoError(t, srv.Press(ctx, string(ref), notify.ActionResolve.Title()))

	select {
	case a := <-rec.got:
		require.Equal(t, notify.ActionResolve, a.Kind)
		require.Equal(t, "x:1", a.CaseID)
		require.Equal(t, "mattermost:"+srv.UserName, a.Actor)
		require.WithinDuration(t, time.Now(), a.At, time.Minute)
	case <-time.After(30 * time.Second):
		t.Fatal("the action endpoint was not called")
	}
	require.Equal(t, 1.0, testutil.ToFloat64(h.metrics.presses.WithLabelValues(string(notify.ActionResolve), actionOK)))
}

func TestButtonPressRefused(t *testing.T) {
	srv := mmtest.New(t)
	signer := testSigner(t)
	rec := newRecorder()
	actionURL, h := actionServer(t, signer, rec)
	forger, err := notify.NewSigner([]byte("another-key-of-32-bytes-length!!"), time.Hour)
	require.NoError(t, err)
	tests := []struct {
		name   string
		signer *notify.Signer
		now    func() time.Time
	}{
		{name: "forged", signer: forger},
		{name: "expired", signer: signer, now: func() time.Time { return time.Now().Add(-2 * time.Hour) }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := newTestReceiver(t, srv, Config{ActionURL: actionURL}, Options{Signer: tt.signer, Now: tt.now})
			ref, err := rcv.Post(t.Context(), testGroup(testAlert("urgent", "x:9", "Urgent complaint", time.Now())))
			require.NoError(t, err)
			err = srv.Press(t.Context(), string(ref), notify.ActionResolve.Title())
			require.Error(t, err, "Mattermost reports the endpoint's refusal to the person")
			require.Empty(t, rec.all(), "nothing was applied")
			require.Equal(t, float64(i+1), testutil.ToFloat64(h.metrics.presses.WithLabelValues("unknown", actionBadSignature)),
				"Mattermost called the endpoint, which refused")
		})
	}
}

func TestDeliveryErrors(t *testing.T) {
	srv := mmtest.New(t)
	g := testGroup(testAlert("urgent", "x:1", "Urgent complaint", time.Now()))
	hung := hungServer(t)
	tests := []struct {
		name   string
		url    string
		token  string
		reason notify.Reason
	}{
		{name: "wrong token", url: srv.URL, token: "wrongtokenwrongtokenwrongt", reason: notify.ReasonAuthError},
		{name: "refused", url: "http://" + closedAddr(t), token: "sometokensometokensometok", reason: notify.ReasonTimeout},
		{name: "no answer", url: hung, token: "sometokensometokensometok", reason: notify.ReasonTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("VIGIA_TEST_MM_BAD_TOKEN", tt.token)
			rcv, err := New(Config{
				Name: "team", URL: tt.url, BotTokenEnv: "VIGIA_TEST_MM_BAD_TOKEN", ChannelID: srv.Channel.Id,
				Timeout: 500 * time.Millisecond,
			}, Options{})
			require.NoError(t, err)
			_, err = rcv.Post(t.Context(), g)
			require.Error(t, err)
			reason, _ := notify.ReasonOf(err)
			require.Equal(t, tt.reason, reason, "got %v", err)
			require.NotContains(t, err.Error(), tt.token)
			require.Equal(t, 1.0, testutil.ToFloat64(rcv.metrics.requests.WithLabelValues("team", opPost, string(tt.reason))))

			err = rcv.Update(t.Context(), notify.PostRef(model.NewId()), g)
			reason, _ = notify.ReasonOf(err)
			require.Equal(t, tt.reason, reason, "got %v", err)
			require.NotContains(t, err.Error(), tt.token)
		})
	}
}

func TestUpdateMissingPost(t *testing.T) {
	srv := mmtest.New(t)
	rcv := newTestReceiver(t, srv, Config{}, Options{})
	ctx := t.Context()
	g := testGroup(testAlert("urgent", "x:1", "s", time.Now()))
	deleted, err := rcv.Post(ctx, g)
	require.NoError(t, err)
	_, err = srv.Admin.DeletePost(ctx, string(deleted))
	require.NoError(t, err)
	tests := []struct {
		name string
		ref  notify.PostRef
		gone bool
	}{
		{name: "not an id", ref: "not-an-id"},
		{name: "never existed", ref: notify.PostRef(model.NewId()), gone: true},
		{name: "deleted", ref: deleted, gone: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rcv.Update(ctx, tt.ref, g)
			reason, _ := notify.ReasonOf(err)
			require.Equal(t, notify.ReasonClientError, reason, "got %v", err)
			require.Equal(t, tt.gone, errors.Is(err, ErrPostGone), "got %v", err)
		})
	}
}

// TestActionHandlerAnswers drives the endpoint directly with what
// Mattermost sends, and with what it must refuse.
func TestActionHandlerAnswers(t *testing.T) {
	now := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	signer := testSigner(t)
	forger, err := notify.NewSigner([]byte("another-key-of-32-bytes-length!!"), time.Hour)
	require.NoError(t, err)
	body := func(token string) string {
		b, err := json.Marshal(model.PostActionIntegrationRequest{
			UserId: "u1", UserName: "ana", PostId: "p1", Context: map[string]any{contextToken: token},
		})
		require.NoError(t, err)
		return string(b)
	}
	tests := []struct {
		name   string
		method string
		body   string
		status int
		want   *notify.Action
	}{
		{name: "valid", body: body(signer.Sign(notify.ActionClaim, "x:1", now)), status: http.StatusOK,
			want: &notify.Action{Kind: notify.ActionClaim, CaseID: "x:1", Actor: "mattermost:ana", At: now}},
		{name: "forged", body: body(forger.Sign(notify.ActionClaim, "x:1", now)), status: http.StatusForbidden},
		{name: "expired", body: body(signer.Sign(notify.ActionClaim, "x:1", now.Add(-2*time.Hour))), status: http.StatusForbidden},
		{name: "tampered case", body: body(tamper(signer.Sign(notify.ActionClaim, "x:1", now))), status: http.StatusForbidden},
		{name: "no token", body: `{"user_id":"u1","user_name":"ana","context":{}}`, status: http.StatusForbidden},
		{name: "bad json", body: `{"user_id":`, status: http.StatusBadRequest},
		{name: "no user", body: `{"context":{"token":"` + signer.Sign(notify.ActionClaim, "x:1", now) + `"}}`, status: http.StatusBadRequest},
		{name: "too big", body: `{"user_name":"` + string(bytes.Repeat([]byte("a"), MaxActionBodyBytes)) + `"}`, status: http.StatusRequestEntityTooLarge},
		{name: "get", method: http.MethodGet, status: http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder()
			h, err := NewActionHandler(signer, rec, ActionOptions{Now: func() time.Time { return now }})
			require.NoError(t, err)
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(method, actionPath, bytes.NewBufferString(tt.body)))
			require.Equal(t, tt.status, w.Code, w.Body.String())
			require.Equal(t, "application/json", w.Header().Get("Content-Type"))
			if tt.want == nil {
				require.Empty(t, rec.all())
				var e map[string]string
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
				require.NotEmpty(t, e["error"])
				return
			}
			require.Equal(t, []notify.Action{*tt.want}, rec.all())
			var resp model.PostActionIntegrationResponse
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &resp))
			require.Equal(t, "Case x:1: Claim", resp.EphemeralText)
		})
	}
}

func TestActionHandlerFailure(t *testing.T) {
	now := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	signer := testSigner(t)
	h, err := NewActionHandler(signer, notify.ActionHandlerFunc(func(context.Context, notify.Action) (string, error) {
		return "", context.DeadlineExceeded
	}), ActionOptions{Now: func() time.Time { return now }})
	require.NoError(t, err)
	b, err := json.Marshal(model.PostActionIntegrationRequest{UserName: "ana", Context: map[string]any{contextToken: signer.Sign(notify.ActionResolve, "x:1", now)}})
	require.NoError(t, err)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, actionPath, bytes.NewReader(b)))
	require.Equal(t, http.StatusOK, w.Code)
	var resp model.PostActionIntegrationResponse
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &resp))
	require.Equal(t, `Vigía could not apply "Resolve" to case x:1; try again in a moment.`, resp.EphemeralText)
	require.Equal(t, 1.0, testutil.ToFloat64(h.metrics.presses.WithLabelValues("resolve", actionFailed)))
}

// tamper changes the case id of a token and keeps its MAC.
func tamper(token string) string {
	b := []byte(token)
	i := bytes.IndexByte(b, '.')
	b[i+1] = 'y'
	return string(b)
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// hungServer accepts connections and never answers.
func hungServer(t *testing.T) string {
	t.Helper()
	block := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(block); hs.Close() })
	return hs.URL
}
