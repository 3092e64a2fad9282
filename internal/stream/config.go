package stream

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Config configures the stream. The zero URL means an embedded server.
type Config struct {
	// URL of an external NATS server or cluster (comma-separated). Empty
	// runs an embedded server with file storage under StoreDir.
	URL string `yaml:"url"`
	// CredentialsFile is an optional NATS credentials (.creds) file for URL.
	CredentialsFile string `yaml:"credentials_file"`
	// StoreDir is where the embedded server keeps its files. The app sets
	// it to <data_dir>/nats when empty.
	StoreDir string `yaml:"store_dir"`
	// Stream is the JetStream stream name.
	Stream string `yaml:"stream"`
	// Subject is the subject prefix; messages go to <subject>.<channel>.
	Subject string `yaml:"subject"`
	// Replicas is the stream's replication factor (1 embedded, 3 in a cluster).
	Replicas int `yaml:"replicas"`
	// MaxAge is how long the stream keeps messages, acked or not.
	MaxAge time.Duration `yaml:"max_age"`
	// MaxBytes bounds the stream's storage; the oldest messages go first.
	MaxBytes int64 `yaml:"max_bytes"`
	// DuplicateWindow is how long the stream remembers message IDs to drop
	// re-published duplicates.
	DuplicateWindow time.Duration `yaml:"duplicate_window"`
	// AckWait is how long a delivery may stay unacked before redelivery.
	AckWait time.Duration `yaml:"ack_wait"`
	// MaxAckPending bounds unacked deliveries per consumer: the
	// backpressure that keeps memory flat when ClickHouse is slow or down.
	MaxAckPending int `yaml:"max_ack_pending"`
}

// DefaultConfig returns the defaults for an embedded, single-node stream.
func DefaultConfig() Config {
	return Config{
		Stream:          "VIGIA_MESSAGES",
		Subject:         "vigia.messages",
		Replicas:        1,
		MaxAge:          7 * 24 * time.Hour,
		MaxBytes:        10 << 30,
		DuplicateWindow: 20 * time.Minute,
		AckWait:         2 * time.Minute,
		MaxAckPending:   20000,
	}
}

// Validate reports every problem in c, each naming the field.
func (c Config) Validate() error {
	var errs []error
	if c.URL != "" {
		for _, u := range splitURLs(c.URL) {
			p, err := url.Parse(u)
			if err != nil || p.Host == "" || (p.Scheme != "nats" && p.Scheme != "tls" && p.Scheme != "ws" && p.Scheme != "wss") {
				errs = append(errs, fmt.Errorf("url: %q: want nats://host:port (comma-separated for a cluster)", u))
			}
		}
	}
	if c.Stream == "" {
		errs = append(errs, errors.New("stream: empty: want a stream name such as VIGIA_MESSAGES"))
	}
	if c.Subject == "" {
		errs = append(errs, errors.New("subject: empty: want a subject prefix such as vigia.messages"))
	}
	if c.Replicas < 1 || c.Replicas > 5 {
		errs = append(errs, fmt.Errorf("replicas: %d: must be between 1 and 5", c.Replicas))
	}
	if c.URL == "" && c.Replicas != 1 {
		errs = append(errs, fmt.Errorf("replicas: %d: the embedded server is a single node; set url for a cluster or use 1", c.Replicas))
	}
	if c.MaxAge < time.Minute {
		errs = append(errs, fmt.Errorf("max_age: %s: must be at least 1m", c.MaxAge))
	}
	if c.MaxBytes < 1<<20 {
		errs = append(errs, fmt.Errorf("max_bytes: %d: must be at least 1048576 (1 MiB)", c.MaxBytes))
	}
	if c.DuplicateWindow < time.Second || c.DuplicateWindow > c.MaxAge {
		errs = append(errs, fmt.Errorf("duplicate_window: %s: must be between 1s and max_age", c.DuplicateWindow))
	}
	if c.AckWait < time.Second {
		errs = append(errs, fmt.Errorf("ack_wait: %s: must be at least 1s", c.AckWait))
	}
	if c.MaxAckPending < 1 {
		errs = append(errs, fmt.Errorf("max_ack_pending: %d: must be positive", c.MaxAckPending))
	}
	return errors.Join(errs...)
}

func splitURLs(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if u := s[start:i]; u != "" {
				out = append(out, u)
			}
			start = i + 1
		}
	}
	return out
}
