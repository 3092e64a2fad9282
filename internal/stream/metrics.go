package stream

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

type metrics struct {
	published     prometheus.Counter
	duplicates    prometheus.Counter
	publishErrors prometheus.Counter
	poison        prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		published: f.NewCounter(prometheus.CounterOpts{
			Name: "vigia_stream_published_messages_total",
			Help: "Messages stored in the stream (acknowledged by JetStream, duplicates excluded).",
		}),
		duplicates: f.NewCounter(prometheus.CounterOpts{
			Name: "vigia_stream_duplicate_messages_total",
			Help: "Messages JetStream dropped as duplicates of one already in its duplicate window.",
		}),
		publishErrors: f.NewCounter(prometheus.CounterOpts{
			Name: "vigia_stream_publish_errors_total",
			Help: "Publish calls that failed; the caller retries or reports the error.",
		}),
		poison: f.NewCounter(prometheus.CounterOpts{
			Name: "vigia_stream_undecodable_messages_total",
			Help: "Stream messages that could not be decoded and were terminated.",
		}),
	}
}
