// Package telegram is the Telegram alert receiver: it posts each alert
// group as one HTML message to a chat (optionally a forum topic), edits
// that message as the group changes, and turns presses of the message's
// inline buttons into notify.Actions through long polling.
//
// It talks to the Bot API through internal/tgapi and is tested against
// tgapi/tgapitest.
package telegram
