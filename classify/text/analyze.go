package text

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/unicode/norm"
)

// MaxInputBytes bounds how much of a message Analyze reads; the rest is
// ignored so that huge inputs cost a bounded time.
const MaxInputBytes = 8192

// FeatureVersion identifies the featurizer below. Models record the version
// they were trained with and LoadEmbedded rejects a mismatch, so any change
// to tokens or hashing must bump it.
const FeatureVersion = 2

// Special tokens.
const (
	TokURL     = "<url>"
	TokMention = "@user"
	TokNum     = "<num>"
)

// Doc is a message analysed once: normalized tokens, hashed features and
// surface flags. It is shared by every model and read-only after Analyze.
//
// Feature layout: feats[i] for i < len(tokens) is token i's word feature,
// feats[len(tokens)+i] the bigram of tokens i and i+1, then the surface
// flags up to nWord, then the character n-grams of each word token, one
// contiguous run per token (charRuns).
type Doc struct {
	norm     []byte // the tokens' text; tokens alias it
	tokens   []string
	negated  []bool
	hashes   []uint64 // per token: hash64 of its text
	feats    []uint32 // 32-bit feature hashes; a model keeps the top Bits bits
	charRuns []charRun
	nWord    int     // feats[:nWord] are word-level, feats[nWord:] character n-grams
	scaleW   float32 // 1/sqrt(nWord): each group is an L2-normalized binary vector
	scaleC   float32 // 1/sqrt(len(feats)-nWord), or 0

	// HasURL is true when the message contains a link.
	HasURL bool
	// NumMentions counts @mentions.
	NumMentions int
	// NumHashtags counts #hashtags.
	NumHashtags int
	// Emojis lists the emoji found, in order.
	Emojis []string
	// Elongated is true when a word had a letter repeated three or more
	// times ("noooo").
	Elongated bool
	// NumCaps counts words written in capitals (three letters or more).
	NumCaps int
}

// charRun is the character n-grams of one token: feats[previous end:end].
type charRun struct {
	end  uint32
	term uint32
}

// maxTokens bounds the token count.
const maxTokens = 4000

// Tokens returns the normalized word tokens in order: lower-cased,
// accent-folded (ñ is kept), elongations squeezed to two letters ("noooo"
// becomes "noo"), links as "<url>", mentions as "@user", numbers of three
// digits or more as "<num>", hashtags as "#tag" followed by "tag", each
// emoji and currency sign as its own token, and "!"/"?" (doubled when
// repeated).
func (d *Doc) Tokens() []string { return d.tokens }

// Negated reports whether token i lies in a negation scope ("not working",
// "no funciona"): the up to three words after a negation cue, stopped by
// punctuation or a contrastive conjunction.
func (d *Doc) Negated(i int) bool { return i >= 0 && i < len(d.negated) && d.negated[i] }

// TokenHash returns a 64-bit hash of token i's text, the same for equal
// tokens in any Doc. It is a multiplicative byte hash: its high bits are
// well spread, its low bits are not, so mix it before using them.
func (d *Doc) TokenHash(i int) uint64 { return d.hashes[i] }

// NumFeatures returns how many hashed features the message produced.
func (d *Doc) NumFeatures() int { return len(d.feats) }

// Analyze normalizes and tokenizes s and computes its hashed features. It
// never panics: invalid UTF-8 bytes are treated as separators and input
// beyond MaxInputBytes is ignored. It is safe for concurrent use. The Doc
// comes from a pool: a caller that is done with it may hand it back with
// Release, and must then drop it and every string it returned.
func Analyze(s string) *Doc {
	if len(s) > MaxInputBytes {
		cut := MaxInputBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	if i := asciiPrefix(s); i < len(s) {
		// The ASCII prefix is valid and normalized, and ends at a
		// normalization boundary before its last byte (an ASCII byte
		// never combines with what precedes it; it may with what
		// follows, as e and U+0301 make é): only the rest is checked.
		if !utf8.ValidString(s[i:]) {
			s = strings.ToValidUTF8(s, " ")
		}
		if j := max(i-1, 0); norm.NFKC.QuickSpanString(s[j:]) != len(s)-j {
			s = norm.NFKC.String(s)
		}
	}
	a := analyzers.Get().(*analyzer)
	d := docs.Get().(*Doc)
	a.d = d
	a.src = s
	a.buf = d.norm[:0]
	a.spans = a.spans[:0]
	a.tokenize()
	a.featurize()
	d.norm = a.buf
	a.d, a.src, a.buf = nil, "", nil
	if cap(a.spans) <= 1<<12 {
		analyzers.Put(a)
	}
	return d
}

// analyzers recycles the scratch buffers of Analyze.
var analyzers = sync.Pool{New: func() any { return &analyzer{spans: make([]span, 0, 64)} }}

// docs recycles released Docs with their buffers.
// A new Doc's slices are sized to its message, so Docs that are kept (as
// training does) take no more memory than they need.
var docs = sync.Pool{New: func() any { return new(Doc) }}

// Release hands d back for reuse by a later Analyze. After Release, d and
// every string it returned (tokens, emoji, top terms of its predictions)
// must no longer be used. Docs that are not released are simply garbage
// collected.
func (d *Doc) Release() {
	if d == nil || cap(d.norm) > 1<<14 || cap(d.feats) > 1<<15 || cap(d.tokens) > 1<<12 {
		return // keep the pool's buffers tweet-sized
	}
	*d = Doc{
		norm: d.norm[:0], tokens: d.tokens[:0], negated: d.negated[:0], hashes: d.hashes[:0],
		feats: d.feats[:0], charRuns: d.charRuns[:0], Emojis: d.Emojis[:0],
	}
	docs.Put(d)
}

// asciiPrefix returns the index of the first byte of s that is not ASCII,
// or len(s); eight bytes at a time.
func asciiPrefix(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8] // one bounds check; the loads combine into one
		w := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if w&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return i
		}
	}
	return i
}

// span is a token as byte offsets into analyzer.buf, or a constant.
type span struct {
	start, end int32
	hash       uint64 // hash64(0, token) when hashed
	konst      uint8  // index into konsts; 0 for a token in buf
	word       bool   // gets char n-grams
	punct      bool   // ends a negation scope
	hashed     bool   // hash is set (asciiWord hashes as it folds)
	ascii      bool   // the token is ASCII
}

// konsts are the constant tokens a span may stand for (index 0: none),
// with their hashes.
var (
	konsts      = [...]string{"", TokURL, TokMention, TokNum, "!", "!!", "?", "??"}
	konstHashes = func() (h [len(konsts)]uint64) {
		for i, k := range konsts {
			h[i] = hash64(0, k)
		}
		return h
	}()
)

// Indexes into konsts.
const (
	kURL = iota + 1
	kMention
	kNum
	kBang
	kBangs
	kQuestion
	kQuestions
)

type analyzer struct {
	d     *Doc
	src   string
	buf   []byte
	spans []span
	// words lists the tokens that get char n-grams (finishTokens), with
	// wordASCII saying which of them are ASCII; grams is an upper bound
	// of the n-gram slots they need.
	words     []int32
	wordASCII []bool
	grams     int
}

// ASCII byte classes for the tokenizer's fast path.
const (
	clsOther = iota
	clsWord
	clsLetterHW // h, H, w, W: a word or a link
	clsAt
	clsHash
	clsBang
	clsQuestion
	clsPunct
)

var asciiClass = func() (t [128]uint8) {
	for c := 0; c < 128; c++ {
		switch {
		case c == 'h' || c == 'H' || c == 'w' || c == 'W':
			t[c] = clsLetterHW
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_':
			t[c] = clsWord
		case c == '@':
			t[c] = clsAt
		case c == '#':
			t[c] = clsHash
		case c == '!':
			t[c] = clsBang
		case c == '?':
			t[c] = clsQuestion
		case c == '.' || c == ',' || c == ';' || c == ':':
			t[c] = clsPunct
		}
	}
	return t
}()

// tokenize splits src into spans, writing normalized text into buf.
func (a *analyzer) tokenize() {
	s := a.src
	i := 0
	for i < len(s) && len(a.spans) < maxTokens {
		c := s[i]
		if c < utf8.RuneSelf {
			switch asciiClass[c] {
			case clsOther:
				i++
			case clsWord:
				i = a.word(i)
			case clsLetterHW:
				if l := urlLen(s[i:]); l > 0 {
					a.addConst(kURL, false)
					a.d.HasURL = true
					i += l
					continue
				}
				i = a.word(i)
			case clsAt:
				i = a.mention(i, 1)
			case clsHash:
				i = a.hashtag(i)
			case clsBang:
				i = a.marks(i, '!')
			case clsQuestion:
				i = a.marks(i, '?')
			case clsPunct:
				a.spans = append(a.spans, span{punct: true})
				i++
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '＠':
			i = a.mention(i, n)
		case r == '¡':
			i = a.marks(i, '!')
		case r == '¿':
			i = a.marks(i, '?')
		case isWordRune(r):
			i = a.word(i)
		case isEmoji(r) || unicode.Is(unicode.Sc, r):
			st := int32(len(a.buf))
			a.buf = utf8.AppendRune(a.buf, r)
			a.spans = append(a.spans, span{start: st, end: int32(len(a.buf))})
			i += n
		default:
			i += n
		}
	}
	a.finishTokens()
}

// mention consumes "@name" at i (the sign is n bytes).
func (a *analyzer) mention(i, n int) int {
	j := i + n
	k := skipWord(a.src, j)
	if k > j {
		a.addConst(kMention, false)
		a.d.NumMentions++
		return k
	}
	return j
}

// hashtag consumes "#tag" at i: the token "#tag" followed by "tag".
func (a *analyzer) hashtag(i int) int {
	j := i + 1
	k := skipWord(a.src, j)
	if k == j {
		return j
	}
	a.d.NumHashtags++
	st := int32(len(a.buf))
	a.buf = append(a.buf, '#')
	a.foldInto(a.src[j:k])
	a.spans = append(a.spans, span{start: st, end: int32(len(a.buf))}, span{start: st + 1, end: int32(len(a.buf)), word: true})
	return k
}

// marks consumes a run of "!" and "¡" (c == '!') or "?" and "¿".
func (a *analyzer) marks(i int, c byte) int {
	s := a.src
	inv := "¡"
	if c == '?' {
		inv = "¿"
	}
	j, cnt := i, 0
	for j < len(s) {
		if s[j] == c {
			j++
		} else if strings.HasPrefix(s[j:], inv) {
			j += len(inv)
		} else {
			break
		}
		cnt++
	}
	switch {
	case c == '!' && cnt == 1:
		a.addConst(kBang, true)
	case c == '!':
		a.addConst(kBangs, true)
	case cnt == 1:
		a.addConst(kQuestion, true)
	default:
		a.addConst(kQuestions, true)
	}
	return j
}

// addConst adds the constant token konsts[k].
func (a *analyzer) addConst(k uint8, punct bool) {
	a.spans = append(a.spans, span{konst: k, punct: punct})
}

// word consumes a word starting at i and returns the next offset.
func (a *analyzer) word(i int) int {
	if k, ok := a.asciiWord(i); ok {
		return k
	}
	s := a.src
	k := skipWord(s, i)
	if k == i {
		_, n := utf8.DecodeRuneInString(s[i:])
		return i + n
	}
	w := s[i:k]
	digits, letters, upper := 0, 0, 0
	for j := 0; j < len(w); j++ {
		c := w[j]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'a' && c <= 'z':
			letters++
		case c >= 'A' && c <= 'Z':
			letters++
			upper++
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(w[j:])
			j += n - 1
			if unicode.IsLetter(r) {
				letters++
				if unicode.IsUpper(r) {
					upper++
				}
			} else if r >= '０' && r <= '９' {
				digits++
			}
		}
	}
	if letters == 0 && digits >= 3 {
		a.addConst(kNum, false)
		return k
	}
	if letters >= 3 && upper == letters {
		a.d.NumCaps++
	}
	st := int32(len(a.buf))
	a.foldInto(w)
	if int32(len(a.buf)) > st {
		a.spans = append(a.spans, span{start: st, end: int32(len(a.buf)), word: true})
	}
	return k
}

// asciiWord is word for a word of ASCII letters, digits and '_' followed
// by a byte that cannot continue it: one pass (foldASCIIWord) classifies,
// counts, folds and hashes each byte. ok is false (and nothing is
// consumed) when the word may go on with an apostrophe or a non-ASCII
// rune; word then takes the general path.
func (a *analyzer) asciiWord(i int) (int, bool) {
	s := a.src
	st := len(a.buf)
	// The folded word is written past buf's length, into room for the
	// rest of the text (the word is no longer), and kept only if it turns
	// out to be a word token.
	buf := slices.Grow(a.buf, len(s)-i)[:st+len(s)-i]
	n, k, counts, h, slow := foldASCIIWord(s[i:], buf[st:])
	if slow {
		return i, false
	}
	j := i + n
	letters, upper, digits := counts&0xFFFF, counts>>16&0xFFFF, counts>>32
	if letters == 0 && digits >= 3 {
		a.addConst(kNum, false)
		return j, true
	}
	if letters >= 3 && upper == letters {
		a.d.NumCaps++
	}
	if k < n { // letters were squeezed
		a.d.Elongated = true
	}
	a.buf = buf[:st+k]
	a.spans = append(a.spans, span{start: int32(st), end: int32(st + k), hash: h, word: true, hashed: true, ascii: true})
	return j, true
}

// foldASCIIWord is asciiWord's pass over the word starting s: it writes
// the folded bytes to out (len(out) >= len(s)) and returns the word's
// length n, the folded length k, the asciiWordTable counts, the hash64
// of the folded bytes, and whether the word may go on in a way only word
// handles (slow; the rest is then meaningless). A separate function, so
// that the compiler keeps the loop's state in registers.
func foldASCIIWord(s string, out []byte) (n, k int, counts, h uint64, slow bool) {
	out = out[:len(s)]
	var last2 uint16 // the last two bytes written (no word byte is 0)
	for n = 0; n < len(s); n++ {
		e := asciiWordTable[s[n]]
		if e&(awWord|awSlow) != awWord {
			return n, k, counts, h, e&awSlow != 0
		}
		// Counted without branches: letters, capitals and digits mix
		// unpredictably ("MovilCo", "4G").
		counts += e >> 16
		r := byte(e >> 8)
		// A letter equal to the two written before it is a third or
		// later one in a row: squeezed.
		if last2 == uint16(r)<<8|uint16(r) {
			continue
		}
		last2 = last2<<8 | uint16(r)
		out[k] = r
		k++
		h = (h ^ uint64(r)) * mul64
	}
	return n, k, counts, h, false
}

// asciiWordBits classifies bytes for asciiWord.
const (
	awLetter = 1 << iota
	awUpper
	awDigit
	awWord // continues an ASCII word
	awSlow // may continue a word in a way only word handles
)

var asciiWordBits = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 'a' && c <= 'z':
			t[c] = awLetter | awWord
		case c >= 'A' && c <= 'Z':
			t[c] = awLetter | awUpper | awWord
		case c >= '0' && c <= '9':
			t[c] = awDigit | awWord
		case c == '_':
			t[c] = awWord
		case c >= utf8.RuneSelf || c == '\'':
			t[c] = awSlow
		}
	}
	return t
}()

// asciiWordTable is, per byte, its asciiWordBits (bits 0-7), its lower
// case (8-15), and 1 to add to the letter count (bit 16), the capital
// count (32) and the digit count (48) of asciiWord, which adds the
// entry shifted right by 16: a word is at most MaxInputBytes long, so
// the 16-bit counts do not carry into each other.
var asciiWordTable = func() (t [256]uint64) {
	for c := range t {
		b := uint64(asciiWordBits[c])
		t[c] = b | uint64(lowerASCII[c])<<8 | (b&awLetter)<<16 | (b>>1&1)<<32 | (b>>2&1)<<48
	}
	return t
}()

// lowerASCII maps ASCII bytes to lower case (and other bytes to
// themselves).
var lowerASCII = func() (t [256]byte) {
	for c := range t {
		t[c] = byte(c)
		if c >= 'A' && c <= 'Z' {
			t[c] = byte(c) + 'a' - 'A'
		}
	}
	return t
}()

// foldInto appends w lower-cased, accent-folded and with runs of three or
// more equal letters squeezed to two.
func (a *analyzer) foldInto(w string) {
	var prev rune = -1
	run := 0
	buf := a.buf
	for j := 0; j < len(w); {
		var r rune
		if c := w[j]; c < utf8.RuneSelf {
			r = rune(lowerASCII[c])
			j++
		} else {
			var n int
			r, n = utf8.DecodeRuneInString(w[j:])
			j += n
			r = foldRune(r)
			if r == 0 {
				continue
			}
		}
		if r == prev {
			run++
			if run >= 2 {
				a.d.Elongated = true
				continue
			}
		} else {
			run = 0
		}
		prev = r
		if r < utf8.RuneSelf {
			buf = append(buf, byte(r))
		} else {
			buf = utf8.AppendRune(buf, r)
		}
	}
	a.buf = buf
}

// skipWord returns the end of the word-rune run starting at i. Apostrophes
// inside a word are kept ("don't").
func skipWord(s string, i int) int {
	j := i
	for j < len(s) {
		c := s[j]
		if c < utf8.RuneSelf {
			if cl := asciiClass[c]; cl == clsWord || cl == clsLetterHW {
				j++
				continue
			}
			if c == '\'' && j > i && j+1 < len(s) && isLetterAt(s, j+1) {
				j++
				continue
			}
			break
		}
		r, n := utf8.DecodeRuneInString(s[j:])
		if isWordRune(r) {
			j += n
			continue
		}
		if r == '’' && j > i && j+n < len(s) && isLetterAt(s, j+n) {
			j += n
			continue
		}
		break
	}
	return j
}

func isLetterAt(s string, i int) bool {
	if c := s[i]; c < utf8.RuneSelf {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r)
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// urlLen returns the length of a link starting s, or 0.
func urlLen(s string) int {
	var p int
	switch {
	case hasPrefixFold(s, "https://"):
		p = 8
	case hasPrefixFold(s, "http://"):
		p = 7
	case hasPrefixFold(s, "www."):
		p = 4
	default:
		return 0
	}
	j := p
	for j < len(s) && s[j] > ' ' {
		j++
	}
	if j == p {
		return 0
	}
	return j
}

func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || lowerASCII[c] != p[i] {
			return false
		}
	}
	return true
}

// isEmoji reports whether r is a pictographic emoji (skin-tone modifiers,
// joiners and variation selectors are not).
func isEmoji(r rune) bool {
	switch {
	case r >= 0x1F3FB && r <= 0x1F3FF:
		return false
	case r >= 0x1F000 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF, r >= 0x2B00 && r <= 0x2BFF,
		r >= 0x2190 && r <= 0x21FF, r >= 0x2300 && r <= 0x23FF:
		return true
	}
	return false
}

// foldTable maps runes below foldTableSize to their lower-case, accent-free
// form, computed once from the Unicode decomposition.
const foldTableSize = 0x250

var foldTable = buildFoldTable()

func buildFoldTable() [foldTableSize]rune {
	var t [foldTableSize]rune
	for r := rune(0); r < foldTableSize; r++ {
		l := unicode.ToLower(r)
		if l == 'ñ' {
			t[r] = l
			continue
		}
		base := l
		for _, d := range norm.NFD.String(string(l)) {
			base = d // first rune of the decomposition is the base letter
			break
		}
		t[r] = base
	}
	return t
}

// foldRune lower-cases r and strips its accent; 0 means drop the rune.
func foldRune(r rune) rune {
	if r < foldTableSize {
		return foldTable[r]
	}
	switch r {
	case '’', '‘', 'ʼ':
		return '\''
	}
	if unicode.Is(unicode.Mn, r) {
		return 0
	}
	return unicode.ToLower(r)
}

// finishTokens turns spans into token strings with their hashes, marks
// negation scopes, and lists the tokens that get char n-grams.
func (a *analyzer) finishTokens() {
	// The tokens alias buf, which the Doc owns from here until Release.
	normed := ""
	if len(a.buf) > 0 {
		normed = unsafe.String(&a.buf[0], len(a.buf))
	}
	d := a.d
	n := len(a.spans)
	// Every slice gets room for a token per span up front, so that the
	// loop writes by index into locals.
	tokens, negated, hashes := d.tokens[:0], d.negated[:0], d.hashes[:0]
	if tokens == nil || cap(tokens) < n || cap(negated) < n || cap(hashes) < n {
		tokens, negated, hashes = make([]string, 0, n), make([]bool, 0, n), make([]uint64, 0, n)
	}
	tokens, negated, hashes = tokens[:n], negated[:n], hashes[:n]
	words, ascii := a.words[:0], a.wordASCII[:0]
	if cap(words) < n || cap(ascii) < n {
		words, ascii = make([]int32, 0, n), make([]bool, 0, n)
	}
	words, ascii = words[:n], ascii[:n]
	nt, nw, grams := 0, 0, 0
	scope := 0
	for i := range a.spans {
		sp := &a.spans[i]
		if sp.konst == 0 && sp.end <= sp.start { // bare punctuation
			scope = 0
			continue
		}
		var tok string
		h := sp.hash
		if sp.konst != 0 {
			tok, h = konsts[sp.konst], konstHashes[sp.konst]
		} else {
			tok = normed[sp.start:sp.end]
			if !sp.hashed {
				h = hash64(0, tok)
			}
		}
		cue := cues.lookup(tok, h)
		if sp.punct || cue == scopeBreaker {
			scope = 0
		}
		neg := false
		if sp.word && !sp.punct {
			if scope > 0 {
				neg = true
				scope--
			}
			if cue == negationCue || strings.HasSuffix(tok, "n't") {
				scope = negationScope
				neg = false
			}
			words[nw], ascii[nw] = int32(nt), sp.ascii
			nw++
			grams += (min(len(tok), maxWordRunes) + 2) * (charMax - charMin + 1)
		}
		if tok[0] >= 0xE2 && isEmoji1(tok) {
			d.Emojis = append(d.Emojis, tok)
		}
		tokens[nt], negated[nt], hashes[nt] = tok, neg, h
		nt++
	}
	d.tokens, d.negated, d.hashes = tokens[:nt], negated[:nt], hashes[:nt]
	a.words, a.wordASCII, a.grams = words[:nw], ascii[:nw], grams
}

func isEmoji1(tok string) bool {
	r, n := utf8.DecodeRuneInString(tok)
	return n == len(tok) && isEmoji(r)
}

// negationScope is how many words after a cue are negated.
const negationScope = 3

// negationCues are the folded words that open a negation scope, in
// English and Spanish; so does any word ending in "n't".
var negationCues = []string{
	"not", "no", "never", "cannot", "cant", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent",
	"werent", "wont", "wouldnt", "couldnt", "shouldnt", "havent", "hasnt", "hadnt", "aint",
	"nothing", "nobody", "none", "nor", "neither", "without", "nowhere",
	"nunca", "jamas", "ni", "tampoco", "nada", "nadie", "ningun", "ninguno", "ninguna", "sin",
}

// scopeBreakers are the tokens that end a negation scope.
var scopeBreakers = []string{"but", "however", "although", "pero", "sino", "aunque"}

// What cueTable.lookup finds.
const (
	notACue = iota
	negationCue
	scopeBreaker
)

// cueTable is a hash set of negationCues and scopeBreakers keyed by the
// tokens' hash64, which the tokenizer computes anyway: a token costs one
// probe instead of a string switch. A 1024-bit filter in front answers
// for almost every other token, so that the probe's branches stay
// predictable.
type cueTable struct {
	filter [1024 / 64]uint64 // bit h>>54 set for every cue's hash h
	slots  [128]struct {
		hash uint64
		tok  string
		kind uint8
	}
}

// cues is built once and only read.
var cues = func() *cueTable {
	t := new(cueTable)
	add := func(words []string, kind uint8) {
		for _, w := range words {
			h := hash64(0, w)
			t.filter[h>>60] |= 1 << (h >> 54 & 63)
			i := h >> (64 - 7)
			for t.slots[i].tok != "" {
				i = (i + 1) % uint64(len(t.slots))
			}
			t.slots[i].hash, t.slots[i].tok, t.slots[i].kind = h, w, kind
		}
	}
	add(negationCues, negationCue)
	add(scopeBreakers, scopeBreaker)
	return t
}()

// lookup returns the kind of tok, whose hash64 is h.
func (t *cueTable) lookup(tok string, h uint64) uint8 {
	if t.filter[h>>60]&(1<<(h>>54&63)) == 0 {
		return notACue
	}
	for i := h >> (64 - 7); ; i = (i + 1) % uint64(len(t.slots)) {
		e := &t.slots[i]
		if e.tok == "" {
			return notACue
		}
		if e.hash == h && e.tok == tok {
			return e.kind
		}
	}
}
