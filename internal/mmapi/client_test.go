package mmapi_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/mmapi"
	"github.com/vigia-dev/vigia/internal/mmapi/mmtest"
)

func TestPostLifecycle(t *testing.T) {
	srv := mmtest.New(t)
	c, err := mmapi.New(mmapi.Options{URL: srv.URL, Token: srv.BotToken})
	require.NoError(t, err)
	ctx := t.Context()
	require.NoError(t, c.Ping(ctx))

	created, err := c.CreatePost(ctx, &model.Post{ChannelId: srv.Channel.Id, Message: "first"})
	require.NoError(t, err)
	require.NotEmpty(t, created.Id)
	require.Equal(t, srv.BotUserID, created.UserId)

	msg := "patched"
	patched, err := c.PatchPost(ctx, created.Id, &model.PostPatch{Message: &msg})
	require.NoError(t, err)
	require.Equal(t, created.Id, patched.Id)

	patched.Message = "updated"
	_, err = c.UpdatePost(ctx, patched)
	require.NoError(t, err)

	got, err := c.GetPost(ctx, created.Id)
	require.NoError(t, err)
	require.Equal(t, "updated", got.Message)
	require.NotZero(t, got.EditAt, "the post was edited, not replaced")

	_, err = c.GetPost(ctx, model.NewId())
	var e *mmapi.Error
	require.ErrorAs(t, err, &e)
	require.True(t, e.NotFound() || e.StatusCode == http.StatusForbidden, "got %v", err)
}

func TestErrors(t *testing.T) {
	srv := mmtest.New(t)
	const badToken = "zzzzzzzzzzzzzzzzzzzzzzzzzz"
	tests := []struct {
		name    string
		url     string
		token   string
		status  int
		timeout bool
	}{
		{name: "wrong token", url: srv.URL, token: badToken, status: http.StatusUnauthorized},
		{name: "unreachable", url: "http://" + closedAddr(t), token: badToken, timeout: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := mmapi.New(mmapi.Options{URL: tt.url, Token: tt.token, Timeout: 5 * time.Second})
			require.NoError(t, err)
			_, err = c.CreatePost(t.Context(), &model.Post{ChannelId: srv.Channel.Id, Message: "x"})
			var e *mmapi.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tt.status, e.StatusCode)
			require.Equal(t, tt.timeout, e.Timeout)
			require.NotContains(t, err.Error(), tt.token)
		})
	}
}

// TestRetryAfter uses a wire fake: the local server runs without its rate
// limiter, so a 429 is produced here the way Mattermost's limiter answers.
func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header string
		want   time.Duration
	}{
		{name: "seconds", header: "7", want: 7 * time.Second},
		{name: "date", header: now.Add(time.Minute).Format(http.TimeFormat), want: time.Minute},
		{name: "absent", header: "", want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				http.Error(w, "limit exceeded", http.StatusTooManyRequests)
			}))
			defer fake.Close()
			const token = "sekrit-token-value"
			c, err := mmapi.New(mmapi.Options{URL: fake.URL, Token: token, Now: func() time.Time { return now }})
			require.NoError(t, err)
			_, err = c.CreatePost(context.Background(), &model.Post{ChannelId: "c", Message: "x"})
			var e *mmapi.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, http.StatusTooManyRequests, e.StatusCode)
			require.Equal(t, tt.want, e.RetryAfter)
			require.NotContains(t, err.Error(), token)
		})
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		opts mmapi.Options
	}{
		{name: "no scheme", opts: mmapi.Options{URL: "chat.example.com", Token: "t"}},
		{name: "no token", opts: mmapi.Options{URL: "https://chat.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mmapi.New(tt.opts)
			require.Error(t, err)
		})
	}
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
