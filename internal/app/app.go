package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"

	notifytelegram "github.com/vigia-dev/vigia/alerts/notify/telegram"
	vcollectors "github.com/vigia-dev/vigia/collectors"
	"github.com/vigia-dev/vigia/internal/config"
	"github.com/vigia-dev/vigia/internal/process"
	"github.com/vigia-dev/vigia/internal/storage"
	"github.com/vigia-dev/vigia/internal/stream"
)

// Options are the process-level dependencies of an App.
type Options struct {
	// Logger is the root logger.
	Logger *slog.Logger
	// Registry receives every metric; nil makes a fresh one.
	Registry *prometheus.Registry
	// Status, when set, receives a progress report every StatusInterval:
	// written rows per brand, channel and kind.
	Status         io.Writer
	StatusInterval time.Duration
	// ExitWhenDone stops the app once every collector has finished and the
	// processor has written everything in the stream (replay, bounded
	// simulations). Otherwise it runs until the context ends.
	ExitWhenDone bool
	// Classifier labels messages before they are stored; nil stores them
	// unlabeled.
	Classifier process.Classifier
	// Version is reported in vigia_build_info.
	Version string
}

// App is a running Vigía.
type App struct {
	cfg        *config.Config
	opts       Options
	logger     *slog.Logger
	reg        *prometheus.Registry
	stream     *stream.Stream
	conn       driver.Conn
	writer     *storage.Writer
	processor  *process.Processor
	collectors []vcollectors.Collector
	handlers   map[string]http.Handler
	listener   net.Listener
	alerts     *alerting // nil when alerts are off
	telegram   []*notifytelegram.Receiver
	closeOnce  sync.Once
}

// New opens the stream and ClickHouse, applies migrations and builds every
// configured component. Call Run, then Close.
func New(ctx context.Context, cfg *config.Config, opts Options) (_ *App, err error) {
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	if opts.StatusInterval <= 0 {
		opts.StatusInterval = 5 * time.Second
	}
	a := &App{cfg: cfg, opts: opts, logger: opts.Logger, reg: opts.Registry, handlers: map[string]http.Handler{}}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	a.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	buildInfo := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "vigia_build_info", Help: "Always 1; labels carry the version.",
	}, []string{"version"})
	buildInfo.WithLabelValues(opts.Version).Set(1)
	a.reg.MustRegister(buildInfo)

	if a.stream, err = stream.Open(ctx, cfg.NATS, a.logger, a.reg); err != nil {
		return nil, err
	}
	if a.conn, err = OpenStorage(ctx, cfg); err != nil {
		return nil, err
	}
	if err = storage.Migrate(ctx, a.conn, storage.MigrateOptions{Database: cfg.ClickHouse.Database, RetentionDays: cfg.Retention.Days}); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	a.writer, err = storage.NewWriter(a.conn, storage.WriterOptions{
		Database:   cfg.ClickHouse.Database,
		Policy:     storage.BatchPolicy{MaxRows: cfg.ClickHouse.BatchMaxRows, MaxAge: cfg.ClickHouse.BatchMaxAge},
		QueueSize:  cfg.NATS.MaxAckPending,
		Logger:     a.logger.With("component", "storage"),
		Registerer: a.reg,
	})
	if err != nil {
		return nil, fmt.Errorf("storage writer: %w", err)
	}
	a.processor = process.New(a.stream, a.writer, opts.Classifier, cfg.Processor.Workers, a.logger, a.reg)
	if err = a.buildAlerts(ctx); err != nil {
		return nil, err
	}
	if err = a.buildCollectors(); err != nil {
		return nil, err
	}
	if cfg.HTTP.Listen != "" {
		if a.listener, err = net.Listen("tcp", cfg.HTTP.Listen); err != nil {
			return nil, fmt.Errorf("listen on http.listen %s: %w", cfg.HTTP.Listen, err)
		}
	}
	return a, nil
}

// OpenStorage connects to the configured ClickHouse and creates the
// database if missing.
func OpenStorage(ctx context.Context, cfg *config.Config) (driver.Conn, error) {
	pw, err := cfg.ClickHouse.Password().Resolve()
	if err != nil {
		return nil, fmt.Errorf("clickhouse.password: %w", err)
	}
	conn, err := storage.Open(ctx, storage.Options{
		Addr: cfg.ClickHouse.Addr, Database: cfg.ClickHouse.Database,
		Username: cfg.ClickHouse.Username, Password: pw.Reveal(), DialTimeout: cfg.ClickHouse.DialTimeout,
	})
	if err != nil {
		return nil, fmt.Errorf("open clickhouse %v: %w", cfg.ClickHouse.Addr, err)
	}
	return conn, nil
}

// Addr returns the HTTP server's address, or "" when it is disabled.
func (a *App) Addr() string {
	if a.listener == nil {
		return ""
	}
	return a.listener.Addr().String()
}

// Stream returns the app's stream, for commands that publish directly.
func (a *App) Stream() *stream.Stream { return a.stream }

// Conn returns the app's ClickHouse connection.
func (a *App) Conn() driver.Conn { return a.conn }

// Run runs every component until ctx ends (or, with ExitWhenDone, until all
// input is written), then shuts down in order and returns nil on a clean stop.
func (a *App) Run(ctx context.Context) error {
	intakeCtx, stopIntake := context.WithCancel(ctx)
	defer stopIntake()
	procCtx, stopProc := context.WithCancel(context.WithoutCancel(ctx))
	defer stopProc()

	procDone := make(chan error, 1)
	go func() { procDone <- a.processor.Run(procCtx) }()
	// The alerts stage outlives the processor, which hands it messages
	// until its last ack.
	alertsCtx, stopAlerts := context.WithCancel(context.WithoutCancel(ctx))
	defer stopAlerts()
	var alertsG errgroup.Group
	if a.alerts != nil {
		for _, run := range a.alerts.run(alertsCtx) {
			alertsG.Go(func() error { return run(alertsCtx) })
		}
	}

	g, gctx := errgroup.WithContext(intakeCtx)
	if a.listener != nil {
		srv := a.httpServer()
		g.Go(func() error { return serveHTTP(gctx, srv, a.listener) })
	}
	if days := a.cfg.Retention.Days; days > 0 {
		g.Go(func() error { return a.runJanitor(gctx, days) })
	}
	if a.opts.Status != nil {
		g.Go(func() error { return a.reportStatus(gctx) })
	}
	var collectorsWG sync.WaitGroup
	for _, c := range a.collectors {
		collectorsWG.Add(1)
		g.Go(func() error {
			defer collectorsWG.Done()
			a.logger.Info("collector started", "collector", c.Name())
			if err := c.Run(gctx, a.stream); err != nil {
				return fmt.Errorf("collector %s: %w", c.Name(), err)
			}
			a.logger.Info("collector finished", "collector", c.Name())
			return nil
		})
	}
	if a.opts.ExitWhenDone {
		g.Go(func() error {
			collectorsWG.Wait()
			if err := a.waitDrained(gctx); err != nil {
				return err
			}
			stopIntake()
			return nil
		})
	}
	// A processor that fails stops everything.
	g.Go(func() error {
		select {
		case err := <-procDone:
			procDone <- err
			if err != nil {
				return err
			}
			return errors.New("processor stopped unexpectedly")
		case <-gctx.Done():
			return nil
		}
	})
	runErr := g.Wait()
	// Intake has stopped; now the processor flushes its last batch and acks.
	stopProc()
	procErr := <-procDone
	stopAlerts()
	alertsErr := alertsG.Wait()
	if a.opts.Status != nil {
		a.printStatus(context.WithoutCancel(ctx))
	}
	return errors.Join(runErr, procErr, alertsErr)
}

// waitDrained returns once the processor's consumer has nothing pending or
// unacked, i.e. everything published is committed to ClickHouse.
func (a *App) waitDrained(ctx context.Context) error {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		_, pending, unacked, err := a.stream.Info(ctx, process.Durable)
		if err != nil {
			a.logger.Debug("stream info", "err", err)
			continue
		}
		if pending == 0 && unacked == 0 {
			return nil
		}
	}
}

func (a *App) runJanitor(ctx context.Context, days int) error {
	feat, _, err := storage.DetectFeatures(ctx, a.conn)
	if err != nil {
		return fmt.Errorf("detect clickhouse features: %w", err)
	}
	if !feat.NeedsJanitor(days) {
		return nil
	}
	j := &storage.Janitor{Conn: a.conn, Database: a.cfg.ClickHouse.Database, Days: days, Logger: a.logger.With("component", "janitor")}
	return j.Run(ctx)
}

// Close closes the stream (and its embedded server) and ClickHouse. It is
// safe to call more than once.
func (a *App) Close() {
	a.closeOnce.Do(func() {
		if a.listener != nil {
			_ = a.listener.Close()
		}
		if a.stream != nil {
			a.stream.Close()
		}
		if a.conn != nil {
			_ = a.conn.Close()
		}
	})
}
