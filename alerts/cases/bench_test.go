package cases_test

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/cases"
	"github.com/vigia-dev/vigia/alerts/sla"
	"github.com/vigia-dev/vigia/internal/message"
)

// benchMessages returns n messages of a busy day and more: 50,000
// customers writing to three brands, threads of mentions and replies
// with about one brand reply per two customer messages, one message a
// second on average.
func benchMessages(n int) []message.Message {
	rng := rand.New(rand.NewPCG(1, 2))
	brands := []string{"acme", "globex", "initech"}
	at := time.Date(2026, 5, 11, 8, 0, 0, 0, time.UTC)
	out := make([]message.Message, 0, n)
	var inbound []int
	for i := range n {
		at = at.Add(time.Duration(rng.IntN(2000)) * time.Millisecond)
		ext := strconv.Itoa(i)
		if len(inbound) > 0 && rng.IntN(3) == 0 {
			p := out[inbound[max(0, len(inbound)-1-rng.IntN(200))]]
			out = append(out, message.Message{
				ID: message.NewID(message.ChannelX, ext), Brand: p.Brand, Channel: message.ChannelX, Kind: message.KindReply,
				Direction: message.DirectionOutbound, InReplyTo: p.ID, ConversationID: p.ConversationID,
				Author: message.Author{ID: "help-" + p.Brand}, CreatedAt: at,
			})
			continue
		}
		m := message.Message{
			ID: message.NewID(message.ChannelX, ext), Brand: brands[rng.IntN(3)], Channel: message.ChannelX,
			Kind: message.KindMention, Direction: message.DirectionInbound, ConversationID: ext,
			Author: message.Author{ID: fmt.Sprintf("u%d", rng.IntN(50000))}, CreatedAt: at,
			Labels: []message.Label{{Name: "complaint", Decision: rng.IntN(3) == 0}, {Name: "urgent", Decision: rng.IntN(20) == 0}},
		}
		if len(inbound) > 0 && rng.IntN(4) == 0 {
			p := out[inbound[max(0, len(inbound)-1-rng.IntN(200))]]
			m.Kind, m.InReplyTo, m.ConversationID, m.Author, m.Brand = message.KindReply, p.ID, p.ConversationID, p.Author, p.Brand
		}
		inbound = append(inbound, len(out))
		out = append(out, m)
	}
	return out
}

// BenchmarkTrackerObserve measures threading throughput: one message per
// op, with a tick every 1,000 messages and business time on a Madrid
// calendar. Run: go test -bench TrackerObserve -benchmem ./alerts/cases/
func BenchmarkTrackerObserve(b *testing.B) {
	const n = 200_000
	msgs := benchMessages(n)
	cal, err := sla.NewCalendar(sla.Config{
		TimeZone: "Europe/Madrid",
		Hours:    []sla.Period{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Open: "09:00", Close: "17:00"}},
	})
	require.NoError(b, err)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	newTracker := func() *cases.Tracker {
		tr, err := cases.NewTracker(cases.DefaultConfig(), func(string) *sla.Calendar { return cal }, logger, nil)
		require.NoError(b, err)
		return tr
	}
	tr := newTracker()
	events := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		j := i % n
		if j == 0 && i > 0 {
			b.StopTimer()
			tr = newTracker()
			b.StartTimer()
		}
		events += len(tr.Observe(msgs[j]))
		if j%1000 == 999 {
			events += len(tr.Tick(msgs[j].CreatedAt))
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(events)/float64(b.N), "events/msg")
}
