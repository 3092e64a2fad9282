package lexicon

import (
	"slices"
	"strings"
)

// Entry is one phrase to match.
type Entry struct {
	// Group says what the phrase is evidence of (a lexicon group, or any
	// name the caller chooses, e.g. "brand.urgent").
	Group string
	// Lang restricts the phrase to texts in that language; "" matches any.
	Lang string
	// Phrase is the phrase as written; it is what reasons quote.
	Phrase string
	// Weight is carried through to the Match for the caller's scoring.
	Weight float64
}

// Match is one phrase found in a text.
type Match struct {
	Entry
	// Count is how many times the phrase occurs.
	Count int
}

type pattern struct {
	entry Entry
	words []string
	star  []bool // words[i] is a prefix
}

// Matcher finds phrases in token sequences. It is immutable and safe for
// concurrent use.
type Matcher struct {
	patterns   []pattern
	exact      map[string][]int32 // first word -> patterns
	prefix     map[string][]int32 // first-word prefix -> patterns
	prefixLens []int
	// filter has bit filterKey(w) set for every key of exact and prefix:
	// most words of a text start no phrase, and the filter says so without
	// a map lookup.
	filter [1 << 16 / 64]uint64
	// prefixFirst has bit b set when a key of prefix starts with byte b:
	// most words need no prefix lookups at all.
	prefixFirst [256 / 64]uint64
}

// filterKey hashes a word's length and three of its bytes to 16 bits.
func filterKey(w string) uint32 {
	n := len(w)
	if n == 0 {
		return 0
	}
	h := uint32(n)*0x9e3779b1 ^ uint32(w[0])<<24 ^ uint32(w[n/2])<<16 ^ uint32(w[n-1])<<8
	h *= 0x85ebca6b
	return h >> 16
}

func (m *Matcher) mayStart(w string) bool {
	k := filterKey(w)
	return m.filter[k>>6]&(1<<(k&63)) != 0
}

// Normalizer turns a phrase word into normalized tokens, the same way the
// texts to match are normalized.
type Normalizer func(s string) []string

// NewMatcher compiles entries. Phrases that normalize to no words are
// skipped.
func NewMatcher(entries []Entry, norm Normalizer) *Matcher {
	m := &Matcher{exact: map[string][]int32{}, prefix: map[string][]int32{}}
	for _, e := range entries {
		var p pattern
		for _, w := range strings.Fields(e.Phrase) {
			star := strings.HasSuffix(w, "*")
			toks := norm(strings.TrimSuffix(w, "*"))
			for i, t := range toks {
				p.words = append(p.words, t)
				p.star = append(p.star, star && i == len(toks)-1)
			}
		}
		if len(p.words) == 0 {
			continue
		}
		p.entry = e
		idx := int32(len(m.patterns))
		m.patterns = append(m.patterns, p)
		k := filterKey(p.words[0])
		m.filter[k>>6] |= 1 << (k & 63)
		if p.star[0] {
			m.prefix[p.words[0]] = append(m.prefix[p.words[0]], idx)
			b := p.words[0][0]
			m.prefixFirst[b>>6] |= 1 << (b & 63)
			if !slices.Contains(m.prefixLens, len(p.words[0])) {
				m.prefixLens = append(m.prefixLens, len(p.words[0]))
			}
		} else {
			m.exact[p.words[0]] = append(m.exact[p.words[0]], idx)
		}
	}
	slices.Sort(m.prefixLens)
	return m
}

// Len returns the number of compiled phrases.
func (m *Matcher) Len() int { return len(m.patterns) }

// Match appends to dst the phrases found in words (see Words) for a text
// in language lang ("" when unknown: every phrase applies), one Match per
// distinct phrase, in order of first occurrence.
func (m *Matcher) Match(words []string, lang string, dst []Match) []Match {
	if len(m.patterns) == 0 {
		return dst
	}
	start := len(dst)
	for i, w := range words {
		if m.mayStart(w) {
			for _, idx := range m.exact[w] {
				dst = m.try(idx, words, i, lang, dst, start)
			}
		}
		if len(w) == 0 || m.prefixFirst[w[0]>>6]&(1<<(w[0]&63)) == 0 {
			continue
		}
		for _, n := range m.prefixLens {
			if n > len(w) {
				break
			}
			if !m.mayStart(w[:n]) {
				continue
			}
			for _, idx := range m.prefix[w[:n]] {
				dst = m.try(idx, words, i, lang, dst, start)
			}
		}
	}
	return dst
}

func (m *Matcher) try(idx int32, words []string, at int, lang string, dst []Match, start int) []Match {
	p := &m.patterns[idx]
	if p.entry.Lang != "" && lang != "" && p.entry.Lang != lang {
		return dst
	}
	if at+len(p.words) > len(words) {
		return dst
	}
	for j, pw := range p.words {
		w := words[at+j]
		if p.star[j] {
			if !strings.HasPrefix(w, pw) {
				return dst
			}
		} else if w != pw {
			return dst
		}
	}
	for k := start; k < len(dst); k++ {
		if dst[k].Entry == p.entry {
			dst[k].Count++
			return dst
		}
	}
	return append(dst, Match{Entry: p.entry, Count: 1})
}

// Words turns normalizer tokens into the words phrases are matched on: the
// negation-scope prefix "neg_" is dropped and "#tag" tokens are skipped (the
// normalizer follows each with the bare "tag"). dst is reused.
func Words(tokens []string, dst []string) []string {
	dst = dst[:0]
	for _, t := range tokens {
		if w, ok := Word(t); ok {
			dst = append(dst, w)
		}
	}
	return dst
}

// Word returns the word Words makes of token t; ok is false for a token
// Words skips.
func Word(t string) (w string, ok bool) {
	if strings.HasPrefix(t, "#") {
		return "", false
	}
	return strings.TrimPrefix(t, "neg_"), true
}
