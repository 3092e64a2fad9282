package mmapi

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Error is a failed API call.
type Error struct {
	// Op is what was being done: "create post", "patch post <id>".
	Op string
	// StatusCode is the HTTP status answered; zero when no answer came
	// (connection refused, timeout, cancelled context).
	StatusCode int
	// RetryAfter is how long the server asked to wait (Retry-After), zero
	// when it did not say.
	RetryAfter time.Duration
	// ID is Mattermost's error id ("api.context.session_expired.app_error"),
	// empty when the answer was not Mattermost's JSON error.
	ID string
	// Message is the server's message, shortened, token redacted.
	Message string
	// Timeout reports that no answer came back; Err holds the cause.
	Timeout bool
	// Err is the transport error when Timeout is set.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	switch {
	case e.Timeout:
		return fmt.Sprintf("mattermost %s: no answer: %v", e.Op, e.Err)
	case e.ID != "":
		return fmt.Sprintf("mattermost %s: status %d: %s (%s)", e.Op, e.StatusCode, e.Message, e.ID)
	default:
		return fmt.Sprintf("mattermost %s: status %d: %s", e.Op, e.StatusCode, e.Message)
	}
}

// Unwrap returns the transport error, if any.
func (e *Error) Unwrap() error { return e.Err }

// NotFound reports whether the object did not exist (or is not visible to
// the token).
func (e *Error) NotFound() bool { return e.StatusCode == http.StatusNotFound }

// retryAfter parses Retry-After in seconds or as an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
