package spam

import "math/bits"

// fnv64 is FNV-1a over s, finished with a 64-bit mixer so that short,
// similar strings spread over every bit.
func fnv64(seed uint64, s string) uint64 {
	h := uint64(14695981039346656037) ^ seed
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// maxSimHashWords bounds the words fingerprinted, so the feature count fits
// the 8-bit counters (unigrams + bigrams < 256).
const maxSimHashWords = 127

// SimHash returns the 64-bit SimHash of words over word unigrams and
// bigrams (the first 127 words). Texts that differ in a word or two land a
// few bits apart.
//
// The 64 per-bit counters are kept bit-sliced: planes[p] holds bit p of
// every counter, so adding a feature hash is a ripple carry over 8 words
// instead of 64 increments.
func SimHash(words []string) uint64 {
	if len(words) > maxSimHashWords {
		words = words[:maxSimHashWords]
	}
	var planes [8]uint64
	n := 0
	add := func(h uint64) {
		n++
		carry := h
		for p := 0; carry != 0 && p < len(planes); p++ {
			planes[p], carry = planes[p]^carry, planes[p]&carry
		}
	}
	for i, w := range words {
		add(fnv64(0, w))
		if i > 0 {
			add(fnv64(fnv64(1, words[i-1]), w))
		}
	}
	// Bit i is set when more than half the features had it set.
	var fp uint64
	for i := range 64 {
		c := 0
		for p := range planes {
			c |= int(planes[p]>>i&1) << p
		}
		if 2*c > n {
			fp |= 1 << i
		}
	}
	return fp
}

// Hamming returns the number of differing bits.
func Hamming(a, b uint64) int { return bits.OnesCount64(a ^ b) }
