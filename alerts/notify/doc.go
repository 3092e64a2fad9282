// Package notify delivers alert groups to people: the Receiver interface
// that every chat or webhook integration implements, the bounded failure
// reasons they report, the buttons (actions) a post carries and the signed
// context that lets Vigía trust a button press, and the durable outbox that
// retries, rate-limits and records every notification.
//
// Integrations live in sub-packages: notify/mattermost, notify/telegram,
// notify/webhook and notify/log. notify/notifytest holds the shared test
// suite every receiver passes.
package notify
