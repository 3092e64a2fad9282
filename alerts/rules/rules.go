package rules

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/cases"
	"github.com/vigia-dev/vigia/alerts/sla"
)

// Annotation names the rules fill in (the same names notify renders).
const (
	annotationSummary = "summary"
	annotationLink    = "link"
)

// Calendars returns a brand's business calendar; nil counts calendar time.
type Calendars func(brand string) *sla.Calendar

// Evaluator evaluates the rules. It is safe for concurrent use: it keeps no
// state besides its configuration.
type Evaluator struct {
	cfg       Config
	disabled  map[string]bool
	calendars Calendars
	caseLink  func(caseID string) string
}

// NewEvaluator returns an evaluator of cfg. caseLink, if not nil, makes the
// link annotation of a case's alerts.
func NewEvaluator(cfg Config, calendars Calendars, caseLink func(caseID string) string) *Evaluator {
	e := &Evaluator{cfg: cfg, disabled: map[string]bool{}, calendars: calendars, caseLink: caseLink}
	for _, d := range cfg.Disabled {
		e.disabled[d] = true
	}
	if e.calendars == nil {
		e.calendars = func(string) *sla.Calendar { return nil }
	}
	return e
}

// Policy returns the policy that applies to c, if any.
func (e *Evaluator) Policy(c *cases.CaseState) (Policy, bool) {
	for _, p := range e.cfg.Policies {
		if (p.Brand == "" || p.Brand == c.Brand) && (p.Channel == "" || p.Channel == c.Channel) &&
			(p.Priority == "" || p.Priority == c.Priority) {
			return p, true
		}
	}
	return Policy{}, false
}

// Case returns the alerts firing for c at now, and the next instant at
// which that set may change by the clock alone (a warning or breach coming
// due, an escalation step); zero when only a new event can change it.
func (e *Evaluator) Case(c *cases.CaseState, now time.Time) ([]alert.Alert, time.Time) {
	if !c.Open() {
		return nil, time.Time{}
	}
	var out []alert.Alert
	var next time.Time
	soonest := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	base := func(rule string, startsAt time.Time, summary string) alert.Alert {
		a := alert.Alert{
			Labels: map[string]string{
				alert.LabelBrand: c.Brand, alert.LabelChannel: string(c.Channel), alert.LabelPriority: string(c.Priority),
				alert.LabelRule: rule, alert.LabelLanguage: c.Language, alert.LabelCaseID: c.ID,
			},
			Annotations: map[string]string{annotationSummary: summary},
			StartsAt:    startsAt,
			UpdatedAt:   now,
		}
		if c.Language == "" {
			delete(a.Labels, alert.LabelLanguage)
		}
		if e.caseLink != nil {
			a.Annotations[annotationLink] = e.caseLink(c.ID)
		}
		return a
	}
	if c.Waiting != "" {
		switch {
		case c.Priority == cases.PriorityUrgent && !e.disabled[RuleUrgent]:
			out = append(out, base(RuleUrgent, c.WaitingSince, fmt.Sprintf("Urgent message waiting for a %s", human(c.Waiting))))
		case c.Influencer && c.Complaint && !e.disabled[RuleInfluencerComplaint]:
			out = append(out, base(RuleInfluencerComplaint, c.WaitingSince, fmt.Sprintf("Influential customer waiting for a %s", human(c.Waiting))))
		}
	}
	p, ok := e.Policy(c)
	if !ok {
		return out, next
	}
	cal := e.calendars(c.Brand)
	for _, t := range p.Targets {
		var start time.Time
		switch {
		case t.Metric == sla.Resolution:
			start = c.ResolutionSince
		case t.Metric == c.Waiting:
			start = c.WaitingSince
		}
		if start.IsZero() {
			continue
		}
		warnAt, breachAt := t.Deadline(cal, start)
		due := fmt.Sprintf("%s due %s", human(t.Metric), breachAt.In(zone(cal)).Format("Mon 02 Jan 15:04 MST"))
		switch {
		case now.After(breachAt):
			if !e.disabled[RuleSLABreach] {
				a := base(RuleSLABreach, breachAt, "SLA breached: "+due)
				a.Labels[LabelSLA] = string(t.Metric)
				out = append(out, a)
			}
			for _, step := range p.Escalations {
				at := breachAt.Add(step.After)
				if now.Before(at) {
					soonest(at)
					break
				}
				if !e.disabled[RuleEscalation] {
					a := base(RuleEscalation, at, fmt.Sprintf("Escalated to %s: %s", step.Name, due))
					a.Labels[LabelSLA] = string(t.Metric)
					a.Labels[LabelEscalation] = step.Name
					out = append(out, a)
				}
			}
		case !warnAt.IsZero() && !now.Before(warnAt):
			if !e.disabled[RuleSLAWarning] {
				a := base(RuleSLAWarning, warnAt, "SLA at risk: "+due)
				a.Labels[LabelSLA] = string(t.Metric)
				out = append(out, a)
			}
			soonest(breachAt.Add(time.Second))
		default:
			soonest(warnAt)
			soonest(breachAt.Add(time.Second))
		}
	}
	return out, next
}

func zone(cal *sla.Calendar) *time.Location {
	if cal == nil {
		return time.UTC
	}
	return cal.Location()
}

func human(m sla.Metric) string {
	switch m {
	case sla.FirstResponse:
		return "first response"
	case sla.NextResponse:
		return "next response"
	case sla.Resolution:
		return "resolution"
	}
	return string(m)
}

// StormWindow counts, per brand, the inbound messages classified as troll
// in a sliding window. It is not safe for concurrent use.
type StormWindow struct {
	cfg    Storm
	times  map[string][]time.Time // per brand, ascending
	firing map[string]time.Time   // per brand, when the storm began
}

// NewStormWindow returns an empty window for cfg.
func NewStormWindow(cfg Storm) *StormWindow {
	return &StormWindow{cfg: cfg, times: map[string][]time.Time{}, firing: map[string]time.Time{}}
}

// Add counts one troll message of brand at t.
func (w *StormWindow) Add(brand string, t time.Time) {
	ts := w.times[brand]
	i, _ := slices.BinarySearchFunc(ts, t, func(a, b time.Time) int { return a.Compare(b) })
	w.times[brand] = slices.Insert(ts, i, t)
}

// Alerts returns the troll storm alerts firing at now: one per brand with
// at least Threshold troll messages in the Window before now. Older
// messages are forgotten.
func (w *StormWindow) Alerts(now time.Time) []alert.Alert {
	var out []alert.Alert
	for _, brand := range slices.Sorted(maps.Keys(w.times)) {
		ts := w.times[brand]
		cut, _ := slices.BinarySearchFunc(ts, now.Add(-w.cfg.Window), func(a, b time.Time) int { return a.Compare(b) })
		ts = ts[cut:]
		w.times[brand] = ts
		if len(ts) == 0 {
			delete(w.times, brand)
		}
		if len(ts) < w.cfg.Threshold {
			delete(w.firing, brand)
			continue
		}
		start, ok := w.firing[brand]
		if !ok {
			start = ts[len(ts)-w.cfg.Threshold]
			w.firing[brand] = start
		}
		out = append(out, alert.Alert{
			Labels:      map[string]string{alert.LabelBrand: brand, alert.LabelRule: RuleTrollStorm, alert.LabelPriority: string(cases.PriorityNormal)},
			Annotations: map[string]string{annotationSummary: fmt.Sprintf("Troll storm: %d abusive messages in %s", len(ts), w.cfg.Window)},
			StartsAt:    start,
			UpdatedAt:   now,
		})
	}
	return out
}

// Enabled reports whether rule may fire.
func (e *Evaluator) Enabled(rule string) bool { return !e.disabled[rule] }
