package classify_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/classify"
	"github.com/vigia-dev/vigia/classify/text"
	"github.com/vigia-dev/vigia/internal/message"
)

// synthModels returns deterministic random models of the shipped shape
// (2^18 buckets; three binary models and a three-class sentiment model
// per language), with weights large enough that scores spread over [0,1]
// and top terms are named for about half the messages. They pin the
// pipeline's output independently of the trained weights.
func synthModels() *text.Models {
	var ms []*text.Model
	seed := uint64(1)
	for _, lang := range []string{"es", "en"} {
		for _, task := range text.Tasks() {
			classes := 1
			if task == text.TaskSentiment {
				classes = 3
			}
			r := rand.New(rand.NewPCG(seed, 99))
			seed++
			m := &text.Model{Task: task, Lang: lang, Bits: 18, Classes: classes, Threshold: 0.5, Scale: 1.0 / 2048}
			m.Bias = make([]float32, classes)
			for c := range m.Bias {
				m.Bias[c] = float32(r.NormFloat64() * 0.5)
			}
			m.Q = make([]int16, classes<<18)
			for i := range m.Q {
				m.Q[i] = int16(r.IntN(16001) - 8000)
			}
			ms = append(ms, m)
		}
	}
	return text.NewModels(ms...)
}

// goldenMessages returns the messages the pipeline golden test classifies,
// in order: the benchmark's distinct mix twice over (so the spam detector
// meets recurring texts), its near-duplicate flood, and varied messages
// for the brands of testdata/config.yaml (VIP, block lists, keywords,
// outbound, platform languages, unanswered counts, new accounts, odd
// texts).
func goldenMessages() ([]message.Message, []classify.Input) {
	var msgs []message.Message
	distinct := benchMessages(4096, true)
	msgs = append(append(msgs, distinct...), distinct...)
	msgs = append(msgs, benchMessages(2048, false)...)
	pieces := []string{
		"@MovilCo", "llevo", "tres días", "sin internet", "nadie me da una solución", "😡", "https://t.co/a1",
		"my internet has been down", "since Monday", "support keeps hanging up", "me han cobrado dos veces",
		"charged twice", "please fix this asap", "gracias", "muy amable", "🙌", "thanks for the quick fix",
		"son unos ladrones", "#MovilCoEstafa", "worst company ever", "bunch of clowns", "#fail",
		"Gana dinero desde casa", "escríbeme al DM", "💰", "https://bit.ly/3xyz", "free followers",
		"crypto giveaway", "la app no funciona", "the app keeps crashing", "voy a poner una queja",
		"calling my lawyer", "noooo", "NUNCA MÁS", "no me gusta", "I don't like it", "¿por qué?", "!!!",
		"el técnico", "the router", "factura", "bill", "ñandú", "\xff", "", "portabilidad", "acme box",
		"12345", "ÁRBOL", "ｆｕｌｌ", "e\u0301xito", "don’t", "but", "pero", ",", "tinyurl.com/x", "jajaja",
	}
	r := rand.New(rand.NewPCG(3, 5))
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i := range 3000 {
		words := make([]string, 1+r.IntN(20))
		for j := range words {
			words[j] = pieces[r.IntN(len(pieces))]
		}
		m := message.Message{
			ID: message.NewID(message.ChannelX, fmt.Sprint("g", i)), Brand: []string{"acme", "strict", "other"}[r.IntN(3)],
			Channel: message.ChannelX, Kind: message.KindMention, Direction: message.DirectionInbound,
			CreatedAt: t0.Add(time.Duration(i) * 700 * time.Millisecond),
			Author: message.Author{ID: fmt.Sprint("a", r.IntN(60)), Handle: []string{"someone", "LaPeriodista", "spammer99", "noisy", "x"}[r.IntN(5)],
				Followers: int64(math.Pow(10, r.Float64()*7)), Following: int64(r.IntN(20_000)), Verified: r.IntN(4) == 0},
			Text: strings.Join(words, " "),
		}
		if r.IntN(3) == 0 {
			m.Author.CreatedAt = m.CreatedAt.Add(-time.Duration(r.IntN(400)) * time.Hour)
		}
		if r.IntN(10) == 0 {
			m.Direction = message.DirectionOutbound
		}
		if r.IntN(5) == 0 {
			m.Lang = []string{"es", "en", "fr"}[r.IntN(3)]
		}
		msgs = append(msgs, m)
	}
	ins := make([]classify.Input, len(msgs))
	for i := range ins {
		ins[i] = classify.Input{UnansweredInConversation: i % 5, Engagement: int64(i % 7 * 40)}
	}
	// The benchmark's messages get times as runClassify gives them.
	for i := range 4096*2 + 2048 {
		msgs[i].CreatedAt = t0.Add(time.Duration(i) * 150 * time.Millisecond)
	}
	return msgs, ins
}

// writeResult hashes every field of r, floats bit for bit.
func writeResult(h hash.Hash, r classify.Result) {
	f64 := func(v float64) { h.Write(binary.LittleEndian.AppendUint64(nil, math.Float64bits(v))) }
	fmt.Fprintf(h, "%q %v|", r.Lang, r.Ignored)
	f64(r.Sentiment)
	for _, l := range r.Labels {
		fmt.Fprintf(h, "%q %v %q|", l.Name, l.Decision, l.Reasons)
		f64(l.Score)
	}
}

// TestPipelineGolden pins the whole pipeline's output (languages,
// sentiment, every label's score bit for bit, decision and reasons) over
// about 13,000 messages with synthetic models of the shipped shape, and
// without models. Changes meant to make classification faster must leave
// it unchanged.
func TestPipelineGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("13,000 messages")
	}
	msgs, ins := goldenMessages()
	for _, tc := range []struct {
		name   string
		models *text.Models
		want   uint64
	}{
		{"synthetic models", synthModels(), 0x90d05daee2c6b074},
		{"no models", nil, 0xbe518c92a59f2cc},
	} {
		c, err := classify.New(testConfig(t), tc.models, nil)
		require.NoError(t, err)
		h := fnv.New64a()
		for i, m := range msgs {
			r, err := c.Classify(context.Background(), m, ins[i])
			require.NoError(t, err)
			writeResult(h, r)
		}
		require.Equal(t, fmt.Sprintf("%#x", tc.want), fmt.Sprintf("%#x", h.Sum64()), tc.name)
	}
}
