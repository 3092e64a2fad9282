package mattermost

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/alerts/dispatch"
	"github.com/vigia-dev/vigia/alerts/notify"
	"github.com/vigia-dev/vigia/internal/mmapi"
)

// Options are a receiver's dependencies.
type Options struct {
	// Signer signs the buttons' tokens; nil posts no buttons.
	Signer *notify.Signer
	// Logger receives the receiver's logs; nil discards them.
	Logger *slog.Logger
	// Registerer receives the metrics; nil keeps them unregistered.
	Registerer prometheus.Registerer
	// Now tells the time; nil uses time.Now.
	Now func() time.Time
}

// Receiver posts alert groups to one Mattermost channel. It implements
// notify.Receiver and is safe for concurrent use.
type Receiver struct {
	name      string
	channelID string
	client    *mmapi.Client
	render    renderer
	now       func() time.Time
	logger    *slog.Logger
	metrics   *metrics
}

var _ notify.Receiver = (*Receiver)(nil)

// New validates cfg, reads the bot token and returns the receiver. It does
// not contact the server.
func New(cfg Config, opts Options) (*Receiver, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("mattermost receiver %q: %w", cfg.Name, err)
	}
	token, err := cfg.token()
	if err != nil {
		return nil, fmt.Errorf("mattermost receiver %q: %w", cfg.Name, err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	client, err := mmapi.New(mmapi.Options{URL: cfg.URL, Token: token, Timeout: cfg.Timeout, Now: now})
	if err != nil {
		return nil, fmt.Errorf("mattermost receiver %q: %w", cfg.Name, err)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	reg := opts.Registerer
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	return &Receiver{
		name:      cfg.Name,
		channelID: cfg.ChannelID,
		client:    client,
		render:    renderer{signer: opts.Signer, actionURL: cfg.ActionURL},
		now:       now,
		logger:    logger.With("receiver", cfg.Name),
		metrics:   newMetrics(reg, cfg.Name),
	}, nil
}

// Name returns the configured name.
func (r *Receiver) Name() string { return r.name }

// Post creates the group's post and returns its Mattermost post id.
func (r *Receiver) Post(ctx context.Context, g dispatch.Group) (notify.PostRef, error) {
	post := r.render.render(g, r.now()).post(r.channelID)
	start := time.Now()
	created, err := r.client.CreatePost(ctx, post)
	err = r.observe(opPost, start, err)
	if err != nil {
		return "", fmt.Errorf("post group %s: %w", g.ID, err)
	}
	r.logger.Debug("group posted", "group_key", g.Key)
	return notify.PostRef(created.Id), nil
}

// Update replaces the attachments of post ref with the group's current
// content; the post keeps its id and place in the channel.
func (r *Receiver) Update(ctx context.Context, ref notify.PostRef, g dispatch.Group) error {
	if !model.IsValidId(string(ref)) {
		return notify.Errorf(notify.ReasonClientError, 0, "update group %s: post ref %q is not a Mattermost post id", g.ID, ref)
	}
	post := r.render.render(g, r.now()).post(r.channelID)
	props := post.GetProps()
	start := time.Now()
	_, err := r.client.PatchPost(ctx, string(ref), &model.PostPatch{Props: &props})
	err = r.postGone(ctx, err)
	err = r.observe(opUpdate, start, err)
	if err != nil {
		return fmt.Errorf("update group %s: %w", g.ID, err)
	}
	r.logger.Debug("group updated", "group_key", g.Key)
	return nil
}

// ErrPostGone is wrapped by Update's error when the post was deleted (or
// the bot may no longer edit it) while the token still works: the update
// will never succeed, and the caller may post the group anew.
var ErrPostGone = errors.New("post deleted or no longer editable by the bot")

// postGone tells a post that is gone from a bad token. Mattermost answers
// 403, not 404, to a patch of a deleted post; if the token can still read
// its own user, the 403 was about the post.
func (r *Receiver) postGone(ctx context.Context, err error) error {
	var e *mmapi.Error
	if !errors.As(err, &e) || (e.StatusCode != http.StatusForbidden && e.StatusCode != http.StatusNotFound) {
		return err
	}
	if e.StatusCode == http.StatusForbidden && r.client.Ping(ctx) != nil {
		return err
	}
	return &notify.Error{Reason: notify.ReasonClientError, Err: fmt.Errorf("%w: %w", ErrPostGone, err)}
}

// observe records one call and turns its error into a *notify.Error.
func (r *Receiver) observe(op string, start time.Time, err error) error {
	r.metrics.duration.WithLabelValues(r.name, op).Observe(time.Since(start).Seconds())
	if err == nil {
		r.metrics.requests.WithLabelValues(r.name, op, resultOK).Inc()
		return nil
	}
	nerr := classify(err)
	reason, _ := notify.ReasonOf(nerr)
	r.metrics.requests.WithLabelValues(r.name, op, string(reason)).Inc()
	return nerr
}

// classify maps an mmapi failure to a notify reason: the HTTP status when
// the server answered, timeout when it did not.
func classify(err error) error {
	var ne *notify.Error
	if errors.As(err, &ne) {
		return err
	}
	var e *mmapi.Error
	if errors.As(err, &e) && !e.Timeout {
		return &notify.Error{Reason: notify.ReasonForStatus(e.StatusCode), RetryAfter: e.RetryAfter, Err: err}
	}
	return &notify.Error{Reason: notify.ReasonTimeout, Err: err}
}
