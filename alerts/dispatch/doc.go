// Package dispatch aggregates alerts into groups and decides when each
// group is notified, following Prometheus Alertmanager's dispatcher.
//
// Every alert is routed (package route) to one or more routes; on each it
// joins the group of alerts with the same values for the route's group_by
// labels. A group is one chat post: its first notification creates the post
// and later ones update it, so a group carries a stable Key, an ID for the
// post and a Version that grows with each notification.
//
// Timing, per route:
//
//   - group_wait: a new group waits this long before its first
//     notification, so that related alerts (and the alerts that inhibit
//     them) arrive first. 0 notifies at once. An alert that started more
//     than group_wait ago does not wait again.
//   - group_interval: after that, the group is looked at every
//     group_interval, and notified if an alert started firing (or was
//     unmuted) or an alert that was shown as firing resolved.
//   - repeat_interval: an unchanged group with firing alerts is notified
//     again once this long has passed since its last notification; it is
//     checked at each group_interval, so it is rounded up to a multiple.
//
// Before notifying, firing alerts that a silence or an inhibition rule
// mutes are left out, and nothing is sent while a route's mute time
// intervals contain the current time or its active time intervals do not.
// Resolved alerts appear once, in the notification after they resolved, and
// only if a previous notification showed them firing; an alert that fires
// and resolves unseen is never sent. When a notification shows no firing
// alert the post is finished, and the next alert of that key starts a new
// one.
//
// Time comes from a [Clock]. The dispatcher does no I/O of its own: the
// [Notifier] hands groups to the delivery outbox, and a [Log] remembers what
// each group last showed so that a restart neither repeats nor forgets
// posts.
package dispatch
