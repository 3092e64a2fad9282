package cases

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// maxRebuildErrors bounds the invalid events Rebuild reports.
const maxRebuildErrors = 10

// Rebuild replaces the tracker's state with the projection of events: the
// whole event history of each case to restore (as [Store.Load] returns
// it), in any order. Copies of an event (same ID) count once; events of a
// case whose opened event is missing are skipped and logged. It returns an
// error, and leaves the tracker empty, if an event is invalid. Metrics are
// not touched: the events were counted when they happened.
//
// Call [Tracker.Tick] with the current time afterwards: it resolves the
// cases that went idle while the process was down and forgets the expired
// ones.
func (t *Tracker) Rebuild(events []Event) error {
	var errs []error
	for i := range events {
		if err := events[i].Validate(); err != nil {
			if len(errs) < maxRebuildErrors {
				errs = append(errs, err)
			}
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.reset()
	if len(errs) > 0 {
		return fmt.Errorf("rebuild cases: %w", errors.Join(errs...))
	}
	sorted := make([]*Event, len(events))
	for i := range events {
		sorted[i] = &events[i]
	}
	slices.SortStableFunc(sorted, func(a, b *Event) int {
		return cmp.Or(cmp.Compare(a.CaseID, b.CaseID), cmp.Compare(a.Seq, b.Seq))
	})
	var orphans, conflicts int
	for i, ev := range sorted {
		if i > 0 && sorted[i-1].CaseID == ev.CaseID && sorted[i-1].Seq == ev.Seq {
			if sorted[i-1].ID != ev.ID {
				conflicts++
			}
			continue
		}
		c := t.cases[ev.CaseID]
		switch {
		case ev.Event == EventOpened && c == nil:
			c = &caseData{state: CaseState{ID: ev.CaseID, Brand: ev.Brand, Channel: ev.Channel, CustomerID: ev.CustomerID}}
			t.cases[ev.CaseID] = c
		case c == nil || ev.Event == EventOpened:
			orphans++
			continue
		}
		t.apply(ev)
	}
	if orphans > 0 || conflicts > 0 {
		t.logger.Warn("case events skipped in rebuild", "orphans", orphans, "conflicts", conflicts)
	}
	return nil
}
