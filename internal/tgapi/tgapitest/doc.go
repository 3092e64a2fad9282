// Package tgapitest is a wire-level fake of the Telegram Bot API
// (https://core.telegram.org/bots/api) for tests: an httptest server on
// 127.0.0.1 that answers /bot<token>/<method> the way Telegram does, keeps
// chats, messages, keyboards, callback queries and updates in memory, and
// can be told to fail, slow down or enforce flood control.
//
// It serves getMe, sendMessage, editMessageText, answerCallbackQuery and
// getUpdates; see [Server] for what each checks. Tests drive the users'
// side with [Server.PressButton] and [Server.SendUserMessage] and inspect
// the result with [Server.Messages] and [Server.Answers].
package tgapitest
