package rules

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/vigia-dev/vigia/alerts/cases"
	"github.com/vigia-dev/vigia/alerts/sla"
	"github.com/vigia-dev/vigia/internal/message"
)

// Rule names, the value of the rule label.
const (
	RuleUrgent              = "urgent"
	RuleInfluencerComplaint = "influencer_complaint"
	RuleTrollStorm          = "troll_storm"
	RuleSLAWarning          = "sla_warning"
	RuleSLABreach           = "sla_breach"
	RuleEscalation          = "escalation"
)

// Labels the rules add besides alert's standard ones.
const (
	// LabelSLA names the SLA metric of an sla_warning, sla_breach or
	// escalation alert: first_response, next_response or resolution.
	LabelSLA = "sla"
	// LabelEscalation names the escalation step of an escalation alert.
	LabelEscalation = "escalation"
)

// Rules lists every rule name.
func Rules() []string {
	return []string{RuleUrgent, RuleInfluencerComplaint, RuleTrollStorm, RuleSLAWarning, RuleSLABreach, RuleEscalation}
}

// Defaults.
const (
	DefaultStormThreshold = 20
	DefaultStormWindow    = 10 * time.Minute
)

// Config is the alerts.rules section of the configuration.
type Config struct {
	// Disabled names rules that never fire.
	Disabled []string `yaml:"disabled"`
	// Policies are the SLA policies; a case takes the first one whose
	// brand, channel and priority match.
	Policies []Policy `yaml:"sla_policies"`
	// TrollStorm configures the troll storm rule.
	TrollStorm Storm `yaml:"troll_storm"`
}

// Policy is an SLA policy: targets and escalation steps for the cases it
// matches. Empty Brand, Channel and Priority match anything.
type Policy struct {
	// Name identifies the policy in messages and annotations.
	Name string `yaml:"name"`
	// Brand, Channel and Priority select the cases.
	Brand    string          `yaml:"brand"`
	Channel  message.Channel `yaml:"channel"`
	Priority cases.Priority  `yaml:"priority"`
	// Targets are at most one per metric.
	Targets []sla.Target `yaml:"targets"`
	// Escalations are steps taken when a breached target stays unmet.
	Escalations []Escalation `yaml:"escalations"`
}

// Escalation is one step after a breach: once After has passed since the
// breach (calendar time), an escalation alert labelled with Name fires, for
// routes to send to the on-call chat, then to a lead.
type Escalation struct {
	// Name is the escalation label's value: "oncall", "lead".
	Name string `yaml:"name"`
	// After is the delay after the breach.
	After time.Duration `yaml:"after"`
}

// Storm configures the troll storm rule: at least Threshold inbound
// messages classified as troll for one brand within Window.
type Storm struct {
	Threshold int           `yaml:"threshold"`
	Window    time.Duration `yaml:"window"`
}

// DefaultConfig returns the defaults: no SLA policy, troll storms at 20
// abusive messages in 10 minutes.
func DefaultConfig() Config {
	return Config{TrollStorm: Storm{Threshold: DefaultStormThreshold, Window: DefaultStormWindow}}
}

var labelValue = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// Validate reports every problem, each naming its field. brands are the
// configured brand names policies may refer to.
func (c Config) Validate(brands []string) error {
	var errs []error
	known := map[string]bool{}
	for _, r := range Rules() {
		known[r] = true
	}
	for i, d := range c.Disabled {
		if !known[d] {
			errs = append(errs, fmt.Errorf("disabled[%d]: %q: want one of %v", i, d, Rules()))
		}
	}
	for i, p := range c.Policies {
		if err := p.validate(brands); err != nil {
			errs = append(errs, prefix(fmt.Sprintf("sla_policies[%d]", i), err))
		}
	}
	if c.TrollStorm.Threshold < 2 {
		errs = append(errs, fmt.Errorf("troll_storm.threshold: %d: must be at least 2", c.TrollStorm.Threshold))
	}
	if c.TrollStorm.Window < time.Minute {
		errs = append(errs, fmt.Errorf("troll_storm.window: %s: must be at least 1m", c.TrollStorm.Window))
	}
	return errors.Join(errs...)
}

func (p Policy) validate(brands []string) error {
	var errs []error
	if p.Brand != "" && !contains(brands, p.Brand) {
		errs = append(errs, fmt.Errorf("brand: %q: no brand with that name (have %v)", p.Brand, brands))
	}
	if p.Channel != "" && !p.Channel.Valid() {
		errs = append(errs, fmt.Errorf("channel: %q: not a known channel", p.Channel))
	}
	if p.Priority != "" && !p.Priority.Valid() {
		errs = append(errs, fmt.Errorf("priority: %q: want one of %v", p.Priority, cases.Priorities()))
	}
	if len(p.Targets) == 0 {
		errs = append(errs, errors.New("targets: is empty: give at least one target, e.g. {metric: first_response, duration: 1h}"))
	}
	seen := map[sla.Metric]bool{}
	for i, t := range p.Targets {
		if err := t.Validate(); err != nil {
			errs = append(errs, prefix(fmt.Sprintf("targets[%d]", i), err))
		}
		if seen[t.Metric] {
			errs = append(errs, fmt.Errorf("targets[%d].metric: %q: at most one target per metric", i, t.Metric))
		}
		seen[t.Metric] = true
	}
	var last time.Duration
	for i, e := range p.Escalations {
		if !labelValue.MatchString(e.Name) {
			errs = append(errs, fmt.Errorf("escalations[%d].name: %q: want 1-32 of a-z, 0-9, _ and -", i, e.Name))
		}
		if e.After < 0 || (i > 0 && e.After <= last) {
			errs = append(errs, fmt.Errorf("escalations[%d].after: %s: must not be negative and must grow from step to step", i, e.After))
		}
		last = e.After
	}
	return errors.Join(errs...)
}

func prefix(p string, err error) error {
	var out []error
	for _, e := range unjoin(err) {
		out = append(out, fmt.Errorf("%s.%w", p, e))
	}
	return errors.Join(out...)
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	return []error{err}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
