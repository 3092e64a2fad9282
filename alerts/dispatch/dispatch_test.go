package dispatch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/inhibit"
	"github.com/vigia-dev/vigia/alerts/route"
	"github.com/vigia-dev/vigia/alerts/silence"
	"github.com/vigia-dev/vigia/alerts/timeinterval"
)

// note is one notification as the recorder saw it.
type note struct {
	at time.Time
	g  Group
}

// recorder is a Notifier that keeps what it is given; fail makes the
// next calls fail.
type recorder struct {
	mu    sync.Mutex
	notes []note
	fail  int
}

func (r *recorder) Notify(_ context.Context, g Group) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail > 0 {
		r.fail--
		return errors.New("outbox unavailable")
	}
	r.notes = append(r.notes, note{time.Now(), g})
	return nil
}

func (r *recorder) take() []note {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.notes
	r.notes = nil
	return out
}

// advance moves the bubble's fake clock and lets every goroutine settle.
func advance(d time.Duration) {
	<-time.After(d)
	synctest.Wait()
}

func newRoute(t *testing.T, doc string, intervals ...string) *route.Route {
	t.Helper()
	var cfg route.Config
	dec := yaml.NewDecoder(strings.NewReader(doc))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(&cfg))
	r, err := route.New(cfg, []string{"care", "oncall", "log"}, intervals)
	require.NoError(t, err)
	return r
}

const basic = `
receiver: care
group_by: [brand, rule]
group_wait: 30s
group_interval: 5m
repeat_interval: 4h
`

// start runs a dispatcher in the bubble until the test ends.
func start(t *testing.T, opts Options) (*Dispatcher, *recorder) {
	t.Helper()
	rec := &recorder{}
	if opts.Notifier == nil {
		opts.Notifier = rec
	}
	d, err := New(opts)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	return d, rec
}

func firing(caseID string, extra ...string) alert.Alert {
	labels := map[string]string{"brand": "acme", "rule": "complaint", "case_id": caseID}
	for i := 0; i+1 < len(extra); i += 2 {
		labels[extra[i]] = extra[i+1]
	}
	now := time.Now()
	return alert.Alert{Labels: labels, StartsAt: now, UpdatedAt: now}
}

func resolved(a alert.Alert) alert.Alert {
	a.EndsAt = time.Now()
	a.UpdatedAt = time.Now()
	return a
}

func caseIDs(g Group) []string {
	var out []string
	for _, a := range g.Alerts {
		state := "firing"
		if a.Resolved(time.Now()) {
			state = "resolved"
		}
		out = append(out, a.Labels["case_id"]+":"+state)
	}
	return out
}

func TestTimers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		d, rec := start(t, Options{Route: newRoute(t, basic)})
		a := firing("c1")
		d.Put(a)

		advance(29 * time.Second)
		require.Empty(t, rec.take(), "group_wait not over")
		advance(time.Second)
		notes := rec.take()
		require.Len(t, notes, 1)
		first := notes[0].g
		require.Equal(t, t0.Add(30*time.Second), notes[0].at)
		require.Equal(t, KindFirst, first.Kind)
		require.Equal(t, uint64(1), first.Version)
		require.Equal(t, `{}:{brand="acme", rule="complaint"}`, first.Key)
		require.Equal(t, "care", first.Receiver)
		require.Equal(t, map[string]string{"brand": "acme", "rule": "complaint"}, first.Labels)
		require.Equal(t, map[string]string{"brand": "acme", "rule": "complaint", "case_id": "c1"}, first.CommonLabels)
		require.Equal(t, []string{"c1:firing"}, caseIDs(first))

		// A second alert joins; it waits for the next group_interval.
		advance(time.Minute)
		b := firing("c2")
		d.Put(b)
		advance(4*time.Minute - time.Second)
		require.Empty(t, rec.take())
		advance(time.Second)
		notes = rec.take()
		require.Len(t, notes, 1)
		require.Equal(t, t0.Add(5*time.Minute+30*time.Second), notes[0].at)
		upd := notes[0].g
		require.Equal(t, KindUpdate, upd.Kind)
		require.Equal(t, first.ID, upd.ID, "same post")
		require.Equal(t, uint64(2), upd.Version)
		require.Equal(t, []string{"c1:firing", "c2:firing"}, caseIDs(upd))
		require.Equal(t, map[string]string{"brand": "acme", "rule": "complaint"}, upd.CommonLabels)

		// Unchanged: nothing until repeat_interval (4h, a multiple of 5m).
		advance(4*time.Hour - time.Second)
		require.Empty(t, rec.take())
		advance(time.Second)
		notes = rec.take()
		require.Len(t, notes, 1)
		require.Equal(t, KindRepeat, notes[0].g.Kind)
		require.Equal(t, uint64(3), notes[0].g.Version)
		require.Equal(t, first.ID, notes[0].g.ID)

		// c1 resolves: shown once as resolved at the next tick.
		d.Put(resolved(a))
		advance(5 * time.Minute)
		notes = rec.take()
		require.Len(t, notes, 1)
		require.Equal(t, KindUpdate, notes[0].g.Kind)
		require.Equal(t, []string{"c2:firing", "c1:resolved"}, caseIDs(notes[0].g))
		require.Equal(t, 1, notes[0].g.Firing(time.Now()))

		// c2 resolves: the last notification of the post.
		d.Put(resolved(b))
		advance(5 * time.Minute)
		notes = rec.take()
		require.Len(t, notes, 1)
		require.Equal(t, []string{"c2:resolved"}, caseIDs(notes[0].g))
		require.Equal(t, uint64(5), notes[0].g.Version)
		advance(time.Hour)
		require.Empty(t, rec.take(), "a finished group is gone")

		// The same key firing again is a new post.
		d.Put(firing("c1"))
		advance(30 * time.Second)
		notes = rec.take()
		require.Len(t, notes, 1)
		require.Equal(t, KindFirst, notes[0].g.Kind)
		require.Equal(t, uint64(1), notes[0].g.Version)
		require.NotEqual(t, first.ID, notes[0].g.ID)
		require.Equal(t, first.Key, notes[0].g.Key)
	})
}

func TestGroupWaitZeroNotifiesAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		d, rec := start(t, Options{Route: newRoute(t, basic+"routes: [{matchers: [priority=urgent], receiver: oncall, group_wait: 0s}]\n")})
		d.Put(firing("c1", "priority", "urgent"))
		synctest.Wait()
		notes := rec.take()
		require.Len(t, notes, 1)
		require.Equal(t, t0, notes[0].at, "no time passed")
		require.Equal(t, "oncall", notes[0].g.Receiver)
	})
}

func TestResolvedBeforeGroupWaitIsNeverSent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, rec := start(t, Options{Route: newRoute(t, basic)})
		a := firing("c1")
		d.Put(a)
		advance(10 * time.Second)
		d.Put(resolved(a))
		advance(time.Hour)
		require.Empty(t, rec.take())
	})
}

func TestOldAlertSkipsGroupWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		d, rec := start(t, Options{Route: newRoute(t, basic)})
		advance(time.Hour)
		a := firing("c1")
		a.StartsAt = t0 // began an hour ago, say before a restart
		d.Put(a)
		synctest.Wait()
		require.Len(t, rec.take(), 1)
	})
}

func TestDeduplication(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, rec := start(t, Options{Route: newRoute(t, basic)})
		a := firing("c1")
		d.Put(a)
		advance(10 * time.Second)
		again := firing("c1") // same labels, later report, new annotation
		again.Annotations = map[string]string{"summary": "second report"}
		d.Put(again, again)
		advance(20 * time.Second)
		notes := rec.take()
		require.Len(t, notes, 1)
		require.Len(t, notes[0].g.Alerts, 1, "same alert twice is one entry")
		got := notes[0].g.Alerts[0]
		require.Equal(t, "second report", got.Annotations["summary"], "latest report wins")
		require.Equal(t, a.StartsAt, got.StartsAt, "earliest start is kept")

		// Re-sent unchanged: no new notification, ever.
		for range 10 {
			d.Put(firing("c1"))
			advance(5 * time.Minute)
		}
		require.Empty(t, rec.take())
	})
}

func TestFloodIsOneGroupAndFewNotifications(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, rec := start(t, Options{Route: newRoute(t, basic)})
		// 10,000 alerts of one brand and rule over 20 minutes, 100 at a time.
		for i := range 100 {
			batch := make([]alert.Alert, 100)
			for j := range batch {
				batch[j] = firing(fmt.Sprintf("c%d", i*100+j))
			}
			d.Put(batch...)
			advance(12 * time.Second)
		}
		advance(time.Hour)
		notes := rec.take()
		// group_wait at 30s, then one update per group_interval while alerts
		// keep coming: 30s, 5m30s, 10m30s, 15m30s, 20m30s.
		require.Len(t, notes, 5)
		for i, n := range notes {
			require.Equal(t, notes[0].g.Key, n.g.Key, "one group")
			require.Equal(t, notes[0].g.ID, n.g.ID, "one post")
			require.Equal(t, uint64(i+1), n.g.Version)
		}
		require.Len(t, notes[4].g.Alerts, 10000)
		d.mu.Lock()
		require.Len(t, d.groups, 1)
		d.mu.Unlock()
	})
}

func TestSilencesAndInhibition(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sil := silence.New(silence.Options{})
		inh, err := inhibit.New([]inhibit.Rule{{
			SourceMatchers: []string{"rule=outage"},
			TargetMatchers: []string{`rule=~"complaint|urgent"`},
			Equal:          []string{"brand"},
		}})
		require.NoError(t, err)
		d, rec := start(t, Options{Route: newRoute(t, basic), Silencer: sil, Inhibitor: inh})

		_, err = sil.Add(context.Background(), silence.Silence{
			Matchers:  mustMatchers(t, "case_id=c2"),
			EndsAt:    time.Now().Add(time.Hour),
			CreatedBy: "ana",
			Comment:   "handled by phone",
		}, time.Now())
		require.NoError(t, err)

		outage := firing("", "rule", "outage")
		delete(outage.Labels, "case_id")
		d.Put(firing("c1"), firing("c2"), firing("c3", "brand", "globex"), outage)
		advance(30 * time.Second)
		byKey := map[string][]string{}
		for _, n := range rec.take() {
			byKey[n.g.Key] = caseIDs(n.g)
		}
		require.Equal(t, map[string][]string{
			`{}:{brand="acme", rule="outage"}`:      {":firing"},
			`{}:{brand="globex", rule="complaint"}`: {"c3:firing"},
		}, byKey, "c1 inhibited by the acme outage, c2 silenced")

		// The outage ends: c1 shows up; c2 stays silenced.
		d.Put(resolved(outage))
		advance(5 * time.Minute)
		byKey = map[string][]string{}
		for _, n := range rec.take() {
			byKey[n.g.Key] = caseIDs(n.g)
		}
		require.Equal(t, map[string][]string{
			`{}:{brand="acme", rule="outage"}`:    {":resolved"},
			`{}:{brand="acme", rule="complaint"}`: {"c1:firing"},
		}, byKey)

		// The silence ends after an hour: c2 joins the post.
		advance(time.Hour)
		notes := rec.take()
		require.Len(t, notes, 1)
		require.ElementsMatch(t, []string{"c1:firing", "c2:firing"}, caseIDs(notes[0].g))
		require.Equal(t, KindUpdate, notes[0].g.Kind)
	})
}

func mustMatchers(t *testing.T, ss ...string) alert.Matchers {
	t.Helper()
	ms, err := alert.ParseMatchers(ss)
	require.NoError(t, err)
	return ms
}

func TestActiveAndMuteTimeIntervals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The bubble starts on Saturday 2000-01-01 00:00 UTC.
		require.Equal(t, time.Saturday, time.Now().Weekday())
		set, err := timeinterval.NewSet([]timeinterval.Config{
			{Name: "business-hours", TimeIntervals: []timeinterval.Spec{{
				Weekdays: []string{"monday:friday"},
				Times:    []timeinterval.TimeRange{{StartTime: "09:00", EndTime: "17:00"}},
				Location: "Europe/Madrid",
			}}},
			{Name: "lunch", TimeIntervals: []timeinterval.Spec{{
				Times:    []timeinterval.TimeRange{{StartTime: "14:00", EndTime: "15:00"}},
				Location: "Europe/Madrid",
			}}},
		})
		require.NoError(t, err)
		r := newRoute(t, basic+`
routes:
  - matchers: [channel=x]
    active_time_intervals: [business-hours]
    mute_time_intervals: [lunch]
`, set.Names()...)
		d, all := start(t, Options{Route: r, TimeIntervals: set})
		d.Put(firing("c1", "channel", "x"), firing("c2", "channel", "telegram"))
		advance(30 * time.Second)
		notes := all.take()
		require.Len(t, notes, 1, "only the route without intervals notifies on Saturday")
		require.Equal(t, []string{"c2:firing"}, caseIDs(notes[0].g))
		rec := onRoute{all, `{}/{channel="x"}`}

		// Monday 09:00 in Madrid (UTC+1 in January) is 08:00 UTC; the next
		// tick after it is 08:00:30 UTC.
		monday := time.Date(2000, 1, 3, 8, 0, 30, 0, time.UTC)
		advance(monday.Sub(time.Now()) - time.Second)
		require.Empty(t, rec.take())
		advance(time.Second)
		notes = rec.take()
		require.Len(t, notes, 1)
		require.Equal(t, []string{"c1:firing"}, caseIDs(notes[0].g))
		require.Equal(t, KindFirst, notes[0].g.Kind)

		// Lunch (13:00 UTC) mutes: a new alert waits until 15:00 Madrid.
		advance(time.Date(2000, 1, 3, 13, 0, 0, 0, time.UTC).Sub(time.Now()))
		require.Len(t, rec.take(), 1, "the 4h repeat at 12:00:30 UTC")
		d.Put(firing("c3", "channel", "x"))
		advance(59 * time.Minute)
		require.Empty(t, rec.take())
		advance(5 * time.Minute)
		notes = rec.take()
		require.Len(t, notes, 1)
		require.Equal(t, []string{"c1:firing", "c3:firing"}, caseIDs(notes[0].g))
	})
}

// onRoute takes the notes of one route only.
type onRoute struct {
	rec   *recorder
	route string
}

func (o onRoute) take() []note {
	var out []note
	for _, n := range o.rec.take() {
		if n.g.RouteID == o.route {
			out = append(out, n)
		}
	}
	return out
}

func TestContinueMakesOneGroupPerRoute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, rec := start(t, Options{Route: newRoute(t, basic+`
routes:
  - {matchers: [priority=urgent], receiver: oncall, group_wait: 0s, group_by: [brand], continue: true}
  - {matchers: [brand=acme], receiver: log}
`)})
		d.Put(firing("c1", "priority", "urgent"))
		synctest.Wait()
		notes := rec.take()
		require.Len(t, notes, 1)
		require.Equal(t, "oncall", notes[0].g.Receiver)
		require.Equal(t, map[string]string{"brand": "acme"}, notes[0].g.Labels)
		advance(30 * time.Second)
		notes = rec.take()
		require.Len(t, notes, 1)
		require.Equal(t, "log", notes[0].g.Receiver)
	})
}

func TestFailedNotificationIsRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{fail: 1}
		d, _ := start(t, Options{Route: newRoute(t, basic), Notifier: rec})
		d.Put(firing("c1"))
		advance(30 * time.Second)
		require.Empty(t, rec.take())
		advance(5 * time.Minute)
		notes := rec.take()
		require.Len(t, notes, 1)
		require.Equal(t, KindFirst, notes[0].g.Kind)
		require.Equal(t, uint64(1), notes[0].g.Version)
	})
}

func TestRestartContinuesThePost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log := NewMemLog()
		r := newRoute(t, basic)
		a := firing("c1")

		rec := &recorder{}
		d1, err := New(Options{Route: r, Notifier: rec, Log: log})
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- d1.Run(ctx) }()
		d1.Put(a)
		advance(30 * time.Second)
		notes := rec.take()
		require.Len(t, notes, 1)
		cancel()
		require.NoError(t, <-done)

		// A new dispatcher with the same log gets the alert again: it has
		// been shown, so nothing is sent; a new alert updates the same post.
		advance(time.Minute)
		d2, rec2 := start(t, Options{Route: r, Log: log})
		d2.Put(a)
		advance(time.Minute)
		require.Empty(t, rec2.take())
		d2.Put(firing("c2"))
		advance(5 * time.Minute)
		again := rec2.take()
		require.Len(t, again, 1)
		require.Equal(t, notes[0].g.ID, again[0].g.ID)
		require.Equal(t, uint64(2), again[0].g.Version)
		require.Equal(t, KindUpdate, again[0].g.Kind)
	})
}

func TestNewValidates(t *testing.T) {
	r := newRoute(t, basic+"routes: [{matchers: [a=b], mute_time_intervals: [nights]}]\n", "nights")
	_, err := New(Options{Route: r})
	require.EqualError(t, err, `new dispatcher: notifier: required
route {}/{a="b"}: time interval "nights": not defined`)
}

func TestGroupsSnapshot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, rec := start(t, Options{Route: newRoute(t, basic+"routes: [{matchers: [priority=urgent], receiver: oncall, group_wait: 0s}]\n")})
		require.Empty(t, d.Groups())
		d.Put(firing("c1", "priority", "urgent"), firing("c2"))
		synctest.Wait()
		groups := d.Groups()
		require.Len(t, groups, 2)
		byReceiver := map[string]Group{}
		for _, g := range groups {
			byReceiver[g.Receiver] = g
		}
		urgent := byReceiver["oncall"]
		require.Equal(t, []string{"c1:firing"}, caseIDs(urgent))
		notes := rec.take()
		require.Len(t, notes, 1, "group_wait 0: only the urgent group is notified yet")
		require.Equal(t, notes[0].g.ID, urgent.ID, "the snapshot names the post")
		require.Equal(t, uint64(1), urgent.Version)
		require.Equal(t, []string{"c2:firing"}, caseIDs(byReceiver["care"]))
		require.Empty(t, byReceiver["care"].ID, "the other group waits 30s: no post yet")
	})
}

// gatedLog is a MemLog whose calls wait for release, counting how many are
// in flight at once.
type gatedLog struct {
	*MemLog
	release        chan struct{}
	mu             sync.Mutex
	inFlight, peak int
	gets, puts     int
}

func (l *gatedLog) enter() {
	l.mu.Lock()
	l.inFlight++
	l.peak = max(l.peak, l.inFlight)
	l.mu.Unlock()
	<-l.release
	l.mu.Lock()
	l.inFlight--
	l.mu.Unlock()
}

func (l *gatedLog) Get(ctx context.Context, key string) (Entry, bool, error) {
	l.enter()
	l.mu.Lock()
	l.gets++
	l.mu.Unlock()
	return l.MemLog.Get(ctx, key)
}

func (l *gatedLog) Put(ctx context.Context, e Entry) error {
	l.enter()
	l.mu.Lock()
	l.puts++
	l.mu.Unlock()
	return l.MemLog.Put(ctx, e)
}

func (l *gatedLog) state() (inFlight, peak, gets, puts int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inFlight, l.peak, l.gets, l.puts
}

// TestLogCallsAreBounded: many groups due at once (one per case) never
// have more than maxConcurrentLogCalls notification log calls in flight,
// and every group is still notified and logged.
func TestLogCallsAreBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const cases = 20
		log := &gatedLog{MemLog: NewMemLog(), release: make(chan struct{})}
		d, rec := start(t, Options{Route: newRoute(t, "receiver: care\ngroup_by: [case_id]\ngroup_wait: 0s\ngroup_interval: 1m\n"), Log: log})
		for i := range cases {
			d.Put(firing(fmt.Sprintf("c%d", i)))
		}
		synctest.Wait()
		inFlight, _, _, _ := log.state()
		require.Equal(t, maxConcurrentLogCalls, inFlight, "got %d log calls in flight, want the bound", inFlight)
		close(log.release)
		synctest.Wait()
		_, peak, gets, puts := log.state()
		require.Equal(t, maxConcurrentLogCalls, peak)
		require.Equal(t, cases, gets)
		require.Equal(t, cases, puts)
		require.Len(t, rec.take(), cases)
	})
}
