package tgapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Error is a call the Bot API answered with "ok": false: the error_code,
// description and parameters.retry_after of the answer
// (https://core.telegram.org/bots/api#making-requests).
type Error struct {
	// Method is the Bot API method called ("sendMessage").
	Method string
	// Code is error_code, an HTTP status (400, 401, 403, 429, 5xx).
	Code int
	// Description is Telegram's human-readable reason, such as
	// "Bad Request: message is not modified: ...".
	Description string
	// RetryAfter is how long flood control asks to wait before the next
	// request to the same chat (parameters.retry_after); zero when absent.
	RetryAfter time.Duration
}

// Error implements error.
func (e *Error) Error() string {
	s := fmt.Sprintf("telegram %s: %d %s", e.Method, e.Code, e.Description)
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// IsNotModified reports whether err is Telegram's answer to an edit that
// changes nothing (400 "Bad Request: message is not modified").
func IsNotModified(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == 400 && strings.Contains(e.Description, "message is not modified")
}

// redactedToken replaces the bot token wherever it would be printed.
const redactedToken = "<token>"

// redactedError is an error whose message had the token removed. It keeps
// the context errors of the chain reachable through errors.Is, and nothing
// else, since every other error in the chain may print the token.
type redactedError struct {
	msg    string
	ctxErr error // context.Canceled, context.DeadlineExceeded or nil
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.ctxErr }

// Timeout reports whether the failure was a deadline, like net.Error.
func (e *redactedError) Timeout() bool { return errors.Is(e.ctxErr, context.DeadlineExceeded) }

// translate turns what the library returned for method into an *Error or a
// transport error that does not contain token.
func translate(method, token string, err error) error {
	if err == nil {
		return nil
	}
	var apiErr *tgbotapi.Error
	if errors.As(err, &apiErr) {
		return &Error{
			Method:      method,
			Code:        apiErr.Code,
			Description: redact(apiErr.Message, token),
			RetryAfter:  time.Duration(apiErr.RetryAfter) * time.Second,
		}
	}
	var apiErrVal tgbotapi.Error
	if errors.As(err, &apiErrVal) {
		return &Error{
			Method:      method,
			Code:        apiErrVal.Code,
			Description: redact(apiErrVal.Message, token),
			RetryAfter:  time.Duration(apiErrVal.RetryAfter) * time.Second,
		}
	}
	return transportError(method, token, err)
}

// transportError rewrites err without the token: a *url.Error prints the
// request URL, which holds the token in its path.
func transportError(method, token string, err error) error {
	var ctxErr error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		ctxErr = context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		ctxErr = context.Canceled
	}
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Op + " " + redactURL(ue.URL, token) + ": " + ue.Err.Error()
	}
	return &redactedError{msg: "telegram " + method + ": " + redact(msg, token), ctxErr: ctxErr}
}

// redactURL drops the token from a Bot API URL, /bot<token>/<method>.
func redactURL(u, token string) string {
	if i := strings.Index(u, "/bot"); i >= 0 {
		rest := u[i+len("/bot"):]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return u[:i] + "/bot" + redactedToken + rest[j:]
		}
		return u[:i] + "/bot" + redactedToken
	}
	return redact(u, token)
}

// redact removes every occurrence of token from s, also URL-escaped.
func redact(s, token string) string {
	if token == "" {
		return s
	}
	s = strings.ReplaceAll(s, token, redactedToken)
	if esc := url.PathEscape(token); esc != token {
		s = strings.ReplaceAll(s, esc, redactedToken)
	}
	return s
}
