package storage

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

type metrics struct {
	rows     prometheus.Counter
	batches  prometheus.Counter
	errors   prometheus.Counter
	duration prometheus.Histogram
	pending  prometheus.Gauge
	dropped  prometheus.Counter
}

// newMetrics registers the writer's metrics with reg; a nil reg leaves them
// unregistered.
func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		rows: f.NewCounter(prometheus.CounterOpts{
			Name: "vigia_storage_insert_rows_total",
			Help: "Message rows written to ClickHouse.",
		}),
		batches: f.NewCounter(prometheus.CounterOpts{
			Name: "vigia_storage_insert_batches_total",
			Help: "Message batches written to ClickHouse.",
		}),
		errors: f.NewCounter(prometheus.CounterOpts{
			Name: "vigia_storage_insert_errors_total",
			Help: "Failed attempts to write a message batch; each is retried.",
		}),
		duration: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "vigia_storage_insert_duration_seconds",
			Help:    "Time to write one message batch, per attempt.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}),
		pending: f.NewGauge(prometheus.GaugeOpts{
			Name: "vigia_storage_pending_rows",
			Help: "Message rows the writer holds that ClickHouse has not taken yet.",
		}),
		dropped: f.NewCounter(prometheus.CounterOpts{
			Name: "vigia_storage_unwritten_rows_total",
			Help: "Message rows handed back unwritten at shutdown, to be redelivered by the stream.",
		}),
	}
}
