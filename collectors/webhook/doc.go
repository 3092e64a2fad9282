// Package webhook is the collector that takes messages from any other
// source over HTTP. Its Handler is mounted on the app's one HTTP server; a
// request carries one message.Message, a JSON array of them, or JSON Lines,
// signed with HMAC-SHA256 of a shared secret. The Handler answers 202 only
// once the Publisher acknowledged every message, so a sender that sees 202
// may forget them; on any other answer it should retry (IDs make retries
// idempotent).
package webhook
