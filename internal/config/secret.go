package config

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// Secret is a resolved secret value. It prints, logs and marshals as
// "<secret>"; call Reveal to use it.
type Secret struct{ v string }

// NewSecret wraps v.
func NewSecret(v string) Secret { return Secret{v: v} }

// Reveal returns the secret value.
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.v == "" }

// String implements fmt.Stringer without revealing the value.
func (s Secret) String() string { return "<secret>" }

// GoString implements fmt.GoStringer without revealing the value.
func (s Secret) GoString() string { return "<secret>" }

// LogValue implements slog.LogValuer without revealing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue("<secret>") }

// MarshalText implements encoding.TextMarshaler without revealing the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte("<secret>"), nil }

// SecretRef points at a secret: an environment variable or a file, at most
// one of them. Embed it under a field prefix, e.g. `password_env` and
// `password_file`, by using the Env and File fields in the owner struct.
type SecretRef struct {
	Env  string
	File string
}

// Validate checks the reference; field is the prefix used in messages
// (e.g. "clickhouse.password"). required says whether a secret must be set.
func (r SecretRef) Validate(field string, required bool) error {
	switch {
	case r.Env != "" && r.File != "":
		return fmt.Errorf("%s: at most one of %s_env & %s_file may be set", field, field, field)
	case r.Env == "" && r.File == "" && required:
		return fmt.Errorf("%s: missing: set %s_env to an environment variable name or %s_file to a file path", field, field, field)
	case r.Env != "" && strings.ContainsAny(r.Env, "= \t"):
		return fmt.Errorf("%s_env: %q: want an environment variable name, not its value", field, r.Env)
	}
	return nil
}

// Resolve reads the secret. An unset reference resolves to the zero Secret.
// Errors name the variable or file, never the value.
func (r SecretRef) Resolve() (Secret, error) {
	switch {
	case r.Env != "":
		v, ok := os.LookupEnv(r.Env)
		if !ok || v == "" {
			return Secret{}, fmt.Errorf("environment variable %s is not set or empty", r.Env)
		}
		return Secret{v: v}, nil
	case r.File != "":
		b, err := os.ReadFile(r.File)
		if err != nil {
			return Secret{}, fmt.Errorf("read secret file: %w", err)
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return Secret{}, errors.New("secret file " + r.File + " is empty")
		}
		return Secret{v: v}, nil
	}
	return Secret{}, nil
}
