package cases

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/sla"
	"github.com/vigia-dev/vigia/internal/message"
)

// t0 is a Monday, 10:00 UTC.
var t0 = time.Date(2026, 5, 11, 10, 0, 0, 0, time.UTC)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newTestTracker(t testing.TB, cfg Config, cal CalendarFunc) *Tracker {
	t.Helper()
	tr, err := NewTracker(cfg, cal, discard(), nil)
	require.NoError(t, err)
	return tr
}

// msgOpt changes a test message.
type msgOpt func(*message.Message)

func replyTo(ext string) msgOpt {
	return func(m *message.Message) { m.InReplyTo = message.NewID(m.Channel, ext); m.Kind = message.KindReply }
}

func conv(id string) msgOpt { return func(m *message.Message) { m.ConversationID = id } }

func label(name string) msgOpt {
	return func(m *message.Message) {
		m.Labels = append(m.Labels, message.Label{Name: name, Score: 1, Decision: true})
	}
}

func brand(b string) msgOpt { return func(m *message.Message) { m.Brand = b } }

func dm() msgOpt {
	return func(m *message.Message) {
		m.Channel, m.Kind = message.ChannelTelegram, message.KindDM
		m.ID = message.NewID(message.ChannelTelegram, m.ID.External())
		if m.InReplyTo != "" {
			m.InReplyTo = message.NewID(message.ChannelTelegram, m.InReplyTo.External())
		}
	}
}

// in is a customer message ext by customer at t0+d.
func in(ext, customer string, d time.Duration, opts ...msgOpt) message.Message {
	m := message.Message{
		ID: message.NewID(message.ChannelX, ext), Brand: "acme", Channel: message.ChannelX,
		Kind: message.KindMention, Direction: message.DirectionInbound,
		Author: message.Author{ID: customer}, Text: "hola", CreatedAt: t0.Add(d),
	}
	for _, o := range opts {
		o(&m)
	}
	return m
}

// out is a brand message ext by author at t0+d.
func out(ext, author string, d time.Duration, opts ...msgOpt) message.Message {
	m := in(ext, author, d, opts...)
	m.Direction = message.DirectionOutbound
	return m
}

// step is one input to a tracker: a message, an action or a tick, and the
// events it should cause, one string each (see describe).
type step struct {
	msg  *message.Message
	act  *Action
	tick time.Duration
	want []string
}

func msgStep(m message.Message, want ...string) step { return step{msg: &m, want: want} }

func actStep(kind ActionKind, caseExt string, d time.Duration, want ...string) step {
	return step{act: &Action{Kind: kind, CaseID: CaseIDFor(message.NewID(message.ChannelX, caseExt)), Actor: "mattermost:ana", At: t0.Add(d)}, want: want}
}

func tickStep(d time.Duration, want ...string) step { return step{tick: d, want: want} }

// describe renders an event as "kind case calendar/business [reason] [p=priority]",
// naming the case by the external id of its opening message.
func describe(ev Event, names map[string]string) string {
	s := fmt.Sprintf("%s %s", ev.Event, names[ev.CaseID])
	if ev.CalendarSeconds != 0 || ev.BusinessSeconds != 0 {
		s += fmt.Sprintf(" %d/%d", ev.CalendarSeconds, ev.BusinessSeconds)
	}
	if ev.Reason != "" {
		s += " " + ev.Reason
	}
	if ev.Priority != PriorityNormal {
		s += " p=" + string(ev.Priority)
	}
	return s
}

func TestTrackerLifecycle(t *testing.T) {
	const (
		m = time.Minute
		h = time.Hour
	)
	tests := []struct {
		name  string
		cfg   func(*Config)
		steps []step
	}{
		{
			name: "reply chain: first response, follow-up, next response",
			steps: []step{
				msgStep(in("a", "u1", 0), "opened a"),
				msgStep(out("b", "AcmeHelp", 10*m, replyTo("a")), "responded a 600/600"),
				msgStep(in("c", "u1", 20*m, replyTo("b")), "followed_up a"),
				msgStep(in("d", "u1", 21*m, replyTo("b")), "inbound a"),
				msgStep(out("e", "AcmeHelp", 50*m, replyTo("d")), "replied a 1800/1800"),
				msgStep(out("f", "AcmeHelp", 51*m, replyTo("e")), "outbound a"),
			},
		},
		{
			name: "DM conversation id links messages beyond the gap",
			steps: []step{
				msgStep(in("a", "u1", 0, dm(), conv("chat-1")), "opened a"),
				msgStep(in("b", "u1", 30*h, dm(), conv("chat-1")), "inbound a"),
				msgStep(out("c", "acme_bot", 31*h, dm(), conv("chat-1")), "responded a 111600/111600"),
				msgStep(in("d", "u2", 31*h, dm(), conv("chat-2")), "opened d"),
			},
		},
		{
			name: "customer's open case within the gap, a new case after it",
			steps: []step{
				msgStep(in("a", "u1", 0), "opened a"),
				msgStep(in("b", "u1", 1*h), "inbound a"),
				msgStep(in("c", "u1", 25*h+time.Second), "opened c"),
				msgStep(in("d", "u1", 26*h), "inbound c"),
				msgStep(out("e", "AcmeHelp", 27*h, replyTo("b")), "responded a 97200/97200"),
				msgStep(out("f", "AcmeHelp", 27*h, replyTo("d")), "responded c 7199/7199"),
			},
		},
		{
			name: "gap is per brand and channel",
			steps: []step{
				msgStep(in("a", "u1", 0), "opened a"),
				msgStep(in("b", "u1", 1*h, brand("globex")), "opened b"),
				msgStep(in("c", "u1", 2*h, dm()), "opened c"),
			},
		},
		{
			name: "automatic replies acknowledge and never stop the clock",
			cfg:  func(c *Config) { c.AutomaticAuthors = []string{"@AcmeBot"} },
			steps: []step{
				msgStep(in("a", "u1", 0), "opened a"),
				msgStep(out("b", "AcmeHelp", 1*m, replyTo("a"), label(DefaultAutomaticLabel)), "acknowledged a 60/60"),
				msgStep(out("c", "acmebot", 2*m, replyTo("a")), "outbound a"),
				msgStep(out("d", "AcmeHelp", 10*m, replyTo("a")), "responded a 600/600"),
				msgStep(in("e", "u1", 20*m, replyTo("d")), "followed_up a"),
				msgStep(out("f", "AcmeBot", 21*m, replyTo("e")), "acknowledged a 60/60"),
				msgStep(out("g", "AcmeHelp", 30*m, replyTo("e")), "replied a 600/600"),
			},
		},
		{
			name: "an agent's replied action is a human response",
			steps: []step{
				msgStep(in("a", "u1", 0), "opened a"),
				actStep(ActionClaim, "a", 2*m, "claimed a 120/120"),
				actStep(ActionClaim, "a", 3*m),
				actStep(ActionReplied, "a", 5*m, "responded a 300/300"),
				actStep(ActionReplied, "a", 6*m),
				msgStep(out("b", "AcmeHelp", 7*m, replyTo("a")), "outbound a"),
				msgStep(in("c", "u1", 8*m, replyTo("a")), "followed_up a"),
				actStep(ActionReplied, "a", 18*m, "replied a 600/600"),
			},
		},
		{
			name: "idle resolution at the idle deadline",
			steps: []step{
				msgStep(in("a", "u1", 0), "opened a"),
				msgStep(out("b", "AcmeHelp", 10*m, replyTo("a")), "responded a 600/600"),
				tickStep(71 * h),
				msgStep(in("c", "u2", 72*h), "opened c"),
				tickStep(73*h, "resolved a 259200/259200 idle"),
				tickStep(74 * h),
				msgStep(out("d", "AcmeHelp", 74*h, replyTo("a")), "outbound a"),
			},
		},
		{
			name: "reopen inside the window; first response counts from the reopening",
			steps: []step{
				msgStep(in("a", "u1", 0), "opened a"),
				actStep(ActionResolve, "a", 1*h, "resolved a 3600/3600 agent"),
				actStep(ActionResolve, "a", 2*h),
				msgStep(in("b", "u1", 3*h, replyTo("a")), "reopened a"),
				msgStep(out("c", "AcmeHelp", 3*h+5*m, replyTo("b")), "responded a 300/300"),
				actStep(ActionResolve, "a", 4*h, "resolved a 3600/3600 agent"),
				msgStep(in("d", "u1", 5*h), "reopened a"),
				msgStep(out("e", "AcmeHelp", 5*h+1*m, replyTo("d")), "replied a 60/60"),
			},
		},
		{
			name: "reopen outside the window opens a new case",
			steps: []step{
				msgStep(in("a", "u1", 0), "opened a"),
				actStep(ActionResolve, "a", 1*h, "resolved a 3600/3600 agent"),
				msgStep(in("b", "u1", 98*h, replyTo("a")), "opened b"),
				tickStep(98 * h),
				msgStep(in("c", "u1", 99*h, replyTo("a")), "inbound b"),
			},
		},
		{
			name: "an unlinked message reopens only within the gap",
			steps: []step{
				msgStep(in("a", "u1", 0), "opened a"),
				actStep(ActionResolve, "a", 1*h, "resolved a 3600/3600 agent"),
				msgStep(in("b", "u1", 2*h), "reopened a"),
				actStep(ActionResolve, "a", 3*h, "resolved a 3600/3600 agent"),
				msgStep(in("c", "u1", 30*h), "opened c"),
			},
		},
		{
			name: "outbound messages that match no case are ignored",
			steps: []step{
				msgStep(out("x", "AcmeHelp", 0)),
				msgStep(out("y", "AcmeHelp", 0, replyTo("nothing"))),
				msgStep(out("z", "AcmeHelp", 0, conv("unknown"))),
				msgStep(in("a", "u1", 1*m), "opened a"),
				msgStep(out("w", "AcmeHelp", 2*m, replyTo("a"), brand("globex"))),
				msgStep(out("v", "AcmeHelp", 2*m, replyTo("a"), dm())),
			},
		},
		{
			name: "duplicates and invalid messages cause nothing",
			steps: []step{
				msgStep(in("a", "u1", 0), "opened a"),
				msgStep(in("a", "u1", 0)),
				msgStep(in("b", "", 0)),
				msgStep(out("c", "AcmeHelp", 5*m, replyTo("a")), "responded a 300/300"),
				msgStep(out("c", "AcmeHelp", 5*m, replyTo("a"))),
			},
		},
		{
			name: "another customer replying into a thread gets a case of their own",
			steps: []step{
				msgStep(in("a", "u1", 0, conv("a")), "opened a"),
				msgStep(out("b", "AcmeHelp", 1*m, replyTo("a"), conv("a")), "responded a 60/60"),
				msgStep(in("c", "u2", 2*m, replyTo("b"), conv("a")), "opened c"),
				msgStep(out("d", "AcmeHelp", 3*m, replyTo("c"), conv("a")), "responded c 60/60"),
				msgStep(in("e", "u1", 4*m, conv("a")), "followed_up a"),
				msgStep(out("f", "AcmeHelp", 5*m, conv("a")), "replied a 60/60"),
			},
		},
		{
			name: "priority rises with the customer's messages; not a complaint lowers it; spam resolves",
			steps: []step{
				msgStep(in("a", "u1", 0, label("complaint")), "opened a p=complaint"),
				actStep(ActionNotComplaint, "a", 1*m, "not_complaint a"),
				actStep(ActionNotComplaint, "a", 2*m),
				msgStep(in("b", "u1", 3*m, label("influencer"), label("complaint")), "inbound a p=influencer"),
				msgStep(in("c", "u1", 4*m, label("urgent")), "inbound a p=urgent"),
				msgStep(in("d", "u1", 5*m, label("complaint")), "inbound a p=urgent"),
				actStep(ActionSpam, "a", 10*m, "resolved a 600/600 spam p=urgent"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			tr := newTestTracker(t, cfg, nil)
			names := map[string]string{}
			for i, st := range tt.steps {
				var evs []Event
				switch {
				case st.msg != nil:
					names[CaseIDFor(st.msg.ID)] = st.msg.ID.External()
					evs = tr.Observe(*st.msg)
				case st.act != nil:
					var err error
					evs, err = tr.Apply(*st.act)
					require.NoError(t, err)
				default:
					evs = tr.Tick(t0.Add(st.tick))
				}
				got := []string{}
				for _, ev := range evs {
					require.NoError(t, ev.Validate())
					got = append(got, describe(ev, names))
				}
				want := st.want
				if want == nil {
					want = []string{}
				}
				require.Equal(t, want, got, "step %d", i)
			}
		})
	}
}

func TestApplyErrors(t *testing.T) {
	tr := newTestTracker(t, DefaultConfig(), nil)
	tr.Observe(in("a", "u1", 0))
	id := CaseIDFor(message.NewID(message.ChannelX, "a"))
	tests := []struct {
		name string
		a    Action
		want error
	}{
		{"unknown case", Action{Kind: ActionResolve, CaseID: "0123456789abcdef", Actor: "x", At: t0}, ErrUnknownCase},
		{"unknown kind", Action{Kind: "close", CaseID: id, Actor: "x", At: t0}, ErrBadAction},
		{"no actor", Action{Kind: ActionResolve, CaseID: id, At: t0}, ErrBadAction},
		{"no time", Action{Kind: ActionResolve, CaseID: id, Actor: "x"}, ErrBadAction},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := tr.Apply(tt.a)
			require.ErrorIs(t, err, tt.want)
			require.Empty(t, evs)
		})
	}
}

func madrid(t testing.TB) *sla.Calendar {
	t.Helper()
	cal, err := sla.NewCalendar(sla.Config{
		TimeZone: "Europe/Madrid",
		Hours:    []sla.Period{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Open: "09:00", Close: "17:00"}},
	})
	require.NoError(t, err)
	return cal
}

func TestBusinessSecondsAcrossWeekend(t *testing.T) {
	cal := madrid(t)
	loc := cal.Location()
	friday := time.Date(2026, 5, 15, 16, 30, 0, 0, loc)
	monday := time.Date(2026, 5, 18, 9, 30, 0, 0, loc)
	tr := newTestTracker(t, DefaultConfig(), func(b string) *sla.Calendar {
		if b == "acme" {
			return cal
		}
		return nil
	})
	for _, b := range []string{"acme", "globex"} {
		customer := in("a-"+b, "u1", 0, brand(b))
		customer.CreatedAt = friday
		reply := out("b-"+b, "Help", 0, replyTo("a-"+b), brand(b))
		reply.CreatedAt = monday
		evs := tr.Observe(customer, reply)
		require.Len(t, evs, 2)
		require.Equal(t, EventResponded, evs[1].Event)
		require.Equal(t, int64(65*3600), evs[1].CalendarSeconds, b)
		want := int64(65 * 3600) // no calendar: business time is calendar time
		if b == "acme" {
			want = 3600
		}
		require.Equal(t, want, evs[1].BusinessSeconds, b)
	}
}

func TestOpenClocksAndNextIdle(t *testing.T) {
	tr := newTestTracker(t, DefaultConfig(), nil)
	_, ok := tr.NextIdle()
	require.False(t, ok)
	tr.Observe(in("a", "u1", 0), in("b", "u2", time.Hour), out("c", "AcmeHelp", 2*time.Hour, replyTo("b")),
		in("d", "u2", 3*time.Hour, replyTo("c")))
	open := tr.Open()
	require.Len(t, open, 2)
	require.Equal(t, []Clock{{sla.FirstResponse, t0}, {sla.Resolution, t0}}, open[0].Clocks())
	require.Equal(t, []Clock{{sla.NextResponse, t0.Add(3 * time.Hour)}, {sla.Resolution, t0.Add(time.Hour)}}, open[1].Clocks())
	next, ok := tr.NextIdle()
	require.True(t, ok)
	require.Equal(t, t0.Add(DefaultIdleResolve), next)
	require.Equal(t, t0.Add(3*time.Hour+DefaultIdleResolve), open[1].IdleAt)

	st, ok := tr.CaseOf(message.NewID(message.ChannelX, "c"))
	require.True(t, ok)
	require.Equal(t, open[1].ID, st.ID)
	require.Equal(t, 3, st.Messages)
	require.Equal(t, t0.Add(2*time.Hour), st.FirstResponseAt)

	tr.Tick(t0.Add(DefaultIdleResolve))
	require.Len(t, tr.Open(), 1)
	resolved, ok := tr.Case(open[0].ID)
	require.True(t, ok)
	require.Nil(t, resolved.Clocks())
	require.Equal(t, StatusResolved, resolved.Status)
}

func TestCaseIDs(t *testing.T) {
	ids := map[string]bool{}
	for _, ext := range []string{"1", "2", "x:1", "a.b|c", strings.Repeat("9", 500)} {
		id := CaseIDFor(message.NewID(message.ChannelX, ext))
		require.True(t, IsCaseID(id), id)
		require.Equal(t, id, CaseIDFor(message.NewID(message.ChannelX, ext)), "deterministic")
		require.False(t, ids[id])
		ids[id] = true
	}
	require.False(t, IsCaseID("0123456789ABCDEF"))
	require.False(t, IsCaseID("0123456789abcde"))
}

func TestConfigValidate(t *testing.T) {
	require.NoError(t, DefaultConfig().Validate())
	bad := Config{Gap: 0, ReopenWindow: -time.Second, IdleResolve: 0, AutomaticAuthors: []string{"ok", " @ "}}
	err := bad.Validate()
	require.EqualError(t, err, `gap: "0s": must be greater than 0`+"\n"+
		`reopen_window: "-1s": must be greater than 0`+"\n"+
		`idle_resolve: "0s": must be greater than 0`+"\n"+
		`automatic_authors[1]: " @ ": want an author id or handle`)
	_, err = NewTracker(bad, nil, discard(), nil)
	require.ErrorContains(t, err, "cases config: gap")
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	tr, err := NewTracker(DefaultConfig(), nil, discard(), reg)
	require.NoError(t, err)
	tr.InitializeFor("acme", message.ChannelX)
	tr.Observe(in("a", "u1", 0, label("complaint")), out("b", "AcmeHelp", 90*time.Second, replyTo("a")),
		out("zz", "AcmeHelp", 0, replyTo("none")))
	problems, err := testutil.CollectAndLint(reg)
	require.NoError(t, err)
	require.Empty(t, problems)
	require.Equal(t, 1.0, testutil.ToFloat64(tr.metrics.events.WithLabelValues("acme", "responded")))
	require.Equal(t, 1.0, testutil.ToFloat64(tr.metrics.ignored.WithLabelValues(ignoredUnmatched)))
	require.Equal(t, 1.0, testutil.ToFloat64(tr.metrics.open.WithLabelValues("acme")))
	mfs, err := reg.Gather()
	require.NoError(t, err)
	var count uint64
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != "vigia_case_first_response_seconds" {
			continue
		}
		for _, mt := range mf.GetMetric() {
			count += mt.GetHistogram().GetSampleCount()
			sum += mt.GetHistogram().GetSampleSum()
		}
	}
	require.Equal(t, uint64(2), count, "one calendar and one business observation")
	require.Equal(t, 180.0, sum)
}
