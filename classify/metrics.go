package classify

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

type metrics struct {
	duration prometheus.Histogram
	labels   *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		duration: promauto.With(reg).NewHistogram(prometheus.HistogramOpts{
			Name:    "vigia_classify_duration_seconds",
			Help:    "Time to classify one message.",
			Buckets: prometheus.ExponentialBuckets(1e-6, 4, 10),
		}),
		labels: promauto.With(reg).NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_classify_labels_total",
			Help: "Messages for which a label was decided, by label.",
		}, []string{"label"}),
	}
	for _, l := range Labels() {
		m.labels.WithLabelValues(l)
	}
	return m
}
