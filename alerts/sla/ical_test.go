package sla

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseICal(t *testing.T) {
	f, err := os.Open("testdata/es.ics")
	require.NoError(t, err)
	defer f.Close()
	madrid, err := time.LoadLocation("Europe/Madrid")
	require.NoError(t, err)
	hs, err := ParseICal(f, madrid)
	require.NoError(t, err)
	yearly := &Recurrence{Interval: 1}
	want := []Holiday{
		{Summary: "Año Nuevo", Line: 14, Start: Date{2000, 1, 1}, End: Date{2000, 1, 2}, Recurrence: yearly},
		{Summary: "Epifanía del Señor", Line: 22, Start: Date{2000, 1, 6}, End: Date{2000, 1, 7}, Recurrence: yearly},
		{Summary: "Viernes Santo", Line: 28, Start: Date{2026, 4, 3}, End: Date{2026, 4, 4}},
		{Summary: "Fiesta del Trabajo", Line: 34, Start: Date{2000, 5, 1}, End: Date{2000, 5, 2}, Recurrence: yearly},
		{Summary: "Todos los Santos", Line: 41, Start: Date{2000, 11, 1}, End: Date{2000, 11, 2}, Recurrence: yearly},
		{Summary: "Puente de la Constitución, Inmaculada", Line: 53, Start: Date{2026, 12, 7}, End: Date{2026, 12, 9}},
		{Summary: "Nochebuena (tarde)", Line: 59, From: time.Date(2026, 12, 24, 14, 0, 0, 0, madrid), To: time.Date(2026, 12, 24, 17, 0, 0, 0, madrid)},
		{Summary: "Natividad del Señor", Line: 65, Start: Date{2000, 12, 25}, End: Date{2000, 12, 26}, Recurrence: yearly,
			Except: []Date{{2028, 12, 25}}},
	}
	require.Equal(t, len(want), len(hs))
	for i := range want {
		require.Equal(t, want[i].Summary, hs[i].Summary)
		require.Equal(t, want[i].Line, hs[i].Line, want[i].Summary)
		require.Equal(t, want[i].Start, hs[i].Start, want[i].Summary)
		require.Equal(t, want[i].End, hs[i].End, want[i].Summary)
		require.True(t, want[i].From.Equal(hs[i].From), want[i].Summary)
		require.True(t, want[i].To.Equal(hs[i].To), want[i].Summary)
		require.Equal(t, want[i].Recurrence, hs[i].Recurrence, want[i].Summary)
		require.Equal(t, want[i].Except, hs[i].Except, want[i].Summary)
		require.Equal(t, want[i].From.IsZero(), hs[i].AllDay())
	}
}

func TestParseICalForms(t *testing.T) {
	cal := func(lines ...string) string {
		return "BEGIN:VCALENDAR\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VCALENDAR\r\n"
	}
	ev := func(lines ...string) string {
		return cal(append(append([]string{"BEGIN:VEVENT"}, lines...), "END:VEVENT")...)
	}
	tests := []struct {
		name string
		in   string
		want Holiday
	}{
		{"date without VALUE, no DTEND is one day", ev("DTSTART:20261012"), Holiday{Start: Date{2026, 10, 12}, End: Date{2026, 10, 13}}},
		{"utc date-time", ev("DTSTART:20261224T130000Z", "DTEND:20261224T160000Z"),
			Holiday{From: time.Date(2026, 12, 24, 13, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 24, 16, 0, 0, 0, time.UTC)}},
		{"floating date-time with a duration", ev("DTSTART:20261231T140000", "DURATION:PT3H30M"),
			Holiday{From: time.Date(2026, 12, 31, 14, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 31, 17, 30, 0, 0, time.UTC)}},
		{"lower-case names, quoted parameter, escapes", ev(`dtstart;value=date;X-NOTE="a:b;c":20261012`, `summary:Día\; de la\nHispanidad\\`),
			Holiday{Summary: "Día; de la\nHispanidad\\", Start: Date{2026, 10, 12}, End: Date{2026, 10, 13}}},
		{"yearly with BYMONTH, BYDAY, UNTIL", ev("DTSTART;VALUE=DATE:20191128", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;UNTIL=20301231T000000Z;WKST=MO"),
			Holiday{Start: Date{2019, 11, 28}, End: Date{2019, 11, 29}, Recurrence: &Recurrence{Interval: 1, Until: Date{2030, 12, 31}, Month: 11, Nth: 4, Weekday: time.Thursday}}},
		{"cancelled events are skipped", cal("BEGIN:VEVENT", "DTSTART:20261012", "STATUS:CANCELLED", "END:VEVENT", "BEGIN:VEVENT", "DTSTART:20261013", "END:VEVENT"),
			Holiday{Start: Date{2026, 10, 13}, End: Date{2026, 10, 14}}},
		{"LF line ends, tab folding, blank lines", "BEGIN:VCALENDAR\n\nBEGIN:VEVENT\nSUMMARY:Fiesta\n\t nacional\nDTSTART:20261012\nEND:VEVENT\nEND:VCALENDAR",
			Holiday{Summary: "Fiesta nacional", Start: Date{2026, 10, 12}, End: Date{2026, 10, 13}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, err := ParseICal(strings.NewReader(tt.in), nil)
			require.NoError(t, err)
			require.Len(t, hs, 1)
			h := hs[0]
			h.Line = 0
			require.True(t, tt.want.From.Equal(h.From) && tt.want.To.Equal(h.To), "got %v–%v", h.From, h.To)
			tt.want.From, tt.want.To, h.From, h.To = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			require.Equal(t, tt.want, h)
		})
	}
}

func TestParseICalErrors(t *testing.T) {
	// Each input is wrapped in a VCALENDAR and a VEVENT unless it starts
	// with BEGIN; the event's first line is line 3.
	tests := []struct{ name, in, want string }{
		{"not ical", "hello", `line 1: "hello": want NAME:VALUE`},
		{"empty", "", `no BEGIN:VCALENDAR: not an iCal file`},
		{"component first", "BEGIN:VEVENT\nEND:VEVENT", `line 1: BEGIN:VEVENT: want BEGIN:VCALENDAR first`},
		{"property outside", "VERSION:2.0\nBEGIN:VCALENDAR\nEND:VCALENDAR", `line 1: VERSION outside BEGIN:VCALENDAR`},
		{"unclosed", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261012", `line 2: BEGIN:VEVENT is never closed`},
		{"mismatched end", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261012\nEND:VCALENDAR", `line 4: END:VCALENDAR does not close BEGIN:VEVENT at line 2`},
		{"nested event", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nBEGIN:VALARM\nBEGIN:VEVENT", `line 4: BEGIN:VEVENT inside the VEVENT at line 2`},
		{"no dtstart", "SUMMARY:x", `line 2: VEVENT has no DTSTART`},
		{"repeated dtstart", "DTSTART:20261012\nDTSTART:20261013", `line 4: DTSTART: repeated (first at line 3)`},
		{"bad date", "DTSTART;VALUE=DATE:20261301", `line 3: DTSTART: "20261301": no such date`},
		{"bad date-time", "DTSTART:20261012T25", `line 3: DTSTART: "20261012T25": want YYYYMMDD or YYYYMMDDTHHMMSS[Z]`},
		{"bad tzid", "DTSTART;TZID=Romance Standard Time:20261012T090000", `line 3: DTSTART: TZID=Romance Standard Time: want an IANA zone name`},
		{"end before start", "DTSTART:20261012\nDTEND:20261010", `line 4: DTEND 2026-10-10: want a date after DTSTART 2026-10-12`},
		{"mixed kinds", "DTSTART:20261012\nDTEND:20261013T000000Z", `line 4: DTEND is a date-time but DTSTART a date`},
		{"end and duration", "DTSTART:20261012\nDTEND:20261013\nDURATION:P1D", `line 5: at most one of DTEND & DURATION`},
		{"partial-day duration", "DTSTART:20261012\nDURATION:PT12H", `line 4: DURATION: "PT12H": want whole days for an all-day event`},
		{"bad duration", "DTSTART:20261012\nDURATION:1D", `line 4: DURATION: "1D": want a duration such as P1D or PT4H`},
		{"too long", "DTSTART:20260101\nDTEND:20280101", `line 4: lasts 730 days: at most 366 allowed`},
		{"weekly rule", "DTSTART:20261012\nRRULE:FREQ=WEEKLY", `line 4: RRULE: FREQ=WEEKLY: only FREQ=YEARLY is supported`},
		{"unsupported rule part", "DTSTART:20261012\nRRULE:FREQ=YEARLY;BYWEEKNO=20", `line 4: RRULE: BYWEEKNO: not supported; want FREQ=YEARLY with INTERVAL, COUNT, UNTIL, BYMONTH, BYMONTHDAY or BYDAY=<n><weekday>`},
		{"byday without ordinal", "DTSTART:20261012\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=MO", `line 4: RRULE: BYDAY=MO: want one weekday with an ordinal, such as 4TH or -1MO`},
		{"byday without month", "DTSTART:20261012\nRRULE:FREQ=YEARLY;BYDAY=2MO", `line 4: RRULE: BYDAY needs BYMONTH`},
		{"count and until", "DTSTART:20261012\nRRULE:FREQ=YEARLY;COUNT=2;UNTIL=20300101", `line 4: RRULE: at most one of COUNT & UNTIL`},
		{"no freq", "DTSTART:20261012\nRRULE:INTERVAL=2", `line 4: RRULE: no FREQ`},
		{"huge count", "DTSTART:20261012\nRRULE:FREQ=YEARLY;COUNT=99999", `line 4: RRULE: COUNT=99999: want a number from 1 to 1000`},
		{"timed rule", "DTSTART:20261012T090000Z\nRRULE:FREQ=YEARLY", `line 4: RRULE: only all-day (VALUE=DATE) events may repeat`},
		{"exdate without rule", "DTSTART:20261012\nEXDATE:20271012", `line 4: EXDATE without RRULE`},
		{"bad exdate", "DTSTART:20261012\nRRULE:FREQ=YEARLY\nEXDATE:20271012,2028", `line 5: EXDATE: "2028": want a date YYYYMMDD`},
		{"rdate", "DTSTART:20261012\nRDATE:20271012", `line 4: RDATE: not supported; want one RRULE and EXDATEs`},
		{"no colon", "DTSTART;VALUE=DATE", `line 3: DTSTART: no ':' before the value`},
		{"unterminated quote", `DTSTART;X="abc:20261012`, `line 3: DTSTART: parameter X: unterminated quote`},
		{"bad name", "DT START:20261012", `line 3: "DT START": bad property name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if !strings.HasPrefix(in, "BEGIN") && in != "hello" && in != "" && !strings.HasPrefix(in, "VERSION") {
				in = "BEGIN:VCALENDAR\nBEGIN:VEVENT\n" + in + "\nEND:VEVENT\nEND:VCALENDAR\n"
			}
			_, err := ParseICal(strings.NewReader(in), nil)
			require.EqualError(t, err, "parse ical: "+tt.want)
		})
	}
}

func TestParseICalTooLarge(t *testing.T) {
	_, err := ParseICal(strings.NewReader(strings.Repeat("x", MaxICalBytes+1)), nil)
	require.EqualError(t, err, "ical is larger than 4194304 bytes")
}

func TestRecurrence(t *testing.T) {
	tests := []struct {
		name  string
		rrule string
		start Date
		days  []string // closed dates expected among 2019–2031
	}{
		{"every year", "FREQ=YEARLY", Date{2020, 10, 12}, []string{"2020-10-12", "2021-10-12", "2031-10-12"}},
		{"every other year", "FREQ=YEARLY;INTERVAL=2", Date{2020, 10, 12}, []string{"2020-10-12", "2022-10-12", "2030-10-12"}},
		{"count", "FREQ=YEARLY;COUNT=3", Date{2020, 10, 12}, []string{"2020-10-12", "2021-10-12", "2022-10-12"}},
		{"until", "FREQ=YEARLY;UNTIL=20221012", Date{2020, 10, 12}, []string{"2020-10-12", "2021-10-12", "2022-10-12"}},
		{"leap day skips common years", "FREQ=YEARLY;COUNT=3", Date{2020, 2, 29}, []string{"2020-02-29", "2024-02-29", "2028-02-29"}},
		{"last monday of may", "FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO", Date{2019, 5, 27},
			[]string{"2019-05-27", "2020-05-25", "2021-05-31", "2026-05-25", "2031-05-26"}},
		{"fourth thursday of november", "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH", Date{2019, 11, 28},
			[]string{"2019-11-28", "2020-11-26", "2026-11-26", "2027-11-25"}},
		{"bymonthday", "FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=16", Date{2019, 9, 16}, []string{"2019-09-16", "2026-09-16"}},
		{"not before dtstart", "FREQ=YEARLY;BYMONTH=1", Date{2026, 6, 1}, []string{"2027-01-01", "2031-01-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parseRRule(tt.rrule, tt.start)
			require.NoError(t, err)
			y := newYearly(Holiday{Start: tt.start, End: dateOf(tt.start.dayNum() + 1), Recurrence: &r})
			var got []string
			for n := (Date{2019, 1, 1}).dayNum(); n < (Date{2032, 1, 1}).dayNum(); n++ {
				if y.covers(n, dateOf(n).Year) {
					got = append(got, dateOf(n).String())
				}
			}
			for _, d := range tt.days {
				require.Contains(t, got, d)
			}
			if strings.Contains(tt.rrule, "COUNT") || strings.Contains(tt.rrule, "UNTIL") {
				require.Equal(t, tt.days, got)
			}
		})
	}
}

func TestCivilDays(t *testing.T) {
	for n := (Date{1900, 1, 1}).dayNum(); n < (Date{2200, 1, 1}).dayNum(); n += 17 {
		d := dateOf(n)
		require.Equal(t, n, d.dayNum())
		tm := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
		require.Equal(t, n, tm.Unix()/secondsPerDay, d.String())
		require.Equal(t, tm.Weekday(), weekdayOf(n), d.String())
	}
}
