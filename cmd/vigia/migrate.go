package main

import (
	"context"
	"fmt"

	"github.com/vigia-dev/vigia/internal/app"
	"github.com/vigia-dev/vigia/internal/storage"
)

func cmdMigrate(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "migrate", "vigia migrate [--config vigia.yaml]",
		"Apply Vigía's ClickHouse schema migrations (idempotent, forward-only) and exit.")
	cfgPath := fs.String("config", "", "configuration file (default: the embedded demo configuration)")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	conn, err := app.OpenStorage(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := storage.Migrate(ctx, conn, storage.MigrateOptions{Database: cfg.ClickHouse.Database, RetentionDays: cfg.Retention.Days}); err != nil {
		return fmt.Errorf("migrate %s: %w", cfg.ClickHouse.Database, err)
	}
	_, v, err := storage.DetectFeatures(ctx, conn)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "database %s is up to date (ClickHouse %s)\n", cfg.ClickHouse.Database, v)
	return nil
}
