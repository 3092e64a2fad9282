package main

import (
	"context"
	"fmt"
	"time"

	"github.com/vigia-dev/vigia/collectors/simulate"
	"github.com/vigia-dev/vigia/internal/config"
)

func cmdSimulate(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "simulate", "vigia simulate [--config vigia.yaml] [--seed N] [--rate R] [--count N] [--time-scale X]",
		"Generate realistic traffic for the configured brands (Spanish and English customers, the brands' replies,\n"+
			"complaints, spam bursts, trolls, influencers, daily and weekly cycles, outage bursts) and feed it through\n"+
			"the pipeline into ClickHouse. Deterministic by seed. With --count and --rate 0 it generates N messages as\n"+
			"fast as possible and exits once all are written (a load test); otherwise it runs until interrupted.")
	cfgPath := fs.String("config", "", "configuration file for brands and storage (default: the embedded demo configuration)")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same traffic")
	rate := fs.Float64("rate", 20, "messages per second of wall time; 0 with --count means as fast as possible")
	count := fs.Int("count", 0, "stop after this many messages (0: run until interrupted)")
	scale := fs.Float64("time-scale", 60, "simulated seconds per wall second in rate mode")
	status := fs.Duration("status", 5*time.Second, "print written rows per brand, channel and kind at this interval")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	sc := simulate.DefaultConfig()
	sc.Name, sc.Seed, sc.Count, sc.TimeScale = "simulate", *seed, *count, *scale
	sc.Brands = cfg.SimulateBrands(sc.Channel)
	bounded := *count > 0
	if *rate == 0 {
		if !bounded {
			return fmt.Errorf("--rate 0 needs --count: as fast as possible is only for a bounded run")
		}
		sc.Mode = simulate.ModeCount
	} else {
		sc.Rate = *rate
	}
	if err := sc.Validate(); err != nil {
		return fmt.Errorf("simulate options: %w", err)
	}
	cfg.Collectors = config.Collectors{Simulate: []simulate.Config{sc}}
	return runApp(ctx, e, cfg, *status, bounded)
}
