package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/vigia-dev/vigia/collectors/replay"
	"github.com/vigia-dev/vigia/internal/config"
	"github.com/vigia-dev/vigia/internal/message"
)

func cmdReplay(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "replay", "vigia replay [--config vigia.yaml] [--format auto|jsonl|twcs] [--speed N] [--brand NAME] FILE",
		"Feed a file of messages through the same path as live data (stream → processor → ClickHouse) and exit\n"+
			"once every message is written. FILE is JSON Lines of the normalized message model, or the CSV of the\n"+
			"\"Customer Support on Twitter\" dataset (tweet_id,author_id,inbound,created_at,text,response_tweet_id,\n"+
			"in_response_to_tweet_id). Replaying the same file twice stores every message once.")
	cfgPath := fs.String("config", "", "configuration file (default: the embedded demo configuration)")
	format := fs.String("format", "auto", "file format: auto, jsonl or twcs")
	speed := fs.Float64("speed", 0, "0 replays as fast as possible; N > 0 replays at N times the recorded pace")
	brand := fs.String("brand", "", "brand of messages whose brand is not otherwise known (default: the first configured brand)")
	status := fs.Duration("status", 0, "print written rows per brand, channel and kind at this interval (0: only at the end)")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	path, err := filepath.Abs(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("resolve %s: %w", fs.Arg(0), err)
	}
	rc := replay.DefaultConfig()
	rc.Path, rc.Format, rc.Speed = path, replay.Format(*format), *speed
	rc.DefaultBrand = *brand
	if rc.DefaultBrand == "" {
		rc.DefaultBrand = cfg.Brands[0].Name
	}
	rc.HandleToBrand = cfg.HandleToBrand(message.ChannelX)
	if err := rc.Validate(); err != nil {
		return fmt.Errorf("replay options: %w", err)
	}
	cfg.Collectors = config.Collectors{Replay: []replay.Config{rc}}
	cfg.HTTP.Listen = ""
	if *status == 0 {
		*status = 1 << 62 // only the final report
	}
	return runApp(ctx, e, cfg, *status, true)
}
