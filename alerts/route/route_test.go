package route

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

var (
	receivers = []string{"care", "oncall", "acme", "acme-night", "globex", "log"}
	intervals = []string{"business-hours", "nights"}
)

const tree = `
receiver: care
group_by: [brand, rule]
routes:
  - matchers: ['priority=~"urgent|influencer"']
    receiver: oncall
    group_wait: 0s
    continue: true
  - matchers: [brand=acme]
    receiver: acme
    group_interval: 1m
    active_time_intervals: [business-hours]
    routes:
      - matchers: [rule=sla_breach]
        receiver: acme-night
        group_by: ['...']
      - matchers: [channel=telegram]
        group_by: []
        active_time_intervals: []
  - matchers: [brand=globex]
    receiver: globex
    repeat_interval: 1h
    continue: true
  - matchers: ['brand=~"glob.*"']
    receiver: log
`

func load(t *testing.T, doc string) *Route {
	t.Helper()
	var cfg Config
	dec := yaml.NewDecoder(strings.NewReader(doc))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(&cfg))
	r, err := New(cfg, receivers, intervals)
	require.NoError(t, err)
	return r
}

func receiversOf(rs []*Route) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Receiver)
	}
	return out
}

func TestMatch(t *testing.T) {
	root := load(t, tree)
	tests := []struct {
		name   string
		labels map[string]string
		want   []string
	}{
		{"no child matches: root takes it", map[string]string{"brand": "initech"}, []string{"care"}},
		{"urgent continues to brand route", map[string]string{"brand": "acme", "priority": "urgent"}, []string{"oncall", "acme"}},
		{"urgent, unknown brand: root does not add itself", map[string]string{"brand": "initech", "priority": "urgent"}, []string{"oncall"}},
		{"anchored regexp", map[string]string{"brand": "acme", "priority": "urgent2"}, []string{"acme"}},
		{"grandchild wins over child", map[string]string{"brand": "acme", "rule": "sla_breach"}, []string{"acme-night"}},
		{"first matching grandchild only", map[string]string{"brand": "acme", "rule": "sla_breach", "channel": "telegram"}, []string{"acme-night"}},
		{"child receiver inherited", map[string]string{"brand": "acme", "channel": "telegram"}, []string{"acme"}},
		{"continue reaches next sibling", map[string]string{"brand": "globex"}, []string{"globex", "log"}},
		{"regexp sibling alone", map[string]string{"brand": "globe"}, []string{"log"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := receiversOf(root.Match(tt.labels))
			require.Equal(t, tt.want, got, "got %v, want %v", got, tt.want)
		})
	}
}

func TestInheritance(t *testing.T) {
	root := load(t, tree)
	byID := map[string]*Route{}
	root.Walk(func(r *Route) { byID[r.ID] = r })
	require.Len(t, byID, 7)

	type settings struct {
		receiver   string
		groupBy    []string
		all        bool
		gw, gi, ri time.Duration
		active     []string
	}
	tests := []struct {
		id   string
		want settings
	}{
		{`{}`, settings{"care", []string{"brand", "rule"}, false, 30 * time.Second, 5 * time.Minute, 4 * time.Hour, nil}},
		{`{}/{priority=~"urgent|influencer"}`, settings{"oncall", []string{"brand", "rule"}, false, 0, 5 * time.Minute, 4 * time.Hour, nil}},
		{`{}/{brand="acme"}`, settings{"acme", []string{"brand", "rule"}, false, 30 * time.Second, time.Minute, 4 * time.Hour, []string{"business-hours"}}},
		{`{}/{brand="acme"}/{rule="sla_breach"}`, settings{"acme-night", []string{}, true, 30 * time.Second, time.Minute, 4 * time.Hour, []string{"business-hours"}}},
		{`{}/{brand="acme"}/{channel="telegram"}`, settings{"acme", []string{}, false, 30 * time.Second, time.Minute, 4 * time.Hour, []string{}}},
		{`{}/{brand="globex"}`, settings{"globex", []string{"brand", "rule"}, false, 30 * time.Second, 5 * time.Minute, time.Hour, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			r := byID[tt.id]
			require.NotNil(t, r, "no route %s", tt.id)
			got := settings{r.Receiver, r.GroupBy, r.GroupByAll, r.GroupWait, r.GroupInterval, r.RepeatInterval, r.ActiveTimeIntervals}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestGroupKey(t *testing.T) {
	root := load(t, tree)
	labels := map[string]string{"brand": "acme", "rule": "urgent", "case_id": "c1"}
	r := root.Match(labels)[0]
	require.Equal(t, `{}/{brand="acme"}:{brand="acme", rule="urgent"}`, r.GroupKey(labels))
	labels["case_id"] = "c2"
	require.Equal(t, `{}/{brand="acme"}:{brand="acme", rule="urgent"}`, r.GroupKey(labels), "case_id is not a grouping label")

	all := root.Match(map[string]string{"brand": "acme", "rule": "sla_breach"})[0]
	require.True(t, all.GroupByAll)
	require.Equal(t, `{}/{brand="acme"}/{rule="sla_breach"}:{brand="acme", case_id="c9", rule="sla_breach"}`,
		all.GroupKey(map[string]string{"brand": "acme", "rule": "sla_breach", "case_id": "c9"}))

	one := root.Match(map[string]string{"brand": "acme", "channel": "telegram"})[0]
	require.Equal(t, `{}/{brand="acme"}/{channel="telegram"}:{}`, one.GroupKey(map[string]string{"brand": "acme", "channel": "telegram"}))
}

func TestDuplicateSiblingsGetDistinctIDs(t *testing.T) {
	root := load(t, `
receiver: care
routes:
  - {matchers: [brand=acme], receiver: acme, continue: true}
  - {matchers: [brand=acme], receiver: log}
`)
	require.Equal(t, `{}/{brand="acme"}`, root.Routes[0].ID)
	require.Equal(t, `{}/{brand="acme"}#1`, root.Routes[1].ID)
	require.Equal(t, []string{"acme", "log"}, receiversOf(root.Match(map[string]string{"brand": "acme"})))
}

func TestValidate(t *testing.T) {
	const bad = `
matchers: [brand=acme]
continue: true
group_by: [brand, brand, "bad-name"]
group_wait: -1s
routes:
  - receiver: care
    group_by: ['...', brand]
    group_interval: 0s
  - receiver: oncall-tg
    matchers: [brand=acme, 'brand=~[']
    repeat_interval: -1h
    mute_time_intervals: [weekends]
    routes:
      - active_time_intervals: [nights, holidays]
`
	var cfg Config
	require.NoError(t, yaml.Unmarshal([]byte(bad), &cfg))
	_, err := New(cfg, receivers, intervals)
	require.EqualError(t, err, `receiver: the root route must name a receiver
matchers: the root route matches every alert and must have none
continue: the root route has no siblings and must not set continue
group_by[1]: "brand": listed twice
group_by[2]: "bad-name": must be a label name matching [a-zA-Z_][a-zA-Z0-9_]*
group_wait: "-1s": must not be negative
routes[0].group_by[0]: "...": must be the only entry
routes[0].group_interval: "0s": must be positive
routes[1].receiver: "oncall-tg": no receiver with that name
routes[1].matchers[1]: "brand=~[": bad regexp: error parsing regexp: missing closing ]: `+"`[`"+`
routes[1].repeat_interval: "-1h0m0s": must be positive
routes[1].mute_time_intervals[0]: "weekends": no time interval with that name
routes[1].routes[0].active_time_intervals[1]: "holidays": no time interval with that name`)
}
