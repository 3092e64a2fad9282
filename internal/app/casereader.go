package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vigia-dev/vigia/alerts/cases"
	"github.com/vigia-dev/vigia/alerts/rules"
	"github.com/vigia-dev/vigia/alerts/sla"
	"github.com/vigia-dev/vigia/internal/httpapi"
)

// caseReader serves the API's case routes: the live cases from the
// tracker (open, or resolved within the reopen window) and each case's
// history from ClickHouse.
type caseReader struct {
	tracker   *cases.Tracker
	store     *cases.Store
	rules     *rules.Evaluator
	calendars func(brand string) *sla.Calendar
	now       func() time.Time
}

// ListCases returns the live cases that match f, the most recently active
// first.
func (r *caseReader) ListCases(_ context.Context, f httpapi.CaseFilter) ([]httpapi.CaseSummary, error) {
	all := r.tracker.Cases()
	slices.SortFunc(all, func(a, b cases.CaseState) int {
		return cmp.Or(b.LastMessageAt.Compare(a.LastMessageAt), cmp.Compare(a.ID, b.ID))
	})
	out := []httpapi.CaseSummary{}
	for i := range all {
		s := r.summary(&all[i])
		if (f.Brand != "" && s.Brand != f.Brand) || (f.Customer != "" && s.Customer != f.Customer) ||
			(f.State != "" && s.State != f.State && !(f.State == "open" && s.State != string(cases.StatusResolved))) {
			continue
		}
		out = append(out, s)
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	return out, nil
}

// GetCase returns a live case with its events.
func (r *caseReader) GetCase(ctx context.Context, id string) (httpapi.CaseDetail, error) {
	st, ok := r.tracker.Case(id)
	if !ok {
		return httpapi.CaseDetail{}, fmt.Errorf("case %s: %w", id, httpapi.ErrNotFound)
	}
	d := httpapi.CaseDetail{CaseSummary: r.summary(&st), Events: []httpapi.CaseEvent{}}
	history, err := r.store.History(ctx, st.Brand, st.CustomerID)
	if err != nil {
		return httpapi.CaseDetail{}, fmt.Errorf("case %s history: %w", id, err)
	}
	for _, e := range history {
		if e.CaseID != id {
			continue
		}
		text := string(e.Event)
		if e.Reason != "" {
			text += " (" + e.Reason + ")"
		}
		if e.CalendarSeconds > 0 {
			text += fmt.Sprintf(" after %ds (%ds in business hours)", e.CalendarSeconds, e.BusinessSeconds)
		}
		d.Events = append(d.Events, httpapi.CaseEvent{At: e.At, Kind: string(e.Event), MessageID: string(e.MessageID), Actor: e.Actor, Text: text})
	}
	return d, nil
}

// summary describes a case; its state is resolved, waiting (for a reply)
// or open (answered, still open).
func (r *caseReader) summary(s *cases.CaseState) httpapi.CaseSummary {
	out := httpapi.CaseSummary{
		ID: s.ID, Brand: s.Brand, Channel: string(s.Channel), Customer: s.CustomerID, Priority: string(s.Priority),
		OpenedAt: s.OpenedAt, LastMessageAt: s.LastMessageAt, FirstResponseAt: s.FirstResponseAt, Messages: s.Messages,
	}
	switch {
	case !s.Open():
		out.State = string(cases.StatusResolved)
	case s.Waiting != "":
		out.State = "waiting"
	default:
		out.State = string(cases.StatusOpen)
	}
	if p, ok := r.rules.Policy(s); ok && s.Waiting != "" {
		for _, t := range p.Targets {
			if t.Metric == s.Waiting {
				cal := r.calendars(s.Brand)
				_, out.SLADueAt = t.Deadline(cal, s.WaitingSince)
				out.SLA = string(t.State(cal, r.now(), s.WaitingSince, time.Time{}))
			}
		}
	}
	return out
}
