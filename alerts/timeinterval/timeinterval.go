package timeinterval

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is one named interval as written in the configuration.
type Config struct {
	// Name is how routes refer to the interval.
	Name string `yaml:"name"`
	// TimeIntervals are the specs; a time inside any of them is inside
	// the interval.
	TimeIntervals []Spec `yaml:"time_intervals"`
}

// Spec is one recurring period: every non-empty field must match.
type Spec struct {
	// Times are ranges of the time of day, such as 09:00 to 17:00.
	Times []TimeRange `yaml:"times"`
	// Weekdays are names or ranges of names: monday, "monday:friday".
	Weekdays []string `yaml:"weekdays"`
	// DaysOfMonth are days or ranges: "1", "1:5", "-3:-1" (last three).
	DaysOfMonth []string `yaml:"days_of_month"`
	// Months are names or numbers, or ranges of them: "january:march", "12".
	Months []string `yaml:"months"`
	// Years are years or ranges: "2026", "2026:2028".
	Years []string `yaml:"years"`
	// Location is the IANA time zone the spec is read in; empty means UTC.
	Location string `yaml:"location"`
}

// TimeRange is a half-open range of the time of day in HH:MM.
type TimeRange struct {
	// StartTime is the first minute inside the range.
	StartTime string `yaml:"start_time"`
	// EndTime is the first minute after the range; "24:00" ends the day.
	EndTime string `yaml:"end_time"`
}

// Interval is a compiled named interval.
type Interval struct {
	// Name is the configured name.
	Name  string
	specs []spec
}

type spec struct {
	minutes  []span // minutes of the day, [start, end)
	weekdays []span // 0 = Sunday, inclusive
	days     []span // days of the month, may be negative, inclusive
	months   []span // 1..12, inclusive
	years    []span // inclusive
	loc      *time.Location
}

type span struct{ start, end int }

// Set maps interval names to intervals.
type Set map[string]*Interval

// NewSet compiles the configured intervals. Names must be unique and
// non-empty. Errors name the path, as in [Config.Validate].
func NewSet(cfgs []Config) (Set, error) {
	set := Set{}
	var errs []error
	for i, c := range cfgs {
		path := fmt.Sprintf("time_intervals[%d]", i)
		if _, dup := set[c.Name]; dup {
			errs = append(errs, fmt.Errorf("%s.name: %q: defined twice", path, c.Name))
			continue
		}
		iv, err := c.compile(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		set[c.Name] = iv
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return set, nil
}

// Names returns the interval names, sorted.
func (s Set) Names() []string {
	names := make([]string, 0, len(s))
	for n := range s {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// New compiles one named interval.
func New(c Config) (*Interval, error) { return c.compile("") }

// Validate reports every problem in the interval, each prefixed with its
// path (name, time_intervals[0].weekdays[1], ...).
func (c Config) Validate() error {
	_, err := c.compile("")
	return err
}

func (c Config) compile(prefix string) (*Interval, error) {
	at := func(p string) string {
		if prefix == "" {
			return p
		}
		return prefix + "." + p
	}
	var errs []error
	if c.Name == "" {
		errs = append(errs, fmt.Errorf("%s: must not be empty", at("name")))
	}
	iv := &Interval{Name: c.Name}
	for i, s := range c.TimeIntervals {
		sp, err := s.compile(at(fmt.Sprintf("time_intervals[%d]", i)))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		iv.specs = append(iv.specs, sp)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return iv, nil
}

// Contains reports whether t falls inside any of the interval's specs. An
// interval without specs contains every time.
func (iv *Interval) Contains(t time.Time) bool {
	if len(iv.specs) == 0 {
		return true
	}
	for _, s := range iv.specs {
		if s.contains(t) {
			return true
		}
	}
	return false
}

func (s spec) contains(t time.Time) bool {
	t = t.In(s.loc)
	if len(s.minutes) > 0 && !inAny(s.minutes, t.Hour()*60+t.Minute(), true) {
		return false
	}
	if len(s.weekdays) > 0 && !inAny(s.weekdays, int(t.Weekday()), false) {
		return false
	}
	if len(s.days) > 0 && !s.dayMatches(t) {
		return false
	}
	if len(s.months) > 0 && !inAny(s.months, int(t.Month()), false) {
		return false
	}
	if len(s.years) > 0 && !inAny(s.years, t.Year(), false) {
		return false
	}
	return true
}

func (s spec) dayMatches(t time.Time) bool {
	n := daysIn(t.Month(), t.Year())
	abs := func(d int) int {
		if d < 0 {
			return n + d + 1
		}
		return d
	}
	for _, r := range s.days {
		start, end := abs(r.start), abs(r.end)
		if start <= t.Day() && t.Day() <= end {
			return true
		}
	}
	return false
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func inAny(spans []span, v int, halfOpen bool) bool {
	for _, r := range spans {
		if v >= r.start && (v < r.end || (!halfOpen && v == r.end)) {
			return true
		}
	}
	return false
}

func (s Spec) compile(path string) (spec, error) {
	var errs []error
	out := spec{loc: time.UTC}
	if s.Location != "" {
		loc, err := time.LoadLocation(s.Location)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s.location: %q: %w", path, s.Location, err))
		}
		out.loc = loc
	}
	for i, tr := range s.Times {
		sp, err := tr.compile()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s.times[%d]: %w", path, i, err))
			continue
		}
		out.minutes = append(out.minutes, sp)
	}
	lists := []struct {
		field string
		in    []string
		out   *[]span
		parse func(string) (int, error)
		check func(start, end int) error
	}{
		{"weekdays", s.Weekdays, &out.weekdays, parseWeekday, ordered},
		{"days_of_month", s.DaysOfMonth, &out.days, parseDay, checkDays},
		{"months", s.Months, &out.months, parseMonth, ordered},
		{"years", s.Years, &out.years, parseYear, ordered},
	}
	for _, l := range lists {
		for i, v := range l.in {
			sp, err := parseSpan(v, l.parse, l.check)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s.%s[%d]: %q: %w", path, l.field, i, v, err))
				continue
			}
			*l.out = append(*l.out, sp)
		}
	}
	return out, errors.Join(errs...)
}

func (tr TimeRange) compile() (span, error) {
	start, err := parseClock(tr.StartTime)
	if err != nil {
		return span{}, fmt.Errorf("start_time: %q: %w", tr.StartTime, err)
	}
	end, err := parseClock(tr.EndTime)
	if err != nil {
		return span{}, fmt.Errorf("end_time: %q: %w", tr.EndTime, err)
	}
	if end <= start {
		return span{}, fmt.Errorf("end_time: %q: must be after start_time %q (split overnight ranges in two)", tr.EndTime, tr.StartTime)
	}
	return span{start, end}, nil
}

// parseClock reads HH:MM as minutes since midnight; 24:00 is allowed.
func parseClock(s string) (int, error) {
	hh, mm, ok := strings.Cut(s, ":")
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if !ok || len(hh) != 2 || len(mm) != 2 || err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, errors.New("must be HH:MM between 00:00 and 24:00")
	}
	return h*60 + m, nil
}

func parseSpan(s string, parse func(string) (int, error), check func(int, int) error) (span, error) {
	lo, hi, isRange := strings.Cut(s, ":")
	start, err := parse(strings.TrimSpace(lo))
	if err != nil {
		return span{}, err
	}
	end := start
	if isRange {
		if end, err = parse(strings.TrimSpace(hi)); err != nil {
			return span{}, err
		}
	}
	if err := check(start, end); err != nil {
		return span{}, err
	}
	return span{start, end}, nil
}

func ordered(start, end int) error {
	if end < start {
		return errors.New("range ends before it starts")
	}
	return nil
}

func checkDays(start, end int) error {
	// Mixed signs ("1:-1") are resolved per month; same signs must be
	// ordered.
	if (start > 0) == (end > 0) && end < start {
		return errors.New("range ends before it starts")
	}
	if start < 0 && end > 0 {
		return errors.New("a range may count from the end only in its second part")
	}
	return nil
}

func parseWeekday(s string) (int, error) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(s, d.String()) {
			return int(d), nil
		}
	}
	return 0, errors.New("must be a weekday name such as monday")
}

func parseDay(s string) (int, error) {
	d, err := strconv.Atoi(s)
	if err != nil || d == 0 || d < -31 || d > 31 {
		return 0, errors.New("must be a day from 1 to 31 or from -31 to -1")
	}
	return d, nil
}

func parseMonth(s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > 12 {
			return 0, errors.New("must be a month from 1 to 12 or a month name")
		}
		return n, nil
	}
	for m := time.January; m <= time.December; m++ {
		if strings.EqualFold(s, m.String()) {
			return int(m), nil
		}
	}
	return 0, errors.New("must be a month from 1 to 12 or a month name")
}

func parseYear(s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || y < 1 || y > 9999 {
		return 0, errors.New("must be a year such as 2026")
	}
	return y, nil
}
