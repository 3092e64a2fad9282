package mattermost

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/vigia-dev/vigia/alerts/notify"
)

// The operations a receiver performs, as the op label.
const (
	opPost   = "post"
	opUpdate = "update"
)

// resultOK is the result label of a request that succeeded; failures carry
// their notify.Reason.
const resultOK = "ok"

type metrics struct {
	requests *prometheus.CounterVec   // {receiver, op, result}
	duration *prometheus.HistogramVec // {receiver, op}
}

func newMetrics(reg prometheus.Registerer, name string) *metrics {
	f := promauto.With(reg)
	m := &metrics{
		requests: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_notify_mattermost_requests_total",
			Help: "Mattermost API calls of a receiver, by operation (post, update) and result (ok or the failure reason).",
		}, []string{"receiver", "op", "result"}),
		duration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vigia_notify_mattermost_request_duration_seconds",
			Help:    "Time of one Mattermost API call of a receiver, failures included.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"receiver", "op"}),
	}
	for _, op := range []string{opPost, opUpdate} {
		m.requests.WithLabelValues(name, op, resultOK)
		for _, r := range notify.Reasons() {
			m.requests.WithLabelValues(name, op, string(r))
		}
		m.duration.WithLabelValues(name, op)
	}
	return m
}

// The results of a button press, as the result label.
const (
	actionOK           = "ok"
	actionBadRequest   = "bad_request"
	actionBadSignature = "bad_signature"
	actionFailed       = "handler_error"
)

type actionMetrics struct {
	presses *prometheus.CounterVec // {action, result}
}

func newActionMetrics(reg prometheus.Registerer) *actionMetrics {
	m := &actionMetrics{
		presses: promauto.With(reg).NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_notify_mattermost_actions_total",
			Help: "Button presses Mattermost relayed to Vigía, by action and result (ok, bad_request, bad_signature, handler_error).",
		}, []string{"action", "result"}),
	}
	for _, k := range notify.Actions() {
		for _, r := range []string{actionOK, actionFailed} {
			m.presses.WithLabelValues(string(k), r)
		}
	}
	// A refused press has no trustworthy action.
	m.presses.WithLabelValues("unknown", actionBadRequest)
	m.presses.WithLabelValues("unknown", actionBadSignature)
	return m
}
