package sla

import (
	"errors"
	"fmt"
	"time"
)

// Metric names what a target measures.
type Metric string

// Metrics, as defined in FIELD.md 2.1 and the alerts issue.
const (
	// FirstResponse runs from the customer's first message in a case to
	// the first human reply. Automatic replies never stop it.
	FirstResponse Metric = "first_response"
	// NextResponse runs from each customer follow-up to the next human
	// reply.
	NextResponse Metric = "next_response"
	// Resolution runs from the case's first message to its resolution.
	Resolution Metric = "resolution"
)

// Valid reports whether m is a known metric.
func (m Metric) Valid() bool {
	return m == FirstResponse || m == NextResponse || m == Resolution
}

// Clock says which time a target counts.
type Clock string

// Clocks.
const (
	// ClockBusiness counts only the calendar's open time. It is the
	// default.
	ClockBusiness Clock = "business"
	// ClockCalendar counts all elapsed time.
	ClockCalendar Clock = "calendar"
)

// Valid reports whether c is a known clock; empty means business.
func (c Clock) Valid() bool { return c == "" || c == ClockBusiness || c == ClockCalendar }

// Target is an SLA target: a metric must be met within Duration on Clock.
// At most one of WarnAt and WarnBefore sets when a warning is due; with
// neither there is no warning.
type Target struct {
	// Metric is first_response, next_response or resolution.
	Metric Metric `yaml:"metric"`
	// Duration is the target, such as "1h".
	Duration time.Duration `yaml:"duration"`
	// Clock is business (the default) or calendar.
	Clock Clock `yaml:"clock"`
	// WarnAt warns when this fraction of Duration has elapsed, such as
	// 0.75. Zero means unset.
	WarnAt float64 `yaml:"warn_at"`
	// WarnBefore warns when this much of Duration is left, on the same
	// clock. Zero means unset.
	WarnBefore time.Duration `yaml:"warn_before"`
}

// Validate reports every problem at once, each naming the field.
func (t Target) Validate() error {
	var errs []error
	if !t.Metric.Valid() {
		errs = append(errs, fmt.Errorf("metric: %q: want first_response, next_response or resolution", t.Metric))
	}
	if t.Duration <= 0 {
		errs = append(errs, fmt.Errorf("duration: %q: must be greater than 0", t.Duration))
	}
	if !t.Clock.Valid() {
		errs = append(errs, fmt.Errorf("clock: %q: want business or calendar", t.Clock))
	}
	if t.WarnAt != 0 && t.WarnBefore != 0 {
		errs = append(errs, errors.New("warn_at: at most one of warn_at & warn_before"))
	}
	if t.WarnAt < 0 || t.WarnAt >= 1 || t.WarnAt != t.WarnAt {
		errs = append(errs, fmt.Errorf("warn_at: %v: want a fraction greater than 0 and less than 1", t.WarnAt))
	}
	if t.WarnBefore < 0 || (t.Duration > 0 && t.WarnBefore >= t.Duration) {
		errs = append(errs, fmt.Errorf("warn_before: %q: want more than 0 and less than duration %q", t.WarnBefore, t.Duration))
	}
	return errors.Join(errs...)
}

// counted returns the calendar the target counts on: cal for the business
// clock, nil for the calendar clock.
func (t Target) counted(cal *Calendar) *Calendar {
	if t.Clock == ClockCalendar || cal == nil || cal.always {
		return nil
	}
	return cal
}

// add is start plus d on the target's clock.
func (t Target) add(cal *Calendar, start time.Time, d time.Duration) time.Time {
	if c := t.counted(cal); c != nil {
		return c.Add(start, d)
	}
	if cal != nil {
		return start.Add(d).In(cal.loc)
	}
	return start.Add(d)
}

// Elapsed is the time counted on the target's clock between start and now.
func (t Target) Elapsed(cal *Calendar, start, now time.Time) time.Duration {
	if c := t.counted(cal); c != nil {
		return c.Between(start, now)
	}
	return now.Sub(start)
}

// Deadline returns when a clock started at start is due a warning and when
// it breaches, counting on cal for the business clock (cal is unused for
// the calendar clock; a nil cal counts calendar time). warnAt is zero when
// the target has no warning. breachAt is the last instant at which the
// target is still met: a reply at breachAt is in time. Both are in cal's
// location, or start's when cal is nil.
func (t Target) Deadline(cal *Calendar, start time.Time) (warnAt, breachAt time.Time) {
	breachAt = t.add(cal, start, t.Duration)
	switch {
	case t.WarnAt > 0:
		warnAt = t.add(cal, start, time.Duration(float64(t.Duration)*t.WarnAt))
	case t.WarnBefore > 0:
		warnAt = t.add(cal, start, t.Duration-t.WarnBefore)
	}
	return warnAt, breachAt
}

// State is where a target stands for one case.
type State string

// States, after Chatwoot's hit and missed and Plain's imminent breach
// (FIELD.md 2.1).
const (
	// Active: running, no warning due yet.
	Active State = "active"
	// Warning: running and past the warning instant.
	Warning State = "warning"
	// Breached: running and past the deadline.
	Breached State = "breached"
	// Met: stopped at or before the deadline.
	Met State = "met"
	// MetLate: stopped after the deadline.
	MetLate State = "met_late"
)

// State returns the target's state at now for a clock started at start
// and stopped at stoppedAt (zero if it is still running, for example no
// human reply yet). A stop after now is not known yet at now and is
// ignored.
func (t Target) State(cal *Calendar, now, start, stoppedAt time.Time) State {
	warnAt, breachAt := t.Deadline(cal, start)
	if !stoppedAt.IsZero() && !stoppedAt.After(now) {
		if stoppedAt.After(breachAt) {
			return MetLate
		}
		return Met
	}
	switch {
	case now.After(breachAt):
		return Breached
	case !warnAt.IsZero() && !now.Before(warnAt):
		return Warning
	}
	return Active
}
