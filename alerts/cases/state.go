package cases

import (
	"time"

	"github.com/vigia-dev/vigia/alerts/sla"
	"github.com/vigia-dev/vigia/internal/message"
)

// Status says whether a case is open.
type Status string

// Statuses.
const (
	StatusOpen     Status = "open"
	StatusResolved Status = "resolved"
)

// CaseState is a case as the tracker holds it: the projection of its
// events. All times are whole seconds in UTC; a zero time means "not
// yet".
type CaseState struct {
	// ID, Brand, Channel and CustomerID identify the case.
	ID         string
	Brand      string
	Channel    message.Channel
	CustomerID string
	// Status is open or resolved.
	Status Status
	// Language is the customer's language: that of their latest message
	// whose language is known.
	Language string
	// Complaint reports whether a customer message of the case was
	// classified a complaint (until a not_complaint action), and
	// Influencer whether the customer was classified an influencer.
	Complaint, Influencer bool
	// Priority is the highest priority of the customer's messages,
	// lowered from complaint to normal by a not_complaint action.
	Priority Priority
	// OpenedAt is the case's first message.
	OpenedAt time.Time
	// ReopenedAt is the last reopening, and Reopens how many there were.
	ReopenedAt time.Time
	Reopens    int
	// AcknowledgedAt is the last automatic reply that acknowledged a
	// waiting customer.
	AcknowledgedAt time.Time
	// FirstResponseAt is the first human reply; LastResponseAt the latest.
	FirstResponseAt time.Time
	LastResponseAt  time.Time
	// ClaimedBy is the agent who last claimed the case, at ClaimedAt.
	ClaimedBy string
	ClaimedAt time.Time
	// ResolvedAt is when the case was resolved; zero while it is open.
	ResolvedAt time.Time
	// LastInboundAt is the customer's last message; LastMessageAt the last
	// message of either side.
	LastInboundAt time.Time
	LastMessageAt time.Time
	// Waiting is the response the customer waits for (sla.FirstResponse
	// or sla.NextResponse) since WaitingSince; empty when the customer is
	// not waiting (answered, or resolved).
	Waiting      sla.Metric
	WaitingSince time.Time
	// ResolutionSince starts the resolution clock: the opening or the
	// last reopening. Zero when resolved.
	ResolutionSince time.Time
	// IdleAt is when [Tracker.Tick] resolves the case if the customer
	// stays silent; zero when resolved.
	IdleAt time.Time
	// Messages counts the messages of the case.
	Messages int
	// Seq is the Seq of the case's last event.
	Seq uint32
}

// Open reports whether the case is open.
func (s *CaseState) Open() bool { return s.Status == StatusOpen }

// Clock is an SLA clock running on a case: the metric it measures and when
// it started. An SLA target for the metric has its deadline at
// Target.Deadline(calendar, Since).
type Clock struct {
	Metric sla.Metric
	Since  time.Time
}

// Clocks returns the clocks running on the case: the response it waits
// for, if any, and the resolution clock. A resolved case runs none.
func (s *CaseState) Clocks() []Clock {
	if !s.Open() {
		return nil
	}
	out := make([]Clock, 0, 2)
	if s.Waiting != "" {
		out = append(out, Clock{Metric: s.Waiting, Since: s.WaitingSince})
	}
	return append(out, Clock{Metric: sla.Resolution, Since: s.ResolutionSince})
}

// caseData is a live case: its state and what indexes it.
type caseData struct {
	state    CaseState
	messages []message.ID
	convs    []string
}
