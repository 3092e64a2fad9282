package cases

import "github.com/vigia-dev/vigia/internal/message"

// Priority is a case's priority, from the labels of its customer's
// messages. It is a metric label, so the set is fixed.
type Priority string

// Priorities, most urgent first.
const (
	PriorityUrgent     Priority = "urgent"
	PriorityInfluencer Priority = "influencer"
	PriorityComplaint  Priority = "complaint"
	PriorityNormal     Priority = "normal"
)

// The classifier labels a priority comes from (classify.LabelUrgent,
// LabelInfluencer and LabelComplaint; not imported, to keep the classifier
// and its models out of this package's dependencies).
const (
	labelUrgent     = "urgent"
	labelInfluencer = "influencer"
	labelComplaint  = "complaint"
)

// Priorities lists every priority, most urgent first.
func Priorities() []Priority {
	return []Priority{PriorityUrgent, PriorityInfluencer, PriorityComplaint, PriorityNormal}
}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return p.rank() > 0 }

// rank orders priorities: higher is more urgent, 0 is unknown.
func (p Priority) rank() int {
	switch p {
	case PriorityUrgent:
		return 4
	case PriorityInfluencer:
		return 3
	case PriorityComplaint:
		return 2
	case PriorityNormal:
		return 1
	}
	return 0
}

// PriorityOf returns the priority a message's labels give: urgent, else
// influencer, else complaint (each a yes decision), else normal.
func PriorityOf(m *message.Message) Priority {
	p := PriorityNormal
	for _, l := range m.Labels {
		if !l.Decision {
			continue
		}
		var q Priority
		switch l.Name {
		case labelUrgent:
			q = PriorityUrgent
		case labelInfluencer:
			q = PriorityInfluencer
		case labelComplaint:
			q = PriorityComplaint
		default:
			continue
		}
		if q.rank() > p.rank() {
			p = q
		}
	}
	return p
}

// decided reports whether m carries a yes decision for the label name.
func decided(m *message.Message, name string) bool {
	for _, l := range m.Labels {
		if l.Name == name {
			return l.Decision
		}
	}
	return false
}
