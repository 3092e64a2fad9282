package ack

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/cases"
	"github.com/vigia-dev/vigia/alerts/engine"
	"github.com/vigia-dev/vigia/alerts/rules"
	"github.com/vigia-dev/vigia/alerts/sla"
	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
)

// discardSink takes the engine's alerts; they are not what is tested here.
type discardSink struct{}

func (discardSink) Put(...alert.Alert) {}

func newEngine(t *testing.T, f *fixture, store *cases.Store) *engine.Engine {
	t.Helper()
	calendars := func(b string) *sla.Calendar { return f.cals[b] }
	eng, err := engine.New(engine.Options{
		Tracker: f.tracker, Rules: rules.NewEvaluator(rules.DefaultConfig(), calendars, nil), Events: store,
		Sink: discardSink{}, Acknowledger: f.ack, Now: func() time.Time { return f.now }, Logger: discard(),
		Registerer: prometheus.NewRegistry(),
	})
	require.NoError(t, err)
	return eng
}

// TestEngineHook runs the alerts engine over a real ClickHouse with the
// Acknowledger hooked in: the stored opening is acknowledged once, the
// recorded reply becomes a stored acknowledged event, and after a restart
// rebuilt from ClickHouse a redelivered opening message sends nothing.
func TestEngineHook(t *testing.T) {
	db := chtest.New(t)
	ctx := t.Context()
	store := cases.NewStore(db.Conn, db.Database)
	srv, client := newTelegram(t)
	st := openStream(t)
	withTelegram := func(o *Options) {
		o.Publisher = st
		o.Senders = map[SenderKey]Sender{{"acme", message.ChannelTelegram}: NewTelegramSender(client)}
	}
	f := newFixture(t, testConfig(), withTelegram)
	run(t, f.ack)
	eng := newEngine(t, f, store)

	m := f.inbound("4242-1", "4242")
	require.NoError(t, eng.Observe(ctx, []message.Message{m}))
	recorded := consume(t, st, "engine", 1)[0]
	require.Len(t, srv.Messages(4242), 1)
	require.NoError(t, eng.Observe(ctx, []message.Message{recorded}))

	stored, err := store.Load(ctx, f.now.Add(-24*time.Hour))
	require.NoError(t, err)
	var kinds []cases.EventKind
	for _, ev := range stored {
		kinds = append(kinds, ev.Event)
	}
	require.Equal(t, []cases.EventKind{cases.EventOpened, cases.EventAcknowledged}, kinds)
	require.Equal(t, recorded.ID, stored[1].MessageID)

	// Restart: a new tracker, engine and Acknowledger rebuilt from
	// ClickHouse; the stream redelivers the customer's message.
	f2 := newFixture(t, testConfig(), withTelegram)
	f2.now = f.now.Add(time.Minute)
	run(t, f2.ack)
	eng2 := newEngine(t, f2, store)
	require.NoError(t, eng2.Rebuild(ctx, stored))
	require.NoError(t, eng2.Observe(ctx, []message.Message{m}))
	state, ok := f2.tracker.Case(cases.CaseIDFor(m.ID))
	require.True(t, ok)
	require.Equal(t, sla.FirstResponse, state.Waiting)
	require.False(t, state.AcknowledgedAt.IsZero())
	require.Equal(t, 0, f2.episodes(), "nothing was considered for sending")
	require.Len(t, srv.Messages(4242), 1)
}
