package process

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/classify"
	"github.com/vigia-dev/vigia/classify/text"
	"github.com/vigia-dev/vigia/internal/message"
)

// TestLabelerPassesUnansweredCount: a customer who keeps writing without an
// answer becomes urgent, and the reason says why; the brand's reply resets it.
func TestLabelerPassesUnansweredCount(t *testing.T) {
	models, err := text.LoadEmbedded()
	require.NoError(t, err)
	c, err := classify.New(classify.DefaultConfig(), models, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	l := NewLabeler(c, 0)

	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	customer := func(i int) *message.Message {
		return &message.Message{
			ID: message.NewID(message.ChannelX, "c"+string(rune('0'+i))), Brand: "acme", Channel: message.ChannelX,
			Kind: message.KindReply, Direction: message.DirectionInbound, ConversationID: "conv1",
			Author: message.Author{ID: "ana", Followers: 40}, Text: "hola, ¿hay alguien?", CreatedAt: at.Add(time.Duration(i) * time.Minute),
		}
	}
	urgentReason := func(m *message.Message) (bool, string) {
		lbl, ok := m.Label("urgent")
		require.True(t, ok)
		return lbl.Decision, strings.Join(lbl.Reasons, "; ")
	}
	var last *message.Message
	for i := range 4 {
		last = customer(i)
		require.NoError(t, l.Classify(t.Context(), last))
	}
	decided, why := urgentReason(last)
	require.True(t, decided, "4 unanswered messages: %s", why)
	require.Contains(t, why, "unanswered messages from this customer")

	reply := &message.Message{ID: "x:r1", Brand: "acme", Channel: message.ChannelX, Kind: message.KindReply,
		Direction: message.DirectionOutbound, ConversationID: "conv1", Author: message.Author{ID: "AcmeHelp"}, Text: "Te ayudamos por DM", CreatedAt: at}
	require.NoError(t, l.Classify(t.Context(), reply))
	require.Empty(t, reply.Labels, "the brand's replies are not labeled")

	after := customer(5)
	require.NoError(t, l.Classify(t.Context(), after))
	_, why = urgentReason(after)
	require.NotContains(t, why, "unanswered")
}
