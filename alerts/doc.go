// Package alerts is the root of the alerting tree: it turns classified
// messages into cases, measures their response times against SLA targets
// and notifies the care team.
//
// The tree is planned as cases (threading, and case state rebuilt from
// events), sla, rules (urgent, influencer complaint, troll storm, SLA
// warning and breach, escalation), routing with noise control, and notify
// (receivers behind a durable outbox).
//
// What exists so far:
//   - alerts/sla: business-hours calendars (time zone, weekly and overnight
//     periods, holiday dates and iCal files), deadline arithmetic correct
//     across DST changes, and SLA target states;
//   - alerts/alert: the alert and its label matchers;
//   - alerts/route, alerts/dispatch, alerts/silence, alerts/inhibit and
//     alerts/timeinterval: Alertmanager's routing tree, grouping and timers,
//     silences, inhibition and time intervals.
//
// Not yet: cases, rules and notify.
package alerts
