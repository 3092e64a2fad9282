// Package ack sends automatic acknowledgements: once per case opening or
// reopening, in the customer's language, it tells the customer their
// message arrived and when a person will answer, computed from the brand's
// business calendar and SLA policy ("we'll reply by Monday 23 November at
// 09:30").
//
// The alerts engine calls [Acknowledger.Consider] for every stored case
// event. Only opened and reopened events by a customer are candidates; the
// acknowledgement is skipped, and counted with its reason, when the brand
// and channel have it off, the message is spam or troll, the episode was
// acknowledged already (also across restarts, through the case's
// AcknowledgedAt), the case was answered meanwhile, the message is older
// than max_age, nothing can send on the channel, or the brand's rate limit
// is spent. [Acknowledger.Run] sends from a bounded queue with bounded,
// backed-off retries through a [Sender] (Telegram or the brand's webhook),
// then records the reply as an outbound message labelled "automatic" on
// the stream. The case tracker turns that message into an acknowledged
// event, which never stops a response clock: an automatic acknowledgement
// is never the first response.
//
// docs/acknowledgements.md has the configuration and an example.
package ack
