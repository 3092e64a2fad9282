package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/collectors"
	"github.com/vigia-dev/vigia/internal/message"
)

// Accepted is the body of a 202 answer.
type Accepted struct {
	Accepted int          `json:"accepted"`
	IDs      []message.ID `json:"ids"`
}

// Error is the body of every error answer.
type Error struct {
	Error   string   `json:"error"`
	Details []string `json:"details,omitempty"`
}

// Media types the Handler accepts.
const (
	ContentTypeJSON   = "application/json"     // one message object or an array of them
	ContentTypeNDJSON = "application/x-ndjson" // JSON Lines: one message object per line
	ContentTypeJSONL  = "application/jsonl"    // same as ContentTypeNDJSON
)

// Option changes how a Handler is built.
type Option func(*Handler)

// WithClock replaces the wall clock used for received_at and timestamps.
func WithClock(now func() time.Time) Option { return func(h *Handler) { h.now = now } }

// Handler is the webhook intake: an http.Handler that publishes what it
// accepts, and a collectors.Collector whose Run only marks the intake open
// until ctx ends. After Run returns, every request gets 503.
type Handler struct {
	cfg     Config
	secrets [][]byte
	pub     collectors.Publisher
	logger  *slog.Logger
	metrics *metrics
	now     func() time.Time
	stopped atomic.Bool
}

var (
	_ http.Handler         = (*Handler)(nil)
	_ collectors.Collector = (*Handler)(nil)
)

// New validates cfg, resolves its secret and builds a Handler publishing to pub.
func New(cfg Config, pub collectors.Publisher, logger *slog.Logger, reg prometheus.Registerer, opts ...Option) (*Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("webhook config: %w", err)
	}
	if pub == nil {
		return nil, errors.New("webhook: publisher is nil")
	}
	secrets, err := loadSecrets(cfg)
	if err != nil {
		return nil, fmt.Errorf("webhook %s secret: %w", cfg.Name, err)
	}
	m, err := newMetrics(reg, cfg.Name)
	if err != nil {
		return nil, fmt.Errorf("webhook %s metrics: %w", cfg.Name, err)
	}
	h := &Handler{
		cfg:     cfg,
		secrets: secrets,
		pub:     pub,
		logger:  logger.With("component", "collector"),
		metrics: m,
		now:     time.Now,
	}
	for _, o := range opts {
		o(h)
	}
	return h, nil
}

// Name returns the configured name.
func (h *Handler) Name() string { return h.cfg.Name }

// Path returns the path the app mounts the Handler on.
func (h *Handler) Path() string { return h.cfg.Path }

// Run blocks until ctx is done, then closes the intake (later requests get
// 503) and returns nil. The Publisher given to New is the one used; pub is
// ignored, since requests arrive through the app's HTTP server.
func (h *Handler) Run(ctx context.Context, _ collectors.Publisher) error {
	h.stopped.Store(false)
	<-ctx.Done()
	h.stopped.Store(true)
	return nil
}

// httpError is an answer other than 202.
type httpError struct {
	code    int
	msg     string
	details []string
}

func (e *httpError) Error() string { return e.msg }

func fail(code int, msg string, details ...string) *httpError {
	return &httpError{code: code, msg: msg, details: details}
}

// ServeHTTP handles one intake request; see the package README for the protocol.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	acc, herr := h.serve(w, r)
	code := http.StatusAccepted
	if herr != nil {
		code = herr.code
		if code == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", strconv.Itoa(int(h.cfg.RetryAfter.Round(time.Second)/time.Second)))
		}
		if code == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
		writeJSON(w, code, Error{Error: herr.msg, Details: herr.details})
		h.logger.Debug("webhook request rejected", "code", code, "err", herr.msg)
	} else {
		writeJSON(w, code, acc)
	}
	h.metrics.requests.WithLabelValues(strconv.Itoa(code)).Inc()
	h.metrics.duration.Observe(time.Since(start).Seconds())
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) (Accepted, *httpError) {
	if h.stopped.Load() {
		return Accepted{}, fail(http.StatusServiceUnavailable, "intake is shutting down")
	}
	if r.Method != http.MethodPost {
		return Accepted{}, fail(http.StatusMethodNotAllowed, "method "+r.Method+" not allowed; use POST")
	}
	lines, herr := parseContentType(r.Header.Get("Content-Type"))
	if herr != nil {
		return Accepted{}, herr
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return Accepted{}, fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("body exceeds %d bytes", h.cfg.MaxBodyBytes))
		}
		return Accepted{}, fail(http.StatusBadRequest, "read body: "+err.Error())
	}
	if err := h.verify(r.Header, body); err != nil {
		return Accepted{}, fail(http.StatusUnauthorized, "bad signature", err.Error())
	}
	if !utf8.Valid(body) {
		return Accepted{}, fail(http.StatusBadRequest, "body is not valid UTF-8")
	}
	var elems []json.RawMessage
	if lines {
		elems, herr = splitLines(body)
	} else {
		elems, herr = splitJSON(body)
	}
	if herr != nil {
		return Accepted{}, herr
	}
	if len(elems) == 0 {
		return Accepted{}, fail(http.StatusBadRequest, "body holds no messages")
	}
	if len(elems) > h.cfg.MaxMessages {
		return Accepted{}, fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("%d messages; at most %d per request", len(elems), h.cfg.MaxMessages))
	}
	msgs, herr := h.decode(elems)
	if herr != nil {
		return Accepted{}, herr
	}
	return h.publish(r.Context(), msgs)
}

// parseContentType reports whether the body is JSON Lines.
func parseContentType(v string) (lines bool, herr *httpError) {
	want := fmt.Sprintf("want %s, %s or %s", ContentTypeJSON, ContentTypeNDJSON, ContentTypeJSONL)
	mt, params, err := mime.ParseMediaType(v)
	if err != nil {
		return false, fail(http.StatusUnsupportedMediaType, fmt.Sprintf("content type %q: %s", v, want))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return false, fail(http.StatusUnsupportedMediaType, fmt.Sprintf("charset %q: want utf-8", cs))
	}
	switch mt {
	case ContentTypeJSON:
		return false, nil
	case ContentTypeNDJSON, ContentTypeJSONL:
		return true, nil
	}
	return false, fail(http.StatusUnsupportedMediaType, fmt.Sprintf("content type %q: %s", mt, want))
}

// splitJSON splits a body holding one object or an array of objects.
func splitJSON(body []byte) ([]json.RawMessage, *httpError) {
	trimmed := bytes.TrimSpace(body)
	var elems []json.RawMessage
	switch {
	case bytes.HasPrefix(trimmed, []byte("[")):
		if err := json.Unmarshal(trimmed, &elems); err != nil {
			return nil, fail(http.StatusBadRequest, "malformed JSON", err.Error())
		}
	case bytes.HasPrefix(trimmed, []byte("{")):
		if !json.Valid(trimmed) {
			var v any
			return nil, fail(http.StatusBadRequest, "malformed JSON", json.Unmarshal(trimmed, &v).Error())
		}
		elems = []json.RawMessage{trimmed}
	default:
		return nil, fail(http.StatusBadRequest, "malformed JSON", "want a message object or an array of them")
	}
	return elems, nil
}

// splitLines splits a JSON Lines body; blank lines are ignored.
func splitLines(body []byte) ([]json.RawMessage, *httpError) {
	var elems []json.RawMessage
	var details []string
	for i, line := range bytes.Split(body, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if !json.Valid(line) {
			var v any
			details = append(details, fmt.Sprintf("line %d: %v", i+1, json.Unmarshal(line, &v)))
			continue
		}
		elems = append(elems, line)
	}
	if len(details) > 0 {
		return nil, fail(http.StatusBadRequest, "malformed JSON", details...)
	}
	return elems, nil
}

// decode turns each element into a message with defaults filled, and
// reports every error of every message at once.
func (h *Handler) decode(elems []json.RawMessage) ([]message.Message, *httpError) {
	msgs := make([]message.Message, 0, len(elems))
	var syntax, invalid []string
	now := h.now().UTC()
	for i, e := range elems {
		var m message.Message
		dec := json.NewDecoder(bytes.NewReader(e))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&m); err != nil {
			syntax = append(syntax, fmt.Sprintf("[%d]: %v", i, err))
			continue
		}
		h.fillDefaults(&m, e, now)
		if err := m.Validate(); err != nil {
			for _, fe := range splitJoined(err) {
				invalid = append(invalid, fmt.Sprintf("[%d].%v", i, fe))
			}
			continue
		}
		msgs = append(msgs, m)
	}
	switch {
	case len(syntax) > 0:
		return nil, fail(http.StatusBadRequest, "malformed message", syntax...)
	case len(invalid) > 0:
		return nil, fail(http.StatusUnprocessableEntity, "invalid message", invalid...)
	}
	return msgs, nil
}

// fillDefaults completes what a sender may leave out. received_at is always
// the time of this request.
func (h *Handler) fillDefaults(m *message.Message, raw json.RawMessage, now time.Time) {
	if m.Channel == "" {
		m.Channel = h.cfg.DefaultChannel
		if c := m.ID.Channel(); strings.Contains(string(m.ID), ":") && c.Valid() {
			m.Channel = c
		}
	}
	if m.ID != "" && !strings.Contains(string(m.ID), ":") {
		m.ID = message.NewID(m.Channel, string(m.ID))
	}
	if m.Brand == "" {
		m.Brand = h.cfg.DefaultBrand
	}
	if m.Kind == "" {
		m.Kind = message.KindMention
		if m.InReplyTo != "" {
			m.Kind = message.KindReply
		}
	}
	if m.Direction == "" {
		m.Direction = message.DirectionInbound
	}
	if len(m.Raw) == 0 && len(raw) <= message.MaxRawBytes {
		m.Raw = raw
	}
	m.ReceivedAt = time.Time{}
	m.Normalize(now)
}

// splitJoined returns the errors joined in err, or err alone.
func splitJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok { //nolint:errorlint // splitting errors.Join on purpose
		return j.Unwrap()
	}
	return []error{err}
}

func (h *Handler) publish(ctx context.Context, msgs []message.Message) (Accepted, *httpError) {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.PublishTimeout)
	defer cancel()
	if err := h.pub.Publish(ctx, msgs...); err != nil {
		h.metrics.shared.Failed()
		h.logger.Warn("publish webhook messages", "count", len(msgs), "err", err)
		return Accepted{}, fail(http.StatusServiceUnavailable, "messages not stored; retry later")
	}
	h.metrics.shared.Published(msgs, h.now())
	acc := Accepted{Accepted: len(msgs), IDs: make([]message.ID, len(msgs))}
	for i, m := range msgs {
		acc.IDs[i] = m.ID
	}
	return acc, nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
