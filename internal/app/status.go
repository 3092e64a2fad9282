package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/rules"
	"github.com/vigia-dev/vigia/internal/process"
	"github.com/vigia-dev/vigia/internal/storage"
)

func (a *App) reportStatus(ctx context.Context) error {
	t := time.NewTicker(a.opts.StatusInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			a.printStatus(ctx)
		}
	}
}

// printStatus writes one progress report: rows in ClickHouse per brand,
// channel, kind and direction, and the stream's backlog.
func (a *App) printStatus(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	w := a.opts.Status
	counts, err := storage.CountsBy(ctx, a.conn, a.cfg.ClickHouse.Database)
	if err != nil {
		fmt.Fprintf(w, "%s status: clickhouse unavailable: %v\n", time.Now().Format(time.TimeOnly), err)
		return
	}
	msgs, pending, unacked, err := a.stream.Info(ctx, process.Durable)
	if err != nil {
		fmt.Fprintf(w, "%s status: stream unavailable: %v\n", time.Now().Format(time.TimeOnly), err)
		return
	}
	var total uint64
	for _, c := range counts {
		total += c.N
	}
	fmt.Fprintf(w, "\n%s  written rows: %d   stream: %d batches, %d waiting, %d in flight\n",
		time.Now().Format(time.TimeOnly), total, msgs, pending, unacked)
	fmt.Fprintf(w, "  %-14s %-11s %-8s %-9s %8s\n", "brand", "channel", "kind", "direction", "rows")
	for _, c := range counts {
		fmt.Fprintf(w, "  %-14s %-11s %-8s %-9s %8d\n", c.Brand, c.Channel, c.Kind, c.Direction, c.N)
	}
	a.printAlertStatus(w)
	labels, err := storage.LabelCounts(ctx, a.conn, a.cfg.ClickHouse.Database)
	if err != nil || len(labels) == 0 {
		return
	}
	byBrand := map[string]map[string]uint64{}
	var brands []string
	for _, l := range labels {
		if byBrand[l.Brand] == nil {
			byBrand[l.Brand] = map[string]uint64{}
			brands = append(brands, l.Brand)
		}
		byBrand[l.Brand][l.Label] = l.N
	}
	names := []string{"complaint", "urgent", "influencer", "troll", "spam"}
	fmt.Fprintf(w, "  %-14s", "classified")
	for _, n := range names {
		fmt.Fprintf(w, " %10s", n)
	}
	fmt.Fprintln(w)
	for _, b := range brands {
		fmt.Fprintf(w, "  %-14s", b)
		for _, n := range names {
			fmt.Fprintf(w, " %10d", byBrand[b][n])
		}
		fmt.Fprintln(w)
	}
}

// printAlertStatus writes the cases per brand (open, waiting for a reply)
// and the alerts firing per rule.
func (a *App) printAlertStatus(w io.Writer) {
	if a.alerts == nil {
		return
	}
	open, waiting := map[string]int{}, map[string]int{}
	for _, c := range a.alerts.tracker.Open() {
		open[c.Brand]++
		if c.Waiting != "" {
			waiting[c.Brand]++
		}
	}
	firing := map[string]int{}
	for _, al := range a.alerts.engine.Firing() {
		firing[al.Labels[alert.LabelRule]]++
	}
	fmt.Fprintf(w, "  %-14s %10s %10s   alerts firing:", "cases", "open", "waiting")
	for _, r := range rules.Rules() {
		fmt.Fprintf(w, " %s=%d", r, firing[r])
	}
	fmt.Fprintln(w)
	for _, b := range a.cfg.BrandNames() {
		fmt.Fprintf(w, "  %-14s %10d %10d\n", b, open[b], waiting[b])
	}
}
