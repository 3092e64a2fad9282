package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vigia-dev/vigia/internal/config"
)

// loadConfig loads the file at path, or the embedded demo configuration
// when path is empty. VIGIA_CLICKHOUSE_ADDR fills clickhouse.addr when the
// file leaves it empty; with neither, the local development server's
// address (deploy/clickhouse-local.sh) is used.
func loadConfig(path string) (*config.Config, error) {
	var (
		cfg *config.Config
		err error
	)
	if path == "" {
		wd, werr := os.Getwd()
		if werr != nil {
			return nil, fmt.Errorf("working directory: %w", werr)
		}
		cfg, err = config.Load(config.DemoYAML(), wd)
		if err != nil {
			return nil, fmt.Errorf("embedded demo config: %w", err)
		}
	} else if cfg, err = config.LoadFile(path); err != nil {
		return nil, err
	}
	if len(cfg.ClickHouse.Addr) == 0 {
		if env := os.Getenv("VIGIA_CLICKHOUSE_ADDR"); env != "" {
			cfg.ClickHouse.Addr = strings.Split(env, ",")
		} else {
			cfg.ClickHouse.Addr = []string{"127.0.0.1:19000"}
		}
	}
	if d := os.Getenv("VIGIA_DATA_DIR"); d != "" && path == "" {
		abs, _ := filepath.Abs(d)
		cfg.DataDir = abs
		cfg.NATS.StoreDir = filepath.Join(abs, "nats")
	}
	return cfg, nil
}
