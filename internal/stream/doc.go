// Package stream is Vigía's durable intake: a NATS JetStream stream of
// normalized messages. By default the NATS server runs embedded in the vigia
// process with file storage under the data directory; with a URL configured
// the same code talks to an external NATS cluster.
//
// Publish returns only after JetStream acknowledged every message (PubAck),
// with the message ID as Nats-Msg-Id so the stream drops re-published
// duplicates inside its duplicate window. Consumers use explicit acks: a
// delivery is acked by its handler only after the data it vouches for is
// committed downstream.
package stream
