package process

import (
	"context"

	"github.com/vigia-dev/vigia/classify"
	"github.com/vigia-dev/vigia/internal/message"
)

// Labeler adapts a classify.Classifier to the processor: it passes each
// inbound message with how many messages the customer has written in the
// conversation without an answer, and writes the result into the message.
// The brand's own (outbound) messages are not labeled; they reset the
// conversation's count.
type Labeler struct {
	c          *classify.Classifier
	unanswered *Unanswered
}

// NewLabeler returns a Labeler over c, tracking at most maxConversations
// open conversations (0 means 100,000).
func NewLabeler(c *classify.Classifier, maxConversations int) *Labeler {
	return &Labeler{c: c, unanswered: NewUnanswered(maxConversations)}
}

// Classify implements Classifier.
func (l *Labeler) Classify(ctx context.Context, m *message.Message) error {
	n := l.unanswered.Observe(m)
	if m.Direction == message.DirectionOutbound {
		return nil
	}
	r, err := l.c.Classify(ctx, *m, classify.Input{UnansweredInConversation: n})
	if err != nil {
		return err
	}
	classify.Apply(m, r)
	return nil
}
