package sla_test

import (
	"fmt"
	"time"

	"github.com/vigia-dev/vigia/alerts/sla"
)

// A case opened on Friday at 16:30 with a one-hour first-response target
// in business hours, Monday to Friday 9 to 17, is due on Monday at 09:30.
func ExampleCalendar_Add() {
	cal, err := sla.NewCalendar(sla.Config{
		TimeZone: "Europe/Madrid",
		Hours:    []sla.Period{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Open: "09:00", Close: "17:00"}},
	})
	if err != nil {
		panic(err)
	}
	opened := time.Date(2026, 5, 15, 16, 30, 0, 0, cal.Location())
	fmt.Println(cal.Add(opened, time.Hour).Format("Mon 2006-01-02 15:04"))
	fmt.Println(cal.Between(opened, time.Date(2026, 5, 18, 10, 0, 0, 0, cal.Location())))
	// Output:
	// Mon 2026-05-18 09:30
	// 1h30m0s
}

func ExampleTarget_State() {
	cal, err := sla.NewCalendar(sla.Config{
		TimeZone: "America/Mexico_City",
		Hours:    []sla.Period{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Open: "09:00", Close: "17:00"}},
	})
	if err != nil {
		panic(err)
	}
	frt := sla.Target{Metric: sla.FirstResponse, Duration: time.Hour, WarnBefore: 15 * time.Minute}
	opened := time.Date(2026, 5, 15, 16, 30, 0, 0, cal.Location())
	warnAt, breachAt := frt.Deadline(cal, opened)
	fmt.Println("warn", warnAt.Format("Mon 15:04"), "breach", breachAt.Format("Mon 15:04"))
	for _, now := range []string{"Sat 12:00", "Mon 09:20", "Mon 09:45"} {
		at, _ := time.ParseInLocation("2006-01-02 Mon 15:04", "2026-05-1"+map[string]string{"Sat": "6", "Mon": "8"}[now[:3]]+" "+now, cal.Location())
		fmt.Println(now, frt.State(cal, at, opened, time.Time{}))
	}
	// Output:
	// warn Mon 09:15 breach Mon 09:30
	// Sat 12:00 active
	// Mon 09:20 warning
	// Mon 09:45 breached
}
