package engine

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/vigia-dev/vigia/alerts/notify"
	"github.com/vigia-dev/vigia/alerts/rules"
)

type metrics struct {
	events  prometheus.Counter
	fired   *prometheus.CounterVec
	actions *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	m := &metrics{
		events: f.NewCounter(prometheus.CounterOpts{
			Name: "vigia_alerts_case_events_stored_total",
			Help: "Case events stored in ClickHouse by the alerts engine.",
		}),
		fired: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_alerts_fired_total",
			Help: "Alerts that started firing, per rule.",
		}, []string{"rule"}),
		actions: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_alerts_actions_total",
			Help: "Chat button actions applied, per action.",
		}, []string{"action"}),
	}
	for _, r := range rules.Rules() {
		m.fired.WithLabelValues(r)
	}
	for _, a := range notify.Actions() {
		m.actions.WithLabelValues(string(a))
	}
	return m
}
