package inhibit

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/vigia-dev/vigia/alerts/alert"
)

var now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func firing(labels map[string]string) alert.Alert {
	return alert.Alert{Labels: labels, StartsAt: now.Add(-time.Minute), UpdatedAt: now}
}

func TestOutageInhibitsComplaints(t *testing.T) {
	var rules []Rule
	require.NoError(t, yaml.Unmarshal([]byte(`
- source_matchers: [rule=outage]
  target_matchers: ['rule=~"complaint|urgent"']
  equal: [brand]
`), &rules))
	inh, err := New(rules)
	require.NoError(t, err)

	outage := firing(map[string]string{"rule": "outage", "brand": "acme"})
	resolvedOutage := outage
	resolvedOutage.EndsAt = now.Add(-time.Second)
	endingOutage := outage
	endingOutage.EndsAt = now.Add(time.Minute)

	complaint := map[string]string{"rule": "complaint", "brand": "acme", "case_id": "c1"}
	tests := []struct {
		name   string
		target map[string]string
		active []alert.Alert
		at     time.Time
		want   bool
	}{
		{"outage mutes complaint of the same brand", complaint, []alert.Alert{outage}, now, true},
		{"and urgent ones", map[string]string{"rule": "urgent", "brand": "acme"}, []alert.Alert{outage}, now, true},
		{"not another brand", map[string]string{"rule": "complaint", "brand": "globex"}, []alert.Alert{outage}, now, false},
		{"not a non-target rule", map[string]string{"rule": "sla_breach", "brand": "acme"}, []alert.Alert{outage}, now, false},
		{"not the outage itself", outage.Labels, []alert.Alert{outage}, now, false},
		{"resolved outage mutes nothing", complaint, []alert.Alert{resolvedOutage}, now, false},
		{"outage ending later still mutes", complaint, []alert.Alert{endingOutage}, now, true},
		{"no longer once it ended", complaint, []alert.Alert{endingOutage}, now.Add(time.Minute), false},
		{"no sources", complaint, nil, now, false},
		{"missing brand equals empty brand", map[string]string{"rule": "complaint"}, []alert.Alert{firing(map[string]string{"rule": "outage", "brand": ""})}, now, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fp := inh.Mutes(tt.target, tt.active, tt.at)
			require.Equal(t, tt.want, got, "got %v, want %v", got, tt.want)
			if tt.want {
				require.Equal(t, tt.active[0].Fingerprint(), fp)
			}
		})
	}
}

func TestTwoSidedAlertsDoNotMuteEachOther(t *testing.T) {
	// Any critical alert mutes warnings and criticals of the same brand...
	inh, err := New([]Rule{{
		SourceMatchers: []string{"severity=critical"},
		TargetMatchers: []string{`severity=~"warning|critical"`},
		Equal:          []string{"brand"},
	}})
	require.NoError(t, err)
	crit1 := firing(map[string]string{"severity": "critical", "brand": "acme", "case_id": "1"})
	crit2 := firing(map[string]string{"severity": "critical", "brand": "acme", "case_id": "2"})
	warn := firing(map[string]string{"severity": "warning", "brand": "acme"})

	snap := inh.Snapshot(slices.Values([]alert.Alert{crit1, crit2, warn}), now)
	muted, _ := snap.Mutes(crit1.Labels)
	require.False(t, muted, "critical alerts match both sides and must not mute each other")
	muted, fp := snap.Mutes(warn.Labels)
	require.True(t, muted)
	require.Contains(t, []alert.Fingerprint{crit1.Fingerprint(), crit2.Fingerprint()}, fp)
	require.True(t, snap.ValidAt(now.Add(24*time.Hour)), "no source ends on its own")
}

func TestValidate(t *testing.T) {
	_, err := New([]Rule{
		{SourceMatchers: []string{"rule=outage"}, TargetMatchers: []string{"rule=complaint"}, Equal: []string{"brand"}},
		{TargetMatchers: []string{"rule=~("}, Equal: []string{"brand", "not-a-label"}},
	})
	require.EqualError(t, err, `inhibit_rules[1].source_matchers: at least one matcher is required
inhibit_rules[1].target_matchers[0]: "rule=~(": bad regexp: error parsing regexp: missing closing ): `+"`(`"+`
inhibit_rules[1].equal[1]: label name "not-a-label": must match [a-zA-Z_][a-zA-Z0-9_]*`)
}
