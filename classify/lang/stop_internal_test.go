package lang

import (
	"fmt"
	"strings"
	"testing"
)

// TestStopTableMatchesMap checks the stopword table against a map for
// every stopword and for tokens that are not stopwords (near misses,
// prefixes, other words), including words shared by two languages.
func TestStopTableMatchesMap(t *testing.T) {
	sets := map[string]uint64{}
	var words []string
	for i := range 300 {
		w := fmt.Sprintf("w%dx%d", i%37, i)
		sets[w] |= 1 << (i % 3)
		words = append(words, w)
	}
	for _, w := range strings.Fields("el la de que no the and to of a y en un") {
		sets[w] |= 1
		sets[w] |= 1 << (len(w) % 2)
		words = append(words, w)
	}
	tab := newStopTable(sets)
	probe := append([]string{}, words...)
	for _, w := range words {
		probe = append(probe, w+"s", w[:len(w)-1], strings.ToUpper(w), "x"+w)
	}
	for _, w := range probe {
		if w == "" {
			continue
		}
		want, wantOK := sets[w]
		got, ok := tab.lookup(w, filterKey(w))
		if got != want || ok != wantOK {
			t.Fatalf("lookup(%q) = %b, %v; want %b, %v", w, got, ok, want, wantOK)
		}
	}
}
