// Package collectors defines how messages enter Vigía. A Collector reads one
// source (a file, an HTTP endpoint, a platform API, a simulator) and hands
// normalized messages to a Publisher, which returns only once they are
// durably in the stream. Each collector lives in its own sub-package.
package collectors

import (
	"context"

	"github.com/vigia-dev/vigia/internal/message"
)

// Publisher takes normalized messages into the durable stream. Publish
// returns nil only after every message is acknowledged by the stream, so a
// collector may advance its cursor or answer its caller once it returns.
type Publisher interface {
	Publish(ctx context.Context, msgs ...message.Message) error
}

// Collector reads one source until ctx is cancelled or the source ends.
// Run returns nil on cancellation and on a clean end of input.
type Collector interface {
	Name() string
	Run(ctx context.Context, pub Publisher) error
}
