package tgapi

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLimiter(t *testing.T) {
	tests := []struct {
		name   string
		limits Limits
		chat   int64
		n      int
		want   []time.Duration // offsets from the start of each Wait's return
	}{
		{"private chat one per second", Limits{}, 42, 4, []time.Duration{0, time.Second, 2 * time.Second, 3 * time.Second}},
		{"group twenty per minute", Limits{ChatInterval: -1, GroupPerMinute: 3}, -42, 5,
			[]time.Duration{0, 0, 0, time.Minute, time.Minute}},
		{"group both limits", Limits{GroupPerMinute: 2}, -42, 4,
			[]time.Duration{0, time.Second, time.Minute, time.Minute + time.Second}},
		{"private chats ignore the group limit", Limits{ChatInterval: -1, GroupPerMinute: 1}, 42, 3, []time.Duration{0, 0, 0}},
		{"disabled", Limits{ChatInterval: -1, GroupPerMinute: -1}, -42, 3, []time.Duration{0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := NewLimiter(tt.limits)
				start := time.Now()
				var got []time.Duration
				for range tt.n {
					require.NoError(t, l.Wait(t.Context(), tt.chat))
					got = append(got, time.Since(start))
				}
				require.Equal(t, tt.want, got)
			})
		})
	}
}

func TestLimiterConcurrentCallersAreSpaced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(Limits{})
		start := time.Now()
		done := make(chan time.Duration, 5)
		for range 5 {
			go func() {
				if err := l.Wait(context.Background(), 7); err != nil {
					t.Error(err)
				}
				done <- time.Since(start)
			}()
		}
		seen := map[time.Duration]bool{}
		for range 5 {
			seen[<-done] = true
		}
		require.Equal(t, map[time.Duration]bool{0: true, time.Second: true, 2 * time.Second: true, 3 * time.Second: true, 4 * time.Second: true}, seen)
	})
}

func TestLimiterCancelGivesSlotBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(Limits{})
		start := time.Now()
		require.NoError(t, l.Wait(t.Context(), 1))
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		require.ErrorIs(t, l.Wait(ctx, 1), context.DeadlineExceeded)
		require.NoError(t, l.Wait(t.Context(), 1))
		require.Equal(t, time.Second, time.Since(start), "the cancelled slot was given back")
	})
}

func TestLimiterPenalize(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(Limits{})
		start := time.Now()
		l.Penalize(-5, 10*time.Second)
		require.NoError(t, l.Wait(t.Context(), -5))
		require.Equal(t, 10*time.Second, time.Since(start))
		require.NoError(t, l.Wait(t.Context(), 6))
		require.Equal(t, 10*time.Second, time.Since(start), "other chats are not penalized")
	})
}

func TestLimiterForgetsIdleChats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(Limits{ChatInterval: time.Millisecond})
		for i := range pruneAbove + 1 {
			require.NoError(t, l.Wait(t.Context(), int64(-i-1)))
		}
		time.Sleep(2 * groupWindow)
		require.NoError(t, l.Wait(t.Context(), 1))
		require.Len(t, l.chats, 1)
	})
}
