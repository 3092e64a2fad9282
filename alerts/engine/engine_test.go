package engine_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/cases"
	"github.com/vigia-dev/vigia/alerts/engine"
	"github.com/vigia-dev/vigia/alerts/notify"
	"github.com/vigia-dev/vigia/alerts/rules"
	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/storage"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
)

// sink records what the engine hands the dispatcher.
type sink struct {
	mu     sync.Mutex
	alerts []alert.Alert
}

func (s *sink) Put(as ...alert.Alert) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alerts = append(s.alerts, as...)
}

// take returns "rule:firing|resolved" for what arrived since the last call.
func (s *sink) take(now time.Time) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, a := range s.alerts {
		state := "firing"
		if a.Resolved(now) {
			state = "resolved"
		}
		out = append(out, a.Labels[alert.LabelRule]+":"+state)
	}
	slices.Sort(out)
	s.alerts = nil
	return out
}

// flakyStore fails the first n inserts, then stores for real.
type flakyStore struct {
	*cases.Store
	mu   sync.Mutex
	fail int
}

func (f *flakyStore) Insert(ctx context.Context, evs []cases.Event) error {
	f.mu.Lock()
	if f.fail > 0 {
		f.fail--
		f.mu.Unlock()
		return errors.New("clickhouse unavailable")
	}
	f.mu.Unlock()
	return f.Store.Insert(ctx, evs)
}

// feedback stores corrections in the real labels table.
type feedback struct {
	db *chtest.DB
}

func (f feedback) InsertFeedback(ctx context.Context, fb []engine.Feedback) error {
	rows := make([]storage.Feedback, len(fb))
	for i, x := range fb {
		rows[i] = storage.Feedback{MessageID: x.MessageID, Brand: x.Brand, Label: x.Label, Value: x.Value, Actor: x.Actor, CreatedAt: x.At}
	}
	return storage.InsertFeedback(ctx, f.db.Conn, f.db.Database, rows)
}

type harness struct {
	eng   *engine.Engine
	track *cases.Tracker
	sink  *sink
	store *flakyStore
	now   time.Time
}

func newHarness(t *testing.T, db *chtest.DB, now time.Time) *harness {
	t.Helper()
	tr, err := cases.NewTracker(cases.DefaultConfig(), nil, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	require.NoError(t, err)
	h := &harness{track: tr, sink: &sink{}, store: &flakyStore{Store: cases.NewStore(db.Conn, db.Database)}, now: now}
	cfg := rules.DefaultConfig()
	cfg.TrollStorm = rules.Storm{Threshold: 3, Window: 10 * time.Minute}
	h.eng, err = engine.New(engine.Options{
		Tracker: tr, Rules: rules.NewEvaluator(cfg, nil, nil), Storm: cfg.TrollStorm,
		Events: h.store, Feedback: feedback{db}, Sink: h.sink, Now: func() time.Time { return h.now },
		Registerer: prometheus.NewRegistry(),
	})
	require.NoError(t, err)
	return h
}

func inbound(id, customer string, at time.Time, labels ...string) message.Message {
	m := message.Message{ID: message.ID("x:" + id), Brand: "acme", Channel: message.ChannelX, Kind: message.KindMention,
		Direction: message.DirectionInbound, Author: message.Author{ID: customer}, Text: "...", Lang: "es", CreatedAt: at}
	for _, l := range labels {
		m.Labels = append(m.Labels, message.Label{Name: l, Score: 0.9, Decision: true})
	}
	return m
}

func TestEngineAgainstClickHouse(t *testing.T) {
	db := chtest.New(t)
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	h := newHarness(t, db, t0.Add(time.Minute))
	ctx := t.Context()

	// An urgent message fires an urgent alert; spam opens no case.
	require.NoError(t, h.eng.Observe(ctx, []message.Message{
		inbound("1", "c1", t0, "urgent"),
		inbound("2", "spammer", t0, "spam"),
	}))
	require.Equal(t, []string{"urgent:firing"}, h.sink.take(h.now))
	require.Len(t, h.track.Open(), 1)

	// A failed store keeps the events and reports the error; the
	// redelivered message stores them and causes nothing new.
	h.store.fail = 1
	followUp := inbound("3", "c2", t0.Add(10*time.Second), "urgent")
	require.ErrorContains(t, h.eng.Observe(ctx, []message.Message{followUp}), "clickhouse unavailable")
	require.NoError(t, h.eng.Observe(ctx, []message.Message{followUp}))
	stored, err := h.store.Load(ctx, t0.Add(-time.Hour))
	require.NoError(t, err)
	require.Len(t, stored, 2, "both openings stored once")
	h.sink.take(h.now)

	// Three trolls in the window are a storm; redelivery does not count twice.
	trolls := []message.Message{inbound("4", "t1", t0, "troll"), inbound("5", "t2", t0.Add(time.Second), "troll")}
	require.NoError(t, h.eng.Observe(ctx, trolls))
	require.NoError(t, h.eng.Observe(ctx, trolls))
	require.Empty(t, h.sink.take(h.now))
	require.NoError(t, h.eng.Observe(ctx, []message.Message{inbound("6", "t3", t0.Add(2*time.Second), "troll")}))
	require.Equal(t, []string{"troll_storm:firing"}, h.sink.take(h.now))

	// The brand's reply resolves the urgent alert of c1.
	reply := message.Message{ID: "x:r1", Brand: "acme", Channel: message.ChannelX, Kind: message.KindReply,
		Direction: message.DirectionOutbound, InReplyTo: "x:1", Author: message.Author{ID: "brand", Handle: "AcmeHelp"},
		Text: "...", CreatedAt: t0.Add(30 * time.Second)}
	require.NoError(t, h.eng.Observe(ctx, []message.Message{reply}))
	require.Equal(t, []string{"urgent:resolved"}, h.sink.take(h.now))

	// A "spam" button on c2's case resolves it, resolves its alert and
	// stores a feedback label on its message.
	st, ok := h.track.CaseOf("x:3")
	require.True(t, ok)
	text, err := h.eng.HandleAction(ctx, notify.Action{Kind: notify.ActionSpam, CaseID: st.ID, Actor: "mattermost:ana", At: t0.Add(time.Minute)})
	require.NoError(t, err)
	require.Equal(t, "Marked as spam and resolved", text)
	require.Equal(t, []string{"urgent:resolved"}, h.sink.take(h.now))
	var label string
	var value uint8
	require.NoError(t, db.Conn.QueryRow(ctx, fmt.Sprintf("SELECT label, value FROM %s.labels FINAL WHERE message_id = 'x:3'", db.Database)).Scan(&label, &value))
	require.Equal(t, "spam", label)
	require.Equal(t, uint8(1), value)
	_, err = h.eng.HandleAction(ctx, notify.Action{Kind: notify.ActionResolve, CaseID: "ffffffffffffffff", Actor: "mattermost:ana", At: t0})
	require.ErrorIs(t, err, cases.ErrUnknownCase)

	// A restarted engine rebuilt from ClickHouse fires the same alerts,
	// with the same fingerprints, as the live one.
	h.now = t0.Add(2 * time.Minute)
	require.NoError(t, h.eng.Observe(ctx, []message.Message{inbound("7", "c3", t0.Add(90*time.Second), "urgent")}))
	live := fingerprints(h.eng.Firing(), alert.LabelCaseID)
	events, err := h.store.Load(ctx, t0.Add(-time.Hour))
	require.NoError(t, err)
	h2 := newHarness(t, db, h.now)
	require.NoError(t, h2.eng.Rebuild(ctx, events))
	require.Equal(t, live, fingerprints(h2.eng.Firing(), alert.LabelCaseID))
	require.Len(t, live, 1)
}

// fingerprints lists the fingerprints of the alerts that carry label.
func fingerprints(as []alert.Alert, label string) []alert.Fingerprint {
	var out []alert.Fingerprint
	for _, a := range as {
		if a.Labels[label] != "" {
			out = append(out, a.Fingerprint())
		}
	}
	slices.Sort(out)
	return out
}
