package route

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigia-dev/vigia/alerts/alert"
)

// Defaults for the root route's timers, the same as Alertmanager's.
const (
	DefaultGroupWait      = 30 * time.Second
	DefaultGroupInterval  = 5 * time.Minute
	DefaultRepeatInterval = 4 * time.Hour
)

// GroupByAll as the only group_by entry makes every label set its own group.
const GroupByAll = "..."

// Config is one node of the routing tree as written in the configuration.
// Pointer and nil-slice fields are unset when absent and then inherit.
type Config struct {
	// Receiver names where matching alerts are sent.
	Receiver string `yaml:"receiver"`
	// Matchers select the alerts this route takes: "brand=acme",
	// `priority=~"urgent|influencer"`.
	Matchers []string `yaml:"matchers"`
	// Continue lets the alert go on to the following siblings after this
	// route matched.
	Continue bool `yaml:"continue"`
	// GroupBy lists the labels that split alerts into groups.
	GroupBy []string `yaml:"group_by"`
	// GroupWait is how long a new group waits before its first
	// notification; 0 notifies at once.
	GroupWait *time.Duration `yaml:"group_wait"`
	// GroupInterval is how long a group waits between notifications of
	// changes.
	GroupInterval *time.Duration `yaml:"group_interval"`
	// RepeatInterval is how long before an unchanged group is notified
	// again.
	RepeatInterval *time.Duration `yaml:"repeat_interval"`
	// MuteTimeIntervals name the intervals when notifications are held.
	MuteTimeIntervals []string `yaml:"mute_time_intervals"`
	// ActiveTimeIntervals name the intervals outside of which
	// notifications are held; empty means always active.
	ActiveTimeIntervals []string `yaml:"active_time_intervals"`
	// Routes are the children, tried in order.
	Routes []Config `yaml:"routes"`
}

// Validate reports every problem in the tree, each naming its path from
// the root (routes[1].matchers[0]), the bad value and what is expected.
// receivers and timeIntervals are the names defined elsewhere in the
// configuration that routes may refer to.
func (c Config) Validate(receivers, timeIntervals []string) error {
	var errs []error
	if c.Receiver == "" {
		errs = append(errs, errors.New("receiver: the root route must name a receiver"))
	}
	if len(c.Matchers) > 0 {
		errs = append(errs, errors.New("matchers: the root route matches every alert and must have none"))
	}
	if c.Continue {
		errs = append(errs, errors.New("continue: the root route has no siblings and must not set continue"))
	}
	v := validator{receivers: receivers, intervals: timeIntervals}
	v.walk(c, "", &errs)
	return errors.Join(errs...)
}

type validator struct {
	receivers, intervals []string
}

func (v validator) walk(c Config, path string, errs *[]error) {
	at := func(field string) string {
		if path == "" {
			return field
		}
		return path + "." + field
	}
	add := func(field, format string, args ...any) {
		*errs = append(*errs, fmt.Errorf("%s: "+format, append([]any{at(field)}, args...)...))
	}
	if c.Receiver != "" && !slices.Contains(v.receivers, c.Receiver) {
		add("receiver", "%q: no receiver with that name", c.Receiver)
	}
	for i, s := range c.Matchers {
		if _, err := alert.ParseMatcher(s); err != nil {
			*errs = append(*errs, fmt.Errorf("%s: %w", at(fmt.Sprintf("matchers[%d]", i)), err))
		}
	}
	v.groupBy(c.GroupBy, at("group_by"), errs)
	if c.GroupWait != nil && *c.GroupWait < 0 {
		add("group_wait", "%q: must not be negative", c.GroupWait.String())
	}
	if c.GroupInterval != nil && *c.GroupInterval <= 0 {
		add("group_interval", "%q: must be positive", c.GroupInterval.String())
	}
	if c.RepeatInterval != nil && *c.RepeatInterval <= 0 {
		add("repeat_interval", "%q: must be positive", c.RepeatInterval.String())
	}
	for i, name := range c.MuteTimeIntervals {
		if !slices.Contains(v.intervals, name) {
			add(fmt.Sprintf("mute_time_intervals[%d]", i), "%q: no time interval with that name", name)
		}
	}
	for i, name := range c.ActiveTimeIntervals {
		if !slices.Contains(v.intervals, name) {
			add(fmt.Sprintf("active_time_intervals[%d]", i), "%q: no time interval with that name", name)
		}
	}
	for i, child := range c.Routes {
		v.walk(child, at(fmt.Sprintf("routes[%d]", i)), errs)
	}
}

func (validator) groupBy(names []string, path string, errs *[]error) {
	for i, name := range names {
		at := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case name == GroupByAll && len(names) > 1:
			*errs = append(*errs, fmt.Errorf("%s: %q: must be the only entry", at, name))
		case name == GroupByAll:
		case !validName(name):
			*errs = append(*errs, fmt.Errorf("%s: %q: must be a label name matching [a-zA-Z_][a-zA-Z0-9_]*", at, name))
		case slices.Contains(names[:i], name):
			*errs = append(*errs, fmt.Errorf("%s: %q: listed twice", at, name))
		}
	}
}

func validName(s string) bool {
	_, err := alert.NewMatcher(s, alert.OpEqual, "")
	return err == nil
}
