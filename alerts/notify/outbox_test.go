package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/dispatch"
	"github.com/vigia-dev/vigia/alerts/notify"
	"github.com/vigia-dev/vigia/alerts/notify/webhook"
	"github.com/vigia-dev/vigia/internal/backoff"
	"github.com/vigia-dev/vigia/internal/stream"
)

// endpoint is a webhook endpoint whose answers the test scripts.
type endpoint struct {
	mu       sync.Mutex
	answers  []int // status codes to answer next; 200 once exhausted
	header   http.Header
	received []received
}

type received struct {
	key string
	at  time.Time
	doc webhook.Payload
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	e.mu.Lock()
	defer e.mu.Unlock()
	status := http.StatusOK
	if len(e.answers) > 0 {
		status, e.answers = e.answers[0], e.answers[1:]
	}
	if status != http.StatusOK {
		for k, v := range e.header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		return
	}
	var doc webhook.Payload
	_ = json.Unmarshal(body, &doc)
	e.received = append(e.received, received{key: r.Header.Get(webhook.HeaderIdempotencyKey), at: time.Now(), doc: doc})
}

func (e *endpoint) got() []received {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]received(nil), e.received...)
}

func (e *endpoint) script(header http.Header, statuses ...int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.answers, e.header = statuses, header
}

// records is a Recorder keeping what the outbox reports.
type records struct {
	mu   sync.Mutex
	list []notify.Record
}

func (r *records) Record(_ context.Context, rec notify.Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, rec)
}

func (r *records) statuses() []notify.Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []notify.Status
	for _, rec := range r.list {
		out = append(out, rec.Status)
	}
	return out
}

type harness struct {
	t    *testing.T
	st   *stream.Stream
	ep   *endpoint
	srv  *httptest.Server
	recs *records
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ep := &endpoint{}
	srv := httptest.NewServer(ep)
	t.Cleanup(srv.Close)
	cfg := stream.DefaultConfig()
	cfg.StoreDir = t.TempDir()
	st, err := stream.Open(t.Context(), cfg, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	require.NoError(t, err)
	t.Cleanup(st.Close)
	return &harness{t: t, st: st, ep: ep, srv: srv, recs: &records{}}
}

// start runs an outbox until the returned stop is called.
func (h *harness) start() (*notify.Outbox, func()) {
	h.t.Helper()
	cfg := webhook.DefaultConfig()
	cfg.Name, cfg.URL = "hook", h.srv.URL
	r, err := webhook.New(cfg, []byte("0123456789abcdef"))
	require.NoError(h.t, err)
	ob, err := notify.NewOutbox(h.t.Context(), h.st.JetStream(), notify.OutboxOptions{
		Backoff: backoff.Policy{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond},
		// A restart hands over what the stopped loop held after AckWait.
		AttemptTimeout: time.Second, AckWait: 2 * time.Second,
	}, []notify.Receiver{r}, h.recs, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	require.NoError(h.t, err)
	ctx, cancel := context.WithCancel(h.t.Context())
	done := make(chan error, 1)
	go func() { done <- ob.Run(ctx) }()
	return ob, func() {
		cancel()
		require.NoError(h.t, <-done)
	}
}

// waitStatuses waits until the records show want (a record follows its
// delivery by a moment).
func (h *harness) waitStatuses(want ...notify.Status) {
	h.t.Helper()
	require.Eventually(h.t, func() bool { return len(h.recs.statuses()) >= len(want) }, 10*time.Second, 5*time.Millisecond)
	require.Equal(h.t, want, h.recs.statuses())
}

func group(id string, version uint64, kind dispatch.Kind, alerts int) dispatch.Group {
	g := dispatch.Group{Key: "{}:{brand=\"acme\"}", ID: id, Version: version, Kind: kind, Receiver: "hook",
		Labels: map[string]string{"brand": "acme"}}
	for i := range alerts {
		g.Alerts = append(g.Alerts, alert.Alert{
			Labels:   map[string]string{"brand": "acme", "rule": "urgent", "case_id": string(rune('a' + i))},
			StartsAt: time.Unix(1_800_000_000, 0),
		})
	}
	return g
}

func TestOutboxDeliversInOrderAndOnce(t *testing.T) {
	h := newHarness(t)
	ob, stop := h.start()
	defer stop()
	ctx := t.Context()
	require.NoError(t, ob.Notify(ctx, group("g1", 1, dispatch.KindFirst, 1)))
	require.NoError(t, ob.Notify(ctx, group("g1", 1, dispatch.KindFirst, 1))) // a retried Notify
	require.NoError(t, ob.Notify(ctx, group("g1", 2, dispatch.KindUpdate, 2)))
	require.Eventually(t, func() bool { return len(h.ep.got()) == 2 }, 10*time.Second, 10*time.Millisecond)
	got := h.ep.got()
	require.Equal(t, "hook/g1/1", got[0].key)
	require.Equal(t, "hook/g1/2", got[1].key)
	require.Equal(t, 2, got[1].doc.Firing)
	require.Equal(t, dispatch.KindUpdate, got[1].doc.Kind)
	h.waitStatuses(notify.StatusSent, notify.StatusSent)
}

func TestOutboxRetriesServerErrorsAndHonoursRetryAfter(t *testing.T) {
	h := newHarness(t)
	h.ep.script(http.Header{"Retry-After": {"1"}}, http.StatusInternalServerError, http.StatusTooManyRequests)
	ob, stop := h.start()
	defer stop()
	start := time.Now()
	require.NoError(t, ob.Notify(t.Context(), group("g1", 1, dispatch.KindFirst, 1)))
	require.Eventually(t, func() bool { return len(h.ep.got()) == 1 }, 10*time.Second, 10*time.Millisecond)
	// The 429 asked for one second: the delivery cannot come sooner.
	require.GreaterOrEqual(t, h.ep.got()[0].at.Sub(start), time.Second)
	h.waitStatuses(notify.StatusRetry, notify.StatusRetry, notify.StatusSent)
	h.recs.mu.Lock()
	defer h.recs.mu.Unlock()
	require.Equal(t, notify.ReasonServerError, h.recs.list[0].Reason)
	require.Equal(t, notify.ReasonRateLimited, h.recs.list[1].Reason)
	require.Equal(t, 3, h.recs.list[2].Attempt)
}

func TestOutboxGivesUpOnClientErrorsAndGoesOn(t *testing.T) {
	h := newHarness(t)
	h.ep.script(nil, http.StatusBadRequest)
	ob, stop := h.start()
	defer stop()
	require.NoError(t, ob.Notify(t.Context(), group("g1", 1, dispatch.KindFirst, 1)))
	require.NoError(t, ob.Notify(t.Context(), group("g2", 1, dispatch.KindFirst, 1)))
	require.Eventually(t, func() bool { return len(h.ep.got()) == 1 }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, "hook/g2/1", h.ep.got()[0].key)
	h.waitStatuses(notify.StatusFailed, notify.StatusSent)
}

func TestOutboxSurvivesRestartDuringOutage(t *testing.T) {
	h := newHarness(t)
	statuses := make([]int, 1000)
	for i := range statuses {
		statuses[i] = http.StatusServiceUnavailable
	}
	h.ep.script(nil, statuses...)
	ob, stop := h.start()
	require.NoError(t, ob.Notify(t.Context(), group("g1", 1, dispatch.KindFirst, 1)))
	require.Eventually(t, func() bool { return len(h.recs.statuses()) >= 2 }, 10*time.Second, 5*time.Millisecond)
	stop() // the process stops while the chat is down
	require.Empty(t, h.ep.got())

	h.ep.script(nil) // the chat is back
	_, stop = h.start()
	defer stop()
	require.Eventually(t, func() bool { return len(h.ep.got()) == 1 }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, "hook/g1/1", h.ep.got()[0].key)
}

func TestOutboxSkipsVersionsOlderThanDelivered(t *testing.T) {
	h := newHarness(t)
	ob, stop := h.start()
	defer stop()
	require.NoError(t, ob.Notify(t.Context(), group("g1", 2, dispatch.KindUpdate, 2)))
	require.Eventually(t, func() bool { return len(h.ep.got()) == 1 }, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, ob.Notify(t.Context(), group("g1", 1, dispatch.KindFirst, 1)))
	require.Eventually(t, func() bool { return len(h.recs.statuses()) == 2 }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, []notify.Status{notify.StatusSent, notify.StatusSkipped}, h.recs.statuses())
	require.Len(t, h.ep.got(), 1)
}

func TestOutboxRefusesUnknownReceiver(t *testing.T) {
	h := newHarness(t)
	ob, stop := h.start()
	defer stop()
	g := group("g1", 1, dispatch.KindFirst, 1)
	g.Receiver = "nobody"
	require.ErrorContains(t, ob.Notify(t.Context(), g), `no receiver named "nobody"`)
}
