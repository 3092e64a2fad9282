package mattermost

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func validConfig() Config {
	c := DefaultConfig()
	c.Name = "care-team"
	c.URL = "https://chat.example.com"
	c.BotTokenEnv = "VIGIA_MATTERMOST_BOT_TOKEN"
	c.ChannelID = "4xp9fdt7kpgqpdg9rzs3b1s1ye"
	return c
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		wants  []string
	}{
		{name: "valid", change: func(*Config) {}},
		{name: "valid with buttons and a token file", change: func(c *Config) {
			c.BotTokenEnv, c.BotTokenFile = "", "/run/secrets/mm"
			c.ActionURL = "http://127.0.0.1:8080/api/v1/actions/mattermost"
		}},
		{name: "everything wrong", change: func(c *Config) {
			*c = Config{URL: "chat.example.com", ChannelID: "town-square", ActionURL: "/api/v1/actions/mattermost", Timeout: -time.Second}
		}, wants: []string{
			`name: "": must not be empty`,
			`url: "chat.example.com": want the server's base URL, http(s)://host[:port][/path], without credentials`,
			"bot_token_env, bot_token_file: one of bot_token_env & bot_token_file is required",
			`channel_id: "town-square": want a channel id (26 lowercase letters and digits; in Mattermost: channel menu > View Info), not its name`,
			`action_url: "/api/v1/actions/mattermost": want Vigía's action endpoint as an absolute http(s) URL, or empty for no buttons`,
			`timeout: "-1s": must be positive and at most 2m0s`,
		}},
		{name: "both token sources", change: func(c *Config) { c.BotTokenFile = "/run/secrets/mm" },
			wants: []string{"bot_token_env, bot_token_file: at most one of bot_token_env & bot_token_file"}},
		{name: "token value in env field", change: func(c *Config) { c.BotTokenEnv = "TOKEN=abc" },
			wants: []string{`bot_token_env: "TOKEN=abc": want an environment variable name, not its value`}},
		{name: "credentials in url", change: func(c *Config) { c.URL = "https://bot:pw@chat.example.com" },
			wants: []string{"url: "}},
		{name: "timeout too long", change: func(c *Config) { c.Timeout = time.Hour },
			wants: []string{`timeout: "1h0m0s": must be positive and at most 2m0s`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.change(&c)
			err := c.Validate()
			if len(tt.wants) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tt.wants {
				require.Contains(t, err.Error(), w)
			}
			require.Len(t, strings.Split(err.Error(), "\n"), len(tt.wants), "got %v", err)
		})
	}
}

func TestValidateNeverShowsPassword(t *testing.T) {
	c := validConfig()
	c.URL = "https://bot:hunter2@chat.example.com"
	require.ErrorContains(t, c.Validate(), `url: "https://bot:xxxxx@chat.example.com"`)
	require.NotContains(t, c.Validate().Error(), "hunter2")
}

func TestToken(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(file, []byte("tok-from-file\n"), 0o600))
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	t.Setenv("VIGIA_TEST_TOKEN", "tok-from-env")
	t.Setenv("VIGIA_TEST_EMPTY", "")
	tests := []struct {
		name    string
		env     string
		file    string
		want    string
		wantErr string
	}{
		{name: "env", env: "VIGIA_TEST_TOKEN", want: "tok-from-env"},
		{name: "file", file: file, want: "tok-from-file"},
		{name: "unset env", env: "VIGIA_TEST_EMPTY", wantErr: "bot_token_env: environment variable VIGIA_TEST_EMPTY is not set or empty"},
		{name: "empty file", file: empty, wantErr: "bot_token_file: " + empty + " is empty"},
		{name: "missing file", file: filepath.Join(dir, "nope"), wantErr: "bot_token_file: read bot token: open "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Config{BotTokenEnv: tt.env, BotTokenFile: tt.file}.token()
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

// decodeSample decodes testdata/sample.yaml over the defaults, rejecting
// unknown keys as the app's loader does.
func decodeSample(t *testing.T) Config {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sample.yaml"))
	require.NoError(t, err)
	defer f.Close()
	cfg := DefaultConfig()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(&cfg))
	return cfg
}

func TestSampleConfig(t *testing.T) {
	cfg := decodeSample(t)
	require.NoError(t, cfg.Validate())
	t.Setenv(cfg.BotTokenEnv, "sample-token")
	_, err := New(cfg, Options{Signer: testSigner(t)})
	require.NoError(t, err)
}

// TestREADME checks the README's fixed sections, that it shows
// testdata/sample.yaml verbatim and that it names every metric.
func TestREADME(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	sample, err := os.ReadFile(filepath.Join("testdata", "sample.yaml"))
	require.NoError(t, err)
	for _, s := range []string{"## Configuration", "## Metrics", "## Limits & costs", "## Example"} {
		require.Contains(t, string(readme), "\n"+s+"\n")
	}
	require.Contains(t, string(readme), "```yaml\n"+string(sample)+"```", "README shows testdata/sample.yaml verbatim")

	cfg := decodeSample(t)
	t.Setenv(cfg.BotTokenEnv, "sample-token")
	reg := prometheus.NewRegistry()
	_, err = New(cfg, Options{Registerer: reg})
	require.NoError(t, err)
	_, err = NewActionHandler(testSigner(t), newRecorder(), ActionOptions{Registerer: reg})
	require.NoError(t, err)
	mfs, err := reg.Gather()
	require.NoError(t, err)
	require.Len(t, mfs, 3)
	docs, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "metrics.md"))
	require.NoError(t, err)
	for _, mf := range mfs {
		require.Contains(t, string(readme), "`"+mf.GetName()+"`", "metric %s not in README", mf.GetName())
		require.Contains(t, string(docs), "`"+mf.GetName()+"`", "metric %s not in docs/metrics.md", mf.GetName())
	}
}
