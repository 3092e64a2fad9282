package notify

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

type metrics struct {
	queued, sent, dropped *prometheus.CounterVec
	failed                *prometheus.CounterVec
	latency               *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer, receivers []string) *metrics {
	f := promauto.With(reg)
	m := &metrics{
		queued: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_notify_notifications_queued_total",
			Help: "Notifications stored in the outbox, per receiver.",
		}, []string{"receiver"}),
		sent: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_notify_notifications_total",
			Help: "Notifications delivered (a post created or updated), per receiver.",
		}, []string{"receiver"}),
		failed: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_notify_notifications_failed_total",
			Help: "Failed delivery attempts, per receiver and reason; most are retried.",
		}, []string{"receiver", "reason"}),
		dropped: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_notify_notifications_dropped_total",
			Help: "Notifications given up: refused as a client error, or undecodable.",
		}, []string{"receiver"}),
		latency: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vigia_notify_delivery_latency_seconds",
			Help:    "Time from a notification entering the outbox to its delivery, retries included.",
			Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800},
		}, []string{"receiver"}),
	}
	for _, r := range receivers {
		m.queued.WithLabelValues(r)
		m.sent.WithLabelValues(r)
		m.dropped.WithLabelValues(r)
		m.latency.WithLabelValues(r)
		for _, reason := range Reasons() {
			m.failed.WithLabelValues(r, string(reason))
		}
	}
	return m
}
