// Package webhook is the generic JSON webhook receiver: every notification
// of a group is POSTed as one JSON document to a configured URL, signed
// with HMAC-SHA256 the same way Vigía's webhook intake verifies requests,
// and carrying an Idempotency-Key so the endpoint can drop a retried
// delivery.
package webhook
