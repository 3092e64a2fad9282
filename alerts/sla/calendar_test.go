package sla

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func mustCalendar(t testing.TB, cfg Config) *Calendar {
	t.Helper()
	c, err := NewCalendar(cfg)
	require.NoError(t, err)
	return c
}

// at parses "2006-01-02 15:04[:05]" in loc, or in UTC with a trailing Z.
func at(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	if v, ok := strings.CutSuffix(s, "Z"); ok {
		s, loc = v, time.UTC
	}
	layout := "2006-01-02 15:04"
	if len(s) > len(layout) {
		layout = "2006-01-02 15:04:05"
	}
	v, err := time.ParseInLocation(layout, s, loc)
	require.NoError(t, err)
	return v
}

var (
	monFri    = []string{"mon", "tue", "wed", "thu", "fri"}
	everyDay  = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	nineFive  = []Period{{Days: monFri, Open: "09:00", Close: "17:00"}}
	calendars = map[string]Config{
		// Mon–Fri 9–17 in Madrid.
		"madrid": {TimeZone: "Europe/Madrid", Hours: nineFive},
		// The same with Spanish holidays from iCal.
		"madrid-ical": {TimeZone: "Europe/Madrid", Hours: nineFive, HolidaysICal: "testdata/es.ics"},
		// Mon–Fri 9–17 in Mexico City with Mexican holidays (nth-Monday rules).
		"mexico": {TimeZone: "America/Mexico_City", Hours: nineFive, HolidaysICal: "testdata/mx.ics"},
		// A split shift with a lunch break.
		"split": {TimeZone: "Europe/Madrid", Hours: []Period{
			{Days: monFri, Open: "09:00", Close: "13:00"},
			{Days: monFri, Open: "15:00", Close: "19:00"},
		}},
		// A night desk, every night 22:00–06:00: it crosses every DST change.
		"night":        {TimeZone: "Europe/Madrid", Hours: []Period{{Days: everyDay, Open: "22:00", Close: "06:00"}}},
		"mexico-night": {TimeZone: "America/Mexico_City", Hours: []Period{{Days: everyDay, Open: "22:00", Close: "06:00"}}},
		// Open around the clock, but counted in business time.
		"all-day": {TimeZone: "Europe/Madrid", Hours: []Period{{Days: everyDay, Open: "00:00", Close: "24:00"}}},
		// Sunday periods that begin in the spring-forward gap, and that
		// span the fall-back repeated hour.
		"gap":     {TimeZone: "Europe/Madrid", Hours: []Period{{Days: []string{"sun"}, Open: "02:30", Close: "05:00"}}},
		"overlap": {TimeZone: "Europe/Madrid", Hours: []Period{{Days: []string{"sun"}, Open: "01:30", Close: "02:30"}}},
		// Office hours plus a Friday night shift; Saturday 2026-05-23 is a
		// holiday, which closes the shift's tail after midnight.
		"friday-night": {TimeZone: "Europe/Madrid", Hours: append([]Period{{Days: []string{"fri"}, Open: "22:00", Close: "06:00"}}, nineFive...),
			Holidays: []string{"2026-05-23"}},
		"24x7": {Mode: ModeAlways, TimeZone: "Europe/Madrid"},
	}
)

func calendar(t testing.TB, name string) *Calendar {
	t.Helper()
	cfg, ok := calendars[name]
	require.True(t, ok, name)
	return mustCalendar(t, cfg)
}

func TestAdd(t *testing.T) {
	tests := []struct {
		name, cal, start string
		d                time.Duration
		want             string
	}{
		{"canonical: friday 16:30 + 1h is monday 09:30", "madrid", "2026-05-15 16:30", time.Hour, "2026-05-18 09:30"},
		{"inside one period", "madrid", "2026-05-18 10:00", 2 * time.Hour, "2026-05-18 12:00"},
		{"fills the day exactly", "madrid", "2026-05-18 09:00", 8 * time.Hour, "2026-05-18 17:00"},
		{"start on saturday", "madrid", "2026-05-16 12:00", time.Hour, "2026-05-18 10:00"},
		{"start before opening", "madrid", "2026-05-18 07:00", 30 * time.Minute, "2026-05-18 09:30"},
		{"start at closing", "madrid", "2026-05-18 17:00", time.Minute, "2026-05-19 09:01"},
		{"zero duration is start", "madrid", "2026-05-16 12:00", 0, "2026-05-16 12:00"},
		{"negative duration is start", "madrid", "2026-05-16 12:00", -time.Hour, "2026-05-16 12:00"},
		{"a year of business hours", "madrid", "2026-05-18 09:00", 52 * 40 * time.Hour, "2027-05-14 17:00"},
		{"weekend with spring forward", "madrid", "2026-03-27 16:30", time.Hour, "2026-03-30 09:30"},
		{"weekend with fall back", "madrid", "2026-10-23 16:30", time.Hour, "2026-10-26 09:30"},

		{"ical one-off: good friday", "madrid-ical", "2026-04-02 16:30", time.Hour, "2026-04-06 09:30"},
		{"ical timed closure then yearly christmas", "madrid-ical", "2026-12-24 13:30", time.Hour, "2026-12-28 09:30"},
		{"ical yearly new year, next year", "madrid-ical", "2026-12-31 16:30", time.Hour, "2027-01-04 09:30"},
		{"ical multi-day puente", "madrid-ical", "2026-12-04 16:30", time.Hour, "2026-12-09 09:30"},
		{"ical exdate: christmas 2028 is worked", "madrid-ical", "2028-12-22 16:30", time.Hour, "2028-12-25 09:30"},
		{"ical yearly after the exdate", "madrid-ical", "2029-12-24 16:30", time.Hour, "2029-12-26 09:30"},
		{"ical duration P1D, monday holiday", "madrid-ical", "2027-10-29 16:30", time.Hour, "2027-11-02 09:30"},

		{"mexico canonical", "mexico", "2026-05-15 16:30", time.Hour, "2026-05-18 09:30"},
		{"mexico long weekend: third monday of march", "mexico", "2026-03-13 16:30", time.Hour, "2026-03-17 09:30"},
		{"mexico first monday of february", "mexico", "2026-01-30 16:30", time.Hour, "2026-02-03 09:30"},
		{"mexico 2021 third monday of november", "mexico", "2021-11-12 16:30", time.Hour, "2021-11-16 09:30"},
		{"mexico count=10: last instance 2028", "mexico", "2028-12-22 16:30", time.Hour, "2028-12-26 09:30"},
		{"mexico count=10: no 2029 instance", "mexico", "2029-12-24 16:30", time.Hour, "2029-12-25 09:30"},

		{"split: across lunch", "split", "2026-05-18 12:30", time.Hour, "2026-05-18 15:30"},
		{"split: start at lunch", "split", "2026-05-18 13:30", 30 * time.Minute, "2026-05-18 15:30"},
		{"split: over the weekend", "split", "2026-05-15 18:30", 2 * time.Hour, "2026-05-18 10:30"},

		{"night: spring forward night is 7h", "night", "2026-03-28 22:00", 7 * time.Hour, "2026-03-29 06:00"},
		{"night: spring forward night + 1m", "night", "2026-03-28 22:00", 7*time.Hour + time.Minute, "2026-03-29 22:01"},
		{"night: fall back night is 9h", "night", "2026-10-24 22:00", 9 * time.Hour, "2026-10-25 06:00"},
		{"night: 4h is the first 02:00", "night", "2026-10-24 22:00", 4 * time.Hour, "2026-10-25 00:00Z"},
		{"night: 5h is the second 02:00", "night", "2026-10-24 22:00", 5 * time.Hour, "2026-10-25 01:00Z"},
		{"night: start in the repeated hour", "night", "2026-10-25 00:30Z", time.Hour, "2026-10-25 01:30Z"},
		{"night: an ordinary night is 8h", "night", "2026-05-16 22:00", 8 * time.Hour, "2026-05-17 06:00"},

		{"mexico night 2021 spring forward is 7h", "mexico-night", "2021-04-03 22:00", 7 * time.Hour, "2021-04-04 06:00"},
		{"mexico night 2021 spring forward + 1m", "mexico-night", "2021-04-03 22:00", 7*time.Hour + time.Minute, "2021-04-04 22:01"},
		{"mexico night 2021 fall back is 9h", "mexico-night", "2021-10-30 22:00", 9 * time.Hour, "2021-10-31 06:00"},
		{"mexico night 2026 april: no DST, 8h", "mexico-night", "2026-04-04 22:00", 8 * time.Hour, "2026-04-05 06:00"},
		{"mexico night 2026 october: no DST, 8h", "mexico-night", "2026-10-24 22:00", 8 * time.Hour, "2026-10-25 06:00"},

		{"1h across spring forward is one real hour", "all-day", "2026-03-29 01:30", time.Hour, "2026-03-29 03:30"},
		{"1h across fall back is one real hour", "all-day", "2026-10-24 23:30Z", time.Hour, "2026-10-25 00:30Z"},
		{"period opening in the gap opens at the jump", "gap", "2026-03-29 00:00", 30 * time.Minute, "2026-03-29 03:30"},
		{"the same period on an ordinary sunday", "gap", "2026-04-05 00:00", 30 * time.Minute, "2026-04-05 03:00"},
		{"period over the repeated hour lasts 2h", "overlap", "2026-10-24 12:00", 2 * time.Hour, "2026-10-25 01:30Z"},
		{"the same period on an ordinary sunday", "overlap", "2026-11-01 00:00", time.Hour, "2026-11-01 02:30"},

		{"friday night shift", "friday-night", "2026-05-15 16:30", time.Hour, "2026-05-15 22:30"},
		{"overnight tail into saturday", "friday-night", "2026-05-15 23:30", 4 * time.Hour, "2026-05-16 03:30"},
		{"holiday closes the tail after midnight", "friday-night", "2026-05-22 23:30", time.Hour, "2026-05-25 09:30"},

		{"24x7 is start+d", "24x7", "2026-05-15 16:30", time.Hour, "2026-05-15 17:30"},
		{"24x7 across spring forward", "24x7", "2026-03-29 01:30", time.Hour, "2026-03-29 03:30"},
	}
	for _, tt := range tests {
		t.Run(tt.cal+"/"+tt.name, func(t *testing.T) {
			c := calendar(t, tt.cal)
			start := at(t, c.Location(), tt.start)
			got := c.Add(start, tt.d)
			want := at(t, c.Location(), tt.want)
			require.True(t, got.Equal(want), "got %v, want %v", got, want)
			require.Equal(t, c.Location(), got.Location())
			if tt.d > 0 {
				require.Equal(t, tt.d, c.Between(start, got), "Between(start, Add(start, d))")
			}
		})
	}
}

func TestAddNanoseconds(t *testing.T) {
	c := calendar(t, "madrid")
	start := at(t, c.Location(), "2026-05-18 09:00").Add(250 * time.Millisecond)
	got := c.Add(start, 8*time.Hour)
	require.Equal(t, at(t, c.Location(), "2026-05-19 09:00").Add(250*time.Millisecond), got)
	require.Equal(t, 8*time.Hour, c.Between(start, got))
}

func TestAddHuge(t *testing.T) {
	c := calendar(t, "madrid")
	start := at(t, c.Location(), "2026-05-18 09:00")
	// 100 years of 40-hour weeks, with leap days and DST changes on the
	// way, is 5,218 weeks and ends on a Friday at 17:00 local time.
	got := c.Add(start, 5218*40*time.Hour)
	require.Equal(t, at(t, c.Location(), "2126-05-17 17:00"), got)
	require.Equal(t, 5218*40*time.Hour, c.Between(start, got))
	// The largest Duration still ends (~1,200 years on), and Between
	// gives it back.
	far := c.Add(start, time.Duration(1<<63-1))
	require.True(t, far.After(start.AddDate(1000, 0, 0)), "got %v", far)
	require.Equal(t, time.Duration(1<<63-1), c.Between(start, far))
}

func TestBetween(t *testing.T) {
	tests := []struct {
		name, cal, a, b string
		want            time.Duration
	}{
		{"canonical", "madrid", "2026-05-15 16:30", "2026-05-18 09:30", time.Hour},
		{"a whole week", "madrid", "2026-05-18 00:00", "2026-05-25 00:00", 40 * time.Hour},
		{"a closed stretch", "madrid", "2026-05-16 00:00", "2026-05-17 23:59", 0},
		{"reversed is negative", "madrid", "2026-05-18 09:30", "2026-05-15 16:30", -time.Hour},
		{"same instant", "madrid", "2026-05-18 10:00", "2026-05-18 10:00", 0},
		{"christmas week with ical", "madrid-ical", "2026-12-21 00:00", "2026-12-28 00:00", 3*8*time.Hour + 5*time.Hour},
		{"split day", "split", "2026-05-18 00:00", "2026-05-19 00:00", 8 * time.Hour},
		{"split from lunch", "split", "2026-05-18 12:00", "2026-05-18 16:00", 2 * time.Hour},
		{"spring forward night", "night", "2026-03-28 12:00", "2026-03-29 12:00", 7 * time.Hour},
		{"fall back night", "night", "2026-10-24 12:00", "2026-10-25 12:00", 9 * time.Hour},
		{"mexico 2021 spring forward night", "mexico-night", "2021-04-03 12:00", "2021-04-04 12:00", 7 * time.Hour},
		{"mexico 2021 fall back night", "mexico-night", "2021-10-30 12:00", "2021-10-31 12:00", 9 * time.Hour},
		{"mexico 2026 april night", "mexico-night", "2026-04-04 12:00", "2026-04-05 12:00", 8 * time.Hour},
		{"mexico 2026 october night", "mexico-night", "2026-10-24 12:00", "2026-10-25 12:00", 8 * time.Hour},
		{"spring forward day around the clock", "all-day", "2026-03-29 00:00", "2026-03-30 00:00", 23 * time.Hour},
		{"fall back day around the clock", "all-day", "2026-10-25 00:00", "2026-10-26 00:00", 25 * time.Hour},
		{"gap period", "gap", "2026-03-29 00:00", "2026-03-29 12:00", 2 * time.Hour},
		{"overlap period", "overlap", "2026-10-24 12:00", "2026-10-25 12:00", 2 * time.Hour},
		{"saturday holiday cuts the night shift", "friday-night", "2026-05-22 20:00", "2026-05-23 08:00", 2 * time.Hour},
		{"24x7 is b-a", "24x7", "2026-10-24 12:00", "2026-10-25 12:00", 25 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.cal+"/"+tt.name, func(t *testing.T) {
			c := calendar(t, tt.cal)
			got := c.Between(at(t, c.Location(), tt.a), at(t, c.Location(), tt.b))
			require.Equal(t, tt.want, got)
		})
	}
}

func TestOpenAndTransitions(t *testing.T) {
	tests := []struct {
		name, cal, t string
		open         bool
		nextOpen     string // "" means t itself
		transition   string // "" means none
		opens        bool
	}{
		{"monday morning", "madrid", "2026-05-18 09:00", true, "", "2026-05-18 17:00", false},
		{"last second", "madrid", "2026-05-18 16:59:59", true, "", "2026-05-18 17:00", false},
		{"closing instant is closed", "madrid", "2026-05-18 17:00", false, "2026-05-19 09:00", "2026-05-19 09:00", true},
		{"saturday", "madrid", "2026-05-16 12:00", false, "2026-05-18 09:00", "2026-05-18 09:00", true},
		{"holiday", "madrid-ical", "2026-12-25 10:00", false, "2026-12-28 09:00", "2026-12-28 09:00", true},
		{"timed closure", "madrid-ical", "2026-12-24 15:00", false, "2026-12-28 09:00", "2026-12-28 09:00", true},
		{"before timed closure", "madrid-ical", "2026-12-24 13:00", true, "", "2026-12-24 14:00", false},
		{"friday evening", "friday-night", "2026-05-15 18:00", false, "2026-05-15 22:00", "2026-05-15 22:00", true},
		{"overnight crosses midnight as one period", "friday-night", "2026-05-15 23:00", true, "", "2026-05-16 06:00", false},
		{"overnight tail", "friday-night", "2026-05-16 05:59", true, "", "2026-05-16 06:00", false},
		{"after the tail", "friday-night", "2026-05-16 06:00", false, "2026-05-18 09:00", "2026-05-18 09:00", true},
		{"opening skipped by the jump", "gap", "2026-03-29 01:00", false, "2026-03-29 03:00", "2026-03-29 03:00", true},
		{"night desk, fall back", "night", "2026-10-25 00:30Z", true, "", "2026-10-25 06:00", false},
		{"around the clock never closes", "all-day", "2026-05-18 12:00", true, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.cal+"/"+tt.name, func(t *testing.T) {
			c := calendar(t, tt.cal)
			now := at(t, c.Location(), tt.t)
			require.Equal(t, tt.open, c.IsOpen(now))
			want := now
			if tt.nextOpen != "" {
				want = at(t, c.Location(), tt.nextOpen)
			}
			require.True(t, want.Equal(c.NextOpen(now)), "NextOpen: got %v, want %v", c.NextOpen(now), want)
			got, opens := c.NextTransition(now)
			if tt.transition == "" {
				require.True(t, got.IsZero(), "got %v, want none", got)
				return
			}
			require.True(t, at(t, c.Location(), tt.transition).Equal(got), "NextTransition: got %v, want %v", got, tt.transition)
			require.Equal(t, tt.opens, opens)
		})
	}
}

func TestAlways(t *testing.T) {
	c := calendar(t, "24x7")
	now := at(t, c.Location(), "2026-03-29 01:30")
	require.True(t, c.Always())
	require.True(t, c.IsOpen(now))
	require.Equal(t, now, c.NextOpen(now))
	got, _ := c.NextTransition(now)
	require.True(t, got.IsZero())
	utc := mustCalendar(t, Config{Mode: ModeAlways})
	require.Equal(t, time.UTC, utc.Location())
}

func TestNeverOpens(t *testing.T) {
	dir := t.TempDir()
	ics := "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20000101\nDURATION:P366D\nRRULE:FREQ=YEARLY\nEND:VEVENT\nEND:VCALENDAR\n"
	path := filepath.Join(dir, "closed.ics")
	require.NoError(t, os.WriteFile(path, []byte(ics), 0o600))
	c := mustCalendar(t, Config{TimeZone: "Europe/Madrid", Hours: nineFive, HolidaysICal: path})
	now := at(t, c.Location(), "2026-05-18 10:00")
	require.False(t, c.IsOpen(now))
	require.True(t, c.NextOpen(now).IsZero())
	require.True(t, c.Add(now, time.Hour).IsZero())
	require.Equal(t, time.Duration(0), c.Between(now, now.AddDate(1, 0, 0)))
}

// TestBetweenInvertsAdd checks, over random instants and durations on
// every calendar, that Between(a, Add(a, d)) == d, and that Add(a,
// Between(a, b)) is at or before b with the same business time elapsed.
func TestBetweenInvertsAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 5))
	lo := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for name := range calendars {
		c := calendar(t, name)
		for range 2000 {
			a := time.Unix(lo+rng.Int64N(hi-lo), rng.Int64N(1e9))
			d := time.Duration(rng.Int64N(int64(120 * time.Hour)))
			due := c.Add(a, d)
			require.Equal(t, d, c.Between(a, due), "%s: Between(%v, Add(%v, %v) = %v)", name, a, a, d, due)
			require.False(t, due.Before(a))

			b := a.Add(time.Duration(rng.Int64N(int64(30 * 24 * time.Hour))))
			el := c.Between(a, b)
			back := c.Add(a, el)
			require.False(t, back.After(b), "%s: Add(%v, Between(%v, %v)) = %v", name, a, a, b, back)
			require.Equal(t, el, c.Between(a, back))
			require.Equal(t, -el, c.Between(b, a))
			if c.IsOpen(b) && el > 0 {
				require.True(t, back.Equal(b), "%s: open at %v but Add gave %v", name, b, back)
			}
		}
	}
}

// TestOpenAgreesWithBetween checks IsOpen against one second of Between,
// and NextTransition against IsOpen, around every DST change in the test
// years.
func TestOpenAgreesWithBetween(t *testing.T) {
	for name := range calendars {
		c := calendar(t, name)
		for _, day := range []string{"2021-04-03", "2021-10-30", "2026-03-28", "2026-10-24", "2026-05-15"} {
			start := at(t, c.Location(), day+" 00:00")
			for m := 0; m < 3*24*60; m += 7 {
				now := start.Add(time.Duration(m) * time.Minute)
				open := c.IsOpen(now)
				require.Equal(t, open, c.Between(now, now.Add(time.Second)) == time.Second, "%s at %v", name, now)
				if next, opens := c.NextTransition(now); !next.IsZero() {
					require.True(t, next.After(now))
					require.Equal(t, opens, c.IsOpen(next), "%s: transition at %v", name, next)
					require.Equal(t, open, c.IsOpen(next.Add(-time.Second)), "%s: before transition at %v", name, next)
					require.NotEqual(t, open, opens)
				}
			}
		}
	}
}

// TestMexicoAbolishedDST pins the tzdata this package is tested with:
// Mexico City kept its last DST change in October 2022.
func TestMexicoAbolishedDST(t *testing.T) {
	loc, err := time.LoadLocation("America/Mexico_City")
	require.NoError(t, err)
	_, off2021 := time.Date(2021, 7, 1, 12, 0, 0, 0, loc).Zone()
	_, off2026 := time.Date(2026, 7, 1, 12, 0, 0, 0, loc).Zone()
	require.Equal(t, -5*3600, off2021, "2021 summer: CDT")
	require.Equal(t, -6*3600, off2026, "2026 summer: CST all year")
}

// TestPrecomputedTablesAgree checks the precomputed zone periods and
// yearly holiday instances against the time package and the rules, on
// both sides of the table's bounds.
func TestPrecomputedTablesAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, name := range []string{"madrid-ical", "mexico"} {
		c := calendar(t, name)
		require.True(t, c.expanded)
		lo := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		hi := time.Date(2210, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		for range 20000 {
			u := lo + rng.Int64N(hi-lo)
			z := c.zoneAt(u)
			_, off := time.Unix(u, 0).In(c.Location()).Zone()
			require.Equal(t, int64(off), z.off, "%s at %v", name, time.Unix(u, 0).UTC())
			require.True(t, z.start <= u && u < z.end, "%s at %d: %+v", name, u, z)
		}
		rules := *c
		rules.days, rules.expanded = nil, false
		for _, d := range c.days { // keep the one-off holidays
			if !slicesContainsYearly(c, d) {
				rules.days = append(rules.days, d)
			}
		}
		for n := (Date{1968, 12, 1}).dayNum(); n < (Date{1971, 2, 1}).dayNum(); n++ {
			require.Equal(t, rules.closedDay(n), c.closedDay(n), "%s on %s", name, dateOf(n))
		}
		for n := (Date{2199, 12, 1}).dayNum(); n < (Date{2201, 2, 1}).dayNum(); n++ {
			require.Equal(t, rules.closedDay(n), c.closedDay(n), "%s on %s", name, dateOf(n))
		}
	}
}

// slicesContainsYearly reports whether closed day span d is an instance
// of one of c's yearly rules.
func slicesContainsYearly(c *Calendar, d daySpan) bool {
	for i := range c.yearly {
		if s, ok := c.yearly[i].instance(dateOf(d.from).Year); ok && s == d.from {
			return true
		}
	}
	return false
}
