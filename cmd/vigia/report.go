package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/vigia-dev/vigia/internal/app"
	"github.com/vigia-dev/vigia/internal/storage"
)

const reportUsage = `Print reports computed in ClickHouse from the stored case events.

Usage:
  vigia report response-times [--since 720h] [--format table] [--config vigia.yaml]

Reports:
  response-times   per brand: cases opened, cases answered, median and 90th percentile
                   first response time in seconds, on the calendar and business clocks

Run 'vigia report <report> --help' for the flags of one.
`

// defaultReportSince is how far back a report looks by default.
const defaultReportSince = "720h"

func cmdReport(ctx context.Context, e *env) error {
	return runSubcommand(ctx, e, reportUsage, map[string]func(context.Context, *env) error{
		"response-times": cmdReportResponseTimes,
	})
}

func cmdReportResponseTimes(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "report response-times", "vigia report response-times [--since 720h] [--format table] [--config vigia.yaml]",
		"First response times per brand, for the cases opened since a time: cases, answered cases, and the\n"+
			"median (p50) and 90th percentile (p90) of the first response time in seconds, on the calendar and on\n"+
			"the brand's business-hours clock. Computed in ClickHouse from the case_events table, duplicates\n"+
			"collapsed; a percentile is the value at position floor(level x n) of the sorted times.")
	since := fs.String("since", defaultReportSince, "cases opened at or after this time: RFC 3339 (2026-05-01T00:00:00Z), a date (2026-05-01, UTC), or a duration before now (720h)")
	format := fs.String("format", "table", "output format: table or csv")
	cfgPath := fs.String("config", "", "configuration file (default: the embedded demo configuration)")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *format != "table" && *format != "csv" {
		return fmt.Errorf("--format %q: want table or csv", *format)
	}
	from, err := parseSince(*since, time.Now())
	if err != nil {
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
	rows, err := storage.ResponseTimesSince(ctx, conn, cfg.ClickHouse.Database, from)
	if err != nil {
		return err
	}
	if *format == "csv" {
		return writeResponseTimesCSV(e.stdout, rows)
	}
	return writeResponseTimesTable(e.stdout, from, rows)
}

// parseSince reads --since: an RFC 3339 time, a date (midnight UTC) or a
// duration before now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d).UTC().Truncate(time.Second), nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want an RFC 3339 time (2026-05-01T00:00:00Z), a date (2026-05-01) or a duration before now (720h)", s)
}

// seconds renders a percentile, or "" when no case was answered.
func seconds(r storage.ResponseTimes, v int64) string {
	if r.Answered == 0 {
		return ""
	}
	return strconv.FormatInt(v, 10)
}

func writeResponseTimesCSV(w io.Writer, rows []storage.ResponseTimes) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"brand", "cases", "answered", "frt_p50_calendar_seconds", "frt_p90_calendar_seconds",
		"frt_p50_business_seconds", "frt_p90_business_seconds"})
	for _, r := range rows {
		_ = cw.Write([]string{r.Brand, strconv.FormatUint(r.Cases, 10), strconv.FormatUint(r.Answered, 10),
			seconds(r, r.CalendarP50), seconds(r, r.CalendarP90), seconds(r, r.BusinessP50), seconds(r, r.BusinessP90)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

func writeResponseTimesTable(w io.Writer, since time.Time, rows []storage.ResponseTimes) error {
	fmt.Fprintf(w, "First response times of cases opened since %s (seconds)\n\n", since.Format(time.RFC3339))
	if len(rows) == 0 {
		fmt.Fprintln(w, "no cases")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BRAND\tCASES\tANSWERED\tP50\tP90\tP50 BUSINESS\tP90 BUSINESS")
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\n", r.Brand, r.Cases, r.Answered,
			dash(seconds(r, r.CalendarP50)), dash(seconds(r, r.CalendarP90)),
			dash(seconds(r, r.BusinessP50)), dash(seconds(r, r.BusinessP90)))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
