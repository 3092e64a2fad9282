package classify

import (
	"strconv"
	"testing"
)

func TestAppendQuoteMatchesStrconv(t *testing.T) {
	for _, s := range []string{"", "charged twice", "no funciona", "a\"b", `a\b`, "tab\there", "año", "😡", "\xff", "~}", "\x7f", "don't"} {
		if got, want := string(appendQuote([]byte("x"), s)), string(strconv.AppendQuote([]byte("x"), s)); got != want {
			t.Errorf("appendQuote(%q) = %s, want %s", s, got, want)
		}
	}
}
