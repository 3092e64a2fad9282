package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigia-dev/vigia/internal/config"
)

func cmdCheckConfig(_ context.Context, e *env) error {
	fs := newFlagSet(e, "check-config", "vigia check-config FILE",
		"Validate a configuration file. Every problem is reported at once, one per line, naming the field,\n"+
			"the bad value and what is expected. Exit status 0 when valid, 1 otherwise.")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	path := fs.Arg(0)
	cfg, err := config.LoadFile(path)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return errors.New("configuration is invalid")
	}
	fmt.Fprintf(e.stdout, "%s: ok (%d brands, %d collectors)\n", path, len(cfg.Brands),
		len(cfg.Collectors.Replay)+len(cfg.Collectors.Webhook)+len(cfg.Collectors.Simulate))
	return nil
}
