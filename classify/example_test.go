package classify_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/vigia-dev/vigia/classify"
	"github.com/vigia-dev/vigia/internal/message"
)

func ExampleClassifier_Classify() {
	cfg := classify.DefaultConfig()
	cfg.Brands = []classify.BrandConfig{{
		Name:     "movilco",
		Keywords: []classify.Keywords{{Label: classify.LabelUrgent, Lang: "es", Phrases: []string{"portabilidad"}}},
	}}
	// Pass text.LoadEmbedded()'s models in production; nil uses lexicons
	// and signals only, which keeps this example's output stable.
	c, err := classify.New(cfg, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		panic(err)
	}
	m := message.Message{
		ID: "x:1", Brand: "movilco", Channel: message.ChannelX, Kind: message.KindMention,
		Direction: message.DirectionInbound, Author: message.Author{ID: "42", Followers: 120_000},
		Text:      "@movilco me han cobrado dos veces y la portabilidad sigue sin hacerse",
		CreatedAt: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
	}
	r, err := c.Classify(context.Background(), m, classify.Input{UnansweredInConversation: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println("lang:", r.Lang)
	for _, l := range r.Labels {
		if l.Decision {
			fmt.Printf("%s %.2f %q\n", l.Name, l.Score, l.Reasons)
		}
	}
	// Output:
	// lang: es
	// influencer 0.68 ["followers 120,000 ≥ macro tier 100,000"]
	// urgent 0.88 ["phrase \"cobr* dos veces\" (money lost)" "brand keyword \"portabilidad\""]
}

func ExampleApply() {
	m := message.Message{Text: "charged twice"}
	classify.Apply(&m, classify.Result{Lang: "en", Sentiment: -0.6, Labels: []message.Label{{Name: classify.LabelUrgent, Score: 0.7, Decision: true}}})
	l, _ := m.Label(classify.LabelUrgent)
	fmt.Println(m.Lang, m.Sentiment, l.Decision)
	// Output: en -0.6 true
}

func ExampleParseConfig() {
	cfg, err := classify.ParseConfig([]byte(`
thresholds:
  urgent: 0.6
brands:
  - name: movilco
    vip: ["@laperiodista"]
    block: {handles: ["@spam123"], action: ignore}
`))
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Thresholds.Urgent, cfg.Thresholds.Complaint, cfg.Validate())
	// Output: 0.6 0.5 <nil>
}
