package telegram

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/vigia-dev/vigia/internal/tgapi"
)

// ActionsMode says whether posts carry action buttons.
type ActionsMode string

// Known actions modes.
const (
	// ActionsButtons puts a row of notify.Actions buttons under each case
	// of a post; RunActions must run to handle the presses.
	ActionsButtons ActionsMode = "buttons"
	// ActionsNone posts without buttons.
	ActionsNone ActionsMode = "none"
)

// Defaults and bounds.
const (
	DefaultName         = "telegram"
	DefaultTimeout      = 10 * time.Second
	DefaultPollTimeout  = 30 * time.Second
	DefaultMaxItems     = 10
	MaxMaxItems         = 50
	minSupergroupChatID = -1000000000000 // supergroup ids are -100…
)

// Config configures one Telegram receiver.
type Config struct {
	// Name names the receiver in routes, logs and metrics.
	Name string `yaml:"name"`
	// APIURL is the Bot API server; a local Bot API server or a test fake
	// may replace Telegram's.
	APIURL string `yaml:"api_url"`
	// BotTokenEnv names the environment variable holding the bot token.
	BotTokenEnv string `yaml:"bot_token_env"`
	// BotTokenFile is a file holding the bot token, relative to the config
	// file's directory.
	BotTokenFile string `yaml:"bot_token_file"`
	// ChatID is the chat posts go to: negative for groups and supergroups
	// (-100…), positive for a private chat.
	ChatID int64 `yaml:"chat_id"`
	// TopicID is the forum topic (message_thread_id) of a supergroup with
	// topics; 0 posts to the chat's general thread.
	TopicID int `yaml:"topic_id"`
	// Timeout bounds each Bot API call.
	Timeout time.Duration `yaml:"timeout"`
	// PollTimeout is how long one getUpdates long poll waits for button
	// presses.
	PollTimeout time.Duration `yaml:"poll_timeout"`
	// ChatInterval is the least time between two messages or edits in the
	// chat; 0s disables the limit (only for a private Bot API server).
	ChatInterval time.Duration `yaml:"chat_interval"`
	// GroupMessagesPerMinute caps messages and edits per minute in a group
	// chat; 0 disables the limit.
	GroupMessagesPerMinute int `yaml:"group_messages_per_minute"`
	// MaxItems is how many alerts of a group a post lists.
	MaxItems int `yaml:"max_items"`
	// Actions is buttons or none (see ActionsMode).
	Actions ActionsMode `yaml:"actions"`
}

// DefaultConfig returns the defaults; bot_token_env or bot_token_file, and
// chat_id, must be set.
func DefaultConfig() Config {
	return Config{
		Name:                   DefaultName,
		APIURL:                 tgapi.DefaultBaseURL,
		Timeout:                DefaultTimeout,
		PollTimeout:            DefaultPollTimeout,
		ChatInterval:           tgapi.DefaultChatInterval,
		GroupMessagesPerMinute: tgapi.DefaultGroupMessagesPerMinute,
		MaxItems:               DefaultMaxItems,
		Actions:                ActionsButtons,
	}
}

// Validate reports every problem with c, each naming the field and what
// is expected. It does not read the token; New does.
func (c Config) Validate() error {
	var errs []error
	bad := func(field string, value any, want string) {
		errs = append(errs, fmt.Errorf("%s: %v: %s", field, value, want))
	}
	if c.Name == "" {
		bad("name", `""`, "must not be empty")
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
		bad("api_url", fmt.Sprintf("%q", c.APIURL), "want an http(s) URL such as "+tgapi.DefaultBaseURL)
	}
	switch {
	case c.BotTokenEnv != "" && c.BotTokenFile != "":
		errs = append(errs, errors.New("bot_token_env, bot_token_file: at most one of bot_token_env & bot_token_file may be set"))
	case c.BotTokenEnv == "" && c.BotTokenFile == "":
		errs = append(errs, errors.New("bot_token_env, bot_token_file: missing: set bot_token_env to an environment variable name or bot_token_file to a file path"))
	case strings.ContainsAny(c.BotTokenEnv, "=: \t"):
		bad("bot_token_env", fmt.Sprintf("%q", "<redacted>"), "want an environment variable name, not the token")
	}
	if c.ChatID == 0 {
		bad("chat_id", 0, "required: the chat's numeric id, negative for groups (e.g. -1001234567890)")
	}
	if c.TopicID < 0 {
		bad("topic_id", c.TopicID, "must not be negative")
	}
	if c.TopicID > 0 && c.ChatID > minSupergroupChatID {
		bad("topic_id", c.TopicID, "forum topics exist only in supergroups: chat_id must start with -100")
	}
	if c.Timeout < time.Second || c.Timeout > 5*time.Minute {
		bad("timeout", fmt.Sprintf("%q", c.Timeout), "must be between 1s and 5m")
	}
	if c.PollTimeout < time.Second || c.PollTimeout > 5*time.Minute {
		bad("poll_timeout", fmt.Sprintf("%q", c.PollTimeout), "must be between 1s and 5m")
	}
	if c.ChatInterval < 0 || c.ChatInterval > time.Minute {
		bad("chat_interval", fmt.Sprintf("%q", c.ChatInterval), "must be between 0s and 1m (Telegram asks for 1s)")
	}
	if c.GroupMessagesPerMinute < 0 || c.GroupMessagesPerMinute > tgapi.DefaultGroupMessagesPerMinute {
		bad("group_messages_per_minute", c.GroupMessagesPerMinute, fmt.Sprintf("must be between 0 and %d, Telegram's limit", tgapi.DefaultGroupMessagesPerMinute))
	}
	if c.MaxItems < 1 || c.MaxItems > MaxMaxItems {
		bad("max_items", c.MaxItems, fmt.Sprintf("must be between 1 and %d", MaxMaxItems))
	}
	if c.Actions != ActionsButtons && c.Actions != ActionsNone {
		bad("actions", fmt.Sprintf("%q", c.Actions), "want buttons or none")
	}
	return errors.Join(errs...)
}

// limits maps the config's rate limits to the client's, where 0 disables.
func (c Config) limits() tgapi.Limits {
	l := tgapi.Limits{ChatInterval: c.ChatInterval, GroupPerMinute: c.GroupMessagesPerMinute}
	if l.ChatInterval == 0 {
		l.ChatInterval = -1
	}
	if l.GroupPerMinute == 0 {
		l.GroupPerMinute = -1
	}
	return l
}

// readToken reads the bot token; errors name the variable or file, never
// the value.
func readToken(c Config) (string, error) {
	if c.BotTokenEnv != "" {
		v := strings.TrimSpace(os.Getenv(c.BotTokenEnv))
		if v == "" {
			return "", fmt.Errorf("bot_token_env: environment variable %s is not set or empty", c.BotTokenEnv)
		}
		return v, nil
	}
	b, err := os.ReadFile(c.BotTokenFile)
	if err != nil {
		return "", fmt.Errorf("bot_token_file: read %s: %w", c.BotTokenFile, err)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("bot_token_file: %s is empty", c.BotTokenFile)
	}
	return v, nil
}
