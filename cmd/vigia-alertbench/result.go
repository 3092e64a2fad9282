package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// result is the outcome of one rate.
type result struct {
	rate     int
	achieved float64 // messages per second accepted by the intake while measuring
	accepted int64
	failed   int64
	sendLag  time.Duration // mean wait between a batch being due and its request starting

	urgent, received, missing, duplicates, unknown int
	posts, other, bad                              int

	fromAccept, fromSend, toEngine, fromEngine []time.Duration

	cpu     cpuUse
	metrics map[string]*dto.MetricFamily
}

func newResult(rate int, d time.Duration, accepted int64, drv *driver, recv *receiver, cpu cpuUse, metrics map[string]*dto.MetricFamily) *result {
	r := &result{rate: rate, accepted: accepted, achieved: float64(accepted) / d.Seconds(), failed: drv.failed.Load(), cpu: cpu, metrics: metrics}
	if n := drv.requests.Load(); n > 0 {
		r.sendLag = time.Duration(drv.sendLag.Load() / n)
	}
	byCase, posts, other, bad := recv.snapshot()
	r.posts, r.other, r.bad = posts, other, bad
	for id, ds := range byCase {
		if len(ds) > 1 {
			r.duplicates++
		}
		if _, ok := drv.lookup(id); !ok {
			r.unknown++
		}
	}
	for _, id := range drv.measuredCases() {
		r.urgent++
		u, _ := drv.lookup(id)
		ds := byCase[id]
		if len(ds) == 0 {
			r.missing++
			continue
		}
		r.received++
		first := ds[0]
		r.fromAccept = append(r.fromAccept, first.at.Sub(u.accepted))
		r.fromSend = append(r.fromSend, first.at.Sub(u.sent))
		r.toEngine = append(r.toEngine, first.updatedAt.Sub(u.accepted))
		r.fromEngine = append(r.fromEngine, first.at.Sub(first.updatedAt))
	}
	for _, s := range [][]time.Duration{r.fromAccept, r.fromSend, r.toEngine, r.fromEngine} {
		slices.Sort(s)
	}
	return r
}

// percentile is the nearest-rank p-th percentile (0 < p <= 1) of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d)/float64(time.Millisecond)) }

func dist(s []time.Duration) string {
	if len(s) == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50=%sms p90=%sms p99=%sms max=%sms", ms(percentile(s, 0.5)), ms(percentile(s, 0.9)),
		ms(percentile(s, 0.99)), ms(s[len(s)-1]))
}

// summary is the result's one-line form.
func (r *result) summary() string {
	s := r.fromAccept
	return fmt.Sprintf("alerts rate=%d achieved=%.0f p50=%s p90=%s p99=%s max=%s urgent=%d received=%d missing=%d duplicates=%d",
		r.rate, r.achieved, ms(percentile(s, 0.5)), ms(percentile(s, 0.9)), ms(percentile(s, 0.99)), ms(last(s)),
		r.urgent, r.received, r.missing, r.duplicates)
}

func last(s []time.Duration) time.Duration {
	if len(s) == 0 {
		return 0
	}
	return s[len(s)-1]
}

// print writes the details of the result.
func (r *result) print(w io.Writer) {
	fmt.Fprintf(w, "== rate %d msgs/s: achieved %.0f msgs/s (%d accepted), %d refused requests, mean send lag %s\n",
		r.rate, r.achieved, r.accepted, r.failed, r.sendLag.Round(time.Millisecond))
	fmt.Fprintf(w, "   urgent %d, alerted %d, missing %d, duplicated %d, unknown %d; %d posts (%d other alerts, %d undecodable)\n",
		r.urgent, r.received, r.missing, r.duplicates, r.unknown, r.posts, r.other, r.bad)
	fmt.Fprintf(w, "   latency from 202:           %s\n", dist(r.fromAccept))
	fmt.Fprintf(w, "   latency from request start: %s\n", dist(r.fromSend))
	fmt.Fprintf(w, "   202 -> engine evaluates:    %s\n", dist(r.toEngine))
	fmt.Fprintf(w, "   engine -> receiver:         %s\n", dist(r.fromEngine))
	c := r.cpu
	fmt.Fprintf(w, "   cpu over %s (cores of %d): machine %.2f, vigia %.2f, clickhouse %.2f, driver %.2f, other %.2f; load average %s %s %s\n",
		c.elapsed.Round(time.Second), c.cores, c.machine, c.vigia, c.clickhouse, c.me,
		max(c.machine-c.vigia-c.clickhouse-c.me, 0), c.load1, c.load5, c.load15)
	if r.metrics != nil {
		for _, h := range []struct{ name, what string }{
			{"vigia_webhook_request_duration_seconds", "intake request (publish included)"},
			{"vigia_storage_insert_duration_seconds", "messages batch insert"},
			{"vigia_notify_delivery_latency_seconds", "outbox: queued -> delivered"},
		} {
			if n, mean, ok := histMean(r.metrics[h.name]); ok {
				fmt.Fprintf(w, "   %-36s n=%d mean=%sms\n", h.what, n, ms(mean))
			}
		}
		fmt.Fprintf(w, "   counters: stream published %.0f, processor acked %.0f, case events %.0f, alerts fired %.0f, notifications %.0f\n",
			counter(r.metrics["vigia_stream_published_messages_total"]), counter(r.metrics["vigia_processor_acked_messages_total"]),
			counter(r.metrics["vigia_alerts_case_events_stored_total"]), counter(r.metrics["vigia_alerts_fired_total"]),
			counter(r.metrics["vigia_notify_notifications_total"]))
	}
}

// histMean sums every series of a histogram family.
func histMean(f *dto.MetricFamily) (uint64, time.Duration, bool) {
	if f == nil {
		return 0, 0, false
	}
	var n uint64
	var sum float64
	for _, m := range f.GetMetric() {
		n += m.GetHistogram().GetSampleCount()
		sum += m.GetHistogram().GetSampleSum()
	}
	if n == 0 {
		return 0, 0, false
	}
	return n, time.Duration(sum / float64(n) * float64(time.Second)), true
}

// counter sums every series of a counter family.
func counter(f *dto.MetricFamily) float64 {
	var v float64
	if f == nil {
		return 0
	}
	for _, m := range f.GetMetric() {
		v += m.GetCounter().GetValue()
	}
	return v
}
