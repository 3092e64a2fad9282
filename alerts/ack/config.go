package ack

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vigia-dev/vigia/internal/message"
)

// Mode says when a rule acknowledges.
type Mode string

// Modes. An enum, not a bool: "inside / outside / always" per rule is what
// users of auto-replies ask for (FIELD.md 3, chatwoot #10455).
const (
	// ModeOn acknowledges every new case and reopening. It is the default.
	ModeOn Mode = "on"
	// ModeOff never acknowledges: the rule only documents that the brand
	// and channels are deliberately left out.
	ModeOff Mode = "off"
	// ModeOutsideHours acknowledges only while the brand's business
	// calendar is closed, when customers most need to hear when a person
	// will answer.
	ModeOutsideHours Mode = "outside_hours"
)

// Modes lists every mode.
func Modes() []Mode { return []Mode{ModeOn, ModeOff, ModeOutsideHours} }

// Valid reports whether m is a known mode; empty means on.
func (m Mode) Valid() bool { return m == "" || slices.Contains(Modes(), m) }

// ReplyBy says how the time a person will answer is computed.
type ReplyBy string

// ReplyBy choices.
const (
	// ReplyByDeadline promises the case's response deadline: the SLA
	// policy's target for the response the case waits for (first or
	// next), counted on the brand's calendar. A case no target covers
	// falls back to next_open. It is the default.
	ReplyByDeadline ReplyBy = "deadline"
	// ReplyByNextOpen promises the next time the brand's calendar opens;
	// "shortly" when it is open now.
	ReplyByNextOpen ReplyBy = "next_open"
)

// Valid reports whether r is known; empty means deadline.
func (r ReplyBy) Valid() bool { return r == "" || r == ReplyByDeadline || r == ReplyByNextOpen }

// Defaults and bounds.
const (
	// DefaultRateLimit is how many acknowledgements a brand sends per
	// minute at most; beyond it they are skipped and counted.
	DefaultRateLimit = 30
	// DefaultMaxAge skips messages older than this: a backfill after an
	// outage or a replay of history must not acknowledge old posts.
	DefaultMaxAge = 6 * time.Hour
	// DefaultQueueSize bounds the acknowledgements waiting to be sent.
	DefaultQueueSize = 256
	// DefaultWorkers send in parallel.
	DefaultWorkers = 2
	// DefaultAttempts bounds the tries of one send (and of recording it).
	DefaultAttempts = 4
	// DefaultTimeout bounds one attempt.
	DefaultTimeout = 10 * time.Second
	// DefaultAuthor is the author of the recorded reply when the rule names
	// none and the brand has no handle on the channel.
	DefaultAuthor = "vigia"
	// MaxTextRunes bounds a rendered acknowledgement on channels without a
	// tighter limit: it is a sentence or two, not a letter.
	MaxTextRunes = 1000
	// MaxTextRunesX is X's post limit for a standard account
	// (https://docs.x.com/x-api/posts/manage-tweets/introduction, 280
	// weighted characters).
	MaxTextRunesX = 280
)

// Config configures automatic acknowledgements.
type Config struct {
	// Acknowledge are the rules; a brand and channel no rule names (or
	// whose rule is off) gets no acknowledgement.
	Acknowledge []Rule `yaml:"acknowledge"`
	// RateLimit is the most acknowledgements per brand per minute.
	RateLimit int `yaml:"rate_limit"`
	// MaxAge skips a message older than this when it is considered.
	MaxAge time.Duration `yaml:"max_age"`
	// QueueSize bounds the acknowledgements waiting for a worker; when it
	// is full, new ones are skipped and counted (reason queue_full).
	QueueSize int `yaml:"queue_size"`
	// Workers is how many acknowledgements are sent at once.
	Workers int `yaml:"workers"`
	// Attempts bounds the tries of one send, with backoff between them.
	Attempts int `yaml:"attempts"`
	// Timeout bounds one attempt.
	Timeout time.Duration `yaml:"timeout"`
}

// Rule turns acknowledgements on for some channels of a brand.
type Rule struct {
	// Brand is the brand's name.
	Brand string `yaml:"brand"`
	// Channels are the channels the rule covers.
	Channels []message.Channel `yaml:"channels"`
	// Mode is on (the default), off or outside_hours.
	Mode Mode `yaml:"mode"`
	// ReplyBy is deadline (the default) or next_open.
	ReplyBy ReplyBy `yaml:"reply_by"`
	// SoonWithin: when the promised time is at most this far from now,
	// templates get .Soon ("shortly") instead of a time. Zero means only
	// when a person can answer now.
	SoonWithin time.Duration `yaml:"soon_within"`
	// Author is the account the acknowledgement is recorded from; empty
	// means the brand's first handle on the channel, else "vigia".
	Author string `yaml:"author"`
	// FallbackLanguage is used when there is no template in the
	// customer's language; empty means the brand's first configured
	// language that has a template, else en.
	FallbackLanguage string `yaml:"fallback_language"`
	// Templates are text/template texts per language (ISO 639-1). They
	// replace the built-in es and en texts and add languages; see
	// [TemplateData] for the fields.
	Templates map[string]string `yaml:"templates"`
	// Webhook is where acknowledgements on the webhook channel go: the
	// brand's own system (a CRM) delivers them.
	Webhook WebhookConfig `yaml:"webhook"`
}

// WebhookConfig configures the reply endpoint of a brand's webhook channel.
type WebhookConfig struct {
	// ReplyURL receives each acknowledgement as a signed JSON POST.
	ReplyURL string `yaml:"reply_url"`
	// SecretEnv names the environment variable holding the signing secret.
	SecretEnv string `yaml:"secret_env"`
	// SecretFile is a file holding the signing secret.
	SecretFile string `yaml:"secret_file"`
}

// DefaultConfig returns the defaults: no rules, so no acknowledgement.
func DefaultConfig() Config {
	return Config{
		RateLimit: DefaultRateLimit,
		MaxAge:    DefaultMaxAge,
		QueueSize: DefaultQueueSize,
		Workers:   DefaultWorkers,
		Attempts:  DefaultAttempts,
		Timeout:   DefaultTimeout,
	}
}

var langCode = regexp.MustCompile(`^[a-z]{2}$`)

// Validate reports every problem at once, each naming the field, the bad
// value and the fix. brands are the configured brand names.
func (c Config) Validate(brands []string) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.RateLimit < 1 {
		bad("rate_limit: %d: must be at least 1 (acknowledgements per brand per minute)", c.RateLimit)
	}
	if c.MaxAge < time.Minute {
		bad("max_age: %q: must be at least 1m, e.g. 6h", c.MaxAge)
	}
	if c.QueueSize < 1 {
		bad("queue_size: %d: must be at least 1", c.QueueSize)
	}
	if c.Workers < 1 || c.Workers > 64 {
		bad("workers: %d: must be between 1 and 64", c.Workers)
	}
	if c.Attempts < 1 || c.Attempts > 10 {
		bad("attempts: %d: must be between 1 and 10", c.Attempts)
	}
	if c.Timeout < time.Second {
		bad("timeout: %q: must be at least 1s, e.g. 10s", c.Timeout)
	}
	seen := map[string]int{}
	for i, r := range c.Acknowledge {
		for _, e := range r.problems(brands) {
			errs = append(errs, fmt.Errorf("acknowledge[%d].%w", i, e))
		}
		for j, ch := range r.Channels {
			k := r.Brand + "/" + string(ch)
			if prev, dup := seen[k]; dup {
				bad("acknowledge[%d].channels[%d]: %q: brand %q already has this channel in acknowledge[%d]", i, j, ch, r.Brand, prev)
				continue
			}
			seen[k] = i
		}
	}
	return errors.Join(errs...)
}

func (r Rule) problems(brands []string) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !slices.Contains(brands, r.Brand) {
		bad("brand: %q: no brand with that name (brands: %s)", r.Brand, strings.Join(brands, ", "))
	}
	if len(r.Channels) == 0 {
		bad("channels: is empty: list the channels to acknowledge on, e.g. [telegram, webhook]")
	}
	for j, ch := range r.Channels {
		if !ch.Valid() {
			bad("channels[%d]: %q: want one of %v", j, ch, message.Channels())
		}
	}
	if !r.Mode.Valid() {
		bad("mode: %q: want one of %v", r.Mode, Modes())
	}
	if !r.ReplyBy.Valid() {
		bad("reply_by: %q: want deadline or next_open", r.ReplyBy)
	}
	if r.SoonWithin < 0 {
		bad("soon_within: %q: must not be negative", r.SoonWithin)
	}
	if r.Author != "" && strings.TrimSpace(strings.TrimPrefix(r.Author, "@")) == "" {
		bad("author: %q: want the handle of the brand's account", r.Author)
	}
	if r.FallbackLanguage != "" {
		if !langCode.MatchString(r.FallbackLanguage) {
			bad("fallback_language: %q: want a two-letter ISO 639-1 code such as es or en", r.FallbackLanguage)
		} else if _, ok := r.templateTexts()[r.FallbackLanguage]; !ok {
			bad("fallback_language: %q: no template in that language: add templates.%s or pick one of %v",
				r.FallbackLanguage, r.FallbackLanguage, sortedKeys(r.templateTexts()))
		}
	}
	limit := MaxTextRunes
	if slices.Contains(r.Channels, message.ChannelX) {
		limit = MaxTextRunesX
	}
	for _, lang := range sortedKeys(r.Templates) {
		if !langCode.MatchString(lang) {
			bad("templates.%s: want a two-letter ISO 639-1 code such as es or en as the key", lang)
			continue
		}
		if _, err := parseTemplate(lang, r.Templates[lang], limit); err != nil {
			bad("templates.%s: %w", lang, err)
		}
	}
	if slices.Contains(r.Channels, message.ChannelWebhook) && r.Mode != ModeOff {
		errs = append(errs, r.Webhook.problems()...)
	} else if r.Webhook != (WebhookConfig{}) {
		bad("webhook: is set but the rule does not acknowledge on the webhook channel: add webhook to channels or remove it")
	}
	return errs
}

func (w WebhookConfig) problems() []error {
	var errs []error
	if u, err := url.Parse(w.ReplyURL); w.ReplyURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("webhook.reply_url: %q: want the http:// or https:// URL of the brand's system that delivers replies on the webhook channel", w.ReplyURL))
	}
	switch {
	case w.SecretEnv != "" && w.SecretFile != "":
		errs = append(errs, errors.New("webhook.secret_env, webhook.secret_file: at most one of secret_env & secret_file"))
	case w.SecretEnv == "" && w.SecretFile == "":
		errs = append(errs, errors.New("webhook.secret_env, webhook.secret_file: one of secret_env & secret_file is required: replies carry customer data and are signed"))
	}
	return errs
}

// templateTexts returns the built-in templates overlaid with the rule's.
func (r Rule) templateTexts() map[string]string {
	out := DefaultTemplates()
	for lang, text := range r.Templates {
		out[lang] = text
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
