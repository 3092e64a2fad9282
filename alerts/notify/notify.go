package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vigia-dev/vigia/alerts/dispatch"
)

// PostRef identifies a post a receiver created, in the receiver's own terms
// (a Mattermost post id, a Telegram "chat:message" pair). It is stored by
// the outbox and handed back to Update.
type PostRef string

// Receiver delivers notifications of one configured destination. Post
// creates a post for a group's first notification; Update edits that post
// for every later one (alerts added or resolved, a repeat). Both return an
// *Error (see [Errorf]) when they fail, so the outbox knows whether and when
// to retry.
//
// This is Alertmanager's Notifier, extended so that one group is one post
// that changes, not a flood of messages.
type Receiver interface {
	// Name is the receiver's configured name.
	Name() string
	// Post creates the post for g and returns its reference.
	Post(ctx context.Context, g dispatch.Group) (PostRef, error)
	// Update replaces the content of the post ref with g.
	Update(ctx context.Context, ref PostRef, g dispatch.Group) error
}

// Reason is why a delivery failed. The set is bounded: it is the only
// failure label on metrics and in the notifications table.
type Reason string

// The failure reasons.
const (
	// ReasonRateLimited: the API answered 429 or its own "too many
	// requests"; retried after the time it asked for.
	ReasonRateLimited Reason = "rate_limited"
	// ReasonAuthError: 401 or 403, the token is wrong or revoked; retried
	// with backoff, since fixing the token must not lose what waited.
	ReasonAuthError Reason = "auth_error"
	// ReasonClientError: another 4xx; the request itself is wrong and is
	// not retried.
	ReasonClientError Reason = "client_error"
	// ReasonServerError: a 5xx; retried with backoff.
	ReasonServerError Reason = "server_error"
	// ReasonTimeout: no answer in time, or the connection failed; retried
	// with backoff.
	ReasonTimeout Reason = "timeout"
)

// Reasons lists every Reason, for pre-creating metric label values.
func Reasons() []Reason {
	return []Reason{ReasonRateLimited, ReasonAuthError, ReasonClientError, ReasonServerError, ReasonTimeout}
}

// Retryable reports whether a failure for this reason is worth retrying.
func (r Reason) Retryable() bool { return r != ReasonClientError }

// Error is a failed delivery: the reason, how long the API asked to wait
// (zero when it did not say) and the underlying error.
type Error struct {
	Reason     Reason
	RetryAfter time.Duration
	Err        error
}

// Error implements error.
func (e *Error) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("%s (retry after %s): %v", e.Reason, e.RetryAfter, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Reason, e.Err)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the reason and a formatted cause.
func Errorf(reason Reason, retryAfter time.Duration, format string, args ...any) error {
	return &Error{Reason: reason, RetryAfter: retryAfter, Err: fmt.Errorf(format, args...)}
}

// ReasonOf returns the reason and requested delay of err. Errors that are
// not an *Error (a cancelled context, a network failure) count as
// timeouts: retryable.
func ReasonOf(err error) (Reason, time.Duration) {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason, e.RetryAfter
	}
	return ReasonTimeout, 0
}

// CheckHTTP classifies an HTTP answer: nil for 2xx, otherwise an *Error
// whose reason follows the status and whose delay comes from the
// Retry-After header (seconds or an HTTP date) when present. body is a
// short excerpt of the answer for the message; it must not contain
// secrets.
func CheckHTTP(status int, header http.Header, body string, now time.Time) error {
	if status >= 200 && status < 300 {
		return nil
	}
	after := RetryAfter(header.Get("Retry-After"), now)
	if len(body) > 200 {
		body = body[:200] + "…"
	}
	return &Error{Reason: ReasonForStatus(status), RetryAfter: after, Err: fmt.Errorf("status %d: %s", status, body)}
}

// ReasonForStatus maps a non-2xx HTTP status to a Reason.
func ReasonForStatus(status int) Reason {
	switch {
	case status == http.StatusTooManyRequests:
		return ReasonRateLimited
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return ReasonAuthError
	case status == http.StatusRequestTimeout:
		return ReasonTimeout
	case status >= 500:
		return ReasonServerError
	default:
		return ReasonClientError
	}
}

// RetryAfter parses a Retry-After header value, in seconds or as an HTTP
// date; zero when absent or malformed.
func RetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
