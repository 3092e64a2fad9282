package spam

import "math/bits"

// fnv64 hashes s with seed: 8 bytes at a time, each block multiplied in
// and the result finished with mix64, so that short, similar strings
// spread over every bit. (It began as FNV-1a, hence the name; byte-at-a-
// time FNV was the slowest part of fingerprinting.)
func fnv64(seed uint64, s string) uint64 {
	h := 14695981039346656037 ^ seed ^ uint64(len(s))*0x9e3779b97f4a7c15
	for ; len(s) >= 8; s = s[8:] {
		v := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = (h ^ v) * 0xbf58476d1ce4e5b9
		h ^= h >> 31
	}
	if len(s) > 0 {
		var v uint64
		for i := 0; i < len(s); i++ {
			v |= uint64(s[i]) << (8 * i)
		}
		h = (h ^ v) * 0x94d049bb133111eb
	}
	return mix64(h)
}

// maxSimHashWords bounds the words fingerprinted, so the feature count fits
// the 8-bit counters (unigrams + bigrams < 256).
const maxSimHashWords = 127

// mix64 is a 64-bit finalizer (MurmurHash3's fmix64).
func mix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// SimHash returns the 64-bit SimHash of words over word unigrams and
// bigrams (the first 127 words). Texts that differ in a word or two land a
// few bits apart. Each word is hashed once; a bigram's hash mixes its two
// words' hashes.
//
// The 64 per-bit counters are kept bit-sliced: planes[p] holds bit p of
// every counter, so adding a feature hash is a ripple carry over 8 words
// instead of 64 increments, and the final majority vote is a bit-sliced
// comparison of all 64 counters at once.
func SimHash(words []string) uint64 {
	if len(words) > maxSimHashWords {
		words = words[:maxSimHashWords]
	}
	var hs [maxSimHashWords]uint64
	for i, w := range words {
		hs[i] = fnv64(0, w)
	}
	return simHash(hs[:len(words)])
}

// SimHashOfHashes is SimHash over words given as 64-bit hashes (such as
// text.Doc.TokenHash), each mixed once instead of the words being hashed.
// Its fingerprints differ from SimHash's: use one or the other throughout.
func SimHashOfHashes(hashes []uint64) uint64 {
	if len(hashes) > maxSimHashWords {
		hashes = hashes[:maxSimHashWords]
	}
	var hs [maxSimHashWords]uint64
	for i, h := range hashes {
		hs[i] = mix64(h ^ 0x2545f4914f6cdd1d)
	}
	return simHash(hs[:len(hashes)])
}

// simHash is SimHash over word hashes.
func simHash(hs []uint64) uint64 {
	var planes [8]uint64
	add := func(h uint64) {
		carry := h
		for p := 0; carry != 0 && p < len(planes); p++ {
			planes[p], carry = planes[p]^carry, planes[p]&carry
		}
	}
	var prev uint64
	for i, h := range hs {
		add(h)
		if i > 0 {
			add(mix64(prev*0x9e3779b97f4a7c15 ^ h ^ 0x5bd1e9955bd1e995))
		}
		prev = h
	}
	n := max(2*len(hs)-1, 0)
	// Bit i is set when more than half the features had it set: counter
	// c >= t with t = n/2+1, compared from the top plane down.
	t := uint64(n/2 + 1)
	var gt uint64
	eq := ^uint64(0)
	for p := len(planes) - 1; p >= 0; p-- {
		tb := -(t >> p & 1) // all ones when bit p of t is set
		gt |= eq & planes[p] &^ tb
		eq &^= planes[p] ^ tb
	}
	return gt | eq
}

// Hamming returns the number of differing bits.
func Hamming(a, b uint64) int { return bits.OnesCount64(a ^ b) }
