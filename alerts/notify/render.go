package notify

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/dispatch"
)

// Severity orders how loud a post should look; receivers map it to a color.
type Severity string

// The severities, from the loudest.
const (
	SeverityCritical Severity = "critical" // urgent, SLA breach, escalation
	SeverityWarning  Severity = "warning"  // SLA warning, influencer complaint, troll storm
	SeverityInfo     Severity = "info"     // everything else
	SeverityResolved Severity = "resolved" // nothing firing any more
)

// Color is the severity's attachment color (hex, as Mattermost expects).
func (s Severity) Color() string {
	switch s {
	case SeverityCritical:
		return "#D0021B"
	case SeverityWarning:
		return "#F5A623"
	case SeverityResolved:
		return "#2EB67D"
	}
	return "#4A90E2"
}

// Content is a group rendered for people, independent of the chat: the
// receivers turn it into attachments, HTML or JSON.
type Content struct {
	// Title summarises the group: "[FIRING:3] urgent · acme".
	Title string
	// Severity is the loudest severity among the firing alerts.
	Severity Severity
	// Fields are the group labels, sorted by name.
	Fields []Field
	// Items are the group's alerts, firing first, in the group's order.
	Items []Item
}

// Field is a name and a value shown side by side.
type Field struct {
	Name, Value string
}

// Item is one alert of a group.
type Item struct {
	// Summary is the alert's summary annotation, or its rule name.
	Summary string
	// Text is the customer's message or the detail annotation, if any.
	Text string
	// CaseID is the alert's case, empty for alerts that are not about one
	// case (a troll storm); actions are offered only for cases.
	CaseID string
	// Link points to the case or message, if known.
	Link string
	// Fields are the alert's own labels that are not group labels.
	Fields []Field
	// Resolved reports whether the alert has ended.
	Resolved bool
	// StartsAt is when the alert began.
	StartsAt time.Time
}

// Annotation names the rules fill in for rendering.
const (
	AnnotationSummary = "summary"
	AnnotationText    = "text"
	AnnotationLink    = "link"
)

// SeverityOf returns the severity of one alert from its rule and priority.
func SeverityOf(a alert.Alert) Severity {
	switch a.Labels[alert.LabelRule] {
	case "urgent", "sla_breach", "escalation":
		return SeverityCritical
	case "sla_warning", "influencer_complaint", "troll_storm":
		return SeverityWarning
	}
	if a.Labels[alert.LabelPriority] == "urgent" {
		return SeverityCritical
	}
	return SeverityInfo
}

// Render turns g into Content at now. At most maxItems alerts are listed
// (0 means all); the title still counts them all.
func Render(g dispatch.Group, now time.Time, maxItems int) Content {
	c := Content{Severity: SeverityResolved}
	rank := map[Severity]int{SeverityResolved: 0, SeverityInfo: 1, SeverityWarning: 2, SeverityCritical: 3}
	firing := 0
	for _, a := range g.Alerts {
		if a.Resolved(now) {
			continue
		}
		firing++
		if s := SeverityOf(a); rank[s] > rank[c.Severity] {
			c.Severity = s
		}
	}
	names := make([]string, 0, len(g.Labels))
	for n := range g.Labels {
		names = append(names, n)
	}
	slices.Sort(names)
	var parts []string
	for _, n := range names {
		c.Fields = append(c.Fields, Field{Name: n, Value: g.Labels[n]})
		parts = append(parts, g.Labels[n])
	}
	state := fmt.Sprintf("FIRING:%d", firing)
	if firing == 0 {
		state = "RESOLVED"
	}
	c.Title = "[" + state + "]"
	if len(parts) > 0 {
		c.Title += " " + strings.Join(parts, " · ")
	}
	for i, a := range g.Alerts {
		if maxItems > 0 && i >= maxItems {
			break
		}
		it := Item{
			Summary:  a.Annotations[AnnotationSummary],
			Text:     a.Annotations[AnnotationText],
			Link:     a.Annotations[AnnotationLink],
			CaseID:   a.Labels[alert.LabelCaseID],
			Resolved: a.Resolved(now),
			StartsAt: a.StartsAt,
		}
		if it.Summary == "" {
			it.Summary = a.Labels[alert.LabelRule]
		}
		for _, n := range slices.Sorted(maps.Keys(a.Labels)) {
			if _, ok := g.Labels[n]; ok || n == alert.LabelCaseID {
				continue
			}
			it.Fields = append(it.Fields, Field{Name: n, Value: a.Labels[n]})
		}
		c.Items = append(c.Items, it)
	}
	return c
}
