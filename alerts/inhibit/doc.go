// Package inhibit mutes alerts that another firing alert already explains:
// while an outage alert for a brand fires, the individual complaint alerts
// of that brand would only repeat it.
//
//	inhibit_rules:
//	  - source_matchers: [rule=outage]
//	    target_matchers: ['rule=~"complaint|urgent"']
//	    equal: [brand]
//
// A target alert is muted while a firing source alert has the same values
// for every label in equal; a missing label and an empty one are equal. An
// alert that matches both sides of a rule is not muted by alerts that also
// match both sides, so such alerts never mute each other or themselves.
//
// Checking a target against every firing alert would be quadratic, so the
// firing alerts are indexed once per rule in a [Snapshot] and each target
// is a few map lookups.
package inhibit
