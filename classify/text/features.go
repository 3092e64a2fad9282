package text

import (
	"math"
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

// featurize computes the hashed features of the tokens (finishTokens has
// hashed them and listed the words).
func (a *analyzer) featurize() {
	d := a.d
	toks := d.tokens
	nt := len(toks)
	// Room for every feature: the word-level ones, the flags, and the
	// n-gram slots of each word (charGrams writes a few beyond the grams
	// it keeps, all within a word's share of a.grams), and maxGramSlots
	// more, so that any word's slots are a whole array for
	// charGramsASCII.
	est := 2*nt + 4 + a.grams + maxGramSlots
	feats := d.feats[:0]
	if cap(feats) < est {
		feats = make([]uint32, 0, est)
	}
	feats = feats[:max(2*nt-1, 0)]
	base := d.hashes[:nt]
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
	if nw := len(a.words); nw > 0 {
		runs := d.charRuns[:0]
		if cap(runs) < nw {
			runs = make([]charRun, 0, nw)
		}
		runs = runs[:nw]
		all := feats[:cap(feats)]
		n := len(feats)
		for r, i := range a.words {
			t := toks[i]
			if a.wordASCII[r] && len(t) <= maxWordRunes {
				n += charGramsASCII((*[maxGramSlots]uint32)(all[n:]), t)
			} else {
				n += charGrams(all[n:], t)
			}
			runs[r] = charRun{end: uint32(n), term: uint32(i)}
		}
		feats = all[:n]
		d.charRuns = runs
	}
	d.feats = feats
	d.scaleW = float32(1 / math.Sqrt(float64(d.nWord)))
	if nc := len(feats) - d.nWord; nc > 0 {
		d.scaleC = float32(1 / math.Sqrt(float64(nc)))
	}
}

// charGrams writes the character n-grams of word t to out and returns
// how many it wrote. out must have room for charGramSlots(t) slots: every
// step writes four (the ones beyond the grams it keeps are overwritten by
// the next).
//
// Each rune becomes a 12-bit code (ASCII as itself, other runes hashed
// into the codes above 127), so a gram of up to five runes packs into one
// uint64 that a single multiplication turns into its feature. The
// register rolls: each rune shifts in one code and emits the grams ending
// with it.
func charGrams(out []uint32, t string) int {
	out = out[:charGramSlots(t)]
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
		grams4((*[4]uint32)(out[k:]), reg)
		k += min(n, charMax) - charMin + 1
	}
	return k
}

// charGramSlots is how many slots charGrams may write for t: four per
// rune (at most maxWordRunes) and for the ">" marker, and three spare.
func charGramSlots(t string) int {
	const perRune = charMax - charMin + 1
	return perRune*(min(len(t), maxWordRunes)+1) + perRune - 1
}

// charGramsASCII is charGrams for an ASCII word of at most maxWordRunes
// bytes, whose codes are its bytes: no decoding, no rune count. The
// first three steps keep one, two and three grams (the register holds
// fewer than five runes, "<" included); from the fourth on, every step
// keeps all four, so step j (from 0) writes at 4j-6. out is an array so
// that the writes need no bounds checks.
func charGramsASCII(out *[maxGramSlots]uint32, t string) int {
	if len(t) > maxWordRunes {
		panic("charGramsASCII: word too long")
	}
	reg := uint64(codeBegin)
	k := 0
	for j := 0; j < len(t) && j < 3; j++ {
		reg = reg<<codeBits | uint64(t[j])
		grams4((*[4]uint32)(out[k:]), reg)
		k += j + 1
	}
	for j := 3; j < len(t); j++ {
		reg = reg<<codeBits | uint64(t[j])
		grams4((*[4]uint32)(out[4*j-6:]), reg)
	}
	if len(t) > 3 {
		k = 4*len(t) - 6
	}
	reg = reg<<codeBits | codeEnd
	grams4((*[4]uint32)(out[k:]), reg)
	return k + min(len(t)+2, charMax) - charMin + 1
}

// maxGramSlots is charGramSlots of the longest word.
const maxGramSlots = (charMax-charMin+1)*(maxWordRunes+1) + charMax - charMin

// grams4 writes the features of the 2- to 5-grams ending at reg's last
// code: ((reg&mask | l<<60) ^ kindChar) hashed; the mask clears bits 60
// and up, so the length tag is xored in with kindChar as one constant.
// The masks and constants are read from memory operands (gramMasks,
// gramKinds) rather than built in registers, which the compiler would
// do for each of the eight and then run out of registers.
func grams4(o *[4]uint32, reg uint64) {
	o[0] = uint32((reg&gramMasks[0] ^ gramKinds[0]) * mul64 >> 32)
	o[1] = uint32((reg&gramMasks[1] ^ gramKinds[1]) * mul64 >> 32)
	o[2] = uint32((reg&gramMasks[2] ^ gramKinds[2]) * mul64 >> 32)
	o[3] = uint32((reg&gramMasks[3] ^ gramKinds[3]) * mul64 >> 32)
}

// gramMasks[l-2] masks the last l codes of the register; gramKinds[l-2]
// is the constant the l-gram is xored with. Read-only.
var (
	gramMasks = [4]uint64{1<<(codeBits*2) - 1, 1<<(codeBits*3) - 1, 1<<(codeBits*4) - 1, 1<<(codeBits*5) - 1}
	gramKinds = [4]uint64{2<<60 ^ kindChar, 3<<60 ^ kindChar, 4<<60 ^ kindChar, 5<<60 ^ kindChar}
)

const (
	codeBits = 12
	codeMask = 1<<codeBits - 1
)

// Codes of the word-boundary markers "<" and ">".
const (
	codeBegin = '<'
	codeEnd   = '>'
)
