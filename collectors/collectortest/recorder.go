package collectortest

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/vigia-dev/vigia/internal/message"
)

// Recorder is an in-memory collectors.Publisher. It keeps every message of
// every successful Publish call, in order, and fails every call while an
// error is set with Fail. It is safe for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	msgs    []message.Message
	calls   int
	failErr error
	changed chan struct{}
}

// NewRecorder returns an empty Recorder that accepts everything.
func NewRecorder() *Recorder { return &Recorder{changed: make(chan struct{})} }

// Publish records msgs, or returns the error set with Fail and records nothing.
func (r *Recorder) Publish(ctx context.Context, msgs ...message.Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("publish %d messages: %w", len(msgs), err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.failErr != nil {
		return fmt.Errorf("publish %d messages: %w", len(msgs), r.failErr)
	}
	r.msgs = append(r.msgs, msgs...)
	close(r.changed)
	r.changed = make(chan struct{})
	return nil
}

// Fail makes every later Publish return err; Fail(nil) accepts again.
func (r *Recorder) Fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failErr = err
}

// Messages returns a copy of every message recorded so far.
func (r *Recorder) Messages() []message.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.msgs)
}

// Len returns how many messages were recorded.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}

// Calls returns how many times Publish was called, failed calls included.
func (r *Recorder) Calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

// IDs returns the IDs of the recorded messages, in order.
func (r *Recorder) IDs() []message.ID {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]message.ID, len(r.msgs))
	for i, m := range r.msgs {
		ids[i] = m.ID
	}
	return ids
}

// WaitFor blocks until at least n messages are recorded or ctx is done, and
// reports whether n were reached.
func (r *Recorder) WaitFor(ctx context.Context, n int) bool {
	for {
		r.mu.Lock()
		got, ch := len(r.msgs), r.changed
		r.mu.Unlock()
		if got >= n {
			return true
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		}
	}
}
