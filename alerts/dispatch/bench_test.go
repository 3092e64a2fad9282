package dispatch

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/inhibit"
	"github.com/vigia-dev/vigia/alerts/route"
	"github.com/vigia-dev/vigia/alerts/silence"
)

// counter is a Notifier that counts the alerts it is given and closes done
// once it has seen want of them.
type counter struct {
	n    atomic.Int64
	want int64
	done chan struct{}
}

func (c *counter) Notify(_ context.Context, g Group) error {
	if c.n.Add(int64(len(g.Alerts))) == c.want {
		close(c.done)
	}
	return nil
}

// BenchmarkDispatch puts 10,000 alerts over 10 brands × 5 rules (60
// groups on three routes, with a silence and an inhibition rule to check)
// and waits until every alert has been notified once.
func BenchmarkDispatch(b *testing.B) {
	const n = 10000
	cfg := route.Config{
		Receiver:  "care",
		GroupBy:   []string{"brand", "rule"},
		GroupWait: new(time.Duration),
		Routes: []route.Config{
			{Matchers: []string{`priority=~"urgent|influencer"`}, Receiver: "oncall", Continue: true},
			{Matchers: []string{`brand=~"brand-[0-4]"`}, Receiver: "care"},
		},
	}
	r, err := route.New(cfg, []string{"care", "oncall"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	inh, err := inhibit.New([]inhibit.Rule{{SourceMatchers: []string{"rule=outage"}, TargetMatchers: []string{"rule=complaint"}, Equal: []string{"brand"}}})
	if err != nil {
		b.Fatal(err)
	}
	sil := silence.New(silence.Options{})
	now := time.Now()
	if _, err := sil.Add(context.Background(), silence.Silence{
		Matchers: mustMatchersB(b, "case_id=none"), EndsAt: now.Add(time.Hour), CreatedBy: "bench", Comment: "c",
	}, now); err != nil {
		b.Fatal(err)
	}
	rules := []string{"complaint", "urgent", "sla_warning", "sla_breach", "troll_storm"}
	alerts := make([]alert.Alert, n)
	routed := 0
	for i := range alerts {
		labels := map[string]string{
			"brand":    fmt.Sprintf("brand-%d", i%10),
			"rule":     rules[i%5],
			"channel":  "x",
			"priority": "normal",
			"case_id":  fmt.Sprintf("case-%d", i),
		}
		if i%10 == 0 {
			labels["priority"] = "urgent"
		}
		alerts[i] = alert.Alert{Labels: labels, StartsAt: now, UpdatedAt: now}
		routed += len(r.Match(labels))
	}

	b.ReportAllocs()
	for b.Loop() {
		c := &counter{want: int64(routed), done: make(chan struct{})}
		d, err := New(Options{Route: r, Notifier: c, Silencer: sil, Inhibitor: inh})
		if err != nil {
			b.Fatal(err)
		}
		// All alerts arrive within group_wait: here, before Run looks.
		for i := 0; i < n; i += 100 {
			d.Put(alerts[i : i+100]...)
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() { _ = d.Run(ctx) }()
		select {
		case <-c.done:
		case <-time.After(time.Minute):
			b.Fatalf("notified %d of %d alerts", c.n.Load(), routed)
		}
		cancel()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "alerts/s")
}

// BenchmarkPut measures routing and grouping alone.
func BenchmarkPut(b *testing.B) {
	const n = 10000
	r, err := route.New(route.Config{Receiver: "care", GroupBy: []string{"brand", "rule"}}, []string{"care"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	alerts := make([]alert.Alert, n)
	for i := range alerts {
		alerts[i] = alert.Alert{Labels: map[string]string{"brand": "acme", "rule": "complaint", "case_id": fmt.Sprint(i)}, StartsAt: now, UpdatedAt: now}
	}
	b.ReportAllocs()
	for b.Loop() {
		d, err := New(Options{Route: r, Notifier: &counter{}})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i += 100 {
			d.Put(alerts[i : i+100]...)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "alerts/s")
}

func mustMatchersB(b *testing.B, ss ...string) alert.Matchers {
	ms, err := alert.ParseMatchers(ss)
	if err != nil {
		b.Fatal(err)
	}
	return ms
}
