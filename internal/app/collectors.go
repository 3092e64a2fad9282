package app

import (
	"errors"
	"fmt"

	vcollectors "github.com/vigia-dev/vigia/collectors"
	"github.com/vigia-dev/vigia/collectors/replay"
	"github.com/vigia-dev/vigia/collectors/simulate"
	"github.com/vigia-dev/vigia/collectors/webhook"
)

// buildCollectors is the table of collectors: one loop per configured kind.
// A test checks that every directory under collectors/ appears here.
func (a *App) buildCollectors() error {
	var errs []error
	add := func(kind string, i int, c vcollectors.Collector, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("collectors.%s[%d]: %w", kind, i, err))
			return
		}
		a.collectors = append(a.collectors, c)
	}
	logger := a.logger.With("component", "collector")
	for i, cfg := range a.cfg.Collectors.Replay {
		c, err := replay.New(cfg, logger.With("collector", cfg.Name), a.reg)
		add("replay", i, c, err)
	}
	for i, cfg := range a.cfg.Collectors.Simulate {
		c, err := simulate.New(cfg, logger.With("collector", cfg.Name), a.reg)
		add("simulate", i, c, err)
	}
	for i, cfg := range a.cfg.Collectors.Webhook {
		h, err := webhook.New(cfg, a.stream, logger.With("collector", cfg.Name), a.reg)
		if err == nil {
			if _, dup := a.handlers[h.Path()]; dup {
				err = fmt.Errorf("path %s: already used by another webhook", h.Path())
			} else {
				a.handlers[h.Path()] = h
			}
		}
		add("webhook", i, h, err)
	}
	return errors.Join(errs...)
}
