package urgent_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/classify/lexicon"
	"github.com/vigia-dev/vigia/classify/reason"
	"github.com/vigia-dev/vigia/classify/urgent"
)

func match(group, phrase string, w float64) lexicon.Match {
	return lexicon.Match{Entry: lexicon.Entry{Group: group, Phrase: phrase, Weight: w}, Count: 1}
}

func TestScore(t *testing.T) {
	c := urgent.DefaultConfig()
	tests := []struct {
		name    string
		s       urgent.Signals
		lo, hi  float64
		reasons []string
	}{
		{"nothing", urgent.Signals{Unanswered: 1}, 0, 0, nil},
		{"charged twice", urgent.Signals{Matches: []lexicon.Match{match(lexicon.GroupUrgentMoney, "charged twice", 0)}}, 0.7, 0.7,
			[]string{`phrase "charged twice" (money lost)`}},
		{"outage and legal", urgent.Signals{Matches: []lexicon.Match{
			match(lexicon.GroupUrgentOutage, "sin servicio", 0), match(lexicon.GroupUrgentLegal, "profeco", 0)}}, 0.88, 0.88,
			[]string{`phrase "sin servicio" (service outage)`, `phrase "profeco" (legal threat)`}},
		{"brand keyword", urgent.Signals{Matches: []lexicon.Match{match("brand", "portabilidad", 0.6)}}, 0.6, 0.6,
			[]string{`brand keyword "portabilidad"`}},
		{"influencer complaint", urgent.Signals{Complaint: 0.9, Influencer: 0.8, ComplaintDecision: true, InfluencerDecision: true}, 0.7, 0.73,
			[]string{"complaint 0.90 from an influencer 0.80"}},
		{"influencer not complaining", urgent.Signals{Complaint: 0.2, Influencer: 0.8, InfluencerDecision: true}, 0, 0, nil},
		{"third unanswered", urgent.Signals{Unanswered: 3}, 0.5, 0.5,
			[]string{"3 unanswered messages from this customer in the open conversation"}},
		{"many unanswered", urgent.Signals{Unanswered: 50}, 0.95, 0.95,
			[]string{"50 unanswered messages from this customer in the open conversation"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reasons reason.List
			score := c.Score(tt.s, &reasons)
			require.InDelta(t, (tt.lo+tt.hi)/2, score, (tt.hi-tt.lo)/2+1e-9)
			require.Equal(t, tt.reasons, reasons.Strings())
			require.Equal(t, score, c.Score(tt.s, nil), "the score does not depend on collecting reasons")
		})
	}
}

func TestValidate(t *testing.T) {
	c := urgent.DefaultConfig()
	c.Weights.Money = 1.5
	c.UnansweredMin = -1
	require.EqualError(t, c.Validate(), "weights.money: 1.5: must be between 0 and 1\nunanswered_min: -1: must not be negative")
	require.NoError(t, urgent.DefaultConfig().Validate())
}

func ExampleConfig_Score() {
	var reasons reason.List
	score := urgent.DefaultConfig().Score(urgent.Signals{
		Matches:    []lexicon.Match{{Entry: lexicon.Entry{Group: lexicon.GroupUrgentMoney, Phrase: "cobr* dos veces"}, Count: 1}},
		Unanswered: 2,
	}, &reasons)
	fmt.Printf("%.3f %q\n", score, reasons.Strings())
	// Output: 0.805 ["phrase \"cobr* dos veces\" (money lost)" "2 unanswered messages from this customer in the open conversation"]
}
