// Package alerts is the root of the alerting tree: it turns classified
// messages into cases, measures their response times against SLA targets
// and notifies the care team.
//
//   - alerts/cases: threading messages into cases, the case lifecycle as
//     events stored in ClickHouse, response times in calendar and business
//     seconds, and the state rebuilt from the events at start;
//   - alerts/sla: business-hours calendars (time zone, weekly and overnight
//     periods, holiday dates and iCal files), deadline arithmetic correct
//     across DST changes, and SLA target states;
//   - alerts/rules: which alerts fire for a case (urgent, influencer
//     waiting, SLA warning and breach, escalation steps) and for a brand's
//     traffic (troll storm);
//   - alerts/engine: the stage that runs cases and rules for every stored
//     message and applies the chat buttons' actions;
//   - alerts/alert, alerts/route, alerts/dispatch, alerts/silence,
//     alerts/inhibit and alerts/timeinterval: Alertmanager's model of
//     alerts, routing tree, grouping and timers, silences, inhibition and
//     time intervals;
//   - alerts/notify: the receivers (log, webhook, Telegram, Mattermost)
//     behind a durable, retrying, recorded outbox, and the signed buttons.
package alerts
