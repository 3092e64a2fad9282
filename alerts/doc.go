// Package alerts is the root of the alerting tree: it turns classified
// messages into cases, measures their response times against SLA targets
// and notifies the care team.
//
// The tree is planned as alerts/cases (threading and case state rebuilt
// from events), alerts/sla (business-hours calendars and deadlines),
// alerts/rules (urgent, influencer complaint, troll storm, SLA warning and
// breach), alerts/route (Alertmanager-style routing, grouping, silences and
// inhibition) and alerts/notify (receivers and a durable outbox).
//
// Only alerts/sla exists so far. It is a pure library: a calendar with time
// zone, weekly open periods and holidays (dates and iCal), deadline
// arithmetic in business or calendar time that is correct across DST
// changes, and SLA target states.
package alerts
