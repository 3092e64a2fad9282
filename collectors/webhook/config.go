package webhook

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigia-dev/vigia/internal/message"
)

// TimestampMode says whether requests must carry X-Vigia-Timestamp.
type TimestampMode string

// Known timestamp modes.
const (
	// TimestampRequired rejects requests without a fresh signed timestamp,
	// which bounds replays of a captured request to the tolerance window.
	TimestampRequired TimestampMode = "required"
	// TimestampOptional checks the timestamp when present and otherwise
	// accepts a signature over the body alone.
	TimestampOptional TimestampMode = "optional"
)

// Defaults and bounds.
const (
	DefaultPath               = "/intake/webhook"
	DefaultMaxBodyBytes       = 1 << 20 // 1 MiB
	MaxMaxBodyBytes           = 64 << 20
	DefaultMaxMessages        = 1000
	DefaultTimestampTolerance = 5 * time.Minute
	DefaultPublishTimeout     = 10 * time.Second
	DefaultRetryAfter         = 5 * time.Second
	// MinSecretBytes is the shortest secret accepted: 128 bits.
	MinSecretBytes = 16
)

// Config configures one webhook intake.
type Config struct {
	// Name names this collector in logs and metrics.
	Name string `yaml:"name"`
	// Path is where the app mounts the Handler on its HTTP server.
	Path string `yaml:"path"`
	// SecretEnv names the environment variable holding the shared secret(s).
	SecretEnv string `yaml:"secret_env"`
	// SecretFile is a file holding the shared secret(s), relative to the
	// config file's directory. One secret per line; any of them verifies,
	// so secrets can be rotated without downtime.
	SecretFile string `yaml:"secret_file"`
	// Timestamp is required or optional (see TimestampMode).
	Timestamp TimestampMode `yaml:"timestamp"`
	// TimestampTolerance is how far X-Vigia-Timestamp may be from now.
	TimestampTolerance time.Duration `yaml:"timestamp_tolerance"`
	// MaxBodyBytes bounds a request body; larger bodies get 413.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// MaxMessages bounds the messages in one request; more get 413.
	MaxMessages int `yaml:"max_messages"`
	// DefaultBrand is the brand of messages that do not name one. Empty
	// means every message must name its brand.
	DefaultBrand string `yaml:"default_brand"`
	// DefaultChannel is the channel of messages that do not name one.
	DefaultChannel message.Channel `yaml:"default_channel"`
	// PublishTimeout bounds the wait for the stream's acknowledgement.
	PublishTimeout time.Duration `yaml:"publish_timeout"`
	// RetryAfter is the Retry-After sent with 503.
	RetryAfter time.Duration `yaml:"retry_after"`
}

// DefaultConfig returns the defaults; one of SecretEnv and SecretFile must be set.
func DefaultConfig() Config {
	return Config{
		Name:               "webhook",
		Path:               DefaultPath,
		Timestamp:          TimestampRequired,
		TimestampTolerance: DefaultTimestampTolerance,
		MaxBodyBytes:       DefaultMaxBodyBytes,
		MaxMessages:        DefaultMaxMessages,
		DefaultChannel:     message.ChannelWebhook,
		PublishTimeout:     DefaultPublishTimeout,
		RetryAfter:         DefaultRetryAfter,
	}
}

// Validate reports every problem with c, each naming the field. It does not
// read the secret; New does.
func (c Config) Validate() error {
	var errs []error
	bad := func(field string, value any, want string) {
		errs = append(errs, fmt.Errorf("%s: %v: %s", field, value, want))
	}
	if c.Name == "" {
		bad("name", `""`, "must not be empty")
	}
	if !strings.HasPrefix(c.Path, "/") {
		bad("path", fmt.Sprintf("%q", c.Path), "must start with /")
	}
	switch {
	case c.SecretEnv != "" && c.SecretFile != "":
		errs = append(errs, errors.New("secret_env, secret_file: at most one of secret_env & secret_file"))
	case c.SecretEnv == "" && c.SecretFile == "":
		errs = append(errs, errors.New("secret_env, secret_file: one of secret_env & secret_file is required"))
	}
	if c.Timestamp != TimestampRequired && c.Timestamp != TimestampOptional {
		bad("timestamp", fmt.Sprintf("%q", c.Timestamp), "want required or optional")
	}
	if c.TimestampTolerance < time.Second || c.TimestampTolerance > time.Hour {
		bad("timestamp_tolerance", fmt.Sprintf("%q", c.TimestampTolerance), "must be between 1s and 1h")
	}
	if c.MaxBodyBytes < 1 || c.MaxBodyBytes > MaxMaxBodyBytes {
		bad("max_body_bytes", c.MaxBodyBytes, fmt.Sprintf("must be positive and at most %d", MaxMaxBodyBytes))
	}
	if c.MaxMessages < 1 {
		bad("max_messages", c.MaxMessages, "must be positive")
	}
	if !c.DefaultChannel.Valid() {
		bad("default_channel", fmt.Sprintf("%q", c.DefaultChannel), fmt.Sprintf("want one of %v", message.Channels()))
	}
	if c.PublishTimeout <= 0 {
		bad("publish_timeout", fmt.Sprintf("%q", c.PublishTimeout), "must be positive")
	}
	if c.RetryAfter < time.Second {
		bad("retry_after", fmt.Sprintf("%q", c.RetryAfter), "must be at least 1s")
	}
	return errors.Join(errs...)
}
