package text

import (
	"math"
	"unicode/utf8"
)

// Feature kinds, mixed into every hash so that equal strings of different
// kinds land in different buckets.
const (
	kindWord    = 0x9E3779B1
	kindNegWord = 0x85EBCA77
	kindBigram  = 0xC2B2AE3D
	kindChar    = 0x27D4EB2F
	kindFlag    = 0x165667B1
)

// Character n-grams are taken inside "<word>" boundaries, from charMin to
// charMax runes.
const (
	charMin      = 2
	charMax      = 5
	maxWordRunes = 40
)

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func hashString(seed uint32, s string) uint32 {
	h := uint32(fnvOffset) ^ seed
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= fnvPrime
	}
	return h
}

// fmix is murmur3's finalizer: it spreads FNV's weak low bits.
func fmix(h uint32) uint32 {
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// featurize computes the hashed features of the tokens.
func (a *analyzer) featurize() {
	d := a.d
	words := a.words
	est := 2*len(d.tokens) + 4
	for i, t := range d.tokens {
		if words[i] {
			est += 4 * (len(t) + 2)
		}
	}
	d.feats = make([]uint32, 0, est)
	d.termOf = make([]uint16, 0, est)
	add := func(h uint32, term int) {
		d.feats = append(d.feats, fmix(h))
		d.termOf = append(d.termOf, uint16(term))
	}
	uni := make([]uint32, len(d.tokens))
	for i, t := range d.tokens {
		seed := uint32(kindWord)
		if d.negated[i] {
			seed = kindNegWord
		}
		h := hashString(seed, t)
		uni[i] = hashString(kindBigram, t)
		add(h, i)
		if i > 0 {
			add(uni[i-1]*31+uni[i], len(d.tokens)+i-1)
		}
	}
	if d.HasURL {
		add(hashString(kindFlag, "has_url"), noTerm)
	}
	if d.Elongated {
		add(hashString(kindFlag, "elongated"), noTerm)
	}
	if d.NumCaps > 0 {
		add(hashString(kindFlag, "caps"), noTerm)
	}
	if len(d.tokens) == 0 {
		add(hashString(kindFlag, "empty"), noTerm)
	}
	d.nWord = len(d.feats)
	for i, t := range d.tokens {
		if words[i] {
			a.charGrams(t, i, add)
		}
	}
	d.scaleW = float32(1 / math.Sqrt(float64(d.nWord)))
	if nc := len(d.feats) - d.nWord; nc > 0 {
		d.scaleC = float32(1 / math.Sqrt(float64(nc)))
	}
}

// charGrams adds the character n-grams of word t (token index i).
func (a *analyzer) charGrams(t string, i int, add func(uint32, int)) {
	var rs [maxWordRunes + 2]rune
	n := 0
	rs[n] = '<'
	n++
	for _, r := range t {
		if n == maxWordRunes+1 {
			break
		}
		if r == utf8.RuneError {
			continue
		}
		rs[n] = r
		n++
	}
	rs[n] = '>'
	n++
	for s := 0; s < n; s++ {
		h := uint32(fnvOffset) ^ kindChar
		for k := 0; k < charMax && s+k < n; k++ {
			h ^= uint32(rs[s+k])
			h *= fnvPrime
			if k+1 >= charMin && !(k == 0 && s+k == n-1) {
				add(h, i)
			}
		}
	}
}
