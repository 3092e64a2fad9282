package cases

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/vigia-dev/vigia/internal/message"
)

// EventKind is what happened to a case.
type EventKind string

// Event kinds. Every message that joins a case causes exactly one event:
// the transition it makes, or inbound/outbound when it makes none.
const (
	// EventOpened: a customer message opened the case. It starts the first
	// response and resolution clocks.
	EventOpened EventKind = "opened"
	// EventAcknowledged: the first automatic reply was sent. It stops no
	// clock; its seconds are the time since the waiting clock started.
	EventAcknowledged EventKind = "acknowledged"
	// EventResponded: the first human reply (a brand message or an agent's
	// "replied" action). Its seconds are the first response time.
	EventResponded EventKind = "responded"
	// EventFollowedUp: the customer wrote after a human reply. It starts
	// the next response clock.
	EventFollowedUp EventKind = "followed_up"
	// EventReplied: a human reply to a follow-up. Its seconds are the next
	// response time.
	EventReplied EventKind = "replied"
	// EventClaimed: an agent took the case. Its seconds are the time since
	// the case opened or reopened.
	EventClaimed EventKind = "claimed"
	// EventResolved: an agent resolved the case, marked it spam, or the
	// customer was silent for the idle time (see Reason). Its seconds are
	// the resolution time since the case opened or reopened.
	EventResolved EventKind = "resolved"
	// EventReopened: the customer wrote within the reopen window after the
	// resolution. It restarts the resolution clock and the clock of the
	// response the case waits for (first, if it never had one, else next).
	EventReopened EventKind = "reopened"
	// EventNotComplaint: an agent said the case is not a complaint; a
	// complaint priority becomes normal.
	EventNotComplaint EventKind = "not_complaint"
	// EventInbound: a customer message joined the case, changing nothing
	// (the case already waits for a reply).
	EventInbound EventKind = "inbound"
	// EventOutbound: a brand message joined the case, changing nothing (a
	// further automatic reply, a second message of a reply, a message to
	// a resolved case).
	EventOutbound EventKind = "outbound"
)

// EventKinds lists every event kind, in lifecycle order.
func EventKinds() []EventKind {
	return []EventKind{
		EventOpened, EventAcknowledged, EventResponded, EventFollowedUp, EventReplied, EventClaimed,
		EventResolved, EventReopened, EventNotComplaint, EventInbound, EventOutbound,
	}
}

// Valid reports whether k is a known event kind.
func (k EventKind) Valid() bool {
	for _, v := range EventKinds() {
		if k == v {
			return true
		}
	}
	return false
}

// Reasons a case was resolved.
const (
	ReasonAgent = "agent" // the resolve action
	ReasonSpam  = "spam"  // the spam action
	ReasonIdle  = "idle"  // no customer message for Config.IdleResolve
)

// ActorSystem is the actor of events no person caused: messages carry
// their author's id, actions the agent, idle resolution this.
const ActorSystem = "vigia"

// Event is one change of a case: the unit of the case_events log.
type Event struct {
	// ID identifies the event: 16 lowercase hex digits derived from the
	// case id, Seq, the kind and the message id. Re-inserting an event
	// keeps its id, so storage collapses the copies.
	ID string
	// CaseID is the case: 16 lowercase hex digits derived from the opening
	// message id.
	CaseID string
	// Seq numbers the events of a case from 1, in the order they happened.
	Seq uint32
	// Brand, Channel and CustomerID say whose case it is.
	Brand      string
	Channel    message.Channel
	CustomerID string
	// ConversationID is the conversation id of the event's message, if
	// any.
	ConversationID string
	// Event is what happened.
	Event EventKind
	// At is when: the message's creation time, the action's time, or the
	// idle deadline. Whole seconds, UTC.
	At time.Time
	// Actor is the message's author id, the agent of an action, or
	// ActorSystem.
	Actor string
	// MessageID is the message that caused the event; empty for actions
	// and idle resolution.
	MessageID message.ID
	// Reason says why a case was resolved (ReasonAgent, ReasonSpam,
	// ReasonIdle); empty otherwise.
	Reason string
	// CalendarSeconds and BusinessSeconds measure the milestone this event
	// closes (see each EventKind), on the calendar and on the brand's
	// business calendar. Zero for events that close none.
	CalendarSeconds int64
	BusinessSeconds int64
	// Priority is the case's priority after the event.
	Priority Priority
	// Language is the language of the customer message that caused the
	// event (ISO 639-1), empty when unknown or for other events.
	Language string
	// Complaint and Influencer report the yes decisions of those labels on
	// the customer message that caused the event.
	Complaint, Influencer bool
}

// Validate reports what makes e unusable to rebuild a tracker.
func (e *Event) Validate() error {
	var errs []error
	if !isHex16(e.CaseID) {
		errs = append(errs, fmt.Errorf("case_id: %q: want 16 lowercase hex digits", e.CaseID))
	}
	if !e.Event.Valid() {
		errs = append(errs, fmt.Errorf("event: %q: want one of %v", e.Event, EventKinds()))
	}
	if e.Brand == "" {
		errs = append(errs, errors.New("brand: is empty"))
	}
	if e.CustomerID == "" {
		errs = append(errs, errors.New("customer_id: is empty"))
	}
	if e.At.IsZero() {
		errs = append(errs, errors.New("at: is missing"))
	}
	if e.Seq == 0 {
		errs = append(errs, errors.New("seq: is 0: want 1 or more"))
	}
	if !e.Priority.Valid() {
		errs = append(errs, fmt.Errorf("priority: %q: want one of %v", e.Priority, Priorities()))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("case event %s of case %s: %w", e.ID, e.CaseID, err)
	}
	return nil
}

// direction says whether the event records a customer message, a brand
// message, or neither.
func (e *Event) direction() message.Direction {
	switch e.Event {
	case EventOpened, EventReopened, EventFollowedUp, EventInbound:
		return message.DirectionInbound
	}
	if e.MessageID != "" {
		return message.DirectionOutbound
	}
	return ""
}

// CaseIDFor returns the id of the case opened by the message with id
// opening: 16 lowercase hex digits of its SHA-256. Case ids travel in
// signed tokens and chat callback data, so they never hold '.' or '|'.
func CaseIDFor(opening message.ID) string {
	return hash16("case", string(opening))
}

// eventID is the id of a case's seq-th event.
func eventID(caseID string, seq uint32, kind EventKind, msg message.ID) string {
	return hash16("event", caseID, strconv.FormatUint(uint64(seq), 10), string(kind), string(msg))
}

func hash16(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:8])
}

func isHex16(s string) bool {
	if len(s) != 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// IsCaseID reports whether s has the form of a case id, for inputs such as
// a chat button's callback data.
func IsCaseID(s string) bool { return isHex16(s) }
