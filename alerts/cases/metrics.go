package cases

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/vigia-dev/vigia/alerts/sla"
	"github.com/vigia-dev/vigia/internal/message"
)

// Reasons a message caused no event (vigia_case_messages_ignored_total).
const (
	ignoredInvalid   = "invalid"   // missing id, brand, author, time or direction
	ignoredDuplicate = "duplicate" // already in a case: a redelivery
	ignoredUnmatched = "unmatched" // outbound, matching no case
)

// The clock label of the response-time histograms.
const (
	clockCalendar = string(sla.ClockCalendar)
	clockBusiness = string(sla.ClockBusiness)
)

// responseBuckets span response times from seconds to a week.
var responseBuckets = []float64{
	15, 30, 60, 120, 300, 600, 900, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600,
	12 * 3600, 24 * 3600, 48 * 3600, 72 * 3600, 7 * 24 * 3600,
}

type metrics struct {
	firstResponse *prometheus.HistogramVec
	nextResponse  *prometheus.HistogramVec
	resolution    *prometheus.HistogramVec
	events        *prometheus.CounterVec
	ignored       *prometheus.CounterVec
	open          *prometheus.GaugeVec
}

// newMetrics registers the tracker's metrics with reg; a nil reg leaves
// them unregistered.
func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	labels := []string{"brand", "channel", "priority", "clock"}
	m := &metrics{
		firstResponse: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vigia_case_first_response_seconds",
			Help:    "First response time of cases: the customer's first message to the first human reply.",
			Buckets: responseBuckets,
		}, labels),
		nextResponse: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vigia_case_next_response_seconds",
			Help:    "Next response time of cases: a customer follow-up after a human reply to the next human reply.",
			Buckets: responseBuckets,
		}, labels),
		resolution: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vigia_case_resolution_seconds",
			Help:    "Resolution time of cases resolved by an agent: opening (or reopening) to resolution.",
			Buckets: responseBuckets,
		}, labels),
		events: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_case_events_total",
			Help: "Case events emitted, by brand and event kind.",
		}, []string{"brand", "event"}),
		ignored: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_case_messages_ignored_total",
			Help: "Messages that caused no case event, by reason (invalid, duplicate, unmatched).",
		}, []string{"reason"}),
		open: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vigia_case_open_cases",
			Help: "Cases open now, by brand.",
		}, []string{"brand"}),
	}
	for _, r := range []string{ignoredInvalid, ignoredDuplicate, ignoredUnmatched} {
		m.ignored.WithLabelValues(r)
	}
	return m
}

// initialize pre-creates every series of a brand on the given channels.
func (m *metrics) initialize(brand string, channels []message.Channel) {
	for _, k := range EventKinds() {
		m.events.WithLabelValues(brand, string(k))
	}
	m.open.WithLabelValues(brand)
	for _, ch := range channels {
		for _, p := range Priorities() {
			for _, clock := range []string{clockCalendar, clockBusiness} {
				for _, h := range []*prometheus.HistogramVec{m.firstResponse, m.nextResponse, m.resolution} {
					h.WithLabelValues(brand, string(ch), string(p), clock)
				}
			}
		}
	}
}

// observe records an emitted event.
func (m *metrics) observe(e *Event) {
	m.events.WithLabelValues(e.Brand, string(e.Event)).Inc()
	var h *prometheus.HistogramVec
	switch {
	case e.Event == EventResponded:
		h = m.firstResponse
	case e.Event == EventReplied:
		h = m.nextResponse
	case e.Event == EventResolved && e.Reason != ReasonIdle:
		h = m.resolution
	default:
		return
	}
	h.WithLabelValues(e.Brand, string(e.Channel), string(e.Priority), clockCalendar).Observe(float64(e.CalendarSeconds))
	h.WithLabelValues(e.Brand, string(e.Channel), string(e.Priority), clockBusiness).Observe(float64(e.BusinessSeconds))
}
