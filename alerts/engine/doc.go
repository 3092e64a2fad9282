// Package engine runs the alerting stages for the stream of stored,
// classified messages: it threads them into cases (alerts/cases), stores
// every case event before the messages are acked, evaluates the rules
// (alerts/rules) for the cases that changed and on a clock for the ones
// whose SLA deadlines come due, and hands the firing and resolved alerts to
// the dispatcher. It also applies the chat buttons' actions: case events
// and, for "not a complaint" and "spam", classifier feedback labels.
//
// Its state is a projection: at start it is rebuilt from the case_events
// table, and the rules give the same alerts, with the same fingerprints,
// as before the restart, so the dispatcher's persistent log sends nothing
// twice.
package engine
