package classify

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/classify/text"
	"github.com/vigia-dev/vigia/internal/message"
)

// TestScorersChangeNothing classifies the same 400 varied messages with
// the interleaved model tables (text.Scorer) and with the models scored
// one by one: every label, score, reason, language and sentiment must be
// identical.
func TestScorersChangeNothing(t *testing.T) {
	models, err := text.LoadEmbedded()
	require.NoError(t, err)
	fast, err := New(DefaultConfig(), models, nil)
	require.NoError(t, err)
	plain, err := New(DefaultConfig(), models, nil)
	require.NoError(t, err)
	if len(fast.scorers) == 0 {
		t.Skip("embedded models are not of the interleaved shape")
	}
	plain.scorers = nil
	pieces := []string{
		"@MovilCo", "llevo", "tres días", "sin internet", "nadie me da una solución", "😡", "https://t.co/a1",
		"my internet has been down", "since Monday", "support keeps hanging up", "me han cobrado dos veces",
		"charged twice", "please fix this asap", "gracias", "muy amable", "🙌", "thanks for the quick fix",
		"son unos ladrones", "#MovilCoEstafa", "worst company ever", "bunch of clowns", "#fail",
		"Gana dinero desde casa", "escríbeme al DM", "💰", "https://bit.ly/3xyz", "free followers",
		"crypto giveaway", "la app no funciona", "the app keeps crashing", "voy a poner una queja",
		"calling my lawyer", "noooo", "NUNCA MÁS", "no me gusta", "I don't like it", "¿por qué?", "!!!",
		"el técnico", "the router", "factura", "bill", "ñandú", "\xff", "",
	}
	r := rand.New(rand.NewPCG(3, 5))
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i := range 400 {
		words := make([]string, 3+r.IntN(14))
		for j := range words {
			words[j] = pieces[r.IntN(len(pieces))]
		}
		m := message.Message{
			ID: message.NewID(message.ChannelX, fmt.Sprint(i)), Brand: "movilco", Channel: message.ChannelX,
			Kind: message.KindMention, Direction: message.DirectionInbound, CreatedAt: t0.Add(time.Duration(i) * time.Second),
			Author: message.Author{ID: fmt.Sprint("u", i%37), Followers: int64(r.IntN(200_000)), Following: 300},
			Text:   strings.Join(words, " "),
		}
		if i%5 == 0 {
			m.Lang = []string{"es", "en", "fr"}[i%3]
		}
		want, err := plain.Classify(context.Background(), m, Input{})
		require.NoError(t, err)
		got, err := fast.Classify(context.Background(), m, Input{})
		require.NoError(t, err)
		require.Equal(t, want, got, "message %d: %q", i, m.Text)
	}
}
