package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/alerts/dispatch"
	"github.com/vigia-dev/vigia/alerts/notify"
	"github.com/vigia-dev/vigia/internal/backoff"
	"github.com/vigia-dev/vigia/internal/tgapi"
)

// Receiver posts alert groups to one Telegram chat and handles the presses
// of its buttons. It implements notify.Receiver and is safe for concurrent
// use.
type Receiver struct {
	cfg     Config
	client  *tgapi.Client
	logger  *slog.Logger
	metrics *metrics
	now     func() time.Time
	backoff backoff.Policy
}

var _ notify.Receiver = (*Receiver)(nil)

// Option changes a Receiver built by New.
type Option func(*options)

type options struct {
	httpClient *http.Client
	now        func() time.Time
	backoff    backoff.Policy
}

// WithHTTPClient sends the Bot API requests with c (a test fake's client,
// a proxy's).
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithClock replaces time.Now for rendering and action times.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithBackoff replaces the pacing of RunActions' retries (default 500ms
// doubling to 30s).
func WithBackoff(p backoff.Policy) Option { return func(o *options) { o.backoff = p } }

// New validates cfg, reads the bot token and returns a Receiver. It does
// not call Telegram.
func New(cfg Config, logger *slog.Logger, reg prometheus.Registerer, opts ...Option) (*Receiver, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("telegram receiver config: %w", err)
	}
	if logger == nil {
		return nil, errors.New("telegram receiver: logger is nil")
	}
	o := options{now: time.Now, backoff: backoff.Policy{Initial: 500 * time.Millisecond, Max: 30 * time.Second}}
	for _, f := range opts {
		f(&o)
	}
	token, err := readToken(cfg)
	if err != nil {
		return nil, fmt.Errorf("telegram receiver %s: %w", cfg.Name, err)
	}
	m, err := newMetrics(reg, cfg.Name)
	if err != nil {
		return nil, fmt.Errorf("telegram receiver %s metrics: %w", cfg.Name, err)
	}
	client, err := tgapi.New(tgapi.Options{
		Token:      token,
		BaseURL:    cfg.APIURL,
		Timeout:    cfg.Timeout,
		HTTPClient: o.httpClient,
		Limits:     cfg.limits(),
		Observe:    m.observe,
	})
	if err != nil {
		return nil, fmt.Errorf("telegram receiver %s: %w", cfg.Name, err)
	}
	return &Receiver{
		cfg:     cfg,
		client:  client,
		logger:  logger.With("component", "notify", "receiver", cfg.Name),
		metrics: m,
		now:     o.now,
		backoff: o.backoff,
	}, nil
}

// Name returns the configured name.
func (r *Receiver) Name() string { return r.cfg.Name }

// Post sends g as a new message to the configured chat and topic and
// returns its reference, "<chat id>:<message id>".
func (r *Receiver) Post(ctx context.Context, g dispatch.Group) (notify.PostRef, error) {
	p := r.render(g)
	id, err := r.client.SendMessage(ctx, r.cfg.ChatID, r.cfg.TopicID, p.html, p.keyboard)
	if err != nil {
		return "", classify(fmt.Errorf("post group %s: %w", g.ID, err))
	}
	return notify.PostRef(strconv.FormatInt(r.cfg.ChatID, 10) + ":" + strconv.Itoa(id)), nil
}

// Update edits the message ref to show g. An edit that changes nothing
// succeeds.
func (r *Receiver) Update(ctx context.Context, ref notify.PostRef, g dispatch.Group) error {
	chatID, messageID, err := parseRef(ref)
	if err != nil {
		return notify.Errorf(notify.ReasonClientError, 0, "update group %s: %w", g.ID, err)
	}
	p := r.render(g)
	if err := r.client.EditMessageText(ctx, chatID, messageID, p.html, p.keyboard); err != nil {
		return classify(fmt.Errorf("update group %s: %w", g.ID, err))
	}
	return nil
}

func (r *Receiver) render(g dispatch.Group) post {
	return render(notify.Render(g, r.now(), r.cfg.MaxItems), len(g.Alerts), r.cfg.Actions == ActionsButtons)
}

// parseRef splits "<chat id>:<message id>".
func parseRef(ref notify.PostRef) (int64, int, error) {
	c, m, ok := strings.Cut(string(ref), ":")
	chatID, err1 := strconv.ParseInt(c, 10, 64)
	messageID, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || chatID == 0 || messageID <= 0 {
		return 0, 0, fmt.Errorf("post ref %q: want <chat id>:<message id>", ref)
	}
	return chatID, messageID, nil
}

// classify wraps err in a *notify.Error whose reason follows Telegram's
// error_code: 429 is rate_limited with its retry_after, 401 and 403
// auth_error, other 4xx client_error, 5xx server_error; anything that is
// not an answer from Telegram (a transport failure, a deadline) is a
// timeout.
func classify(err error) error {
	var apiErr *tgapi.Error
	if errors.As(err, &apiErr) {
		return &notify.Error{Reason: reasonFor(apiErr), RetryAfter: apiErr.RetryAfter, Err: err}
	}
	return &notify.Error{Reason: notify.ReasonTimeout, Err: err}
}

func reasonFor(e *tgapi.Error) notify.Reason {
	if e.Code == http.StatusTooManyRequests || e.RetryAfter > 0 {
		return notify.ReasonRateLimited
	}
	if e.Code < 400 {
		return notify.ReasonServerError // not an HTTP error code: Telegram misbehaved
	}
	return notify.ReasonForStatus(e.Code)
}
