package lang

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pemistahl/lingua-go"
)

// Accuracy selects lingua's detection mode.
type Accuracy string

// Known accuracies.
const (
	// AccuracyLow loads only lingua's trigram models: about a tenth of the
	// memory and several times faster, slightly worse on very short texts.
	AccuracyLow Accuracy = "low"
	// AccuracyHigh loads lingua's 1- to 5-gram models.
	AccuracyHigh Accuracy = "high"
)

// Valid reports whether a is a known accuracy.
func (a Accuracy) Valid() bool { return a == AccuracyLow || a == AccuracyHigh }

// Method says which stage decided a language.
type Method string

// Known methods.
const (
	MethodStopwords Method = "stopwords" // the stopword vote was clear-cut
	MethodLingua    Method = "lingua"    // lingua-go decided
	MethodOnly      Method = "only"      // a single language is configured
	MethodUnknown   Method = "unknown"   // no evidence either way
)

// maxLinguaBytes bounds the text handed to lingua, whose cost grows with the
// length; a tweet is at most 280 characters.
const maxLinguaBytes = 600

// Options tune a Detector.
type Options struct {
	// Accuracy is lingua's mode; AccuracyLow when empty.
	Accuracy Accuracy
	// MinVotes is how many stopwords the leading language needs before the
	// vote may decide without lingua; 2 when zero.
	MinVotes int
}

// Result is the language of one text.
type Result struct {
	// Lang is the ISO 639-1 code, or "" when the text carries no evidence
	// (empty, only emoji or URLs).
	Lang string
	// Confidence is in [0,1]: lingua's confidence value, or the share of the
	// stopword votes won by Lang.
	Confidence float64
	// Method says which stage decided.
	Method Method
}

// Detector detects languages. It is safe for concurrent use.
type Detector struct {
	langs []string
	stop  stopTable // token -> bit set of languages (index into langs)
	// filter has bit filterKey(w) set for every stopword, so that most
	// other tokens skip the map lookup.
	filter   [1 << 14 / 64]uint64
	minVotes int
	det      lingua.LanguageDetector // nil with a single language
	codes    map[lingua.Language]string
}

// New builds a detector for langs (ISO 639-1 codes, at least one, at most
// 64). stopwords maps a code to its stopwords, already normalized the same
// way as the tokens later passed to Detect; a language may have none, in
// which case lingua always decides for it.
func New(langs []string, stopwords map[string][]string, opts Options) (*Detector, error) {
	if opts.Accuracy == "" {
		opts.Accuracy = AccuracyLow
	}
	if opts.MinVotes == 0 {
		opts.MinVotes = 2
	}
	var errs []error
	if !opts.Accuracy.Valid() {
		errs = append(errs, fmt.Errorf("accuracy %q: want low or high", opts.Accuracy))
	}
	if opts.MinVotes < 1 {
		errs = append(errs, fmt.Errorf("min votes %d: must be at least 1", opts.MinVotes))
	}
	if len(langs) == 0 || len(langs) > 64 {
		errs = append(errs, fmt.Errorf("%d languages: want between 1 and 64", len(langs)))
	}
	d := &Detector{langs: slices.Clone(langs), minVotes: opts.MinVotes, codes: map[lingua.Language]string{}}
	sets := map[string]uint64{}
	var ll []lingua.Language
	for i, code := range langs {
		l := lingua.GetLanguageFromIsoCode639_1(lingua.GetIsoCode639_1FromValue(code))
		if l == lingua.Unknown || strings.ToLower(code) != code {
			errs = append(errs, fmt.Errorf("language %q: not an ISO 639-1 code lingua supports", code))
			continue
		}
		if slices.Contains(langs[:i], code) {
			errs = append(errs, fmt.Errorf("language %q: listed twice", code))
			continue
		}
		ll = append(ll, l)
		d.codes[l] = code
		if i < 64 {
			for _, w := range stopwords[code] {
				if w == "" {
					continue
				}
				sets[w] |= 1 << i
				k := filterKey(w)
				d.filter[k>>6] |= 1 << (k & 63)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("build language detector: %w", err)
	}
	d.stop = newStopTable(sets)
	if len(ll) > 1 {
		b := lingua.NewLanguageDetectorBuilder().FromLanguages(ll...).WithPreloadedLanguageModels()
		if opts.Accuracy == AccuracyLow {
			b = b.WithLowAccuracyMode()
		}
		d.det = b.Build()
	}
	return d, nil
}

// Languages returns the configured languages, in configuration order.
func (d *Detector) Languages() []string { return slices.Clone(d.langs) }

// Detect returns the language of text, whose normalized word tokens are
// tokens (used for the stopword vote; nil forces lingua). Invalid UTF-8 and
// arbitrarily long texts are accepted.
func (d *Detector) Detect(text string, tokens []string) Result {
	if d.det == nil {
		return Result{Lang: d.langs[0], Confidence: 1, Method: MethodOnly}
	}
	if r, ok := d.vote(tokens); ok {
		return r
	}
	return d.lingua(text)
}

// vote counts stopwords that belong to exactly one language and decides when
// the leader has at least minVotes and more than twice the runner-up.
func (d *Detector) vote(tokens []string) (Result, bool) {
	var counts [64]int
	total := 0
	for _, t := range tokens {
		k := filterKey(t)
		if d.filter[k>>6]&(1<<(k&63)) == 0 {
			continue
		}
		set, ok := d.stop.lookup(t, k)
		if !ok || set&(set-1) != 0 { // unknown, or shared by several languages
			continue
		}
		for i := range d.langs {
			if set == 1<<i {
				counts[i]++
				total++
				break
			}
		}
	}
	best, second := 0, -1
	for i := 1; i < len(d.langs); i++ {
		switch {
		case counts[i] > counts[best]:
			best, second = i, best
		case second < 0 || counts[i] > counts[second]:
			second = i
		}
	}
	if counts[best] < d.minVotes || counts[best] <= 2*counts[second] {
		return Result{}, false
	}
	return Result{Lang: d.langs[best], Confidence: float64(counts[best]) / float64(total), Method: MethodStopwords}, true
}

// stopTable maps stopwords to their language sets: open addressing from
// the token's filterKey, which vote computes anyway, with the word itself
// compared; cheaper than a map lookup, which hashes the token again.
type stopTable struct {
	slots []stopSlot // a power of two, at most a quarter full
	mask  uint32
}

type stopSlot struct {
	word string // "" when free
	set  uint64
}

func newStopTable(sets map[string]uint64) stopTable {
	n := 16
	for n < 4*len(sets) {
		n *= 2
	}
	t := stopTable{slots: make([]stopSlot, n), mask: uint32(n - 1)}
	for w, set := range sets {
		i := filterKey(w) & t.mask
		for t.slots[i].word != "" {
			i = (i + 1) & t.mask
		}
		t.slots[i] = stopSlot{word: w, set: set}
	}
	return t
}

// lookup returns the set of w, whose filterKey is k.
func (t *stopTable) lookup(w string, k uint32) (uint64, bool) {
	for i := k & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.word == "" {
			return 0, false
		}
		if s.word == w {
			return s.set, true
		}
	}
}

// filterKey hashes a token's length and three of its bytes to 14 bits.
func filterKey(w string) uint32 {
	n := len(w)
	if n == 0 {
		return 0
	}
	h := uint32(n)*0x9e3779b1 ^ uint32(w[0])<<24 ^ uint32(w[n/2])<<16 ^ uint32(w[n-1])<<8
	h *= 0x85ebca6b
	return h >> 18
}

func (d *Detector) lingua(text string) Result {
	text = stripNoise(text)
	if len(text) > maxLinguaBytes {
		cut := maxLinguaBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	values := d.det.ComputeLanguageConfidenceValues(text)
	if len(values) < 2 || values[0].Value() == 0 || values[0].Value() == values[1].Value() {
		return Result{Method: MethodUnknown}
	}
	return Result{Lang: d.codes[values[0].Language()], Confidence: values[0].Value(), Method: MethodLingua}
}

// stripNoise drops links and @mentions, whose letters are no language's
// (lingua reads "https://t.co/x" as evidence), and keeps hashtag words.
func stripNoise(text string) string {
	if !strings.ContainsAny(text, "@/") {
		return text
	}
	var b strings.Builder
	for _, f := range strings.Fields(text) {
		lower := strings.ToLower(f)
		if strings.HasPrefix(f, "@") || strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "www.") {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.TrimPrefix(f, "#"))
	}
	return b.String()
}
