package timeinterval

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func TestContainsAcrossZones(t *testing.T) {
	madrid := mustLoad(t, "Europe/Madrid")
	mexico := mustLoad(t, "America/Mexico_City")
	business := func(loc string) Spec {
		return Spec{
			Weekdays: []string{"monday:friday"},
			Times:    []TimeRange{{StartTime: "09:00", EndTime: "17:00"}},
			Location: loc,
		}
	}
	tests := []struct {
		name string
		spec Spec
		at   time.Time
		want bool
	}{
		{"madrid open", business("Europe/Madrid"), time.Date(2026, 3, 2, 9, 0, 0, 0, madrid), true},
		{"madrid closes at 17:00", business("Europe/Madrid"), time.Date(2026, 3, 2, 17, 0, 0, 0, madrid), false},
		{"madrid 16:59", business("Europe/Madrid"), time.Date(2026, 3, 2, 16, 59, 59, 0, madrid), true},
		{"madrid saturday", business("Europe/Madrid"), time.Date(2026, 3, 7, 10, 0, 0, 0, madrid), false},
		// 08:30 UTC is 09:30 in Madrid in winter (CET, +1) ...
		{"utc instant, madrid winter", business("Europe/Madrid"), time.Date(2026, 1, 12, 8, 30, 0, 0, time.UTC), true},
		// ... and 10:30 in summer (CEST, +2); 07:30 UTC is 09:30 then.
		{"utc instant, madrid summer", business("Europe/Madrid"), time.Date(2026, 7, 13, 7, 30, 0, 0, time.UTC), true},
		{"utc instant before madrid summer opening", business("Europe/Madrid"), time.Date(2026, 7, 13, 6, 30, 0, 0, time.UTC), false},
		// Monday after the spring-forward Sunday (29 March 2026).
		{"madrid day after DST change", business("Europe/Madrid"), time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC), true},
		// Mexico City has no DST since 2022: UTC-6 all year.
		{"mexico 09:00 local", business("America/Mexico_City"), time.Date(2026, 7, 13, 15, 0, 0, 0, time.UTC), true},
		{"mexico 08:59 local", business("America/Mexico_City"), time.Date(2026, 7, 13, 14, 59, 0, 0, time.UTC), false},
		// Same instant: Friday evening in Mexico is Saturday in Madrid.
		{"friday in mexico", business("America/Mexico_City"), time.Date(2026, 3, 6, 16, 30, 0, 0, mexico), true},
		{"same instant is saturday in madrid", business("Europe/Madrid"), time.Date(2026, 3, 6, 16, 30, 0, 0, mexico), false},
		{"utc default", Spec{Times: []TimeRange{{StartTime: "00:00", EndTime: "01:00"}}}, time.Date(2026, 3, 6, 1, 30, 0, 0, madrid), true},
		{"until midnight", Spec{Times: []TimeRange{{StartTime: "22:00", EndTime: "24:00"}}}, time.Date(2026, 3, 6, 23, 59, 0, 0, time.UTC), true},
		{"last day of february", Spec{DaysOfMonth: []string{"-1"}}, time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC), true},
		{"last day of leap february", Spec{DaysOfMonth: []string{"-1"}}, time.Date(2028, 2, 28, 12, 0, 0, 0, time.UTC), false},
		{"last three days", Spec{DaysOfMonth: []string{"-3:-1"}}, time.Date(2026, 4, 28, 0, 0, 0, 0, time.UTC), true},
		{"first to last", Spec{DaysOfMonth: []string{"15:-1"}}, time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC), true},
		{"months by name", Spec{Months: []string{"november:december"}}, time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC), true},
		{"months by number", Spec{Months: []string{"1", "3"}}, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), false},
		{"years", Spec{Years: []string{"2026:2027"}}, time.Date(2027, 12, 31, 23, 0, 0, 0, time.UTC), true},
		{"years out", Spec{Years: []string{"2026:2027"}}, time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"empty spec is always", Spec{}, time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iv, err := New(Config{Name: "x", TimeIntervals: []Spec{tt.spec}})
			require.NoError(t, err)
			got := iv.Contains(tt.at)
			require.Equal(t, tt.want, got, "got %v, want %v at %v", got, tt.want, tt.at)
		})
	}
}

func TestOvernightAsTwoSpecs(t *testing.T) {
	// 22:00-06:00 Madrid written as two specs: any of them matches.
	iv, err := New(Config{Name: "night", TimeIntervals: []Spec{
		{Times: []TimeRange{{StartTime: "22:00", EndTime: "24:00"}}, Location: "Europe/Madrid"},
		{Times: []TimeRange{{StartTime: "00:00", EndTime: "06:00"}}, Location: "Europe/Madrid"},
	}})
	require.NoError(t, err)
	madrid := mustLoad(t, "Europe/Madrid")
	for h, want := range map[int]bool{21: false, 22: true, 23: true, 0: true, 5: true, 6: false, 12: false} {
		require.Equal(t, want, iv.Contains(time.Date(2026, 10, 25, h, 30, 0, 0, madrid)), "hour %d", h)
	}
}

func TestValidate(t *testing.T) {
	cfgs := []Config{
		{Name: "ok", TimeIntervals: []Spec{{Weekdays: []string{"monday"}}}},
		{Name: "ok"},
		{Name: "", TimeIntervals: []Spec{{
			Times:       []TimeRange{{StartTime: "17:00", EndTime: "09:00"}, {StartTime: "9:00", EndTime: "10:00"}},
			Weekdays:    []string{"friday:monday", "funday"},
			DaysOfMonth: []string{"0", "-1:5"},
			Months:      []string{"13"},
			Years:       []string{"later"},
			Location:    "Mars/Olympus",
		}}},
	}
	_, err := NewSet(cfgs)
	require.EqualError(t, err, `time_intervals[1].name: "ok": defined twice
time_intervals[2].name: must not be empty
time_intervals[2].time_intervals[0].location: "Mars/Olympus": unknown time zone Mars/Olympus
time_intervals[2].time_intervals[0].times[0]: end_time: "09:00": must be after start_time "17:00" (split overnight ranges in two)
time_intervals[2].time_intervals[0].times[1]: start_time: "9:00": must be HH:MM between 00:00 and 24:00
time_intervals[2].time_intervals[0].weekdays[0]: "friday:monday": range ends before it starts
time_intervals[2].time_intervals[0].weekdays[1]: "funday": must be a weekday name such as monday
time_intervals[2].time_intervals[0].days_of_month[0]: "0": must be a day from 1 to 31 or from -31 to -1
time_intervals[2].time_intervals[0].days_of_month[1]: "-1:5": a range may count from the end only in its second part
time_intervals[2].time_intervals[0].months[0]: "13": must be a month from 1 to 12 or a month name
time_intervals[2].time_intervals[0].years[0]: "later": must be a year such as 2026`)
}

func TestYAML(t *testing.T) {
	const doc = `
- name: business-hours
  time_intervals:
    - weekdays: ["monday:friday"]
      times: [{start_time: "09:00", end_time: "17:00"}]
      location: Europe/Madrid
- name: month-end
  time_intervals:
    - days_of_month: ["-2:-1"]
      months: ["december"]
`
	var cfgs []Config
	require.NoError(t, yaml.Unmarshal([]byte(doc), &cfgs))
	set, err := NewSet(cfgs)
	require.NoError(t, err)
	require.Equal(t, []string{"business-hours", "month-end"}, set.Names())
	require.True(t, set["month-end"].Contains(time.Date(2026, 12, 31, 8, 0, 0, 0, time.UTC)))
	require.False(t, set["month-end"].Contains(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)))
	require.True(t, set["business-hours"].Contains(time.Date(2026, 12, 31, 8, 0, 0, 0, time.UTC)))
}
