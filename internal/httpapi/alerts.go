package httpapi

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/dispatch"
)

// AlertLister lists the alert groups the dispatcher holds now, each with
// every alert it tracks (muted ones included).
type AlertLister interface {
	Groups() []dispatch.Group
}

// Alert is an alert as the API shows it.
type Alert struct {
	alert.Alert
	// Fingerprint identifies the alert's label set.
	Fingerprint string `json:"fingerprint"`
	// Status is firing or resolved.
	Status string `json:"status"`
	// SilencedBy are the IDs of the active silences muting the alert.
	SilencedBy []string `json:"silenced_by,omitempty"`
}

// AlertGroup is a group of alerts as the API shows it.
type AlertGroup struct {
	// Key identifies the group: its route and group labels.
	Key string `json:"key"`
	// ID identifies the group's post; empty before its first
	// notification.
	ID string `json:"id,omitempty"`
	// Receiver is where the group is notified.
	Receiver string `json:"receiver"`
	// RouteID is the route the group belongs to.
	RouteID string `json:"route_id"`
	// Labels are the group labels.
	Labels map[string]string `json:"labels"`
	// Alerts are the group's alerts, oldest first.
	Alerts []Alert `json:"alerts"`
}

// AlertGroupList is the answer of GET /api/v1/alerts.
type AlertGroupList struct {
	Groups []AlertGroup `json:"groups"`
}

// Alert statuses.
const (
	statusFiring   = "firing"
	statusResolved = "resolved"
)

func (h *Handler) listAlerts(_ http.ResponseWriter, r *http.Request) (any, *apiError) {
	if h.alerts == nil {
		return nil, fail(http.StatusServiceUnavailable, "alerts are not available in this process")
	}
	var filter alert.Matchers
	if ss := r.URL.Query()["matcher"]; len(ss) > 0 {
		ms, err := alert.ParseMatchers(ss)
		if err != nil {
			var problems []string
			for _, e := range unjoin(err) {
				problems = append(problems, "matcher"+e.Error())
			}
			return nil, fail(http.StatusBadRequest, strings.Join(problems, "; "), problems...)
		}
		filter = ms
	}
	now := h.now()
	out := AlertGroupList{Groups: []AlertGroup{}}
	for _, g := range h.alerts.Groups() {
		ag := AlertGroup{Key: g.Key, ID: g.ID, Receiver: g.Receiver, RouteID: g.RouteID, Labels: g.Labels, Alerts: []Alert{}}
		for _, a := range g.Alerts {
			if !filter.Matches(a.Labels) {
				continue
			}
			ag.Alerts = append(ag.Alerts, h.alertView(a, now))
		}
		if len(ag.Alerts) == 0 && len(filter) > 0 {
			continue
		}
		slices.SortFunc(ag.Alerts, func(a, b Alert) int {
			return cmp.Or(a.StartsAt.Compare(b.StartsAt), strings.Compare(a.Fingerprint, b.Fingerprint))
		})
		out.Groups = append(out.Groups, ag)
	}
	slices.SortFunc(out.Groups, func(a, b AlertGroup) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

func (h *Handler) alertView(a alert.Alert, now time.Time) Alert {
	v := Alert{Alert: a, Fingerprint: a.Fingerprint().String(), Status: statusFiring}
	if a.Resolved(now) {
		v.Status = statusResolved
		return v
	}
	if muted, ids := h.silences.Mutes(a.Labels, now); muted {
		v.SilencedBy = ids
	}
	return v
}
