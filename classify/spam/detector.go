package spam

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigia-dev/vigia/classify/internal/hugepage"
	"github.com/vigia-dev/vigia/classify/reason"
)

// Signals are what the detector sees of one message.
type Signals struct {
	// Author is the author's stable id.
	Author string
	// At is the message time; the windows are measured with it.
	At time.Time
	// AuthorCreatedAt is when the account was created; zero when unknown.
	AuthorCreatedAt time.Time
	// Followers and Following of the author; both zero when unknown.
	Followers, Following int64
	// Words are the normalized words of the text, fingerprinted.
	Words []string
	// Text is the raw text, scanned for shortened links.
	Text string
	// HasURL says the text holds a link; the scan is skipped otherwise.
	HasURL bool
	// WordHashes, when it holds one hash per word, fingerprints the text
	// with SimHashOfHashes instead of hashing Words again. A detector's
	// callers must all set it or all leave it empty.
	WordHashes []uint64
}

// entry is one remembered fingerprint in the ring.
type entry struct {
	fp     uint64
	author uint64
	at     int64  // unix nanoseconds
	seq    uint64 // 0 for a slot never written
}

// bucketSize is how many fingerprints one band bucket remembers, newest
// first: a flood of one text is counted on its 16 most recent copies,
// plenty to weigh it (the weight peaks at 10 other authors) and a bound on
// the cost of a lookup. 16 packed uint64 fill two adjacent cache lines.
const bucketSize = 16

// bucket holds packed references to ring entries, newest first, 0 when
// empty. A reference is the band value's bits above the bucket index (the
// tag), check bits (the fingerprint outside the band) and the low bits of
// the entry's sequence number, so a lookup skips other band values and
// fingerprints too far apart without touching the ring, and the ring
// entries it does read are independent loads rather than a pointer chase.
type bucket [bucketSize]uint64

// Detector scores behaviour signals and remembers recent messages. Its
// memory is allocated once, in New, and bounded by MaxFingerprints (a ring
// rounded up to a power of two, with a coarse time per slot, plus four
// band indexes of MaxFingerprints/16 buckets, rounded up to a power of
// two, at most 2^16) and MaxAuthors (a set-associative table of post
// times); Observe allocates nothing.
type Detector struct {
	cfg Config

	mu sync.Mutex
	// ring holds the last MaxFingerprints fingerprints (and up to as many
	// older ones): fingerprint seq is in slot seq&ringMask, a power of two
	// so that no division is needed.
	ring     []entry
	ringMask uint64
	// coarse[slot] is ring[slot].at's coarseTime: a lookup skips an entry
	// that is certainly outside the window without reading the ring.
	coarse     []uint16
	timeShift  uint   // coarseTime's unit is 2^timeShift ns
	timeSlack  uint16 // coarse times of messages within the window differ by at most this
	seq        uint64 // sequence number of the next fingerprint, from 1
	bands      [4][]bucket
	bucketBits uint // log2 of the buckets per band
	seqBits    uint // low sequence bits in a packed reference
	tagShift   uint // the tag is a reference's bits from tagShift up
	checkMask  uint64
	authors    authorTable
	seen       []uint64 // scratch: distinct authors of one lookup
}

// New returns a detector; cfg must be valid.
func New(cfg Config) (*Detector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("spam detector config: %w", err)
	}
	slots := 1 << bits.Len(uint(cfg.MaxFingerprints-1))
	d := &Detector{
		cfg:      cfg,
		ring:     hugepage.Make[entry](slots),
		ringMask: uint64(slots - 1),
		coarse:   make([]uint16, slots),
		seq:      1,
		authors:  newAuthorTable(cfg.MaxAuthors, cfg.RateMax+1),
		seen:     make([]uint64, 0, 4*bucketSize),
	}
	for d.bucketBits < 16 && 1<<d.bucketBits < cfg.MaxFingerprints/bucketSize {
		d.bucketBits++
	}
	// A reference packs, from the top: the tag (16-bucketBits bits), check
	// bits, and the sequence number's low seqBits bits. seqBits spans
	// eight times the ring, so a reference is read wrongly only if its
	// bucket went untouched for seven ring-fulls after it (tens of pushes
	// expected). The check bits are most of the fingerprint's 48 bits
	// outside the band (37 or more): a lookup skips a reference whose
	// check bits alone already differ in more than MaxHamming bits, so
	// the ring is read almost only for true near-duplicates.
	// Coarse times: the window spans at most 2^13 units of 2^timeShift ns
	// (so fewer than 2^15 for the slack, and a uint16 wraps only after
	// eight windows or more). A valid window is at most 24h, so timeShift
	// is at most 34 (coarseTime needs at most 48).
	window := uint64(cfg.Window)
	d.timeShift = uint(max(bits.Len64(window)-13, 0))
	d.timeSlack = uint16(window>>d.timeShift) + 1
	d.seqBits = uint(bits.Len(uint(cfg.MaxFingerprints))) + 3
	d.tagShift = 48 + d.bucketBits
	d.checkMask = uint64(1)<<min(d.tagShift-d.seqBits, 48) - 1
	nb := 1 << d.bucketBits
	all := hugepage.Make[bucket](len(d.bands) * nb) // one allocation: 2 MiB at the default bound
	for i := range d.bands {
		d.bands[i] = all[i*nb : (i+1)*nb : (i+1)*nb]
	}
	return d, nil
}

// Observe records the message and returns the behaviour evidence as a score
// in [0,1] (noisy-OR of the signals that fired), adding their reasons to
// reasons when it is not nil.
func (d *Detector) Observe(s Signals, reasons *reason.List) float64 {
	miss := 1.0
	at := s.At.UnixNano()
	author := fnv64(2, s.Author)
	fp, fingerprinted := uint64(0), len(s.Words) >= d.cfg.MinTokens
	if fingerprinted {
		if len(s.WordHashes) == len(s.Words) {
			fp = SimHashOfHashes(s.WordHashes)
		} else {
			fp = SimHash(s.Words)
		}
	}

	d.mu.Lock()
	copies, others := 0, 0
	if fingerprinted {
		copies, others = d.lookupAndAdd(fp, author, at)
	}
	posts := d.authors.countPost(author, unixSeconds(s.At), int64(d.cfg.Window/time.Second))
	d.mu.Unlock()

	// The profile and link signals are decided first: they say whether a
	// near-duplicate looks like a promotion or like many customers saying
	// the same thing (an outage, a frequent question), which is no spam.
	shortHost, short := "", false
	if s.HasURL {
		shortHost, short = d.shortener(s.Text)
	}
	ratio := s.Following >= d.cfg.RatioMinFollowing && s.Following > 0 &&
		float64(s.Following) >= d.cfg.FollowingRatio*float64(max(s.Followers, 1))
	var age time.Duration
	newAccount := false
	if !s.AuthorCreatedAt.IsZero() && !s.At.IsZero() {
		age = s.At.Sub(s.AuthorCreatedAt)
		newAccount = age >= 0 && age < d.cfg.NewAccountAge
	}
	rate := posts > d.cfg.RateMax
	promo := s.HasURL || short || ratio || newAccount || rate

	if others >= d.cfg.DuplicateAuthors {
		w := min(d.cfg.Weights.Duplicate+0.05*float64(others-d.cfg.DuplicateAuthors), 0.95)
		if !promo {
			w *= d.cfg.Weights.DuplicateAlone
		}
		miss *= 1 - w
		if reasons != nil {
			b := strconv.AppendInt(append(reasons.Begin(), "near-duplicate of "...), int64(copies), 10)
			b = strconv.AppendInt(append(b, " messages from "...), int64(others), 10)
			b = appendDuration(append(b, " authors in "...), d.cfg.Window)
			if !promo {
				b = append(b, " (no link or account signal: weak evidence)"...)
			}
			reasons.End(b)
		}
	}
	if rate {
		miss *= 1 - d.cfg.Weights.Rate
		if reasons != nil {
			b := strconv.AppendInt(reasons.Begin(), int64(posts), 10)
			reasons.End(appendDuration(append(b, " posts by this author in "...), d.cfg.Window))
		}
	}
	if short {
		miss *= 1 - d.cfg.Weights.Shortener
		if reasons != nil {
			reasons.End(strconv.AppendQuote(append(reasons.Begin(), "shortened link "...), shortHost))
		}
	}
	if ratio {
		miss *= 1 - d.cfg.Weights.Ratio
		if reasons != nil {
			b := strconv.AppendInt(append(reasons.Begin(), "follows "...), s.Following, 10)
			b = strconv.AppendInt(append(b, " accounts, followed by "...), s.Followers, 10)
			reasons.End(b)
		}
	}
	if newAccount {
		miss *= 1 - d.cfg.Weights.NewAccount
		if reasons != nil {
			b := appendAge(append(reasons.Begin(), "account created "...), age)
			reasons.End(append(b, " before posting"...))
		}
	}
	return min(max(1-miss, 0), 1)
}

// lookupAndAdd counts the fingerprints within the window and MaxHamming of
// fp posted by other authors, then records fp. d.mu is held.
func (d *Detector) lookupAndAdd(fp, author uint64, at int64) (copies, others int) {
	window := int64(d.cfg.Window)
	n := uint64(d.cfg.MaxFingerprints)
	ct := d.coarseTime(at)
	seqMask := uint64(1)<<d.seqBits - 1
	d.seen = d.seen[:0]
	var bloom [4]uint64
	var visited [4 * bucketSize]uint64 // ring entries read by this lookup
	var vbloom uint64
	nv := 0
	// The newest reference of each half of each bucket is read first:
	// the eight cache lines of the four buckets are then fetched at once,
	// not bucket after bucket as the scan below reaches them (the scan's
	// branches keep the processor from running far enough ahead). When
	// every bucket is empty (a new detector) there is nothing to scan.
	var bks [4]*bucket
	var heads uint64
	for b := range d.bands {
		bk := &d.bands[b][uint64(uint16(fp>>(16*b)))&(1<<d.bucketBits-1)]
		bks[b] = bk
		heads |= bk[0] | bk[bucketSize/2]
	}
	for b, bk := range bks {
		if heads == 0 {
			break
		}
		v := uint64(uint16(fp >> (16 * b)))
		tag := v >> d.bucketBits
		check := d.check(fp, b)
		for _, ref := range bk {
			if ref == 0 || ref>>d.tagShift != tag {
				continue // empty, or another band value sharing the bucket
			}
			if bits.OnesCount64((ref>>d.seqBits^check)&d.checkMask) > d.cfg.MaxHamming {
				continue // too far apart in the check bits alone
			}
			seq := d.seq - ((d.seq - ref) & seqMask)
			if d.seq-seq > n {
				break // left the ring, and so did every older reference
			}
			// A stored message met in an earlier band was counted or
			// ruled out there; either way it does not count in this one
			// (it counts only in the first band it matches).
			if vbloom&(1<<(seq&63)) != 0 && containsU64(visited[:nv], seq) {
				continue
			}
			visited[nv], nv = seq, nv+1
			vbloom |= 1 << (seq & 63)
			slot := seq & d.ringMask
			if !d.mayBeWithin(ct, d.coarse[slot]) {
				continue // the entry in the slot is certainly outside the window
			}
			e := &d.ring[slot]
			if e.seq != seq || e.author == author || Hamming(e.fp, fp) > d.cfg.MaxHamming {
				continue
			}
			if dt := at - e.at; dt > window || dt < -window {
				continue
			}
			// Count each stored message once, in the first band it matches.
			if firstBand(e.fp, fp) != b {
				continue
			}
			copies++
			// A 256-bit filter answers "new author" without a scan for
			// most authors during a flood.
			bit := &bloom[e.author>>62]
			if *bit&(1<<(e.author&63)) == 0 || !containsU64(d.seen, e.author) {
				*bit |= 1 << (e.author & 63)
				d.seen = append(d.seen, e.author)
			}
		}
	}
	d.ring[d.seq&d.ringMask] = entry{fp: fp, author: author, at: at, seq: d.seq}
	d.coarse[d.seq&d.ringMask] = ct
	for b, bk := range bks {
		v := uint64(uint16(fp >> (16 * b)))
		copy(bk[1:], bk[:bucketSize-1])
		bk[0] = v>>d.bucketBits<<d.tagShift | d.check(fp, b)<<d.seqBits | d.seq&seqMask
	}
	d.seq++
	return copies, len(d.seen)
}

// coarseTime returns the time at (unix ns) in units of 2^timeShift ns,
// modulo 2^16. For two times whose difference (in wrapping int64
// arithmetic, as lookupAndAdd computes it) is within the window, the
// coarse times differ by at most timeSlack modulo 2^16: each is within
// one unit of the difference divided by the unit, and 2^16 divides
// 2^(64-timeShift).
func (d *Detector) coarseTime(at int64) uint16 { return uint16(uint64(at) >> d.timeShift) }

// mayBeWithin reports whether two messages with coarse times a and b may
// be within the window of each other; false means certainly not.
func (d *Detector) mayBeWithin(a, b uint16) bool { return a-b+d.timeSlack <= 2*d.timeSlack }

// check returns fp's check bits for band b: the low bits of fp's other
// three bands.
func (d *Detector) check(fp uint64, b int) uint64 {
	lo := fp & (1<<(16*b) - 1)
	hi := fp >> (16 * (b + 1)) // 0 for the top band
	return (lo | hi<<(16*b)) & d.checkMask
}

// firstBand returns the first 16-bit band in which a and b agree.
func firstBand(a, b uint64) int {
	for i := range 4 {
		if uint16(a>>(16*i)) == uint16(b>>(16*i)) {
			return i
		}
	}
	return -1
}

func containsU64(s []uint64, v uint64) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// authorWays is the associativity of the author table: an author lives in
// one of the 8 ways of the set its hash selects, and a new author replaces
// the way whose last post is oldest (LRU within the set).
const authorWays = 8

// authorSet is one set of the author table, laid out so that finding an
// author and choosing a victim touch two adjacent cache lines.
type authorSet struct {
	keys [authorWays]uint64 // author hash, 0 when free
	last [authorWays]uint32 // latest post time (unix seconds)
	fill [authorWays]uint16 // post times held, at most k
	next [authorWays]uint16 // ring position of the next post time
}

// authorTable remembers the last k post times of up to 8 × len(sets)
// authors in arrays allocated once. Post times are kept to the second
// (unix seconds in a uint32, good until 2106), which halves the table; the
// window is at least a second.
type authorTable struct {
	sets  []authorSet
	k     int
	posts []uint32 // per way: k post times, a ring
}

func newAuthorTable(maxAuthors, k int) authorTable {
	sets := (maxAuthors + authorWays - 1) / authorWays
	return authorTable{sets: hugepage.Make[authorSet](sets), k: k, posts: hugepage.Make[uint32](sets * authorWays * k)}
}

// unixSeconds clamps t's unix seconds to a uint32.
func unixSeconds(t time.Time) uint32 { return uint32(min(max(t.Unix(), 0), math.MaxUint32)) }

// countPost records a post by author at (unix seconds) and returns how many
// of the author's remembered posts fall within window seconds of at.
func (t *authorTable) countPost(author uint64, at uint32, window int64) int {
	if author == 0 {
		author = 1 // 0 marks a free way
	}
	si := int(((author >> 32) * uint64(len(t.sets))) >> 32)
	set := &t.sets[si]
	w := -1
	for i, k := range set.keys {
		if k == author {
			w = i
			break
		}
	}
	if w < 0 {
		w = set.victim()
		set.keys[w], set.fill[w], set.next[w] = author, 0, 0
	}
	ring := t.posts[(si*authorWays+w)*t.k:][:t.k]
	ring[set.next[w]] = at
	set.next[w] = uint16((int(set.next[w]) + 1) % t.k)
	set.fill[w] = uint16(min(int(set.fill[w])+1, t.k))
	set.last[w] = at
	n := 0
	for _, p := range ring[:set.fill[w]] {
		if dt := int64(at) - int64(p); dt <= window && dt >= -window {
			n++
		}
	}
	return n
}

// victim returns a free way, or the one whose latest post is oldest.
func (s *authorSet) victim() int {
	best := 0
	for i, k := range s.keys {
		if k == 0 {
			return i
		}
		if s.last[i] < s.last[best] {
			best = i
		}
	}
	return best
}

// shortener returns the first configured shortener host linked in text.
func (d *Detector) shortener(text string) (string, bool) {
	for _, h := range d.cfg.Shorteners {
		for i := 0; ; {
			j := strings.Index(text[i:], h)
			if j < 0 {
				break
			}
			j += i
			end := j + len(h)
			before := j == 0 || text[j-1] == '/' || text[j-1] == ' ' || text[j-1] == '.'
			after := end == len(text) || text[end] == '/'
			if before && after {
				return h, true
			}
			i = end
		}
	}
	return "", false
}

// appendDuration appends d as time.Duration.String does, with zero
// trailing units dropped: 10m0s as "10m", 1h0m0s as "1h".
func appendDuration(b []byte, d time.Duration) []byte {
	if d <= 0 || d%time.Second != 0 {
		return append(b, d.String()...)
	}
	h, m, s := int64(d/time.Hour), int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second)
	if h > 0 {
		b = append(strconv.AppendInt(b, h, 10), 'h')
	}
	if m > 0 || (h > 0 && s > 0) {
		b = append(strconv.AppendInt(b, m, 10), 'm')
	}
	if s > 0 {
		b = append(strconv.AppendInt(b, s, 10), 's')
	}
	return b
}

// appendAge appends an account age in days, or hours under a day.
func appendAge(b []byte, d time.Duration) []byte {
	switch days := int(d.Hours() / 24); {
	case days == 0:
		return append(strconv.AppendInt(b, int64(d.Hours()), 10), 'h')
	case days == 1:
		return append(b, "1 day"...)
	default:
		return append(strconv.AppendInt(b, int64(days), 10), " days"...)
	}
}
