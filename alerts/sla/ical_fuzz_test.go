package sla

import (
	"os"
	"strings"
	"testing"
	"time"
)

// FuzzParseICal checks that no input panics, and that what parses is
// well-formed holidays a calendar can use.
func FuzzParseICal(f *testing.F) {
	for _, name := range []string{"testdata/es.ics", "testdata/mx.ics"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;TZID=Europe/Madrid:20261224T140000\nDURATION:P1DT2H\nEND:VEVENT\nEND:VCALENDAR")
	f.Add("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20200229\nRRULE:FREQ=YEARLY;BYMONTH=2;BYDAY=-1MO;COUNT=5\nEXDATE:20210222\nEND:VEVENT\nEND:VCALENDAR")
	f.Add("BEGIN:VCALENDAR\n X\nBEGIN:VEVENT\nDTSTART;X=\"a;b\":20261012\nEND:VEVENT\nEND:VCALENDAR")
	f.Fuzz(func(t *testing.T, in string) {
		hs, err := ParseICal(strings.NewReader(in), nil)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		c := &Calendar{loc: time.UTC}
		for _, h := range hs {
			if h.AllDay() {
				if n := h.End.dayNum() - h.Start.dayNum(); n < 1 || n > maxClosureDays {
					t.Fatalf("all-day holiday of %d days: %+v", n, h)
				}
			} else if h.To.Before(h.From) {
				t.Fatalf("timed holiday ends before it starts: %+v", h)
			}
		}
		c.addHolidays(hs)
		// Every yearly rule answers for a few years without panicking.
		for i := range c.yearly {
			for n := (Date{2024, 12, 20}).dayNum(); n < (Date{2025, 1, 10}).dayNum(); n++ {
				c.yearly[i].covers(n, dateOf(n).Year)
			}
		}
	})
}
