package influence_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/classify/influence"
	"github.com/vigia-dev/vigia/classify/reason"
)

func TestScore(t *testing.T) {
	c := influence.DefaultConfig()
	tests := []struct {
		name        string
		s           influence.Signals
		lo, hi      float64
		tier        string
		wantReasons []string
	}{
		{"nobody", influence.Signals{}, 0, 0, "", []string{"followers 0 < micro tier 10,000"}},
		{"small", influence.Signals{Followers: 120}, 0.2, 0.3, "", []string{"followers 120 < micro tier 10,000"}},
		{"micro", influence.Signals{Followers: 10_000}, 0.5, 0.51, "micro", []string{"followers 10,000 ≥ micro tier 10,000"}},
		{"macro", influence.Signals{Followers: 250_000}, 0.7, 0.8, "macro", []string{"followers 250,000 ≥ macro tier 100,000"}},
		{"mega verified", influence.Signals{Followers: 50_000_000, Verified: true}, 1, 1, "mega",
			[]string{"followers 50,000,000 ≥ mega tier 1,000,000", "verified account"}},
		{"engaged", influence.Signals{Followers: 5_000, Engagement: 400}, 0.5, 0.6, "",
			[]string{"followers 5,000 < micro tier 10,000", "engagement 400 ≥ 100 interactions"}},
		{"negative", influence.Signals{Followers: -5}, 0, 0, "", []string{"followers 0 < micro tier 10,000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reasons reason.List
			score, tier := c.Score(tt.s, &reasons)
			require.GreaterOrEqual(t, score, tt.lo)
			require.LessOrEqual(t, score, tt.hi)
			require.Equal(t, tt.tier, tier)
			require.Equal(t, tt.wantReasons, reasons.Strings())
		})
	}
}

func TestScoreMonotonic(t *testing.T) {
	c := influence.DefaultConfig()
	prev := -1.0
	for f := int64(0); f < 100_000_000; f = f*3 + 1 {
		s, _ := c.Score(influence.Signals{Followers: f}, nil)
		require.GreaterOrEqual(t, s, prev, "followers %d", f)
		prev = s
	}
}

func TestValidate(t *testing.T) {
	c := influence.Config{
		Tiers:         []influence.Tier{{"micro", 100}, {"", 50}, {"micro", 0}},
		VerifiedBonus: 2, EngagementMin: -1,
	}
	err := c.Validate()
	require.EqualError(t, err, `tiers[1].name: is empty
tiers[1].min_followers: 50: must be greater than tiers[0]'s 100
tiers[2].name: "micro": duplicate tier name
tiers[2].min_followers: 0: must be positive
verified_bonus: 2: must be between 0 and 1
engagement_min: -1: must not be negative`)
	require.NoError(t, influence.DefaultConfig().Validate())
}

func ExampleConfig_Score() {
	var reasons reason.List
	score, tier := influence.DefaultConfig().Score(influence.Signals{Followers: 250_000}, &reasons)
	fmt.Printf("%.2f %s %q\n", score, tier, reasons.Strings())
	// Output: 0.73 macro ["followers 250,000 ≥ macro tier 100,000"]
}

func TestScoreAllocations(t *testing.T) {
	c := influence.DefaultConfig()
	var reasons reason.List
	allocs := testing.AllocsPerRun(100, func() {
		reasons.Reset()
		c.Score(influence.Signals{Followers: 250_000, Verified: true, Engagement: 500}, &reasons)
	})
	require.Zero(t, allocs)
}

// TestScorerMatchesConfig checks that the precomputed Scorer gives
// Config.Score's score bit for bit, its tier and its reasons.
func TestScorerMatchesConfig(t *testing.T) {
	configs := []influence.Config{influence.DefaultConfig(), {
		Tiers:         []influence.Tier{{Name: "local", MinFollowers: 2000}, {Name: "national", MinFollowers: 75_000}},
		VerifiedBonus: 0.2, EngagementMin: 1_234_567, EngagementBonus: 0.05,
	}}
	for _, c := range configs {
		sc := c.Scorer()
		for f := int64(-5); f < 3_000_000; f = f*3/2 + 7 {
			for _, sig := range []influence.Signals{{Followers: f}, {Followers: f, Verified: true, Engagement: f / 3}, {Followers: f, Engagement: 2_000_000}} {
				var want, got reason.List
				ws, wt := c.Score(sig, &want)
				gs, gt := sc.Score(sig, &got)
				require.Equal(t, math.Float64bits(ws), math.Float64bits(gs), "%+v", sig)
				require.Equal(t, wt, gt)
				require.Equal(t, want.Strings(), got.Strings())
			}
		}
	}
}
