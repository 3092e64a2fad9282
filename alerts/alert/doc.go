// Package alert defines the alert that flows from the rules to the
// receivers, and the label matchers that routes, silences and inhibition
// rules select alerts with.
//
// An alert is identified by its label set alone: two alerts with the same
// labels are the same alert, whatever their annotations or times say. The
// [Alert.Fingerprint] of that label set is the de-duplication key.
//
// Matchers follow Prometheus Alertmanager's four operators:
//
//	brand="acme"        equal
//	brand!="acme"       not equal
//	priority=~"urgent|influencer"   regexp, anchored at both ends
//	channel!~"x|tele.*"             negated regexp, anchored
//
// A missing label matches as the empty string. Values may be written bare
// (brand=acme) or as a Go-quoted string (brand="acme co").
package alert
