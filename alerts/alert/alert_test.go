package alert

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFingerprint(t *testing.T) {
	a := Alert{Labels: map[string]string{"brand": "acme", "rule": "urgent"}}
	b := Alert{Labels: map[string]string{"rule": "urgent", "brand": "acme"}, Annotations: map[string]string{"summary": "x"}}
	require.Equal(t, a.Fingerprint(), b.Fingerprint(), "annotations and map order must not count")

	tests := []struct {
		name string
		x, y map[string]string
	}{
		{"value differs", map[string]string{"a": "1"}, map[string]string{"a": "2"}},
		{"boundary moves", map[string]string{"ab": "c"}, map[string]string{"a": "bc"}},
		{"extra empty label", map[string]string{"a": "1"}, map[string]string{"a": "1", "b": ""}},
		{"name and value swap", map[string]string{"a": "b"}, map[string]string{"b": "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotEqual(t, LabelsFingerprint(tt.x), LabelsFingerprint(tt.y))
		})
	}
	// Pinned: the fingerprint may be stored, so it must never change.
	require.Equal(t, "5bf0a69d1d67f131", LabelsFingerprint(map[string]string{"brand": "acme"}).String())
}

func TestResolved(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		endsAt time.Time
		want   bool
	}{
		{"no end", time.Time{}, false},
		{"ends later", now.Add(time.Minute), false},
		{"ends now", now, true},
		{"ended", now.Add(-time.Minute), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Alert{EndsAt: tt.endsAt}.Resolved(now))
		})
	}
}

func TestMerge(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := t0.Add(time.Hour)
	tests := []struct {
		name       string
		prev, next Alert
		want       Alert
	}{
		{
			name: "repeat keeps first start",
			prev: Alert{StartsAt: t0, UpdatedAt: t0},
			next: Alert{StartsAt: t0.Add(time.Minute), UpdatedAt: t0.Add(time.Minute)},
			want: Alert{StartsAt: t0, UpdatedAt: t0.Add(time.Minute)},
		},
		{
			name: "stale report loses",
			prev: Alert{StartsAt: t0, UpdatedAt: t0.Add(time.Minute), EndsAt: t0.Add(time.Minute)},
			next: Alert{StartsAt: t0, UpdatedAt: t0},
			want: Alert{StartsAt: t0, UpdatedAt: t0.Add(time.Minute), EndsAt: t0.Add(time.Minute)},
		},
		{
			name: "resolution wins",
			prev: Alert{StartsAt: t0, UpdatedAt: t0},
			next: Alert{StartsAt: t0, UpdatedAt: t0.Add(time.Minute), EndsAt: t0.Add(time.Minute)},
			want: Alert{StartsAt: t0, UpdatedAt: t0.Add(time.Minute), EndsAt: t0.Add(time.Minute)},
		},
		{
			name: "firing after resolution is a new episode",
			prev: Alert{StartsAt: t0, UpdatedAt: t0.Add(time.Minute), EndsAt: t0.Add(time.Minute)},
			next: Alert{StartsAt: t0.Add(30 * time.Minute), UpdatedAt: t0.Add(30 * time.Minute)},
			want: Alert{StartsAt: t0.Add(30 * time.Minute), UpdatedAt: t0.Add(30 * time.Minute)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Merge(tt.prev, tt.next, now)
			require.Equal(t, tt.want, got, "got %v, want %v", got, tt.want)
		})
	}
}

func TestMatcherSemantics(t *testing.T) {
	labels := map[string]string{"brand": "acme", "priority": "urgent", "channel": "x"}
	tests := []struct {
		matcher string
		want    bool
	}{
		{`brand=acme`, true},
		{`brand="acme"`, true},
		{`brand = "acme"`, true},
		{`brand=acm`, false},
		{`brand!=acme`, false},
		{`brand!=other`, true},
		{`priority=~"urgent|influencer"`, true},
		{`priority=~"urg"`, false},   // anchored: no substring match
		{`priority=~"rgent"`, false}, // anchored at the start too
		{`priority=~".*gent"`, true}, // explicit wildcard
		{`priority!~"urgent|normal"`, false},
		{`priority!~"norm.*"`, true},
		{`missing=""`, true}, // a missing label is ""
		{`missing!=""`, false},
		{`missing=~".*"`, true},
		{`missing=~".+"`, false},
		{`missing!~".+"`, true},
		{`brand=~"a|b"`, false}, // alternation stays inside the anchors
		{`case_id=`, true},      // bare empty value
	}
	for _, tt := range tests {
		t.Run(tt.matcher, func(t *testing.T) {
			m, err := ParseMatcher(tt.matcher)
			require.NoError(t, err)
			require.Equal(t, tt.want, Matchers{m}.Matches(labels), "got %v, want %v", !tt.want, tt.want)
		})
	}
}

func TestParseMatcher(t *testing.T) {
	tests := []struct {
		in      string
		want    Matcher
		wantErr string
	}{
		{in: `brand=acme`, want: Matcher{Name: "brand", Op: OpEqual, Value: "acme"}},
		{in: ` language != "es" `, want: Matcher{Name: "language", Op: OpNotEqual, Value: "es"}},
		{in: `a="x=y \"q\""`, want: Matcher{Name: "a", Op: OpEqual, Value: `x=y "q"`}},
		{in: `a=`, want: Matcher{Name: "a", Op: OpEqual, Value: ""}},
		{in: `a=b c`, want: Matcher{Name: "a", Op: OpEqual, Value: "b c"}},
		{in: `brand=~[`, wantErr: `"brand=~[": bad regexp: error parsing regexp: missing closing ]: ` + "`[`"},
		{in: `=x`, wantErr: `"=x": expected a label name`},
		{in: `1a=x`, wantErr: `"1a=x": expected a label name`},
		{in: `a~x`, wantErr: `"a~x": expected one of =, !=, =~, !~ after the label name`},
		{in: `a="x`, wantErr: `"a=\"x": bad quoted value: invalid syntax`},
		{in: `a=~"x)|(y"`, wantErr: `"a=~\"x)|(y\"": bad regexp: error parsing regexp: unexpected ): ` + "`x)|(y`"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMatcher(tt.in)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want.Name, got.Name)
			require.Equal(t, tt.want.Op, got.Op)
			require.Equal(t, tt.want.Value, got.Value)
		})
	}
}

func TestParseMatchersJoinsErrors(t *testing.T) {
	_, err := ParseMatchers([]string{"a=1", "b=~(", "c?"})
	require.EqualError(t, err, `[1]: "b=~(": bad regexp: error parsing regexp: missing closing ): `+"`(`"+"\n"+
		`[2]: "c?": expected one of =, !=, =~, !~ after the label name`)
}

func TestMatcherJSON(t *testing.T) {
	in := Matchers{}
	for _, s := range []string{`brand=acme`, `priority=~"urgent|vip"`} {
		m, err := ParseMatcher(s)
		require.NoError(t, err)
		in = append(in, m)
	}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.JSONEq(t, `["brand=\"acme\"", "priority=~\"urgent|vip\""]`, string(b))
	var out Matchers
	require.NoError(t, json.Unmarshal(b, &out))
	require.Equal(t, in.String(), out.String())
	require.True(t, out.Matches(map[string]string{"brand": "acme", "priority": "vip"}))
}

func FuzzParseMatcher(f *testing.F) {
	for _, s := range []string{`brand=acme`, `a!~"x|y"`, `a=~[`, `b = "q\""`, `c!=`, `_x=~.*`, ``, `=`} {
		f.Add(s, "acme")
	}
	f.Fuzz(func(t *testing.T, s, value string) {
		m, err := ParseMatcher(s)
		if err != nil {
			return
		}
		again, err := ParseMatcher(m.String())
		require.NoError(t, err, "reparse %q", m.String())
		require.Equal(t, m.Name, again.Name)
		require.Equal(t, m.Op, again.Op)
		require.Equal(t, m.Value, again.Value)
		require.Equal(t, m.Matches(value), again.Matches(value))
		if m.Op == OpNotEqual || m.Op == OpNotRegexp {
			pos := m
			pos.Op = map[Op]Op{OpNotEqual: OpEqual, OpNotRegexp: OpRegexp}[m.Op]
			require.NotEqual(t, pos.Matches(value), m.Matches(value))
		}
	})
}
