package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Limits of GET /api/v1/cases.
const (
	// DefaultCaseLimit is how many cases a list returns without limit=.
	DefaultCaseLimit = 50
	// MaxCaseLimit is the largest limit= accepted.
	MaxCaseLimit = 1000
	// maxFilterBytes bounds the brand, state and customer parameters.
	maxFilterBytes = 256
)

// CaseReader reads cases for the API. ListCases returns at most f.Limit
// cases, the most recently active first. GetCase returns an error wrapping
// [ErrNotFound] for an unknown ID.
type CaseReader interface {
	ListCases(ctx context.Context, f CaseFilter) ([]CaseSummary, error)
	GetCase(ctx context.Context, id string) (CaseDetail, error)
}

// CaseFilter selects cases; an empty field does not filter.
type CaseFilter struct {
	// Brand is the brand's name.
	Brand string
	// State is the case state, such as open or resolved.
	State string
	// Customer is the customer's handle or author ID.
	Customer string
	// Limit is at least 1 and at most MaxCaseLimit.
	Limit int
}

// CaseSummary is one case in a list.
type CaseSummary struct {
	// ID identifies the case.
	ID string `json:"id"`
	// Brand is the brand the customer wrote to.
	Brand string `json:"brand"`
	// Channel is where the conversation happens (x, telegram, ...).
	Channel string `json:"channel"`
	// Customer is the customer's handle, or author ID without one.
	Customer string `json:"customer"`
	// State is the case's state, such as open, waiting or resolved.
	State string `json:"state"`
	// Priority is the case's priority, such as urgent or normal.
	Priority string `json:"priority,omitempty"`
	// SLA is the state of the case's response-time target, such as
	// active, warning, breached or achieved; empty without a target.
	SLA string `json:"sla,omitempty"`
	// SLADueAt is when the current target breaches; zero when none runs.
	SLADueAt time.Time `json:"sla_due_at,omitzero"`
	// OpenedAt is when the customer's first message arrived.
	OpenedAt time.Time `json:"opened_at"`
	// LastMessageAt is when the latest message of either side arrived.
	LastMessageAt time.Time `json:"last_message_at"`
	// FirstResponseAt is when an agent first answered; zero before.
	FirstResponseAt time.Time `json:"first_response_at,omitzero"`
	// Messages counts the case's messages.
	Messages int `json:"messages"`
}

// CaseEvent is one entry of a case's history.
type CaseEvent struct {
	// At is when it happened.
	At time.Time `json:"at"`
	// Kind says what happened, such as message, reply, state or sla.
	Kind string `json:"kind"`
	// MessageID is the message involved, if any.
	MessageID string `json:"message_id,omitempty"`
	// Actor is who caused it: the customer, an agent or a rule.
	Actor string `json:"actor,omitempty"`
	// Text is the message text or a short description.
	Text string `json:"text,omitempty"`
}

// CaseDetail is one case with its history.
type CaseDetail struct {
	CaseSummary
	// Events are the case's history, oldest first.
	Events []CaseEvent `json:"events"`
}

// CaseList is the answer of GET /api/v1/cases.
type CaseList struct {
	Cases []CaseSummary `json:"cases"`
}

func (h *Handler) listCases(_ http.ResponseWriter, r *http.Request) (any, *apiError) {
	if h.cases == nil {
		return nil, fail(http.StatusServiceUnavailable, "cases are not available in this process")
	}
	var f CaseFilter
	var aerr *apiError
	for _, p := range []struct {
		name string
		dst  *string
	}{{"brand", &f.Brand}, {"state", &f.State}, {"customer", &f.Customer}} {
		if *p.dst, aerr = queryValue(r, p.name, maxFilterBytes); aerr != nil {
			return nil, aerr
		}
	}
	limit, aerr := queryValue(r, "limit", 16)
	if aerr != nil {
		return nil, aerr
	}
	f.Limit = DefaultCaseLimit
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxCaseLimit {
			return nil, fail(http.StatusBadRequest, fmt.Sprintf("limit: %q: want a whole number from 1 to %d", limit, MaxCaseLimit))
		}
		f.Limit = n
	}
	cases, err := h.cases.ListCases(r.Context(), f)
	if err != nil {
		return nil, internal("list cases", err)
	}
	if cases == nil {
		cases = []CaseSummary{}
	}
	return CaseList{Cases: cases}, nil
}

func (h *Handler) getCase(_ http.ResponseWriter, r *http.Request) (any, *apiError) {
	if h.cases == nil {
		return nil, fail(http.StatusServiceUnavailable, "cases are not available in this process")
	}
	id, aerr := pathID(r)
	if aerr != nil {
		return nil, aerr
	}
	c, err := h.cases.GetCase(r.Context(), id)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, fail(http.StatusNotFound, fmt.Sprintf("case %q not found", id))
	case err != nil:
		return nil, internal("get case", err)
	}
	if c.Events == nil {
		c.Events = []CaseEvent{}
	}
	return c, nil
}
