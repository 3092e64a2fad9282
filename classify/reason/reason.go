// Package reason collects the human-readable reasons of one classification
// in a single reusable buffer: formatting a reason appends bytes, and the
// strings handed out at the end cost two allocations however many reasons
// fired.
package reason

// List holds reasons, each tagged with the label it explains. The zero
// value is ready to use; Reset makes it reusable. A List is not safe for
// concurrent use: keep one per goroutine (or in a sync.Pool).
type List struct {
	buf   []byte
	spans []span
	tag   int
}

type span struct {
	tag        int
	start, end int32
}

// Reset forgets every reason and sets the tag back to 0, keeping the
// buffers.
func (l *List) Reset() {
	l.buf = l.buf[:0]
	l.spans = l.spans[:0]
	l.tag = 0
}

// SetTag sets the tag of the reasons added next (the caller's label index).
func (l *List) SetTag(tag int) { l.tag = tag }

// Begin returns the buffer to append one reason to; pass the result to End:
//
//	b := l.Begin()
//	b = append(b, "phrase "...)
//	b = strconv.AppendQuote(b, p)
//	l.End(b)
func (l *List) Begin() []byte { return l.buf }

// End records the bytes appended since Begin as one reason.
func (l *List) End(b []byte) {
	l.spans = append(l.spans, span{tag: l.tag, start: int32(len(l.buf)), end: int32(len(b))})
	l.buf = b
}

// Add records s as one reason.
func (l *List) Add(s string) { l.End(append(l.Begin(), s...)) }

// Len returns how many reasons were added.
func (l *List) Len() int { return len(l.spans) }

// Split sets out[t] to the reasons tagged t, in the order they were added
// (nil when none), for every t < len(out); reasons tagged outside that
// range are dropped. It allocates one string for all the text and one
// slice for all the reasons; each out[t] is capped so that appending to it
// never overwrites another tag's reasons.
func (l *List) Split(out [][]string) { l.SplitInto(out, nil) }

// SplitInto is Split taking the slice of all reasons from room when it
// is long enough (a caller may allocate it along with other results);
// otherwise it allocates it.
func (l *List) SplitInto(out [][]string, room []string) {
	for i := range out {
		out[i] = nil
	}
	var counts [16]int
	n := 0
	for _, s := range l.spans {
		if s.tag >= 0 && s.tag < len(out) {
			if s.tag < len(counts) {
				counts[s.tag]++
			}
			n++
		}
	}
	if n == 0 {
		return
	}
	if len(out) > len(counts) {
		l.splitSlow(out)
		return
	}
	text := string(l.buf)
	all := room[:min(n, len(room))]
	if len(all) < n {
		all = make([]string, n)
	}
	at := 0
	for t := range out {
		if counts[t] > 0 {
			out[t] = all[at : at : at+counts[t]]
		}
		at += counts[t]
	}
	for _, s := range l.spans {
		if s.tag >= 0 && s.tag < len(out) {
			out[s.tag] = append(out[s.tag], text[s.start:s.end])
		}
	}
}

// splitSlow serves more than 16 tags.
func (l *List) splitSlow(out [][]string) {
	text := string(l.buf)
	for _, s := range l.spans {
		if s.tag >= 0 && s.tag < len(out) {
			out[s.tag] = append(out[s.tag], text[s.start:s.end])
		}
	}
}

// Strings returns every reason, whatever its tag, in the order added.
func (l *List) Strings() []string {
	if len(l.spans) == 0 {
		return nil
	}
	text := string(l.buf)
	out := make([]string, len(l.spans))
	for i, s := range l.spans {
		out[i] = text[s.start:s.end]
	}
	return out
}
