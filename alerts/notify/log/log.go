// Package log is the log receiver: every notification becomes one
// structured log line. It needs nothing and cannot fail, which makes it the
// demo's receiver and a safe fallback route. Group labels are logged at
// Info; the alerts' annotations (which may quote customers) only at Debug.
package log

import (
	"context"
	"log/slog"
	"time"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/dispatch"
	"github.com/vigia-dev/vigia/alerts/notify"
)

// Config configures one log receiver.
type Config struct {
	// Name is the receiver's name, used by routes.
	Name string `yaml:"name"`
}

// Receiver logs notifications.
type Receiver struct {
	name   string
	logger *slog.Logger
	now    func() time.Time
}

// New returns a receiver named name logging to logger.
func New(name string, logger *slog.Logger) *Receiver {
	return &Receiver{name: name, logger: logger.With("receiver", name), now: time.Now}
}

// Name returns the receiver's name.
func (r *Receiver) Name() string { return r.name }

// Post logs the group's first notification; the reference is the group ID.
func (r *Receiver) Post(ctx context.Context, g dispatch.Group) (notify.PostRef, error) {
	r.log(ctx, g)
	return notify.PostRef(g.ID), nil
}

// Update logs a later notification of the group.
func (r *Receiver) Update(ctx context.Context, _ notify.PostRef, g dispatch.Group) error {
	r.log(ctx, g)
	return nil
}

func (r *Receiver) log(ctx context.Context, g dispatch.Group) {
	now := r.now()
	c := notify.Render(g, now, 0)
	r.logger.InfoContext(ctx, "alert notification",
		"group_key", g.Key, "kind", string(g.Kind), "title", c.Title,
		"severity", string(c.Severity), "firing", g.Firing(now), "alerts", len(g.Alerts))
	if r.logger.Enabled(ctx, slog.LevelDebug) {
		for _, a := range g.Alerts {
			r.logger.DebugContext(ctx, "alert notification item", "group_key", g.Key,
				"labels", alert.LabelsString(a.Labels), "summary", a.Annotations[notify.AnnotationSummary],
				"text", a.Annotations[notify.AnnotationText])
		}
	}
}
