package dispatch

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/vigia-dev/vigia/alerts/alert"
)

// Entry records a group's last notification: which post it was and which
// alerts it showed firing. It is what lets the dispatcher tell a change
// from a repeat, and continue a post after a restart.
type Entry struct {
	// GroupKey is the group's key.
	GroupKey string `json:"group_key"`
	// GroupID is the post's ID.
	GroupID string `json:"group_id"`
	// Version is the notification's version.
	Version uint64 `json:"version"`
	// Firing are the fingerprints shown firing; empty when the post is
	// finished.
	Firing []alert.Fingerprint `json:"firing"`
	// At is when the notification was made.
	At time.Time `json:"at"`
}

// Log stores the last [Entry] per group key, like Alertmanager's
// notification log. A persistent log lets a restarted dispatcher update the
// same posts instead of creating new ones.
type Log interface {
	// Get returns the entry for the key, if any.
	Get(ctx context.Context, groupKey string) (Entry, bool, error)
	// Put records the entry, replacing the key's previous one.
	Put(ctx context.Context, e Entry) error
}

// MemLog is a [Log] in memory. Finished posts are forgotten.
type MemLog struct {
	mu      sync.Mutex
	entries map[string]Entry
}

// NewMemLog returns an empty MemLog.
func NewMemLog() *MemLog { return &MemLog{entries: map[string]Entry{}} }

// Get returns the entry for the key, if any.
func (l *MemLog) Get(_ context.Context, key string) (Entry, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.entries[key]
	return e, ok, nil
}

// Put records the entry, or forgets the key when the entry shows nothing
// firing.
func (l *MemLog) Put(_ context.Context, e Entry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(e.Firing) == 0 {
		delete(l.entries, e.GroupKey)
		return nil
	}
	e.Firing = slices.Clone(e.Firing)
	l.entries[e.GroupKey] = e
	return nil
}
