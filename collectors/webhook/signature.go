package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vigia-dev/vigia/internal/signature"
)

// Request headers of the signing scheme (internal/signature).
const (
	// HeaderSignature carries "sha256=" + the lowercase hex HMAC-SHA256 of
	// the signed payload under the shared secret.
	HeaderSignature = signature.HeaderSignature
	// HeaderTimestamp carries the Unix time in seconds at which the sender
	// signed. When present, the signed payload is "<timestamp>.<body>".
	HeaderTimestamp = signature.HeaderTimestamp
	signaturePrefix = signature.Prefix
)

// Sign returns the X-Vigia-Signature value for body. With a non-empty ts
// (the X-Vigia-Timestamp value) the payload is ts + "." + body; with an
// empty ts it is the body alone.
func Sign(secret []byte, ts string, body []byte) string { return signature.Sign(secret, ts, body) }

// verify checks the signature headers of a request against every secret.
// Its errors are safe to show the sender: they never hold a secret.
func (h *Handler) verify(header http.Header, body []byte) error {
	sig := header.Get(HeaderSignature)
	if sig == "" {
		return fmt.Errorf("missing %s header", HeaderSignature)
	}
	hexSig, ok := strings.CutPrefix(sig, signaturePrefix)
	got, err := hex.DecodeString(hexSig)
	if !ok || err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%s: want %s followed by 64 hex digits", HeaderSignature, signaturePrefix)
	}
	ts := header.Get(HeaderTimestamp)
	switch {
	case ts == "" && h.cfg.Timestamp == TimestampRequired:
		return fmt.Errorf("missing %s header", HeaderTimestamp)
	case ts != "":
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return fmt.Errorf("%s: want Unix seconds", HeaderTimestamp)
		}
		skew := h.now().Sub(time.Unix(sec, 0))
		if skew < -h.cfg.TimestampTolerance || skew > h.cfg.TimestampTolerance {
			return fmt.Errorf("%s: more than %s from the server's clock", HeaderTimestamp, h.cfg.TimestampTolerance)
		}
	}
	for _, secret := range h.secrets {
		want, _ := hex.DecodeString(strings.TrimPrefix(Sign(secret, ts, body), signaturePrefix))
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("signature does not match")
}

// loadSecrets resolves the configured secret reference. Its errors name the
// reference, never the secret.
func loadSecrets(cfg Config) ([][]byte, error) {
	var raw []byte
	switch {
	case cfg.SecretEnv != "":
		v, ok := os.LookupEnv(cfg.SecretEnv)
		if !ok || v == "" {
			return nil, fmt.Errorf("secret_env: environment variable %s is not set or empty", cfg.SecretEnv)
		}
		raw = []byte(v)
	default:
		b, err := os.ReadFile(cfg.SecretFile)
		if err != nil {
			return nil, fmt.Errorf("secret_file: read %s: %w", cfg.SecretFile, err)
		}
		raw = b
	}
	var secrets [][]byte
	for i, line := range bytes.Split(raw, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if len(line) < MinSecretBytes {
			return nil, fmt.Errorf("secret %d of %s: is %d bytes; at least %d required", i+1, secretRef(cfg), len(line), MinSecretBytes)
		}
		secrets = append(secrets, line)
	}
	if len(secrets) == 0 {
		return nil, fmt.Errorf("%s holds no secret", secretRef(cfg))
	}
	return secrets, nil
}

func secretRef(cfg Config) string {
	if cfg.SecretEnv != "" {
		return "secret_env " + cfg.SecretEnv
	}
	return "secret_file " + cfg.SecretFile
}
