package silence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/alert"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func matchers(t *testing.T, ss ...string) alert.Matchers {
	t.Helper()
	ms, err := alert.ParseMatchers(ss)
	require.NoError(t, err)
	return ms
}

// memStore records saves, standing in for a persistent store.
type memStore struct {
	saved []Silence
	err   error
}

func (m *memStore) Load(context.Context) ([]Silence, error) { return m.saved, m.err }

func (m *memStore) Save(_ context.Context, s Silence) error {
	if m.err != nil {
		return m.err
	}
	for i := range m.saved {
		if m.saved[i].ID == s.ID {
			m.saved[i] = s
			return nil
		}
	}
	m.saved = append(m.saved, s)
	return nil
}

func newSilencer(store Store) *Silencer {
	n := 0
	return New(Options{Store: store, NewID: func() string { n++; return fmt.Sprintf("s%d", n) }})
}

func TestMutesAndExpires(t *testing.T) {
	ctx := context.Background()
	s := newSilencer(nil)
	id, err := s.Add(ctx, Silence{
		Matchers:  matchers(t, "brand=acme", `rule=~"troll_storm|spike"`),
		EndsAt:    t0.Add(2 * time.Hour),
		CreatedBy: "ana",
		Comment:   "known campaign",
	}, t0)
	require.NoError(t, err)
	later, err := s.Add(ctx, Silence{
		Matchers:  matchers(t, "brand=acme"),
		StartsAt:  t0.Add(time.Hour),
		EndsAt:    t0.Add(3 * time.Hour),
		CreatedBy: "ana",
		Comment:   "maintenance",
	}, t0)
	require.NoError(t, err)

	storm := map[string]string{"brand": "acme", "rule": "troll_storm"}
	urgent := map[string]string{"brand": "acme", "rule": "urgent"}
	tests := []struct {
		name   string
		labels map[string]string
		at     time.Time
		want   []string
	}{
		{"active silence mutes", storm, t0, []string{id}},
		{"other rule not muted", urgent, t0, nil},
		{"other brand not muted", map[string]string{"brand": "globex", "rule": "spike"}, t0, nil},
		{"pending silence does not mute yet", urgent, t0.Add(59 * time.Minute), nil},
		{"pending silence starts", urgent, t0.Add(time.Hour), []string{later}},
		{"both", storm, t0.Add(time.Hour), []string{id, later}},
		{"first ended", storm, t0.Add(2 * time.Hour), []string{later}},
		{"all ended", storm, t0.Add(3 * time.Hour), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			muted, ids := s.Mutes(tt.labels, tt.at)
			require.Equal(t, tt.want != nil, muted)
			require.Equal(t, tt.want, ids, "got %v, want %v", ids, tt.want)
		})
	}

	// Expire by hand: the pending one ends before it starts.
	require.NoError(t, s.Expire(ctx, id, t0.Add(10*time.Minute)))
	require.NoError(t, s.Expire(ctx, later, t0.Add(10*time.Minute)))
	muted, _ := s.Mutes(storm, t0.Add(10*time.Minute))
	require.False(t, muted)
	muted, _ = s.Mutes(urgent, t0.Add(90*time.Minute))
	require.False(t, muted)
	got, err := s.Get(later)
	require.NoError(t, err)
	require.Equal(t, got.StartsAt, got.EndsAt)
	require.Equal(t, StateExpired, got.State(t0.Add(10*time.Minute)))

	err = s.Expire(ctx, id, t0.Add(11*time.Minute))
	require.EqualError(t, err, "expire silence s1: already expired at 2026-03-02T10:10:00Z")
	err = s.Expire(ctx, "nope", t0)
	require.ErrorIs(t, err, ErrNotFound)
}

func TestListStates(t *testing.T) {
	ctx := context.Background()
	s := newSilencer(nil)
	add := func(start, end time.Duration) string {
		id, err := s.Add(ctx, Silence{Matchers: matchers(t, "brand=acme"), StartsAt: t0.Add(start), EndsAt: t0.Add(end), CreatedBy: "bot", Comment: "c"}, t0)
		require.NoError(t, err)
		return id
	}
	a := add(0, 3*time.Hour)
	p := add(time.Hour, 2*time.Hour)
	e := add(0, 30*time.Minute)
	now := t0.Add(45 * time.Minute)
	ids := func(ss []Silence) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return out
	}
	require.Equal(t, []string{e, p, a}, ids(s.List(now)), "soonest ending first")
	require.Equal(t, []string{a}, ids(s.List(now, StateActive)))
	require.Equal(t, []string{e, p}, ids(s.List(now, StateExpired, StatePending)))
	require.Equal(t, 1, s.Forget(t0.Add(2*time.Hour), time.Hour))
	require.Equal(t, []string{p, a}, ids(s.List(now)))
}

func TestAddValidation(t *testing.T) {
	tests := []struct {
		name    string
		sil     Silence
		wantErr string
	}{
		{
			name:    "nothing",
			sil:     Silence{},
			wantErr: "add silence: matchers: at least one is required\nends_at: 0001-01-01T00:00:00Z: must be after starts_at 2026-03-02T10:00:00Z\ncreated_by: must not be empty\ncomment: must not be empty",
		},
		{
			name:    "matches everything",
			sil:     Silence{Matchers: matchers(t, `brand=~".*"`, "rule!=x"), EndsAt: t0.Add(time.Hour), CreatedBy: "a", Comment: "c"},
			wantErr: `add silence: matchers: {brand=~".*", rule!="x"}: at least one must reject an empty label, or the silence would mute every alert`,
		},
		{
			name:    "end before start",
			sil:     Silence{Matchers: matchers(t, "brand=acme"), StartsAt: t0.Add(2 * time.Hour), EndsAt: t0.Add(time.Hour), CreatedBy: "a", Comment: "c"},
			wantErr: "add silence: ends_at: 2026-03-02T11:00:00Z: must be after starts_at 2026-03-02T12:00:00Z",
		},
		{
			name:    "bad regexp built by hand",
			sil:     Silence{Matchers: alert.Matchers{{Name: "brand", Op: alert.OpRegexp, Value: "("}, {Name: "rule", Op: alert.OpEqual, Value: "x"}}, EndsAt: t0.Add(time.Hour), CreatedBy: "a", Comment: "c"},
			wantErr: "add silence: matchers[0]: \"brand=~\\\"(\\\"\": bad regexp: error parsing regexp: missing closing ): `(`",
		},
		{
			name:    "preset id",
			sil:     Silence{ID: "x"},
			wantErr: `add silence: id: "x": must be empty, IDs are assigned`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newSilencer(nil).Add(context.Background(), tt.sil, t0)
			require.EqualError(t, err, tt.wantErr)
		})
	}
}

func TestStore(t *testing.T) {
	ctx := context.Background()
	store := &memStore{}
	s := newSilencer(store)
	id, err := s.Add(ctx, Silence{Matchers: matchers(t, "brand=acme"), EndsAt: t0.Add(time.Hour), CreatedBy: "a", Comment: "c"}, t0)
	require.NoError(t, err)
	require.Len(t, store.saved, 1)

	// A store round trip through JSON keeps matchers working.
	b, err := json.Marshal(store.saved)
	require.NoError(t, err)
	var back []Silence
	require.NoError(t, json.Unmarshal(b, &back))
	restored := newSilencer(&memStore{saved: back})
	require.NoError(t, restored.Load(ctx))
	muted, ids := restored.Mutes(map[string]string{"brand": "acme"}, t0.Add(time.Minute))
	require.True(t, muted)
	require.Equal(t, []string{id}, ids)

	// A failing save changes nothing.
	store.err = errors.New("disk full")
	err = s.Expire(ctx, id, t0.Add(time.Minute))
	require.EqualError(t, err, "save silence s1: disk full")
	muted, _ = s.Mutes(map[string]string{"brand": "acme"}, t0.Add(2*time.Minute))
	require.True(t, muted)
	require.EqualError(t, newSilencer(store).Load(ctx), "load silences: disk full")
}
