package ack

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/cases"
	"github.com/vigia-dev/vigia/alerts/sla"
	"github.com/vigia-dev/vigia/internal/message"
)

var (
	monFri = []string{"mon", "tue", "wed", "thu", "fri"}
	// Madrid: Mon–Fri 09:30–18:00, closed on Tuesday 8 December 2026
	// (Inmaculada Concepción).
	madridCal = sla.Config{TimeZone: "Europe/Madrid", Hours: []sla.Period{{Days: monFri, Open: "09:30", Close: "18:00"}},
		Holidays: []string{"2026-12-08"}}
	// Mexico City: Mon–Fri 09:00–18:00, closed on Monday 16 November 2026
	// (Revolution Day, third Monday of November).
	mexicoCal = sla.Config{TimeZone: "America/Mexico_City", Hours: []sla.Period{{Days: monFri, Open: "09:00", Close: "18:00"}},
		Holidays: []string{"2026-11-16"}}
)

func mustCalendar(t testing.TB, cfg sla.Config) *sla.Calendar {
	t.Helper()
	c, err := sla.NewCalendar(cfg)
	require.NoError(t, err)
	return c
}

// at parses "2006-01-02 15:04" in the zone.
func at(t testing.TB, zone, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	require.NoError(t, err)
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	require.NoError(t, err)
	return v
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// refusePublisher fails the test if anything is published: the decision
// tests never run the workers.
type refusePublisher struct{ t testing.TB }

func (p refusePublisher) Publish(context.Context, ...message.Message) error {
	p.t.Error("unexpected publish")
	return nil
}

// fixture is an Acknowledger over a real tracker, with acme (Madrid,
// Spanish first) and globex (Mexico City, English first).
type fixture struct {
	t       *testing.T
	now     time.Time
	tracker *cases.Tracker
	ack     *Acknowledger
	reg     *prometheus.Registry
	cals    map[string]*sla.Calendar
}

func testBrands() []Brand {
	return []Brand{
		{Name: "acme", Languages: []string{"es", "en"}, Handles: map[message.Channel][]string{message.ChannelTelegram: {"@AcmeBot"}}},
		{Name: "globex", Languages: []string{"en", "es"}},
	}
}

func testConfig() Config {
	cfg := DefaultConfig()
	cfg.Acknowledge = []Rule{
		{Brand: "acme", Channels: []message.Channel{message.ChannelTelegram, message.ChannelX}},
		{Brand: "acme", Channels: []message.Channel{message.ChannelMattermost}, Mode: ModeOff},
		{Brand: "globex", Channels: []message.Channel{message.ChannelTelegram, message.ChannelWebhook}, ReplyBy: ReplyByNextOpen,
			Webhook: WebhookConfig{ReplyURL: "https://crm.globex.example/replies", SecretEnv: "GLOBEX_REPLY_SECRET"}},
	}
	return cfg
}

func newFixture(t *testing.T, cfg Config, change func(*Options)) *fixture {
	t.Helper()
	f := &fixture{t: t, now: at(t, "Europe/Madrid", "2026-11-20 19:00"), reg: prometheus.NewRegistry(),
		cals: map[string]*sla.Calendar{"acme": mustCalendar(t, madridCal), "globex": mustCalendar(t, mexicoCal)}}
	calendars := func(b string) *sla.Calendar { return f.cals[b] }
	tr, err := cases.NewTracker(cases.DefaultConfig(), calendars, discard(), nil)
	require.NoError(t, err)
	f.tracker = tr
	opts := Options{
		Config: cfg, Brands: testBrands(), Publisher: refusePublisher{t},
		Senders: map[SenderKey]Sender{
			{"acme", message.ChannelTelegram}:   NewTelegramSender(nil),
			{"globex", message.ChannelTelegram}: NewTelegramSender(nil),
			// acme on x and globex on webhook have no sender.
		},
		Calendars: calendars, Now: func() time.Time { return f.now }, Logger: discard(), Registerer: f.reg,
	}
	if change != nil {
		change(&opts)
	}
	f.ack, err = New(opts)
	require.NoError(t, err)
	return f
}

// msgOpt changes a test message.
type msgOpt func(*message.Message)

func labelled(name string, decision bool) msgOpt {
	return func(m *message.Message) {
		m.Labels = append(m.Labels, message.Label{Name: name, Score: 0.9, Decision: decision})
	}
}

func onChannel(ch message.Channel) msgOpt {
	return func(m *message.Message) {
		m.Channel, m.ID, m.Kind = ch, message.NewID(ch, m.ID.External()), message.KindMention
	}
}

func ofBrand(b string) msgOpt { return func(m *message.Message) { m.Brand = b } }

func lang(l string) msgOpt { return func(m *message.Message) { m.Lang = l } }

func createdAt(t time.Time) msgOpt { return func(m *message.Message) { m.CreatedAt = t } }

// inbound is a Telegram DM from customer (a numeric user id, the chat id)
// to acme, sent a minute before the fixture's now.
func (f *fixture) inbound(ext, customer string, opts ...msgOpt) message.Message {
	m := message.Message{
		ID: message.NewID(message.ChannelTelegram, ext), Brand: "acme", Channel: message.ChannelTelegram,
		Kind: message.KindDM, Direction: message.DirectionInbound, ConversationID: customer,
		Author: message.Author{ID: customer, Handle: "cliente" + customer}, Text: "¿Dónde está mi pedido?", Lang: "es",
		CreatedAt: f.now.Add(-time.Minute).UTC(),
	}
	for _, o := range opts {
		o(&m)
	}
	return m
}

// reply is the brand's reply to m, automatic or by a person.
func (f *fixture) reply(m message.Message, ext string, automatic bool) message.Message {
	r := message.Message{
		ID: message.NewID(m.Channel, ext), Brand: m.Brand, Channel: m.Channel, Kind: m.Kind,
		Direction: message.DirectionOutbound, ConversationID: m.ConversationID, InReplyTo: m.ID,
		Author: message.Author{ID: "AcmeBot"}, Text: "ok", CreatedAt: f.now.UTC(),
	}
	if automatic {
		r.Labels = []message.Label{{Name: "automatic", Score: 1, Decision: true}}
	}
	return r
}

// observe threads msgs and returns the events with their messages.
func (f *fixture) observe(msgs ...message.Message) []cases.Event {
	f.t.Helper()
	return f.tracker.Observe(msgs...)
}

// consider hands ev (with the message that caused it) to the
// Acknowledger as the engine does and returns what became of it:
// "queued", a skip reason, or "ignored" when it was no candidate.
func (f *fixture) consider(ev cases.Event, m *message.Message) string {
	f.t.Helper()
	st, ok := f.tracker.Case(ev.CaseID)
	require.True(f.t, ok)
	before := f.counts(ev.Brand)
	queued := f.episodes()
	f.ack.Consider(f.t.Context(), st, ev, m)
	if f.episodes() > queued {
		return "queued"
	}
	after := f.counts(ev.Brand)
	for _, r := range SkipReasons() {
		if after[r] > before[r] {
			return r
		}
	}
	return "ignored"
}

// episodes counts the episodes queued or sent: workers may have taken
// the job from the queue already.
func (f *fixture) episodes() int {
	f.ack.mu.Lock()
	defer f.ack.mu.Unlock()
	return len(f.ack.episodes)
}

func (f *fixture) counts(brand string) map[string]float64 {
	out := map[string]float64{}
	for _, r := range SkipReasons() {
		out[r] = testutil.ToFloat64(f.ack.metrics.skipped.WithLabelValues(brand, r))
	}
	return out
}

// open observes m, which must open a case, and considers the event.
func (f *fixture) open(m message.Message) string {
	f.t.Helper()
	evs := f.observe(m)
	require.Len(f.t, evs, 1)
	require.Equal(f.t, cases.EventOpened, evs[0].Event)
	return f.consider(evs[0], &m)
}

func TestConsiderDecides(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(*Config)
		run  func(f *fixture) []string
		want []string
	}{
		{name: "a new case is acknowledged", run: func(f *fixture) []string {
			return []string{f.open(f.inbound("1", "100"))}
		}, want: []string{"queued"}},
		{name: "spam is never acknowledged", run: func(f *fixture) []string {
			return []string{f.open(f.inbound("1", "100", labelled("spam", true)))}
		}, want: []string{ReasonSpam}},
		{name: "trolls are never acknowledged", run: func(f *fixture) []string {
			return []string{f.open(f.inbound("1", "100", labelled("troll", true)))}
		}, want: []string{ReasonTroll}},
		{name: "a no decision for spam or troll does not count", run: func(f *fixture) []string {
			return []string{f.open(f.inbound("1", "100", labelled("spam", false), labelled("troll", false)))}
		}, want: []string{"queued"}},
		{name: "outbound messages and other events are no candidates", run: func(f *fixture) []string {
			m := f.inbound("1", "100")
			evs := f.observe(m)
			r := f.reply(m, "2", false)
			resp := f.observe(r)
			require.Equal(t, cases.EventResponded, resp[0].Event)
			opened := evs[0]
			opened.Event = cases.EventOpened
			out := []string{f.consider(resp[0], &r)}
			// An opened event whose message is outbound, or without one.
			return append(out, f.consider(opened, &r), f.consider(opened, nil))
		}, want: []string{"ignored", "ignored", "ignored"}},
		{name: "a brand without a rule or with the rule off", run: func(f *fixture) []string {
			m := f.inbound("1", "100", onChannel(message.ChannelMattermost))
			other := f.inbound("2", "101", onChannel(message.ChannelChat))
			return []string{f.open(m), f.open(other)}
		}, want: []string{ReasonDisabled, ReasonDisabled}},
		{name: "a channel that is on but has no sender", run: func(f *fixture) []string {
			return []string{f.open(f.inbound("1", "100", onChannel(message.ChannelX)))}
		}, want: []string{ReasonNoSender}},
		{name: "a considered episode is not acknowledged twice", run: func(f *fixture) []string {
			m := f.inbound("1", "100")
			evs := f.observe(m)
			return []string{f.consider(evs[0], &m), f.consider(evs[0], &m)}
		}, want: []string{"queued", ReasonAlreadyAcked}},
		{name: "a case acknowledged before a restart is not acknowledged again", run: func(f *fixture) []string {
			m := f.inbound("1", "100")
			evs := f.observe(m)
			evs = append(evs, f.observe(f.reply(m, "ack-1", true))...)
			require.Equal(t, cases.EventAcknowledged, evs[1].Event)
			// Restart: a new tracker rebuilt from the stored events, a
			// new Acknowledger with an empty memory.
			f2 := newFixture(t, testConfig(), nil)
			f2.now = f.now
			require.NoError(t, f2.tracker.Rebuild(evs))
			st, _ := f2.tracker.Case(evs[0].CaseID)
			require.False(t, st.AcknowledgedAt.IsZero())
			require.Equal(t, sla.FirstResponse, st.Waiting, "an acknowledgement stops no clock")
			return []string{f2.consider(evs[0], &m)}
		}, want: []string{ReasonAlreadyAcked}},
		{name: "a reopened case gets a new acknowledgement", run: func(f *fixture) []string {
			m := f.inbound("1", "100")
			out := []string{f.open(m)}
			f.observe(f.reply(m, "ack-1", true))
			f.observe(f.reply(m, "2", false))
			st, _ := f.tracker.Case(cases.CaseIDFor(m.ID))
			_, err := f.tracker.Apply(cases.Action{Kind: cases.ActionResolve, CaseID: st.ID, Actor: "ana", At: f.now.Add(time.Minute)})
			require.NoError(t, err)
			f.now = f.now.Add(time.Hour)
			again := f.inbound("3", "100")
			evs := f.observe(again)
			require.Equal(t, cases.EventReopened, evs[0].Event)
			return append(out, f.consider(evs[0], &again), f.consider(evs[0], &again))
		}, want: []string{"queued", "queued", ReasonAlreadyAcked}},
		{name: "a case answered before it was considered", run: func(f *fixture) []string {
			m := f.inbound("1", "100")
			evs := f.observe(m, f.reply(m, "2", false))
			return []string{f.consider(evs[0], &m)}
		}, want: []string{ReasonAnswered}},
		{name: "an old message from a backfill", run: func(f *fixture) []string {
			return []string{f.open(f.inbound("1", "100", createdAt(f.now.Add(-7*time.Hour))))}
		}, want: []string{ReasonStale}},
		{name: "rate limit per brand, refilled over the minute", cfg: func(c *Config) { c.RateLimit = 2 }, run: func(f *fixture) []string {
			out := []string{
				f.open(f.inbound("1", "100")), f.open(f.inbound("2", "101")), f.open(f.inbound("3", "102")),
				f.open(f.inbound("4", "103", ofBrand("globex"))), // another brand has its own budget
			}
			f.now = f.now.Add(30 * time.Second)
			out = append(out, f.open(f.inbound("5", "104")))
			f.now = f.now.Add(10 * time.Second)
			return append(out, f.open(f.inbound("6", "105")))
		}, want: []string{"queued", "queued", ReasonRateLimited, "queued", "queued", ReasonRateLimited}},
		{name: "outside_hours acknowledges only while closed", cfg: func(c *Config) { c.Acknowledge[0].Mode = ModeOutsideHours },
			run: func(f *fixture) []string {
				out := []string{f.open(f.inbound("1", "100"))} // Friday 19:00: closed
				f.now = at(t, "Europe/Madrid", "2026-11-23 10:00")
				return append(out, f.open(f.inbound("2", "101")))
			}, want: []string{"queued", ReasonInsideHours}},
		{name: "a full queue skips and forgets the episode", cfg: func(c *Config) { c.QueueSize = 1 }, run: func(f *fixture) []string {
			m := f.inbound("2", "101")
			out := []string{f.open(f.inbound("1", "100"))}
			evs := f.observe(m)
			out = append(out, f.consider(evs[0], &m))
			<-f.ack.queue // a worker took the first
			return append(out, f.consider(evs[0], &m))
		}, want: []string{"queued", ReasonQueueFull, "queued"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			f := newFixture(t, cfg, nil)
			require.Equal(t, tt.want, tt.run(f))
		})
	}
}
