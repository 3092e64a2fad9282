package telegram

import (
	"log/slog"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/collectors/collectortest"
)

func TestREADME(t *testing.T) {
	collectortest.CheckREADME(t, ".", func(reg prometheus.Registerer) error {
		_, err := New(testConfig(t), slog.New(slog.DiscardHandler), reg)
		return err
	})
}
