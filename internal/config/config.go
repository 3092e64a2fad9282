package config

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vigia-dev/vigia/alerts/sla"
	"github.com/vigia-dev/vigia/classify"
	"github.com/vigia-dev/vigia/collectors/replay"
	"github.com/vigia-dev/vigia/collectors/simulate"
	"github.com/vigia-dev/vigia/collectors/webhook"
	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/stream"
)

// Config is the whole of vigia.yaml.
type Config struct {
	// DataDir holds local state: the embedded NATS store. Relative to the
	// config file's directory.
	DataDir string `yaml:"data_dir"`
	// HTTP is the one HTTP server: /metrics, /healthz, /readyz and intake.
	HTTP HTTP `yaml:"http"`
	// MemoryLimitMiB is the Go runtime's soft memory limit: above it the
	// garbage collector works harder instead of letting the heap double.
	// 0 leaves the runtime's default; GOMEMLIMIT in the environment wins.
	MemoryLimitMiB int `yaml:"memory_limit_mib"`
	// Brands are the brands Vigía watches.
	Brands []Brand `yaml:"brands"`
	// NATS configures the durable intake stream.
	NATS stream.Config `yaml:"nats"`
	// ClickHouse configures storage.
	ClickHouse ClickHouse `yaml:"clickhouse"`
	// Retention says how long data is kept.
	Retention Retention `yaml:"retention"`
	// Collectors are the configured sources of messages.
	Collectors Collectors `yaml:"collectors"`
	// Processor configures the stage between the stream and ClickHouse.
	Processor Processor `yaml:"processor"`
	// Classify tunes the classifier: languages, thresholds, per-brand
	// keywords, VIP and block lists.
	Classify classify.Config `yaml:"classify"`
	// Alerts configures cases, SLA rules, routing and receivers.
	Alerts Alerts `yaml:"alerts"`
}

// HTTP configures the HTTP server.
type HTTP struct {
	// Listen is host:port; empty disables the server.
	Listen string `yaml:"listen"`
}

// Brand is one watched brand.
type Brand struct {
	// Name identifies the brand: lowercase letters, digits, '-' and '_'.
	Name string `yaml:"name"`
	// Handles are the brand's own accounts per channel (x: [AcmeSupport]).
	// Messages from them are outbound and stop response clocks.
	Handles map[message.Channel][]string `yaml:"handles"`
	// Keywords are words and phrases that mark a mention of the brand.
	Keywords []string `yaml:"keywords"`
	// Languages the brand answers in (ISO 639-1), first is the default.
	Languages []string `yaml:"languages"`
	// TimeZone is the brand's IANA time zone, for business hours and peaks.
	TimeZone string `yaml:"time_zone"`
	// BusinessHours is the brand's business calendar for SLA clocks: open
	// periods, holidays (dates or an iCal file). Its time zone defaults to
	// TimeZone. Without hours the brand counts around the clock (24x7).
	BusinessHours sla.Config `yaml:"business_hours"`
}

// ClickHouse configures the storage connection and batching.
type ClickHouse struct {
	// Addr lists host:port native-protocol addresses. Empty means the local
	// development server started by deploy/clickhouse-local.sh.
	Addr []string `yaml:"addr"`
	// Database is created if missing.
	Database string `yaml:"database"`
	// Username for the native protocol.
	Username string `yaml:"username"`
	// PasswordEnv names an environment variable holding the password.
	PasswordEnv string `yaml:"password_env"`
	// PasswordFile is a file holding the password.
	PasswordFile string `yaml:"password_file"`
	// DialTimeout bounds connecting.
	DialTimeout time.Duration `yaml:"dial_timeout"`
	// BatchMaxRows flushes a batch when it holds this many rows.
	BatchMaxRows int `yaml:"batch_max_rows"`
	// BatchMaxAge flushes a batch when its oldest row waited this long.
	BatchMaxAge time.Duration `yaml:"batch_max_age"`
}

// Password returns the reference to the ClickHouse password.
func (c ClickHouse) Password() SecretRef { return SecretRef{Env: c.PasswordEnv, File: c.PasswordFile} }

// Processor configures the stage between the stream and ClickHouse.
type Processor struct {
	// Classify is on (label every inbound message before storing it) or off
	// (store messages as collected).
	Classify string `yaml:"classify"`
	// Workers classify in parallel; 0 means one per CPU.
	Workers int `yaml:"workers"`
}

// ClassifyOn reports whether the processor classifies messages.
func (p Processor) ClassifyOn() bool { return p.Classify != "off" }

// Retention says how long data is kept.
type Retention struct {
	// Days of messages kept in ClickHouse; 0 keeps them forever.
	Days int `yaml:"days"`
}

// Collectors are the configured sources, one list per kind.
type Collectors struct {
	Replay   []replay.Config   `yaml:"replay"`
	Webhook  []webhook.Config  `yaml:"webhook"`
	Simulate []simulate.Config `yaml:"simulate"`
}

// Default returns the configuration used when no file is given: one demo
// brand, the simulator, a local ClickHouse and an embedded NATS server.
func Default() Config {
	return Config{
		DataDir:        "data",
		HTTP:           HTTP{Listen: "127.0.0.1:8080"},
		MemoryLimitMiB: 512,
		NATS:           stream.DefaultConfig(),
		ClickHouse: ClickHouse{
			Database:     "vigia",
			Username:     "default",
			DialTimeout:  5 * time.Second,
			BatchMaxRows: 20000,
			BatchMaxAge:  250 * time.Millisecond,
		},
		Retention: Retention{Days: 90},
		Processor: Processor{Classify: "on"},
		Classify:  classify.DefaultConfig(),
		Alerts:    DefaultAlerts(),
	}
}

var brandName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
var langCode = regexp.MustCompile(`^[a-z]{2}$`)

// Validate reports every problem in c at once.
func (c *Config) Validate() error {
	var errs []error
	add := func(prefix string, err error) { errs = append(errs, prefixed(prefix, err)...) }
	if c.DataDir == "" {
		errs = append(errs, errors.New(`data_dir: "": want a directory for local state, e.g. data`))
	}
	if c.HTTP.Listen != "" {
		if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
			errs = append(errs, fmt.Errorf("http.listen: %q: want host:port, e.g. 127.0.0.1:8080", c.HTTP.Listen))
		}
	}
	if c.MemoryLimitMiB < 0 || (c.MemoryLimitMiB > 0 && c.MemoryLimitMiB < 64) {
		errs = append(errs, fmt.Errorf("memory_limit_mib: %d: want 0 (runtime default) or at least 64", c.MemoryLimitMiB))
	}
	if len(c.Brands) == 0 {
		errs = append(errs, errors.New("brands: empty: configure at least one brand with a name"))
	}
	seen := map[string]bool{}
	for i, b := range c.Brands {
		add(fmt.Sprintf("brands[%d].", i), b.validate())
		if seen[b.Name] {
			errs = append(errs, fmt.Errorf("brands[%d].name: %q: duplicate brand name", i, b.Name))
		}
		seen[b.Name] = true
	}
	add("nats.", c.NATS.Validate())
	add("clickhouse.", c.ClickHouse.validate())
	if c.Retention.Days < 0 || c.Retention.Days > 36500 {
		errs = append(errs, fmt.Errorf("retention.days: %d: want 0 (keep forever) to 36500", c.Retention.Days))
	}
	for i, r := range c.Collectors.Replay {
		add(fmt.Sprintf("collectors.replay[%d].", i), r.Validate())
		errs = append(errs, c.checkBrand(fmt.Sprintf("collectors.replay[%d].default_brand", i), r.DefaultBrand, false)...)
	}
	for i, w := range c.Collectors.Webhook {
		add(fmt.Sprintf("collectors.webhook[%d].", i), w.Validate())
	}
	for i, s := range c.Collectors.Simulate {
		add(fmt.Sprintf("collectors.simulate[%d].", i), s.Validate())
		for j, b := range s.Brands {
			errs = append(errs, c.checkBrand(fmt.Sprintf("collectors.simulate[%d].brands[%d].name", i, j), b.Name, true)...)
		}
	}
	for i, w := range c.Collectors.Webhook {
		errs = append(errs, c.checkBrand(fmt.Sprintf("collectors.webhook[%d].default_brand", i), w.DefaultBrand, false)...)
	}
	if c.Processor.Classify != "on" && c.Processor.Classify != "off" {
		errs = append(errs, fmt.Errorf("processor.classify: %q: want on or off", c.Processor.Classify))
	}
	if c.Processor.Workers < 0 || c.Processor.Workers > 256 {
		errs = append(errs, fmt.Errorf("processor.workers: %d: want 0 (one per CPU) to 256", c.Processor.Workers))
	}
	add("classify.", c.Classify.Validate())
	errs = append(errs, c.Alerts.validate(c.BrandNames())...)
	for i, b := range c.Brands {
		if len(b.BusinessHours.Hours) > 0 || b.BusinessHours.Mode != "" || len(b.BusinessHours.Holidays) > 0 || b.BusinessHours.HolidaysICal != "" {
			bh := b.BusinessHours
			if bh.TimeZone == "" {
				bh.TimeZone = b.TimeZone
			}
			add(fmt.Sprintf("brands[%d].business_hours.", i), bh.Validate())
		}
	}
	for i, b := range c.Classify.Brands {
		errs = append(errs, c.checkBrand(fmt.Sprintf("classify.brands[%d].name", i), b.Name, true)...)
	}
	return errors.Join(errs...)
}

func (c *Config) checkBrand(field, name string, required bool) []error {
	if name == "" && !required {
		return nil
	}
	for _, b := range c.Brands {
		if b.Name == name {
			return nil
		}
	}
	return []error{fmt.Errorf("%s: %q: no brand with that name (brands: %s)", field, name, strings.Join(c.BrandNames(), ", "))}
}

// BrandNames returns the configured brand names in order.
func (c *Config) BrandNames() []string {
	out := make([]string, 0, len(c.Brands))
	for _, b := range c.Brands {
		out = append(out, b.Name)
	}
	return out
}

// HandleToBrand maps every brand handle (lowercase, without "@") on channel
// ch to its brand name.
func (c *Config) HandleToBrand(ch message.Channel) map[string]string {
	out := map[string]string{}
	for _, b := range c.Brands {
		for _, h := range b.Handles[ch] {
			out[strings.ToLower(strings.TrimPrefix(h, "@"))] = b.Name
		}
	}
	return out
}

func (b Brand) validate() error {
	var errs []error
	if !brandName.MatchString(b.Name) {
		errs = append(errs, fmt.Errorf("name: %q: want lowercase letters, digits, '-' or '_' (at most 64), e.g. acme", b.Name))
	}
	for _, ch := range sortedChannels(b.Handles) {
		if !ch.Valid() {
			errs = append(errs, fmt.Errorf("handles.%s: unknown channel; want one of %v", ch, message.Channels()))
		}
		for j, h := range b.Handles[ch] {
			if strings.TrimSpace(strings.TrimPrefix(h, "@")) == "" {
				errs = append(errs, fmt.Errorf("handles.%s[%d]: %q: want an account handle", ch, j, h))
			}
		}
	}
	for j, k := range b.Keywords {
		if strings.TrimSpace(k) == "" {
			errs = append(errs, fmt.Errorf("keywords[%d]: %q: want a word or phrase", j, k))
		}
	}
	for j, l := range b.Languages {
		if !langCode.MatchString(l) {
			errs = append(errs, fmt.Errorf("languages[%d]: %q: want a two-letter ISO 639-1 code such as es or en", j, l))
		}
	}
	if b.TimeZone != "" {
		if _, err := time.LoadLocation(b.TimeZone); err != nil {
			errs = append(errs, fmt.Errorf("time_zone: %q: want an IANA zone such as Europe/Madrid", b.TimeZone))
		}
	}
	return errors.Join(errs...)
}

func sortedChannels(m map[message.Channel][]string) []message.Channel {
	out := make([]message.Channel, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (c ClickHouse) validate() error {
	var errs []error
	for i, a := range c.Addr {
		if _, _, err := net.SplitHostPort(a); err != nil {
			errs = append(errs, fmt.Errorf("addr[%d]: %q: want host:port of the native protocol, e.g. 127.0.0.1:9000", i, a))
		}
	}
	if !regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`).MatchString(c.Database) {
		errs = append(errs, fmt.Errorf("database: %q: want a name of letters, digits and '_'", c.Database))
	}
	if err := c.Password().Validate("password", false); err != nil {
		errs = append(errs, err)
	}
	if c.DialTimeout < 100*time.Millisecond {
		errs = append(errs, fmt.Errorf("dial_timeout: %s: must be at least 100ms", c.DialTimeout))
	}
	if c.BatchMaxRows < 1 || c.BatchMaxRows > 1_000_000 {
		errs = append(errs, fmt.Errorf("batch_max_rows: %d: must be between 1 and 1000000", c.BatchMaxRows))
	}
	if c.BatchMaxAge < 10*time.Millisecond || c.BatchMaxAge > time.Minute {
		errs = append(errs, fmt.Errorf("batch_max_age: %s: must be between 10ms and 1m", c.BatchMaxAge))
	}
	return errors.Join(errs...)
}

// prefixed splits a joined error into its parts and prefixes each with the
// field path of the struct it came from.
func prefixed(prefix string, err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, prefixed(prefix, e)...)
		}
		return out
	}
	return []error{fmt.Errorf("%s%w", prefix, err)}
}
