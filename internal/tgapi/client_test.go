package tgapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/tgapi"
	"github.com/vigia-dev/vigia/internal/tgapi/tgapitest"
)

const token = "123456:AAH-secret_TOKEN-value"

func newClient(t *testing.T, srv *tgapitest.Server, opts ...func(*tgapi.Options)) *tgapi.Client {
	t.Helper()
	o := tgapi.Options{Token: token, BaseURL: srv.URL, Timeout: 5 * time.Second, HTTPClient: srv.Client(), Limits: tgapi.Limits{ChatInterval: -1, GroupPerMinute: -1}}
	for _, f := range opts {
		f(&o)
	}
	c, err := tgapi.New(o)
	require.NoError(t, err)
	return c
}

// requireNoToken fails if token shows in err or anything it wraps.
func requireNoToken(t *testing.T, err error) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		require.NotContains(t, e.Error(), token)
		require.NotContains(t, fmt.Sprintf("%+v %#v", e, e), token)
		require.NotContains(t, e.Error(), strings.Split(token, ":")[1])
	}
}

func TestSendAndEdit(t *testing.T) {
	srv := tgapitest.NewServer(t, token)
	c := newClient(t, srv)
	ctx := t.Context()
	const chat = -1001234567890
	kb := tgapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgapi.InlineKeyboardButton{{tgapi.CallbackButton("Claim", "v1|claim|abc")}}}

	me, err := c.GetMe(ctx)
	require.NoError(t, err)
	require.True(t, me.IsBot)
	require.EqualValues(t, 123456, me.ID)

	id, err := c.SendMessage(ctx, chat, 42, "<b>Urgent</b> &amp; more", &kb)
	require.NoError(t, err)
	msgs := srv.Messages(chat)
	require.Len(t, msgs, 1)
	m := msgs[0]
	require.Equal(t, id, m.ID)
	require.Equal(t, 42, m.ThreadID)
	require.Equal(t, "Urgent & more", m.Text)
	require.Equal(t, "HTML", m.ParseMode)
	require.Equal(t, []tgapitest.Entity{{Type: "bold", Offset: 0, Length: 6}}, m.Entities)
	require.Equal(t, [][]tgapitest.Button{{{Text: "Claim", CallbackData: "v1|claim|abc"}}}, m.Keyboard)

	require.NoError(t, c.EditMessageText(ctx, chat, id, "<i>Resolved</i>", &kb))
	m, ok := srv.Message(chat, id)
	require.True(t, ok)
	require.Equal(t, "Resolved", m.Text)
	require.Equal(t, 1, m.Edits)

	// The same content again: Telegram's "message is not modified" is success.
	require.NoError(t, c.EditMessageText(ctx, chat, id, "<i>Resolved</i>", &kb))
	m, _ = srv.Message(chat, id)
	require.Equal(t, 1, m.Edits)
	require.Equal(t, 2, srv.Calls("editMessageText"))

	// Without a keyboard the keyboard goes, which is a modification.
	require.NoError(t, c.EditMessageText(ctx, chat, id, "<i>Resolved</i>", nil))
	m, _ = srv.Message(chat, id)
	require.Nil(t, m.Keyboard)
	require.Equal(t, 2, m.Edits)

	err = c.EditMessageText(ctx, chat, id+100, "x", nil)
	var apiErr *tgapi.Error
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, 400, apiErr.Code)
	require.Contains(t, apiErr.Description, "message to edit not found")
	require.Len(t, srv.Messages(chat), 1)
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name       string
		failure    tgapitest.Failure
		code       int
		retryAfter time.Duration
		desc       string
	}{
		{"flood", tgapitest.Failure{Code: 429, RetryAfter: 7}, 429, 7 * time.Second, "Too Many Requests: retry after 7"},
		{"server", tgapitest.Failure{Code: 500}, 500, 0, "Internal Server Error"},
		{"forbidden", tgapitest.Failure{Code: 403, Description: "Forbidden: bot was kicked from the group chat"}, 403, 0, "Forbidden: bot was kicked"},
		{"proxy page", tgapitest.Failure{Code: 502, Body: "<html><body>502 Bad Gateway</body></html>"}, 502, 0, "Bad Gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tgapitest.NewServer(t, token)
			c := newClient(t, srv)
			srv.FailNextWith(1, tt.failure)
			_, err := c.SendMessage(t.Context(), 5, 0, "hi", nil)
			var apiErr *tgapi.Error
			require.ErrorAs(t, err, &apiErr)
			require.Equal(t, tt.code, apiErr.Code)
			require.Equal(t, tt.retryAfter, apiErr.RetryAfter)
			require.Contains(t, apiErr.Description, tt.desc)
			require.Equal(t, "sendMessage", apiErr.Method)
			requireNoToken(t, err)
			// The failure was used up. (Another chat: a 429 holds chat 5 back.)
			_, err = c.SendMessage(t.Context(), 6, 0, "hi", nil)
			require.NoError(t, err)
		})
	}
}

func TestTokenNeverInErrors(t *testing.T) {
	t.Run("wrong token", func(t *testing.T) {
		srv := tgapitest.NewServer(t, "999:other")
		c := newClient(t, srv)
		_, err := c.GetMe(t.Context())
		var apiErr *tgapi.Error
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, http.StatusUnauthorized, apiErr.Code)
		require.Equal(t, "Unauthorized", apiErr.Description)
		requireNoToken(t, err)
	})
	t.Run("connection refused", func(t *testing.T) {
		srv := tgapitest.NewServer(t, token)
		c := newClient(t, srv)
		srv.Close()
		_, err := c.SendMessage(t.Context(), 5, 0, "hi", nil)
		require.Error(t, err)
		require.Contains(t, err.Error(), "/bot<token>/sendMessage")
		requireNoToken(t, err)
		var apiErr *tgapi.Error
		require.False(t, errors.As(err, &apiErr))
	})
	t.Run("timeout", func(t *testing.T) {
		srv := tgapitest.NewServer(t, token)
		srv.SetLatency(time.Minute)
		c := newClient(t, srv, func(o *tgapi.Options) { o.Timeout = 50 * time.Millisecond })
		_, err := c.SendMessage(t.Context(), 5, 0, "hi", nil)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		requireNoToken(t, err)
	})
	t.Run("cancelled", func(t *testing.T) {
		srv := tgapitest.NewServer(t, token)
		c := newClient(t, srv)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := c.AnswerCallbackQuery(ctx, "1", "ok")
		require.ErrorIs(t, err, context.Canceled)
		require.Zero(t, srv.Calls("answerCallbackQuery"))
	})
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		o    tgapi.Options
		want string
	}{
		{"no token", tgapi.Options{}, "bot token is empty"},
		{"token with slash", tgapi.Options{Token: "1:abc/../x"}, "bot token has characters"},
		{"bad url", tgapi.Options{Token: "1:a", BaseURL: "ftp://x"}, "base url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tgapi.New(tt.o)
			require.ErrorContains(t, err, tt.want)
			require.NotContains(t, err.Error(), "abc/../x")
		})
	}
}

func TestCallbacksThroughGetUpdates(t *testing.T) {
	srv := tgapitest.NewServer(t, token)
	c := newClient(t, srv)
	ctx := t.Context()
	kb := tgapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgapi.InlineKeyboardButton{{tgapi.CallbackButton("Resolve", "v1|resolve|c1")}}}
	id, err := c.SendMessage(ctx, 77, 0, "case", &kb)
	require.NoError(t, err)

	// Nothing yet: a poll with timeout 0 returns at once.
	ups, err := c.GetUpdates(ctx, 0, 0)
	require.NoError(t, err)
	require.Empty(t, ups)

	got := make(chan []tgapi.Update, 1)
	go func() {
		ups, err := c.GetUpdates(ctx, 0, 10*time.Second, "callback_query")
		if err != nil {
			t.Error(err)
		}
		got <- ups
	}()
	waitCalls(t, srv, "getUpdates", 2)
	qid := srv.PressButton(77, id, "v1|resolve|c1", tgapitest.User{ID: 555, FirstName: "Ana"})
	ups = <-got
	require.Len(t, ups, 1)
	cq := ups[0].CallbackQuery
	require.NotNil(t, cq)
	require.Equal(t, qid, cq.ID)
	require.Equal(t, "v1|resolve|c1", cq.Data)
	require.EqualValues(t, 555, cq.From.ID)
	require.EqualValues(t, 77, cq.Message.Chat.ID)
	require.Equal(t, id, cq.Message.MessageID)

	require.NoError(t, c.AnswerCallbackQuery(ctx, cq.ID, strings.Repeat("é", 300)))
	answers := srv.Answers()
	require.Len(t, answers, 1)
	require.Equal(t, 200, len([]rune(answers[0].Text)))
	// A query is answered once.
	var apiErr *tgapi.Error
	require.ErrorAs(t, c.AnswerCallbackQuery(ctx, cq.ID, "again"), &apiErr)
	require.Contains(t, apiErr.Description, "query is too old")

	// Until confirmed by the offset, the update is delivered again.
	require.Equal(t, 1, srv.PendingUpdates())
	ups, err = c.GetUpdates(ctx, ups[0].UpdateID+1, 0)
	require.NoError(t, err)
	require.Empty(t, ups)
	require.Zero(t, srv.PendingUpdates())
}

func TestGetUpdatesCancelAndConflict(t *testing.T) {
	srv := tgapitest.NewServer(t, token)
	c := newClient(t, srv)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := c.GetUpdates(ctx, 0, time.Minute)
		done <- err
	}()
	waitCalls(t, srv, "getUpdates", 1)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)

	// A second poller terminates the first with 409 Conflict.
	go func() {
		_, err := c.GetUpdates(t.Context(), 0, time.Minute)
		done <- err
	}()
	waitCalls(t, srv, "getUpdates", 2)
	ups, err := c.GetUpdates(t.Context(), 0, 0)
	require.NoError(t, err)
	require.Empty(t, ups)
	var apiErr *tgapi.Error
	require.ErrorAs(t, <-done, &apiErr)
	require.Equal(t, http.StatusConflict, apiErr.Code)
}

// waitCalls waits until the server has seen n calls of method.
func waitCalls(t *testing.T, srv *tgapitest.Server, method string, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return srv.Calls(method) >= n }, 5*time.Second, time.Millisecond)
}

// TestClientKeepsToFloodLimits sends a burst to one group through the
// client's limiter against a fake enforcing Telegram's documented limits:
// nothing is refused, and the messages are a second apart, then held back
// by the 20-per-minute group limit.
func TestClientKeepsToFloodLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := tgapitest.NewInProcess(t, token)
		srv.SetFloodLimits(tgapitest.DocumentedFloodLimits())
		c, err := tgapi.New(tgapi.Options{Token: token, BaseURL: "http://tgapitest.invalid", HTTPClient: srv.Client()})
		require.NoError(t, err)
		const group = -100
		start := time.Now()
		for i := range 22 {
			_, err := c.SendMessage(t.Context(), group, 0, fmt.Sprintf("m%d", i), nil)
			require.NoError(t, err)
		}
		msgs := srv.Messages(group)
		require.Len(t, msgs, 22)
		for i := 1; i < 20; i++ {
			require.Equal(t, time.Second, msgs[i].Date.Sub(msgs[i-1].Date), "message %d", i)
		}
		require.Equal(t, time.Minute, msgs[20].Date.Sub(start), "the 21st waits for the first to leave the minute")
		require.Equal(t, time.Minute+time.Second, msgs[21].Date.Sub(start))

		// Another chat is not held back by this one.
		before := time.Now()
		_, err = c.SendMessage(t.Context(), 9, 0, "other", nil)
		require.NoError(t, err)
		require.Equal(t, before, time.Now())
	})
}

func TestClientHonoursRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := tgapitest.NewInProcess(t, token)
		c, err := tgapi.New(tgapi.Options{Token: token, BaseURL: "http://tgapitest.invalid", HTTPClient: srv.Client()})
		require.NoError(t, err)
		srv.FailNextWith(1, tgapitest.Failure{Code: 429, RetryAfter: 30})
		start := time.Now()
		_, err = c.SendMessage(t.Context(), 5, 0, "a", nil)
		var apiErr *tgapi.Error
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, 30*time.Second, apiErr.RetryAfter)
		_, err = c.SendMessage(t.Context(), 5, 0, "b", nil)
		require.NoError(t, err)
		require.Equal(t, 30*time.Second, time.Since(start), "the next message waits out retry_after")
	})
}
