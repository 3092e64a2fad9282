package sla

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// MaxICalBytes bounds the size of an iCal file.
const MaxICalBytes = 4 << 20

// Limits that keep a hostile or broken file from exhausting memory or time.
const (
	maxClosureDays = 366  // longest all-day event
	maxCount       = 1000 // largest RRULE COUNT
	maxInterval    = 100  // largest RRULE INTERVAL
)

// Holiday is one closure read from an iCal file: an all-day event (Start
// and End set, From and To zero) or a timed one (From and To set).
type Holiday struct {
	// Summary is the event's SUMMARY, unescaped.
	Summary string
	// Line is the line of the event's BEGIN:VEVENT.
	Line int
	// Start is the first closed date of an all-day event.
	Start Date
	// End is the day after the last closed date (DTEND is exclusive).
	End Date
	// From and To bound a timed closure, [From, To).
	From, To time.Time
	// Recurrence repeats an all-day event yearly; nil if it happens once.
	Recurrence *Recurrence
	// Except lists the EXDATE dates: instances starting on them are
	// skipped.
	Except []Date
}

// AllDay reports whether h closes whole dates rather than an interval.
func (h Holiday) AllDay() bool { return h.From.IsZero() && h.To.IsZero() }

// Recurrence is the supported subset of an RRULE: FREQ=YEARLY with
// optional INTERVAL, COUNT or UNTIL, BYMONTH, BYMONTHDAY, and BYDAY with an
// ordinal (4TH: the fourth Thursday; -1MO: the last Monday).
type Recurrence struct {
	// Interval is the number of years between instances, at least 1.
	Interval int
	// Count is the number of instances, including the first; 0 means no
	// limit.
	Count int
	// Until is the last date an instance may start on; zero means none.
	Until Date
	// Month is BYMONTH; 0 means the month of the event's start.
	Month time.Month
	// MonthDay is BYMONTHDAY; 0 means the day of the event's start.
	MonthDay int
	// Nth and Weekday are BYDAY: the Nth Weekday of Month, counted from
	// the end when negative. Nth is 0 when BYDAY is absent.
	Nth     int
	Weekday time.Weekday
}

// ParseICal reads the VEVENTs of an iCal (RFC 5545) stream as holidays.
// Date-times without TZID and without a trailing Z ("floating") are read
// in floating. Unknown properties and components are skipped; malformed
// or unsupported ones are errors naming the line.
func ParseICal(r io.Reader, floating *time.Location) ([]Holiday, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxICalBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read ical: %w", err)
	}
	if len(data) > MaxICalBytes {
		return nil, fmt.Errorf("ical is larger than %d bytes", MaxICalBytes)
	}
	if floating == nil {
		floating = time.UTC
	}
	p := icalParser{floating: floating}
	for l := range unfold(data) {
		if err := p.line(l); err != nil {
			return nil, fmt.Errorf("parse ical: %w", err)
		}
	}
	if len(p.stack) > 0 {
		return nil, fmt.Errorf("parse ical: line %d: BEGIN:%s is never closed", p.begins[len(p.begins)-1], p.stack[len(p.stack)-1])
	}
	if !p.sawCalendar {
		return nil, errors.New("parse ical: no BEGIN:VCALENDAR: not an iCal file")
	}
	return p.out, nil
}

type contentLine struct {
	num   int
	name  string // upper case
	param map[string]string
	value string
}

// unfold yields the logical lines of data: continuation lines (starting
// with a space or tab) are joined to the line before; blank lines are
// skipped.
func unfold(data []byte) func(yield func(rawLine) bool) {
	return func(yield func(rawLine) bool) {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 4096), MaxICalBytes+1)
		var cur rawLine
		have := false
		n := 0
		for sc.Scan() {
			n++
			s := strings.TrimSuffix(sc.Text(), "\r")
			if s != "" && (s[0] == ' ' || s[0] == '\t') && have {
				cur.text += s[1:]
				continue
			}
			if have && !yield(cur) {
				return
			}
			have = false
			if strings.TrimSpace(s) == "" {
				continue
			}
			cur, have = rawLine{num: n, text: s}, true
		}
		if have {
			yield(cur)
		}
	}
}

type rawLine struct {
	num  int
	text string
}

// parseContentLine splits name *(";" param "=" value) ":" value.
func parseContentLine(l rawLine) (contentLine, error) {
	s := l.text
	cl := contentLine{num: l.num}
	i := strings.IndexAny(s, ";:")
	if i <= 0 {
		return cl, fmt.Errorf("%q: want NAME:VALUE", clip(s))
	}
	cl.name = strings.ToUpper(s[:i])
	for _, c := range cl.name {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return cl, fmt.Errorf("%q: bad property name", clip(cl.name))
		}
	}
	s = s[i:]
	for s[0] == ';' {
		s = s[1:]
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return cl, fmt.Errorf("%s: bad parameter %q: want NAME=VALUE", cl.name, clip(s))
		}
		pname := strings.ToUpper(s[:eq])
		s = s[eq+1:]
		var pval string
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return cl, fmt.Errorf("%s: parameter %s: unterminated quote", cl.name, pname)
			}
			pval, s = s[1:end+1], s[end+2:]
		} else {
			end := strings.IndexAny(s, ";:")
			if end < 0 {
				return cl, fmt.Errorf("%s: no ':' before the value", cl.name)
			}
			pval, s = s[:end], s[end:]
		}
		if cl.param == nil {
			cl.param = map[string]string{}
		}
		cl.param[pname] = pval
		if s == "" {
			return cl, fmt.Errorf("%s: no ':' before the value", cl.name)
		}
	}
	if s[0] != ':' {
		return cl, fmt.Errorf("%s: no ':' before the value", cl.name)
	}
	cl.value = s[1:]
	return cl, nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

type icalParser struct {
	floating    *time.Location
	stack       []string // open components
	begins      []int    // their BEGIN lines
	sawCalendar bool
	ev          *eventProps // the VEVENT being read
	out         []Holiday
}

type eventProps struct {
	line                   int
	start, end, dur, rrule *contentLine
	exdates                []contentLine
	summary                string
	cancelled, haveSummary bool
}

// line handles one logical line. Its errors start with a line number.
func (p *icalParser) line(raw rawLine) error {
	cl, err := parseContentLine(raw)
	if err == nil {
		err = p.content(cl)
	}
	var le lineError
	if err != nil && !errors.As(err, &le) {
		err = lineErr(raw.num, "%w", err)
	}
	return err
}

// lineError is an error already naming its line (a property of an event
// reported when the event ends).
type lineError struct {
	line int
	err  error
}

func (e lineError) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }
func (e lineError) Unwrap() error { return e.err }

func (p *icalParser) content(cl contentLine) error {
	switch cl.name {
	case "BEGIN":
		return p.begin(cl)
	case "END":
		return p.end(cl)
	}
	if len(p.stack) == 0 {
		return fmt.Errorf("%s outside BEGIN:VCALENDAR", cl.name)
	}
	if p.stack[len(p.stack)-1] != "VEVENT" {
		return nil // a property of the calendar, a VTIMEZONE, a VALARM…
	}
	ev := p.ev
	once := func(dst **contentLine) error {
		if *dst != nil {
			return fmt.Errorf("%s: repeated (first at line %d)", cl.name, (*dst).num)
		}
		c := cl
		*dst = &c
		return nil
	}
	switch cl.name {
	case "DTSTART":
		return once(&ev.start)
	case "DTEND":
		return once(&ev.end)
	case "DURATION":
		return once(&ev.dur)
	case "RRULE":
		return once(&ev.rrule)
	case "EXDATE":
		ev.exdates = append(ev.exdates, cl)
	case "SUMMARY":
		ev.summary, ev.haveSummary = unescapeText(cl.value), true
	case "STATUS":
		ev.cancelled = strings.EqualFold(cl.value, "CANCELLED")
	case "RDATE", "EXRULE":
		return fmt.Errorf("%s: not supported; want one RRULE and EXDATEs", cl.name)
	}
	return nil
}

func (p *icalParser) begin(cl contentLine) error {
	comp := strings.ToUpper(cl.value)
	if comp == "" {
		return errors.New("BEGIN: no component name")
	}
	if len(p.stack) == 0 && comp != "VCALENDAR" {
		return fmt.Errorf("BEGIN:%s: want BEGIN:VCALENDAR first", clip(comp))
	}
	if len(p.stack) > 0 && comp == "VCALENDAR" {
		return fmt.Errorf("BEGIN:VCALENDAR inside BEGIN:%s at line %d", p.stack[len(p.stack)-1], p.begins[len(p.begins)-1])
	}
	if len(p.stack) >= 8 {
		return fmt.Errorf("BEGIN:%s: components nested too deep", clip(comp))
	}
	if comp == "VEVENT" {
		if p.ev != nil {
			return fmt.Errorf("BEGIN:VEVENT inside the VEVENT at line %d", p.ev.line)
		}
		p.ev = &eventProps{line: cl.num}
	}
	p.sawCalendar = true
	p.stack = append(p.stack, comp)
	p.begins = append(p.begins, cl.num)
	return nil
}

func (p *icalParser) end(cl contentLine) error {
	comp := strings.ToUpper(cl.value)
	if len(p.stack) == 0 {
		return fmt.Errorf("END:%s without BEGIN", clip(comp))
	}
	top := p.stack[len(p.stack)-1]
	if comp != top {
		return fmt.Errorf("END:%s does not close BEGIN:%s at line %d", clip(comp), top, p.begins[len(p.begins)-1])
	}
	p.stack = p.stack[:len(p.stack)-1]
	p.begins = p.begins[:len(p.begins)-1]
	if comp != "VEVENT" {
		return nil
	}
	ev := p.ev
	p.ev = nil
	h, err := p.holiday(ev)
	if err != nil {
		return err
	}
	if !ev.cancelled {
		p.out = append(p.out, h)
	}
	return nil
}

// holiday checks and converts the properties of one VEVENT.
func (p *icalParser) holiday(ev *eventProps) (Holiday, error) {
	h := Holiday{Summary: ev.summary, Line: ev.line}
	if ev.start == nil {
		return h, lineErr(ev.line, "VEVENT has no DTSTART")
	}
	if ev.end != nil && ev.dur != nil {
		return h, lineErr(ev.dur.num, "at most one of DTEND & DURATION")
	}
	start, err := p.value(*ev.start)
	if err != nil {
		return h, err
	}
	if start.allDay {
		return p.allDay(ev, h, start.date)
	}
	h.From, h.To = start.t, start.t
	switch {
	case ev.end != nil:
		end, err := p.value(*ev.end)
		if err != nil {
			return h, err
		}
		if end.allDay {
			return h, lineErr(ev.end.num, "DTEND is a date but DTSTART a date-time")
		}
		h.To = end.t
	case ev.dur != nil:
		d, err := parseDuration(ev.dur.value)
		if err != nil {
			return h, lineErr(ev.dur.num, "DURATION: %w", err)
		}
		h.To = h.From.Add(d)
	}
	if h.To.Before(h.From) {
		return h, lineErr(lineOf(ev.end, ev.dur), "DTEND before DTSTART")
	}
	if ev.rrule != nil {
		return h, lineErr(ev.rrule.num, "RRULE: only all-day (VALUE=DATE) events may repeat")
	}
	if len(ev.exdates) > 0 {
		return h, lineErr(ev.exdates[0].num, "EXDATE: only all-day (VALUE=DATE) events may repeat")
	}
	return h, nil
}

func (p *icalParser) allDay(ev *eventProps, h Holiday, start Date) (Holiday, error) {
	h.Start = start
	days := int64(1)
	switch {
	case ev.end != nil:
		end, err := p.value(*ev.end)
		if err != nil {
			return h, err
		}
		if !end.allDay {
			return h, lineErr(ev.end.num, "DTEND is a date-time but DTSTART a date")
		}
		days = end.date.dayNum() - start.dayNum()
		if days <= 0 {
			return h, lineErr(ev.end.num, "DTEND %s: want a date after DTSTART %s", end.date, start)
		}
	case ev.dur != nil:
		d, err := parseDuration(ev.dur.value)
		if err != nil {
			return h, lineErr(ev.dur.num, "DURATION: %w", err)
		}
		if d <= 0 || d%(24*time.Hour) != 0 {
			return h, lineErr(ev.dur.num, "DURATION: %q: want whole days for an all-day event", clip(ev.dur.value))
		}
		days = int64(d / (24 * time.Hour))
	}
	if days > maxClosureDays {
		return h, lineErr(lineOf(ev.end, ev.dur), "lasts %d days: at most %d allowed", days, maxClosureDays)
	}
	h.End = dateOf(start.dayNum() + days)
	if ev.rrule != nil {
		r, err := parseRRule(ev.rrule.value, start)
		if err != nil {
			return h, lineErr(ev.rrule.num, "RRULE: %w", err)
		}
		h.Recurrence = &r
	}
	for _, x := range ev.exdates {
		if h.Recurrence == nil {
			return h, lineErr(x.num, "EXDATE without RRULE")
		}
		for _, s := range strings.Split(x.value, ",") {
			d, err := parseICalDate(s)
			if err != nil {
				return h, lineErr(x.num, "EXDATE: %w", err)
			}
			h.Except = append(h.Except, d)
		}
	}
	return h, nil
}

func lineOf(a, b *contentLine) int {
	if a != nil {
		return a.num
	}
	if b != nil {
		return b.num
	}
	return 0
}

type icalValue struct {
	allDay bool
	date   Date
	t      time.Time
}

// value reads a DTSTART or DTEND: a DATE (VALUE=DATE or eight digits) or a
// DATE-TIME in UTC (trailing Z), in TZID's zone, or floating.
func (p *icalParser) value(cl contentLine) (icalValue, error) {
	v := cl.value
	kind := strings.ToUpper(cl.param["VALUE"])
	if kind != "" && kind != "DATE" && kind != "DATE-TIME" {
		return icalValue{}, lineErr(cl.num, "%s: VALUE=%s: want DATE or DATE-TIME", cl.name, clip(kind))
	}
	if kind == "DATE" || (kind == "" && len(v) == 8) {
		d, err := parseICalDate(v)
		if err != nil {
			return icalValue{}, lineErr(cl.num, "%s: %w", cl.name, err)
		}
		return icalValue{allDay: true, date: d}, nil
	}
	loc := p.floating
	if tz, ok := cl.param["TZID"]; ok {
		l, err := time.LoadLocation(strings.TrimPrefix(tz, "/"))
		if err != nil || tz == "" || tz == "Local" {
			return icalValue{}, lineErr(cl.num, "%s: TZID=%s: want an IANA zone name", cl.name, clip(tz))
		}
		loc = l
	}
	if strings.HasSuffix(v, "Z") {
		if _, ok := cl.param["TZID"]; ok {
			return icalValue{}, lineErr(cl.num, "%s: %q: a UTC time (Z) cannot have a TZID", cl.name, clip(v))
		}
		v, loc = v[:len(v)-1], time.UTC
	}
	t, err := time.ParseInLocation("20060102T150405", v, loc)
	if err != nil || len(v) != 15 {
		return icalValue{}, lineErr(cl.num, "%s: %q: want YYYYMMDD or YYYYMMDDTHHMMSS[Z]", cl.name, clip(cl.value))
	}
	return icalValue{t: t}, nil
}

func parseICalDate(s string) (Date, error) {
	bad := fmt.Errorf("%q: want a date YYYYMMDD", clip(s))
	if len(s) != 8 {
		return Date{}, bad
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return Date{}, bad
		}
	}
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[4:6])
	d, _ := strconv.Atoi(s[6:])
	out := Date{y, time.Month(m), d}
	if !out.valid() {
		return Date{}, fmt.Errorf("%q: no such date", s)
	}
	return out, nil
}

// parseDuration reads the RFC 5545 duration forms P<n>W and
// P[<n>D][T[<n>H][<n>M][<n>S]], without a sign.
func parseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q: want a duration such as P1D or PT4H", clip(s))
	rest, ok := strings.CutPrefix(s, "P")
	if !ok || rest == "" {
		return 0, bad
	}
	var total time.Duration
	inTime := false
	units := map[byte]time.Duration{'W': 7 * 24 * time.Hour, 'D': 24 * time.Hour}
	timeUnits := map[byte]time.Duration{'H': time.Hour, 'M': time.Minute, 'S': time.Second}
	for rest != "" {
		if rest[0] == 'T' {
			if inTime || len(rest) == 1 {
				return 0, bad
			}
			inTime, rest = true, rest[1:]
			continue
		}
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i > 6 || i == len(rest) {
			return 0, bad
		}
		n, _ := strconv.Atoi(rest[:i])
		u := units
		if inTime {
			u = timeUnits
		}
		unit, ok := u[rest[i]]
		if !ok {
			return 0, bad
		}
		total += time.Duration(n) * unit
		rest = rest[i+1:]
	}
	return total, nil
}

var icalWeekdays = map[string]time.Weekday{
	"SU": time.Sunday, "MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday,
	"TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday,
}

// parseRRule reads the supported subset of an RRULE for an all-day event
// starting on start.
func parseRRule(s string, start Date) (Recurrence, error) {
	r := Recurrence{Interval: 1}
	seen := map[string]bool{}
	haveFreq := false
	for _, part := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(part, "=")
		k = strings.ToUpper(k)
		if !ok || v == "" {
			return r, fmt.Errorf("%q: want NAME=VALUE", clip(part))
		}
		if seen[k] {
			return r, fmt.Errorf("%s: repeated", clip(k))
		}
		seen[k] = true
		num := func(lo, hi int) (int, error) {
			n, err := strconv.Atoi(v)
			if err != nil || n < lo || n > hi {
				return 0, fmt.Errorf("%s=%s: want a number from %d to %d", k, clip(v), lo, hi)
			}
			return n, nil
		}
		var err error
		switch k {
		case "FREQ":
			if strings.ToUpper(v) != "YEARLY" {
				return r, fmt.Errorf("FREQ=%s: only FREQ=YEARLY is supported", clip(v))
			}
			haveFreq = true
		case "INTERVAL":
			r.Interval, err = num(1, maxInterval)
		case "COUNT":
			r.Count, err = num(1, maxCount)
		case "UNTIL":
			if len(v) < 8 {
				return r, fmt.Errorf("UNTIL=%s: want YYYYMMDD or a date-time", clip(v))
			}
			r.Until, err = parseICalDate(v[:8])
		case "BYMONTH":
			var m int
			m, err = num(1, 12)
			r.Month = time.Month(m)
		case "BYMONTHDAY":
			r.MonthDay, err = num(1, 31)
		case "BYDAY":
			r.Nth, r.Weekday, err = parseByDay(v)
		case "WKST":
			if _, ok := icalWeekdays[strings.ToUpper(v)]; !ok {
				err = fmt.Errorf("WKST=%s: want a weekday such as MO", clip(v))
			}
		default:
			return r, fmt.Errorf("%s: not supported; want FREQ=YEARLY with INTERVAL, COUNT, UNTIL, BYMONTH, BYMONTHDAY or BYDAY=<n><weekday>", clip(k))
		}
		if err != nil {
			return r, err
		}
	}
	if !haveFreq {
		return r, errors.New("no FREQ")
	}
	if r.Count > 0 && r.Until != (Date{}) {
		return r, errors.New("at most one of COUNT & UNTIL")
	}
	if r.Nth != 0 && r.MonthDay != 0 {
		return r, errors.New("at most one of BYDAY & BYMONTHDAY")
	}
	if r.Nth != 0 && r.Month == 0 {
		return r, errors.New("BYDAY needs BYMONTH")
	}
	if r.Month != 0 && r.MonthDay == 0 && r.Nth == 0 {
		r.MonthDay = start.Day
	}
	if r.Until != (Date{}) && r.Until.dayNum() < start.dayNum() {
		return r, fmt.Errorf("UNTIL=%s: before DTSTART %s", r.Until, start)
	}
	return r, nil
}

// parseByDay reads one ordinal weekday such as 4TH or -1MO.
func parseByDay(v string) (int, time.Weekday, error) {
	bad := fmt.Errorf("BYDAY=%s: want one weekday with an ordinal, such as 4TH or -1MO", clip(v))
	if len(v) < 3 {
		return 0, 0, bad
	}
	wd, ok := icalWeekdays[strings.ToUpper(v[len(v)-2:])]
	if !ok {
		return 0, 0, bad
	}
	n, err := strconv.Atoi(v[:len(v)-2])
	if err != nil || n == 0 || n < -5 || n > 5 {
		return 0, 0, bad
	}
	return n, wd, nil
}

// unescapeText undoes RFC 5545 TEXT escapes.
func unescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func lineErr(line int, format string, args ...any) error {
	return lineError{line: line, err: fmt.Errorf(format, args...)}
}
