package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/internal/app"
	"github.com/vigia-dev/vigia/internal/config"
)

func cmdRun(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "run", "vigia run [--config vigia.yaml] [--status 5s]",
		"Run every configured collector, the processor (stream → classify → ClickHouse) and the HTTP server\n"+
			"(/metrics, /healthz, /readyz, webhook intake) until SIGINT or SIGTERM. Without --config it runs the\n"+
			"embedded demo: one brand fed by the traffic simulator.")
	cfgPath := fs.String("config", "", "configuration file (default: the embedded demo configuration)")
	status := fs.Duration("status", 0, "print written rows per brand, channel and kind at this interval (0: off; the demo defaults to 5s)")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if *cfgPath == "" && *status == 0 {
		*status = 5 * time.Second
	}
	return runApp(ctx, e, cfg, *status, false)
}

// runApp builds and runs the app, with the classifier, until ctx ends (or
// until all input is written when exitWhenDone).
func runApp(ctx context.Context, e *env, cfg *config.Config, status time.Duration, exitWhenDone bool) error {
	if cfg.MemoryLimitMiB > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(cfg.MemoryLimitMiB) << 20)
	}
	reg := prometheus.NewRegistry()
	opts := app.Options{Logger: e.logger, Registry: reg, ExitWhenDone: exitWhenDone, Version: version()}
	if cfg.Processor.ClassifyOn() {
		clf, err := newClassifier(cfg, e, reg)
		if err != nil {
			return err
		}
		opts.Classifier = clf
	}
	if status > 0 {
		opts.Status, opts.StatusInterval = e.stdout, status
	}
	a, err := app.New(ctx, cfg, opts)
	if err != nil {
		return err
	}
	defer a.Close()
	if addr := a.Addr(); addr != "" {
		e.logger.Info("http server listening", "addr", "http://"+addr)
	}
	if err := a.Run(ctx); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	e.logger.Info("stopped cleanly")
	return nil
}
