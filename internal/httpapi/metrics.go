package httpapi

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

type metrics struct {
	requests *prometheus.CounterVec // {route, code}
}

// newMetrics registers the API's metrics with reg; a nil reg leaves them
// unregistered. The route label is one of the fixed patterns of rts, or
// routeUnmatched, so it stays bounded whatever the clients send.
func newMetrics(reg prometheus.Registerer, rts []route) *metrics {
	f := promauto.With(reg)
	m := &metrics{
		requests: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_api_requests_total",
			Help: "API requests under /api/v1/, by route pattern and HTTP status answered.",
		}, []string{"route", "code"}),
	}
	for _, rt := range rts {
		m.requests.WithLabelValues(rt.pattern, strconv.Itoa(rt.success))
		m.requests.WithLabelValues(rt.pattern, strconv.Itoa(http.StatusUnauthorized))
	}
	m.requests.WithLabelValues(routeUnmatched, strconv.Itoa(http.StatusNotFound))
	return m
}
