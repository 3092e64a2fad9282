package inhibit

import (
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/vigia-dev/vigia/alerts/alert"
)

// Rule is one inhibition rule as written in the configuration.
type Rule struct {
	// SourceMatchers select the alerts that mute, such as rule=outage.
	SourceMatchers []string `yaml:"source_matchers"`
	// TargetMatchers select the alerts that may be muted.
	TargetMatchers []string `yaml:"target_matchers"`
	// Equal lists the labels that must have the same value on both.
	Equal []string `yaml:"equal"`
}

// Validate reports every problem in the rule, each naming its field.
func (r Rule) Validate() error {
	_, err := r.compile("")
	return err
}

type rule struct {
	source, target alert.Matchers
	equal          []string
}

func (r Rule) compile(path string) (rule, error) {
	at := func(field string) string {
		if path == "" {
			return field
		}
		return path + "." + field
	}
	var errs []error
	matchers := func(field string, ss []string) alert.Matchers {
		if len(ss) == 0 {
			errs = append(errs, fmt.Errorf("%s: at least one matcher is required", at(field)))
		}
		ms := make(alert.Matchers, 0, len(ss))
		for i, s := range ss {
			m, err := alert.ParseMatcher(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s[%d]: %w", at(field), i, err))
				continue
			}
			ms = append(ms, m)
		}
		return ms
	}
	out := rule{
		source: matchers("source_matchers", r.SourceMatchers),
		target: matchers("target_matchers", r.TargetMatchers),
		equal:  slices.Clone(r.Equal),
	}
	for i, name := range r.Equal {
		if _, err := alert.NewMatcher(name, alert.OpEqual, ""); err != nil {
			errs = append(errs, fmt.Errorf("%s[%d]: %w", at("equal"), i, err))
		}
	}
	return out, errors.Join(errs...)
}

// Inhibitor applies a list of rules. It is read-only once built.
type Inhibitor struct {
	rules []rule
}

// New compiles the rules; errors name each rule's path as
// inhibit_rules[i].field.
func New(rules []Rule) (*Inhibitor, error) {
	inh := &Inhibitor{}
	var errs []error
	for i, r := range rules {
		c, err := r.compile(fmt.Sprintf("inhibit_rules[%d]", i))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		inh.rules = append(inh.rules, c)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return inh, nil
}

// Mutes reports whether one of active, firing at now, inhibits an alert
// with the target labels, and which one. For many targets, take a
// [Inhibitor.Snapshot] once instead.
func (i *Inhibitor) Mutes(target map[string]string, active []alert.Alert, now time.Time) (bool, alert.Fingerprint) {
	return i.Snapshot(slices.Values(active), now).Mutes(target)
}

// Snapshot indexes the alerts of active that fire at now by rule and equal
// label values.
func (i *Inhibitor) Snapshot(active iter.Seq[alert.Alert], now time.Time) *Snapshot {
	s := &Snapshot{rules: i.rules, index: make([]map[string]sources, len(i.rules))}
	for k := range s.index {
		s.index[k] = map[string]sources{}
	}
	for a := range active {
		if len(i.rules) == 0 {
			break
		}
		if a.Resolved(now) {
			continue
		}
		if !a.EndsAt.IsZero() && (s.validUntil.IsZero() || a.EndsAt.Before(s.validUntil)) {
			s.validUntil = a.EndsAt
		}
		for k, r := range i.rules {
			if !r.source.Matches(a.Labels) {
				continue
			}
			key := equalKey(r.equal, a.Labels)
			src, ok := s.index[k][key]
			if !ok {
				src.any = a.Fingerprint()
			}
			if !src.hasOneSided && !r.target.Matches(a.Labels) {
				src.oneSided, src.hasOneSided = a.Fingerprint(), true
			}
			s.index[k][key] = src
		}
	}
	return s
}

// Snapshot is the firing alerts indexed for the rules at one moment.
type Snapshot struct {
	rules      []rule
	index      []map[string]sources // per rule, by equal label values
	validUntil time.Time
}

// sources remembers, for one rule and one set of equal values, a firing
// source and, if there is one, a source that does not also match the
// target side.
type sources struct {
	any, oneSided alert.Fingerprint
	hasOneSided   bool
}

// ValidAt reports whether the snapshot still describes the same firing
// alerts at now, given no new reports: none of them has reached its EndsAt.
func (s *Snapshot) ValidAt(now time.Time) bool {
	return s.validUntil.IsZero() || now.Before(s.validUntil)
}

// Mutes reports whether the snapshot holds a firing alert that inhibits
// an alert with the target labels, and that alert's fingerprint.
func (s *Snapshot) Mutes(target map[string]string) (bool, alert.Fingerprint) {
	for k, r := range s.rules {
		if !r.target.Matches(target) {
			continue
		}
		src, ok := s.index[k][equalKey(r.equal, target)]
		if !ok {
			continue
		}
		if !r.source.Matches(target) {
			return true, src.any
		}
		// Both sides: only an alert that is purely a source counts, so
		// two-sided alerts never mute each other or themselves.
		if src.hasOneSided {
			return true, src.oneSided
		}
	}
	return false, 0
}

func equalKey(names []string, labels map[string]string) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(labels[n])
		b.WriteByte(0xff) // never inside a UTF-8 label value
	}
	return b.String()
}
