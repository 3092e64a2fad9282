package ack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/notify"
	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/tgapi"
	"github.com/vigia-dev/vigia/internal/tgapi/tgapitest"
)

const botToken = "123456:AAH-secret_TOKEN-value"

func newTelegram(t *testing.T) (*tgapitest.Server, *tgapi.Client) {
	t.Helper()
	srv := tgapitest.NewServer(t, botToken)
	c, err := tgapi.New(tgapi.Options{Token: botToken, BaseURL: srv.URL, Timeout: 5 * time.Second, HTTPClient: srv.Client(),
		Limits: tgapi.Limits{ChatInterval: -1, GroupPerMinute: -1}})
	require.NoError(t, err)
	return srv, c
}

func testReply() Reply {
	return Reply{
		ID: "telegram:ack-0123456789abcdef-1", CaseID: "0123456789abcdef", Brand: "acme", Channel: message.ChannelTelegram,
		CustomerID: "4242", ConversationID: "4242", InReplyTo: "telegram:4242-7",
		Text: "Hola, <3 & gracias > nada. Te responderemos el lunes 23 de noviembre a las 09:30.", Lang: "es",
	}
}

func TestTelegramSenderDeliversToTheCustomersChat(t *testing.T) {
	srv, c := newTelegram(t)
	s := NewTelegramSender(c)
	r := testReply()
	id, err := s.Send(t.Context(), r)
	require.NoError(t, err)
	msgs := srv.Messages(4242)
	require.Len(t, msgs, 1)
	require.Equal(t, strconv.Itoa(msgs[0].ID), id)
	require.Equal(t, r.Text, msgs[0].Text, "plain text arrives as written: <, & and > escaped for HTML")
	require.Equal(t, srv.Bot(), msgs[0].From)
	require.Empty(t, msgs[0].Entities)

	// Without a conversation id, the customer's private chat.
	r.ConversationID, r.CustomerID = "", "5151"
	_, err = s.Send(t.Context(), r)
	require.NoError(t, err)
	require.Len(t, srv.Messages(5151), 1)
}

func TestTelegramSenderErrors(t *testing.T) {
	tests := []struct {
		name      string
		conv      string
		failure   *tgapitest.Failure
		reason    notify.Reason
		retryWait time.Duration
	}{
		{name: "not a chat id", conv: "@someone", reason: notify.ReasonClientError},
		{name: "the customer blocked the bot", conv: "4242",
			failure: &tgapitest.Failure{Code: 403, Description: "Forbidden: bot was blocked by the user"}, reason: notify.ReasonClientError},
		{name: "flood control", conv: "4242", failure: &tgapitest.Failure{Code: 429, RetryAfter: 7},
			reason: notify.ReasonRateLimited, retryWait: 7 * time.Second},
		{name: "Telegram is down", conv: "4242", failure: &tgapitest.Failure{Code: 502}, reason: notify.ReasonServerError},
		{name: "a revoked token", conv: "4242", failure: &tgapitest.Failure{Code: 401}, reason: notify.ReasonAuthError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := newTelegram(t)
			if tt.failure != nil {
				srv.FailNextWith(1, *tt.failure)
			}
			r := testReply()
			r.ConversationID = tt.conv
			_, err := NewTelegramSender(c).Send(t.Context(), r)
			require.Error(t, err)
			reason, wait := notify.ReasonOf(err)
			require.Equal(t, tt.reason, reason, "got %v", err)
			require.Equal(t, tt.retryWait, wait)
			require.NotContains(t, err.Error(), strings.Split(botToken, ":")[1])
			require.NotContains(t, err.Error(), "gracias", "no customer-facing text in errors")
		})
	}
}

// hook is an httptest endpoint standing for a brand's CRM: it answers
// with the given statuses in turn (then 200) and keeps what it received.
type hook struct {
	srv      *httptest.Server
	mu       sync.Mutex
	statuses []int
	header   http.Header
	answer   string
	reqs     []*http.Request
	bodies   [][]byte
}

func newHook(t *testing.T, answer string, statuses ...int) *hook {
	h := &hook{statuses: statuses, answer: answer}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.reqs, h.bodies = append(h.reqs, r), append(h.bodies, body)
		status := http.StatusOK
		if len(h.statuses) > 0 {
			status, h.statuses = h.statuses[0], h.statuses[1:]
		}
		for k, v := range h.header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, h.answer)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) set(answer string, header http.Header) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.answer, h.header = answer, header
}

func (h *hook) calls() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.reqs)
}

func TestWebhookSenderSignsTheReply(t *testing.T) {
	secret := []byte("s3cr3t-s3cr3t-s3cr3t")
	h := newHook(t, `{"id": 987654}`)
	s, err := NewWebhookSender(WebhookConfig{ReplyURL: h.srv.URL + "/replies", SecretEnv: "X"}, secret, time.Second)
	require.NoError(t, err)
	now := time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	r := testReply()
	r.Channel, r.ID, r.InReplyTo = message.ChannelWebhook, "webhook:ack-0123456789abcdef-1", "webhook:crm-77"
	id, err := s.Send(t.Context(), r)
	require.NoError(t, err)
	require.Equal(t, "987654", id)

	req, body := h.reqs[0], h.bodies[0]
	require.Equal(t, "/replies", req.URL.Path)
	require.Equal(t, "application/json", req.Header.Get("Content-Type"))
	require.Equal(t, string(r.ID), req.Header.Get(HeaderIdempotencyKey))
	ts := req.Header.Get(HeaderTimestamp)
	require.Equal(t, strconv.FormatInt(now.Unix(), 10), ts)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts + "." + string(body)))
	require.Equal(t, "sha256="+hex.EncodeToString(mac.Sum(nil)), req.Header.Get(HeaderSignature), "HMAC-SHA256 of <ts>.<body>")

	var got ReplyPayload
	require.NoError(t, json.Unmarshal(body, &got))
	require.Equal(t, ReplyPayload{
		Version: "1", ID: r.ID, Automatic: true, CaseID: r.CaseID, Brand: "acme", Channel: message.ChannelWebhook,
		CustomerID: "4242", ConversationID: "4242", InReplyTo: "webhook:crm-77", Text: r.Text, Lang: "es", CreatedAt: now,
	}, got)

	for answer, want := range map[string]string{`{"id":"msg-1"}`: "msg-1", ``: "", `accepted`: "", `{"ok":true}`: ""} {
		h.set(answer, nil)
		id, err := s.Send(t.Context(), r)
		require.NoError(t, err)
		require.Equal(t, want, id, "answer %q", answer)
	}
}

func TestWebhookSenderErrors(t *testing.T) {
	secret := "s3cr3t-s3cr3t-s3cr3t"
	tests := []struct {
		status int
		after  string
		reason notify.Reason
		wait   time.Duration
	}{
		{status: 400, reason: notify.ReasonClientError},
		{status: 401, reason: notify.ReasonAuthError},
		{status: 429, after: "30", reason: notify.ReasonRateLimited, wait: 30 * time.Second},
		{status: 503, after: "3", reason: notify.ReasonServerError, wait: 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			h := newHook(t, "", tt.status)
			h.set("nope", http.Header{"Retry-After": {tt.after}})
			s, err := NewWebhookSender(WebhookConfig{ReplyURL: h.srv.URL, SecretFile: "f"}, []byte(secret), time.Second)
			require.NoError(t, err)
			_, err = s.Send(t.Context(), testReply())
			reason, wait := notify.ReasonOf(err)
			require.Equal(t, tt.reason, reason, "got %v", err)
			require.Equal(t, tt.wait, wait)
			require.NotContains(t, err.Error(), secret)
			require.NotContains(t, err.Error(), "gracias")
		})
	}
	s, err := NewWebhookSender(WebhookConfig{ReplyURL: "http://127.0.0.1:1/", SecretEnv: "X"}, []byte(secret), time.Second)
	require.NoError(t, err)
	_, err = s.Send(t.Context(), testReply())
	reason, _ := notify.ReasonOf(err)
	require.Equal(t, notify.ReasonTimeout, reason)

	_, err = NewWebhookSender(WebhookConfig{ReplyURL: "https://crm.example", SecretEnv: "X"}, nil, time.Second)
	require.EqualError(t, err, "acknowledgement webhook: the signing secret is empty")
	_, err = NewWebhookSender(WebhookConfig{ReplyURL: "crm"}, []byte(secret), time.Second)
	require.ErrorContains(t, err, `webhook.reply_url: "crm"`)
}
