package route

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigia-dev/vigia/alerts/alert"
)

// Route is a compiled node of the routing tree with every inherited
// setting filled in. It is read-only once built.
type Route struct {
	// ID identifies the route stably across restarts and unrelated
	// configuration edits: the matchers on the path from the root, joined
	// by "/", such as {}/{brand="acme"}. Siblings with equal matchers get a
	// "#index" suffix.
	ID string
	// Receiver names where the route's groups are sent.
	Receiver string
	// Matchers select the alerts this route takes.
	Matchers alert.Matchers
	// Continue lets matching go on to the following siblings.
	Continue bool
	// GroupBy lists the grouping labels, sorted; ignored when GroupByAll.
	GroupBy []string
	// GroupByAll makes every distinct label set its own group.
	GroupByAll bool
	// GroupWait is the delay before a new group's first notification.
	GroupWait time.Duration
	// GroupInterval is the delay between notifications of a changed group.
	GroupInterval time.Duration
	// RepeatInterval is the delay before an unchanged group is sent again.
	RepeatInterval time.Duration
	// MuteTimeIntervals name the intervals when notifications are held.
	MuteTimeIntervals []string
	// ActiveTimeIntervals name the intervals outside of which
	// notifications are held; empty means always.
	ActiveTimeIntervals []string
	// Routes are the children, in order.
	Routes []*Route
}

// New validates cfg as the root of a tree (see [Config.Validate]) and
// compiles it, applying the defaults to the root and inheritance below it.
func New(cfg Config, receivers, timeIntervals []string) (*Route, error) {
	if err := cfg.Validate(receivers, timeIntervals); err != nil {
		return nil, err
	}
	gw, gi, ri := DefaultGroupWait, DefaultGroupInterval, DefaultRepeatInterval
	root := &Route{
		ID:             "{}",
		GroupBy:        []string{},
		GroupWait:      gw,
		GroupInterval:  gi,
		RepeatInterval: ri,
	}
	root.inherit(cfg)
	root.addChildren(cfg.Routes)
	return root, nil
}

// inherit applies the settings cfg sets over the ones r already holds.
func (r *Route) inherit(cfg Config) {
	if cfg.Receiver != "" {
		r.Receiver = cfg.Receiver
	}
	if cfg.GroupBy != nil {
		r.GroupByAll = slices.Equal(cfg.GroupBy, []string{GroupByAll})
		r.GroupBy = []string{}
		if !r.GroupByAll {
			r.GroupBy = slices.Clone(cfg.GroupBy)
			slices.Sort(r.GroupBy)
		}
	}
	if cfg.GroupWait != nil {
		r.GroupWait = *cfg.GroupWait
	}
	if cfg.GroupInterval != nil {
		r.GroupInterval = *cfg.GroupInterval
	}
	if cfg.RepeatInterval != nil {
		r.RepeatInterval = *cfg.RepeatInterval
	}
	if cfg.MuteTimeIntervals != nil {
		r.MuteTimeIntervals = slices.Clone(cfg.MuteTimeIntervals)
	}
	if cfg.ActiveTimeIntervals != nil {
		r.ActiveTimeIntervals = slices.Clone(cfg.ActiveTimeIntervals)
	}
}

func (r *Route) addChildren(cfgs []Config) {
	seen := map[string]bool{}
	for i, cc := range cfgs {
		ms, _ := alert.ParseMatchers(cc.Matchers) // validated by New
		child := &Route{
			Receiver:            r.Receiver,
			Matchers:            ms,
			Continue:            cc.Continue,
			GroupBy:             r.GroupBy,
			GroupByAll:          r.GroupByAll,
			GroupWait:           r.GroupWait,
			GroupInterval:       r.GroupInterval,
			RepeatInterval:      r.RepeatInterval,
			MuteTimeIntervals:   r.MuteTimeIntervals,
			ActiveTimeIntervals: r.ActiveTimeIntervals,
		}
		child.ID = r.ID + "/" + ms.String()
		if seen[child.ID] {
			child.ID += "#" + strconv.Itoa(i)
		}
		seen[child.ID] = true
		child.inherit(cc)
		child.addChildren(cc.Routes)
		r.Routes = append(r.Routes, child)
	}
}

// Match returns the routes that take an alert with these labels, in tree
// order, or nil when r itself does not match. A matching route whose
// children all fail to match takes the alert itself.
func (r *Route) Match(labels map[string]string) []*Route {
	if !r.Matchers.Matches(labels) {
		return nil
	}
	var out []*Route
	for _, child := range r.Routes {
		got := child.Match(labels)
		out = append(out, got...)
		if got != nil && !child.Continue {
			break
		}
	}
	if len(out) == 0 {
		out = []*Route{r}
	}
	return out
}

// Walk calls fn for r and every route below it, depth first.
func (r *Route) Walk(fn func(*Route)) {
	fn(r)
	for _, child := range r.Routes {
		child.Walk(fn)
	}
}

// GroupLabels returns the labels that place an alert in its group on this
// route: the group_by labels the alert has, or all of them with "...".
func (r *Route) GroupLabels(labels map[string]string) map[string]string {
	if r.GroupByAll {
		return maps.Clone(labels)
	}
	out := make(map[string]string, len(r.GroupBy))
	for _, name := range r.GroupBy {
		if v, ok := labels[name]; ok {
			out[name] = v
		}
	}
	return out
}

// GroupKey identifies the group an alert with these labels joins on this
// route: the route's ID and the group labels, such as
// {}/{brand="acme"}:{rule="urgent"}. It is stable across restarts.
func (r *Route) GroupKey(labels map[string]string) string {
	if r.GroupByAll {
		return r.ID + ":" + alert.LabelsString(labels)
	}
	// The same text as LabelsString(GroupLabels(labels)), built without
	// the intermediate map: GroupBy is sorted.
	var b strings.Builder
	b.WriteString(r.ID)
	b.WriteString(":{")
	first := true
	for _, name := range r.GroupBy {
		v, ok := labels[name]
		if !ok {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(v))
	}
	b.WriteByte('}')
	return b.String()
}

// String renders the route as its ID and receiver, for logs and errors.
func (r *Route) String() string {
	return r.ID + " -> " + r.Receiver
}
