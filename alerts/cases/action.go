package cases

import (
	"errors"
	"time"
)

// ActionKind is an agent's action on a case. The values are those of the
// chat buttons (alerts/notify.ActionKind), so a handler converts with
// ActionKind(a.Kind).
type ActionKind string

// Actions.
const (
	ActionClaim        ActionKind = "claim"
	ActionReplied      ActionKind = "replied"
	ActionResolve      ActionKind = "resolve"
	ActionNotComplaint ActionKind = "not_complaint"
	ActionSpam         ActionKind = "spam"
)

// Valid reports whether k is a known action.
func (k ActionKind) Valid() bool {
	switch k {
	case ActionClaim, ActionReplied, ActionResolve, ActionNotComplaint, ActionSpam:
		return true
	}
	return false
}

// Action is an agent's action on a case.
type Action struct {
	// Kind is what the agent did.
	Kind ActionKind
	// CaseID is the case acted on.
	CaseID string
	// Actor names the agent ("mattermost:<username>").
	Actor string
	// At is when the action happened.
	At time.Time
}

// ErrUnknownCase is returned by [Tracker.Apply] for a case the tracker does
// not hold: never opened, or resolved longer ago than the reopen window.
var ErrUnknownCase = errors.New("unknown case")

// ErrBadAction is returned by [Tracker.Apply] for an action of an unknown
// kind or without an actor or time.
var ErrBadAction = errors.New("bad case action")
