package rules_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/cases"
	"github.com/vigia-dev/vigia/alerts/rules"
	"github.com/vigia-dev/vigia/alerts/sla"
)

func madrid(t *testing.T) *sla.Calendar {
	t.Helper()
	cal, err := sla.NewCalendar(sla.Config{TimeZone: "Europe/Madrid", Hours: []sla.Period{
		{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Open: "09:00", Close: "17:00"}}})
	require.NoError(t, err)
	return cal
}

func at(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Madrid")
	require.NoError(t, err)
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	require.NoError(t, err)
	return v.UTC()
}

func names(as []alert.Alert) []string {
	var out []string
	for _, a := range as {
		n := a.Labels[alert.LabelRule]
		if s := a.Labels[rules.LabelEscalation]; s != "" {
			n += ":" + s
		}
		out = append(out, n)
	}
	return out
}

func TestCaseAlertsFollowTheBusinessClock(t *testing.T) {
	cal := madrid(t)
	cfg := rules.DefaultConfig()
	cfg.Policies = []rules.Policy{{
		Name: "complaints", Priority: cases.PriorityComplaint,
		Targets:     []sla.Target{{Metric: sla.FirstResponse, Duration: time.Hour, WarnAt: 0.75}},
		Escalations: []rules.Escalation{{Name: "oncall", After: 30 * time.Minute}, {Name: "lead", After: 2 * time.Hour}},
	}}
	ev := rules.NewEvaluator(cfg, func(string) *sla.Calendar { return cal }, func(id string) string { return "http://vigia/cases/" + id })
	// Friday 16:30, a 1h business-hours target: due Monday 09:30.
	c := &cases.CaseState{ID: "00000000000000aa", Brand: "acme", Channel: "x", Status: cases.StatusOpen, Language: "es",
		Priority: cases.PriorityComplaint, Waiting: sla.FirstResponse, WaitingSince: at(t, "2026-11-20 16:30")}
	tests := []struct {
		now  string
		want []string
		next string
	}{
		{"2026-11-20 16:40", nil, "2026-11-23 09:15"},
		{"2026-11-22 12:00", nil, "2026-11-23 09:15"},
		{"2026-11-23 09:15", []string{"sla_warning"}, ""},
		{"2026-11-23 09:30", []string{"sla_warning"}, ""},
		{"2026-11-23 09:45", []string{"sla_breach"}, "2026-11-23 10:00"},
		{"2026-11-23 10:00", []string{"sla_breach", "escalation:oncall"}, "2026-11-23 11:30"},
		{"2026-11-23 12:00", []string{"sla_breach", "escalation:oncall", "escalation:lead"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.now, func(t *testing.T) {
			got, next := ev.Case(c, at(t, tt.now))
			require.Equal(t, tt.want, names(got))
			if tt.next != "" {
				require.Equal(t, at(t, tt.next), next.UTC().Truncate(time.Minute))
			}
			for _, a := range got {
				require.Equal(t, "00000000000000aa", a.Labels[alert.LabelCaseID])
				require.Equal(t, "es", a.Labels[alert.LabelLanguage])
				require.Equal(t, "first_response", a.Labels[rules.LabelSLA])
				require.Contains(t, a.Annotations["summary"], "due Mon 23 Nov 09:30 CET")
				require.Equal(t, "http://vigia/cases/00000000000000aa", a.Annotations["link"])
			}
		})
	}
	// Answered: nothing fires any more.
	answered := *c
	answered.Waiting, answered.WaitingSince = "", time.Time{}
	got, next := ev.Case(&answered, at(t, "2026-11-23 12:00"))
	require.Empty(t, got)
	require.True(t, next.IsZero())
	// The same case gives the same fingerprints at different times.
	a1, _ := ev.Case(c, at(t, "2026-11-23 09:45"))
	a2, _ := ev.Case(c, at(t, "2026-11-23 09:50"))
	require.Equal(t, a1[0].Fingerprint(), a2[0].Fingerprint())
	require.Equal(t, a1[0].StartsAt, a2[0].StartsAt)
}

func TestUrgentAndInfluencerFireWhileWaiting(t *testing.T) {
	ev := rules.NewEvaluator(rules.DefaultConfig(), nil, nil)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		priority              cases.Priority
		complaint, influencer bool
		waiting               sla.Metric
		status                cases.Status
		want                  []string
	}{
		{cases.PriorityUrgent, false, false, sla.FirstResponse, cases.StatusOpen, []string{"urgent"}},
		{cases.PriorityUrgent, false, false, sla.NextResponse, cases.StatusOpen, []string{"urgent"}},
		{cases.PriorityUrgent, false, false, "", cases.StatusOpen, nil},
		{cases.PriorityUrgent, false, false, sla.FirstResponse, cases.StatusResolved, nil},
		{cases.PriorityUrgent, true, true, sla.FirstResponse, cases.StatusOpen, []string{"urgent"}}, // urgent says it first
		{cases.PriorityInfluencer, true, true, sla.FirstResponse, cases.StatusOpen, []string{"influencer_complaint"}},
		{cases.PriorityInfluencer, false, true, sla.FirstResponse, cases.StatusOpen, nil}, // praise from an influencer
		{cases.PriorityInfluencer, true, true, "", cases.StatusOpen, nil},
		{cases.PriorityComplaint, true, false, sla.FirstResponse, cases.StatusOpen, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/c%v/i%v/%s/%s", tt.priority, tt.complaint, tt.influencer, tt.waiting, tt.status), func(t *testing.T) {
			c := &cases.CaseState{ID: "00000000000000bb", Brand: "acme", Channel: "x", Status: tt.status,
				Priority: tt.priority, Complaint: tt.complaint, Influencer: tt.influencer,
				Waiting: tt.waiting, WaitingSince: now.Add(-time.Minute)}
			got, _ := ev.Case(c, now)
			require.Equal(t, tt.want, names(got))
			for _, a := range got {
				require.NotContains(t, a.Labels, alert.LabelLanguage)
				require.Equal(t, now.Add(-time.Minute), a.StartsAt)
			}
		})
	}
	cfg := rules.DefaultConfig()
	cfg.Disabled = []string{"urgent"}
	off := rules.NewEvaluator(cfg, nil, nil)
	got, _ := off.Case(&cases.CaseState{Status: cases.StatusOpen, Priority: cases.PriorityUrgent, Waiting: sla.FirstResponse}, now)
	require.Empty(t, got)
}

func TestFirstMatchingPolicyWins(t *testing.T) {
	cfg := rules.DefaultConfig()
	cfg.Policies = []rules.Policy{
		{Name: "acme-urgent", Brand: "acme", Priority: cases.PriorityUrgent, Targets: []sla.Target{{Metric: sla.FirstResponse, Duration: 15 * time.Minute, Clock: sla.ClockCalendar}}},
		{Name: "acme", Brand: "acme", Targets: []sla.Target{{Metric: sla.FirstResponse, Duration: time.Hour, Clock: sla.ClockCalendar}}},
		{Name: "default", Targets: []sla.Target{{Metric: sla.FirstResponse, Duration: 4 * time.Hour, Clock: sla.ClockCalendar}}},
	}
	ev := rules.NewEvaluator(cfg, nil, nil)
	for _, tt := range []struct {
		brand    string
		priority cases.Priority
		want     string
	}{{"acme", cases.PriorityUrgent, "acme-urgent"}, {"acme", cases.PriorityNormal, "acme"}, {"other", cases.PriorityUrgent, "default"}} {
		p, ok := ev.Policy(&cases.CaseState{Brand: tt.brand, Priority: tt.priority})
		require.True(t, ok)
		require.Equal(t, tt.want, p.Name)
	}
}

func TestResolutionTargetRunsWhileOpen(t *testing.T) {
	cfg := rules.DefaultConfig()
	cfg.Policies = []rules.Policy{{Targets: []sla.Target{{Metric: sla.Resolution, Duration: 24 * time.Hour, Clock: sla.ClockCalendar}}}}
	ev := rules.NewEvaluator(cfg, nil, nil)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	c := &cases.CaseState{Brand: "acme", Status: cases.StatusOpen, Priority: cases.PriorityNormal, ResolutionSince: now.Add(-25 * time.Hour)}
	got, _ := ev.Case(c, now)
	require.Equal(t, []string{"sla_breach"}, names(got))
	require.Equal(t, "resolution", got[0].Labels[rules.LabelSLA])
}

func TestStormWindow(t *testing.T) {
	w := rules.NewStormWindow(rules.Storm{Threshold: 3, Window: 10 * time.Minute})
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	w.Add("acme", t0)
	w.Add("acme", t0.Add(2*time.Minute))
	w.Add("other", t0)
	require.Empty(t, w.Alerts(t0.Add(3*time.Minute)))
	w.Add("acme", t0.Add(time.Minute)) // out of order
	got := w.Alerts(t0.Add(3 * time.Minute))
	require.Len(t, got, 1)
	require.Equal(t, "acme", got[0].Labels[alert.LabelBrand])
	require.Equal(t, t0, got[0].StartsAt)
	require.Equal(t, got[0].Fingerprint(), w.Alerts(t0.Add(4 * time.Minute))[0].Fingerprint())
	require.Empty(t, w.Alerts(t0.Add(10*time.Minute+time.Second)), "the first message left the window")
}

func TestConfigValidate(t *testing.T) {
	cfg := rules.Config{
		Disabled: []string{"nope"},
		Policies: []rules.Policy{
			{Brand: "ghost", Priority: "vip", Targets: []sla.Target{{Metric: sla.FirstResponse, Duration: time.Hour}, {Metric: sla.FirstResponse, Duration: -1}}},
			{Escalations: []rules.Escalation{{Name: "Lead!", After: time.Hour}, {Name: "b", After: time.Minute}}},
		},
		TrollStorm: rules.Storm{Threshold: 1, Window: time.Second},
	}
	err := cfg.Validate([]string{"acme"})
	require.Error(t, err)
	for _, want := range []string{
		`disabled[0]: "nope"`,
		`sla_policies[0].brand: "ghost": no brand with that name`,
		`sla_policies[0].priority: "vip"`,
		`sla_policies[0].targets[1].duration`,
		`sla_policies[0].targets[1].metric: "first_response": at most one target per metric`,
		`sla_policies[1].targets: is empty`,
		`sla_policies[1].escalations[0].name: "Lead!"`,
		`sla_policies[1].escalations[1].after`,
		`troll_storm.threshold: 1`,
		`troll_storm.window: 1s`,
	} {
		require.True(t, strings.Contains(err.Error(), want), "missing %q in:\n%v", want, err)
	}
	require.NoError(t, rules.DefaultConfig().Validate(nil))
}
