package cases

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/storage/chtest"
)

// TestStoreRebuild writes a tracker's events to a real ClickHouse, some
// twice, loads them back and rebuilds an equal tracker, which then takes
// the rest of the stream exactly as the live one does.
func TestStoreRebuild(t *testing.T) {
	db := chtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store := NewStore(db.Conn, db.Database)

	ins := generate(t, 9, 3000)
	split := len(ins) / 2
	for ins[split-1].msg != nil || ins[split-1].act != nil {
		split++
	}
	live := newTestTracker(t, DefaultConfig(), nil)
	for lo := 0; lo < split; lo += 250 {
		evs := runAll(live, ins[lo:min(lo+250, split)])
		require.NoError(t, store.Insert(ctx, evs))
		if len(evs) > 10 {
			require.NoError(t, store.Insert(ctx, evs[:10])) // a retried batch
		}
	}
	now := ins[split-1].tick

	loaded, err := store.Load(ctx, DefaultConfig().LoadSince(now))
	require.NoError(t, err)
	restarted := newTestTracker(t, DefaultConfig(), nil)
	require.NoError(t, restarted.Rebuild(loaded))
	require.Empty(t, restarted.Tick(now))
	require.Equal(t, snapshot(live), snapshot(restarted))
	require.Equal(t, runAll(live, ins[split:]), runAll(restarted, ins[split:]))

	// A customer's history spans their cases.
	st := live.Cases()[0]
	hist, err := store.History(ctx, st.Brand, st.CustomerID)
	require.NoError(t, err)
	seen := map[string]bool{}
	for i, ev := range hist {
		require.Equal(t, st.CustomerID, ev.CustomerID)
		require.NoError(t, ev.Validate())
		if i > 0 {
			require.False(t, ev.At.Before(hist[i-1].At))
		}
		seen[ev.CaseID] = true
	}
	require.Greater(t, len(seen), 1, "customer %s has several cases", st.CustomerID)
}
