package webhook

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/collectors/internal/collectormetrics"
	"github.com/vigia-dev/vigia/internal/message"
)

// statusCodes are every status the Handler answers, pre-created on the metric.
func statusCodes() []int {
	return []int{
		http.StatusAccepted, http.StatusBadRequest, http.StatusUnauthorized, http.StatusMethodNotAllowed,
		http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity,
		http.StatusServiceUnavailable,
	}
}

type metrics struct {
	shared   *collectormetrics.Collector
	requests *prometheus.CounterVec // {code}
	duration prometheus.Observer
}

func newMetrics(reg prometheus.Registerer, name string) (*metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	shared, err := collectormetrics.New(reg)
	if err != nil {
		return nil, err
	}
	requests, err1 := collectormetrics.Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vigia_webhook_requests_total",
		Help: "Webhook intake requests, by HTTP status answered.",
	}, []string{"collector", "code"}))
	duration, err2 := collectormetrics.Register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "vigia_webhook_request_duration_seconds",
		Help:    "Time to answer a webhook intake request, publish included.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"collector"}))
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	m := &metrics{
		shared:   shared.For(name, message.Channels()...),
		requests: requests.MustCurryWith(prometheus.Labels{"collector": name}),
		duration: duration.WithLabelValues(name),
	}
	for _, c := range statusCodes() {
		m.requests.WithLabelValues(strconv.Itoa(c))
	}
	return m, nil
}
