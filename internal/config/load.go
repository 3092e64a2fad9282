package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	notifylog "github.com/vigia-dev/vigia/alerts/notify/log"
	notifymattermost "github.com/vigia-dev/vigia/alerts/notify/mattermost"
	notifytelegram "github.com/vigia-dev/vigia/alerts/notify/telegram"
	notifywebhook "github.com/vigia-dev/vigia/alerts/notify/webhook"
	"github.com/vigia-dev/vigia/collectors/replay"
	"github.com/vigia-dev/vigia/collectors/simulate"
	"github.com/vigia-dev/vigia/collectors/webhook"
	"github.com/vigia-dev/vigia/internal/message"
)

// MaxFileBytes bounds the size of a configuration file.
const MaxFileBytes = 4 << 20

// LoadFile reads, decodes and validates the file at path. Relative paths in
// it resolve against the file's directory. The error lists every problem.
func LoadFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolve config path: %w", err)
	}
	cfg, err := Load(data, filepath.Dir(abs))
	if err != nil {
		return nil, fmt.Errorf("config %s:\n%w", path, err)
	}
	return cfg, nil
}

// Load decodes and validates a configuration from data; baseDir is where
// relative paths resolve. Unknown keys and invalid values are all reported
// in one joined error.
func Load(data []byte, baseDir string) (*Config, error) {
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("config is %d bytes; at most %d allowed", len(data), MaxFileBytes)
	}
	cfg := Default()
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("config is empty: want at least a brands list")
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse yaml: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, errors.New("config is empty: want at least a brands list")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: config must be a mapping of keys such as brands, clickhouse, collectors", root.Line)
	}
	errs := unknownKeys(root, reflect.TypeOf(cfg), "")
	if err := root.Decode(&cfg); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, fmt.Errorf("decode config: %w", err)
		}
		for _, e := range te.Errors {
			errs = append(errs, errors.New(strings.TrimPrefix(e, "yaml: ")))
		}
	}
	if len(errs) > 0 {
		// Types are wrong: validating half-decoded values would only add noise.
		return nil, errors.Join(errs...)
	}
	cfg.resolvePaths(baseDir)
	cfg.fillDerived()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// resolvePaths makes every relative path absolute against baseDir.
func (c *Config) resolvePaths(baseDir string) {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(baseDir, *p)
		}
	}
	abs(&c.DataDir)
	abs(&c.NATS.StoreDir)
	abs(&c.NATS.CredentialsFile)
	abs(&c.ClickHouse.PasswordFile)
	for i := range c.Collectors.Replay {
		abs(&c.Collectors.Replay[i].Path)
	}
	for i := range c.Collectors.Webhook {
		abs(&c.Collectors.Webhook[i].SecretFile)
	}
	abs(&c.Alerts.ActionKeyFile)
	abs(&c.Alerts.APITokenFile)
	for i := range c.Brands {
		abs(&c.Brands[i].BusinessHours.HolidaysICal)
	}
	for i := range c.Alerts.Receivers.Webhook {
		abs(&c.Alerts.Receivers.Webhook[i].SecretFile)
	}
	for i := range c.Alerts.Acknowledgements.Acknowledge {
		abs(&c.Alerts.Acknowledgements.Acknowledge[i].Webhook.SecretFile)
	}
	for i := range c.Alerts.Receivers.Telegram {
		abs(&c.Alerts.Receivers.Telegram[i].BotTokenFile)
	}
	for i := range c.Alerts.Receivers.Mattermost {
		abs(&c.Alerts.Receivers.Mattermost[i].BotTokenFile)
	}
	if c.NATS.StoreDir == "" && c.DataDir != "" {
		c.NATS.StoreDir = filepath.Join(c.DataDir, "nats")
	}
}

// fillDerived fills collector settings that come from the top-level brands:
// the simulator's brands when it names none, and the handle-to-brand maps.
func (c *Config) fillDerived() {
	c.Alerts.fillDefaults()
	for i := range c.Collectors.Simulate {
		s := &c.Collectors.Simulate[i]
		if len(s.Brands) == 0 {
			s.Brands = c.SimulateBrands(s.Channel)
		}
	}
	for i := range c.Collectors.Replay {
		r := &c.Collectors.Replay[i]
		m := c.HandleToBrand(message.ChannelX)
		for h, b := range r.HandleToBrand {
			m[h] = b
		}
		r.HandleToBrand = m
		if r.DefaultBrand == replay.DefaultConfig().DefaultBrand && len(c.Brands) > 0 {
			r.DefaultBrand = c.Brands[0].Name
		}
	}
}

// SimulateBrands returns the configured brands as the simulator's brands
// on channel ch: each with its first handle there, or its name without one.
func (c *Config) SimulateBrands(ch message.Channel) []simulate.Brand {
	out := make([]simulate.Brand, 0, len(c.Brands))
	for _, b := range c.Brands {
		h := b.Name
		if hs := b.Handles[ch]; len(hs) > 0 {
			h = strings.TrimPrefix(hs[0], "@")
		}
		out = append(out, simulate.Brand{Name: b.Name, Handle: h})
	}
	return out
}

// UnmarshalYAML decodes each collector entry over that collector's defaults.
func (c *Collectors) UnmarshalYAML(n *yaml.Node) error {
	var raw struct {
		Replay   []yaml.Node `yaml:"replay"`
		Webhook  []yaml.Node `yaml:"webhook"`
		Simulate []yaml.Node `yaml:"simulate"`
	}
	if err := n.Decode(&raw); err != nil {
		return err
	}
	var errs []error
	c.Replay = decodeEach(raw.Replay, replay.DefaultConfig, &errs)
	c.Webhook = decodeEach(raw.Webhook, webhook.DefaultConfig, &errs)
	c.Simulate = decodeEach(raw.Simulate, func() simulate.Config {
		d := simulate.DefaultConfig()
		d.Brands = nil // the top-level brands, filled by fillDerived
		return d
	}, &errs)
	return typeErrors(errs)
}

// typeErrors joins decoding errors into one *yaml.TypeError, or nil.
func typeErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	te := &yaml.TypeError{}
	for _, e := range errs {
		var t *yaml.TypeError
		if errors.As(e, &t) {
			te.Errors = append(te.Errors, t.Errors...)
		} else {
			te.Errors = append(te.Errors, e.Error())
		}
	}
	return te
}

func decodeEach[T any](nodes []yaml.Node, def func() T, errs *[]error) []T {
	out := make([]T, 0, len(nodes))
	for i := range nodes {
		v := def()
		if err := nodes[i].Decode(&v); err != nil {
			*errs = append(*errs, err)
		}
		out = append(out, v)
	}
	return out
}

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

// unknownKeys walks n against the Go type t and reports every mapping key
// that t does not declare, naming its path and the keys that are allowed.
func unknownKeys(n *yaml.Node, t reflect.Type, path string) []error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := yamlFields(t)
		var errs []error
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			if key.Value == "<<" {
				errs = append(errs, unknownKeys(val, t, path)...)
				continue
			}
			ft, ok := fields[key.Value]
			if !ok {
				errs = append(errs, fmt.Errorf("%s: unknown key (line %d); known keys: %s", join(path, key.Value), key.Line, strings.Join(sortedKeys(fields), ", ")))
				continue
			}
			errs = append(errs, unknownKeys(val, ft, join(path, key.Value))...)
		}
		return errs
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		var errs []error
		for i := 0; i+1 < len(n.Content); i += 2 {
			errs = append(errs, unknownKeys(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value))...)
		}
		return errs
	case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && n.Kind == yaml.SequenceNode:
		var errs []error
		for i, c := range n.Content {
			errs = append(errs, unknownKeys(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return errs
	}
	return nil
}

// yamlFields maps the yaml keys of struct t (with inlined structs) to types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			for k, v := range yamlFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func sortedKeys(m map[string]reflect.Type) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// UnmarshalYAML decodes each receiver entry over that receiver's defaults.
func (r *Receivers) UnmarshalYAML(n *yaml.Node) error {
	var raw struct {
		Log        []yaml.Node `yaml:"log"`
		Webhook    []yaml.Node `yaml:"webhook"`
		Telegram   []yaml.Node `yaml:"telegram"`
		Mattermost []yaml.Node `yaml:"mattermost"`
	}
	if err := n.Decode(&raw); err != nil {
		return err
	}
	var errs []error
	r.Log = decodeEach(raw.Log, func() notifylog.Config { return notifylog.Config{} }, &errs)
	r.Webhook = decodeEach(raw.Webhook, notifywebhook.DefaultConfig, &errs)
	r.Telegram = decodeEach(raw.Telegram, notifytelegram.DefaultConfig, &errs)
	r.Mattermost = decodeEach(raw.Mattermost, notifymattermost.DefaultConfig, &errs)
	return typeErrors(errs)
}
