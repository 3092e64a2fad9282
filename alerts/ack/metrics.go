package ack

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/vigia-dev/vigia/internal/message"
)

type metrics struct {
	sent       *prometheus.CounterVec
	skipped    *prometheus.CounterVec
	failed     *prometheus.CounterVec
	unrecorded *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		sent: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_ack_sent_total",
			Help: "Automatic acknowledgements delivered to customers, per brand and channel.",
		}, []string{"brand", "channel"}),
		skipped: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_ack_skipped_total",
			Help: "Case openings and reopenings not acknowledged, per brand and reason.",
		}, []string{"brand", "reason"}),
		failed: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_ack_failed_total",
			Help: "Automatic acknowledgements given up after their attempts, per brand and channel.",
		}, []string{"brand", "channel"}),
		unrecorded: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_ack_unrecorded_total",
			Help: "Automatic acknowledgements sent but not recorded on the stream, per brand.",
		}, []string{"brand"}),
	}
}

// initialize pre-creates the series of a brand's channel.
func (m *metrics) initialize(brand string, ch message.Channel) {
	m.sent.WithLabelValues(brand, string(ch))
	m.failed.WithLabelValues(brand, string(ch))
	m.unrecorded.WithLabelValues(brand)
	for _, r := range SkipReasons() {
		m.skipped.WithLabelValues(brand, r)
	}
}
