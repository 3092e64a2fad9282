package simulate

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/vigia-dev/vigia/internal/message"
)

// Mode says how the Collector paces the Generator.
type Mode string

// Known modes.
const (
	// ModeRate emits Rate messages per second of wall time on average, with
	// timestamps at now; it runs until cancelled or Count is reached.
	ModeRate Mode = "rate"
	// ModeCount emits Count messages as fast as possible, with simulated
	// timestamps from Start, Rate per simulated second on average.
	ModeCount Mode = "count"
)

// Brand is one simulated brand: its name in Vigía and its handle on the channel.
type Brand struct {
	Name   string `yaml:"name"`
	Handle string `yaml:"handle"`
}

// DefaultBrands are the demo brands used when none are configured.
func DefaultBrands() []Brand {
	return []Brand{
		{Name: "acme-telecom", Handle: "AcmeTelecomHelp"},
		{Name: "nube-banco", Handle: "NubeBancoAyuda"},
		{Name: "rapido-envios", Handle: "RapidoEnviosCare"},
	}
}

// Defaults and bounds.
const (
	DefaultRate      = 2.0
	MaxRate          = 100_000
	DefaultBatchSize = 500
	MaxBatchSize     = 10_000
	MinOutageEvery   = 10 * time.Minute
	MaxOutageSize    = 10_000
)

// DefaultStart is the simulated start of count mode: a Monday at midnight UTC.
func DefaultStart() time.Time { return time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC) }

// Config configures one simulator.
type Config struct {
	// Name names this collector in logs and metrics.
	Name string `yaml:"name"`
	// Mode is rate or count.
	Mode Mode `yaml:"mode"`
	// Seed fixes the sequence; 0 picks one from the clock and logs it.
	Seed uint64 `yaml:"seed"`
	// Rate is the average messages per second (wall time in rate mode,
	// simulated time in count mode); daily and weekly cycles vary around it.
	Rate float64 `yaml:"rate"`
	// Count is how many messages to emit: required in count mode, and in
	// rate mode an optional limit (0 runs until cancelled).
	Count int `yaml:"count"`
	// Start is the first simulated timestamp in count mode.
	Start time.Time `yaml:"start"`
	// TimeScale, in rate mode, is how many simulated seconds pass per wall
	// second: 60 shows an hour of cycles, replies and outages per minute.
	TimeScale float64 `yaml:"time_scale"`
	// Timezone is the customers' zone, for daily and weekly cycles and the
	// brands' opening hours.
	Timezone string `yaml:"timezone"`
	// Channel is the channel of every simulated message.
	Channel message.Channel `yaml:"channel"`
	// Brands are the brands customers write to.
	Brands []Brand `yaml:"brands"`
	// SpanishRatio is the share of customers writing in Spanish (the rest English).
	SpanishRatio float64 `yaml:"spanish_ratio"`
	// UnansweredRatio is the share of answerable messages the brand never answers.
	UnansweredRatio float64 `yaml:"unanswered_ratio"`
	// OutageEvery is the simulated time between outage bursts; 0 disables them.
	OutageEvery time.Duration `yaml:"outage_every"`
	// OutageSize is how many customers write about one outage.
	OutageSize int `yaml:"outage_size"`
	// BatchSize is the most messages in one Publish call.
	BatchSize int `yaml:"batch_size"`
}

// DefaultConfig returns a rate-mode demo configuration.
func DefaultConfig() Config {
	return Config{
		Name:            "simulate",
		Mode:            ModeRate,
		Rate:            DefaultRate,
		Start:           DefaultStart(),
		TimeScale:       1,
		Timezone:        "Europe/Madrid",
		Channel:         message.ChannelX,
		Brands:          DefaultBrands(),
		SpanishRatio:    0.5,
		UnansweredRatio: 0.2,
		OutageEvery:     6 * time.Hour,
		OutageSize:      60,
		BatchSize:       DefaultBatchSize,
	}
}

// Validate reports every problem with c, each naming the field.
func (c Config) Validate() error {
	var errs []error
	bad := func(field string, value any, want string) {
		errs = append(errs, fmt.Errorf("%s: %v: %s", field, value, want))
	}
	if c.Name == "" {
		bad("name", `""`, "must not be empty")
	}
	if c.Mode != ModeRate && c.Mode != ModeCount {
		bad("mode", fmt.Sprintf("%q", c.Mode), "want rate or count")
	}
	if !(c.Rate > 0 && c.Rate <= MaxRate) {
		bad("rate", c.Rate, fmt.Sprintf("must be positive and at most %d", MaxRate))
	}
	switch {
	case c.Count < 0:
		bad("count", c.Count, "must not be negative")
	case c.Mode == ModeCount && c.Count == 0:
		bad("count", c.Count, "must be positive in count mode")
	}
	if !(c.TimeScale > 0 && c.TimeScale <= 1e6) || math.IsNaN(c.TimeScale) {
		bad("time_scale", c.TimeScale, "must be positive and at most 1e6")
	}
	if c.Mode == ModeCount && c.Start.IsZero() {
		bad("start", `""`, "must be set in count mode")
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" {
		bad("timezone", fmt.Sprintf("%q", c.Timezone), "want an IANA zone such as Europe/Madrid")
	}
	if !c.Channel.Valid() {
		bad("channel", fmt.Sprintf("%q", c.Channel), fmt.Sprintf("want one of %v", message.Channels()))
	}
	if len(c.Brands) == 0 {
		bad("brands", "[]", "want at least one brand")
	}
	seen := map[string]bool{}
	for i, b := range c.Brands {
		if b.Name == "" {
			bad(fmt.Sprintf("brands[%d].name", i), `""`, "must not be empty")
		} else if seen[b.Name] {
			bad(fmt.Sprintf("brands[%d].name", i), fmt.Sprintf("%q", b.Name), "is used by an earlier brand")
		}
		seen[b.Name] = true
		if !validHandle(b.Handle) {
			bad(fmt.Sprintf("brands[%d].handle", i), fmt.Sprintf("%q", b.Handle), "want 1 to 30 letters, digits or _")
		}
	}
	if !(c.SpanishRatio >= 0 && c.SpanishRatio <= 1) {
		bad("spanish_ratio", c.SpanishRatio, "must be between 0 and 1")
	}
	if !(c.UnansweredRatio >= 0 && c.UnansweredRatio <= 1) {
		bad("unanswered_ratio", c.UnansweredRatio, "must be between 0 and 1")
	}
	if c.OutageEvery != 0 && c.OutageEvery < MinOutageEvery {
		bad("outage_every", fmt.Sprintf("%q", c.OutageEvery), fmt.Sprintf("want 0 (no outages) or at least %s", MinOutageEvery))
	}
	if c.OutageSize < 1 || c.OutageSize > MaxOutageSize {
		bad("outage_size", c.OutageSize, fmt.Sprintf("must be between 1 and %d", MaxOutageSize))
	}
	if c.BatchSize < 1 || c.BatchSize > MaxBatchSize {
		bad("batch_size", c.BatchSize, fmt.Sprintf("must be between 1 and %d", MaxBatchSize))
	}
	return errors.Join(errs...)
}

func validHandle(h string) bool {
	if len(h) == 0 || len(h) > 30 {
		return false
	}
	for i := range len(h) {
		b := h[i]
		if b != '_' && (b < '0' || b > '9') && (b < 'a' || b > 'z') && (b < 'A' || b > 'Z') {
			return false
		}
	}
	return true
}
