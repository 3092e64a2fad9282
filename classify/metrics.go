package classify

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/vigia-dev/vigia/internal/message"
)

type metrics struct {
	duration prometheus.Histogram
	labels   *prometheus.CounterVec
	decided  [numLabels]prometheus.Counter // labels' children, by label index
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
	for i, l := range labelNames {
		m.decided[i] = m.labels.WithLabelValues(l)
	}
	return m
}

// observe records one classification; labels are in Labels() order.
func (m *metrics) observe(d time.Duration, labels []message.Label) {
	m.duration.Observe(d.Seconds())
	for i, l := range labels {
		if l.Decision && i < numLabels {
			m.decided[i].Inc()
		}
	}
}
