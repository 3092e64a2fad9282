// Package timeinterval defines named, recurring periods of time, such as
// "weekday business hours in Madrid" or "the last three days of each
// month", that routes use to mute notifications or to allow them only then.
//
// A named interval is a list of specs; a time is inside the interval when it
// is inside any spec. A spec is a conjunction of optional fields, each a list
// of ranges, evaluated in the spec's location (UTC when unset):
//
//	time_intervals:
//	  - name: business-hours
//	    time_intervals:
//	      - weekdays: ["monday:friday"]
//	        times: [{start_time: "09:00", end_time: "17:00"}]
//	        location: Europe/Madrid
//
// Times of day are half-open: start_time is inside, end_time is not, and
// end_time may be "24:00". Ranges of weekdays, days of the month, months and
// years are inclusive. Days of the month may count back from the end of the
// month: -1 is the last day. An empty field means "any".
package timeinterval
