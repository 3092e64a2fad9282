package urgent

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/vigia-dev/vigia/classify/lexicon"
	"github.com/vigia-dev/vigia/classify/reason"
)

// Weights are the evidence each lexicon group contributes, in [0,1].
type Weights struct {
	Outage float64 `yaml:"outage"`
	Safety float64 `yaml:"safety"`
	Legal  float64 `yaml:"legal"`
	Money  float64 `yaml:"money"`
}

// Config tunes the urgent score.
type Config struct {
	// Weights per phrase group.
	Weights Weights `yaml:"weights"`
	// InfluencerComplaint weighs a complaint by an influencer: the evidence
	// is InfluencerComplaint × √(complaint score × influencer score), counted
	// only when both labels are decided.
	InfluencerComplaint float64 `yaml:"influencer_complaint"`
	// UnansweredMin is how many unanswered messages from the customer in the
	// open conversation start counting; 0 disables the signal.
	UnansweredMin int `yaml:"unanswered_min"`
	// UnansweredWeight is the evidence at UnansweredMin messages.
	UnansweredWeight float64 `yaml:"unanswered_weight"`
	// UnansweredStep is added per message above UnansweredMin (capped at 0.95).
	UnansweredStep float64 `yaml:"unanswered_step"`
}

// DefaultConfig returns the default weights.
func DefaultConfig() Config {
	return Config{
		Weights:             Weights{Outage: 0.6, Safety: 0.85, Legal: 0.7, Money: 0.7},
		InfluencerComplaint: 0.85,
		UnansweredMin:       2,
		UnansweredWeight:    0.35,
		UnansweredStep:      0.15,
	}
}

// Validate reports every problem, each naming the field below the
// configuration's own path.
func (c Config) Validate() error {
	var errs []error
	for _, w := range []struct {
		name string
		v    float64
	}{
		{"weights.outage", c.Weights.Outage}, {"weights.safety", c.Weights.Safety},
		{"weights.legal", c.Weights.Legal}, {"weights.money", c.Weights.Money},
		{"influencer_complaint", c.InfluencerComplaint},
		{"unanswered_weight", c.UnansweredWeight}, {"unanswered_step", c.UnansweredStep},
	} {
		if !(w.v >= 0 && w.v <= 1) {
			errs = append(errs, fmt.Errorf("%s: %v: must be between 0 and 1", w.name, w.v))
		}
	}
	if c.UnansweredMin < 0 {
		errs = append(errs, fmt.Errorf("unanswered_min: %d: must not be negative", c.UnansweredMin))
	}
	return errors.Join(errs...)
}

// Signals are the inputs of one urgent decision.
type Signals struct {
	// Matches are phrases found in the text. Lexicon urgent groups are
	// weighed by Config.Weights; any other group (brand keywords) by the
	// match's own Weight, and quoted as a brand keyword.
	Matches []lexicon.Match
	// Complaint and Influencer are those labels' scores and decisions.
	Complaint, Influencer                 float64
	ComplaintDecision, InfluencerDecision bool
	// Unanswered is how many messages this customer has written in the open
	// conversation without an answer from the brand, this one included.
	Unanswered int
}

// weight returns a lexicon group's weight and what it means in reasons.
func (c Config) weight(group string) (float64, string, bool) {
	switch group {
	case lexicon.GroupUrgentOutage:
		return c.Weights.Outage, "service outage", true
	case lexicon.GroupUrgentSafety:
		return c.Weights.Safety, "safety", true
	case lexicon.GroupUrgentLegal:
		return c.Weights.Legal, "legal threat", true
	case lexicon.GroupUrgentMoney:
		return c.Weights.Money, "money lost", true
	}
	return 0, "", false
}

// Score returns the urgent score in [0,1] and adds the reasons to reasons
// (when not nil), in the order the evidence is weighed: phrases as found,
// then complaint × influencer, then unanswered messages.
func (c Config) Score(s Signals, reasons *reason.List) float64 {
	miss := 1.0 // probability that no evidence is right
	for _, m := range s.Matches {
		w, what, lex := c.weight(m.Group)
		if !lex {
			w = m.Weight
		}
		miss *= 1 - w
		if reasons == nil {
			continue
		}
		if lex {
			b := strconv.AppendQuote(append(reasons.Begin(), "phrase "...), m.Phrase)
			reasons.End(append(append(append(b, " ("...), what...), ')'))
		} else {
			reasons.End(strconv.AppendQuote(append(reasons.Begin(), "brand keyword "...), m.Phrase))
		}
	}
	if s.ComplaintDecision && s.InfluencerDecision && c.InfluencerComplaint > 0 {
		miss *= 1 - c.InfluencerComplaint*math.Sqrt(s.Complaint*s.Influencer)
		if reasons != nil {
			b := strconv.AppendFloat(append(reasons.Begin(), "complaint "...), s.Complaint, 'f', 2, 64)
			b = strconv.AppendFloat(append(b, " from an influencer "...), s.Influencer, 'f', 2, 64)
			reasons.End(b)
		}
	}
	if c.UnansweredMin > 0 && s.Unanswered >= c.UnansweredMin {
		miss *= 1 - min(c.UnansweredWeight+c.UnansweredStep*float64(s.Unanswered-c.UnansweredMin), 0.95)
		if reasons != nil {
			b := strconv.AppendInt(reasons.Begin(), int64(s.Unanswered), 10)
			reasons.End(append(b, " unanswered messages from this customer in the open conversation"...))
		}
	}
	return min(max(1-miss, 0), 1)
}
