// Command vigia watches a brand's social channels, classifies what customers
// write, stores it in ClickHouse and alerts the care team.
//
// Usage:
//
//	vigia <command> [flags]
//
// Run `vigia help` for the list of commands and `vigia <command> --help` for
// the flags of one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

// env is what every subcommand gets: its arguments, standard streams and a
// logger. Commands never touch os.Args, os.Stdout or os.Exit directly, so
// they can be tested in-process.
type env struct {
	args   []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	logger *slog.Logger
}

// command is one subcommand in the table below.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env) error
}

// commands is the table of subcommands; each lives in its own file.
func commands() []command {
	return []command{
		{"run", "run every configured collector, the processor and the HTTP server", cmdRun},
		{"migrate", "apply ClickHouse schema migrations and exit", cmdMigrate},
		{"replay", "feed a file of messages (JSON Lines or twcs CSV) through the pipeline", cmdReplay},
		{"simulate", "generate realistic demo traffic into the pipeline", cmdSimulate},
		{"check-config", "validate a configuration file and report every problem", cmdCheckConfig},
		{"classify", "label messages (JSON Lines on stdin, or --text)", cmdClassify},
		{"train", "train the text models from labeled CSV files", cmdTrain},
		{"eval", "evaluate a text model on a labeled CSV file", cmdEval},
		{"silence", "add, list and expire silences through the API of a running vigia", cmdSilence},
		{"cases", "list and show customer cases through the API of a running vigia", cmdCases},
		{"report", "print reports computed in ClickHouse, such as first response times per brand", cmdReport},
		{"version", "print version information", cmdVersion},
	}
}

// errUsage marks a usage error: the command printed its usage already.
var errUsage = errors.New("usage error")

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func realMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel()}))
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	if path := os.Getenv("VIGIA_CPU_PROFILE"); path != "" {
		stopProfile, err := startCPUProfile(path)
		if err != nil {
			fmt.Fprintf(stderr, "vigia: %v\n", err)
			return 1
		}
		defer stopProfile()
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, &env{args: args[1:], stdin: stdin, stdout: stdout, stderr: stderr, logger: logger.With("command", c.name)})
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			fmt.Fprintf(stderr, "vigia %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "vigia: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, "vigia: social-media customer-care monitor\n\nUsage:\n  vigia <command> [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun 'vigia <command> --help' for the flags of a command.\n")
}

// startCPUProfile writes a CPU profile of the whole command to path
// (VIGIA_CPU_PROFILE), for performance work: go tool pprof bin/vigia FILE.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("start cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// logLevel reads VIGIA_LOG_LEVEL (debug, info, warn, error); info by default.
func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(os.Getenv("VIGIA_LOG_LEVEL"))); err != nil {
		return slog.LevelInfo
	}
	return l
}

// newFlagSet returns a flag set for a subcommand whose --help prints the
// summary, the usage line and every flag with its default.
func newFlagSet(e *env, name, usageLine, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "%s\n\nUsage:\n  %s\n\nFlags:\n", summary, usageLine)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses e.args into fs, mapping flag errors to errUsage.
func parseFlags(fs *flag.FlagSet, e *env) error {
	if err := fs.Parse(e.args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(e.stdout)
			return err
		}
		return errUsage
	}
	return nil
}
