package sla

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"time"
)

const (
	secondsPerDay = 24 * 60 * 60
	// zoneMargin is more than the largest difference between two UTC
	// offsets of one zone: an instant this far inside a zone period has
	// only one wall-clock reading.
	zoneMargin = 30 * 60 * 60
	// maxClosedDays is how far the operations look for open time: a
	// calendar closed for this many consecutive days is taken as never
	// opening again.
	maxClosedDays = 3660
)

// Calendar is a business-hours calendar: a time zone, weekly open periods
// and closures. It is immutable and safe for concurrent use. Times it
// returns are in its location.
type Calendar struct {
	loc    *time.Location
	always bool
	// week holds each weekday's open minutes [open, close), sorted and
	// merged, after moving the tail of overnight periods to the next day.
	week [7][]minuteSpan
	// days are closed day numbers [from, to), sorted and merged.
	days []daySpan
	// yearly are the recurring all-day holidays.
	yearly []yearlyClosure
	// expanded says the yearly instances covering [expandFrom, expandTo)
	// are in days.
	expanded             bool
	expandFrom, expandTo int64
	// timed are closed instants [s, e) in Unix seconds, sorted and merged.
	timed []span
	// zones are the zone's periods over tableFrom..tableTo, adjacent
	// periods with the same offset merged: a binary search here replaces
	// the time package's lookups.
	zones []zoneSpan
}

// The years over which zone periods and yearly holidays are precomputed;
// outside them the calendar computes them as it goes.
const (
	tableFromYear = 1970
	tableToYear   = 2200
	// maxExpanded bounds the yearly holiday instances precomputed.
	maxExpanded = 1 << 20
)

type minuteSpan struct{ open, close int64 }

type daySpan struct{ from, to int64 }

// span is a half-open interval of Unix seconds.
type span struct{ s, e int64 }

// NewCalendar validates cfg and builds its calendar, reading the iCal file
// cfg.HolidaysICal names, if any, relative to the working directory.
func NewCalendar(cfg Config) (*Calendar, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("calendar config: %w", err)
	}
	c := &Calendar{loc: time.UTC, always: cfg.Mode == ModeAlways}
	if cfg.TimeZone != "" {
		loc, err := loadZone(cfg.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("calendar config: time_zone: %w", err)
		}
		c.loc = loc
	}
	if c.always {
		return c, nil
	}
	for _, p := range cfg.Hours {
		open, _ := parseClock(p.Open)
		cl, _ := parseClock(p.Close)
		for _, d := range p.Days {
			wd := weekdays[d]
			if open < cl {
				c.week[wd] = append(c.week[wd], minuteSpan{int64(open), int64(cl)})
				continue
			}
			c.week[wd] = append(c.week[wd], minuteSpan{int64(open), minutesPerDay})
			if cl > 0 {
				next := (wd + 1) % 7
				c.week[next] = append(c.week[next], minuteSpan{0, int64(cl)})
			}
		}
	}
	for wd := range c.week {
		c.week[wd] = mergeMinutes(c.week[wd])
	}
	for _, h := range cfg.Holidays {
		d, _ := ParseDate(h)
		c.days = append(c.days, daySpan{d.dayNum(), d.dayNum() + 1})
	}
	if cfg.HolidaysICal != "" {
		data, err := os.ReadFile(cfg.HolidaysICal)
		if err != nil {
			return nil, fmt.Errorf("calendar config: holidays_ical: %w", err)
		}
		hs, err := ParseICal(bytes.NewReader(data), c.loc)
		if err != nil {
			return nil, fmt.Errorf("calendar config: holidays_ical: %s: %w", cfg.HolidaysICal, err)
		}
		c.addHolidays(hs)
	}
	c.expandYearly()
	c.days = mergeDays(c.days)
	c.timed = mergeSpans(c.timed)
	c.zones = c.zoneTable()
	return c, nil
}

// expandYearly adds the instances of yearly holidays from tableFromYear-1
// to tableToYear-1 to the closed days; closedDay consults the rules only
// outside that range.
func (c *Calendar) expandYearly() {
	if len(c.yearly) == 0 || len(c.yearly)*(tableToYear-tableFromYear+1) > maxExpanded {
		return
	}
	for i := range c.yearly {
		y := &c.yearly[i]
		for yr := tableFromYear - 1; yr < tableToYear; yr++ {
			if s, ok := y.instance(yr); ok {
				c.days = append(c.days, daySpan{s, s + y.days})
			}
		}
	}
	c.expanded = true
	c.expandFrom = Date{tableFromYear, time.January, 1}.dayNum()
	c.expandTo = Date{tableToYear, time.January, 1}.dayNum()
}

// zoneTable lists the zone periods from tableFromYear to tableToYear.
func (c *Calendar) zoneTable() []zoneSpan {
	from := time.Date(tableFromYear, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	to := time.Date(tableToYear, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	var out []zoneSpan
	for u := from; u < to; {
		z := c.zoneLookup(u)
		if n := len(out); n > 0 && out[n-1].off == z.off {
			out[n-1].end = z.end
		} else {
			out = append(out, z)
		}
		if z.end == math.MaxInt64 {
			break
		}
		u = z.end
	}
	// The ends of the table are not period bounds: look those up again.
	out[0].start = max(out[0].start, from)
	out[len(out)-1].end = min(out[len(out)-1].end, to)
	return out
}

func (c *Calendar) addHolidays(hs []Holiday) {
	for _, h := range hs {
		switch {
		case !h.AllDay():
			if h.To.After(h.From) {
				c.timed = append(c.timed, span{h.From.Unix(), h.To.Unix()})
			}
		case h.Recurrence == nil:
			c.days = append(c.days, daySpan{h.Start.dayNum(), h.End.dayNum()})
		default:
			c.yearly = append(c.yearly, newYearly(h))
		}
	}
}

func mergeMinutes(in []minuteSpan) []minuteSpan {
	slices.SortFunc(in, func(a, b minuteSpan) int { return int(a.open - b.open) })
	var out []minuteSpan
	for _, m := range in {
		if n := len(out); n > 0 && m.open <= out[n-1].close {
			out[n-1].close = max(out[n-1].close, m.close)
			continue
		}
		out = append(out, m)
	}
	return out
}

func mergeDays(in []daySpan) []daySpan {
	slices.SortFunc(in, func(a, b daySpan) int { return cmp64(a.from, b.from) })
	var out []daySpan
	for _, d := range in {
		if n := len(out); n > 0 && d.from <= out[n-1].to {
			out[n-1].to = max(out[n-1].to, d.to)
			continue
		}
		out = append(out, d)
	}
	return out
}

func mergeSpans(in []span) []span {
	slices.SortFunc(in, func(a, b span) int { return cmp64(a.s, b.s) })
	var out []span
	for _, s := range in {
		if n := len(out); n > 0 && s.s <= out[n-1].e {
			out[n-1].e = max(out[n-1].e, s.e)
			continue
		}
		out = append(out, s)
	}
	return out
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// Always reports whether the calendar is in 24x7 mode.
func (c *Calendar) Always() bool { return c.always }

// IsOpen reports whether t falls in an open period.
func (c *Calendar) IsOpen(t time.Time) bool {
	if c.always {
		return true
	}
	u := t.Unix()
	cur := c.cursorAt(u)
	cur.limit = cur.day + 2 // no interval starting later can hold u
	for {
		sp, ok := cur.next()
		if !ok || sp.s > u {
			return false
		}
		if u < sp.e {
			return true
		}
	}
}

// NextOpen returns t if the calendar is open at t, else the start of the
// next open period. It returns the zero time if the calendar never opens
// again (closed for ten years on end).
func (c *Calendar) NextOpen(t time.Time) time.Time {
	if c.always {
		return t.In(c.loc)
	}
	u := t.Unix()
	cur := c.cursorAt(u)
	for {
		sp, ok := cur.next()
		if !ok {
			return time.Time{}
		}
		if sp.e <= u {
			continue
		}
		if sp.s <= u {
			return t.In(c.loc)
		}
		return time.Unix(sp.s, 0).In(c.loc)
	}
}

// NextTransition returns the first instant after t at which the calendar
// opens (open is true) or closes (open is false). Adjacent periods, such as
// an overnight period crossing midnight, count as one. It returns the zero
// time if there is none within ten years, as in 24x7 mode.
func (c *Calendar) NextTransition(t time.Time) (at time.Time, open bool) {
	if c.always {
		return time.Time{}, true
	}
	u := t.Unix()
	cur := c.cursorAt(u)
	for {
		sp, ok := cur.next()
		if !ok {
			return time.Time{}, false
		}
		if sp.e <= u {
			continue
		}
		if sp.s > u {
			return time.Unix(sp.s, 0).In(c.loc), true
		}
		end := sp.e
		for end-u < maxClosedDays*secondsPerDay {
			nx, ok := cur.next()
			if !ok || nx.s != end {
				return time.Unix(end, 0).In(c.loc), false
			}
			end = nx.e
		}
		return time.Time{}, false
	}
}

// Add returns the instant at which d of open time has elapsed after start:
// the deadline of a d target started at start. In 24x7 mode it is
// start+d. A start in a closed period counts from the next opening; d of
// zero or less returns start. It returns the zero time if the calendar
// never opens again (closed for ten years on end).
func (c *Calendar) Add(start time.Time, d time.Duration) time.Time {
	if c.always {
		return start.Add(d).In(c.loc)
	}
	if d <= 0 {
		return start.In(c.loc)
	}
	u, ns := start.Unix(), int64(start.Nanosecond())
	rem := int64(d)
	cur := c.cursorAt(u)
	for {
		sp, ok := cur.next()
		if !ok {
			return time.Time{}
		}
		if sp.e <= u {
			continue
		}
		fromS, fromNs := sp.s, int64(0)
		if sp.s <= u {
			fromS, fromNs = u, ns
		}
		avail := (sp.e-fromS)*int64(time.Second) - fromNs
		if rem <= avail {
			return time.Unix(fromS, fromNs+rem).In(c.loc)
		}
		rem -= avail
	}
}

// Between returns the open time elapsed from a to b: the business time a
// case waited. It is negative when b is before a, and b-a in 24x7 mode. It
// saturates at the largest Duration.
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if c.always {
		return b.Sub(a)
	}
	if b.Before(a) {
		return -c.Between(b, a)
	}
	au, ans := a.Unix(), int64(a.Nanosecond())
	bu, bns := b.Unix(), int64(b.Nanosecond())
	var total int64
	cur := c.cursorAt(au)
	for {
		sp, ok := cur.next()
		if !ok || sp.s > bu || (sp.s == bu && bns == 0) {
			return time.Duration(total)
		}
		if sp.e <= au {
			continue
		}
		loS, loNs := sp.s, int64(0)
		if sp.s <= au {
			loS, loNs = au, ans
		}
		hiS, hiNs := sp.e, int64(0)
		if sp.e > bu {
			hiS, hiNs = bu, bns
		}
		part := (hiS-loS)*int64(time.Second) + hiNs - loNs
		if total > math.MaxInt64-part {
			return time.Duration(math.MaxInt64)
		}
		total += part
	}
}

// cursor walks the open intervals of a calendar forward in time, one local
// day at a time. The intervals it yields are disjoint and increasing. It
// lives on the stack: a day's intervals go to arr, or to over on the rare
// day that has more.
type cursor struct {
	c       *Calendar
	z       zoneSpan
	day     int64 // next local day to load
	limit   int64 // last local day to load
	n, i    int   // intervals loaded, and the next to yield
	arr     [8]span
	over    []span
	prevEnd int64
	closed  int // consecutive days without open time
}

// cursorAt starts at the local day before the one holding u, so that an
// interval that began the day before and still runs at u is found.
func (c *Calendar) cursorAt(u int64) cursor {
	cur := cursor{c: c, prevEnd: math.MinInt64, limit: math.MaxInt64}
	cur.z = c.zoneAt(u)
	cur.day = floorDiv(u+cur.offset(u), secondsPerDay) - 1
	return cur
}

func (cur *cursor) next() (span, bool) {
	for cur.i >= cur.n {
		if cur.closed > maxClosedDays || cur.day > cur.limit {
			return span{}, false
		}
		cur.n, cur.i = 0, 0
		if cur.over != nil {
			cur.over = cur.over[:0]
		}
		cur.loadDay(cur.day)
		cur.day++
		if cur.n == 0 {
			cur.closed++
		} else {
			cur.closed = 0
		}
	}
	sp := cur.get(cur.i)
	cur.i++
	cur.prevEnd = sp.e
	return sp, true
}

func (cur *cursor) get(i int) span {
	if cur.over != nil {
		return cur.over[i]
	}
	return cur.arr[i]
}

func (cur *cursor) push(sp span) {
	if cur.over == nil && cur.n < len(cur.arr) {
		cur.arr[cur.n] = sp
	} else {
		if cur.over == nil {
			cur.over = append(make([]span, 0, 2*len(cur.arr)), cur.arr[:cur.n]...)
		}
		cur.over = append(cur.over, sp)
	}
	cur.n++
}

// loadDay loads the open intervals of local day n.
func (cur *cursor) loadDay(n int64) {
	c := cur.c
	if c.closedDay(n) {
		return
	}
	base := n * secondsPerDay
	for _, m := range c.week[weekdayOf(n)] {
		s := cur.instant(base+m.open*60, false)
		e := cur.instant(base+m.close*60, true)
		s = max(s, cur.prevEnd)
		if cur.n > 0 {
			s = max(s, cur.get(cur.n-1).e)
		}
		if e <= s {
			continue
		}
		cur.pushOpen(span{s, e})
	}
}

// pushOpen pushes sp minus the timed closures.
func (cur *cursor) pushOpen(sp span) {
	timed := cur.c.timed
	if len(timed) == 0 {
		cur.push(sp)
		return
	}
	i := sort.Search(len(timed), func(i int) bool { return timed[i].e > sp.s })
	for ; i < len(timed) && timed[i].s < sp.e; i++ {
		cl := timed[i]
		if cl.s > sp.s {
			cur.push(span{sp.s, cl.s})
		}
		sp.s = max(sp.s, cl.e)
		if sp.s >= sp.e {
			return
		}
	}
	cur.push(sp)
}

// closedDay reports whether local day n is a holiday.
func (c *Calendar) closedDay(n int64) bool {
	i := sort.Search(len(c.days), func(i int) bool { return c.days[i].to > n })
	if i < len(c.days) && c.days[i].from <= n {
		return true
	}
	if len(c.yearly) == 0 || (c.expanded && n >= c.expandFrom && n < c.expandTo) {
		return false
	}
	year := dateOf(n).Year
	for i := range c.yearly {
		if c.yearly[i].covers(n, year) {
			return true
		}
	}
	return false
}

// zoneSpan is a period [start, end) of instants (Unix seconds) over which
// the zone's UTC offset is off seconds.
type zoneSpan struct{ start, end, off int64 }

// zoneAt returns the zone period holding instant u.
func (c *Calendar) zoneAt(u int64) zoneSpan {
	if z := c.zones; len(z) > 0 && u >= z[0].start && u < z[len(z)-1].end {
		i := sort.Search(len(z), func(i int) bool { return z[i].end > u })
		return z[i]
	}
	return c.zoneLookup(u)
}

// zoneLookup returns the zone period holding instant u, from the time
// package.
func (c *Calendar) zoneLookup(u int64) zoneSpan {
	t := time.Unix(u, 0).In(c.loc)
	_, off := t.Zone()
	s, e := t.ZoneBounds()
	z := zoneSpan{math.MinInt64, math.MaxInt64, int64(off)}
	if !s.IsZero() {
		z.start = s.Unix()
	}
	if !e.IsZero() {
		z.end = e.Unix()
	}
	// Past the end of the tzdata transition table (2037 on), Go 1.26
	// reports the end of the period holding the last day of a leap year
	// one day early, before t itself. Find the bounds by probing instead.
	if z.start > u {
		z.start = c.probe(u, z.off, -1)
	}
	if z.end <= u {
		z.end = c.probe(u, z.off, 1)
	}
	return z
}

// probe looks from u in direction dir (1 or -1), an hour at a time for up
// to two days, for a change from offset off. It returns the instant of the
// change (the first instant with the new offset, or for dir -1 the first
// with off), or the last instant probed if there is none.
func (c *Calendar) probe(u, off int64, dir int64) int64 {
	offAt := func(v int64) int64 {
		_, o := time.Unix(v, 0).In(c.loc).Zone()
		return int64(o)
	}
	same := u
	for range 48 {
		next := same + dir*3600
		if offAt(next) != off {
			// The change lies between same and next: bisect to the second.
			lo, hi := same, next // offAt(lo) == off, offAt(hi) != off
			for lo+dir != hi {
				mid := lo + (hi-lo)/2
				if offAt(mid) == off {
					lo = mid
				} else {
					hi = mid
				}
			}
			if dir > 0 {
				return hi
			}
			return lo
		}
		same = next
	}
	if dir > 0 {
		return same + 1
	}
	return same
}

func (cur *cursor) offset(u int64) int64 {
	if u < cur.z.start || u >= cur.z.end {
		cur.z = cur.c.zoneAt(u)
	}
	return cur.z.off
}

// instant converts a wall-clock reading (seconds since 1970-01-01 00:00
// of the local calendar) to the instant it names. A reading that happens
// twice (fall back) gives the earlier instant, or the later one if late is
// set; a reading that never happens (spring forward) gives the instant the
// clock jumps over it.
func (cur *cursor) instant(wall int64, late bool) int64 {
	for range 2 {
		z := cur.z
		t := wall - z.off
		if (z.start == math.MinInt64 || t-zoneMargin >= z.start) && (z.end == math.MaxInt64 || t+zoneMargin < z.end) {
			return t
		}
		if t >= z.start && t < z.end {
			break // near a transition: look closely
		}
		cur.z = cur.c.zoneAt(t)
	}
	return cur.c.slowInstant(wall, late, cur.z.off)
}

// slowInstant is instant near a change of UTC offset: it tries every zone
// period that the reading could fall in.
func (c *Calendar) slowInstant(wall int64, late bool, guessOff int64) int64 {
	const window = 15 * 60 * 60 // offsets lie within -12h..+14h
	found, gap := false, false
	var best, gapAt int64
	z := c.zoneAt(wall - window)
	for {
		if t := wall - z.off; t >= z.start && t < z.end {
			if !found || (late && t > best) || (!late && t < best) {
				best = t
			}
			found = true
		}
		if z.end == math.MaxInt64 || z.end > wall+window {
			break
		}
		prev := z
		z = c.zoneAt(z.end)
		if b := z.start; b+prev.off <= wall && wall < b+z.off && !gap {
			gap, gapAt = true, b
		}
	}
	switch {
	case found:
		return best
	case gap:
		return gapAt
	}
	return wall - guessOff
}
