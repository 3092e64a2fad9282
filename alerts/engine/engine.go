package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/cases"
	"github.com/vigia-dev/vigia/alerts/notify"
	"github.com/vigia-dev/vigia/alerts/rules"
	"github.com/vigia-dev/vigia/internal/message"
)

// EventStore stores case events; the case_events table.
type EventStore interface {
	Insert(ctx context.Context, events []cases.Event) error
}

// Feedback is a classifier correction from an agent's button.
type Feedback struct {
	MessageID message.ID
	Brand     string
	Label     string
	Value     bool
	Actor     string
	At        time.Time
}

// FeedbackStore stores feedback labels; the labels table.
type FeedbackStore interface {
	InsertFeedback(ctx context.Context, fb []Feedback) error
}

// Sink takes alerts: the dispatcher.
type Sink interface {
	Put(alerts ...alert.Alert)
}

// Acknowledger considers each stored case event, with its case's state
// and the message that caused it (nil for actions), for an automatic
// acknowledgement; alerts/ack.Acknowledger is one. It must not block.
type Acknowledger interface {
	Consider(ctx context.Context, st cases.CaseState, ev cases.Event, m *message.Message)
}

// Options configure an [Engine]. Tracker, Rules, Events and Sink are
// required.
type Options struct {
	Tracker  *cases.Tracker
	Rules    *rules.Evaluator
	Storm    rules.Storm
	Events   EventStore
	Feedback FeedbackStore // nil drops feedback with a warning
	Sink     Sink
	// Acknowledger, if not nil, is given the events of observed messages
	// once they are stored.
	Acknowledger Acknowledger
	// Now is the clock; nil means time.Now.
	Now        func() time.Time
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Engine is the alerting stage. It is safe for concurrent use.
type Engine struct {
	opts    Options
	logger  *slog.Logger
	metrics *metrics

	mu      sync.Mutex
	pending []cases.Event                                // events not yet stored
	active  map[string]map[alert.Fingerprint]alert.Alert // firing alerts per case id; "" for storms
	due     map[string]time.Time                         // when a case's alerts may change by the clock
	inbound map[string][]message.ID                      // case id -> recent customer messages
	storm   *rules.StormWindow
	trolls  map[message.ID]time.Time // troll messages counted, against redeliveries
}

// maxInboundPerCase bounds the message ids kept per case for feedback.
const maxInboundPerCase = 20

// New returns an Engine.
func New(opts Options) (*Engine, error) {
	var errs []error
	if opts.Tracker == nil {
		errs = append(errs, errors.New("tracker: required"))
	}
	if opts.Rules == nil {
		errs = append(errs, errors.New("rules: required"))
	}
	if opts.Events == nil {
		errs = append(errs, errors.New("events: required"))
	}
	if opts.Sink == nil {
		errs = append(errs, errors.New("sink: required"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("alerts engine: %w", err)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Storm.Threshold <= 0 {
		opts.Storm = rules.DefaultConfig().TrollStorm
	}
	return &Engine{
		opts: opts, logger: opts.Logger.With("component", "alerts"), metrics: newMetrics(opts.Registerer),
		active: map[string]map[alert.Fingerprint]alert.Alert{}, due: map[string]time.Time{},
		inbound: map[string][]message.ID{},
		storm:   rules.NewStormWindow(opts.Storm), trolls: map[message.ID]time.Time{},
	}, nil
}

// Rebuild restores the case state from stored events (oldest first) and
// evaluates every open case. Call it once, before the first Observe.
func (e *Engine) Rebuild(ctx context.Context, events []cases.Event) error {
	if err := e.opts.Tracker.Rebuild(events); err != nil {
		return fmt.Errorf("rebuild cases from %d events: %w", len(events), err)
	}
	e.mu.Lock()
	for i := range events {
		e.noteEvent(&events[i])
	}
	e.mu.Unlock()
	if err := e.tick(ctx, e.opts.Now(), true); err != nil {
		return fmt.Errorf("resolve idle cases after rebuild: %w", err)
	}
	return nil
}

// Observe threads stored messages into cases, stores the events they cause
// and updates the alerts of the cases they touched. An error means the
// events are not stored yet: they are kept and stored first by the next
// call, and the caller should have the messages redelivered (a message
// seen before causes no new event).
func (e *Engine) Observe(ctx context.Context, msgs []message.Message) error {
	events := e.opts.Tracker.Observe(threadable(msgs)...)
	now := e.opts.Now()
	e.mu.Lock()
	for i := range msgs {
		e.countTroll(&msgs[i], now)
	}
	for i := range events {
		e.noteEvent(&events[i])
	}
	e.pending = append(e.pending, events...)
	e.mu.Unlock()
	// What is stored may include events of an earlier call that failed to
	// store them: their cases are evaluated and acknowledged now.
	stored, err := e.flush(ctx)
	if err != nil {
		return err
	}
	e.acknowledge(ctx, stored, msgs)
	e.evaluate(caseIDs(stored), now)
	e.evaluateStorms(now)
	return nil
}

// acknowledge hands each stored event with its message to the
// acknowledger.
func (e *Engine) acknowledge(ctx context.Context, events []cases.Event, msgs []message.Message) {
	if e.opts.Acknowledger == nil || len(events) == 0 {
		return
	}
	byID := make(map[message.ID]*message.Message, len(msgs))
	for i := range msgs {
		byID[msgs[i].ID] = &msgs[i]
	}
	for _, ev := range events {
		if st, ok := e.opts.Tracker.Case(ev.CaseID); ok {
			e.opts.Acknowledger.Consider(ctx, st, ev, byID[ev.MessageID])
		}
	}
}

// threadable leaves out the customer messages classified as spam: spam is
// not a conversation that waits for an answer, so it opens no case and
// runs no SLA clock. It is still stored with its labels, and an agent who
// disagrees can say so on the message.
func threadable(msgs []message.Message) []message.Message {
	spam := 0
	for i := range msgs {
		if isSpam(&msgs[i]) {
			spam++
		}
	}
	if spam == 0 {
		return msgs
	}
	out := make([]message.Message, 0, len(msgs)-spam)
	for i := range msgs {
		if !isSpam(&msgs[i]) {
			out = append(out, msgs[i])
		}
	}
	return out
}

func isSpam(m *message.Message) bool {
	if m.Direction != message.DirectionInbound {
		return false
	}
	for _, l := range m.Labels {
		if l.Name == "spam" {
			return l.Decision
		}
	}
	return false
}

// countTroll adds an inbound message classified as troll to the storm
// window once, however often it is delivered.
func (e *Engine) countTroll(m *message.Message, now time.Time) {
	if m.Direction != message.DirectionInbound {
		return
	}
	for _, l := range m.Labels {
		if l.Name == "troll" && l.Decision {
			if _, seen := e.trolls[m.ID]; !seen {
				e.trolls[m.ID] = m.CreatedAt
				e.storm.Add(m.Brand, m.CreatedAt)
			}
			break
		}
	}
	if len(e.trolls) > 100_000 {
		for id, t := range e.trolls {
			if now.Sub(t) > e.opts.Storm.Window {
				delete(e.trolls, id)
			}
		}
	}
}

// noteEvent remembers what feedback needs beyond the case state: the
// customer's recent messages.
func (e *Engine) noteEvent(ev *cases.Event) {
	if ev.MessageID == "" || ev.Actor != ev.CustomerID {
		return
	}
	ids := append(e.inbound[ev.CaseID], ev.MessageID)
	if len(ids) > maxInboundPerCase {
		ids = ids[len(ids)-maxInboundPerCase:]
	}
	e.inbound[ev.CaseID] = ids
}

// caseIDs returns the set of cases of events.
func caseIDs(events []cases.Event) map[string]bool {
	ids := make(map[string]bool, len(events))
	for i := range events {
		ids[events[i].CaseID] = true
	}
	return ids
}

// flush stores the pending events and returns them.
func (e *Engine) flush(ctx context.Context) ([]cases.Event, error) {
	e.mu.Lock()
	batch := e.pending
	e.pending = nil
	e.mu.Unlock()
	if len(batch) == 0 {
		return nil, nil
	}
	if err := e.opts.Events.Insert(ctx, batch); err != nil {
		e.mu.Lock()
		e.pending = append(batch, e.pending...)
		e.mu.Unlock()
		return nil, fmt.Errorf("store %d case events: %w", len(batch), err)
	}
	e.metrics.events.Add(float64(len(batch)))
	return batch, nil
}

// evaluate recomputes the alerts of the given cases at now and sends what
// changed: firing alerts (again, with a new UpdatedAt) and resolutions.
func (e *Engine) evaluate(ids map[string]bool, now time.Time) {
	var out []alert.Alert
	for id := range ids {
		st, ok := e.opts.Tracker.Case(id)
		e.mu.Lock()
		var firing []alert.Alert
		var next time.Time
		if ok {
			firing, next = e.opts.Rules.Case(&st, now)
		}
		out = append(out, e.diff(id, firing, now)...)
		if next.IsZero() {
			delete(e.due, id)
		} else {
			e.due[id] = next
		}
		if !ok || !st.Open() {
			delete(e.inbound, id)
		}
		e.mu.Unlock()
	}
	e.send(out)
}

func (e *Engine) evaluateStorms(now time.Time) {
	if !e.opts.Rules.Enabled(rules.RuleTrollStorm) {
		return
	}
	e.mu.Lock()
	out := e.diff("", e.storm.Alerts(now), now)
	e.mu.Unlock()
	e.send(out)
}

// diff replaces the active alerts of key with firing and returns them
// together with the resolutions of those that stopped firing. It must be
// called with e.mu held.
func (e *Engine) diff(key string, firing []alert.Alert, now time.Time) []alert.Alert {
	prev := e.active[key]
	cur := make(map[alert.Fingerprint]alert.Alert, len(firing))
	out := make([]alert.Alert, 0, len(firing)+len(prev))
	for _, a := range firing {
		fp := a.Fingerprint()
		cur[fp] = a
		if _, seen := prev[fp]; !seen {
			out = append(out, a)
		}
	}
	for fp, a := range prev {
		if _, still := cur[fp]; !still {
			a.EndsAt, a.UpdatedAt = now, now
			out = append(out, a)
		}
	}
	if len(cur) == 0 {
		delete(e.active, key)
	} else {
		e.active[key] = cur
	}
	return out
}

func (e *Engine) send(alerts []alert.Alert) {
	if len(alerts) == 0 {
		return
	}
	for _, a := range alerts {
		if a.EndsAt.IsZero() {
			e.metrics.fired.WithLabelValues(a.Labels[alert.LabelRule]).Inc()
		}
	}
	e.opts.Sink.Put(alerts...)
}

// Run evaluates on the clock until ctx ends: idle resolutions, SLA
// warnings, breaches and escalations, storms that calm down, and events
// that could not be stored before. It returns nil on cancel.
func (e *Engine) Run(ctx context.Context) error {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := e.tick(ctx, e.opts.Now(), false); err != nil && ctx.Err() == nil {
				e.logger.Warn("alerts tick failed", "err", err)
			}
		}
	}
}

// tick resolves idle cases and re-evaluates what came due by now (every
// open case when all is set).
func (e *Engine) tick(ctx context.Context, now time.Time, all bool) error {
	idle := e.opts.Tracker.Tick(now)
	e.mu.Lock()
	e.pending = append(e.pending, idle...)
	ids := map[string]bool{}
	for _, ev := range idle {
		ids[ev.CaseID] = true
	}
	for id, at := range e.due {
		if !at.After(now) {
			ids[id] = true
		}
	}
	e.mu.Unlock()
	if all {
		for _, st := range e.opts.Tracker.Open() {
			ids[st.ID] = true
		}
	}
	stored, err := e.flush(ctx)
	for id := range caseIDs(stored) {
		ids[id] = true
	}
	e.evaluate(ids, now)
	e.evaluateStorms(now)
	return err
}

// HandleAction applies a chat button: a case event, and for "not a
// complaint" and "spam" a feedback label on the customer's recent
// messages. It implements notify.ActionHandler; the text is shown to the
// person who pressed.
func (e *Engine) HandleAction(ctx context.Context, a notify.Action) (string, error) {
	events, err := e.opts.Tracker.Apply(cases.Action{Kind: cases.ActionKind(a.Kind), CaseID: a.CaseID, Actor: a.Actor, At: a.At})
	if err != nil {
		return "", fmt.Errorf("apply %s: %w", a.Kind, err)
	}
	st, _ := e.opts.Tracker.Case(a.CaseID)
	e.mu.Lock()
	e.pending = append(e.pending, events...)
	msgs := append([]message.ID(nil), e.inbound[a.CaseID]...)
	e.mu.Unlock()
	stored, err := e.flush(ctx)
	if err != nil {
		return "", err
	}
	if err := e.feedback(ctx, a, st.Brand, msgs); err != nil {
		return "", err
	}
	ids := caseIDs(stored)
	ids[a.CaseID] = true
	e.evaluate(ids, e.opts.Now())
	e.metrics.actions.WithLabelValues(string(a.Kind)).Inc()
	if len(events) == 0 && a.Kind != notify.ActionNotComplaint && a.Kind != notify.ActionSpam {
		return "Nothing to change: the case is already " + describe(st), nil
	}
	switch a.Kind {
	case notify.ActionClaim:
		return "Case claimed by " + a.Actor, nil
	case notify.ActionReplied:
		return "Marked as answered", nil
	case notify.ActionResolve:
		return "Case resolved", nil
	case notify.ActionNotComplaint:
		return "Marked as not a complaint; thanks, the classifier will learn from it", nil
	case notify.ActionSpam:
		return "Marked as spam and resolved", nil
	}
	return "Done", nil
}

func describe(st cases.CaseState) string {
	if !st.Open() {
		return "resolved"
	}
	if st.Waiting == "" {
		return "answered"
	}
	return "in that state"
}

func (e *Engine) feedback(ctx context.Context, a notify.Action, brand string, msgs []message.ID) error {
	var label string
	var value bool
	switch a.Kind {
	case notify.ActionNotComplaint:
		label, value = "complaint", false
	case notify.ActionSpam:
		label, value = "spam", true
	default:
		return nil
	}
	if e.opts.Feedback == nil || len(msgs) == 0 {
		e.logger.Warn("feedback not stored", "case_id", a.CaseID, "messages", len(msgs))
		return nil
	}
	fb := make([]Feedback, 0, len(msgs))
	for _, id := range msgs {
		fb = append(fb, Feedback{MessageID: id, Brand: brand, Label: label, Value: value, Actor: a.Actor, At: a.At})
	}
	if err := e.opts.Feedback.InsertFeedback(ctx, fb); err != nil {
		return fmt.Errorf("store %s feedback for %d messages: %w", label, len(fb), err)
	}
	return nil
}

// Firing returns the alerts firing now, for the API.
func (e *Engine) Firing() []alert.Alert {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []alert.Alert
	for _, m := range e.active {
		for _, a := range m {
			out = append(out, a.Clone())
		}
	}
	return out
}
