package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/vigia-dev/vigia/internal/httpapi"
)

const casesUsage = `Look at customer cases through the API of a running vigia (see docs/api.md).

Usage:
  vigia cases list [--brand NAME] [--state STATE] [--customer HANDLE] [--limit 50]
  vigia cases show ID

Flags of every subcommand:
  --url URL          API base URL (default http://127.0.0.1:8080)
  --token-env NAME   environment variable holding the API token (default VIGIA_API_TOKEN)
  --token-file PATH  file holding the API token; replaces --token-env
  --format FORMAT    output: table or json (default table)

Run 'vigia cases <subcommand> --help' for the flags of one.
`

func cmdCases(ctx context.Context, e *env) error {
	return runSubcommand(ctx, e, casesUsage, map[string]func(context.Context, *env) error{
		"list": cmdCasesList,
		"show": cmdCasesShow,
	})
}

func cmdCasesList(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "cases list", "vigia cases list [--brand NAME] [--state STATE] [--customer HANDLE] [--limit 50]",
		"List cases, the most recently active first.")
	api := addAPIFlags(fs)
	var f httpapi.CaseFilter
	fs.StringVar(&f.Brand, "brand", "", "only this brand's cases (default every brand)")
	fs.StringVar(&f.State, "state", "", "only cases in this state, such as open or resolved (default every state)")
	fs.StringVar(&f.Customer, "customer", "", "only this customer's cases, by handle or author ID")
	fs.IntVar(&f.Limit, "limit", httpapi.DefaultCaseLimit, fmt.Sprintf("at most this many cases, 1 to %d", httpapi.MaxCaseLimit))
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if f.Limit < 1 || f.Limit > httpapi.MaxCaseLimit {
		return fmt.Errorf("--limit %d: want 1 to %d", f.Limit, httpapi.MaxCaseLimit)
	}
	c, err := api.client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	list, err := c.ListCases(ctx, f)
	if err != nil {
		return c.explain(err)
	}
	if api.format == "json" {
		return printJSON(e.stdout, httpapi.CaseList{Cases: list})
	}
	return printCases(e.stdout, list)
}

func printCases(w io.Writer, list []httpapi.CaseSummary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tBRAND\tCHANNEL\tSTATE\tPRIORITY\tSLA\tCUSTOMER\tOPENED\tLAST MESSAGE\tMESSAGES")
	for _, c := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", cell(c.ID, 0), cell(c.Brand, 20), cell(c.Channel, 12),
			cell(c.State, 12), cell(c.Priority, 12), cell(c.SLA, 12), cell(c.Customer, 24),
			tableTime(c.OpenedAt), tableTime(c.LastMessageAt), c.Messages)
	}
	return tw.Flush()
}

func cmdCasesShow(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "cases show", "vigia cases show ID", "Show one case and its history.")
	api := addAPIFlags(fs)
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("want exactly one case ID: vigia cases show ID (vigia cases list shows them)")
	}
	c, err := api.client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	d, err := c.GetCase(ctx, fs.Arg(0))
	if err != nil {
		return c.explain(err)
	}
	if api.format == "json" {
		return printJSON(e.stdout, d)
	}
	return printCase(e.stdout, d)
}

func printCase(w io.Writer, d httpapi.CaseDetail) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, kv := range [][2]string{
		{"ID", cell(d.ID, 0)},
		{"Brand", cell(d.Brand, 0)},
		{"Channel", cell(d.Channel, 0)},
		{"Customer", cell(d.Customer, 0)},
		{"State", cell(d.State, 0)},
		{"Priority", cell(d.Priority, 0)},
		{"SLA", cell(d.SLA, 0)},
		{"SLA due", tableTime(d.SLADueAt)},
		{"Opened", tableTime(d.OpenedAt)},
		{"First response", tableTime(d.FirstResponseAt)},
		{"Last message", tableTime(d.LastMessageAt)},
		{"Messages", strconv.Itoa(d.Messages)},
	} {
		fmt.Fprintf(tw, "%s:\t%s\n", kv[0], kv[1])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tKIND\tACTOR\tMESSAGE\tTEXT")
	for _, ev := range d.Events {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", tableTime(ev.At), cell(ev.Kind, 12), cell(ev.Actor, 24), cell(ev.MessageID, 0), cell(ev.Text, 80))
	}
	return tw.Flush()
}
