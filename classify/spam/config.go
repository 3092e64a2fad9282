package spam

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Weights are the evidence each signal contributes, in [0,1].
type Weights struct {
	// Duplicate is the evidence at DuplicateAuthors other authors; each
	// further author adds 0.05, up to 0.95.
	Duplicate float64 `yaml:"duplicate"`
	// DuplicateAlone scales the duplicate evidence when nothing else looks
	// like promotion (no link, normal account, normal rate): many customers
	// writing the same complaint during an outage, or the same question,
	// are not spam.
	DuplicateAlone float64 `yaml:"duplicate_alone"`
	Rate           float64 `yaml:"rate"`
	Shortener      float64 `yaml:"shortener"`
	Ratio          float64 `yaml:"ratio"`
	NewAccount     float64 `yaml:"new_account"`
}

// Config tunes the detector.
type Config struct {
	// Window is how far back, in message time, duplicates and posts count.
	Window time.Duration `yaml:"window"`
	// MaxFingerprints bounds the ring of recent fingerprints.
	MaxFingerprints int `yaml:"max_fingerprints"`
	// MaxAuthors bounds the LRU of authors whose rate is tracked.
	MaxAuthors int `yaml:"max_authors"`
	// MinTokens is the fewest words a text needs to be fingerprinted; short
	// texts ("gracias", "hola") are legitimately repeated.
	MinTokens int `yaml:"min_tokens"`
	// MaxHamming is the largest SimHash distance that counts as a
	// near-duplicate, at most 3.
	MaxHamming int `yaml:"max_hamming"`
	// DuplicateAuthors is how many other authors must have posted the text
	// within Window for it to count.
	DuplicateAuthors int `yaml:"duplicate_authors"`
	// RateMax is the most posts an author may make within Window before the
	// rate counts.
	RateMax int `yaml:"rate_max"`
	// Shorteners are URL shortener hosts (t.co is the platform's own wrapper
	// and does not belong here).
	Shorteners []string `yaml:"shorteners"`
	// NewAccountAge: accounts younger than this at message time count.
	NewAccountAge time.Duration `yaml:"new_account_age"`
	// FollowingRatio: authors following at least RatioMinFollowing accounts
	// and this many times more than follow them count.
	FollowingRatio    float64 `yaml:"following_ratio"`
	RatioMinFollowing int64   `yaml:"ratio_min_following"`
	// Weights of each signal.
	Weights Weights `yaml:"weights"`
}

// DefaultConfig returns the defaults: a 10m window, 50,000 fingerprints,
// 100,000 authors, texts of 5 words or more, Hamming ≤ 3, 3 other authors,
// more than 5 posts, accounts younger than 7 days, following ≥ 20× the
// followers from 500 followed.
func DefaultConfig() Config {
	return Config{
		Window:            10 * time.Minute,
		MaxFingerprints:   50_000,
		MaxAuthors:        100_000,
		MinTokens:         5,
		MaxHamming:        3,
		DuplicateAuthors:  3,
		RateMax:           5,
		Shorteners:        []string{"bit.ly", "tinyurl.com", "goo.gl", "ow.ly", "is.gd", "buff.ly", "cutt.ly", "rebrand.ly", "shorturl.at", "rb.gy", "t.ly", "tiny.cc", "wa.me"},
		NewAccountAge:     7 * 24 * time.Hour,
		FollowingRatio:    20,
		RatioMinFollowing: 500,
		Weights:           Weights{Duplicate: 0.6, DuplicateAlone: 0.3, Rate: 0.5, Shortener: 0.3, Ratio: 0.25, NewAccount: 0.25},
	}
}

// Validate reports every problem, each naming the field below the
// configuration's own path.
func (c Config) Validate() error {
	var errs []error
	bad := func(field string, v any, want string) {
		errs = append(errs, fmt.Errorf("%s: %v: %s", field, v, want))
	}
	if c.Window < time.Second || c.Window > 24*time.Hour {
		bad("window", c.Window, "must be between 1s and 24h")
	}
	if c.MaxFingerprints < 1 || c.MaxFingerprints > 10_000_000 {
		bad("max_fingerprints", c.MaxFingerprints, "must be between 1 and 10000000")
	}
	if c.MaxAuthors < 1 || c.MaxAuthors > 10_000_000 {
		bad("max_authors", c.MaxAuthors, "must be between 1 and 10000000")
	}
	if c.MinTokens < 1 {
		bad("min_tokens", c.MinTokens, "must be at least 1")
	}
	if c.MaxHamming < 0 || c.MaxHamming > 3 {
		bad("max_hamming", c.MaxHamming, "must be between 0 and 3")
	}
	if c.DuplicateAuthors < 1 {
		bad("duplicate_authors", c.DuplicateAuthors, "must be at least 1")
	}
	if c.RateMax < 1 || c.RateMax > 1000 {
		bad("rate_max", c.RateMax, "must be between 1 and 1000")
	}
	for i, s := range c.Shorteners {
		if s == "" || s != strings.ToLower(s) || strings.ContainsAny(s, "/: ") {
			bad(fmt.Sprintf("shorteners[%d]", i), fmt.Sprintf("%q", s), "must be a lower-case host name")
		}
	}
	if c.NewAccountAge < 0 {
		bad("new_account_age", c.NewAccountAge, "must not be negative")
	}
	if !(c.FollowingRatio >= 1) {
		bad("following_ratio", c.FollowingRatio, "must be at least 1")
	}
	if c.RatioMinFollowing < 0 {
		bad("ratio_min_following", c.RatioMinFollowing, "must not be negative")
	}
	for _, w := range []struct {
		name string
		v    float64
	}{
		{"weights.duplicate", c.Weights.Duplicate}, {"weights.duplicate_alone", c.Weights.DuplicateAlone}, {"weights.rate", c.Weights.Rate},
		{"weights.shortener", c.Weights.Shortener}, {"weights.ratio", c.Weights.Ratio},
		{"weights.new_account", c.Weights.NewAccount},
	} {
		if !(w.v >= 0 && w.v <= 1) {
			bad(w.name, w.v, "must be between 0 and 1")
		}
	}
	return errors.Join(errs...)
}
