package tgapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Defaults.
const (
	// DefaultBaseURL is Telegram's Bot API server.
	DefaultBaseURL = "https://api.telegram.org"
	// DefaultTimeout bounds one call; getUpdates gets its long-poll
	// timeout on top.
	DefaultTimeout = 30 * time.Second
)

// Bot API limits (https://core.telegram.org/bots/api).
const (
	// MaxMessageLength is the most characters a message's text may have
	// after entities are parsed
	// (https://core.telegram.org/bots/api#sendmessage).
	MaxMessageLength = 4096
	// MaxCallbackAnswerLength is the most characters of an
	// answerCallbackQuery text
	// (https://core.telegram.org/bots/api#answercallbackquery).
	MaxCallbackAnswerLength = 200
	// MaxCallbackDataBytes is the most bytes of an inline button's
	// callback_data; it must have at least 1
	// (https://core.telegram.org/bots/api#inlinekeyboardbutton).
	MaxCallbackDataBytes = 64
	// MaxUpdatesPerCall is getUpdates' largest limit
	// (https://core.telegram.org/bots/api#getupdates).
	MaxUpdatesPerCall = 100
)

// maxResponseBytes bounds the answer to one call; maxErrorBodyBytes the
// part of a non-JSON error answer (a proxy's HTML page) that is read.
const (
	maxResponseBytes  = 16 << 20
	maxErrorBodyBytes = 512
)

// Types of the Bot API, as the library decodes them.
type (
	// Update is one getUpdates result.
	Update = tgbotapi.Update
	// User is a Telegram user or bot.
	User = tgbotapi.User
	// Message is a message in a chat.
	Message = tgbotapi.Message
	// CallbackQuery is a press of an inline keyboard button.
	CallbackQuery = tgbotapi.CallbackQuery
	// InlineKeyboardMarkup is the keyboard attached to a message.
	InlineKeyboardMarkup = tgbotapi.InlineKeyboardMarkup
	// InlineKeyboardButton is one button of an InlineKeyboardMarkup.
	InlineKeyboardButton = tgbotapi.InlineKeyboardButton
)

// CallbackButton returns a button that sends data back as a callback query
// when pressed.
func CallbackButton(text, data string) InlineKeyboardButton {
	return tgbotapi.NewInlineKeyboardButtonData(text, data)
}

// Options configure a [Client]. Token is required.
type Options struct {
	// Token is the bot token from @BotFather. It is never printed.
	Token string
	// BaseURL is the Bot API server (DefaultBaseURL when empty); requests
	// go to <BaseURL>/bot<token>/<method>.
	BaseURL string
	// Timeout bounds each call (DefaultTimeout when zero).
	Timeout time.Duration
	// HTTPClient sends the requests; nil uses a new http.Client. Its own
	// Timeout, if any, must exceed Timeout plus the long-poll timeout.
	HTTPClient *http.Client
	// Limits are the per-chat rate limits applied to sendMessage and
	// editMessageText; the zero value is Telegram's documented limits.
	Limits Limits
	// Observe, if set, is called after every call with the method, its
	// duration and its error (nil, an *Error or a transport error).
	Observe func(method string, d time.Duration, err error)
}

// Client calls the Bot API. It is safe for concurrent use.
type Client struct {
	api     *tgbotapi.BotAPI // never called directly: see call
	token   string
	http    *http.Client
	timeout time.Duration
	limiter *Limiter
	observe func(string, time.Duration, error)
}

// New checks o and returns a Client. It does not call Telegram: the
// library's NewBotAPIWithClient would call getMe without a context, so the
// BotAPI is built directly on the same endpoint format; call GetMe to check
// the token.
func New(o Options) (*Client, error) {
	if o.Token == "" {
		return nil, errors.New("telegram client: bot token is empty")
	}
	if strings.Trim(o.Token, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:_-") != "" {
		return nil, errors.New("telegram client: bot token has characters other than letters, digits, ':', '_' and '-'")
	}
	base := o.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("telegram client: base url %q: want http(s)://host[/path]", base)
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	api := &tgbotapi.BotAPI{Token: o.Token, Buffer: 100}
	// The library formats the endpoint with Sprintf(endpoint, token, method).
	api.SetAPIEndpoint(strings.ReplaceAll(strings.TrimRight(base, "/"), "%", "%%") + "/bot%s/%s")
	return &Client{
		api:     api,
		token:   o.Token,
		http:    hc,
		timeout: o.Timeout,
		limiter: NewLimiter(o.Limits),
		observe: o.Observe,
	}, nil
}

// call runs fn with a BotAPI whose requests carry ctx, bounded by the
// client timeout plus extra, and translates its error.
func (c *Client) call(ctx context.Context, method string, extra time.Duration, fn func(bot *tgbotapi.BotAPI) error) error {
	if err := ctx.Err(); err != nil {
		return transportError(method, c.token, err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout+extra)
	defer cancel()
	bot := *c.api // a shallow copy per call: the library has no context parameter
	bot.Client = ctxDoer{ctx: ctx, client: c.http}
	start := time.Now()
	err := translate(method, c.token, fn(&bot))
	if c.observe != nil {
		c.observe(method, time.Since(start), err)
	}
	return err
}

// request calls method with params and decodes its result into out.
func (c *Client) request(ctx context.Context, method string, extra time.Duration, params tgbotapi.Params, out any) error {
	return c.call(ctx, method, extra, func(bot *tgbotapi.BotAPI) error {
		resp, err := bot.MakeRequest(method, params)
		if err != nil {
			return err
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(resp.Result, out); err != nil {
			return fmt.Errorf("decode result: %w", err)
		}
		return nil
	})
}

// GetMe returns the bot's own user; it is the cheapest way to check the
// token.
func (c *Client) GetMe(ctx context.Context) (User, error) {
	var u User
	if err := c.request(ctx, "getMe", 0, tgbotapi.Params{}, &u); err != nil {
		return User{}, fmt.Errorf("get me: %w", err)
	}
	return u, nil
}

// SendMessage sends html (parse_mode HTML, link previews off) to chatID,
// in forum topic threadID when it is not zero, with keyboard when it is not
// nil, after waiting for the chat's rate limit. It returns the new
// message's id.
func (c *Client) SendMessage(ctx context.Context, chatID int64, threadID int, html string, keyboard *InlineKeyboardMarkup) (int, error) {
	if err := c.limiter.Wait(ctx, chatID); err != nil {
		return 0, fmt.Errorf("send message to chat %d: wait for rate limit: %w", chatID, err)
	}
	p := tgbotapi.Params{"text": html, "parse_mode": tgbotapi.ModeHTML}
	p.AddNonZero64("chat_id", chatID)
	p.AddNonZero("message_thread_id", threadID)
	p.AddBool("disable_web_page_preview", true)
	if err := p.AddInterface("reply_markup", keyboard); err != nil {
		return 0, fmt.Errorf("send message to chat %d: encode keyboard: %w", chatID, err)
	}
	var m struct {
		MessageID int `json:"message_id"`
	}
	if err := c.request(ctx, "sendMessage", 0, p, &m); err != nil {
		c.penalize(chatID, err)
		return 0, fmt.Errorf("send message to chat %d: %w", chatID, err)
	}
	return m.MessageID, nil
}

// EditMessageText replaces the text and keyboard of a message the bot
// sent; a nil keyboard removes it. Telegram's "message is not modified"
// answer counts as success.
func (c *Client) EditMessageText(ctx context.Context, chatID int64, messageID int, html string, keyboard *InlineKeyboardMarkup) error {
	if err := c.limiter.Wait(ctx, chatID); err != nil {
		return fmt.Errorf("edit message %d in chat %d: wait for rate limit: %w", messageID, chatID, err)
	}
	p := tgbotapi.Params{"text": html, "parse_mode": tgbotapi.ModeHTML}
	p.AddNonZero64("chat_id", chatID)
	p.AddNonZero("message_id", messageID)
	p.AddBool("disable_web_page_preview", true)
	if err := p.AddInterface("reply_markup", keyboard); err != nil {
		return fmt.Errorf("edit message %d in chat %d: encode keyboard: %w", messageID, chatID, err)
	}
	err := c.request(ctx, "editMessageText", 0, p, nil)
	if err == nil || IsNotModified(err) {
		return nil
	}
	c.penalize(chatID, err)
	return fmt.Errorf("edit message %d in chat %d: %w", messageID, chatID, err)
}

// AnswerCallbackQuery acknowledges a button press, showing text (cut to
// MaxCallbackAnswerLength characters) to the person who pressed.
func (c *Client) AnswerCallbackQuery(ctx context.Context, id, text string) error {
	cfg := tgbotapi.NewCallback(id, truncateRunes(text, MaxCallbackAnswerLength))
	err := c.call(ctx, "answerCallbackQuery", 0, func(bot *tgbotapi.BotAPI) error {
		_, err := bot.Request(cfg)
		return err
	})
	if err != nil {
		return fmt.Errorf("answer callback query: %w", err)
	}
	return nil
}

// GetUpdates long-polls for updates from offset (the last update_id seen
// plus one, which confirms the earlier ones), waiting up to timeout
// (rounded down to seconds) for one to arrive. allowed lists the update
// types wanted ("message", "callback_query"); none keeps the previous
// setting.
func (c *Client) GetUpdates(ctx context.Context, offset int, timeout time.Duration, allowed ...string) ([]Update, error) {
	// Built here rather than with tgbotapi.UpdateConfig, which sends
	// allowed_updates=null when none are given.
	p := tgbotapi.Params{}
	p.AddNonZero("offset", offset)
	p.AddNonZero("limit", MaxUpdatesPerCall)
	p.AddNonZero("timeout", int(timeout/time.Second))
	if len(allowed) > 0 {
		if err := p.AddInterface("allowed_updates", allowed); err != nil {
			return nil, fmt.Errorf("get updates from offset %d: encode allowed updates: %w", offset, err)
		}
	}
	var updates []Update
	if err := c.request(ctx, "getUpdates", timeout, p, &updates); err != nil {
		return nil, fmt.Errorf("get updates from offset %d: %w", offset, err)
	}
	return updates, nil
}

// penalize silences chatID for as long as a 429 asked.
func (c *Client) penalize(chatID int64, err error) {
	var e *Error
	if errors.As(err, &e) && e.Code == http.StatusTooManyRequests {
		c.limiter.Penalize(chatID, e.RetryAfter)
	}
}

// ctxDoer sends the library's requests with a context, bounds the answer's
// size, and turns a non-JSON error answer (a proxy's error page) into the
// Bot API's JSON error shape so that its status is not lost.
type ctxDoer struct {
	ctx    context.Context
	client *http.Client
}

// Do implements tgbotapi.HTTPClient.
func (d ctxDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.client.Do(req.WithContext(d.ctx))
	if err != nil {
		return nil, err
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode/100 != 2 && mt != "application/json" {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
		resp.Body.Close()
		desc := http.StatusText(resp.StatusCode)
		if s := strings.TrimSpace(strings.ToValidUTF8(string(b), "")); s != "" && !strings.HasPrefix(s, "<") {
			desc += ": " + s
		}
		body, _ := json.Marshal(map[string]any{"ok": false, "error_code": resp.StatusCode, "description": desc})
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	}
	resp.Body = limitedBody{Reader: io.LimitReader(resp.Body, maxResponseBytes), Closer: resp.Body}
	return resp, nil
}

type limitedBody struct {
	io.Reader
	io.Closer
}

// truncateRunes cuts s to at most n runes, ending with "…" when cut.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
