package cases

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Defaults of [Config].
const (
	// DefaultGap: a customer message that links to no case joins the
	// customer's case only if that case saw a message this recently.
	DefaultGap = 24 * time.Hour
	// DefaultReopenWindow is four days, Zendesk's default between solved
	// and closed (FIELD.md 2.1): a customer writing within it reopens the
	// case.
	DefaultReopenWindow = 96 * time.Hour
	// DefaultIdleResolve resolves a case three days after the customer's
	// last message.
	DefaultIdleResolve = 72 * time.Hour
	// DefaultAutomaticLabel is the message label that marks an automatic
	// reply.
	DefaultAutomaticLabel = "automatic"
)

// Config tunes threading and the lifecycle.
type Config struct {
	// Gap bounds how long after a case's last message a customer message
	// that neither replies to the case nor shares its conversation id
	// still joins it. Later, it opens a new case.
	Gap time.Duration `yaml:"gap"`
	// ReopenWindow is how long after its resolution a case reopens when
	// the customer writes again. Later, the message opens a new case.
	ReopenWindow time.Duration `yaml:"reopen_window"`
	// IdleResolve resolves an open case this long after the customer's
	// last message ([Tracker.Tick]).
	IdleResolve time.Duration `yaml:"idle_resolve"`
	// AutomaticLabel names the message label whose yes decision marks an
	// outbound message as an automatic reply (an acknowledgement that
	// never stops a response clock). Empty disables the label check.
	AutomaticLabel string `yaml:"automatic_label"`
	// AutomaticAuthors are the author ids or handles (without "@",
	// case-insensitive) of bot accounts: their outbound messages are
	// automatic replies.
	AutomaticAuthors []string `yaml:"automatic_authors"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		Gap:            DefaultGap,
		ReopenWindow:   DefaultReopenWindow,
		IdleResolve:    DefaultIdleResolve,
		AutomaticLabel: DefaultAutomaticLabel,
	}
}

// Validate reports every problem at once, each naming the field, the bad
// value and what is expected.
func (c Config) Validate() error {
	var errs []error
	positive := func(field string, d time.Duration) {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s: %q: must be greater than 0", field, d))
		}
	}
	positive("gap", c.Gap)
	positive("reopen_window", c.ReopenWindow)
	positive("idle_resolve", c.IdleResolve)
	for i, a := range c.AutomaticAuthors {
		if normAuthor(a) == "" {
			errs = append(errs, fmt.Errorf("automatic_authors[%d]: %q: want an author id or handle", i, a))
		}
	}
	return errors.Join(errs...)
}

// LoadSince is the since to pass to [Store.Load] at now: every case a
// tracker still needs (open, or resolved within the reopen window) has an
// event at or after it, or is open.
func (c Config) LoadSince(now time.Time) time.Time {
	return now.Add(-c.ReopenWindow)
}

// automaticAuthors returns the normalized bot authors.
func (c Config) automaticAuthors() []string {
	out := make([]string, 0, len(c.AutomaticAuthors))
	for _, a := range c.AutomaticAuthors {
		out = append(out, normAuthor(a))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func normAuthor(s string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "@")))
}
