// Command vigia-alertbench measures Vigía's alert latency end to end: the
// time from a message entering the stream to its alert reaching the
// receiver.
//
// For each target rate it starts a fresh `vigia run` (its own data
// directory and ClickHouse database) with alerts on, the webhook intake, a
// route with group_wait 0 grouped by case_id (one group, and one POST, per
// urgent case) and a webhook receiver pointing at an HTTP server in this
// process. It then posts paced mixed traffic to the intake: a share of
// urgent messages from distinct customers (each opens a case whose urgent
// alert fires), the rest normal inbound chatter, the brand's replies and
// the customers' answers. An urgent message's latency is the time from the
// intake's 202 for it (the stream has acknowledged it) to the arrival of
// the POST carrying its case's alert; the case id is derived from the
// message id, so every delivery is matched to its message.
//
// Each rate prints one line
//
//	alerts rate=<target> achieved=<msgs/s> p50=<ms> p90=<ms> p99=<ms> max=<ms> urgent=<n> received=<n> missing=<n> duplicates=<n>
//
// after the details: the latency split at the engine (the alert's
// updated_at is when the engine observed the message), the pipeline's own
// histograms and the CPU the machine, vigia, ClickHouse and this driver used
// during the measurement.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	var o options
	flag.StringVar(&o.addr, "addr", os.Getenv("VIGIA_CLICKHOUSE_ADDR"), "ClickHouse native address (host:port)")
	flag.StringVar(&o.vigia, "vigia", "bin/vigia", "the vigia binary")
	flag.StringVar(&o.work, "work", ".local/alertbench", "work directory for configs and vigia's data")
	rates := flag.String("rates", "1000,10000", "comma-separated target rates, messages per second")
	flag.DurationVar(&o.warmup, "warmup", 10*time.Second, "traffic before the measurement starts, not counted")
	flag.DurationVar(&o.duration, "duration", 45*time.Second, "measured traffic per rate")
	flag.DurationVar(&o.drain, "drain", 60*time.Second, "how long to wait for the last alerts after the traffic stops")
	flag.Float64Var(&o.urgentShare, "urgent", 0.01, "share of urgent messages, each from a new customer")
	flag.DurationVar(&o.tick, "tick", 10*time.Millisecond, "pacing interval: each tick posts the messages due as one request")
	flag.IntVar(&o.senders, "senders", 8, "concurrent intake requests")
	flag.DurationVar(&o.batchMaxAge, "batch-max-age", 250*time.Millisecond, "clickhouse.batch_max_age of the vigia under test (the default of vigia)")
	flag.DurationVar(&o.groupInterval, "group-interval", time.Second, "group_interval of the route")
	flag.StringVar(&o.profileDir, "profile", "", "directory for a CPU profile of vigia during each measurement (empty: none)")
	flag.Parse()
	if o.addr == "" {
		o.addr = "127.0.0.1:19000"
	}
	for _, s := range strings.Split(*rates, ",") {
		r, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || r <= 0 {
			log.Fatalf("vigia-alertbench: -rates: %q: want positive integers", s)
		}
		o.rates = append(o.rates, r)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		log.Fatalf("vigia-alertbench: %v", err)
	}
}

// options are the command's flags.
type options struct {
	addr, vigia, work, profileDir string
	rates                         []int
	warmup, duration, drain, tick time.Duration
	batchMaxAge, groupInterval    time.Duration
	urgentShare                   float64
	senders                       int
}

func run(ctx context.Context, o options) error {
	var lines []string
	for _, rate := range o.rates {
		res, err := benchRate(ctx, o, rate)
		if err != nil {
			return fmt.Errorf("rate %d: %w", rate, err)
		}
		lines = append(lines, res.summary())
	}
	for _, l := range lines {
		fmt.Println(l)
	}
	return nil
}

// benchRate runs one fresh vigia at rate messages per second.
func benchRate(ctx context.Context, o options, rate int) (*result, error) {
	recv, err := startReceiver()
	if err != nil {
		return nil, err
	}
	defer recv.close()
	v, err := startVigia(ctx, o, rate, recv.url())
	if err != nil {
		return nil, err
	}
	defer v.stop()
	log.Printf("rate %d: vigia pid %d on %s, database %s, batch_max_age %s", rate, v.pid(), v.addr, v.db, o.batchMaxAge)

	gen := newGenerator(fmt.Sprintf("r%d-%d", rate, time.Now().Unix()), o.urgentShare)
	drv := newDriver(v.intakeURL(), gen, o.senders)
	trafficCtx, stopTraffic := context.WithCancel(ctx)
	defer stopTraffic()
	done := make(chan error, 1)
	go func() { done <- drv.run(trafficCtx, rate, o.tick) }()

	if err := sleep(ctx, o.warmup); err != nil {
		return nil, err
	}
	cpu0 := sampleCPU(v.pid())
	drv.startMeasuring()
	var prof chan error
	if o.profileDir != "" {
		prof = make(chan error, 1)
		go func() { prof <- v.cpuProfile(ctx, o.profileDir, o.duration) }()
	}
	if err := sleep(ctx, o.duration); err != nil {
		return nil, err
	}
	sent := drv.stopMeasuring()
	cpu1 := sampleCPU(v.pid())
	stopTraffic()
	if err := <-done; err != nil {
		return nil, err
	}
	if prof != nil {
		if err := <-prof; err != nil {
			log.Printf("rate %d: cpu profile: %v", rate, err)
		}
	}
	recv.waitAll(ctx, drv.measuredCases(), o.drain)
	metrics, err := v.scrape(ctx)
	if err != nil {
		log.Printf("rate %d: scrape metrics: %v", rate, err)
	}
	res := newResult(rate, o.duration, sent, drv, recv, cpu1.sub(cpu0), metrics)
	res.print(os.Stdout)
	return res, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
