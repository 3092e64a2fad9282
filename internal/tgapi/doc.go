// Package tgapi is Vigía's one wrapper over the Telegram Bot API
// (github.com/go-telegram-bot-api/telegram-bot-api/v5), shared by the
// Telegram collector and the Telegram alert receiver.
//
// It adds what the library lacks: every call takes a context and is bounded
// by a timeout; a per-chat [Limiter] keeps to Telegram's documented flood
// limits; failures are a typed [*Error] carrying Telegram's error_code,
// description and retry_after, or a transport error; and the bot token,
// which the Bot API puts in every URL, never appears in an error string.
//
// tgapitest holds a wire-level fake of the Bot API to test against.
package tgapi
