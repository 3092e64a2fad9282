package mattermost

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// Defaults and bounds.
const (
	// DefaultTimeout bounds one API request.
	DefaultTimeout = 10 * time.Second
	// MaxTimeout is the longest timeout accepted.
	MaxTimeout = 2 * time.Minute
)

// Config configures one Mattermost receiver.
type Config struct {
	// Name names the receiver; routes refer to it.
	Name string `yaml:"name"`
	// URL is the Mattermost server's base URL, e.g. https://chat.example.com.
	URL string `yaml:"url"`
	// BotTokenEnv names the environment variable holding the bot's access
	// token.
	BotTokenEnv string `yaml:"bot_token_env"`
	// BotTokenFile is a file holding the bot's access token.
	BotTokenFile string `yaml:"bot_token_file"`
	// ChannelID is the id (26 characters, not the name) of the channel the
	// posts go to. The bot must be a member.
	ChannelID string `yaml:"channel_id"`
	// ActionURL is Vigía's action endpoint as the Mattermost server reaches
	// it, e.g. https://vigia.example.com/api/v1/actions/mattermost. Empty
	// posts no buttons.
	ActionURL string `yaml:"action_url"`
	// Timeout bounds each API request.
	Timeout time.Duration `yaml:"timeout"`
}

// DefaultConfig returns the defaults; name, url, channel_id and one of
// bot_token_env and bot_token_file must be set.
func DefaultConfig() Config {
	return Config{Timeout: DefaultTimeout}
}

// Validate reports every problem with c, each naming the field and what is
// expected. It does not read the token; New does.
func (c Config) Validate() error {
	var errs []error
	bad := func(field string, value any, want string) {
		errs = append(errs, fmt.Errorf("%s: %v: %s", field, value, want))
	}
	if c.Name == "" {
		bad("name", `""`, "must not be empty")
	}
	if err := checkURL(c.URL); err != nil {
		bad("url", fmt.Sprintf("%q", shownURL(c.URL)), "want the server's base URL, http(s)://host[:port][/path], without credentials")
	}
	switch {
	case c.BotTokenEnv != "" && c.BotTokenFile != "":
		errs = append(errs, errors.New("bot_token_env, bot_token_file: at most one of bot_token_env & bot_token_file"))
	case c.BotTokenEnv == "" && c.BotTokenFile == "":
		errs = append(errs, errors.New("bot_token_env, bot_token_file: one of bot_token_env & bot_token_file is required"))
	case c.BotTokenEnv != "" && strings.ContainsAny(c.BotTokenEnv, "= \t"):
		bad("bot_token_env", fmt.Sprintf("%q", c.BotTokenEnv), "want an environment variable name, not its value")
	}
	if !model.IsValidId(c.ChannelID) {
		bad("channel_id", fmt.Sprintf("%q", c.ChannelID), "want a channel id (26 lowercase letters and digits; in Mattermost: channel menu > View Info), not its name")
	}
	if c.ActionURL != "" {
		if err := checkURL(c.ActionURL); err != nil {
			bad("action_url", fmt.Sprintf("%q", shownURL(c.ActionURL)), "want Vigía's action endpoint as an absolute http(s) URL, or empty for no buttons")
		}
	}
	if c.Timeout <= 0 || c.Timeout > MaxTimeout {
		bad("timeout", fmt.Sprintf("%q", c.Timeout), fmt.Sprintf("must be positive and at most %s", MaxTimeout))
	}
	return errors.Join(errs...)
}

// shownURL is s with any password masked, for error messages.
func shownURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		return u.Redacted()
	}
	return s
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return errors.New("not an absolute http(s) URL")
	}
	return nil
}

// token reads the bot token. Errors name the variable or file, never the
// value.
func (c Config) token() (string, error) {
	switch {
	case c.BotTokenEnv != "":
		v := strings.TrimSpace(os.Getenv(c.BotTokenEnv))
		if v == "" {
			return "", fmt.Errorf("bot_token_env: environment variable %s is not set or empty", c.BotTokenEnv)
		}
		return v, nil
	case c.BotTokenFile != "":
		b, err := os.ReadFile(c.BotTokenFile)
		if err != nil {
			return "", fmt.Errorf("bot_token_file: read bot token: %w", err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return "", fmt.Errorf("bot_token_file: %s is empty", c.BotTokenFile)
		}
		return v, nil
	}
	return "", errors.New("bot_token_env, bot_token_file: one of bot_token_env & bot_token_file is required")
}
