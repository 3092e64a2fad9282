package simulate

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/collectors"
	"github.com/vigia-dev/vigia/internal/message"
)

// Option changes how a Collector is built.
type Option func(*Collector)

// WithClock replaces the wall clock and the pacing sleep, so tests never
// sleep. sleep must return ctx.Err() when ctx ends first.
func WithClock(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Collector) { c.now, c.sleep = now, sleep }
}

// Collector paces a Generator and publishes its messages in batches. It
// implements collectors.Collector.
type Collector struct {
	cfg     Config
	logger  *slog.Logger
	metrics *metrics
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error
}

var _ collectors.Collector = (*Collector)(nil)

// New validates cfg and builds a Collector.
func New(cfg Config, logger *slog.Logger, reg prometheus.Registerer, opts ...Option) (*Collector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("simulate config: %w", err)
	}
	m, err := newMetrics(reg, cfg)
	if err != nil {
		return nil, fmt.Errorf("simulate %s metrics: %w", cfg.Name, err)
	}
	c := &Collector{
		cfg:     cfg,
		logger:  logger.With("component", "collector"),
		metrics: m,
		now:     time.Now,
		sleep:   sleepCtx,
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Name returns the configured name.
func (c *Collector) Name() string { return c.cfg.Name }

// Run generates and publishes until ctx is cancelled or Count messages were
// published, and returns nil then. A failed Publish stops it with an error.
func (c *Collector) Run(ctx context.Context, pub collectors.Publisher) error {
	seed := c.cfg.Seed
	if seed == 0 {
		seed = uint64(c.now().UnixNano())
	}
	start := c.cfg.Start
	cfg := c.cfg
	if c.cfg.Mode == ModeRate {
		start = c.now()
		cfg.Rate = c.cfg.Rate / c.cfg.TimeScale
	}
	g, err := NewGenerator(cfg, seed, start)
	if err != nil {
		return err
	}
	c.logger.Info("simulation started", "mode", string(c.cfg.Mode), "seed", seed, "rate", c.cfg.Rate)
	p := &publisher{c: c, pub: pub, batch: make([]message.Message, 0, c.cfg.BatchSize)}
	for n := 0; c.cfg.Count == 0 || n < c.cfg.Count; n++ {
		if ctx.Err() != nil {
			return nil
		}
		m := g.Next()
		if c.cfg.Mode == ModeRate {
			m.CreatedAt = start.Add(time.Duration(float64(m.CreatedAt.Sub(start)) / c.cfg.TimeScale)).UTC()
			if wait := m.CreatedAt.Sub(c.now()); wait > 0 {
				if err := p.flush(ctx); err != nil {
					return err
				}
				if c.sleep(ctx, wait) != nil {
					return nil
				}
			}
			m.ReceivedAt = c.now().UTC()
		} else {
			m.ReceivedAt = m.CreatedAt
		}
		c.metrics.generated.WithLabelValues(scenarioOf(m)).Inc()
		p.batch = append(p.batch, m)
		if len(p.batch) >= c.cfg.BatchSize {
			if err := p.flush(ctx); err != nil {
				return err
			}
		}
	}
	if err := p.flush(ctx); err != nil {
		return err
	}
	c.logger.Info("simulation finished", "published", p.published)
	return nil
}

type publisher struct {
	c         *Collector
	pub       collectors.Publisher
	batch     []message.Message
	published int
}

func (p *publisher) flush(ctx context.Context) error {
	if len(p.batch) == 0 {
		return nil
	}
	if err := p.pub.Publish(ctx, p.batch...); err != nil {
		if ctx.Err() != nil {
			return nil //nolint:nilerr // cancelled mid-publish: a clean stop
		}
		p.c.metrics.shared.Failed()
		return fmt.Errorf("publish batch of %d simulated messages: %w", len(p.batch), err)
	}
	p.c.metrics.shared.Published(p.batch, p.c.now())
	p.published += len(p.batch)
	p.batch = p.batch[:0]
	return nil
}

func scenarioOf(m message.Message) string {
	var s SimInfo
	if json.Unmarshal(m.Raw, &s) != nil {
		return ScenarioComplaint
	}
	return s.Scenario
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
