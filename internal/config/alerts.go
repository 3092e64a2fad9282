package config

import (
	"fmt"
	"net/url"

	"github.com/vigia-dev/vigia/alerts/ack"
	"github.com/vigia-dev/vigia/alerts/cases"
	"github.com/vigia-dev/vigia/alerts/inhibit"
	notifylog "github.com/vigia-dev/vigia/alerts/notify/log"
	notifymattermost "github.com/vigia-dev/vigia/alerts/notify/mattermost"
	notifytelegram "github.com/vigia-dev/vigia/alerts/notify/telegram"
	notifywebhook "github.com/vigia-dev/vigia/alerts/notify/webhook"
	"github.com/vigia-dev/vigia/alerts/route"
	"github.com/vigia-dev/vigia/alerts/rules"
	"github.com/vigia-dev/vigia/alerts/sla"
	"github.com/vigia-dev/vigia/alerts/timeinterval"
)

// Alerts configures the alerting stage: cases, SLA rules, routing and
// receivers.
type Alerts struct {
	// Mode is on or off. Off stores messages without threading cases or
	// alerting.
	Mode string `yaml:"mode"`
	// PublicURL is how people and chat servers reach this Vigía: case
	// links and the action endpoint of chat buttons are made from it.
	// Default: http://<http.listen>.
	PublicURL string `yaml:"public_url"`
	// ActionKeyEnv / ActionKeyFile hold the key that signs chat buttons
	// (at least 16 bytes). Unset: a random key is created once and kept in
	// <data_dir>/alerts/action.key.
	ActionKeyEnv  string `yaml:"action_key_env"`
	ActionKeyFile string `yaml:"action_key_file"`
	// APITokenEnv / APITokenFile hold the bearer token of the /api/v1
	// endpoints and the silence and cases commands. Unset: the API is
	// not served.
	APITokenEnv  string `yaml:"api_token_env"`
	APITokenFile string `yaml:"api_token_file"`
	// Cases tunes threading and the case lifecycle.
	Cases cases.Config `yaml:"cases"`
	// Rules holds the SLA policies and rule settings.
	Rules rules.Config `yaml:"rules"`
	// Route is the routing tree; its root must name a receiver.
	Route route.Config `yaml:"route"`
	// InhibitRules mute alerts while others fire.
	InhibitRules []inhibit.Rule `yaml:"inhibit_rules"`
	// TimeIntervals are named for routes' active and mute intervals.
	TimeIntervals []timeinterval.Config `yaml:"time_intervals"`
	// Receivers are where alert groups go, one list per kind.
	Receivers Receivers `yaml:"receivers"`
	// Acknowledgements are the automatic replies that confirm receipt and
	// say when a person will answer (docs/acknowledgements.md).
	Acknowledgements ack.Config `yaml:"acknowledgements"`
}

// Receivers are the configured notification destinations, one list per
// kind.
type Receivers struct {
	Log        []notifylog.Config        `yaml:"log"`
	Webhook    []notifywebhook.Config    `yaml:"webhook"`
	Telegram   []notifytelegram.Config   `yaml:"telegram"`
	Mattermost []notifymattermost.Config `yaml:"mattermost"`
}

// Names returns every receiver name, in configuration order.
func (r Receivers) Names() []string {
	var out []string
	for _, x := range r.Log {
		out = append(out, x.Name)
	}
	for _, x := range r.Webhook {
		out = append(out, x.Name)
	}
	for _, x := range r.Telegram {
		out = append(out, x.Name)
	}
	for _, x := range r.Mattermost {
		out = append(out, x.Name)
	}
	return out
}

// DefaultAlerts returns the defaults: alerting off; when switched on
// without routes, everything goes to a log receiver.
func DefaultAlerts() Alerts {
	return Alerts{
		Mode:             "off",
		Cases:            cases.DefaultConfig(),
		Rules:            rules.DefaultConfig(),
		Acknowledgements: ack.DefaultConfig(),
	}
}

// On reports whether alerting runs.
func (a Alerts) On() bool { return a.Mode == "on" }

// fillDefaults gives an alerting setup without receivers a log receiver
// and a root route to it, so "mode: on" alone works.
func (a *Alerts) fillDefaults() {
	if !a.On() {
		return
	}
	if len(a.Receivers.Names()) == 0 {
		a.Receivers.Log = []notifylog.Config{{Name: "log"}}
	}
	if a.Route.Receiver == "" && len(a.Route.Routes) == 0 && len(a.Route.Matchers) == 0 {
		a.Route.Receiver = a.Receivers.Names()[0]
	}
}

func (a Alerts) validate(brands []string) []error {
	var errs []error
	add := func(prefix string, err error) { errs = append(errs, prefixed(prefix, err)...) }
	if a.Mode != "on" && a.Mode != "off" {
		errs = append(errs, fmt.Errorf("alerts.mode: %q: want on or off", a.Mode))
	}
	if a.PublicURL != "" {
		if u, err := url.Parse(a.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("alerts.public_url: %q: want an http:// or https:// URL", a.PublicURL))
		}
	}
	add("alerts.", SecretRef{Env: a.ActionKeyEnv, File: a.ActionKeyFile}.Validate("action_key", false))
	add("alerts.", SecretRef{Env: a.APITokenEnv, File: a.APITokenFile}.Validate("api_token", false))
	add("alerts.cases.", a.Cases.Validate())
	add("alerts.rules.", a.Rules.Validate(brands))
	var intervals []string
	for i, ti := range a.TimeIntervals {
		add(fmt.Sprintf("alerts.time_intervals[%d].", i), ti.Validate())
		intervals = append(intervals, ti.Name)
	}
	names := a.Receivers.Names()
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			errs = append(errs, fmt.Errorf("alerts.receivers: %q: two receivers have that name", n))
		}
		seen[n] = true
	}
	for i, r := range a.Receivers.Log {
		if r.Name == "" {
			errs = append(errs, fmt.Errorf("alerts.receivers.log[%d].name: is empty: give the receiver a name for routes to use", i))
		}
	}
	for i, r := range a.Receivers.Webhook {
		add(fmt.Sprintf("alerts.receivers.webhook[%d].", i), r.Validate())
	}
	for i, r := range a.Receivers.Telegram {
		add(fmt.Sprintf("alerts.receivers.telegram[%d].", i), r.Validate())
	}
	for i, r := range a.Receivers.Mattermost {
		add(fmt.Sprintf("alerts.receivers.mattermost[%d].", i), r.Validate())
	}
	if a.On() || a.Route.Receiver != "" || len(a.Route.Routes) > 0 {
		add("alerts.route.", a.Route.Validate(names, intervals))
	}
	add("alerts.acknowledgements.", a.Acknowledgements.Validate(brands))
	if a.Cases.AutomaticLabel == "" {
		for i, r := range a.Acknowledgements.Acknowledge {
			if r.Mode != ack.ModeOff {
				errs = append(errs, fmt.Errorf("alerts.cases.automatic_label: empty while alerts.acknowledgements.acknowledge[%d] is on: acknowledgements would count as human replies; set it back to %q", i, cases.DefaultAutomaticLabel))
				break
			}
		}
	}
	for i, r := range a.InhibitRules {
		add(fmt.Sprintf("alerts.inhibit_rules[%d].", i), r.Validate())
	}
	return errs
}

// Calendar returns the business calendar of brand b: its business_hours,
// in the brand's time zone unless they name their own; a brand without
// business hours is open around the clock.
func (b Brand) Calendar() (*sla.Calendar, error) {
	c := b.BusinessHours
	if c.TimeZone == "" {
		c.TimeZone = b.TimeZone
	}
	if len(c.Hours) == 0 && c.Mode == "" {
		c.Mode = sla.ModeAlways
	}
	if c.Mode == sla.ModeAlways && c.TimeZone == "" {
		c.TimeZone = "UTC"
	}
	cal, err := sla.NewCalendar(c)
	if err != nil {
		return nil, fmt.Errorf("brand %s business hours: %w", b.Name, err)
	}
	return cal, nil
}
