package dispatch

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/inhibit"
	"github.com/vigia-dev/vigia/alerts/route"
	"github.com/vigia-dev/vigia/alerts/timeinterval"
)

// Kind says why a group is notified, so that a receiver knows whether to
// create a post, edit it or bring it back to attention.
type Kind string

// The kinds of notification.
const (
	// KindFirst is a group's first notification: create a post.
	KindFirst Kind = "first"
	// KindUpdate means alerts were added or resolved: edit the post.
	KindUpdate Kind = "update"
	// KindRepeat means nothing changed for repeat_interval: remind.
	KindRepeat Kind = "repeat"
)

// Group is one notification: the current content of one post.
type Group struct {
	// Key identifies the group: the route's ID and the group labels. Alerts
	// with the same key always land in the same group.
	Key string
	// ID identifies the post: it stays the same from the first
	// notification until the one that shows no firing alert, and changes
	// when the key fires again after that.
	ID string
	// Version numbers the notifications of one ID from 1; together they
	// make an idempotency key for delivery.
	Version uint64
	// Kind says why the group is notified.
	Kind Kind
	// Receiver names where the group goes.
	Receiver string
	// RouteID is the ID of the route the group belongs to.
	RouteID string
	// Labels are the group labels: the route's group_by labels and their
	// values.
	Labels map[string]string
	// CommonLabels are the labels every alert in Alerts shares.
	CommonLabels map[string]string
	// Alerts are the firing alerts that are not muted, then the alerts
	// resolved since the last notification; each part oldest first.
	Alerts []alert.Alert
}

// Firing counts the alerts of g that have not resolved at now.
func (g Group) Firing(now time.Time) int {
	n := 0
	for _, a := range g.Alerts {
		if !a.Resolved(now) {
			n++
		}
	}
	return n
}

// Notifier delivers groups, for instance into the durable outbox. Notify is
// called for one group at a time and its context ends after the route's
// group_interval. An error keeps the group's state, so the same change is
// notified again at the next group_interval.
type Notifier interface {
	Notify(ctx context.Context, g Group) error
}

// Silencer reports whether a silence mutes an alert; *silence.Silencer is
// one.
type Silencer interface {
	Mutes(labels map[string]string, now time.Time) (bool, []string)
}

// Options configure a [Dispatcher]. Route and Notifier are required.
type Options struct {
	// Route is the routing tree.
	Route *route.Route
	// Notifier receives the groups.
	Notifier Notifier
	// Silencer mutes silenced alerts; nil mutes none.
	Silencer Silencer
	// Inhibitor mutes inhibited alerts; nil mutes none.
	Inhibitor *inhibit.Inhibitor
	// TimeIntervals holds every interval the routes name.
	TimeIntervals timeinterval.Set
	// Log remembers what each group last showed; nil keeps it in memory.
	Log Log
	// Clock tells the time; nil uses the system clock.
	Clock Clock
	// Logger receives notification failures; nil discards them.
	Logger *slog.Logger
}

// maxConcurrentLogCalls bounds the notification log calls (Get and Put) in
// flight at once. Each group is flushed in its own goroutine, and a
// persistent log shares the ClickHouse connection pool (10 connections by
// default) with the message writer: when many groups are due together, say
// one per urgent case at 100 new cases a second, unbounded log calls take
// every connection and stall ingest, which delays every alert behind it.
const maxConcurrentLogCalls = 4

// Dispatcher groups alerts and notifies the groups on their timers. Put
// may be called from any goroutine, before or while Run runs.
type Dispatcher struct {
	root      *route.Route
	notifier  Notifier
	silencer  Silencer
	inhibitor *inhibit.Inhibitor
	intervals timeinterval.Set
	log       Log
	clock     Clock
	logger    *slog.Logger
	wake      chan struct{}
	logCalls  chan struct{} // a token per log call in flight

	mu      sync.Mutex
	groups  map[string]*group
	queue   queue                             // groups waiting for a flush, soonest first
	firing  map[alert.Fingerprint]alert.Alert // every firing alert, for inhibition
	gen     uint64                            // bumped whenever firing changes
	snap    *inhibit.Snapshot
	snapGen uint64
}

// New checks the options and returns a Dispatcher; call Run to start
// notifying.
func New(opts Options) (*Dispatcher, error) {
	var errs []error
	if opts.Route == nil {
		errs = append(errs, errors.New("route: required"))
	}
	if opts.Notifier == nil {
		errs = append(errs, errors.New("notifier: required"))
	}
	if opts.Route != nil {
		opts.Route.Walk(func(r *route.Route) {
			for _, name := range slices.Concat(r.MuteTimeIntervals, r.ActiveTimeIntervals) {
				if opts.TimeIntervals[name] == nil {
					errs = append(errs, fmt.Errorf("route %s: time interval %q: not defined", r.ID, name))
				}
			}
		})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("new dispatcher: %w", err)
	}
	d := &Dispatcher{
		root:      opts.Route,
		notifier:  opts.Notifier,
		silencer:  opts.Silencer,
		inhibitor: opts.Inhibitor,
		intervals: opts.TimeIntervals,
		log:       opts.Log,
		clock:     opts.Clock,
		logger:    opts.Logger,
		wake:      make(chan struct{}, 1),
		logCalls:  make(chan struct{}, maxConcurrentLogCalls),
		groups:    map[string]*group{},
		firing:    map[alert.Fingerprint]alert.Alert{},
	}
	if d.log == nil {
		d.log = NewMemLog()
	}
	if d.clock == nil {
		d.clock = SystemClock{}
	}
	if d.logger == nil {
		d.logger = slog.New(slog.DiscardHandler)
	}
	return d, nil
}

// group is the dispatcher's state for one group key. The fields above the
// line are guarded by Dispatcher.mu; the ones below are touched only by the
// single flush in flight for the group.
type group struct {
	key      string
	route    *route.Route
	labels   map[string]string
	alerts   map[alert.Fingerprint]alert.Alert
	next     time.Time // when the next flush is due
	index    int       // in the queue; -1 while a flush is in flight
	flushed  bool      // the first group_wait is over
	inflight bool

	loaded bool  // last was read from the log
	last   Entry // the last notification; zero GroupID when none
}

// Put adds or updates alerts. An alert already in a group (same labels) is
// merged with its earlier report, never added twice.
func (d *Dispatcher) Put(alerts ...alert.Alert) {
	now := d.clock.Now()
	type routed struct {
		a      alert.Alert
		fp     alert.Fingerprint
		routes []*route.Route
		keys   []string
	}
	in := make([]routed, len(alerts))
	for i, a := range alerts {
		rs := d.root.Match(a.Labels)
		keys := make([]string, len(rs))
		for j, r := range rs {
			keys[j] = r.GroupKey(a.Labels)
		}
		in[i] = routed{a: a.Clone(), fp: a.Fingerprint(), routes: rs, keys: keys}
	}

	wake := false
	d.mu.Lock()
	for _, x := range in {
		d.track(x.fp, x.a, now)
		for j, r := range x.routes {
			g := d.groups[x.keys[j]]
			if g == nil {
				g = &group{
					key:    x.keys[j],
					route:  r,
					labels: r.GroupLabels(x.a.Labels),
					alerts: map[alert.Fingerprint]alert.Alert{},
					next:   now.Add(r.GroupWait),
				}
				d.groups[g.key] = g
				heap.Push(&d.queue, g)
				wake = true
			}
			a := x.a
			if prev, ok := g.alerts[x.fp]; ok {
				a = alert.Merge(prev, a, now)
			}
			g.alerts[x.fp] = a
			// An alert that began more than group_wait ago has waited
			// enough (say, it was re-sent after a restart).
			if !g.flushed && !g.inflight && !a.StartsAt.IsZero() && !a.StartsAt.Add(r.GroupWait).After(now) && g.next.After(now) {
				g.next = now
				heap.Fix(&d.queue, g.index)
				wake = true
			}
		}
	}
	d.mu.Unlock()
	if wake {
		d.poke()
	}
}

// track keeps the set of firing alerts that inhibition looks at.
func (d *Dispatcher) track(fp alert.Fingerprint, a alert.Alert, now time.Time) {
	prev, ok := d.firing[fp]
	if ok {
		a = alert.Merge(prev, a, now)
	}
	if a.Resolved(now) {
		if ok {
			delete(d.firing, fp)
			d.gen++
		}
		return
	}
	d.firing[fp] = a
	d.gen++
}

func (d *Dispatcher) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run flushes groups as their timers come due until ctx ends, then waits
// for the flushes in flight and returns nil.
func (d *Dispatcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		d.mu.Lock()
		now := d.clock.Now()
		var due []*group
		for d.queue.Len() > 0 && !d.queue[0].next.After(now) {
			g := heap.Pop(&d.queue).(*group)
			g.inflight = true
			due = append(due, g)
		}
		wait := time.Duration(-1)
		if d.queue.Len() > 0 {
			wait = d.queue[0].next.Sub(now)
		}
		d.mu.Unlock()

		for _, g := range due {
			wg.Go(func() { d.flush(ctx, g, now) })
		}
		var fire <-chan time.Time
		stop := func() bool { return false }
		if wait >= 0 {
			fire, stop = d.clock.NewTimer(wait)
		}
		select {
		case <-ctx.Done():
			stop()
			return nil
		case <-d.wake:
		case <-fire:
		}
		stop()
	}
}

// flush decides whether g is notified now, notifies it and reschedules it.
// Only one flush per group runs at a time.
func (d *Dispatcher) flush(ctx context.Context, g *group, tick time.Time) {
	r := g.route
	if !g.loaded {
		d.load(ctx, g)
	}
	now := d.clock.Now()
	var done []member // resolved alerts that may now leave the group
	if !d.timeMuted(r, now) {
		n, resolved := d.prepare(g, now)
		done = resolved
		if n != nil && d.notify(ctx, g, n, now) != nil {
			done = nil
		}
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	for _, m := range done {
		// Unless a newer report came in meanwhile.
		if cur, ok := g.alerts[m.fp]; ok && cur.UpdatedAt.Equal(m.a.UpdatedAt) && cur.Resolved(now) {
			delete(g.alerts, m.fp)
		}
	}
	g.flushed = true
	g.inflight = false
	if len(g.alerts) == 0 {
		delete(d.groups, g.key)
		return
	}
	g.next = tick.Add(r.GroupInterval)
	heap.Push(&d.queue, g)
	d.poke()
}

// load reads what the group last showed before a restart. A failing log
// means a possible duplicate post, never a lost one.
func (d *Dispatcher) load(ctx context.Context, g *group) {
	var e Entry
	var ok bool
	err := d.withLog(ctx, func() (err error) {
		e, ok, err = d.log.Get(ctx, g.key)
		return err
	})
	if err != nil {
		d.logger.Warn("read notification log", "group_key", g.key, "err", err)
		return
	}
	g.loaded = true
	if ok {
		g.last = e
	}
}

// withLog runs one log call once fewer than maxConcurrentLogCalls are in
// flight.
func (d *Dispatcher) withLog(ctx context.Context, call func() error) error {
	select {
	case d.logCalls <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("wait for the notification log: %w", ctx.Err())
	}
	defer func() { <-d.logCalls }()
	return call()
}

// member is an alert of a group with its fingerprint.
type member struct {
	fp alert.Fingerprint
	a  alert.Alert
}

// notification is a group about to be notified.
type notification struct {
	group  Group
	firing []alert.Fingerprint
}

// prepare builds the notification the group needs now, or nil, and lists
// its resolved alerts, which can leave the group once the notification is
// delivered (at once when there is none).
func (d *Dispatcher) prepare(g *group, now time.Time) (*notification, []member) {
	d.mu.Lock()
	all := make([]member, 0, len(g.alerts))
	for fp, a := range g.alerts {
		all = append(all, member{fp, a})
	}
	var snap *inhibit.Snapshot
	if d.inhibitor != nil {
		snap = d.inhibition(now)
	}
	d.mu.Unlock()

	shown := make(map[alert.Fingerprint]bool, len(g.last.Firing))
	for _, fp := range g.last.Firing {
		shown[fp] = true
	}
	var firing, resolved, done []member
	added := false
	for _, m := range all {
		if m.a.Resolved(now) {
			done = append(done, m)
			if shown[m.fp] {
				resolved = append(resolved, m)
			}
			continue
		}
		if d.muted(m.a.Labels, snap, now) {
			continue
		}
		firing = append(firing, m)
		added = added || !shown[m.fp]
	}
	live := len(g.last.Firing) > 0
	repeat := live && len(firing) > 0 && !now.Before(g.last.At.Add(g.route.RepeatInterval))
	if !added && len(resolved) == 0 && !repeat {
		return nil, done
	}
	sortMembers(firing)
	sortMembers(resolved)
	n := &notification{group: Group{
		Key:      g.key,
		ID:       g.last.GroupID,
		Version:  g.last.Version + 1,
		Kind:     KindUpdate,
		Receiver: g.route.Receiver,
		RouteID:  g.route.ID,
		Labels:   maps.Clone(g.labels),
		Alerts:   make([]alert.Alert, 0, len(firing)+len(resolved)),
	}}
	for _, m := range firing {
		n.group.Alerts = append(n.group.Alerts, m.a)
		n.firing = append(n.firing, m.fp)
	}
	for _, m := range resolved {
		n.group.Alerts = append(n.group.Alerts, m.a)
	}
	switch {
	case !live:
		n.group.ID, n.group.Version, n.group.Kind = groupID(g.key, now), 1, KindFirst
	case !added && len(resolved) == 0:
		n.group.Kind = KindRepeat
	}
	n.group.CommonLabels = commonLabels(n.group.Alerts)
	return n, done
}

func (d *Dispatcher) notify(ctx context.Context, g *group, n *notification, now time.Time) error {
	nctx, cancel := context.WithTimeout(ctx, g.route.GroupInterval)
	defer cancel()
	if err := d.notifier.Notify(nctx, n.group); err != nil {
		d.logger.Warn("notify group", "group_key", g.key, "receiver", n.group.Receiver, "err", err)
		return err
	}
	e := Entry{GroupKey: g.key, GroupID: n.group.ID, Version: n.group.Version, Firing: n.firing, At: now}
	g.last = e
	if err := d.withLog(ctx, func() error { return d.log.Put(ctx, e) }); err != nil {
		d.logger.Warn("write notification log", "group_key", g.key, "err", err)
	}
	return nil
}

// inhibition returns a snapshot of the firing alerts, rebuilt only when
// they changed or one of them ended. Called with d.mu held.
func (d *Dispatcher) inhibition(now time.Time) *inhibit.Snapshot {
	if d.snap != nil && d.snapGen == d.gen && d.snap.ValidAt(now) {
		return d.snap
	}
	for fp, a := range d.firing {
		if a.Resolved(now) {
			delete(d.firing, fp)
		}
	}
	d.snap = d.inhibitor.Snapshot(maps.Values(d.firing), now)
	d.snapGen = d.gen
	return d.snap
}

func (d *Dispatcher) muted(labels map[string]string, snap *inhibit.Snapshot, now time.Time) bool {
	if d.silencer != nil {
		if muted, _ := d.silencer.Mutes(labels, now); muted {
			return true
		}
	}
	if snap != nil {
		if muted, _ := snap.Mutes(labels); muted {
			return true
		}
	}
	return false
}

// timeMuted reports whether the route holds notifications at now.
func (d *Dispatcher) timeMuted(r *route.Route, now time.Time) bool {
	for _, name := range r.MuteTimeIntervals {
		if d.intervals[name].Contains(now) {
			return true
		}
	}
	if len(r.ActiveTimeIntervals) == 0 {
		return false
	}
	for _, name := range r.ActiveTimeIntervals {
		if d.intervals[name].Contains(now) {
			return false
		}
	}
	return true
}

func sortMembers(ms []member) {
	slices.SortFunc(ms, func(a, b member) int {
		return cmp.Or(a.a.StartsAt.Compare(b.a.StartsAt), cmp.Compare(a.fp, b.fp))
	})
}

func commonLabels(as []alert.Alert) map[string]string {
	if len(as) == 0 {
		return map[string]string{}
	}
	common := maps.Clone(as[0].Labels)
	for _, a := range as[1:] {
		maps.DeleteFunc(common, func(k, v string) bool { return a.Labels[k] != v })
	}
	return common
}

// groupID names a post: the group key and the moment its first
// notification was made.
func groupID(key string, at time.Time) string {
	return alert.LabelsFingerprint(map[string]string{"key": key, "at": at.UTC().Format(time.RFC3339Nano)}).String()
}

// Groups returns a snapshot of every group the dispatcher holds: each with
// its key, receiver, labels and all its alerts (muted ones included, firing
// first), and the ID and version of its last notification, if any. It is
// for the API; it sends nothing.
func (d *Dispatcher) Groups() []Group {
	now := d.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Group, 0, len(d.groups))
	for _, g := range d.groups {
		var firing, resolved []member
		for fp, a := range g.alerts {
			if a.Resolved(now) {
				resolved = append(resolved, member{fp, a.Clone()})
			} else {
				firing = append(firing, member{fp, a.Clone()})
			}
		}
		sortMembers(firing)
		sortMembers(resolved)
		grp := Group{
			Key: g.key, Receiver: g.route.Receiver, RouteID: g.route.ID, Labels: maps.Clone(g.labels),
			Alerts: make([]alert.Alert, 0, len(firing)+len(resolved)),
		}
		if !g.inflight {
			grp.ID, grp.Version = g.last.GroupID, g.last.Version
		}
		for _, m := range slices.Concat(firing, resolved) {
			grp.Alerts = append(grp.Alerts, m.a)
		}
		grp.CommonLabels = commonLabels(grp.Alerts)
		out = append(out, grp)
	}
	slices.SortFunc(out, func(a, b Group) int { return cmp.Compare(a.Key, b.Key) })
	return out
}
