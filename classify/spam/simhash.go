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
// The 64 per-bit counters are kept bit-sliced (see simHash), and the final
// majority vote is a bit-sliced comparison of all 64 counters at once.
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

// simHash is SimHash over word hashes: the features are each word's
// hash and each pair of adjacent words' (pairHash).
//
// The 64 per-bit counters are kept bit-sliced, planes[p] holding bit p of
// every counter. Features are added eight at a time with carry-save
// adders (Harley-Seal): seven adders fold the eight features into planes
// 0-2 and one carry of weight 8, which ripples into planes 3 and up; the
// rest are added one by one with a ripple carry.
func simHash(hs []uint64) uint64 {
	var planes [8]uint64
	if len(hs) > 0 {
		addPlanes(&planes, 0, hs[0])
	}
	i := 1
	// Words i to i+3 bring eight features: their hashes and the pairs
	// they close.
	for ; i+4 <= len(hs); i += 4 {
		w := hs[i-1 : i+4 : i+4]
		twosA, ones := csa(planes[0], w[1], pairHash(w[0], w[1]))
		twosB, ones := csa(ones, w[2], pairHash(w[1], w[2]))
		foursA, twos := csa(planes[1], twosA, twosB)
		twosA, ones = csa(ones, w[3], pairHash(w[2], w[3]))
		twosB, ones = csa(ones, w[4], pairHash(w[3], w[4]))
		foursB, twos := csa(twos, twosA, twosB)
		eights, fours := csa(planes[2], foursA, foursB)
		planes[0], planes[1], planes[2] = ones, twos, fours
		addPlanes(&planes, 3, eights)
	}
	for ; i < len(hs); i++ {
		addPlanes(&planes, 0, hs[i])
		addPlanes(&planes, 0, pairHash(hs[i-1], hs[i]))
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

// pairHash is the feature of two adjacent words with hashes a and b.
func pairHash(a, b uint64) uint64 { return mix64(a*0x9e3779b97f4a7c15 ^ b ^ 0x5bd1e9955bd1e995) }

// csa is a carry-save adder over 64 bit columns: a+b+c is sum plus twice
// carry in every column.
func csa(a, b, c uint64) (carry, sum uint64) {
	u := a ^ b
	return a&b | u&c, u ^ c
}

// addPlanes adds v (one bit per counter) at weight 2^p to the bit-sliced
// counters, rippling the carry up. Counters stay below 2^8: at most 253
// features are counted.
func addPlanes(planes *[8]uint64, p int, v uint64) {
	for ; v != 0 && p < len(planes); p++ {
		planes[p], v = planes[p]^v, planes[p]&v
	}
}

// Hamming returns the number of differing bits.
func Hamming(a, b uint64) int { return bits.OnesCount64(a ^ b) }
