package silence

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigia-dev/vigia/alerts/alert"
)

// ErrNotFound is returned for an unknown silence ID, so that an API can
// answer 404.
var ErrNotFound = errors.New("silence not found")

// State is where a silence is in its life.
type State string

// The states of a silence.
const (
	StatePending State = "pending" // starts in the future
	StateActive  State = "active"  // mutes matching alerts now
	StateExpired State = "expired" // ended or expired by hand
)

// Silence mutes every alert that all its matchers match, from StartsAt
// until EndsAt.
type Silence struct {
	// ID is assigned by [Silencer.Add].
	ID string `json:"id"`
	// Matchers select the alerts to mute; all must match.
	Matchers alert.Matchers `json:"matchers"`
	// StartsAt is when muting begins; zero or past means now.
	StartsAt time.Time `json:"starts_at"`
	// EndsAt is when muting ends.
	EndsAt time.Time `json:"ends_at"`
	// CreatedBy names the person or tool that made the silence.
	CreatedBy string `json:"created_by"`
	// Comment says why.
	Comment string `json:"comment"`
	// UpdatedAt is when the silence was last changed.
	UpdatedAt time.Time `json:"updated_at"`
}

// State reports the silence's state at now.
func (s Silence) State(now time.Time) State {
	switch {
	case !now.Before(s.EndsAt):
		return StateExpired
	case now.Before(s.StartsAt):
		return StatePending
	default:
		return StateActive
	}
}

// Validate reports every problem with the silence's own fields.
func (s Silence) Validate() error {
	var errs []error
	if len(s.Matchers) == 0 {
		errs = append(errs, errors.New("matchers: at least one is required"))
	} else if !slices.ContainsFunc(s.Matchers, func(m alert.Matcher) bool { return !m.Matches("") }) {
		errs = append(errs, fmt.Errorf("matchers: %s: at least one must reject an empty label, or the silence would mute every alert", s.Matchers))
	}
	for i, m := range s.Matchers {
		// Matchers decoded from JSON are parsed; built by hand they may
		// not be, so recheck them.
		if _, err := alert.NewMatcher(m.Name, m.Op, m.Value); err != nil {
			errs = append(errs, fmt.Errorf("matchers[%d]: %q: %w", i, m.String(), err))
		}
	}
	if !s.EndsAt.After(s.StartsAt) {
		errs = append(errs, fmt.Errorf("ends_at: %s: must be after starts_at %s", s.EndsAt.Format(time.RFC3339), s.StartsAt.Format(time.RFC3339)))
	}
	if strings.TrimSpace(s.CreatedBy) == "" {
		errs = append(errs, errors.New("created_by: must not be empty"))
	}
	if strings.TrimSpace(s.Comment) == "" {
		errs = append(errs, errors.New("comment: must not be empty"))
	}
	return errors.Join(errs...)
}

// Store persists silences. Save is called with every new or changed
// silence before the change takes effect; Load returns them all at start.
type Store interface {
	Load(ctx context.Context) ([]Silence, error)
	Save(ctx context.Context, s Silence) error
}

// Options configure a [Silencer].
type Options struct {
	// Store persists changes; nil keeps silences in memory only.
	Store Store
	// NewID makes silence IDs; nil uses 16 random bytes in hex.
	NewID func() string
}

// Silencer holds the silences and answers whether an alert is muted. It is
// safe for concurrent use.
type Silencer struct {
	store Store
	newID func() string

	mu       sync.RWMutex
	silences map[string]Silence
}

// New returns an empty Silencer; call [Silencer.Load] to restore a store.
func New(opts Options) *Silencer {
	s := &Silencer{store: opts.Store, newID: opts.NewID, silences: map[string]Silence{}}
	if s.newID == nil {
		s.newID = randomID
	}
	return s
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails, see crypto/rand.Read
	return hex.EncodeToString(b[:])
}

// Load replaces the silences with the store's.
func (s *Silencer) Load(ctx context.Context) error {
	if s.store == nil {
		return nil
	}
	loaded, err := s.store.Load(ctx)
	if err != nil {
		return fmt.Errorf("load silences: %w", err)
	}
	byID := make(map[string]Silence, len(loaded))
	for _, sil := range loaded {
		byID[sil.ID] = sil
	}
	s.mu.Lock()
	s.silences = byID
	s.mu.Unlock()
	return nil
}

// Add validates a new silence, starts it at now if it has no start or one
// in the past, saves it and returns its ID.
func (s *Silencer) Add(ctx context.Context, sil Silence, now time.Time) (string, error) {
	if sil.ID != "" {
		return "", fmt.Errorf("add silence: id: %q: must be empty, IDs are assigned", sil.ID)
	}
	if sil.StartsAt.Before(now) {
		sil.StartsAt = now
	}
	// StartsAt is now at the earliest, so a valid silence ends in the
	// future.
	if err := sil.Validate(); err != nil {
		return "", fmt.Errorf("add silence: %w", err)
	}
	sil.ID = s.newID()
	sil.UpdatedAt = now
	sil.Matchers = slices.Clone(sil.Matchers)
	if err := s.save(ctx, sil); err != nil {
		return "", err
	}
	return sil.ID, nil
}

// Expire ends a silence at now. A pending silence ends before it began.
// Expiring an expired silence is an error.
func (s *Silencer) Expire(ctx context.Context, id string, now time.Time) error {
	s.mu.RLock()
	sil, ok := s.silences[id]
	s.mu.RUnlock()
	if !ok {
		return fmt.Errorf("expire silence %s: %w", id, ErrNotFound)
	}
	switch sil.State(now) {
	case StateExpired:
		return fmt.Errorf("expire silence %s: already expired at %s", id, sil.EndsAt.Format(time.RFC3339))
	case StatePending:
		sil.StartsAt = now
	}
	sil.EndsAt = now
	sil.UpdatedAt = now
	return s.save(ctx, sil)
}

func (s *Silencer) save(ctx context.Context, sil Silence) error {
	if s.store != nil {
		if err := s.store.Save(ctx, sil); err != nil {
			return fmt.Errorf("save silence %s: %w", sil.ID, err)
		}
	}
	s.mu.Lock()
	s.silences[sil.ID] = sil
	s.mu.Unlock()
	return nil
}

// Get returns the silence with this ID.
func (s *Silencer) Get(id string) (Silence, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sil, ok := s.silences[id]
	if !ok {
		return Silence{}, fmt.Errorf("get silence %s: %w", id, ErrNotFound)
	}
	return sil, nil
}

// List returns the silences in any of the given states at now (all when
// none are given), soonest ending first.
func (s *Silencer) List(now time.Time, states ...State) []Silence {
	s.mu.RLock()
	out := make([]Silence, 0, len(s.silences))
	for _, sil := range s.silences {
		if len(states) == 0 || slices.Contains(states, sil.State(now)) {
			out = append(out, sil)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b Silence) int {
		return cmp.Or(a.EndsAt.Compare(b.EndsAt), strings.Compare(a.ID, b.ID))
	})
	return out
}

// Mutes reports whether an active silence matches the labels at now, and
// the IDs of every such silence, sorted.
func (s *Silencer) Mutes(labels map[string]string, now time.Time) (bool, []string) {
	var ids []string
	s.mu.RLock()
	for id, sil := range s.silences {
		if sil.State(now) == StateActive && sil.Matchers.Matches(labels) {
			ids = append(ids, id)
		}
	}
	s.mu.RUnlock()
	slices.Sort(ids)
	return len(ids) > 0, ids
}

// Forget drops from memory the silences that expired before now minus
// retention and returns how many. The store keeps its own history.
func (s *Silencer) Forget(now time.Time, retention time.Duration) int {
	cutoff := now.Add(-retention)
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, sil := range s.silences {
		if sil.EndsAt.Before(cutoff) {
			delete(s.silences, id)
			n++
		}
	}
	return n
}
