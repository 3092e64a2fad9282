package sla

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func mustCalendar(t testing.TB, cfg Config) *Calendar {
	t.Helper()
	c, err := NewCalendar(cfg)
	require.NoError(t, err)
	return c
}

// at parses "2006-01-02 15:04" (or with seconds) in loc.
func at(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	layout := "2006-01-02 15:04"
	if len(s) > len(layout) {
		layout = "2006-01-02 15:04:05"
	}
	v, err := time.ParseInLocation(layout, s, loc)
	require.NoError(t, err)
	return v
}

var weekdays9to17 = []Period{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Open: "09:00", Close: "17:00"}}

func TestCanonicalFriday(t *testing.T) {
	c := mustCalendar(t, Config{TimeZone: "Europe/Madrid", Hours: weekdays9to17})
	loc := c.Location()
	got := c.Add(at(t, loc, "2026-05-15 16:30"), time.Hour)
	require.Equal(t, at(t, loc, "2026-05-18 09:30"), got)
}
