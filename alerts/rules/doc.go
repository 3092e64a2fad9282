// Package rules decides which alerts fire: from the open cases (urgent
// message, influencer waiting, SLA warning, SLA breach, escalation steps
// after a breach) and from the recent traffic of each brand (troll storm).
//
// Rules are evaluated the way Prometheus evaluates alerting rules: each
// evaluation returns the complete set of alerts firing now, and the caller
// resolves what is no longer in it. An alert's labels come only from the
// case's identity and state (brand, channel, priority, rule, language,
// case_id, and sla or escalation where relevant), so the same case yields
// the same alert, with the same fingerprint, before and after a restart.
package rules
