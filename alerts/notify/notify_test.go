package notify_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/dispatch"
	"github.com/vigia-dev/vigia/alerts/notify"
)

func TestCheckHTTP(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		status int
		header http.Header
		reason notify.Reason
		after  time.Duration
	}{
		{200, nil, "", 0},
		{204, nil, "", 0},
		{400, nil, notify.ReasonClientError, 0},
		{401, nil, notify.ReasonAuthError, 0},
		{403, nil, notify.ReasonAuthError, 0},
		{404, nil, notify.ReasonClientError, 0},
		{408, nil, notify.ReasonTimeout, 0},
		{429, http.Header{"Retry-After": {"7"}}, notify.ReasonRateLimited, 7 * time.Second},
		{429, http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, notify.ReasonRateLimited, 90 * time.Second},
		{429, http.Header{"Retry-After": {"soon"}}, notify.ReasonRateLimited, 0},
		{500, nil, notify.ReasonServerError, 0},
		{503, http.Header{"Retry-After": {"-3"}}, notify.ReasonServerError, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			err := notify.CheckHTTP(tt.status, h, "body", now)
			if tt.reason == "" {
				require.NoError(t, err)
				return
			}
			reason, after := notify.ReasonOf(err)
			require.Equal(t, tt.reason, reason)
			require.Equal(t, tt.after, after)
			require.Equal(t, tt.reason != notify.ReasonClientError, reason.Retryable())
		})
	}
}

func TestReasonOfPlainErrorIsRetryableTimeout(t *testing.T) {
	reason, after := notify.ReasonOf(fmt.Errorf("dial: %w", errors.New("connection refused")))
	require.Equal(t, notify.ReasonTimeout, reason)
	require.Zero(t, after)
	require.True(t, reason.Retryable())
}

func TestCheckHTTPTruncatesBody(t *testing.T) {
	err := notify.CheckHTTP(500, http.Header{}, strings.Repeat("x", 1000), time.Now())
	require.Less(t, len(err.Error()), 300)
}

func TestSigner(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s, err := notify.NewSigner([]byte("0123456789abcdef"), time.Hour)
	require.NoError(t, err)
	tok := s.Sign(notify.ActionResolve, "c0ffee", now)
	kind, id, err := s.Verify(tok, now.Add(59*time.Minute))
	require.NoError(t, err)
	require.Equal(t, notify.ActionResolve, kind)
	require.Equal(t, "c0ffee", id)

	other, err := notify.NewSigner([]byte("fedcba9876543210"), time.Hour)
	require.NoError(t, err)
	bad := []struct{ name, token string }{
		{"expired", tok},
		{"other key", other.Sign(notify.ActionResolve, "c0ffee", now)},
		{"changed action", strings.Replace(tok, "resolve", "spam", 1)},
		{"changed case", strings.Replace(tok, "c0ffee", "c0ffef", 1)},
		{"empty", ""},
		{"garbage", "a.b.c.d.e"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			at := now
			if tt.name == "expired" {
				at = now.Add(61 * time.Minute)
			}
			_, _, err := s.Verify(tt.token, at)
			require.ErrorIs(t, err, notify.ErrBadSignature)
		})
	}
	_, err = notify.NewSigner([]byte("short"), 0)
	require.Error(t, err)
}

func TestRender(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	g := dispatch.Group{
		Labels: map[string]string{"brand": "acme", "rule": "urgent"},
		Alerts: []alert.Alert{
			{Labels: map[string]string{"brand": "acme", "rule": "urgent", "case_id": "c1", "channel": "x"},
				Annotations: map[string]string{notify.AnnotationSummary: "Urgent: charged twice"}, StartsAt: now.Add(-time.Minute)},
			{Labels: map[string]string{"brand": "acme", "rule": "urgent", "case_id": "c2"}, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(-time.Second)},
		},
	}
	c := notify.Render(g, now, 0)
	require.Equal(t, "[FIRING:1] acme · urgent", c.Title)
	require.Equal(t, notify.SeverityCritical, c.Severity)
	require.Equal(t, []notify.Field{{"brand", "acme"}, {"rule", "urgent"}}, c.Fields)
	require.Len(t, c.Items, 2)
	require.Equal(t, "Urgent: charged twice", c.Items[0].Summary)
	require.Equal(t, "c1", c.Items[0].CaseID)
	require.Equal(t, []notify.Field{{"channel", "x"}}, c.Items[0].Fields)
	require.Equal(t, "urgent", c.Items[1].Summary)
	require.True(t, c.Items[1].Resolved)

	g.Alerts = g.Alerts[1:]
	c = notify.Render(g, now, 0)
	require.Equal(t, "[RESOLVED] acme · urgent", c.Title)
	require.Equal(t, notify.SeverityResolved, c.Severity)
	require.Len(t, notify.Render(g, now, 1).Items, 1)
}
