package cases

import (
	"cmp"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/alerts/sla"
	"github.com/vigia-dev/vigia/internal/message"
)

// CalendarFunc returns the business calendar of a brand, or nil when the
// brand counts calendar time (24x7).
type CalendarFunc func(brand string) *sla.Calendar

// Tracker threads messages into cases and keeps their lifecycle. It is
// safe for concurrent use; messages must be observed in the order they
// were created for reply chains to be found.
//
// Every method that changes a case returns the events it caused. The
// caller writes them to the [Store] before acknowledging the input; if the
// write fails for good, rebuild the tracker from the store, since the
// tracker has already moved on (a redelivered message is a duplicate to
// it).
type Tracker struct {
	cfg         Config
	bots        []string
	calendarFor CalendarFunc
	logger      *slog.Logger
	metrics     *metrics

	mu    sync.Mutex
	cases map[string]*caseData
	// byMessage maps every message of a live case to the case.
	byMessage map[message.ID]string
	// byConv and byCustomer list the live cases of a conversation and of
	// a customer.
	byConv     map[convKey][]string
	byCustomer map[custKey][]string
	open       map[string]int // open cases per brand
	// idle holds the idle deadlines of open cases, expire the ends of the
	// reopen windows of resolved ones.
	idle, expire deadlines
}

type convKey struct {
	brand   string
	channel message.Channel
	conv    string
}

type custKey struct {
	brand    string
	channel  message.Channel
	customer string
}

// NewTracker validates cfg and returns an empty tracker. calendarFor gives
// each brand's business calendar (nil: every brand counts calendar time).
func NewTracker(cfg Config, calendarFor CalendarFunc, logger *slog.Logger, reg prometheus.Registerer) (*Tracker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("cases config: %w", err)
	}
	if calendarFor == nil {
		calendarFor = func(string) *sla.Calendar { return nil }
	}
	t := &Tracker{
		cfg:         cfg,
		bots:        cfg.automaticAuthors(),
		calendarFor: calendarFor,
		logger:      logger.With("component", "cases"),
		metrics:     newMetrics(reg),
	}
	t.reset()
	return t, nil
}

func (t *Tracker) reset() {
	t.cases = make(map[string]*caseData)
	t.byMessage = make(map[message.ID]string)
	t.byConv = make(map[convKey][]string)
	t.byCustomer = make(map[custKey][]string)
	for b := range t.open {
		t.metrics.open.WithLabelValues(b).Set(0)
	}
	t.open = make(map[string]int)
	t.idle, t.expire = nil, nil
}

// InitializeFor pre-creates the metric series of a brand on its channels,
// so dashboards see zeros before the first case.
func (t *Tracker) InitializeFor(brand string, channels ...message.Channel) {
	t.metrics.initialize(brand, channels)
}

// Observe threads msgs, in order, and returns the events they caused. A
// message that is invalid, already in a case, or outbound and matching no
// case causes none.
func (t *Tracker) Observe(msgs ...message.Message) []Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Event
	for i := range msgs {
		if ev, ok := t.observe(&msgs[i]); ok {
			out = append(out, ev)
		}
	}
	return out
}

func (t *Tracker) observe(m *message.Message) (Event, bool) {
	if m.ID == "" || m.Brand == "" || m.Author.ID == "" || m.CreatedAt.IsZero() || !m.Direction.Valid() || !m.Channel.Valid() {
		t.metrics.ignored.WithLabelValues(ignoredInvalid).Inc()
		return Event{}, false
	}
	if _, dup := t.byMessage[m.ID]; dup {
		t.metrics.ignored.WithLabelValues(ignoredDuplicate).Inc()
		return Event{}, false
	}
	at := second(m.CreatedAt)
	if m.Direction == message.DirectionInbound {
		return t.inbound(m, at), true
	}
	c := t.outboundCase(m)
	if c == nil {
		t.metrics.ignored.WithLabelValues(ignoredUnmatched).Inc()
		return Event{}, false
	}
	return t.outbound(c, m, at), true
}

// inbound threads a customer message.
func (t *Tracker) inbound(m *message.Message, at time.Time) Event {
	if c := t.linkedCase(m); c != nil {
		s := &c.state
		switch {
		case s.Open():
			return t.join(c, m, at)
		case at.Sub(s.ResolvedAt) <= t.cfg.ReopenWindow:
			return t.emit(c, EventReopened, at, m, maxPriority(s.Priority, PriorityOf(m)))
		}
		return t.openCase(m, at)
	}
	if c := t.latestOfCustomer(custKey{m.Brand, m.Channel, m.Author.ID}); c != nil {
		s := &c.state
		if at.Sub(s.LastMessageAt) <= t.cfg.Gap {
			switch {
			case s.Open():
				return t.join(c, m, at)
			case at.Sub(s.ResolvedAt) <= t.cfg.ReopenWindow:
				return t.emit(c, EventReopened, at, m, maxPriority(s.Priority, PriorityOf(m)))
			}
		}
	}
	return t.openCase(m, at)
}

// join adds a customer message to an open case: a follow-up if the
// customer was answered, else one more message while waiting.
func (t *Tracker) join(c *caseData, m *message.Message, at time.Time) Event {
	kind := EventInbound
	if c.state.Waiting == "" {
		kind = EventFollowedUp
	}
	return t.emit(c, kind, at, m, maxPriority(c.state.Priority, PriorityOf(m)))
}

func (t *Tracker) openCase(m *message.Message, at time.Time) Event {
	c := &caseData{state: CaseState{
		ID: CaseIDFor(m.ID), Brand: m.Brand, Channel: m.Channel, CustomerID: m.Author.ID,
	}}
	if old, ok := t.cases[c.state.ID]; ok {
		// A case opened by this message was pruned and the message came
		// back: start it over.
		t.remove(old)
	}
	return t.emitNew(c, m, at)
}

// linkedCase returns the case of the customer that m replies into: the
// case of the message it replies to, else of its conversation.
func (t *Tracker) linkedCase(m *message.Message) *caseData {
	if m.InReplyTo != "" {
		if c := t.cases[t.byMessage[m.InReplyTo]]; c != nil && t.sameCustomer(c, m) {
			return c
		}
	}
	if m.ConversationID == "" {
		return nil
	}
	var best *caseData
	for _, id := range t.byConv[convKey{m.Brand, m.Channel, m.ConversationID}] {
		c := t.cases[id]
		if t.sameCustomer(c, m) && (best == nil || later(&c.state, &best.state)) {
			best = c
		}
	}
	return best
}

func (t *Tracker) sameCustomer(c *caseData, m *message.Message) bool {
	s := &c.state
	return s.Brand == m.Brand && s.Channel == m.Channel && s.CustomerID == m.Author.ID
}

// later reports whether a opened after b (ties broken by id).
func later(a, b *CaseState) bool {
	if !a.OpenedAt.Equal(b.OpenedAt) {
		return a.OpenedAt.After(b.OpenedAt)
	}
	return a.ID > b.ID
}

func (t *Tracker) latestOfCustomer(k custKey) *caseData {
	var best *caseData
	for _, id := range t.byCustomer[k] {
		if c := t.cases[id]; best == nil || later(&c.state, &best.state) {
			best = c
		}
	}
	return best
}

// outboundCase returns the case a brand message belongs to: the case of
// the message it replies to, else the open case of its conversation whose
// customer wrote last.
func (t *Tracker) outboundCase(m *message.Message) *caseData {
	if m.InReplyTo != "" {
		if c := t.cases[t.byMessage[m.InReplyTo]]; c != nil && c.state.Brand == m.Brand && c.state.Channel == m.Channel {
			return c
		}
	}
	if m.ConversationID == "" {
		return nil
	}
	var best *caseData
	for _, id := range t.byConv[convKey{m.Brand, m.Channel, m.ConversationID}] {
		c := t.cases[id]
		if best == nil || betterOutboundTarget(&c.state, &best.state) {
			best = c
		}
	}
	return best
}

func betterOutboundTarget(a, b *CaseState) bool {
	if a.Open() != b.Open() {
		return a.Open()
	}
	if !a.LastInboundAt.Equal(b.LastInboundAt) {
		return a.LastInboundAt.After(b.LastInboundAt)
	}
	return a.ID > b.ID
}

// outbound adds a brand message to its case.
func (t *Tracker) outbound(c *caseData, m *message.Message, at time.Time) Event {
	s := &c.state
	switch {
	case !s.Open():
		return t.emit(c, EventOutbound, at, m, s.Priority)
	case t.automatic(m):
		if s.Waiting != "" && s.AcknowledgedAt.Before(s.WaitingSince) {
			return t.emit(c, EventAcknowledged, at, m, s.Priority)
		}
		return t.emit(c, EventOutbound, at, m, s.Priority)
	}
	if kind, ok := responseKind(s); ok {
		return t.emit(c, kind, at, m, s.Priority)
	}
	return t.emit(c, EventOutbound, at, m, s.Priority)
}

// responseKind is the event a human reply causes on an open case, if any.
func responseKind(s *CaseState) (EventKind, bool) {
	switch s.Waiting {
	case sla.FirstResponse:
		return EventResponded, true
	case sla.NextResponse:
		return EventReplied, true
	}
	return "", false
}

// automatic reports whether an outbound message is an automatic reply.
func (t *Tracker) automatic(m *message.Message) bool {
	if t.cfg.AutomaticLabel != "" {
		if l, ok := m.Label(t.cfg.AutomaticLabel); ok && l.Decision {
			return true
		}
	}
	if len(t.bots) == 0 {
		return false
	}
	if _, ok := slices.BinarySearch(t.bots, normAuthor(m.Author.ID)); ok {
		return true
	}
	_, ok := slices.BinarySearch(t.bots, normAuthor(m.Author.Handle))
	return ok && m.Author.Handle != ""
}

// Apply applies an agent's action and returns the events it caused: none
// when it changes nothing (a second resolve, a replied on a case that
// waits for no reply, a claim by the agent who holds the case).
func (t *Tracker) Apply(a Action) ([]Event, error) {
	if !a.Kind.Valid() || a.Actor == "" || a.At.IsZero() {
		return nil, fmt.Errorf("apply %q to case %s: %w", a.Kind, a.CaseID, ErrBadAction)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.cases[a.CaseID]
	if c == nil {
		return nil, fmt.Errorf("apply %s to case %s: %w", a.Kind, a.CaseID, ErrUnknownCase)
	}
	s := &c.state
	at := second(a.At)
	var ev Event
	switch a.Kind {
	case ActionClaim:
		if !s.Open() || s.ClaimedBy == a.Actor {
			return nil, nil
		}
		ev = t.emitAction(c, EventClaimed, at, a.Actor, "", s.Priority)
	case ActionReplied:
		kind, ok := responseKind(s)
		if !s.Open() || !ok {
			return nil, nil
		}
		ev = t.emitAction(c, kind, at, a.Actor, "", s.Priority)
	case ActionResolve, ActionSpam:
		if !s.Open() {
			return nil, nil
		}
		reason := ReasonAgent
		if a.Kind == ActionSpam {
			reason = ReasonSpam
		}
		ev = t.emitAction(c, EventResolved, at, a.Actor, reason, s.Priority)
	case ActionNotComplaint:
		if s.Priority != PriorityComplaint {
			return nil, nil
		}
		ev = t.emitAction(c, EventNotComplaint, at, a.Actor, "", PriorityNormal)
	}
	return []Event{ev}, nil
}

// Tick resolves the open cases whose customer has been silent for the idle
// time by now, each at its idle deadline, and forgets the cases resolved
// longer ago than the reopen window. It returns the resolutions, ordered
// by time. Call it periodically ([Tracker.NextIdle] says when something is
// due) and once after [Tracker.Rebuild].
func (t *Tracker) Tick(now time.Time) []Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	due := t.idle.popDue(now, t.idleValid)
	out := make([]Event, 0, len(due))
	for _, d := range due {
		c := t.cases[d.id]
		out = append(out, t.emitAction(c, EventResolved, d.at, ActorSystem, ReasonIdle, c.state.Priority))
	}
	for _, d := range t.expire.popDue(now, t.expireValid) {
		t.remove(t.cases[d.id])
	}
	return out
}

// idleValid reports whether d is the current idle deadline of an open
// case.
func (t *Tracker) idleValid(d deadline) bool {
	c := t.cases[d.id]
	return c != nil && c.state.Open() && c.state.IdleAt.Equal(d.at)
}

// expireValid reports whether d ends the reopen window of a resolved case.
func (t *Tracker) expireValid(d deadline) bool {
	c := t.cases[d.id]
	return c != nil && !c.state.Open() && c.state.ResolvedAt.Add(t.cfg.ReopenWindow).Equal(d.at)
}

// NextIdle returns the earliest idle deadline of the open cases, and false
// when no case is open.
func (t *Tracker) NextIdle() (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	d, ok := t.idle.peek(t.idleValid)
	return d.at, ok
}

// Open returns the open cases, oldest first: each with its running clocks
// ([CaseState.Clocks]) for the SLA layer.
func (t *Tracker) Open() []CaseState {
	return t.list(func(s *CaseState) bool { return s.Open() })
}

// Cases returns every case the tracker holds (open, or resolved within the
// reopen window), oldest first.
func (t *Tracker) Cases() []CaseState {
	return t.list(func(*CaseState) bool { return true })
}

func (t *Tracker) list(keep func(*CaseState) bool) []CaseState {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]CaseState, 0, len(t.cases))
	for _, c := range t.cases {
		if keep(&c.state) {
			out = append(out, c.state)
		}
	}
	slices.SortFunc(out, func(a, b CaseState) int {
		return cmp.Or(a.OpenedAt.Compare(b.OpenedAt), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// Case returns the case with id, if the tracker holds it.
func (t *Tracker) Case(id string) (CaseState, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.cases[id]
	if c == nil {
		return CaseState{}, false
	}
	return c.state, true
}

// CaseOf returns the case holding the message with id, if the tracker
// holds it.
func (t *Tracker) CaseOf(id message.ID) (CaseState, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.cases[t.byMessage[id]]
	if c == nil {
		return CaseState{}, false
	}
	return c.state, true
}

// emitNew emits the opened event of a new case.
func (t *Tracker) emitNew(c *caseData, m *message.Message, at time.Time) Event {
	ev := t.event(c, EventOpened, at, m.Author.ID, "", PriorityOf(m))
	ev.MessageID, ev.ConversationID, ev.Language = m.ID, m.ConversationID, m.Lang
	ev.Complaint, ev.Influencer = decided(m, labelComplaint), decided(m, labelInfluencer)
	ev.ID = eventID(ev.CaseID, ev.Seq, ev.Event, ev.MessageID)
	t.cases[c.state.ID] = c
	t.apply(&ev)
	t.metrics.observe(&ev)
	return ev
}

// emit emits a message's event on an existing case.
func (t *Tracker) emit(c *caseData, kind EventKind, at time.Time, m *message.Message, p Priority) Event {
	ev := t.event(c, kind, at, m.Author.ID, "", p)
	ev.MessageID, ev.ConversationID = m.ID, m.ConversationID
	if m.Direction == message.DirectionInbound {
		ev.Language = m.Lang
		ev.Complaint, ev.Influencer = decided(m, labelComplaint), decided(m, labelInfluencer)
	}
	ev.ID = eventID(ev.CaseID, ev.Seq, ev.Event, ev.MessageID)
	t.apply(&ev)
	t.metrics.observe(&ev)
	return ev
}

// emitAction emits an event without a message.
func (t *Tracker) emitAction(c *caseData, kind EventKind, at time.Time, actor, reason string, p Priority) Event {
	ev := t.event(c, kind, at, actor, reason, p)
	t.apply(&ev)
	t.metrics.observe(&ev)
	return ev
}

// event builds the next event of c, measuring the milestone it closes.
func (t *Tracker) event(c *caseData, kind EventKind, at time.Time, actor, reason string, p Priority) Event {
	s := &c.state
	ev := Event{
		CaseID: s.ID, Seq: s.Seq + 1, Brand: s.Brand, Channel: s.Channel, CustomerID: s.CustomerID,
		Event: kind, At: at, Actor: actor, Reason: reason, Priority: p,
	}
	var since time.Time
	switch kind {
	case EventAcknowledged, EventResponded, EventReplied:
		since = s.WaitingSince
	case EventClaimed, EventResolved:
		since = s.ResolutionSince
	}
	if !since.IsZero() && at.After(since) {
		ev.CalendarSeconds = int64(at.Sub(since) / time.Second)
		ev.BusinessSeconds = ev.CalendarSeconds
		if cal := t.calendarFor(s.Brand); cal != nil {
			ev.BusinessSeconds = int64(cal.Between(since, at) / time.Second)
		}
	}
	ev.ID = eventID(ev.CaseID, ev.Seq, ev.Event, "")
	return ev
}

// apply is the one place case state changes: live events and rebuilt
// ones go through it alike. The case of ev exists.
func (t *Tracker) apply(ev *Event) {
	c := t.cases[ev.CaseID]
	s := &c.state
	wasOpen := s.Open()
	s.Seq = ev.Seq
	s.Priority = ev.Priority
	if ev.Language != "" {
		s.Language = ev.Language
	}
	s.Complaint = (s.Complaint || ev.Complaint) && ev.Event != EventNotComplaint
	s.Influencer = s.Influencer || ev.Influencer
	if ev.MessageID != "" {
		if _, ok := t.byMessage[ev.MessageID]; !ok {
			t.byMessage[ev.MessageID] = s.ID
			c.messages = append(c.messages, ev.MessageID)
		}
		s.Messages++
		s.LastMessageAt = maxTime(s.LastMessageAt, ev.At)
	}
	if ev.ConversationID != "" && !slices.Contains(c.convs, ev.ConversationID) {
		c.convs = append(c.convs, ev.ConversationID)
		k := convKey{s.Brand, s.Channel, ev.ConversationID}
		t.byConv[k] = append(t.byConv[k], s.ID)
	}
	if ev.direction() == message.DirectionInbound {
		s.LastInboundAt = maxTime(s.LastInboundAt, ev.At)
	}
	switch ev.Event {
	case EventOpened:
		s.Status, s.OpenedAt = StatusOpen, ev.At
		s.Waiting, s.WaitingSince, s.ResolutionSince = sla.FirstResponse, ev.At, ev.At
		k := custKey{s.Brand, s.Channel, s.CustomerID}
		t.byCustomer[k] = append(t.byCustomer[k], s.ID)
	case EventAcknowledged:
		s.AcknowledgedAt = ev.At
	case EventResponded:
		s.FirstResponseAt, s.LastResponseAt = ev.At, ev.At
		s.Waiting, s.WaitingSince = "", time.Time{}
	case EventReplied:
		s.LastResponseAt = ev.At
		s.Waiting, s.WaitingSince = "", time.Time{}
	case EventFollowedUp:
		s.Waiting, s.WaitingSince = sla.NextResponse, ev.At
	case EventClaimed:
		s.ClaimedBy, s.ClaimedAt = ev.Actor, ev.At
	case EventResolved:
		s.Status, s.ResolvedAt = StatusResolved, ev.At
		s.Waiting, s.WaitingSince, s.ResolutionSince = "", time.Time{}, time.Time{}
	case EventReopened:
		s.Status, s.ReopenedAt, s.ResolvedAt = StatusOpen, ev.At, time.Time{}
		s.Reopens++
		s.Waiting, s.WaitingSince, s.ResolutionSince = sla.NextResponse, ev.At, ev.At
		if s.FirstResponseAt.IsZero() {
			s.Waiting = sla.FirstResponse
		}
	}
	idleAt := time.Time{}
	if s.Open() {
		idleAt = s.LastInboundAt.Add(t.cfg.IdleResolve)
		if !idleAt.Equal(s.IdleAt) {
			t.idle.push(idleAt, s.ID)
		}
	}
	s.IdleAt = idleAt
	if ev.Event == EventResolved {
		t.expire.push(s.ResolvedAt.Add(t.cfg.ReopenWindow), s.ID)
	}
	if s.Open() != wasOpen {
		d := 1
		if !s.Open() {
			d = -1
		}
		t.addOpen(s.Brand, d)
	}
}

func (t *Tracker) addOpen(brand string, d int) {
	t.open[brand] += d
	t.metrics.open.WithLabelValues(brand).Set(float64(t.open[brand]))
}

// remove forgets a case and its index entries.
func (t *Tracker) remove(c *caseData) {
	s := &c.state
	for _, id := range c.messages {
		if t.byMessage[id] == s.ID {
			delete(t.byMessage, id)
		}
	}
	for _, conv := range c.convs {
		k := convKey{s.Brand, s.Channel, conv}
		t.byConv[k] = deleteID(t.byConv[k], s.ID)
		if len(t.byConv[k]) == 0 {
			delete(t.byConv, k)
		}
	}
	k := custKey{s.Brand, s.Channel, s.CustomerID}
	t.byCustomer[k] = deleteID(t.byCustomer[k], s.ID)
	if len(t.byCustomer[k]) == 0 {
		delete(t.byCustomer, k)
	}
	if s.Open() {
		t.addOpen(s.Brand, -1)
	}
	delete(t.cases, s.ID)
}

func deleteID(ids []string, id string) []string {
	return slices.DeleteFunc(ids, func(x string) bool { return x == id })
}

func maxPriority(a, b Priority) Priority {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// second truncates t to whole seconds in UTC, as the event log stores it.
func second(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }
