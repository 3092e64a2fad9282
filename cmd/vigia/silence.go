package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/silence"
	"github.com/vigia-dev/vigia/internal/httpapi"
)

// Defaults of the API client flags, shared by `vigia silence` and
// `vigia cases`.
const (
	defaultAPIURL      = "http://127.0.0.1:8080"
	defaultAPITokenEnv = "VIGIA_API_TOKEN"
	// apiTimeout bounds one API call of the CLI.
	apiTimeout = 30 * time.Second
)

const silenceUsage = `Manage silences through the API of a running vigia (see docs/api.md).

Usage:
  vigia silence add --matcher NAME=VALUE [--matcher ...] [--duration 1h | --ends-at TIME]
                    [--starts-at TIME] --comment TEXT [--author NAME]
  vigia silence list [--state active|pending|expired]
  vigia silence expire ID [ID ...]

A matcher is NAME=VALUE, NAME!=VALUE, NAME=~REGEXP or NAME!~REGEXP; quote a
value with spaces or special characters: --matcher 'rule=~"urgent|sla_breach"'.
Every matcher must match for an alert to be muted.

Flags of every subcommand:
  --url URL          API base URL (default http://127.0.0.1:8080)
  --token-env NAME   environment variable holding the API token (default VIGIA_API_TOKEN)
  --token-file PATH  file holding the API token; replaces --token-env
  --format FORMAT    output: table or json (default table)

Run 'vigia silence <subcommand> --help' for the flags of one.
`

func cmdSilence(ctx context.Context, e *env) error {
	return runSubcommand(ctx, e, silenceUsage, map[string]func(context.Context, *env) error{
		"add":    cmdSilenceAdd,
		"list":   cmdSilenceList,
		"expire": cmdSilenceExpire,
	})
}

// runSubcommand runs the subcommand named by e.args[0], or prints usage:
// on stdout for help, on stderr with errUsage otherwise.
func runSubcommand(ctx context.Context, e *env, usage string, subs map[string]func(context.Context, *env) error) error {
	if len(e.args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return errUsage
	}
	switch e.args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(e.stdout, usage)
		return flag.ErrHelp
	}
	run, ok := subs[e.args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "unknown subcommand %q\n\n%s", e.args[0], usage)
		return errUsage
	}
	sub := *e
	sub.args = e.args[1:]
	return run(ctx, &sub)
}

// apiFlags are the flags every API client subcommand takes.
type apiFlags struct {
	fs        *flag.FlagSet
	url       string
	tokenEnv  string
	tokenFile string
	format    string
}

func addAPIFlags(fs *flag.FlagSet) *apiFlags {
	f := &apiFlags{fs: fs}
	fs.StringVar(&f.url, "url", defaultAPIURL, "API base URL of the running vigia")
	fs.StringVar(&f.tokenEnv, "token-env", defaultAPITokenEnv, "environment variable holding the API token")
	fs.StringVar(&f.tokenFile, "token-file", "", "file holding the API token; replaces --token-env")
	fs.StringVar(&f.format, "format", "table", "output format: table or json")
	return f
}

// check validates the flags that need no I/O.
func (f *apiFlags) check() error {
	if f.format != "table" && f.format != "json" {
		return fmt.Errorf("--format %q: want table or json", f.format)
	}
	envSet := false
	f.fs.Visit(func(fl *flag.Flag) { envSet = envSet || fl.Name == "token-env" })
	if envSet && f.tokenFile != "" {
		return errors.New("at most one of --token-env & --token-file may be given")
	}
	return nil
}

// client resolves the token and returns an API client. Errors name the
// flag to fix, never the token.
func (f *apiFlags) client() (*apiClient, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	var token string
	if f.tokenFile != "" {
		b, err := os.ReadFile(f.tokenFile)
		if err != nil {
			return nil, fmt.Errorf("--token-file: %w", err)
		}
		if token = strings.TrimSpace(string(b)); token == "" {
			return nil, fmt.Errorf("--token-file %s: file is empty", f.tokenFile)
		}
	} else if token = strings.TrimSpace(os.Getenv(f.tokenEnv)); token == "" {
		return nil, fmt.Errorf("--token-env %s: environment variable is not set or empty; export it with the API token, or pass --token-file", f.tokenEnv)
	}
	c, err := httpapi.NewClient(f.url, token, &http.Client{Timeout: apiTimeout})
	if err != nil {
		return nil, fmt.Errorf("--url: %w", err)
	}
	return &apiClient{Client: c, flags: f}, nil
}

// apiClient is the API client with the flags it was made from, to word
// errors.
type apiClient struct {
	*httpapi.Client
	flags *apiFlags
}

// explain rewords an API call's error so that it says what to do.
func (c *apiClient) explain(err error) error {
	if err == nil {
		return nil
	}
	if se, ok := errors.AsType[*httpapi.StatusError](err); ok {
		if se.StatusCode == http.StatusUnauthorized {
			source := "--token-env " + c.flags.tokenEnv
			if c.flags.tokenFile != "" {
				source = "--token-file " + c.flags.tokenFile
			}
			return fmt.Errorf("the API at %s rejected the token (401 Unauthorized): check %s against the server's alerts.api_token_env or alerts.api_token_file", c.flags.url, source)
		}
		return err
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("%w (is vigia running and serving the API at --url %s?)", err, c.flags.url)
}

// printJSON writes v indented.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// cell makes s safe and short for a table: control characters (a
// terminal's escape sequences among them) become spaces, and text beyond
// max runes is cut with an ellipsis.
func cell(s string, maxRunes int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, s)
	if maxRunes > 0 && len([]rune(s)) > maxRunes {
		s = string([]rune(s)[:maxRunes-1]) + "…"
	}
	if s == "" {
		return "-"
	}
	return s
}

// tableTime renders t in UTC, or "-" for the zero time.
func tableTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// stringList collects a repeated flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ", ") }

func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

func cmdSilenceAdd(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "silence add",
		"vigia silence add --matcher NAME=VALUE [--matcher ...] [--duration 1h | --ends-at TIME] --comment TEXT [--author NAME]",
		"Add a silence: alerts every matcher matches are not notified until it ends. Prints the new silence's ID.")
	api := addAPIFlags(fs)
	var matchers stringList
	fs.Var(&matchers, "matcher", "label matcher such as brand=acme or 'rule=~\"urgent|sla_breach\"'; repeat for several, all must match (required)")
	duration := fs.Duration("duration", 0, "how long the silence lasts from its start, such as 2h or 90m (default 1h unless --ends-at is given)")
	endsAt := fs.String("ends-at", "", "when the silence ends, RFC 3339 (2025-03-01T18:00:00Z); instead of --duration")
	startsAt := fs.String("starts-at", "", "when the silence starts, RFC 3339 (default now)")
	comment := fs.String("comment", "", "why the silence exists (required)")
	author := fs.String("author", "", "who creates the silence (default: $USER)")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: pass matchers with --matcher", fs.Arg(0))
	}
	if *author == "" {
		*author = os.Getenv("USER")
	}
	req, err := silenceRequest(matchers, *duration, *endsAt, *startsAt, *comment, *author)
	if err != nil {
		return err
	}
	c, err := api.client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	s, err := c.AddSilence(ctx, req)
	if err != nil {
		return c.explain(err)
	}
	if api.format == "json" {
		return printJSON(e.stdout, s)
	}
	fmt.Fprintln(e.stdout, s.ID)
	return nil
}

// silenceRequest checks the add flags and builds the request; errors name
// the flag at fault.
func silenceRequest(matchers []string, duration time.Duration, endsAt, startsAt, comment, author string) (httpapi.SilenceRequest, error) {
	var errs []error
	if len(matchers) == 0 {
		errs = append(errs, errors.New("--matcher: at least one is required, such as --matcher brand=acme"))
	}
	for _, m := range matchers {
		if _, err := alert.ParseMatcher(m); err != nil {
			errs = append(errs, fmt.Errorf("--matcher %w", err))
		}
	}
	req := httpapi.SilenceRequest{Matchers: matchers, CreatedBy: strings.TrimSpace(author), Comment: strings.TrimSpace(comment)}
	switch {
	case duration != 0 && endsAt != "":
		errs = append(errs, errors.New("--duration and --ends-at: give one of them, not both"))
	case duration < 0:
		errs = append(errs, fmt.Errorf("--duration %s: must be positive", duration))
	case endsAt != "":
		if _, err := time.Parse(time.RFC3339, endsAt); err != nil {
			errs = append(errs, fmt.Errorf("--ends-at %q: want an RFC 3339 time such as 2025-03-01T18:00:00Z", endsAt))
		}
		req.EndsAt = endsAt
	case duration == 0:
		req.Duration = time.Hour.String()
	default:
		req.Duration = duration.String()
	}
	if startsAt != "" {
		if _, err := time.Parse(time.RFC3339, startsAt); err != nil {
			errs = append(errs, fmt.Errorf("--starts-at %q: want an RFC 3339 time such as 2025-03-01T09:00:00Z", startsAt))
		}
		req.StartsAt = startsAt
	}
	if req.Comment == "" {
		errs = append(errs, errors.New("--comment: required: say why the silence exists"))
	}
	if req.CreatedBy == "" {
		errs = append(errs, errors.New("--author: required: $USER is not set, so say who you are"))
	}
	return req, errors.Join(errs...)
}

func cmdSilenceList(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "silence list", "vigia silence list [--state active|pending|expired]",
		"List silences, soonest ending first.")
	api := addAPIFlags(fs)
	state := fs.String("state", "", "only silences in these states, comma-separated: active, pending, expired (default every state)")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var states []silence.State
	for s := range strings.SplitSeq(*state, ",") {
		switch st := silence.State(strings.TrimSpace(s)); st {
		case silence.StateActive, silence.StatePending, silence.StateExpired:
			states = append(states, st)
		case "":
		default:
			return fmt.Errorf("--state %q: want active, pending or expired", s)
		}
	}
	c, err := api.client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	list, err := c.ListSilences(ctx, states...)
	if err != nil {
		return c.explain(err)
	}
	if api.format == "json" {
		return printJSON(e.stdout, httpapi.SilenceList{Silences: list})
	}
	return printSilences(e.stdout, list)
}

func printSilences(w io.Writer, list []httpapi.Silence) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tSTARTS\tENDS\tCREATED BY\tMATCHERS\tCOMMENT")
	for _, s := range list {
		ms := make([]string, len(s.Matchers))
		for i, m := range s.Matchers {
			ms[i] = m.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cell(s.ID, 0), s.State, tableTime(s.StartsAt), tableTime(s.EndsAt),
			cell(s.CreatedBy, 20), cell(strings.Join(ms, " "), 60), cell(s.Comment, 40))
	}
	return tw.Flush()
}

func cmdSilenceExpire(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "silence expire", "vigia silence expire ID [ID ...]",
		"Expire silences now: the alerts they muted are notified again.")
	api := addAPIFlags(fs)
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("missing silence ID: vigia silence expire ID [ID ...] (vigia silence list shows them)")
	}
	c, err := api.client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	var (
		expired []httpapi.Silence
		errs    []error
	)
	for _, id := range fs.Args() {
		s, err := c.ExpireSilence(ctx, id)
		if err != nil {
			errs = append(errs, c.explain(err))
			continue
		}
		expired = append(expired, s)
		if api.format == "table" {
			fmt.Fprintf(e.stdout, "expired %s at %s\n", s.ID, tableTime(s.EndsAt))
		}
	}
	if api.format == "json" {
		if err := printJSON(e.stdout, httpapi.SilenceList{Silences: expired}); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}
