// Package collectormetrics holds the metrics every collector exports with the
// same names and labels. They are registered once per registry and shared by
// every collector registered on it, whatever its package.
package collectormetrics

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/internal/message"
)

// Shared is the set of collector metrics on one registry.
type Shared struct {
	published   *prometheus.CounterVec
	failures    *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
}

// New registers the shared collector metrics on reg, or returns the ones
// already registered there by another collector. A nil reg registers nothing.
func New(reg prometheus.Registerer) (*Shared, error) {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	var errs []error
	s := &Shared{
		published: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_collector_messages_published_total",
			Help: "Messages a collector published to the stream and saw acknowledged.",
		}, []string{"collector", "channel"}), &errs),
		failures: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_collector_publish_failures_total",
			Help: "Publish calls of a collector that the stream did not acknowledge.",
		}, []string{"collector"}), &errs),
		lastSuccess: register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vigia_collector_last_success_timestamp_seconds",
			Help: "Unix time of a collector's last acknowledged publish.",
		}, []string{"collector"}), &errs),
	}
	return s, errors.Join(errs...)
}

func register[T prometheus.Collector](reg prometheus.Registerer, c T, errs *[]error) T {
	c, err := Register(reg, c)
	if err != nil {
		*errs = append(*errs, err)
	}
	return c
}

// Register registers c on reg and returns it, or returns the equal collector
// already registered there, so two collectors of the same name share series
// instead of panicking the way promauto does.
func Register[T prometheus.Collector](reg prometheus.Registerer, c T) (T, error) {
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

// For returns the handles of the collector named name, pre-creating its
// series for channels.
func (s *Shared) For(name string, channels ...message.Channel) *Collector {
	c := &Collector{s: s, name: name}
	for _, ch := range channels {
		s.published.WithLabelValues(name, string(ch))
	}
	s.failures.WithLabelValues(name)
	s.lastSuccess.WithLabelValues(name)
	return c
}

// Collector is the shared metrics of one collector.
type Collector struct {
	s    *Shared
	name string
}

// Published counts msgs as acknowledged at now.
func (c *Collector) Published(msgs []message.Message, now time.Time) {
	var last message.Channel
	var n int
	flush := func() {
		if n > 0 {
			c.s.published.WithLabelValues(c.name, string(last)).Add(float64(n))
		}
	}
	for _, m := range msgs {
		if m.Channel != last {
			flush()
			last, n = m.Channel, 0
		}
		n++
	}
	flush()
	c.s.lastSuccess.WithLabelValues(c.name).Set(float64(now.UnixNano()) / 1e9)
}

// Failed counts one failed Publish call.
func (c *Collector) Failed() { c.s.failures.WithLabelValues(c.name).Inc() }
