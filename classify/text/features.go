package text

import (
	"math"
	"slices"
	"unicode/utf8"
)

// Feature kinds, mixed into every hash so that equal strings of different
// kinds land in different buckets.
const (
	kindWord    = 0x9E3779B97F4A7C15
	kindNegWord = 0xC2B2AE3D27D4EB4F
	kindBigram  = 0x165667B19E3779F9
	kindChar    = 0x85EBCA77C2B2AE63
	kindFlag    = 0x27D4EB2F165667C5
)

// Character n-grams are taken inside "<word>" boundaries, from charMin to
// charMax runes.
const (
	charMin      = 2
	charMax      = 5
	maxWordRunes = 40
)

// mul64 is the multiplier of the byte-wise hash (the 64-bit golden ratio);
// its product carries every input bit into the high half, which is what
// the features keep.
const mul64 = 0x9E3779B97F4A7C15

// hash64 hashes s byte by byte: h = (h ^ b) * mul64.
func hash64(seed uint64, s string) uint64 {
	h := seed
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * mul64
	}
	return h
}

// top32 mixes h once more and keeps its high half: models index their
// buckets with the top bits of a feature.
func top32(h uint64) uint32 { return uint32((h ^ h>>29) * mul64 >> 32) }

// Bucket maps a feature hash to one of 2^bits buckets.
func bucket(h uint32, bits uint8) uint32 { return h >> (32 - bits) }

// flag features, precomputed.
var (
	featURL       = top32(hash64(kindFlag, "has_url"))
	featElongated = top32(hash64(kindFlag, "elongated"))
	featCaps      = top32(hash64(kindFlag, "caps"))
	featEmpty     = top32(hash64(kindFlag, "empty"))
)

// featurize computes the hashed features of the tokens.
func (a *analyzer) featurize() {
	d := a.d
	toks := d.tokens
	nt := len(toks)
	est := 2*nt + 4
	nw := 0
	for i, t := range toks {
		if a.words[i] {
			est += (min(len(t), maxWordRunes) + 2) * (charMax - charMin + 1)
			nw++
		}
	}
	feats := d.feats[:0]
	if cap(feats) < est {
		feats = make([]uint32, 0, est)
	}
	feats = feats[:max(2*nt-1, 0)]
	base := d.hashes[:0]
	for _, t := range toks {
		base = append(base, hash64(0, t))
	}
	d.hashes = base
	for i, b := range base {
		seed := uint64(kindWord)
		if d.negated[i] {
			seed = kindNegWord
		}
		feats[i] = top32(b ^ seed)
		if i > 0 {
			feats[nt+i-1] = top32((base[i-1]^kindBigram)*mul64 + b)
		}
	}
	if d.HasURL {
		feats = append(feats, featURL)
	}
	if d.Elongated {
		feats = append(feats, featElongated)
	}
	if d.NumCaps > 0 {
		feats = append(feats, featCaps)
	}
	if nt == 0 {
		feats = append(feats, featEmpty)
	}
	d.nWord = len(feats)
	if nw > 0 {
		runs := d.charRuns[:0]
		if cap(runs) < nw {
			runs = make([]charRun, 0, nw)
		}
		for i, t := range toks {
			if a.words[i] {
				feats = charGrams(feats, t)
				runs = append(runs, charRun{end: uint32(len(feats)), term: uint32(i)})
			}
		}
		d.charRuns = runs
	}
	d.feats = feats
	d.scaleW = float32(1 / math.Sqrt(float64(d.nWord)))
	if nc := len(feats) - d.nWord; nc > 0 {
		d.scaleC = float32(1 / math.Sqrt(float64(nc)))
	}
}

// charGrams appends the character n-grams of word t. Each rune becomes a
// 12-bit code (ASCII as itself, other runes hashed into the codes above
// 127), so a gram of up to five runes packs into one uint64 that a single
// multiplication turns into its feature. The register rolls: each rune
// shifts in one code and emits the grams ending with it.
func charGrams(feats []uint32, t string) []uint32 {
	// At most charMax-charMin+1 grams per rune and one more run for ">";
	// every run writes all four slots (the ones beyond the run are
	// overwritten by the next), hence the three spare ones.
	const perRune = charMax - charMin + 1
	need := perRune*(min(len(t), maxWordRunes)+1) + perRune - 1
	feats = slices.Grow(feats, need)
	n0 := len(feats)
	out := feats[n0 : n0+need]
	k := 0
	reg := uint64(codeBegin)
	n := 1 // runes in reg's history, including the "<" marker
	runes := 0
	for j := 0; j <= len(t); {
		var code uint64
		switch {
		case j == len(t) || runes == maxWordRunes:
			code, j = codeEnd, len(t)+1
		case t[j] < utf8.RuneSelf:
			code = uint64(t[j])
			j++
			runes++
		default:
			r, m := utf8.DecodeRuneInString(t[j:])
			j += m
			if r == utf8.RuneError {
				continue
			}
			code = 128 + uint64(r)*mul64>>(64-codeBits)%(codeMask-128)
			runes++
		}
		reg = reg<<codeBits | code
		n++
		// ((reg&mask | l<<60) ^ kindChar): the mask clears bits 60 and up,
		// so the length tag is xored in with kindChar as one constant.
		o := out[k : k+4 : k+4]
		o[0] = uint32((reg&gramMask[2] ^ (2<<60 ^ kindChar)) * mul64 >> 32)
		o[1] = uint32((reg&gramMask[3] ^ (3<<60 ^ kindChar)) * mul64 >> 32)
		o[2] = uint32((reg&gramMask[4] ^ (4<<60 ^ kindChar)) * mul64 >> 32)
		o[3] = uint32((reg&gramMask[5] ^ (5<<60 ^ kindChar)) * mul64 >> 32)
		k += min(n, charMax) - charMin + 1
	}
	return feats[:n0+k]
}

const (
	codeBits = 12
	codeMask = 1<<codeBits - 1
)

// gramMask[l] masks the last l codes of the register.
var gramMask = [charMax + 1]uint64{0, 1<<(codeBits*1) - 1, 1<<(codeBits*2) - 1, 1<<(codeBits*3) - 1, 1<<(codeBits*4) - 1, 1<<(codeBits*5) - 1}

// Codes of the word-boundary markers "<" and ">".
const (
	codeBegin = '<'
	codeEnd   = '>'
)
