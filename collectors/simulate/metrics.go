package simulate

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/collectors/internal/collectormetrics"
)

type metrics struct {
	shared    *collectormetrics.Collector
	generated *prometheus.CounterVec // {scenario}
}

func newMetrics(reg prometheus.Registerer, cfg Config) (*metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	shared, err := collectormetrics.New(reg)
	if err != nil {
		return nil, err
	}
	generated, err := collectormetrics.Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vigia_simulate_messages_generated_total",
		Help: "Messages the simulator generated, by scenario.",
	}, []string{"collector", "scenario"}))
	if err != nil {
		return nil, err
	}
	m := &metrics{
		shared:    shared.For(cfg.Name, cfg.Channel),
		generated: generated.MustCurryWith(prometheus.Labels{"collector": cfg.Name}),
	}
	for _, s := range Scenarios() {
		m.generated.WithLabelValues(s)
	}
	return m, nil
}
