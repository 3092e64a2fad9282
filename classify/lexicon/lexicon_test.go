package lexicon_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/classify/lexicon"
)

func fields(s string) []string { return strings.Fields(strings.ToLower(s)) }

func TestEmbedded(t *testing.T) {
	lx, err := lexicon.Embedded()
	require.NoError(t, err)
	require.Contains(t, lx, "es")
	require.Contains(t, lx, "en")
	for code, l := range lx {
		for _, g := range lexicon.Groups() {
			require.NotEmpty(t, l.Phrases[g], "%s: group %s", code, g)
		}
		require.NotEmpty(t, l.CommonWords, code)
	}
	// Common words must not be shared, or they cannot vote.
	es := map[string]bool{}
	for _, w := range lx["es"].CommonWords {
		es[w] = true
	}
	for _, w := range lx["en"].CommonWords {
		require.False(t, es[w], "common word %q is in both es and en", w)
	}
}

func TestLoadErrors(t *testing.T) {
	_, err := lexicon.Load(fstest.MapFS{"xx.yaml": {Data: []byte("phrases:\n  urgent.bogus: [a]\n")}})
	require.ErrorContains(t, err, "parse lexicon xx: phrases.urgent.bogus: unknown group")
	_, err = lexicon.Load(fstest.MapFS{"xx.yaml": {Data: []byte("stopwords: [a]\n")}})
	require.ErrorContains(t, err, "field stopwords not found")
}

func TestMatch(t *testing.T) {
	m := lexicon.NewMatcher([]lexicon.Entry{
		{Group: "money", Lang: "es", Phrase: "cobr* dos veces"},
		{Group: "money", Lang: "en", Phrase: "charged twice"},
		{Group: "outage", Phrase: "no funciona"},
		{Group: "empty", Phrase: "  "},
	}, fields)
	require.Equal(t, 3, m.Len())
	tests := []struct {
		text, lang string
		want       []string
	}{
		{"me han cobrado dos veces y no funciona", "es", []string{"cobr* dos veces", "no funciona"}},
		{"me cobraron dos veces, cobraron dos veces", "es", []string{"cobr* dos veces"}},
		{"charged twice", "es", nil},
		{"charged twice", "", []string{"charged twice"}},
		{"charged", "en", nil},
		{"", "en", nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			words := lexicon.Words(fields(strings.ReplaceAll(tt.text, ",", "")), nil)
			var got []string
			for _, mt := range m.Match(words, tt.lang, nil) {
				got = append(got, mt.Phrase)
			}
			require.Equal(t, tt.want, got)
		})
	}
	got := m.Match(lexicon.Words(fields("cobraron dos veces cobraron dos veces"), nil), "es", nil)
	require.Equal(t, 2, got[0].Count)
}

func TestWords(t *testing.T) {
	require.Equal(t, []string{"no", "funciona", "caida"}, lexicon.Words([]string{"no", "neg_funciona", "#caida", "caida"}, nil))
}

// embeddedEntries returns every phrase of the shipped lexicons.
func embeddedEntries(t testing.TB) []lexicon.Entry {
	t.Helper()
	lx, err := lexicon.Embedded()
	require.NoError(t, err)
	var entries []lexicon.Entry
	for code, l := range lx {
		for g, ps := range l.Phrases {
			for _, p := range ps {
				entries = append(entries, lexicon.Entry{Group: g, Lang: code, Phrase: p, Weight: 0.5})
			}
		}
	}
	return entries
}

// matchNaive tries every phrase at every position: the reference for
// Matcher.Match (including its first-word filter).
func matchNaive(entries []lexicon.Entry, words []string, lang string) map[string]int {
	out := map[string]int{}
	for _, e := range entries {
		if e.Lang != "" && lang != "" && e.Lang != lang {
			continue
		}
		pw := fields(e.Phrase)
		if len(pw) == 0 {
			continue
		}
		for i := range words {
			ok := i+len(pw) <= len(words)
			for j := 0; ok && j < len(pw); j++ {
				if p, star := strings.CutSuffix(pw[j], "*"); star {
					ok = strings.HasPrefix(words[i+j], p)
				} else {
					ok = words[i+j] == pw[j]
				}
			}
			if ok {
				out[e.Group+"|"+e.Phrase]++
			}
		}
	}
	return out
}

func TestMatchAgreesWithNaive(t *testing.T) {
	entries := embeddedEntries(t)
	m := lexicon.NewMatcher(entries, func(s string) []string { return fields(strings.TrimSuffix(s, "*")) })
	var vocab []string
	for _, e := range entries {
		vocab = append(vocab, fields(strings.ReplaceAll(e.Phrase, "*", "ado"))...)
	}
	vocab = append(vocab, "hola", "the", "servicio", "x", "ñandú", "abc", "internet")
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 3000 {
		words := make([]string, 1+rng.IntN(30))
		for j := range words {
			words[j] = vocab[rng.IntN(len(vocab))]
		}
		lang := []string{"es", "en", ""}[i%3]
		got := map[string]int{}
		for _, mt := range m.Match(words, lang, nil) {
			got[mt.Group+"|"+mt.Phrase] += mt.Count
		}
		require.Equal(t, matchNaive(entries, words, lang), got, "%q", words)
	}
}

func BenchmarkMatch(b *testing.B) {
	m := lexicon.NewMatcher(embeddedEntries(b), fields)
	words := fields("@user llevo tres dias sin internet en casa y nadie me da una solucion , me han cobrado dos veces la factura")
	dst := make([]lexicon.Match, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		dst = m.Match(words, "es", dst[:0])
	}
}
