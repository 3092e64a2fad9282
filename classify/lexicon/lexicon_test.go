package lexicon_test

import (
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
