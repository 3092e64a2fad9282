// Package signature is the one HMAC-SHA256 request-signing scheme of
// Vigía's webhooks: the intake verifies it, and the webhook receiver and the
// acknowledgement sender sign with it, so one verifier serves them all.
package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Request headers of the scheme.
const (
	// HeaderSignature carries Prefix + the lowercase hex HMAC-SHA256 of
	// the signed payload under the shared secret.
	HeaderSignature = "X-Vigia-Signature"
	// HeaderTimestamp carries the Unix time in seconds at which the sender
	// signed. When present, the signed payload is "<timestamp>.<body>".
	HeaderTimestamp = "X-Vigia-Timestamp"
	// Prefix starts every HeaderSignature value.
	Prefix = "sha256="
)

// Sign returns the HeaderSignature value for body. With a non-empty ts
// (the HeaderTimestamp value) the payload is ts + "." + body; with an
// empty ts it is the body alone.
func Sign(secret []byte, ts string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	if ts != "" {
		mac.Write([]byte(ts))
		mac.Write([]byte{'.'})
	}
	mac.Write(body)
	return Prefix + hex.EncodeToString(mac.Sum(nil))
}
