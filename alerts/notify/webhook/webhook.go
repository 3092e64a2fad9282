package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/dispatch"
	"github.com/vigia-dev/vigia/alerts/notify"
	"github.com/vigia-dev/vigia/internal/signature"
)

// Headers of a delivery.
const (
	// HeaderSignature is "sha256=" + hex HMAC-SHA256 of "<timestamp>.<body>"
	// under the secret, sent when a secret is configured.
	HeaderSignature = signature.HeaderSignature
	// HeaderTimestamp is the Unix time in seconds of the signature.
	HeaderTimestamp = signature.HeaderTimestamp
	// HeaderIdempotencyKey is the same for every retry of one
	// notification: receiver/group id/version.
	HeaderIdempotencyKey = "Idempotency-Key"
)

// Payload is the JSON document POSTed for every notification of a group.
type Payload struct {
	// Version of the document format: "1".
	Version string `json:"version"`
	// Receiver is the receiver's name.
	Receiver string `json:"receiver"`
	// Status is "firing" while an alert fires, then "resolved".
	Status string `json:"status"`
	// Kind is first, update or repeat.
	Kind dispatch.Kind `json:"kind"`
	// GroupKey identifies the group, GroupID the post, Sequence the
	// notification within the post.
	GroupKey string `json:"group_key"`
	GroupID  string `json:"group_id"`
	Sequence uint64 `json:"sequence"`
	// Title is the rendered title.
	Title string `json:"title"`
	// GroupLabels and CommonLabels as in Alertmanager's webhook.
	GroupLabels  map[string]string `json:"group_labels"`
	CommonLabels map[string]string `json:"common_labels"`
	// Firing and Total count the alerts; Alerts lists up to max_alerts.
	Firing int           `json:"firing"`
	Total  int           `json:"total"`
	Alerts []alert.Alert `json:"alerts"`
}

// Receiver POSTs notifications to a URL.
type Receiver struct {
	cfg    Config
	secret []byte
	client *http.Client
	now    func() time.Time
}

// New returns a receiver for cfg with the resolved secret (nil for none).
func New(cfg Config, secret []byte) (*Receiver, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("webhook receiver %q: %w", cfg.Name, err)
	}
	return &Receiver{cfg: cfg, secret: secret, client: &http.Client{Timeout: cfg.Timeout}, now: time.Now}, nil
}

// Name returns the receiver's name.
func (r *Receiver) Name() string { return r.cfg.Name }

// Post sends the group's first notification; the reference is the group
// ID, since a webhook has no post of its own.
func (r *Receiver) Post(ctx context.Context, g dispatch.Group) (notify.PostRef, error) {
	if err := r.send(ctx, g); err != nil {
		return "", err
	}
	return notify.PostRef(g.ID), nil
}

// Update sends a later notification of the same group.
func (r *Receiver) Update(ctx context.Context, _ notify.PostRef, g dispatch.Group) error {
	return r.send(ctx, g)
}

// Build returns the document for g at now.
func (r *Receiver) Build(g dispatch.Group, now time.Time) Payload {
	p := Payload{
		Version: "1", Receiver: r.cfg.Name, Kind: g.Kind, GroupKey: g.Key, GroupID: g.ID, Sequence: g.Version,
		Title: notify.Render(g, now, 1).Title, GroupLabels: g.Labels, CommonLabels: g.CommonLabels,
		Firing: g.Firing(now), Total: len(g.Alerts), Alerts: g.Alerts,
	}
	if len(p.Alerts) > r.cfg.MaxAlerts {
		p.Alerts = p.Alerts[:r.cfg.MaxAlerts]
	}
	p.Status = "resolved"
	if p.Firing > 0 {
		p.Status = "firing"
	}
	return p
}

func (r *Receiver) send(ctx context.Context, g dispatch.Group) error {
	now := r.now()
	body, err := json.Marshal(r.Build(g, now))
	if err != nil {
		return notify.Errorf(notify.ReasonClientError, 0, "encode notification: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return notify.Errorf(notify.ReasonClientError, 0, "build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vigia")
	req.Header.Set(HeaderIdempotencyKey, notify.IdempotencyKey(r.cfg.Name, g))
	if len(r.secret) > 0 {
		ts := strconv.FormatInt(now.Unix(), 10)
		req.Header.Set(HeaderTimestamp, ts)
		req.Header.Set(HeaderSignature, signature.Sign(r.secret, ts, body))
	}
	resp, err := r.client.Do(req)
	if err != nil {
		// The error names the URL, never the secret.
		return notify.Errorf(notify.ReasonTimeout, 0, "post to webhook: %w", err)
	}
	defer resp.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if err := notify.CheckHTTP(resp.StatusCode, resp.Header, string(excerpt), now); err != nil {
		var ne *notify.Error
		if errors.As(err, &ne) {
			ne.Err = fmt.Errorf("post to webhook: %w", ne.Err)
		}
		return err
	}
	return nil
}
