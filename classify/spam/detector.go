package spam

import (
	"container/list"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxBucket bounds one SimHash band bucket; a flood of one text keeps only
// its most recent copies, which is plenty to count authors and bounds the
// cost of a lookup during a flood.
const maxBucket = 64

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
}

type fingerprint struct {
	fp     uint64
	author uint64
	at     int64 // unix nanoseconds
}

type authorState struct {
	key   uint64
	posts []int64 // ring of the last RateMax+1 post times
	next  int
}

// Detector scores behaviour signals and remembers recent messages. Its
// memory is bounded by MaxFingerprints and MaxAuthors.
type Detector struct {
	cfg Config

	mu      sync.Mutex
	ring    []fingerprint
	seq     uint64                 // sequence number of the next fingerprint
	bands   [4]map[uint16][]uint64 // band value -> sequence numbers
	authors map[uint64]*list.Element
	lru     *list.List
	seen    []uint64 // scratch: distinct authors of one lookup
}

// New returns a detector; cfg must be valid.
func New(cfg Config) (*Detector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("spam detector config: %w", err)
	}
	d := &Detector{
		cfg:     cfg,
		ring:    make([]fingerprint, cfg.MaxFingerprints),
		authors: map[uint64]*list.Element{},
		lru:     list.New(),
	}
	for i := range d.bands {
		d.bands[i] = map[uint16][]uint64{}
	}
	return d, nil
}

// Observe records the message and returns the behaviour evidence as a score
// in [0,1] (noisy-OR of the signals that fired) and their reasons.
func (d *Detector) Observe(s Signals) (float64, []string) {
	miss := 1.0
	var reasons []string
	fire := func(w float64, reason string) {
		miss *= 1 - w
		reasons = append(reasons, reason)
	}
	at := s.At.UnixNano()
	author := fnv64(2, s.Author)
	fp, fingerprinted := uint64(0), len(s.Words) >= d.cfg.MinTokens
	if fingerprinted {
		fp = SimHash(s.Words)
	}

	d.mu.Lock()
	copies, others := 0, 0
	if fingerprinted {
		copies, others = d.lookupAndAdd(fp, author, at)
	}
	posts := d.countPost(author, at)
	d.mu.Unlock()

	if others >= d.cfg.DuplicateAuthors {
		fire(min(d.cfg.Weights.Duplicate+0.05*float64(others-d.cfg.DuplicateAuthors), 0.95),
			fmt.Sprintf("near-duplicate of %d messages from %d authors in %s", copies, others, fmtDuration(d.cfg.Window)))
	}
	if posts > d.cfg.RateMax {
		fire(d.cfg.Weights.Rate, fmt.Sprintf("%d posts by this author in %s", posts, fmtDuration(d.cfg.Window)))
	}
	if s.HasURL {
		if host, ok := d.shortener(s.Text); ok {
			fire(d.cfg.Weights.Shortener, "shortened link "+strconv.Quote(host))
		}
	}
	if s.Following >= d.cfg.RatioMinFollowing && s.Following > 0 &&
		float64(s.Following) >= d.cfg.FollowingRatio*float64(max(s.Followers, 1)) {
		fire(d.cfg.Weights.Ratio, fmt.Sprintf("follows %d accounts, followed by %d", s.Following, s.Followers))
	}
	if !s.AuthorCreatedAt.IsZero() && !s.At.IsZero() {
		if age := s.At.Sub(s.AuthorCreatedAt); age >= 0 && age < d.cfg.NewAccountAge {
			fire(d.cfg.Weights.NewAccount, "account created "+fmtAge(age)+" before posting")
		}
	}
	return min(max(1-miss, 0), 1), reasons
}

// lookupAndAdd counts the fingerprints within the window and MaxHamming of
// fp posted by other authors, then records fp. d.mu is held.
func (d *Detector) lookupAndAdd(fp, author uint64, at int64) (copies, others int) {
	n := uint64(len(d.ring))
	oldest := uint64(0)
	if d.seq > n {
		oldest = d.seq - n
	}
	window := int64(d.cfg.Window)
	d.seen = d.seen[:0]
	for b := range d.bands {
		key := uint16(fp >> (16 * b))
		bucket := d.bands[b][key]
		live := bucket[:0]
		for _, seq := range bucket {
			if seq < oldest {
				continue // overwritten in the ring
			}
			live = append(live, seq)
			e := &d.ring[seq%n]
			if e.author == author || Hamming(e.fp, fp) > d.cfg.MaxHamming {
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
			if !containsU64(d.seen, e.author) {
				d.seen = append(d.seen, e.author)
			}
		}
		live = append(live, d.seq)
		if len(live) > maxBucket {
			live = append(live[:0], live[len(live)-maxBucket*3/4:]...)
		}
		d.bands[b][key] = live
	}
	if d.seq >= n {
		d.forget(d.seq-n, d.ring[d.seq%n].fp)
	}
	d.ring[d.seq%n] = fingerprint{fp: fp, author: author, at: at}
	d.seq++
	return copies, len(d.seen)
}

// forget removes the ring entry seq, about to be overwritten, from the
// bands, so they hold at most 4 × MaxFingerprints sequence numbers. d.mu is
// held.
func (d *Detector) forget(seq, fp uint64) {
	for b := range d.bands {
		key := uint16(fp >> (16 * b))
		bucket := d.bands[b][key]
		for i, s := range bucket {
			if s == seq {
				bucket = append(bucket[:i], bucket[i+1:]...)
				break
			}
		}
		if len(bucket) == 0 {
			delete(d.bands[b], key)
		} else {
			d.bands[b][key] = bucket
		}
	}
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

// countPost records a post by author at and returns how many of the
// author's remembered posts fall within the window. d.mu is held.
func (d *Detector) countPost(author uint64, at int64) int {
	var st *authorState
	if el, ok := d.authors[author]; ok {
		d.lru.MoveToFront(el)
		st = el.Value.(*authorState)
	} else {
		if d.lru.Len() >= d.cfg.MaxAuthors {
			old := d.lru.Back()
			d.lru.Remove(old)
			delete(d.authors, old.Value.(*authorState).key)
		}
		st = &authorState{key: author, posts: make([]int64, 0, d.cfg.RateMax+1)}
		d.authors[author] = d.lru.PushFront(st)
	}
	if len(st.posts) < cap(st.posts) {
		st.posts = append(st.posts, at)
	} else {
		st.posts[st.next] = at
		st.next = (st.next + 1) % len(st.posts)
	}
	n := 0
	window := int64(d.cfg.Window)
	for _, t := range st.posts {
		if dt := at - t; dt <= window && dt >= -window {
			n++
		}
	}
	return n
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

// fmtDuration writes 10m0s as "10m" and 1h0m0s as "1h".
func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// fmtAge writes an account age in days, or hours under a day.
func fmtAge(d time.Duration) string {
	switch days := int(d.Hours() / 24); {
	case days == 0:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case days == 1:
		return "1 day"
	default:
		return fmt.Sprintf("%d days", days)
	}
}
