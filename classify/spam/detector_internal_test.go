package spam

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// simHashNaive is SimHash with 64 plain counters, the reference for the
// bit-sliced version.
func simHashNaive(words []string) uint64 {
	if len(words) > maxSimHashWords {
		words = words[:maxSimHashWords]
	}
	var counts [64]int
	n := 0
	add := func(h uint64) {
		n++
		for i := range 64 {
			counts[i] += int(h >> i & 1)
		}
	}
	var prev uint64
	for i, w := range words {
		h := fnv64(0, w)
		add(h)
		if i > 0 {
			add(mix64(prev*0x9e3779b97f4a7c15 ^ h ^ 0x5bd1e9955bd1e995))
		}
		prev = h
	}
	var fp uint64
	for i, c := range counts {
		if 2*c > n {
			fp |= 1 << i
		}
	}
	return fp
}

func TestSimHashMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	vocab := strings.Fields("hola que tal internet caido sin servicio desde ayer nadie responde gana dinero <url> @user ! ?")
	for n := range 200 {
		words := make([]string, n%140)
		for i := range words {
			words[i] = vocab[rng.IntN(len(vocab))]
		}
		require.Equal(t, simHashNaive(words), SimHash(words), "%d words", len(words))
	}
}

// TestSimHashCountsExact checks the carry-save counting against plain
// counters for random feature hashes, every word count up to the bound
// (so every remainder of the eight-at-a-time loop), and for the same
// hash repeated (counters at their largest).
func TestSimHashCountsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	naive := func(hs []uint64) uint64 {
		var counts [64]int
		n := 0
		add := func(h uint64) {
			n++
			for i := range 64 {
				counts[i] += int(h >> i & 1)
			}
		}
		for i, h := range hs {
			add(h)
			if i > 0 {
				add(pairHash(hs[i-1], h))
			}
		}
		var fp uint64
		for i, c := range counts {
			if 2*c > n {
				fp |= 1 << i
			}
		}
		return fp
	}
	for n := 0; n <= maxSimHashWords; n++ {
		hs := make([]uint64, n)
		for i := range hs {
			hs[i] = rng.Uint64()
			if n%3 == 0 {
				hs[i] = ^uint64(0) // every bit counted in every word
			}
		}
		require.Equal(t, naive(hs), simHash(hs), "%d words", n)
	}
}

// TestCoarseTimeNeverExcludes checks that the coarse-time filter never
// rules out two times within the window of each other, in lookupAndAdd's
// wrapping int64 arithmetic: differences up to the window's edges, times
// anywhere (around zero, near the int64 limits), every valid window size.
func TestCoarseTimeNeverExcludes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, w := range []time.Duration{time.Second, time.Second + 1, 10 * time.Minute, 90 * time.Minute, 24 * time.Hour} {
		cfg := DefaultConfig()
		cfg.MaxFingerprints = 16
		cfg.Window = w
		d, err := New(cfg)
		require.NoError(t, err)
		window := int64(w)
		for i := range 200_000 {
			at := int64(rng.Uint64())
			switch i % 4 {
			case 0:
				at = rng.Int64N(4*window) - 2*window
			case 1:
				at = math.MaxInt64 - rng.Int64N(2*window)
			}
			dt := rng.Int64N(2*window+1) - window
			if i%3 == 0 {
				dt = []int64{window, -window, window - 1, -window + 1}[i%4]
			}
			other := at - dt // wraps like lookupAndAdd's at - e.at
			require.True(t, d.mayBeWithin(d.coarseTime(at), d.coarseTime(other)), "window %v: %d and %d", w, at, other)
		}
		// And it does rule out most times beyond a few units past the window.
		excluded := 0
		for range 1000 {
			at := int64(rng.Uint64())
			if !d.mayBeWithin(d.coarseTime(at), d.coarseTime(at-2*window-rng.Int64N(5*window))) {
				excluded++
			}
		}
		require.Greater(t, excluded, 900, "window %v", w)
	}
}

// TestLookupMatchesBruteForce checks the chained band index against a scan
// of the last MaxFingerprints messages, with a ring small enough to wrap
// many times and with times out of order.
//
// The second pass has a one-second window and times spread over days, in
// steps from milliseconds to hours, so that the coarse times that let a
// lookup skip the ring wrap around many times, and some messages carry
// the zero time.
func TestLookupMatchesBruteForce(t *testing.T) {
	for _, size := range []int{1, 2, 7, 16} { // at most bucketSize: no bucket overflows
		testLookupMatchesBruteForce(t, size, DefaultConfig().Window, func(rng *rand.Rand, i int) int64 {
			return int64(i)*int64(time.Second) + rng.Int64N(int64(20*time.Minute)) // jitter beyond the window
		})
		zero := time.Time{}.UnixNano()
		var at int64
		testLookupMatchesBruteForce(t, size, time.Second, func(rng *rand.Rand, i int) int64 {
			if rng.IntN(50) == 0 {
				return zero
			}
			at += int64(time.Millisecond) << rng.IntN(24) // 1ms to 4.7h
			return at - rng.Int64N(int64(2*time.Second))
		})
	}
}

func testLookupMatchesBruteForce(t *testing.T, size int, window time.Duration, next func(*rand.Rand, int) int64) {
	{
		cfg := DefaultConfig()
		cfg.MaxFingerprints = size
		cfg.Window = window
		d, err := New(cfg)
		require.NoError(t, err)
		type rec struct {
			fp, author uint64
			at         int64
		}
		var hist []rec
		rng := rand.New(rand.NewPCG(uint64(size), 9))
		base := []uint64{rng.Uint64(), rng.Uint64(), rng.Uint64()}
		window := int64(cfg.Window)
		for i := range 3000 {
			fp := base[rng.IntN(len(base))]
			for range rng.IntN(5) { // flip up to 4 bits: some within MaxHamming, some not
				fp ^= 1 << rng.IntN(64)
			}
			if rng.IntN(4) == 0 {
				fp = rng.Uint64()
			}
			author := uint64(rng.IntN(6))
			at := next(rng, i)
			wantCopies, authors := 0, map[uint64]bool{}
			for _, r := range hist[max(len(hist)-size, 0):] {
				if r.author == author || bits.OnesCount64(r.fp^fp) > cfg.MaxHamming {
					continue
				}
				if dt := at - r.at; dt > window || dt < -window {
					continue
				}
				wantCopies++
				authors[r.author] = true
			}
			copies, others := d.lookupAndAdd(fp, author, at)
			require.Equal(t, wantCopies, copies, "size %d message %d", size, i)
			require.Equal(t, len(authors), others, "size %d message %d", size, i)
			hist = append(hist, rec{fp, author, at})
		}
	}
}

func TestAuthorTableEvictsOldest(t *testing.T) {
	tab := newAuthorTable(8, 3) // one set of 8 ways
	window := int64(3600)
	for a := uint64(1); a <= 8; a++ {
		require.Equal(t, 1, tab.countPost(a<<40, uint32(a), window))
	}
	require.Equal(t, 2, tab.countPost(1<<40, 100, window), "author 1 posts again: now the most recent")
	require.Equal(t, 1, tab.countPost(9<<40, 101, window), "author 9 replaces author 2, the oldest")
	require.Equal(t, 2, tab.countPost(3<<40, 102, window), "author 3 is still remembered")
	require.Equal(t, 1, tab.countPost(2<<40, 103, window), "author 2 was forgotten")
	for range 5 {
		tab.countPost(1<<40, 104, window)
	}
	require.Equal(t, 3, tab.countPost(1<<40, 105, window), "at most k post times")
	require.Equal(t, 1, tab.countPost(1<<40, 105+2*3600, window), "older posts fall out of the window")
}

func TestObserveAllocatesNothing(t *testing.T) {
	d, err := New(DefaultConfig())
	require.NoError(t, err)
	words := strings.Fields("gana dinero desde casa con este metodo facil <url> escribeme al dm")
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		i++
		d.Observe(Signals{Author: "x:u1", At: at.Add(time.Duration(i) * time.Second), Words: words, HasURL: true, Text: "https://bit.ly/x"}, nil)
	})
	require.Zero(t, allocs)
}

// TestSimHashOfHashes checks that fingerprints from word hashes keep near-
// duplicates close and different texts apart, as SimHash does.
func TestSimHashOfHashes(t *testing.T) {
	hashes := func(s string) []uint64 {
		var hs []uint64
		for _, w := range strings.Fields(s) {
			h := uint64(0)
			for i := 0; i < len(w); i++ { // the byte hash text.Doc.TokenHash uses
				h = (h ^ uint64(w[i])) * 0x9E3779B97F4A7C15
			}
			hs = append(hs, h)
		}
		return hs
	}
	a := SimHashOfHashes(hashes("gana dinero desde casa con este metodo escribeme al dm ahora mismo"))
	b := SimHashOfHashes(hashes("gana dinero desde casa con este metodo escribeme al dm ahora ya"))
	c := SimHashOfHashes(hashes("my internet has been down since monday and support keeps hanging up"))
	require.LessOrEqual(t, Hamming(a, b), 12)
	require.Greater(t, Hamming(a, c), 16)
}
