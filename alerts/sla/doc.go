// Package sla computes business-hours deadlines and SLA states.
//
// A [Calendar] holds a time zone, weekly open periods (several a day,
// overnight periods allowed) and closures: holiday dates, and holidays read
// from an iCal (RFC 5545) file with [ParseICal]. Its operations work on the
// zone's wall-clock periods converted to instants, so they are correct
// across DST changes: a one-hour target across a change is one real hour of
// open time. A calendar in 24x7 mode is always open and counts calendar
// time.
//
// A [Target] (first response, next response or resolution) has a duration
// on a calendar or business clock and an optional warning, and gives the
// warning and breach instants of a case ([Target.Deadline]) and its state
// at a given moment ([Target.State]).
//
// Everything here is a pure function of its arguments: the current time is
// always passed in, never read from the system clock. The only I/O is
// [NewCalendar] reading the iCal file a [Config] names.
package sla
