package replay

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/collectors/internal/collectormetrics"
	"github.com/vigia-dev/vigia/internal/message"
)

// Skip reasons, the only values of the reason label.
const (
	reasonParse   = "parse"    // malformed CSV or JSON
	reasonInvalid = "invalid"  // a field is wrong or message.Validate failed
	reasonUTF8    = "utf8"     // invalid UTF-8 under invalid_utf8: reject
	reasonTooLong = "too_long" // line longer than max_line_bytes
)

type metrics struct {
	shared  *collectormetrics.Collector
	read    prometheus.Counter
	skipped *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer, name string) (*metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	shared, err := collectormetrics.New(reg)
	if err != nil {
		return nil, err
	}
	read, err1 := collectormetrics.Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vigia_replay_rows_read_total",
		Help: "Rows (lines or CSV records) a replay collector read.",
	}, []string{"collector"}))
	skipped, err2 := collectormetrics.Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vigia_replay_rows_skipped_total",
		Help: "Rows a replay collector skipped, by reason.",
	}, []string{"collector", "reason"}))
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	m := &metrics{
		shared:  shared.For(name, message.Channels()...),
		read:    read.WithLabelValues(name),
		skipped: skipped.MustCurryWith(prometheus.Labels{"collector": name}),
	}
	for _, r := range []string{reasonParse, reasonInvalid, reasonUTF8, reasonTooLong} {
		m.skipped.WithLabelValues(r)
	}
	return m, nil
}
