package telegram

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/alerts/notify"
	"github.com/vigia-dev/vigia/internal/tgapi"
)

// apiMethods are the Bot API methods the receiver calls, pre-created on
// the metrics.
func apiMethods() []string {
	return []string{"sendMessage", "editMessageText", "answerCallbackQuery", "getUpdates"}
}

// resultOK is the result label of a successful call.
const resultOK = "ok"

type metrics struct {
	requests   *prometheus.CounterVec // {method, result}
	duration   prometheus.ObserverVec // {method}
	callbacks  *prometheus.CounterVec // {result}
	pollErrors prometheus.Counter
}

// newMetrics registers the receiver's metrics on reg, sharing them with
// other Telegram receivers on the same registry; nil registers nothing.
func newMetrics(reg prometheus.Registerer, name string) (*metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	requests, err1 := register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vigia_notify_telegram_requests_total",
		Help: "Bot API calls of a Telegram receiver, by method and result (ok or a notify failure reason).",
	}, []string{"receiver", "method", "result"}))
	duration, err2 := register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "vigia_notify_telegram_request_duration_seconds",
		Help:    "Time of one Bot API call of a Telegram receiver, long polls included.",
		Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"receiver", "method"}))
	callbacks, err3 := register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vigia_notify_telegram_callbacks_total",
		Help: "Button presses a Telegram receiver received, by result.",
	}, []string{"receiver", "result"}))
	pollErrors, err4 := register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vigia_notify_telegram_poll_errors_total",
		Help: "Failed getUpdates polls (or unsent callback answers) of a Telegram receiver; each is retried.",
	}, []string{"receiver"}))
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return nil, err
	}
	m := &metrics{
		requests:   requests.MustCurryWith(prometheus.Labels{"receiver": name}),
		duration:   duration.MustCurryWith(prometheus.Labels{"receiver": name}),
		callbacks:  callbacks.MustCurryWith(prometheus.Labels{"receiver": name}),
		pollErrors: pollErrors.WithLabelValues(name),
	}
	for _, method := range apiMethods() {
		m.duration.WithLabelValues(method)
		m.requests.WithLabelValues(method, resultOK)
		for _, reason := range notify.Reasons() {
			m.requests.WithLabelValues(method, string(reason))
		}
	}
	for _, result := range callbackResults() {
		m.callbacks.WithLabelValues(result)
	}
	return m, nil
}

// observe is the client's Observe hook. A cancelled call (shutdown) is
// not counted; Telegram's "message is not modified" counts as ok.
func (m *metrics) observe(method string, d time.Duration, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	m.duration.WithLabelValues(method).Observe(d.Seconds())
	result := resultOK
	if err != nil && !tgapi.IsNotModified(err) {
		reason, _ := notify.ReasonOf(classify(err))
		result = string(reason)
	}
	m.requests.WithLabelValues(method, result).Inc()
}

// register registers c on reg, or returns the equal collector already
// registered there, so that two receivers share series instead of
// panicking the way promauto does.
func register[T prometheus.Collector](reg prometheus.Registerer, c T) (T, error) {
	err := reg.Register(c)
	if err == nil {
		return c, nil
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(T); ok {
			return existing, nil
		}
	}
	return c, fmt.Errorf("register metric: %w", err)
}
