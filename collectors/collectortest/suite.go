package collectortest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/collectors"
)

// Subject is one freshly built collector under test, with its input fixed.
type Subject struct {
	// Collector is the collector under test.
	Collector collectors.Collector
	// Push delivers the subject's fixed input to a push collector (one fed
	// from outside, like the webhook) while Run is running, and returns nil
	// only if the source was told its input was accepted. Nil for pull
	// collectors, which read their input themselves.
	Push func(ctx context.Context) error
	// Checkpoint, if set, returns the collector's cursor, which must not move
	// while Publish fails.
	Checkpoint func() string
}

// Factory builds a new Subject that publishes to pub. Every call must build
// a collector over the same input, so IDs can be compared across runs.
type Factory func(t *testing.T, pub collectors.Publisher) Subject

// Timeouts of the suite. Collectors must stop well within StopTimeout.
const (
	StopTimeout    = 5 * time.Second
	FailureWindow  = 2 * time.Second
	sampleMessages = 50
)

// ErrInjected is the error the suite's failing Recorder returns.
var ErrInjected = errors.New("collectortest: injected publish failure")

// Run runs the conformance suite against the collectors built by factory.
func Run(t *testing.T, factory Factory) {
	t.Helper()
	t.Run("stops_on_cancel", func(t *testing.T) { testStopsOnCancel(t, factory) })
	t.Run("publish_failure_not_success", func(t *testing.T) { testPublishFailure(t, factory) })
	t.Run("stable_ids", func(t *testing.T) { testStableIDs(t, factory) })
	t.Run("valid_messages", func(t *testing.T) { testValidMessages(t, factory) })
}

// start runs c in a goroutine and returns the channel its result arrives on.
func start(ctx context.Context, c collectors.Collector, pub collectors.Publisher) <-chan error {
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, pub) }()
	return done
}

// waitRun waits up to d for Run's result; ok is false on timeout.
func waitRun(done <-chan error, d time.Duration) (err error, ok bool) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case err := <-done:
		return err, true
	case <-timer.C:
		return nil, false
	}
}

func testStopsOnCancel(t *testing.T, factory Factory) {
	rec := NewRecorder()
	s := factory(t, rec)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := start(ctx, s.Collector, rec)
	if s.Push != nil {
		require.NoError(t, s.Push(ctx), "push while running")
	} else if err, ended := waitFirst(ctx, done, rec); ended {
		require.NoError(t, err, "Run must return nil at a clean end of input")
		return
	}
	cancel()
	err, ok := waitRun(done, StopTimeout)
	require.True(t, ok, "Run did not return within %v of cancel", StopTimeout)
	require.NoError(t, err, "Run must return nil on cancel")
}

// waitFirst waits until rec holds n messages, Run ends (ended is true and
// err is its result), or StopTimeout passes.
func waitFirst(ctx context.Context, done <-chan error, rec *Recorder) (err error, ended bool) {
	return waitN(ctx, done, rec, 1)
}

func waitN(ctx context.Context, done <-chan error, rec *Recorder, n int) (err error, ended bool) {
	wctx, cancel := context.WithTimeout(ctx, StopTimeout)
	defer cancel()
	got := make(chan struct{})
	go func() { rec.WaitFor(wctx, n); close(got) }()
	select {
	case <-got:
		return nil, false
	case err := <-done:
		return err, true
	}
}

func testPublishFailure(t *testing.T, factory Factory) {
	rec := NewRecorder()
	rec.Fail(ErrInjected)
	s := factory(t, rec)
	var before string
	if s.Checkpoint != nil {
		before = s.Checkpoint()
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := start(ctx, s.Collector, rec)
	if s.Push != nil {
		require.Error(t, s.Push(ctx), "push must not be acknowledged when publish fails")
		cancel()
		err, ok := waitRun(done, StopTimeout)
		require.True(t, ok, "Run did not return within %v of cancel", StopTimeout)
		require.NoError(t, err)
	} else {
		err, ok := waitRun(done, FailureWindow)
		if ok {
			require.Error(t, err, "Run must not end cleanly after a failed publish")
			require.ErrorIs(t, err, ErrInjected, "got %v, want it to wrap the publish error", err)
		} else {
			cancel()
			_, ok = waitRun(done, StopTimeout)
			require.True(t, ok, "Run did not return within %v of cancel", StopTimeout)
		}
	}
	require.Positive(t, rec.Calls(), "collector never tried to publish")
	require.Zero(t, rec.Len(), "nothing can be recorded while publish fails")
	if s.Checkpoint != nil {
		require.Equal(t, before, s.Checkpoint(), "checkpoint moved while publish failed")
	}
}

// collect runs a fresh subject until it has published sampleMessages or ends.
func collect(t *testing.T, factory Factory) *Recorder {
	t.Helper()
	rec := NewRecorder()
	s := factory(t, rec)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := start(ctx, s.Collector, rec)
	if s.Push != nil {
		require.NoError(t, s.Push(ctx))
	} else if err, ended := waitN(ctx, done, rec, sampleMessages); ended {
		require.NoError(t, err)
		return rec
	}
	cancel()
	err, ok := waitRun(done, StopTimeout)
	require.True(t, ok, "Run did not return within %v of cancel", StopTimeout)
	require.NoError(t, err)
	return rec
}

func testStableIDs(t *testing.T, factory Factory) {
	a, b := collect(t, factory).IDs(), collect(t, factory).IDs()
	n := min(len(a), len(b))
	require.Positive(t, n, "no messages published")
	require.Equal(t, a[:n], b[:n], "IDs differ between two runs over the same input")
}

func testValidMessages(t *testing.T, factory Factory) {
	for i, m := range collect(t, factory).Messages() {
		require.NoError(t, m.Validate(), "message %d (%s)", i, m.ID)
		require.False(t, m.ReceivedAt.IsZero(), "message %d (%s): received_at unset", i, m.ID)
	}
}
