package simulate

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/collectors"
	"github.com/vigia-dev/vigia/collectors/collectortest"
	"github.com/vigia-dev/vigia/internal/message"
)

func countConfig(n int) Config {
	cfg := DefaultConfig()
	cfg.Mode, cfg.Count, cfg.Seed = ModeCount, n, 7
	return cfg
}

func generate(t *testing.T, cfg Config, seed uint64, n int) []message.Message {
	t.Helper()
	g, err := NewGenerator(cfg, seed, cfg.Start)
	require.NoError(t, err)
	out := make([]message.Message, n)
	for i := range out {
		out[i] = g.Next()
	}
	return out
}

func info(t *testing.T, m message.Message) SimInfo {
	t.Helper()
	var s SimInfo
	require.NoError(t, json.Unmarshal(m.Raw, &s))
	return s
}

func TestDeterministic(t *testing.T) {
	cfg := countConfig(1)
	a, b := generate(t, cfg, 7, 3000), generate(t, cfg, 7, 3000)
	require.Equal(t, a, b, "same seed, same sequence")
	c := generate(t, cfg, 8, 3000)
	require.NotEqual(t, a[0].Text+a[1].Text+a[2].Text, c[0].Text+c[1].Text+c[2].Text, "another seed, another sequence")
}

func TestGeneratedTraffic(t *testing.T) {
	cfg := countConfig(1)
	cfg.Rate = 0.05 // ~4300 a day: a fortnight in 60k messages
	msgs := generate(t, cfg, 7, 60_000)
	loc, err := time.LoadLocation(cfg.Timezone)
	require.NoError(t, err)

	seen := map[message.ID]message.Message{}
	scenarios := map[string]int{}
	langs := map[string]int{}
	brands := map[string]int{}
	var byHour [24]int
	var weekday, weekend int
	answered := map[message.ID]bool{}
	spamTexts := map[string]map[string]bool{}
	var influencers, verified int
	for i, m := range msgs {
		require.NoError(t, m.Validate(), "message %d", i)
		if i > 0 {
			require.False(t, m.CreatedAt.Before(msgs[i-1].CreatedAt), "message %d goes back in time", i)
		}
		require.False(t, m.CreatedAt.Before(cfg.Start))
		_, dup := seen[m.ID]
		require.False(t, dup, "duplicate id %s", m.ID)
		seen[m.ID] = m
		s := info(t, m)
		scenarios[s.Scenario]++
		langs[s.Lang]++
		brands[m.Brand]++
		if m.InReplyTo != "" {
			parent, ok := seen[m.InReplyTo]
			require.True(t, ok, "%s replies to %s, not emitted before it", m.ID, m.InReplyTo)
			require.Equal(t, parent.ConversationID, m.ConversationID)
			require.Equal(t, message.KindReply, m.Kind)
			if m.Direction == message.DirectionOutbound {
				answered[m.InReplyTo] = true
				require.Equal(t, parent.Brand, m.Brand)
				require.True(t, strings.HasPrefix(m.Text, "@"+parent.Author.Handle+" "), "reply %q addresses %s", m.Text, parent.Author.Handle)
				delay := m.CreatedAt.Sub(parent.CreatedAt)
				require.True(t, delay >= 30*time.Second && delay < 48*time.Hour, "reply delay %v", delay)
			}
		} else {
			require.Equal(t, message.DirectionInbound, m.Direction)
		}
		if s.Scenario == ScenarioSpam {
			if spamTexts[m.Text] == nil {
				spamTexts[m.Text] = map[string]bool{}
			}
			spamTexts[m.Text][m.Author.ID] = true
			require.Contains(t, m.Text, "https://")
		}
		if s.Scenario == ScenarioInfluencer {
			influencers++
			require.GreaterOrEqual(t, m.Author.Followers, int64(50_000))
			if m.Author.Verified {
				verified++
			}
		}
		if m.Direction == message.DirectionInbound && m.InReplyTo == "" && s.Scenario != ScenarioOutage && s.Scenario != ScenarioSpam {
			lt := m.CreatedAt.In(loc)
			byHour[lt.Hour()]++
			if lt.Weekday() == time.Saturday || lt.Weekday() == time.Sunday {
				weekend++
			} else {
				weekday++
			}
		}
	}
	for _, s := range Scenarios() {
		require.Positive(t, scenarios[s], "scenario %s never generated", s)
	}
	require.Positive(t, langs["es"])
	require.Positive(t, langs["en"])
	require.Len(t, brands, len(cfg.Brands))
	require.Positive(t, influencers)
	require.Positive(t, verified)

	// Daily cycle: the late-morning and evening peaks beat the night.
	peak := byHour[11] + byHour[12] + byHour[19] + byHour[20]
	night := byHour[2] + byHour[3] + byHour[4] + byHour[5]
	require.Greater(t, peak, 5*night, "got peak %d night %d", peak, night)
	// Weekly cycle: a weekend day is quieter than a weekday.
	require.Less(t, float64(weekend)/2, 0.8*float64(weekday)/5, "got weekend %d weekday %d", weekend, weekday)

	// Spam bursts: the same text from many accounts.
	var burst bool
	for _, authors := range spamTexts {
		if len(authors) >= 8 {
			burst = true
		}
	}
	require.True(t, burst, "no spam burst of 8+ accounts")

	// Some messages are never answered.
	var unanswered int
	for id, m := range seen {
		s := info(t, m)
		if m.Direction == message.DirectionInbound && s.Scenario == ScenarioComplaint && !answered[id] {
			unanswered++
		}
	}
	require.Positive(t, unanswered)
}

func TestOutageBurst(t *testing.T) {
	cfg := countConfig(1)
	cfg.Rate, cfg.OutageEvery, cfg.OutageSize = 0.01, 24*time.Hour, 50
	msgs := generate(t, cfg, 3, 400)
	var first time.Time
	var inWindow int
	brands := map[string]bool{}
	for _, m := range msgs {
		if info(t, m).Scenario != ScenarioOutage {
			continue
		}
		if first.IsZero() {
			first = m.CreatedAt
		}
		if m.CreatedAt.Sub(first) <= 45*time.Minute {
			inWindow++
			brands[m.Brand] = true
		}
	}
	require.WithinRange(t, first, cfg.Start.Add(15*time.Minute), cfg.Start.Add(16*time.Minute), "first outage a quarter hour in")
	require.Equal(t, 50, inWindow, "every outage message within 45 minutes")
	require.Len(t, brands, 1, "one brand's outage")
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Config)
		wants []string
	}{
		{name: "defaults", edit: func(*Config) {}},
		{name: "count mode needs count", edit: func(c *Config) { c.Mode = ModeCount }, wants: []string{"count: 0: must be positive in count mode"}},
		{name: "many", edit: func(c *Config) {
			c.Name, c.Mode, c.Rate, c.Count, c.TimeScale, c.Timezone, c.Channel = "", "burst", 0, -1, 0, "Mars/Olympus", "fax"
			c.SpanishRatio, c.UnansweredRatio, c.OutageEvery, c.OutageSize, c.BatchSize = 2, -1, time.Minute, 0, 0
		}, wants: []string{
			`name: "": must not be empty`, `mode: "burst": want rate or count`, "rate: 0: must be positive", "count: -1: must not be negative",
			"time_scale: 0: must be positive", `timezone: "Mars/Olympus": want an IANA zone`, `channel: "fax": want one of`,
			"spanish_ratio: 2: must be between 0 and 1", "unanswered_ratio: -1: must be between 0 and 1",
			`outage_every: "1m0s": want 0 (no outages) or at least 10m0s`, "outage_size: 0: must be between 1 and 10000",
			"batch_size: 0: must be between 1 and 10000",
		}},
		{name: "brands", edit: func(c *Config) {
			c.Brands = []Brand{{Name: "a", Handle: "ok"}, {Name: "a", Handle: "no spaces"}, {Handle: ""}}
		}, wants: []string{
			`brands[1].name: "a": is used by an earlier brand`, `brands[1].handle: "no spaces": want 1 to 30`,
			`brands[2].name: "": must not be empty`, `brands[2].handle: "": want 1 to 30`,
		}},
		{name: "no brands", edit: func(c *Config) { c.Brands = nil }, wants: []string{"brands: []: want at least one brand"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.edit(&cfg)
			collectortest.RequireProblems(t, cfg.Validate(), tt.wants)
		})
	}
}

func TestSampleConfig(t *testing.T) {
	cfg := DefaultConfig()
	collectortest.DecodeSample(t, ".", &cfg)
	require.NoError(t, cfg.Validate())
	require.Equal(t, DefaultStart(), cfg.Start)
	require.Equal(t, 24*time.Hour, cfg.OutageEvery)
	require.Len(t, cfg.Brands, 2)
}

func TestCountMode(t *testing.T) {
	cfg := countConfig(1234)
	cfg.BatchSize = 500
	rec := collectortest.NewRecorder()
	reg := prometheus.NewRegistry()
	c, err := New(cfg, slog.New(slog.DiscardHandler), reg)
	require.NoError(t, err)
	require.NoError(t, c.Run(t.Context(), rec))
	require.Equal(t, 1234, rec.Len())
	require.Equal(t, 3, rec.Calls(), "batches of 500, 500, 234")
	msgs := rec.Messages()
	require.Equal(t, msgs[0].CreatedAt, msgs[0].ReceivedAt)
	require.Equal(t, generate(t, cfg, 7, 1)[0].ID, msgs[0].ID)
	problems, err := testutil.GatherAndLint(reg)
	require.NoError(t, err)
	require.Empty(t, problems)
}

func TestRateMode(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Seed, cfg.Rate, cfg.Count, cfg.TimeScale = 5, 10, 200, 60
	now := time.Date(2025, 3, 3, 11, 0, 0, 0, time.UTC)
	var slept time.Duration
	c, err := New(cfg, slog.New(slog.DiscardHandler), nil, WithClock(
		func() time.Time { return now.Add(slept) },
		func(_ context.Context, d time.Duration) error { slept += d; return nil },
	))
	require.NoError(t, err)
	rec := collectortest.NewRecorder()
	require.NoError(t, c.Run(t.Context(), rec))
	msgs := rec.Messages()
	require.Len(t, msgs, 200)
	for _, m := range msgs {
		require.Equal(t, m.CreatedAt, m.ReceivedAt, "timestamps are now at emission")
	}
	// 200 messages at ~10/s of wall time take ~20s; cycles make it vary.
	require.True(t, slept > 5*time.Second && slept < 80*time.Second, "slept %v", slept)
	require.WithinRange(t, msgs[len(msgs)-1].CreatedAt, now, now.Add(slept))
}

func TestPublishFailure(t *testing.T) {
	rec := collectortest.NewRecorder()
	rec.Fail(collectortest.ErrInjected)
	c, err := New(countConfig(10), slog.New(slog.DiscardHandler), nil)
	require.NoError(t, err)
	require.ErrorIs(t, c.Run(t.Context(), rec), collectortest.ErrInjected)
}

func TestConformance(t *testing.T) {
	t.Run("count", func(t *testing.T) {
		collectortest.Run(t, func(t *testing.T, _ collectors.Publisher) collectortest.Subject {
			c, err := New(countConfig(2000), slog.New(slog.DiscardHandler), nil)
			require.NoError(t, err)
			return collectortest.Subject{Collector: c}
		})
	})
	t.Run("rate", func(t *testing.T) {
		collectortest.Run(t, func(t *testing.T, _ collectors.Publisher) collectortest.Subject {
			cfg := DefaultConfig()
			cfg.Seed, cfg.Rate, cfg.BatchSize = 9, 200, 10
			c, err := New(cfg, slog.New(slog.DiscardHandler), nil)
			require.NoError(t, err)
			return collectortest.Subject{Collector: c}
		})
	})
}

func BenchmarkGenerator(b *testing.B) {
	cfg := countConfig(1)
	g, err := NewGenerator(cfg, 1, cfg.Start)
	require.NoError(b, err)
	for b.Loop() {
		g.Next()
	}
}
