package classify

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vigia-dev/vigia/classify/influence"
	"github.com/vigia-dev/vigia/classify/lang"
	"github.com/vigia-dev/vigia/classify/spam"
	"github.com/vigia-dev/vigia/classify/urgent"
)

// Label names.
const (
	LabelComplaint  = "complaint"
	LabelTroll      = "troll"
	LabelSpam       = "spam"
	LabelInfluencer = "influencer"
	LabelUrgent     = "urgent"
)

// Labels lists every label, in the order of Result.Labels.
func Labels() []string {
	return []string{LabelComplaint, LabelTroll, LabelSpam, LabelInfluencer, LabelUrgent}
}

// Thresholds are the scores from which each label is decided. In a brand's
// configuration a zero field inherits the global threshold.
type Thresholds struct {
	Complaint  float64 `yaml:"complaint"`
	Troll      float64 `yaml:"troll"`
	Spam       float64 `yaml:"spam"`
	Influencer float64 `yaml:"influencer"`
	Urgent     float64 `yaml:"urgent"`
}

func (t Thresholds) get(label string) float64 {
	switch label {
	case LabelComplaint:
		return t.Complaint
	case LabelTroll:
		return t.Troll
	case LabelSpam:
		return t.Spam
	case LabelInfluencer:
		return t.Influencer
	default:
		return t.Urgent
	}
}

// over returns t with the non-zero fields of o.
func (t Thresholds) over(o Thresholds) Thresholds {
	pick := func(a, b float64) float64 {
		if b != 0 {
			return b
		}
		return a
	}
	return Thresholds{pick(t.Complaint, o.Complaint), pick(t.Troll, o.Troll), pick(t.Spam, o.Spam),
		pick(t.Influencer, o.Influencer), pick(t.Urgent, o.Urgent)}
}

func (t Thresholds) validate(path string, allowZero bool) []error {
	var errs []error
	for _, l := range Labels() {
		v := t.get(l)
		if allowZero && v == 0 {
			continue
		}
		if !(v > 0 && v <= 1) {
			errs = append(errs, fmt.Errorf("%s.%s: %v: must be greater than 0 and at most 1", path, l, v))
		}
	}
	return errs
}

// PhraseWeights are the evidence one lexicon phrase contributes to its label.
type PhraseWeights struct {
	Complaint float64 `yaml:"complaint"`
	Troll     float64 `yaml:"troll"`
	SpamScam  float64 `yaml:"spam_scam"`
	SpamPromo float64 `yaml:"spam_promo"`
}

// Keywords are a brand's extra phrases for one label.
type Keywords struct {
	// Label is complaint, troll, spam or urgent.
	Label string `yaml:"label"`
	// Lang restricts the phrases to texts in that language; empty: any.
	Lang string `yaml:"lang"`
	// Phrases, matched like lexicon phrases ("word*" is a prefix).
	Phrases []string `yaml:"phrases"`
	// Weight is the evidence of one phrase, in (0,1]; DefaultKeywordWeight
	// when zero.
	Weight float64 `yaml:"weight"`
}

// DefaultKeywordWeight is a brand keyword's weight when none is set: one
// keyword alone decides its label at the default threshold.
const DefaultKeywordWeight = 0.6

// BlockAction is what happens to messages from a blocked author.
type BlockAction string

// Block actions.
const (
	// BlockSpam marks the message spam (score 1), the default.
	BlockSpam BlockAction = "spam"
	// BlockTroll marks the message troll (score 1).
	BlockTroll BlockAction = "troll"
	// BlockIgnore decides no label and sets Result.Ignored.
	BlockIgnore BlockAction = "ignore"
)

// Valid reports whether a is a known action.
func (a BlockAction) Valid() bool { return a == BlockSpam || a == BlockTroll || a == BlockIgnore }

// Block is a brand's block list.
type Block struct {
	// Handles, with or without "@", compared case-insensitively.
	Handles []string `yaml:"handles"`
	// Action is spam (default), troll or ignore.
	Action BlockAction `yaml:"action"`
}

// BrandConfig overrides the classifier for one brand.
type BrandConfig struct {
	// Name matches message.Message.Brand.
	Name string `yaml:"name"`
	// Thresholds; zero fields inherit the global ones.
	Thresholds Thresholds `yaml:"thresholds"`
	// Tiers replace the influencer tiers when not empty.
	Tiers []influence.Tier `yaml:"tiers"`
	// Keywords add phrases per label and language.
	Keywords []Keywords `yaml:"keywords"`
	// VIP handles are always influencers (score 1), so their complaints
	// are urgent.
	VIP []string `yaml:"vip"`
	// Block lists authors whose messages are marked or ignored.
	Block Block `yaml:"block"`
}

// Config is the classifier's configuration.
type Config struct {
	// Languages are ISO 639-1 codes, each with a lexicon in classify/lexicon.
	Languages []string `yaml:"languages"`
	// LangAccuracy is lingua's mode: low (default, trigram models) or high.
	LangAccuracy lang.Accuracy `yaml:"lang_accuracy"`
	// Thresholds per label.
	Thresholds Thresholds `yaml:"thresholds"`
	// PhraseWeights of lexicon phrases.
	PhraseWeights PhraseWeights `yaml:"phrase_weights"`
	// Influence tunes the influencer score.
	Influence influence.Config `yaml:"influence"`
	// Spam tunes the behaviour signals of spam.
	Spam spam.Config `yaml:"spam"`
	// Urgent tunes the urgent score.
	Urgent urgent.Config `yaml:"urgent"`
	// Brands are per-brand overrides.
	Brands []BrandConfig `yaml:"brands"`
}

// DefaultConfig returns Spanish and English, thresholds of 0.5 and the
// defaults of every part.
func DefaultConfig() Config {
	return Config{
		Languages:     []string{"es", "en"},
		LangAccuracy:  lang.AccuracyLow,
		Thresholds:    Thresholds{Complaint: 0.5, Troll: 0.5, Spam: 0.5, Influencer: 0.5, Urgent: 0.5},
		PhraseWeights: PhraseWeights{Complaint: 0.55, Troll: 0.55, SpamScam: 0.55, SpamPromo: 0.2},
		Influence:     influence.DefaultConfig(),
		Spam:          spam.DefaultConfig(),
		Urgent:        urgent.DefaultConfig(),
	}
}

// ParseConfig decodes a classifier configuration in YAML over
// DefaultConfig; unknown keys are errors. It does not validate.
func ParseConfig(b []byte) (Config, error) {
	cfg := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("parse classify config: %w", err)
	}
	return cfg, nil
}

// Validate reports every problem at once, each naming the field path, the
// bad value and what is expected.
func (c Config) Validate() error {
	var errs []error
	prefixed := func(path string, err error) {
		if err == nil {
			return
		}
		for _, e := range unjoin(err) {
			errs = append(errs, fmt.Errorf("%s.%w", path, e))
		}
	}
	if len(c.Languages) == 0 {
		errs = append(errs, errors.New("languages: is empty; want at least one ISO 639-1 code"))
	}
	for i, l := range c.Languages {
		if !validLangCode(l) {
			errs = append(errs, fmt.Errorf("languages[%d]: %q: want a lower-case ISO 639-1 code", i, l))
		} else if slices.Contains(c.Languages[:i], l) {
			errs = append(errs, fmt.Errorf("languages[%d]: %q: listed twice", i, l))
		}
	}
	if !c.LangAccuracy.Valid() {
		errs = append(errs, fmt.Errorf("lang_accuracy: %q: want low or high", c.LangAccuracy))
	}
	errs = append(errs, c.Thresholds.validate("thresholds", false)...)
	for _, w := range []struct {
		name string
		v    float64
	}{
		{"complaint", c.PhraseWeights.Complaint}, {"troll", c.PhraseWeights.Troll},
		{"spam_scam", c.PhraseWeights.SpamScam}, {"spam_promo", c.PhraseWeights.SpamPromo},
	} {
		if !(w.v >= 0 && w.v <= 1) {
			errs = append(errs, fmt.Errorf("phrase_weights.%s: %v: must be between 0 and 1", w.name, w.v))
		}
	}
	prefixed("influence", c.Influence.Validate())
	prefixed("spam", c.Spam.Validate())
	prefixed("urgent", c.Urgent.Validate())
	seen := map[string]int{}
	for i, b := range c.Brands {
		path := fmt.Sprintf("brands[%d]", i)
		if b.Name == "" {
			errs = append(errs, fmt.Errorf("%s.name: is empty", path))
		} else if j, dup := seen[b.Name]; dup {
			errs = append(errs, fmt.Errorf("%s.name: %q: already configured in brands[%d]", path, b.Name, j))
		} else {
			seen[b.Name] = i
		}
		errs = append(errs, c.validateBrand(path, b)...)
	}
	return errors.Join(errs...)
}

func (c Config) validateBrand(path string, b BrandConfig) []error {
	errs := b.Thresholds.validate(path+".thresholds", true)
	if len(b.Tiers) > 0 {
		ic := c.Influence
		ic.Tiers = b.Tiers
		for _, e := range unjoin(ic.Validate()) {
			if strings.HasPrefix(e.Error(), "tiers") {
				errs = append(errs, fmt.Errorf("%s.%w", path, e))
			}
		}
	}
	for i, k := range b.Keywords {
		kp := fmt.Sprintf("%s.keywords[%d]", path, i)
		if !slices.Contains([]string{LabelComplaint, LabelTroll, LabelSpam, LabelUrgent}, k.Label) {
			errs = append(errs, fmt.Errorf("%s.label: %q: want complaint, troll, spam or urgent", kp, k.Label))
		}
		if k.Lang != "" && !slices.Contains(c.Languages, k.Lang) {
			errs = append(errs, fmt.Errorf("%s.lang: %q: not one of the configured languages %v", kp, k.Lang, c.Languages))
		}
		if len(k.Phrases) == 0 {
			errs = append(errs, fmt.Errorf("%s.phrases: is empty", kp))
		}
		for j, p := range k.Phrases {
			if strings.TrimSpace(p) == "" {
				errs = append(errs, fmt.Errorf("%s.phrases[%d]: is blank", kp, j))
			}
		}
		if !(k.Weight >= 0 && k.Weight <= 1) {
			errs = append(errs, fmt.Errorf("%s.weight: %v: must be between 0 and 1 (0 means %v)", kp, k.Weight, DefaultKeywordWeight))
		}
	}
	for _, l := range []struct {
		name    string
		handles []string
	}{{"vip", b.VIP}, {"block.handles", b.Block.Handles}} {
		for i, h := range l.handles {
			if n := normHandle(h); n == "" || strings.ContainsAny(n, " \t@") {
				errs = append(errs, fmt.Errorf("%s.%s[%d]: %q: want a handle such as @name", path, l.name, i, h))
			}
		}
	}
	if b.Block.Action != "" && !b.Block.Action.Valid() {
		errs = append(errs, fmt.Errorf("%s.block.action: %q: want spam, troll or ignore", path, b.Block.Action))
	}
	return errs
}

func validLangCode(s string) bool {
	return len(s) == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'
}

// normHandle lower-cases a handle and drops a leading "@".
func normHandle(h string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "@"))
}

// unjoin splits an errors.Join result into its errors.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
