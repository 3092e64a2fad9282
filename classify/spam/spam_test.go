package spam_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/classify/reason"
	"github.com/vigia-dev/vigia/classify/spam"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func newDetector(t testing.TB, mod func(*spam.Config)) *spam.Detector {
	t.Helper()
	c := spam.DefaultConfig()
	if mod != nil {
		mod(&c)
	}
	d, err := spam.New(c)
	require.NoError(t, err)
	return d
}

// observe runs d.Observe and returns the score and reasons.
func observe(d *spam.Detector, s spam.Signals) (float64, []string) {
	var reasons reason.List
	score := d.Observe(s, &reasons)
	return score, reasons.Strings()
}

func TestSimHashNearDuplicates(t *testing.T) {
	a := spam.SimHash(strings.Fields("gana dinero desde casa con este metodo facil <url> escribeme al dm"))
	b := spam.SimHash(strings.Fields("gana dinero desde casa con este metodo facil <url> escribeme al dm ya"))
	c := spam.SimHash(strings.Fields("llevo tres dias sin internet y nadie de soporte me responde"))
	require.LessOrEqual(t, spam.Hamming(a, b), 16, "near duplicates should be close")
	require.Greater(t, spam.Hamming(a, c), 16, "different texts should be far")
	require.Equal(t, a, spam.SimHash(strings.Fields("gana dinero desde casa con este metodo facil <url> escribeme al dm")))
}

func TestDuplicateBurstAcrossAuthors(t *testing.T) {
	d := newDetector(t, nil)
	words := strings.Fields("sigue a @user y gana un iphone gratis <url> solo hoy")
	var score float64
	var reasons []string
	for i := range 6 {
		score, reasons = observe(d, spam.Signals{Author: fmt.Sprint("bot", i), At: t0.Add(time.Duration(i) * time.Second), Words: words, HasURL: true})
		if i < 3 {
			require.Zero(t, score, "message %d: %v", i, reasons)
		}
	}
	require.InDelta(t, 0.7, score, 1e-9)
	require.Equal(t, []string{"near-duplicate of 5 messages from 5 authors in 10m"}, reasons)

	// Many customers writing the same words with no link and ordinary
	// accounts (an outage, a common question) is weak evidence only.
	d = newDetector(t, nil)
	outage := strings.Fields("llevo toda la mañana sin internet en casa y nadie me dice nada")
	for i := range 6 {
		score, reasons = observe(d, spam.Signals{Author: fmt.Sprint("cliente", i), At: t0.Add(time.Duration(i) * time.Second), Words: outage})
	}
	require.InDelta(t, 0.7*0.3, score, 1e-9)
	require.Less(t, score, 0.5)
	require.Equal(t, []string{"near-duplicate of 5 messages from 5 authors in 10m (no link or account signal: weak evidence)"}, reasons)

	// The same author repeating itself is a rate question, not a flood.
	d = newDetector(t, nil)
	for i := range 6 {
		score, reasons = observe(d, spam.Signals{Author: "one", At: t0.Add(time.Duration(i) * time.Second), Words: words})
	}
	require.Equal(t, []string{"6 posts by this author in 10m"}, reasons)
	require.InDelta(t, 0.5, score, 1e-9)
}

func TestWindowIsMessageTime(t *testing.T) {
	d := newDetector(t, nil)
	words := strings.Fields("mismo texto repetido por muchas cuentas distintas aqui")
	for i := range 3 {
		d.Observe(spam.Signals{Author: fmt.Sprint("a", i), At: t0, Words: words}, nil)
	}
	score := d.Observe(spam.Signals{Author: "late", At: t0.Add(11 * time.Minute), Words: words}, nil)
	require.Zero(t, score)
	score = d.Observe(spam.Signals{Author: "early", At: t0.Add(time.Minute), Words: words}, nil)
	require.Positive(t, score)
}

func TestShortTextsNotFingerprinted(t *testing.T) {
	d := newDetector(t, nil)
	for i := range 10 {
		score, reasons := observe(d, spam.Signals{Author: fmt.Sprint("u", i), At: t0, Words: []string{"gracias", "!"}})
		require.Zero(t, score, reasons)
	}
}

func TestProfileSignals(t *testing.T) {
	d := newDetector(t, nil)
	score, reasons := observe(d, spam.Signals{
		Author: "x", At: t0, AuthorCreatedAt: t0.Add(-36 * time.Hour),
		Followers: 3, Following: 4000, HasURL: true, Text: "mira esto https://bit.ly/3xYz y gana",
	})
	require.Equal(t, []string{`shortened link "bit.ly"`, "follows 4000 accounts, followed by 3", "account created 1 day before posting"}, reasons)
	require.InDelta(t, 1-0.7*0.75*0.75, score, 1e-9)

	_, reasons = observe(d, spam.Signals{Author: "y", At: t0, HasURL: true, Text: "see https://notbit.ly/x and https://bit.lyx.com"})
	require.Empty(t, reasons)
}

func TestBoundedState(t *testing.T) {
	d := newDetector(t, func(c *spam.Config) { c.MaxFingerprints = 8; c.MaxAuthors = 4 })
	words := strings.Fields("texto de prueba para el anillo acotado")
	for i := range 1000 {
		d.Observe(spam.Signals{Author: fmt.Sprint("a", i), At: t0, Words: words}, nil)
	}
	// Only the last 8 fingerprints are remembered.
	_, reasons := observe(d, spam.Signals{Author: "z", At: t0, Words: words})
	require.Equal(t, []string{"near-duplicate of 8 messages from 8 authors in 10m (no link or account signal: weak evidence)"}, reasons)
}

func TestConcurrent(t *testing.T) {
	d := newDetector(t, nil)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 500 {
				d.Observe(spam.Signals{Author: fmt.Sprint(g, "-", i%7), At: t0.Add(time.Duration(i) * time.Second), Words: strings.Fields("hola que tal todo bien por aqui")}, nil)
			}
		})
	}
	wg.Wait()
}

func TestValidate(t *testing.T) {
	c := spam.DefaultConfig()
	c.Window = 0
	c.MaxHamming = 9
	c.Shorteners = []string{"Bit.ly"}
	c.Weights.Rate = -1
	require.EqualError(t, c.Validate(), `window: 0s: must be between 1s and 24h
max_hamming: 9: must be between 0 and 3
shorteners[0]: "Bit.ly": must be a lower-case host name
weights.rate: -1: must be between 0 and 1`)
	_, err := spam.New(c)
	require.ErrorContains(t, err, "spam detector config: window")
}

func BenchmarkObserve(b *testing.B) {
	texts := []string{
		"@user llevo tres dias sin internet y nadie de soporte me responde <url>",
		"@user my order never arrived and nobody answers the phone",
		"@user gracias por la ayuda de hoy , todo resuelto",
		"@user the app keeps crashing when i try to pay my bill",
		"@user me han cobrado dos veces la factura de este mes",
	}
	for _, bc := range []struct {
		name  string
		flood bool
	}{{"mixed", false}, {"flood", true}} {
		b.Run(bc.name, func(b *testing.B) {
			d := newDetector(b, nil)
			rng := rand.New(rand.NewPCG(1, 2))
			words := make([][]string, 1<<16)
			authors := make([]string, 1<<16)
			for i := range words {
				words[i] = strings.Fields(texts[i%len(texts)])
				if !bc.flood { // distinct customers write distinct texts
					for j := range words[i] {
						words[i][j] = fmt.Sprint(words[i][j], rng.IntN(1000))
					}
				}
				authors[i] = fmt.Sprint("author", i)
			}
			var reasons reason.List
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				reasons.Reset()
				d.Observe(spam.Signals{Author: authors[i%len(authors)], At: t0.Add(time.Duration(i) * time.Millisecond), Words: words[i%len(words)], HasURL: true, Text: "https://t.co/abc"}, &reasons)
			}
		})
	}
}

// BenchmarkState reports the detector's memory, allocated in full by New,
// and checks that observing more authors and texts than it remembers does
// not grow it.
func BenchmarkState(b *testing.B) {
	heap := func() float64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc) / (1 << 20)
	}
	for b.Loop() {
		base := heap()
		d := newDetector(b, nil)
		loaded := heap()
		words := strings.Fields("texto de prueba para medir la memoria del detector")
		authors := make([]string, 1000)
		for i := range authors {
			authors[i] = fmt.Sprint("author", i)
		}
		for i := range 300_000 {
			words[0] = authors[i%len(authors)] // distinct fingerprints
			d.Observe(spam.Signals{Author: authors[(i*7)%len(authors)] + fmt.Sprint(i%200), At: t0.Add(time.Duration(i) * time.Millisecond), Words: words}, nil)
		}
		after := heap()
		b.ReportMetric(loaded-base, "state-MB")
		b.ReportMetric(after-loaded, "growth-MB")
		runtime.KeepAlive(d)
	}
}
