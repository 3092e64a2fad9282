package influence

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/vigia-dev/vigia/classify/reason"
)

// Tier is a named follower threshold.
type Tier struct {
	// Name appears in reasons, e.g. "macro".
	Name string `yaml:"name"`
	// MinFollowers is the fewest followers that reach the tier.
	MinFollowers int64 `yaml:"min_followers"`
}

// Config tunes the influencer score.
type Config struct {
	// Tiers, in ascending order of MinFollowers.
	Tiers []Tier `yaml:"tiers"`
	// VerifiedBonus is added to the score of verified accounts.
	VerifiedBonus float64 `yaml:"verified_bonus"`
	// EngagementMin is the number of interactions (likes, reposts, replies)
	// on the post from which EngagementBonus is added; 0 disables it.
	EngagementMin int64 `yaml:"engagement_min"`
	// EngagementBonus is added when the post reaches EngagementMin.
	EngagementBonus float64 `yaml:"engagement_bonus"`
}

// DefaultConfig returns micro ≥ 10,000, macro ≥ 100,000 and mega ≥
// 1,000,000 followers, +0.1 for verification and +0.1 from 100 interactions.
func DefaultConfig() Config {
	return Config{
		Tiers:           []Tier{{"micro", 10_000}, {"macro", 100_000}, {"mega", 1_000_000}},
		VerifiedBonus:   0.1,
		EngagementMin:   100,
		EngagementBonus: 0.1,
	}
}

// Validate reports every problem, each naming the field below the
// configuration's own path.
func (c Config) Validate() error {
	var errs []error
	if len(c.Tiers) == 0 {
		errs = append(errs, errors.New("tiers: is empty; want at least one tier"))
	}
	seen := map[string]bool{}
	for i, t := range c.Tiers {
		switch {
		case t.Name == "":
			errs = append(errs, fmt.Errorf("tiers[%d].name: is empty", i))
		case seen[t.Name]:
			errs = append(errs, fmt.Errorf("tiers[%d].name: %q: duplicate tier name", i, t.Name))
		}
		seen[t.Name] = true
		switch {
		case t.MinFollowers <= 0:
			errs = append(errs, fmt.Errorf("tiers[%d].min_followers: %d: must be positive", i, t.MinFollowers))
		case i > 0 && t.MinFollowers <= c.Tiers[i-1].MinFollowers:
			errs = append(errs, fmt.Errorf("tiers[%d].min_followers: %d: must be greater than tiers[%d]'s %d", i, t.MinFollowers, i-1, c.Tiers[i-1].MinFollowers))
		}
	}
	for _, b := range []struct {
		name string
		v    float64
	}{{"verified_bonus", c.VerifiedBonus}, {"engagement_bonus", c.EngagementBonus}} {
		if name, v := b.name, b.v; v < 0 || v > 1 || math.IsNaN(v) {
			errs = append(errs, fmt.Errorf("%s: %v: must be between 0 and 1", name, v))
		}
	}
	if c.EngagementMin < 0 {
		errs = append(errs, fmt.Errorf("engagement_min: %d: must not be negative", c.EngagementMin))
	}
	return errors.Join(errs...)
}

// Signals are what is known of an author's reach.
type Signals struct {
	Followers  int64
	Verified   bool
	Engagement int64 // interactions on the post; 0 when unknown
}

// Score returns the influencer score in [0,1] and the tier reached (""
// below the lowest), and adds the reasons to reasons (when not nil). c must
// be valid. A caller scoring many messages with one configuration should
// build its Scorer once.
func (c Config) Score(s Signals, reasons *reason.List) (score float64, tier string) {
	return c.score(s, reasons, nil)
}

// Scorer is Config.Score with what depends on the configuration alone
// (the tiers' logarithms, the reasons' tier and engagement suffixes)
// computed once. It is immutable and safe for concurrent use.
type Scorer struct {
	c Config
	// logMin[i] is log10 of tier i's MinFollowers; logFirst is log10 of
	// the first tier's MinFollowers plus one.
	logMin   []float64
	logFirst float64
	// below and at[i] are the reason suffixes " < <first tier>" and
	// " ≥ <tier i>"; engagement is " ≥ <EngagementMin> interactions".
	below      string
	at         []string
	engagement string
}

// Scorer returns c's Scorer; c must be valid.
func (c Config) Scorer() *Scorer {
	s := &Scorer{c: c, logFirst: math.Log10(float64(c.Tiers[0].MinFollowers) + 1)}
	s.below = string(appendTier([]byte(" < "), c.Tiers[0]))
	for _, t := range c.Tiers {
		s.logMin = append(s.logMin, math.Log10(float64(t.MinFollowers)))
		s.at = append(s.at, string(appendTier([]byte(" ≥ "), t)))
	}
	s.engagement = string(appendGrouped([]byte(" ≥ "), c.EngagementMin)) + " interactions"
	return s
}

// Score is Config.Score.
func (sc *Scorer) Score(s Signals, reasons *reason.List) (score float64, tier string) {
	return sc.c.score(s, reasons, sc)
}

// score is Score, taking what depends on c alone from sc when it is not
// nil (the same values, computed once).
func (c Config) score(s Signals, reasons *reason.List, sc *Scorer) (score float64, tier string) {
	f := max(s.Followers, 0)
	lf := math.Log10(float64(f) + 1)
	k := len(c.Tiers)
	step := 0.5 / float64(k)
	reached := -1
	for i, t := range c.Tiers {
		if f >= t.MinFollowers {
			reached = i
		}
	}
	var b []byte
	if reasons != nil {
		b = append(reasons.Begin(), "followers "...)
		b = appendGrouped(b, f)
	}
	switch {
	case reached < 0:
		if sc != nil {
			score = 0.5 * lf / sc.logFirst
		} else {
			score = 0.5 * lf / math.Log10(float64(c.Tiers[0].MinFollowers)+1)
		}
		if reasons != nil && sc != nil {
			b = append(b, sc.below...)
		} else if reasons != nil {
			b = appendTier(append(b, " < "...), c.Tiers[0])
		}
	default:
		t := c.Tiers[reached]
		logMin := func(i int) float64 {
			if sc != nil {
				return sc.logMin[i]
			}
			return math.Log10(float64(c.Tiers[i].MinFollowers))
		}
		lo := logMin(reached)
		hi := lo + 1
		if reached+1 < k {
			hi = logMin(reached + 1)
		}
		score = 0.5 + step*float64(reached) + step*min((lf-lo)/(hi-lo), 1)
		tier = t.Name
		if reasons != nil && sc != nil {
			b = append(b, sc.at[reached]...)
		} else if reasons != nil {
			b = appendTier(append(b, " ≥ "...), t)
		}
	}
	if reasons != nil {
		reasons.End(b)
	}
	if s.Verified && c.VerifiedBonus > 0 {
		score += c.VerifiedBonus
		if reasons != nil {
			reasons.Add("verified account")
		}
	}
	if c.EngagementMin > 0 && s.Engagement >= c.EngagementMin && c.EngagementBonus > 0 {
		score += c.EngagementBonus
		if reasons != nil {
			b = appendGrouped(append(reasons.Begin(), "engagement "...), s.Engagement)
			if sc != nil {
				b = append(b, sc.engagement...)
			} else {
				b = append(appendGrouped(append(b, " ≥ "...), c.EngagementMin), " interactions"...)
			}
			reasons.End(b)
		}
	}
	return min(max(score, 0), 1), tier
}

// appendTier appends "<name> tier <min followers>".
func appendTier(b []byte, t Tier) []byte {
	b = append(append(b, t.Name...), " tier "...)
	return appendGrouped(b, t.MinFollowers)
}

// appendGrouped appends n with thousands separators: 250000 -> "250,000".
func appendGrouped(b []byte, n int64) []byte {
	var digits [20]byte
	s := strconv.AppendInt(digits[:0], n, 10)
	if n < 0 {
		b = append(b, '-')
		s = s[1:]
	}
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return b
}
