package text

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TestCueTable checks the hashed cue lookup against the word lists for
// every list word, every token of the golden texts, and near misses.
func TestCueTable(t *testing.T) {
	toks := append(slices.Clone(negationCues), scopeBreakers...)
	for _, w := range slices.Clone(toks) {
		toks = append(toks, w+"s", w[1:], strings.ToUpper(w), w[:len(w)-1])
	}
	for _, s := range goldenTexts() {
		d := Analyze(s)
		toks = append(toks, slices.Clone(d.Tokens())...)
		d.Release()
	}
	toks = append(toks, "", "@user", "<url>", "!")
	for _, tok := range toks {
		want := notACue
		switch {
		case slices.Contains(negationCues, tok):
			want = negationCue
		case slices.Contains(scopeBreakers, tok):
			want = scopeBreaker
		}
		if got := cues.lookup(tok, hash64(0, tok)); got != uint8(want) {
			t.Errorf("lookup(%q) = %d, want %d", tok, got, want)
		}
	}
}

// TestTokenHashes checks that the hashes the tokenizer computes as it
// folds are hash64 of the tokens.
func TestTokenHashes(t *testing.T) {
	for _, s := range goldenTexts() {
		d := Analyze(s)
		for i, tok := range d.Tokens() {
			if got, want := d.TokenHash(i), hash64(0, tok); got != want {
				t.Fatalf("%q: token %d %q: hash %#x, want %#x", s, i, tok, got, want)
			}
		}
		d.Release()
	}
}

// TestCharGramsASCII checks the ASCII fast path against charGrams for
// words of every length it takes.
func TestCharGramsASCII(t *testing.T) {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789_"
	for n := 0; n <= maxWordRunes; n++ {
		for seed := range 5 {
			b := make([]byte, n)
			for i := range b {
				b[i] = letters[(i*7+seed*13+i*i*seed)%len(letters)]
			}
			w := string(b)
			want := make([]uint32, charGramSlots(w))
			want = want[:charGrams(want, w)]
			var out [maxGramSlots]uint32
			got := out[:charGramsASCII(&out, w)]
			if !slices.Equal(got, want) {
				t.Fatalf("%q: grams %x, want %x", w, got, want)
			}
		}
	}
}

// TestNormalizeFromASCIIPrefix checks that checking validity and NFKC
// only past the ASCII prefix (from its last byte) decides as checking the
// whole text: combining marks right after the prefix, at the start, after
// long ASCII runs, invalid bytes, compatibility characters.
func TestNormalizeFromASCIIPrefix(t *testing.T) {
	texts := append(goldenTexts(),
		"e\u0301", "\u0301e", "abcdefgh e\u0301xito", "abcdefghijklmnop\u0301", "abcdefg\u0301",
		"n\u0303and\u00fa", "A\u030a", "x\xff", "abcdefgh\xc3", "ｆｕｌｌ", "abcdefgh ﬁ", "ok ½", "ok e\u0301\u0301",
		"Straße ß", "abcdefgh\u00e9", strings.Repeat("a", 17)+"\u0308")
	for _, s := range texts {
		want := s
		if !utf8.ValidString(want) {
			want = strings.ToValidUTF8(want, " ")
		}
		want = norm.NFKC.String(want)
		d := Analyze(s)
		w := Analyze(want) // already valid and normalized: analysed as is
		if docDigest(d) != docDigest(w) {
			t.Errorf("%q: analysed unlike its normalized form %q", s, want)
		}
		d.Release()
		w.Release()
	}
	for _, s := range texts {
		i := asciiPrefix(s)
		j := strings.IndexFunc(s, func(r rune) bool { return r >= utf8.RuneSelf })
		if j < 0 {
			j = len(s)
		}
		if i != j {
			t.Errorf("asciiPrefix(%q) = %d, want %d", s, i, j)
		}
	}
}
