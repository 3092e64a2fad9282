package telegram

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/collectors/collectortest"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Config)
		wants []string
	}{
		{name: "ok", edit: func(*Config) {}},
		{name: "private chat without topic", edit: func(c *Config) { c.ChatID, c.TopicID = 12345, 0 }},
		{name: "limits off", edit: func(c *Config) { c.ChatInterval, c.GroupMessagesPerMinute = 0, 0 }},
		{name: "both tokens", edit: func(c *Config) { c.BotTokenEnv = "TG_TOKEN" },
			wants: []string{"bot_token_env, bot_token_file: at most one of bot_token_env & bot_token_file may be set"}},
		{name: "no token", edit: func(c *Config) { c.BotTokenFile = "" },
			wants: []string{"bot_token_env, bot_token_file: missing: set bot_token_env to an environment variable name or bot_token_file to a file path"}},
		{name: "token pasted into env", edit: func(c *Config) { c.BotTokenFile, c.BotTokenEnv = "", "123456:AAH-secret" },
			wants: []string{`bot_token_env: "<redacted>": want an environment variable name, not the token`}},
		{name: "topic outside supergroup", edit: func(c *Config) { c.ChatID = -4567 },
			wants: []string{"topic_id: 7: forum topics exist only in supergroups: chat_id must start with -100"}},
		{name: "many", edit: func(c *Config) {
			c.Name, c.APIURL, c.ChatID, c.TopicID = "", "api.telegram.org", 0, -1
			c.Timeout, c.PollTimeout, c.ChatInterval, c.GroupMessagesPerMinute = 0, time.Hour, -time.Second, 30
			c.MaxItems, c.Actions = 0, "emoji"
		}, wants: []string{
			`name: "": must not be empty`,
			`api_url: "api.telegram.org": want an http(s) URL such as https://api.telegram.org`,
			"chat_id: 0: required: the chat's numeric id, negative for groups (e.g. -1001234567890)",
			"topic_id: -1: must not be negative",
			`timeout: "0s": must be between 1s and 5m`,
			`poll_timeout: "1h0m0s": must be between 1s and 5m`,
			`chat_interval: "-1s": must be between 0s and 1m (Telegram asks for 1s)`,
			"group_messages_per_minute: 30: must be between 0 and 20, Telegram's limit",
			"max_items: 0: must be between 1 and 50",
			`actions: "emoji": want buttons or none`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.BotTokenFile, cfg.ChatID, cfg.TopicID = "token", testChat, testTopic
			tt.edit(&cfg)
			err := cfg.Validate()
			collectortest.RequireProblems(t, err, tt.wants)
			if err != nil {
				require.NotContains(t, err.Error(), "AAH-secret")
			}
		})
	}
}

func TestToken(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n"), 0o600))
	t.Setenv("VIGIA_TEST_TG_TOKEN", testToken)
	t.Setenv("VIGIA_TEST_TG_EMPTY", "")
	tests := []struct {
		name, env, file, wantErr string
	}{
		{name: "env", env: "VIGIA_TEST_TG_TOKEN"},
		{name: "env unset", env: "VIGIA_TEST_TG_NOT_SET", wantErr: "bot_token_env: environment variable VIGIA_TEST_TG_NOT_SET is not set or empty"},
		{name: "env empty", env: "VIGIA_TEST_TG_EMPTY", wantErr: "is not set or empty"},
		{name: "missing file", file: filepath.Join(dir, "nope"), wantErr: "bot_token_file: read"},
		{name: "empty file", file: empty, wantErr: "bot_token_file: " + empty + " is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.ChatID, cfg.BotTokenEnv, cfg.BotTokenFile = testChat, tt.env, tt.file
			_, err := New(cfg, slog.New(slog.DiscardHandler), nil)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestSampleConfig(t *testing.T) {
	cfg := DefaultConfig()
	collectortest.DecodeSample(t, ".", &cfg)
	require.NoError(t, cfg.Validate())
	require.Equal(t, "support-telegram", cfg.Name)
	require.EqualValues(t, -1001234567890, cfg.ChatID)
	require.Equal(t, 42, cfg.TopicID)
	t.Setenv(cfg.BotTokenEnv, testToken)
	r, err := New(cfg, slog.New(slog.DiscardHandler), nil)
	require.NoError(t, err)
	require.Equal(t, "support-telegram", r.Name())
}
