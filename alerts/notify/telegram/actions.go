package telegram

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/vigia-dev/vigia/alerts/notify"
	"github.com/vigia-dev/vigia/internal/tgapi"
)

// Callback outcomes, the values of the result label.
const (
	callbackHandled      = "handled"       // the handler applied the action
	callbackHandlerError = "handler_error" // the handler failed; the presser was told
	callbackIgnored      = "ignored"       // another chat, or no message to check against
	callbackInvalid      = "invalid"       // data Vigía did not create, or no longer on the message
)

func callbackResults() []string {
	return []string{callbackHandled, callbackHandlerError, callbackIgnored, callbackInvalid}
}

// Texts shown to the person who pressed.
const (
	textInvalid      = "This button is no longer valid."
	textHandlerError = "Could not apply: "
)

// RunActions long-polls Telegram for presses of the buttons on this
// receiver's posts until ctx ends, then returns nil. For each callback
// query from the configured chat it calls h.HandleAction with
// Actor "telegram:<user id>", answers the query with the handler's text
// (or its error, shortened), and only then confirms the update, so that a
// crash before the answer gets the press delivered again. Presses in other
// chats are confirmed without being handled or answered. Polling failures
// are retried with capped, jittered backoff, waiting at least as long as a
// 429's retry_after.
//
// Only one getUpdates poller may run per bot token: two receivers sharing
// a token must not both run RunActions (Telegram answers 409 Conflict),
// and neither may a Telegram collector on the same bot.
func (r *Receiver) RunActions(ctx context.Context, h notify.ActionHandler) error {
	if r.cfg.Actions != ActionsButtons {
		return nil
	}
	if h == nil {
		return errors.New("telegram receiver actions: handler is nil")
	}
	offset, failures := 0, 0
	var lastErr string
	var unanswered *pendingAnswer // handled, but Telegram did not take the answer
	for ctx.Err() == nil {
		updates, err := r.client.GetUpdates(ctx, offset, r.cfg.PollTimeout, "callback_query")
		for _, u := range updates {
			if unanswered == nil || unanswered.updateID != u.UpdateID {
				unanswered = nil
				if queryID, text, ok := r.handleUpdate(ctx, u, h); ok {
					unanswered = &pendingAnswer{updateID: u.UpdateID, queryID: queryID, text: text}
				}
			}
			if unanswered != nil {
				if err = r.answer(ctx, unanswered.queryID, unanswered.text); err != nil {
					break // keep the offset: the update comes again, the handler is not called twice
				}
				unanswered = nil
			}
			offset = u.UpdateID + 1
		}
		if err == nil {
			failures, lastErr = 0, ""
			continue
		}
		if ctx.Err() != nil {
			break
		}
		failures++
		r.metrics.pollErrors.Inc()
		if msg := err.Error(); msg != lastErr {
			r.logger.Warn("telegram actions poll failed", "attempt", failures, "err", err)
			lastErr = msg
		}
		delay := r.backoff.Delay(failures)
		var apiErr *tgapi.Error
		if errors.As(err, &apiErr) && apiErr.RetryAfter > delay {
			delay = apiErr.RetryAfter
		}
		if !sleep(ctx, delay) {
			break
		}
	}
	r.confirm(ctx, offset)
	return nil
}

// confirmTimeout bounds the getUpdates call that confirms the last
// handled presses at shutdown.
const confirmTimeout = 2 * time.Second

// confirm tells Telegram, at shutdown, that the updates before offset were
// handled, so that a restart does not handle them again. Failing is
// harmless: they are delivered again and handled twice.
func (r *Receiver) confirm(ctx context.Context, offset int) {
	if offset == 0 {
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), confirmTimeout)
	defer cancel()
	if _, err := r.client.GetUpdates(cctx, offset, 0, "callback_query"); err != nil {
		r.logger.Debug("confirm telegram updates at shutdown failed", "err", err)
	}
}

// pendingAnswer is an answer to send before confirming an update.
type pendingAnswer struct {
	updateID      int
	queryID, text string
}

// handleUpdate applies the press in u, if any, and returns the callback
// query to answer and the text to answer it with; ok is false when there
// is nothing to answer.
func (r *Receiver) handleUpdate(ctx context.Context, u tgapi.Update, h notify.ActionHandler) (queryID, text string, ok bool) {
	q := u.CallbackQuery
	if q == nil {
		return "", "", false
	}
	if q.Message == nil || q.Message.Chat == nil || q.Message.Chat.ID != r.cfg.ChatID || q.From == nil {
		r.metrics.callbacks.WithLabelValues(callbackIgnored).Inc()
		r.logger.Debug("callback from another chat ignored")
		return "", "", false
	}
	kind, caseID, err := parseCallbackData(q.Data)
	if err != nil || !onMessage(q.Message, q.Data) {
		// A modified client can send any data: act only on buttons the
		// message still carries (Telegram's copy of the message is trusted).
		r.metrics.callbacks.WithLabelValues(callbackInvalid).Inc()
		return q.ID, textInvalid, true
	}
	hctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	text, err = h.HandleAction(hctx, notify.Action{
		Kind:   kind,
		CaseID: caseID,
		Actor:  "telegram:" + strconv.FormatInt(q.From.ID, 10),
		At:     r.now(),
	})
	cancel()
	if err != nil {
		r.metrics.callbacks.WithLabelValues(callbackHandlerError).Inc()
		r.logger.Warn("telegram action failed", "case_id", caseID, "err", err)
		return q.ID, textHandlerError + err.Error(), true
	}
	r.metrics.callbacks.WithLabelValues(callbackHandled).Inc()
	return q.ID, text, true
}

// answer answers a callback query. Telegram refusing the answer (the query
// expired) is not worth a retry; anything else is.
func (r *Receiver) answer(ctx context.Context, id, text string) error {
	err := r.client.AnswerCallbackQuery(ctx, id, text)
	var apiErr *tgapi.Error
	if errors.As(err, &apiErr) && apiErr.Code == 400 {
		r.logger.Debug("callback answer refused", "err", err)
		return nil
	}
	return err
}

// onMessage reports whether m still has a button carrying data.
func onMessage(m *tgapi.Message, data string) bool {
	if m.ReplyMarkup == nil {
		return false
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != nil && *b.CallbackData == data {
				return true
			}
		}
	}
	return false
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
