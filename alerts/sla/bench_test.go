package sla

import (
	"testing"
	"time"
)

var sinkTime time.Time
var sinkDuration time.Duration

func benchCalendar(b *testing.B, name string) (*Calendar, *time.Location) {
	b.Helper()
	c := calendar(b, name)
	return c, c.Location()
}

// BenchmarkAdd covers typical targets: 1h from Friday afternoon over a
// weekend, 8h within a week, 40h over a holiday week with iCal rules, and
// a night shift across a DST change.
func BenchmarkAdd(b *testing.B) {
	cases := []struct {
		name, cal, start string
		d                time.Duration
	}{
		{"1h_over_weekend", "madrid", "2026-05-15 16:30", time.Hour},
		{"8h_within_week", "madrid", "2026-05-18 10:00", 8 * time.Hour},
		{"40h_christmas_ical", "madrid-ical", "2026-12-21 10:00", 40 * time.Hour},
		{"1h_night_dst", "night", "2026-10-25 00:30Z", time.Hour},
		{"1y_business", "madrid", "2026-05-18 10:00", 52 * 40 * time.Hour},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			c, loc := benchCalendar(b, bc.cal)
			start := at(b, loc, bc.start)
			for b.Loop() {
				sinkTime = c.Add(start, bc.d)
			}
		})
	}
}

// BenchmarkBetween measures business time over a weekend, a week and a
// month.
func BenchmarkBetween(b *testing.B) {
	cases := []struct{ name, cal, a, b string }{
		{"weekend", "madrid", "2026-05-15 16:30", "2026-05-18 09:30"},
		{"week_ical", "madrid-ical", "2026-12-21 10:00", "2026-12-28 10:00"},
		{"month", "madrid", "2026-05-01 10:00", "2026-06-01 10:00"},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			c, loc := benchCalendar(b, bc.cal)
			x, y := at(b, loc, bc.a), at(b, loc, bc.b)
			for b.Loop() {
				sinkDuration = c.Between(x, y)
			}
		})
	}
}

func BenchmarkIsOpen(b *testing.B) {
	c, loc := benchCalendar(b, "madrid-ical")
	t := at(b, loc, "2026-12-24 15:00")
	for b.Loop() {
		_ = c.IsOpen(t)
	}
}
