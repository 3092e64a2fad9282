package sla

import (
	"slices"
	"time"
)

// yearlyClosure is a recurring all-day holiday.
type yearlyClosure struct {
	first  int64 // day number of the first instance (DTSTART)
	days   int64 // length of each instance in days
	r      Recurrence
	start  Date
	until  int64   // last start day number; MaxInt64 if none
	counts []int64 // with COUNT: the start day numbers of every instance
	except []int64 // skipped start day numbers, sorted
}

func newYearly(h Holiday) yearlyClosure {
	y := yearlyClosure{
		first: h.Start.dayNum(),
		days:  h.End.dayNum() - h.Start.dayNum(),
		r:     *h.Recurrence,
		start: h.Start,
		until: 1<<63 - 1,
	}
	if y.r.Interval < 1 {
		y.r.Interval = 1
	}
	if y.r.Until != (Date{}) {
		y.until = y.r.Until.dayNum()
	}
	for _, d := range h.Except {
		y.except = append(y.except, d.dayNum())
	}
	slices.Sort(y.except)
	if y.r.Count > 0 {
		// Instances on dates that do not exist (29 February in a common
		// year) are skipped and not counted; give up after many years.
		for yr := h.Start.Year; len(y.counts) < y.r.Count && yr < h.Start.Year+10000; yr += y.r.Interval {
			if n, ok := y.pattern(yr); ok {
				y.counts = append(y.counts, n)
			}
		}
	}
	return y
}

// pattern is the start day number of the instance in year yr, if the rule
// has one there: the year is on the interval, the date exists and is not
// before the first instance.
func (y *yearlyClosure) pattern(yr int) (int64, bool) {
	if yr < y.start.Year || (yr-y.start.Year)%y.r.Interval != 0 {
		return 0, false
	}
	month := y.r.Month
	if month == 0 {
		month = y.start.Month
	}
	var d Date
	if y.r.Nth != 0 {
		day, ok := nthWeekday(yr, month, y.r.Nth, y.r.Weekday)
		if !ok {
			return 0, false
		}
		d = Date{yr, month, day}
	} else {
		day := y.r.MonthDay
		if day == 0 {
			day = y.start.Day
		}
		d = Date{yr, month, day}
		if !d.valid() {
			return 0, false
		}
	}
	n := d.dayNum()
	return n, n >= y.first
}

// instance is the start of the instance in year yr, with COUNT, UNTIL and
// EXDATE applied.
func (y *yearlyClosure) instance(yr int) (int64, bool) {
	n, ok := y.pattern(yr)
	if !ok || n > y.until {
		return 0, false
	}
	if y.r.Count > 0 {
		if _, found := slices.BinarySearch(y.counts, n); !found {
			return 0, false
		}
	}
	if _, found := slices.BinarySearch(y.except, n); found {
		return 0, false
	}
	return n, true
}

// covers reports whether day number n, in year yr, is closed by an
// instance that starts this year or last year (instances last at most
// maxClosureDays).
func (y *yearlyClosure) covers(n int64, yr int) bool {
	for _, at := range [2]int{yr, yr - 1} {
		if s, ok := y.instance(at); ok && s <= n && n < s+y.days {
			return true
		}
	}
	return false
}

// nthWeekday is the day of the month of the nth wd of month (counted from
// the end when n is negative), if there is one.
func nthWeekday(yr int, month time.Month, n int, wd time.Weekday) (int, bool) {
	last := daysIn(yr, month)
	if n > 0 {
		first := weekdayOf(Date{yr, month, 1}.dayNum())
		day := 1 + (int(wd)-int(first)+7)%7 + (n-1)*7
		return day, day <= last
	}
	lastWd := weekdayOf(Date{yr, month, last}.dayNum())
	day := last - (int(lastWd)-int(wd)+7)%7 + (n+1)*7
	return day, day >= 1
}
