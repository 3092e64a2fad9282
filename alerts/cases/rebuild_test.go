package cases

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/message"
)

// input is one thing a tracker is fed.
type input struct {
	msg  *message.Message
	act  *Action
	tick time.Time
}

// feed gives in to tr and returns the events caused.
func feed(tr *Tracker, in input) []Event {
	switch {
	case in.msg != nil:
		return tr.Observe(*in.msg)
	case in.act != nil:
		evs, _ := tr.Apply(*in.act) // an unknown case is a possible, harmless input
		return evs
	}
	return tr.Tick(in.tick)
}

// generate returns n random but reproducible inputs: customers writing to
// two brands on X (mentions and replies) and Telegram (DMs), the brands
// answering (some automatically), agents acting on open cases and ticks,
// over several weeks. It ends with a tick at the last message's time.
func generate(t testing.TB, seed uint64, n int) []input {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	scratch := newTestTracker(t, DefaultConfig(), nil) // only to pick case ids for actions
	now := t0
	var inbound []message.Message
	byCustomer := map[string][]message.Message{}
	var out []input
	add := func(in input) {
		feed(scratch, in)
		out = append(out, in)
	}
	brands := []string{"acme", "globex"}
	for i := range n {
		switch {
		case rng.IntN(50) == 0:
			now = now.Add(time.Duration(2+rng.IntN(4)) * 24 * time.Hour)
		default:
			now = now.Add(time.Duration(rng.IntN(120*60)) * time.Second)
		}
		ext := strconv.Itoa(i + 1)
		customer := fmt.Sprintf("u%d", rng.IntN(20))
		b := brands[rng.IntN(2)]
		switch r := rng.IntN(100); {
		case r < 30: // a new message from a customer
			m := message.Message{
				ID: message.NewID(message.ChannelX, ext), Brand: b, Channel: message.ChannelX, Kind: message.KindMention,
				Direction: message.DirectionInbound, Author: message.Author{ID: customer}, CreatedAt: now, ConversationID: ext,
				Lang: []string{"es", "en", ""}[rng.IntN(3)],
			}
			if rng.IntN(3) == 0 {
				m.ID, m.Channel, m.Kind, m.ConversationID = message.NewID(message.ChannelTelegram, ext), message.ChannelTelegram, message.KindDM, "chat-"+customer
			}
			for _, l := range []string{labelComplaint, labelUrgent, labelInfluencer} {
				if rng.IntN(5) == 0 {
					m.Labels = append(m.Labels, message.Label{Name: l, Decision: true})
				}
			}
			inbound = append(inbound, m)
			byCustomer[customer] = append(byCustomer[customer], m)
			add(input{msg: &m})
		case r < 50: // a customer replies into one of their threads
			mine := byCustomer[customer]
			if len(mine) == 0 {
				continue
			}
			parent := mine[max(0, len(mine)-1-rng.IntN(3))]
			m := parent
			m.ID, m.InReplyTo, m.Kind, m.CreatedAt, m.Labels = message.NewID(parent.Channel, ext), parent.ID, message.KindReply, now, nil
			if m.Channel == message.ChannelTelegram {
				m.InReplyTo = ""
			}
			inbound = append(inbound, m)
			byCustomer[customer] = append(byCustomer[customer], m)
			add(input{msg: &m})
		case r < 80: // the brand answers a recent customer message
			if len(inbound) == 0 {
				continue
			}
			parent := inbound[max(0, len(inbound)-1-rng.IntN(10))]
			m := parent
			m.ID, m.Direction, m.InReplyTo, m.Kind, m.CreatedAt, m.Labels = message.NewID(parent.Channel, ext), message.DirectionOutbound, parent.ID, message.KindReply, now, nil
			m.Author = message.Author{ID: "help-" + parent.Brand}
			if rng.IntN(8) == 0 {
				m.Labels = []message.Label{{Name: DefaultAutomaticLabel, Decision: true}}
			}
			if m.Channel == message.ChannelTelegram && rng.IntN(2) == 0 {
				m.InReplyTo = ""
			}
			if rng.IntN(20) == 0 {
				m.InReplyTo = message.NewID(m.Channel, "missing")
				m.ConversationID = ""
			}
			add(input{msg: &m})
		case r < 92: // an agent acts on an open case
			open := scratch.Open()
			if len(open) == 0 {
				continue
			}
			kinds := []ActionKind{ActionClaim, ActionReplied, ActionResolve, ActionNotComplaint, ActionSpam, ActionResolve}
			add(input{act: &Action{
				Kind: kinds[rng.IntN(len(kinds))], CaseID: open[rng.IntN(len(open))].ID,
				Actor: fmt.Sprintf("mattermost:agent%d", rng.IntN(3)), At: now,
			}})
		default:
			add(input{tick: now})
		}
	}
	add(input{tick: now})
	return out
}

// trackerSnapshot is a tracker's whole state in comparable form.
type trackerSnapshot struct {
	Cases      map[string]CaseState
	Messages   map[string][]message.ID
	Convs      map[string][]string
	ByMessage  map[message.ID]string
	ByConv     map[convKey][]string
	ByCustomer map[custKey][]string
	Open       map[string]int
}

func snapshot(tr *Tracker) trackerSnapshot {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	s := trackerSnapshot{
		Cases: map[string]CaseState{}, Messages: map[string][]message.ID{}, Convs: map[string][]string{},
		ByMessage: map[message.ID]string{}, ByConv: map[convKey][]string{}, ByCustomer: map[custKey][]string{},
		Open: map[string]int{},
	}
	for id, c := range tr.cases {
		s.Cases[id] = c.state
		s.Messages[id] = slices.Sorted(slices.Values(c.messages))
		s.Convs[id] = slices.Sorted(slices.Values(c.convs))
	}
	for k, v := range tr.byMessage {
		s.ByMessage[k] = v
	}
	for k, v := range tr.byConv {
		s.ByConv[k] = slices.Sorted(slices.Values(v))
	}
	for k, v := range tr.byCustomer {
		s.ByCustomer[k] = slices.Sorted(slices.Values(v))
	}
	for k, v := range tr.open {
		if v != 0 {
			s.Open[k] = v
		}
	}
	return s
}

func runAll(tr *Tracker, ins []input) []Event {
	var evs []Event
	for _, in := range ins {
		evs = append(evs, feed(tr, in)...)
	}
	return evs
}

func TestRebuildEqualsLiveState(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			ins := generate(t, seed, 3000)
			live := newTestTracker(t, DefaultConfig(), nil)
			events := runAll(live, ins)
			kinds := map[EventKind]int{}
			for _, ev := range events {
				kinds[ev.Event]++
			}
			for _, k := range EventKinds() {
				require.Positive(t, kinds[k], "the generated inputs cause every kind of event; %s missing: %v", k, kinds)
			}
			end := ins[len(ins)-1].tick

			rebuilt := newTestTracker(t, DefaultConfig(), nil)
			shuffled := slices.Clone(events)
			rand.New(rand.NewPCG(seed, 1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			shuffled = append(shuffled, events[:100]...) // copies not yet collapsed by storage
			require.NoError(t, rebuilt.Rebuild(shuffled))
			require.Empty(t, rebuilt.Tick(end), "no idle resolution twice")
			require.Empty(t, live.Tick(end))
			require.Equal(t, snapshot(live), snapshot(rebuilt))
			require.Equal(t, live.Open(), rebuilt.Open())

			// Redelivered messages of live cases cause nothing, in either.
			since := DefaultConfig().LoadSince(end)
			var n int
			for _, in := range ins {
				if in.msg != nil && !in.msg.CreatedAt.Before(since) {
					n++
					require.Empty(t, rebuilt.Observe(*in.msg), "message %s", in.msg.ID)
					require.Empty(t, live.Observe(*in.msg), "message %s", in.msg.ID)
				}
			}
			require.Positive(t, n)
		})
	}
}

func TestRestartMidStream(t *testing.T) {
	ins := generate(t, 42, 4000)
	live := newTestTracker(t, DefaultConfig(), nil)
	var before, after []Event
	// Restart right after a tick half way, as the app rebuilds and ticks
	// at start.
	split := len(ins) / 2
	for ins[split-1].msg != nil || ins[split-1].act != nil {
		split++
	}
	before = runAll(live, ins[:split])
	after = runAll(live, ins[split:])

	restarted := newTestTracker(t, DefaultConfig(), nil)
	require.NoError(t, restarted.Rebuild(before))
	require.Empty(t, restarted.Tick(ins[split-1].tick))
	// The stream redelivers the messages of the last hours, processed but
	// not acknowledged: they cause nothing.
	var redelivered int
	for _, in := range ins[split-300 : split] {
		if in.msg != nil && !in.msg.CreatedAt.Before(DefaultConfig().LoadSince(ins[split-1].tick)) {
			redelivered++
			require.Empty(t, restarted.Observe(*in.msg))
		}
	}
	require.Greater(t, redelivered, 20)
	require.Equal(t, after, runAll(restarted, ins[split:]))
	require.Equal(t, snapshot(live), snapshot(restarted))
}

func TestRebuildRejectsInvalidEvents(t *testing.T) {
	tr := newTestTracker(t, DefaultConfig(), nil)
	evs := tr.Observe(in("a", "u1", 0), out("b", "AcmeHelp", time.Minute, replyTo("a")))
	require.Len(t, evs, 2)

	bad := slices.Clone(evs)
	bad[1].Event = "exploded"
	fresh := newTestTracker(t, DefaultConfig(), nil)
	require.ErrorContains(t, fresh.Rebuild(bad), `event: "exploded"`)
	require.Empty(t, fresh.Cases())

	// An orphan (its opened event lost) is skipped, the rest rebuilt.
	orphan := evs[1]
	orphan.CaseID, orphan.ID = "00000000000000aa", "00000000000000bb"
	require.NoError(t, fresh.Rebuild(append(slices.Clone(evs), orphan)))
	require.Len(t, fresh.Cases(), 1)
	require.Equal(t, snapshot(tr), snapshot(fresh))
}
