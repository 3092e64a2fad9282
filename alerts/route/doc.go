// Package route decides which receivers an alert goes to and how alerts are
// grouped there, in the shape of Prometheus Alertmanager's routing tree.
//
// A route matches an alert when all its matchers match. Matching walks the
// tree depth first: an alert that matches a route is offered to its
// children in order, and stops at the first child that matches unless that
// child sets continue. When no child matches, the route itself takes the
// alert. The root matches every alert.
//
//	route:
//	  receiver: care-team
//	  group_by: [brand, rule]
//	  group_wait: 30s
//	  routes:
//	    - matchers: ['priority=~"urgent|influencer"']
//	      receiver: oncall-telegram
//	      group_wait: 0s
//	      continue: true
//	    - matchers: [brand=acme]
//	      receiver: acme-mattermost
//	      active_time_intervals: [business-hours]
//
// A child inherits every setting it leaves unset: receiver, group_by and
// the three timers, and the mute and active time interval lists. Unset means
// absent from the YAML; an explicit empty list (group_by: [] or
// mute_time_intervals: []) is a setting of its own. Matchers and continue
// are never inherited.
//
// group_by lists the labels whose values split alerts into groups; an empty
// list puts all of the route's alerts in one group and ["..."] makes every
// distinct label set its own group.
package route
