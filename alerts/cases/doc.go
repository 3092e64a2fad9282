// Package cases threads classified messages into cases (conversations) and
// keeps each case's lifecycle and response clocks.
//
// A [Tracker] takes messages in order ([Tracker.Observe]), agent actions
// ([Tracker.Apply]) and the passing of time ([Tracker.Tick]), and returns
// the [Event]s they cause: opened, acknowledged, responded, followed_up,
// replied, claimed, resolved, reopened, not_complaint, and inbound/outbound
// for messages that join a case without changing its state. A case belongs
// to one customer of one brand on one channel.
//
// Threading, for an inbound message: the case of the message it replies to
// or of its conversation id (a DM chat, a tweet thread) when that case
// belongs to the same customer; else the customer's latest case if its last
// message is within [Config.Gap]; else a new case. A resolved case reopens
// when the customer writes again within [Config.ReopenWindow] of the
// resolution; after that the message opens a new case. An outbound message
// joins the case of the message it replies to, or of its conversation; an
// outbound message that matches no case is ignored.
//
// Response metrics follow FIELD.md 2.1: the first response time runs from
// the customer's first message (or the reopening) to the first human reply;
// the next response time from each customer follow-up after a human reply
// to the next human reply; the resolution time from the opening (or
// reopening) to the resolution. Automatic replies (see [Config]) are
// recorded as acknowledged and never stop a clock; an agent's "replied"
// action counts as a human reply. Each duration is carried by the event
// that stops it in calendar seconds and in business seconds on the brand's
// [sla.Calendar].
//
// The events are the case state: they are written to ClickHouse
// (table case_events, through a [Store]) and [Tracker.Rebuild] restores
// the tracker from them at start. Every message id of a live case is part
// of the state, so a message redelivered after a restart causes no second
// event. The tracker holds no policy: [Tracker.Open] lists each open case
// with the clock it runs ([CaseState.Waiting], [CaseState.WaitingSince]) for
// the SLA layer to compute deadlines.
//
// Times are kept at whole seconds (as ClickHouse DateTime stores them), so
// a rebuilt tracker equals the live one exactly.
package cases
