package sla

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDeadline(t *testing.T) {
	tests := []struct {
		name      string
		cal       string
		target    Target
		start     string
		warn, due string // warn "" means no warning
	}{
		{"business, warn at 75%", "madrid", Target{Metric: FirstResponse, Duration: time.Hour, WarnAt: 0.75},
			"2026-05-15 16:30", "2026-05-18 09:15", "2026-05-18 09:30"},
		{"business, warn 15m before", "madrid", Target{Metric: FirstResponse, Duration: time.Hour, Clock: ClockBusiness, WarnBefore: 15 * time.Minute},
			"2026-05-15 16:30", "2026-05-18 09:15", "2026-05-18 09:30"},
		{"business warning falls before the weekend", "madrid", Target{Metric: NextResponse, Duration: 2 * time.Hour, WarnAt: 0.25},
			"2026-05-15 16:15", "2026-05-15 16:45", "2026-05-18 10:15"},
		{"no warning", "madrid", Target{Metric: Resolution, Duration: 16 * time.Hour},
			"2026-05-15 16:30", "", "2026-05-19 16:30"},
		{"calendar clock ignores business hours", "madrid", Target{Metric: Resolution, Duration: 24 * time.Hour, Clock: ClockCalendar, WarnBefore: time.Hour},
			"2026-05-15 16:30", "2026-05-16 15:30", "2026-05-16 16:30"},
		{"calendar clock across fall back is real hours", "madrid", Target{Metric: Resolution, Duration: 24 * time.Hour, Clock: ClockCalendar},
			"2026-10-24 12:00", "", "2026-10-25 11:00"},
		{"24x7 calendar counts calendar time", "24x7", Target{Metric: FirstResponse, Duration: time.Hour, WarnAt: 0.5},
			"2026-05-15 16:30", "2026-05-15 17:00", "2026-05-15 17:30"},
		{"holiday weekend", "madrid-ical", Target{Metric: FirstResponse, Duration: 4 * time.Hour, WarnBefore: time.Hour},
			"2026-12-24 12:00", "2026-12-28 10:00", "2026-12-28 11:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, tt.target.Validate())
			c := calendar(t, tt.cal)
			loc := c.Location()
			warn, due := tt.target.Deadline(c, at(t, loc, tt.start))
			require.True(t, at(t, loc, tt.due).Equal(due), "breach: got %v, want %v", due, tt.due)
			if tt.warn == "" {
				require.True(t, warn.IsZero(), "warn: got %v, want none", warn)
			} else {
				require.True(t, at(t, loc, tt.warn).Equal(warn), "warn: got %v, want %v", warn, tt.warn)
			}
		})
	}
}

func TestDeadlineNilCalendar(t *testing.T) {
	start := time.Date(2026, 5, 15, 16, 30, 0, 0, time.UTC)
	warn, due := Target{Metric: FirstResponse, Duration: time.Hour, WarnAt: 0.5}.Deadline(nil, start)
	require.Equal(t, start.Add(30*time.Minute), warn)
	require.Equal(t, start.Add(time.Hour), due)
}

func TestState(t *testing.T) {
	c := calendar(t, "madrid")
	loc := c.Location()
	// Opened Friday 16:30: warning Monday 09:15, due Monday 09:30.
	target := Target{Metric: FirstResponse, Duration: time.Hour, WarnAt: 0.75}
	start := "2026-05-15 16:30"
	tests := []struct {
		name, now, stopped string
		want               State
	}{
		{"just opened", "2026-05-15 16:31", "", Active},
		{"over the weekend", "2026-05-17 12:00", "", Active},
		{"at the warning", "2026-05-18 09:15", "", Warning},
		{"at the deadline, still in time", "2026-05-18 09:30", "", Warning},
		{"after the deadline", "2026-05-18 09:30:01", "", Breached},
		{"replied on friday", "2026-05-18 12:00", "2026-05-15 16:50", Met},
		{"replied on the deadline", "2026-05-18 12:00", "2026-05-18 09:30", Met},
		{"replied late", "2026-05-18 12:00", "2026-05-18 09:31", MetLate},
		{"reply after now is not known yet", "2026-05-18 09:20", "2026-05-18 09:25", Warning},
		{"replied this instant", "2026-05-18 09:25", "2026-05-18 09:25", Met},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stopped time.Time
			if tt.stopped != "" {
				stopped = at(t, loc, tt.stopped)
			}
			got := target.State(c, at(t, loc, tt.now), at(t, loc, start), stopped)
			require.Equal(t, tt.want, got)
		})
	}
	el := target.Elapsed(c, at(t, loc, start), at(t, loc, "2026-05-18 09:10"))
	require.Equal(t, 40*time.Minute, el)
	el = Target{Clock: ClockCalendar}.Elapsed(c, at(t, loc, start), at(t, loc, "2026-05-18 09:10"))
	require.Equal(t, 64*time.Hour+40*time.Minute, el)
}

func TestTargetValidate(t *testing.T) {
	tests := []struct {
		name   string
		target Target
		want   []string
	}{
		{"good", Target{Metric: FirstResponse, Duration: time.Hour, Clock: ClockCalendar, WarnAt: 0.75}, nil},
		{"everything wrong", Target{Metric: "first_reply", Duration: -time.Minute, Clock: "wall", WarnAt: 1.5, WarnBefore: time.Hour}, []string{
			`metric: "first_reply": want first_response, next_response or resolution`,
			`duration: "-1m0s": must be greater than 0`,
			`clock: "wall": want business or calendar`,
			`warn_at: at most one of warn_at & warn_before`,
			`warn_at: 1.5: want a fraction greater than 0 and less than 1`,
		}},
		{"warn before too long", Target{Metric: Resolution, Duration: time.Hour, WarnBefore: time.Hour}, []string{
			`warn_before: "1h0m0s": want more than 0 and less than duration "1h0m0s"`,
		}},
		{"negative warn before", Target{Metric: Resolution, Duration: time.Hour, WarnBefore: -time.Minute}, []string{
			`warn_before: "-1m0s": want more than 0 and less than duration "1h0m0s"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.target.Validate()
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Equal(t, tt.want, strings.Split(err.Error(), "\n"))
		})
	}
}
