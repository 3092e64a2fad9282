package ack

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

	"github.com/vigia-dev/vigia/alerts/notify"
	notifywebhook "github.com/vigia-dev/vigia/alerts/notify/webhook"
	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/signature"
)

// Headers of a reply delivery: the signing scheme of the webhook receiver
// and of Vigía's webhook intake.
const (
	// HeaderSignature is "sha256=" + hex HMAC-SHA256 of "<timestamp>.<body>".
	HeaderSignature = signature.HeaderSignature
	// HeaderTimestamp is the Unix time in seconds of the signature.
	HeaderTimestamp = signature.HeaderTimestamp
	// HeaderIdempotencyKey is the reply's message id, the same for every
	// retry.
	HeaderIdempotencyKey = notifywebhook.HeaderIdempotencyKey
)

// maxAnswerBytes bounds the part of the endpoint's answer that is read.
const maxAnswerBytes = 64 << 10

// ReplyPayload is the JSON document POSTed for an acknowledgement.
type ReplyPayload struct {
	// Version of the format: "1".
	Version string `json:"version"`
	// ID is the reply's id in Vigía, stable across retries.
	ID message.ID `json:"id"`
	// Automatic is always true: this is an automatic acknowledgement,
	// not a person's answer.
	Automatic bool `json:"automatic"`
	// CaseID is the case acknowledged.
	CaseID string `json:"case_id"`
	// Brand, Channel, CustomerID and ConversationID say where the reply
	// goes; InReplyTo is the customer message (the id given at intake,
	// with its channel prefix).
	Brand          string          `json:"brand"`
	Channel        message.Channel `json:"channel"`
	CustomerID     string          `json:"customer_id"`
	ConversationID string          `json:"conversation_id,omitempty"`
	InReplyTo      message.ID      `json:"in_reply_to"`
	// Text is the plain-text reply and Lang its language.
	Text string `json:"text"`
	Lang string `json:"lang"`
	// CreatedAt is when Vigía made the request.
	CreatedAt time.Time `json:"created_at"`
}

// WebhookSender POSTs acknowledgements to the brand's own system, which
// delivers them to the customer.
type WebhookSender struct {
	url    string
	secret []byte
	client *http.Client
	now    func() time.Time
}

// NewWebhookSender returns a sender to cfg.ReplyURL signing with the
// resolved secret. timeout bounds one request.
func NewWebhookSender(cfg WebhookConfig, secret []byte, timeout time.Duration) (*WebhookSender, error) {
	if errs := cfg.problems(); len(errs) > 0 {
		return nil, fmt.Errorf("acknowledgement webhook: %w", errors.Join(errs...))
	}
	if len(secret) == 0 {
		return nil, errors.New("acknowledgement webhook: the signing secret is empty")
	}
	return &WebhookSender{url: cfg.ReplyURL, secret: secret, client: &http.Client{Timeout: timeout}, now: time.Now}, nil
}

// Send POSTs r; a 2xx answer is success, and the "id" field of a JSON
// answer, if any, is the platform's id of the reply.
func (s *WebhookSender) Send(ctx context.Context, r Reply) (string, error) {
	now := s.now()
	body, err := json.Marshal(ReplyPayload{
		Version: "1", ID: r.ID, Automatic: true, CaseID: r.CaseID, Brand: r.Brand, Channel: r.Channel,
		CustomerID: r.CustomerID, ConversationID: r.ConversationID, InReplyTo: r.InReplyTo,
		Text: r.Text, Lang: r.Lang, CreatedAt: now.UTC(),
	})
	if err != nil {
		return "", notify.Errorf(notify.ReasonClientError, 0, "encode acknowledgement of case %s: %w", r.CaseID, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return "", notify.Errorf(notify.ReasonClientError, 0, "build acknowledgement request: %w", err)
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vigia")
	req.Header.Set(HeaderIdempotencyKey, string(r.ID))
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, signature.Sign(s.secret, ts, body))
	resp, err := s.client.Do(req)
	if err != nil {
		// The error names the URL, never the secret.
		return "", notify.Errorf(notify.ReasonTimeout, 0, "post acknowledgement of case %s: %w", r.CaseID, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if err := notify.CheckHTTP(resp.StatusCode, resp.Header, string(answer), now); err != nil {
		var ne *notify.Error
		if errors.As(err, &ne) {
			ne.Err = fmt.Errorf("post acknowledgement of case %s: %w", r.CaseID, ne.Err)
		}
		return "", err
	}
	var ref struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(answer, &ref) != nil || len(ref.ID) == 0 {
		return "", nil
	}
	var id string
	if json.Unmarshal(ref.ID, &id) != nil {
		id = string(ref.ID) // a number
	}
	return id, nil
}
