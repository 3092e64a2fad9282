package ack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vigia-dev/vigia/alerts/notify"
	"github.com/vigia-dev/vigia/internal/tgapi"
)

// TelegramSender sends acknowledgements through a brand's bot: the one
// that collects the brand's Telegram messages, whose private chats are the
// cases' conversations.
type TelegramSender struct {
	client *tgapi.Client
}

// NewTelegramSender returns a sender over the brand's bot client.
func NewTelegramSender(client *tgapi.Client) *TelegramSender {
	return &TelegramSender{client: client}
}

// htmlEscaper escapes the three characters Telegram's HTML parse mode
// requires escaped (https://core.telegram.org/bots/api#html-style).
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Send sends r.Text as plain text to the chat r.ConversationID names, or,
// without one, to the customer's private chat (whose id is the user's id).
// It returns the message id as a decimal string.
func (s *TelegramSender) Send(ctx context.Context, r Reply) (string, error) {
	chat := r.ConversationID
	if chat == "" {
		chat = r.CustomerID
	}
	chatID, err := strconv.ParseInt(chat, 10, 64)
	if err != nil || chatID == 0 {
		return "", notify.Errorf(notify.ReasonClientError, 0, "telegram acknowledgement of case %s: conversation %q is not a chat id", r.CaseID, chat)
	}
	if n := utf8.RuneCountInString(r.Text); n > tgapi.MaxMessageLength {
		return "", notify.Errorf(notify.ReasonClientError, 0, "telegram acknowledgement of case %s: %d characters; at most %d", r.CaseID, n, tgapi.MaxMessageLength)
	}
	id, err := s.client.SendMessage(ctx, chatID, 0, htmlEscaper.Replace(r.Text), nil)
	if err != nil {
		return "", classifyTelegram(fmt.Errorf("send acknowledgement of case %s: %w", r.CaseID, err))
	}
	return strconv.Itoa(id), nil
}

// classifyTelegram gives a Bot API failure its notify reason. Unlike for
// alerts, 403 on sendMessage means the customer blocked the bot (the
// token is 401): not worth retrying.
func classifyTelegram(err error) error {
	var apiErr *tgapi.Error
	if !errors.As(err, &apiErr) {
		return &notify.Error{Reason: notify.ReasonTimeout, Err: err}
	}
	reason := notify.ReasonForStatus(apiErr.Code)
	switch {
	case apiErr.Code == http.StatusTooManyRequests || apiErr.RetryAfter > 0:
		reason = notify.ReasonRateLimited
	case apiErr.Code == http.StatusForbidden:
		reason = notify.ReasonClientError
	case apiErr.Code < 400:
		reason = notify.ReasonServerError
	}
	return &notify.Error{Reason: reason, RetryAfter: apiErr.RetryAfter, Err: err}
}
