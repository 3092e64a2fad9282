package ack

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/vigia-dev/vigia/internal/message"
)

// TestSampleConfig decodes testdata/sample.yaml strictly, as the config
// loader does, and validates it.
func TestSampleConfig(t *testing.T) {
	data, err := os.ReadFile("testdata/sample.yaml")
	require.NoError(t, err)
	cfg := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(&cfg))
	require.NoError(t, cfg.Validate([]string{"acme", "globex"}))
	require.Len(t, cfg.Acknowledge, 3)
	require.Equal(t, ModeOn, cfg.Acknowledge[0].Mode, "mode: on is the string on, not a YAML 1.1 boolean")
	require.Equal(t, ModeOff, cfg.Acknowledge[1].Mode)
	require.Equal(t, ModeOutsideHours, cfg.Acknowledge[2].Mode)
	require.Equal(t, []message.Channel{message.ChannelTelegram, message.ChannelWebhook}, cfg.Acknowledge[0].Channels)
	require.Equal(t, "ACME_REPLY_SECRET", cfg.Acknowledge[0].Webhook.SecretEnv)
	require.Equal(t, 6*time.Hour, cfg.MaxAge)

	_, err = New(Options{Config: cfg, Brands: []Brand{{Name: "acme"}, {Name: "globex"}}, Publisher: refusePublisher{t}})
	require.NoError(t, err)
}

func TestDefaultTemplatesAreValid(t *testing.T) {
	for lang, text := range DefaultTemplates() {
		_, err := parseTemplate(lang, text, MaxTextRunesX)
		require.NoError(t, err, lang)
	}
	require.NoError(t, DefaultConfig().Validate(nil))
}

func TestConfigValidate(t *testing.T) {
	brands := []string{"acme", "globex"}
	base := func() Config {
		c := DefaultConfig()
		c.Acknowledge = []Rule{{Brand: "acme", Channels: []message.Channel{message.ChannelTelegram}}}
		return c
	}
	tests := []struct {
		name   string
		change func(*Config)
		want   []string
	}{
		{name: "valid", change: func(*Config) {}},
		{name: "limits", change: func(c *Config) {
			c.RateLimit, c.MaxAge, c.QueueSize, c.Workers, c.Attempts, c.Timeout = 0, time.Second, 0, 0, 11, 0
		}, want: []string{
			"rate_limit: 0: must be at least 1 (acknowledgements per brand per minute)",
			`max_age: "1s": must be at least 1m, e.g. 6h`,
			"queue_size: 0: must be at least 1",
			"workers: 0: must be between 1 and 64",
			"attempts: 11: must be between 1 and 10",
			`timeout: "0s": must be at least 1s, e.g. 10s`,
		}},
		{name: "rule fields", change: func(c *Config) {
			c.Acknowledge[0] = Rule{Brand: "initech", Mode: "always", ReplyBy: "asap", SoonWithin: -time.Minute, Author: "@",
				FallbackLanguage: "spanish"}
		}, want: []string{
			`acknowledge[0].brand: "initech": no brand with that name (brands: acme, globex)`,
			"acknowledge[0].channels: is empty: list the channels to acknowledge on, e.g. [telegram, webhook]",
			`acknowledge[0].mode: "always": want one of [on off outside_hours]`,
			`acknowledge[0].reply_by: "asap": want deadline or next_open`,
			`acknowledge[0].soon_within: "-1m0s": must not be negative`,
			`acknowledge[0].author: "@": want the handle of the brand's account`,
			`acknowledge[0].fallback_language: "spanish": want a two-letter ISO 639-1 code such as es or en`,
		}},
		{name: "unknown channel and a brand's channel twice", change: func(c *Config) {
			c.Acknowledge[0].Channels = append(c.Acknowledge[0].Channels, "fax")
			c.Acknowledge = append(c.Acknowledge, Rule{Brand: "acme", Channels: []message.Channel{message.ChannelTelegram}, Mode: ModeOff})
		}, want: []string{
			`acknowledge[0].channels[1]: "fax": want one of [x telegram mattermost webhook email chat]`,
			`acknowledge[1].channels[0]: "telegram": brand "acme" already has this channel in acknowledge[0]`,
		}},
		{name: "fallback language without a template", change: func(c *Config) {
			c.Acknowledge[0].FallbackLanguage = "pt"
		}, want: []string{`acknowledge[0].fallback_language: "pt": no template in that language: add templates.pt or pick one of [en es]`}},
		{name: "templates must parse, use known fields and fit", change: func(c *Config) {
			c.Acknowledge[0].Channels = []message.Channel{message.ChannelX}
			c.Acknowledge[0].Templates = map[string]string{
				"es":      "Hola {{.Customer",
				"en":      "Hi {{.Name}}, we'll reply {{.ReplyBy}}",
				"fr":      "   ",
				"pt":      strings.Repeat("Olá! ", 60),
				"Deutsch": "Hallo",
				"it":      "{{if .Soon}}Ciao{{end}}",
			}
		}, want: []string{
			"acknowledge[0].templates.Deutsch: want a two-letter ISO 639-1 code such as es or en as the key",
			"acknowledge[0].templates.en: render: template: en:1:5: executing \"en\" at <.Name>: can't evaluate field Name in type ack.TemplateData (fields: .Brand, .Customer, .ReplyBy, .Soon, .Zone)",
			"acknowledge[0].templates.es: parse: template: es:1: unclosed action",
			"acknowledge[0].templates.fr: is empty: want the text of the acknowledgement",
			"acknowledge[0].templates.it: renders empty text with .Soon false",
			"acknowledge[0].templates.pt: renders 299 characters with .Soon false; at most 280 fit the rule's channels",
		}},
		{name: "webhook channel needs a reply url and a secret", change: func(c *Config) {
			c.Acknowledge[0].Channels = []message.Channel{message.ChannelWebhook}
			c.Acknowledge[0].Webhook = WebhookConfig{ReplyURL: "ftp://crm", SecretEnv: "A", SecretFile: "b"}
			c.Acknowledge = append(c.Acknowledge, Rule{Brand: "globex", Channels: []message.Channel{message.ChannelWebhook}})
		}, want: []string{
			`acknowledge[0].webhook.reply_url: "ftp://crm": want the http:// or https:// URL of the brand's system that delivers replies on the webhook channel`,
			"acknowledge[0].webhook.secret_env, webhook.secret_file: at most one of secret_env & secret_file",
			`acknowledge[1].webhook.reply_url: "": want the http:// or https:// URL`,
			"acknowledge[1].webhook.secret_env, webhook.secret_file: one of secret_env & secret_file is required",
		}},
		{name: "webhook settings on a rule without the webhook channel", change: func(c *Config) {
			c.Acknowledge[0].Webhook.ReplyURL = "https://crm.acme.example/replies"
		}, want: []string{"acknowledge[0].webhook: is set but the rule does not acknowledge on the webhook channel: add webhook to channels or remove it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.change(&c)
			err := c.Validate(brands)
			if len(tt.want) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			lines := strings.Split(err.Error(), "\n")
			require.Len(t, lines, len(tt.want), "got %v", err)
			for i, want := range tt.want {
				require.True(t, strings.HasPrefix(lines[i], want), "line %d: got %q, want prefix %q", i, lines[i], want)
			}
		})
	}
}

func TestFormatReplyBy(t *testing.T) {
	tests := []struct {
		zone, at, lang, want string
	}{
		{"Europe/Madrid", "2026-11-23 09:30", "es", "el lunes 23 de noviembre a las 09:30"},
		{"Europe/Madrid", "2026-11-23 09:30", "en", "Monday 23 November at 09:30"},
		{"Europe/Madrid", "2026-11-28 01:30", "es", "el sábado 28 de noviembre a la 01:30"},
		{"Europe/Madrid", "2026-11-28 13:05", "es", "el sábado 28 de noviembre a las 13:05"},
		{"America/Mexico_City", "2026-11-17 09:00", "pt", "terça-feira, 17 de novembro, às 09:00"},
		{"America/Mexico_City", "2026-06-01 09:00", "fr", "le lundi 1er juin à 09:00"},
		{"America/Mexico_City", "2026-09-16 18:45", "fr", "le mercredi 16 septembre à 18:45"},
		{"Europe/Madrid", "2026-11-23 09:30", "de", "2026-11-23 09:30"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+" "+tt.at, func(t *testing.T) {
			require.Equal(t, tt.want, FormatReplyBy(at(t, tt.zone, tt.at), tt.lang))
		})
	}
}
