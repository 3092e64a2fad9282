package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/cases"
	"github.com/vigia-dev/vigia/internal/config"
	"github.com/vigia-dev/vigia/internal/message"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one", ms(7), 0.99, 7 * time.Millisecond},
		{"median of four is the second", ms(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 0.99, 99 * time.Millisecond},
		{"p90 of 1..100", ms(hundred...), 0.9, 90 * time.Millisecond},
		{"max", ms(hundred...), 1, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := percentile(tt.sorted, tt.p)
			require.Equal(t, tt.want, got, "got %v, want %v", got, tt.want)
		})
	}
}

// TestGeneratorMix: urgent messages come at their share, each from a new
// customer whose case id the driver can compute; the rest is the brand's
// replies and customers' chatter, all valid messages.
func TestGeneratorMix(t *testing.T) {
	g := newGenerator("t", 0.01)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	const n = 100_000
	kinds := map[string]int{}
	customers := map[string]bool{}
	ids := map[string]bool{}
	for range n {
		m := g.nextMessage(now)
		require.False(t, ids[m.ID], "id %s repeated", m.ID)
		ids[m.ID] = true
		switch {
		case m.urgent:
			kinds["urgent"]++
			require.False(t, customers[m.Author.ID], "urgent customer %s repeated", m.Author.ID)
			customers[m.Author.ID] = true
			require.Equal(t, cases.CaseIDFor(message.ID("webhook:"+m.ID)), caseIDOf(m.ID))
		case m.Direction == string(message.DirectionOutbound):
			kinds["reply"]++
			require.NotEmpty(t, m.InReplyTo)
		case m.InReplyTo != "":
			kinds["follow_up"]++
		default:
			kinds["inbound"]++
		}
	}
	share := func(k string) float64 { return float64(kinds[k]) / n }
	require.InDelta(t, 0.01, share("urgent"), 0.002)
	require.InDelta(t, replyShare, share("reply"), 0.01)
	require.InDelta(t, followUpShare, share("follow_up"), 0.01)
	require.InDelta(t, 1-0.01-replyShare-followUpShare, share("inbound"), 0.01)
}

// TestConfigIsValid: the configuration given to the vigia under test loads
// and has the route the measurement depends on.
func TestConfigIsValid(t *testing.T) {
	t.Setenv(secretEnv, intakeSecret)
	dir := t.TempDir()
	yaml := configYAML(dir, "127.0.0.1:18080", "127.0.0.1:19000", "vigia_alertbench_test", 200*time.Millisecond, time.Second, "http://127.0.0.1:9/hook")
	cfg, err := config.Load([]byte(yaml), dir)
	require.NoError(t, err)
	require.True(t, cfg.Alerts.On())
	require.False(t, cfg.Processor.ClassifyOn())
	require.Equal(t, []string{"case_id"}, cfg.Alerts.Route.GroupBy)
	require.NotNil(t, cfg.Alerts.Route.GroupWait)
	require.Zero(t, *cfg.Alerts.Route.GroupWait)
	require.Equal(t, 200*time.Millisecond, cfg.ClickHouse.BatchMaxAge)
	require.Len(t, cfg.Collectors.Webhook, 1)
	require.Equal(t, "/intake/webhook", cfg.Collectors.Webhook[0].Path)
}
