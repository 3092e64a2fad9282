package sla

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Mode says whether a calendar has business hours or is always open.
type Mode string

// Calendar modes.
const (
	// ModeBusiness counts only the open periods, minus holidays. It is the
	// default.
	ModeBusiness Mode = "business"
	// ModeAlways ("24x7") is always open: business time is calendar time.
	ModeAlways Mode = "24x7"
)

// Valid reports whether m is a known mode; empty means business.
func (m Mode) Valid() bool { return m == "" || m == ModeBusiness || m == ModeAlways }

// Config is the YAML form of a [Calendar].
type Config struct {
	// Mode is business (the default) or 24x7.
	Mode Mode `yaml:"mode"`
	// TimeZone is an IANA zone name such as Europe/Madrid. Required in
	// business mode; in 24x7 mode it only sets the zone of returned times
	// (UTC by default).
	TimeZone string `yaml:"time_zone"`
	// Hours are the weekly open periods, in the zone's wall-clock time.
	Hours []Period `yaml:"hours"`
	// Holidays are dates (YYYY-MM-DD) closed from 00:00 to 24:00.
	Holidays []string `yaml:"holidays"`
	// HolidaysICal is the path of an iCal (RFC 5545) file of holidays. The
	// configuration loader resolves it against the config file's directory.
	HolidaysICal string `yaml:"holidays_ical"`
}

// Period is a weekly open period: open on each of Days from Open to Close.
// A Close at or before Open makes an overnight period that ends on the next
// day (fri 22:00–06:00 closes Saturday at 06:00).
type Period struct {
	// Days are lower-case three-letter weekdays: mon, tue, wed, thu, fri,
	// sat, sun.
	Days []string `yaml:"days"`
	// Open is the opening time, HH:MM.
	Open string `yaml:"open"`
	// Close is the closing time, HH:MM; 24:00 means midnight at the end of
	// the day.
	Close string `yaml:"close"`
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// Validate reports every problem at once, each naming the field, the bad
// value and what is expected. It does not read the iCal file.
func (c Config) Validate() error {
	var errs []error
	if !c.Mode.Valid() {
		errs = append(errs, fmt.Errorf("mode: %q: want business or 24x7", c.Mode))
	}
	if c.TimeZone == "" {
		if c.Mode != ModeAlways {
			errs = append(errs, errors.New("time_zone: is empty: want an IANA zone such as Europe/Madrid"))
		}
	} else if _, err := loadZone(c.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("time_zone: %w", err))
	}
	if c.Mode == ModeAlways {
		if len(c.Hours) > 0 {
			errs = append(errs, errors.New("hours: must be empty in 24x7 mode"))
		}
		if len(c.Holidays) > 0 || c.HolidaysICal != "" {
			errs = append(errs, errors.New("holidays: must be empty in 24x7 mode"))
		}
		return errors.Join(errs...)
	}
	if len(c.Hours) == 0 {
		errs = append(errs, errors.New("hours: is empty: want at least one open period, or mode: 24x7"))
	}
	for i, p := range c.Hours {
		for _, e := range p.problems() {
			errs = append(errs, fmt.Errorf("hours[%d].%w", i, e))
		}
	}
	for i, h := range c.Holidays {
		if _, err := ParseDate(h); err != nil {
			errs = append(errs, fmt.Errorf("holidays[%d]: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

// problems lists p's errors, each starting with the field name.
func (p Period) problems() []error {
	var errs []error
	if len(p.Days) == 0 {
		errs = append(errs, errors.New("days: is empty: want weekdays such as [mon, tue]"))
	}
	seen := map[string]bool{}
	for j, d := range p.Days {
		if _, ok := weekdays[d]; !ok {
			errs = append(errs, fmt.Errorf("days[%d]: %q: want mon, tue, wed, thu, fri, sat or sun", j, d))
		} else if seen[d] {
			errs = append(errs, fmt.Errorf("days[%d]: %q: listed twice", j, d))
		}
		seen[d] = true
	}
	open, oerr := parseClock(p.Open)
	if oerr != nil {
		errs = append(errs, fmt.Errorf("open: %w", oerr))
	} else if open == minutesPerDay {
		errs = append(errs, fmt.Errorf("open: %q: want 00:00 to 23:59", p.Open))
	}
	cl, cerr := parseClock(p.Close)
	if cerr != nil {
		errs = append(errs, fmt.Errorf("close: %w", cerr))
	}
	if oerr == nil && cerr == nil && open == cl {
		errs = append(errs, fmt.Errorf("close: %q: equals open: want a later time, an earlier one for an overnight period, or 00:00–24:00 for all day", p.Close))
	}
	return errs
}

const minutesPerDay = 24 * 60

// parseClock parses HH:MM (00:00 to 24:00) into minutes after midnight.
func parseClock(s string) (int, error) {
	bad := fmt.Errorf("%q: want HH:MM", s)
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, bad
	}
	hh, ok1 := twoDigits(h)
	mm, ok2 := twoDigits(m)
	if !ok1 || !ok2 || hh > 24 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, bad
	}
	return hh*60 + mm, nil
}

func twoDigits(s string) (int, bool) {
	if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

// loadZone loads an IANA zone, refusing "Local", whose meaning depends on
// the machine.
func loadZone(name string) (*time.Location, error) {
	if name == "Local" {
		return nil, fmt.Errorf("%q: want an IANA zone such as Europe/Madrid, not the machine's zone", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%q: unknown time zone: %w", name, err)
	}
	return loc, nil
}
