package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/collectors"
	"github.com/vigia-dev/vigia/collectors/collectortest"
	"github.com/vigia-dev/vigia/internal/message"
)

const (
	testSecret = "s3cr3t-webhook-key-0123456789"
	oldSecret  = "previous-webhook-key-9876543210"
	secretEnv  = "VIGIA_TEST_WEBHOOK_SECRET"
)

var fixedNow = time.Date(2025, 3, 3, 12, 0, 0, 0, time.UTC)

func testConfig(t *testing.T) Config {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(p, []byte(testSecret+"\n"+oldSecret+"\n"), 0o600))
	cfg := DefaultConfig()
	cfg.SecretFile = p
	cfg.DefaultBrand = "demo"
	cfg.MaxBodyBytes = 4096
	cfg.MaxMessages = 3
	return cfg
}

func newHandler(t *testing.T, cfg Config, pub collectors.Publisher, logs *bytes.Buffer) *Handler {
	t.Helper()
	if logs == nil {
		logs = &bytes.Buffer{}
	}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := New(cfg, pub, logger, prometheus.NewRegistry(), WithClock(func() time.Time { return fixedNow }))
	require.NoError(t, err)
	return h
}

type req struct {
	method, ctype, body, sig, ts string
	noSig                        bool
}

// signed returns a request signed with testSecret at fixedNow.
func signed(body string) req {
	ts := strconv.FormatInt(fixedNow.Unix(), 10)
	return req{method: http.MethodPost, ctype: ContentTypeJSON, body: body, ts: ts, sig: Sign([]byte(testSecret), ts, []byte(body))}
}

func do(h http.Handler, r req) *httptest.ResponseRecorder {
	hr := httptest.NewRequest(r.method, "/intake/webhook", strings.NewReader(r.body))
	if r.ctype != "" {
		hr.Header.Set("Content-Type", r.ctype)
	}
	if !r.noSig {
		hr.Header.Set(HeaderSignature, r.sig)
	}
	if r.ts != "" {
		hr.Header.Set(HeaderTimestamp, r.ts)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, hr)
	return w
}

const good = `{"id":"x:1","brand":"acme","channel":"x","kind":"mention","direction":"inbound","author":{"id":"u1"},"text":"my order never arrived","created_at":"2025-03-03T10:00:00Z"}`

func TestServeHTTP(t *testing.T) {
	minimal := `{"id":"abc","author":{"id":"u2"},"text":"hola","created_at":"2025-03-03T11:00:00+01:00"}`
	withTS := func(r req, ts time.Time) req {
		r.ts = strconv.FormatInt(ts.Unix(), 10)
		r.sig = Sign([]byte(testSecret), r.ts, []byte(r.body))
		return r
	}
	tests := []struct {
		name    string
		r       req
		mode    TimestampMode
		code    int
		ids     []message.ID
		errText string
		details []string
	}{
		{name: "one object", r: signed(good), code: 202, ids: []message.ID{"x:1"}},
		{name: "array with defaults", r: signed("[" + good + "," + minimal + "]"), code: 202, ids: []message.ID{"x:1", "webhook:abc"}},
		{name: "json lines", r: func() req {
			r := signed(good + "\n\n" + minimal + "\n")
			r.ctype = ContentTypeNDJSON
			return r
		}(), code: 202, ids: []message.ID{"x:1", "webhook:abc"}},
		{name: "charset ok", r: func() req { r := signed(good); r.ctype = "application/json; charset=UTF-8"; return r }(), code: 202, ids: []message.ID{"x:1"}},
		{name: "old secret still verifies", r: func() req { r := signed(good); r.sig = Sign([]byte(oldSecret), r.ts, []byte(good)); return r }(), code: 202, ids: []message.ID{"x:1"}},
		{name: "body-only signature when optional", mode: TimestampOptional, r: func() req {
			r := signed(good)
			r.ts, r.sig = "", Sign([]byte(testSecret), "", []byte(good))
			return r
		}(), code: 202, ids: []message.ID{"x:1"}},
		{name: "body-only signature when required", r: func() req {
			r := signed(good)
			r.ts, r.sig = "", Sign([]byte(testSecret), "", []byte(good))
			return r
		}(), code: 401, errText: "bad signature", details: []string{"missing X-Vigia-Timestamp header"}},
		{name: "wrong secret", r: func() req {
			r := signed(good)
			r.sig = Sign([]byte("not-the-secret-at-all"), r.ts, []byte(good))
			return r
		}(), code: 401, details: []string{"signature does not match"}},
		{name: "tampered body", r: func() req { r := signed(good); r.body = strings.Replace(good, "never", "never ever", 1); return r }(), code: 401},
		{name: "missing signature", r: func() req { r := signed(good); r.noSig = true; return r }(), code: 401, details: []string{"missing X-Vigia-Signature header"}},
		{name: "malformed signature", r: func() req { r := signed(good); r.sig = "sha1=abcd"; return r }(), code: 401},
		{name: "stale timestamp", r: withTS(signed(good), fixedNow.Add(-6*time.Minute)), code: 401, details: []string{"X-Vigia-Timestamp: more than 5m0s from the server's clock"}},
		{name: "future timestamp", r: withTS(signed(good), fixedNow.Add(6*time.Minute)), code: 401},
		{name: "timestamp within tolerance", r: withTS(signed(good), fixedNow.Add(-4*time.Minute)), code: 202, ids: []message.ID{"x:1"}},
		{name: "bad timestamp", r: func() req { r := signed(good); r.ts = "yesterday"; return r }(), code: 401},
		{name: "GET", r: func() req { r := signed(good); r.method = http.MethodGet; return r }(), code: 405},
		{name: "text/plain", r: func() req { r := signed(good); r.ctype = "text/plain"; return r }(), code: 415},
		{name: "no content type", r: func() req { r := signed(good); r.ctype = ""; return r }(), code: 415},
		{name: "latin1 charset", r: func() req { r := signed(good); r.ctype = "application/json; charset=latin1"; return r }(), code: 415},
		{name: "oversized", r: signed(`{"text":"` + strings.Repeat("a", 5000) + `"}`), code: 413},
		{name: "too many messages", r: signed("[" + strings.Repeat(good+",", 3) + good + "]"), code: 413, errText: "4 messages; at most 3 per request"},
		{name: "malformed", r: signed(`{"id":`), code: 400, errText: "malformed JSON"},
		{name: "not an object", r: signed(`"hello"`), code: 400},
		{name: "trailing data", r: signed(good + " {}"), code: 400},
		{name: "empty array", r: signed(`[]`), code: 400, errText: "body holds no messages"},
		{name: "unknown field", r: signed(`{"id":"x:1","mood":"angry"}`), code: 400, details: []string{`[0]: json: unknown field "mood"`}},
		{name: "invalid utf-8", r: signed("{\"id\":\"x:1\",\"text\":\"caf\xe9\"}"), code: 400, errText: "body is not valid UTF-8"},
		{name: "bad json line", r: func() req { r := signed(good + "\n{oops\n"); r.ctype = ContentTypeJSONL; return r }(), code: 400, details: []string{"line 2: invalid character"}},
		{name: "every field error", r: signed(`[` + good + `,{"channel":"fax","kind":"shout","direction":"sideways"}]`), code: 422, errText: "invalid message", details: []string{
			"[1].id: is empty", `[1].channel: "fax"`, `[1].kind: "shout"`, `[1].direction: "sideways"`, "[1].author.id: is empty", "[1].created_at: is missing",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			if tt.mode != "" {
				cfg.Timestamp = tt.mode
			}
			rec := collectortest.NewRecorder()
			var logs bytes.Buffer
			w := do(newHandler(t, cfg, rec, &logs), tt.r)
			require.Equal(t, tt.code, w.Code, "got %d %s", w.Code, w.Body.String())
			require.Equal(t, "application/json; charset=utf-8", w.Header().Get("Content-Type"))
			require.NotContains(t, logs.String(), testSecret)
			require.NotContains(t, w.Body.String(), testSecret)
			if tt.code == http.StatusAccepted {
				var acc Accepted
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &acc))
				require.Equal(t, Accepted{Accepted: len(tt.ids), IDs: tt.ids}, acc)
				require.Equal(t, tt.ids, rec.IDs())
				return
			}
			require.Zero(t, rec.Calls(), "nothing is published on %d", tt.code)
			var e Error
			dec := json.NewDecoder(w.Body)
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(&e))
			require.NotEmpty(t, e.Error)
			require.Contains(t, e.Error, tt.errText)
			joined := strings.Join(e.Details, "\n")
			for _, d := range tt.details {
				require.Contains(t, joined, d)
			}
			if tt.code == http.StatusMethodNotAllowed {
				require.Equal(t, http.MethodPost, w.Header().Get("Allow"))
			}
		})
	}
}

func TestDefaultsFilled(t *testing.T) {
	rec := collectortest.NewRecorder()
	body := `[{"id":"abc","author":{"id":"u2"},"text":"hola","created_at":"2025-03-03T11:00:00+01:00","received_at":"2001-01-01T00:00:00Z"},` +
		`{"id":"email:m-1","in_reply_to":"email:m-0","author":{"id":"u3"},"created_at":"2025-03-03T11:00:00Z","raw":{"src":"crm"}}]`
	w := do(newHandler(t, testConfig(t), rec, nil), signed(body))
	require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
	msgs := rec.Messages()
	require.Len(t, msgs, 2)
	a, b := msgs[0], msgs[1]
	require.Equal(t, message.ID("webhook:abc"), a.ID)
	require.Equal(t, message.ChannelWebhook, a.Channel)
	require.Equal(t, "demo", a.Brand)
	require.Equal(t, message.KindMention, a.Kind)
	require.Equal(t, message.DirectionInbound, a.Direction)
	require.Equal(t, fixedNow, a.ReceivedAt, "received_at is the time of the request")
	require.Equal(t, time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC), a.CreatedAt)
	require.JSONEq(t, `{"id":"abc","author":{"id":"u2"},"text":"hola","created_at":"2025-03-03T11:00:00+01:00","received_at":"2001-01-01T00:00:00Z"}`, string(a.Raw))
	require.Equal(t, message.ChannelEmail, b.Channel, "channel from the id prefix")
	require.Equal(t, message.KindReply, b.Kind)
	require.JSONEq(t, `{"src":"crm"}`, string(b.Raw))
}

func TestPublishFailure(t *testing.T) {
	rec := collectortest.NewRecorder()
	rec.Fail(collectortest.ErrInjected)
	var logs bytes.Buffer
	h := newHandler(t, testConfig(t), rec, &logs)
	w := do(h, signed(good))
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Equal(t, "5", w.Header().Get("Retry-After"))
	require.Contains(t, w.Body.String(), "retry later")
	require.NotContains(t, w.Body.String(), "injected", "internal errors are not shown to senders")
	require.Contains(t, logs.String(), "level=WARN")
	require.NotContains(t, logs.String(), "never arrived", "body logged")
	require.Equal(t, 1.0, testutil.ToFloat64(h.metrics.requests.WithLabelValues("503")))

	rec.Fail(nil)
	require.Equal(t, http.StatusAccepted, do(h, signed(good)).Code, "a retry succeeds once the stream is back")
}

func TestStoppedAfterRun(t *testing.T) {
	rec := collectortest.NewRecorder()
	h := newHandler(t, testConfig(t), rec, nil)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx, rec) }()
	require.Equal(t, http.StatusAccepted, do(h, signed(good)).Code)
	cancel()
	require.NoError(t, <-done)
	require.Equal(t, http.StatusServiceUnavailable, do(h, signed(good)).Code)
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Config)
		wants []string
	}{
		{name: "ok", edit: func(*Config) {}},
		{name: "both secrets", edit: func(c *Config) { c.SecretEnv = "X" }, wants: []string{"at most one of secret_env & secret_file"}},
		{name: "no secret", edit: func(c *Config) { c.SecretFile = "" }, wants: []string{"one of secret_env & secret_file is required"}},
		{name: "many", edit: func(c *Config) {
			c.Path, c.Timestamp, c.TimestampTolerance, c.MaxBodyBytes = "intake", "sometimes", 0, 0
			c.MaxMessages, c.DefaultChannel, c.PublishTimeout, c.RetryAfter, c.Name = 0, "fax", 0, 0, ""
		}, wants: []string{
			`name: "": must not be empty`, `path: "intake": must start with /`, `timestamp: "sometimes": want required or optional`,
			`timestamp_tolerance: "0s": must be between 1s and 1h`, "max_body_bytes: 0: must be positive", "max_messages: 0: must be positive",
			`default_channel: "fax": want one of`, `publish_timeout: "0s": must be positive`, `retry_after: "0s": must be at least 1s`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.SecretFile = "secret"
			tt.edit(&cfg)
			collectortest.RequireProblems(t, cfg.Validate(), tt.wants)
		})
	}
}

func TestSecrets(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short")
	require.NoError(t, os.WriteFile(short, []byte("tiny-secret\n"), 0o600))
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n\n"), 0o600))
	t.Setenv(secretEnv, testSecret)
	t.Setenv("VIGIA_TEST_EMPTY", "")
	tests := []struct {
		name    string
		env     string
		file    string
		wantErr string
	}{
		{name: "env", env: secretEnv},
		{name: "env unset", env: "VIGIA_TEST_NOT_SET_ANYWHERE", wantErr: "environment variable VIGIA_TEST_NOT_SET_ANYWHERE is not set or empty"},
		{name: "env empty", env: "VIGIA_TEST_EMPTY", wantErr: "is not set or empty"},
		{name: "missing file", file: filepath.Join(dir, "nope"), wantErr: "secret_file: read"},
		{name: "short", file: short, wantErr: "is 11 bytes; at least 16 required"},
		{name: "empty file", file: empty, wantErr: "holds no secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.SecretEnv, cfg.SecretFile = tt.env, tt.file
			_, err := New(cfg, collectortest.NewRecorder(), slog.New(slog.DiscardHandler), nil)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
			require.NotContains(t, err.Error(), "tiny-secret")
		})
	}
}

func TestSampleConfig(t *testing.T) {
	cfg := DefaultConfig()
	collectortest.DecodeSample(t, ".", &cfg)
	require.NoError(t, cfg.Validate())
	require.Equal(t, 5*time.Minute, cfg.TimestampTolerance)
	t.Setenv(cfg.SecretEnv, testSecret)
	h, err := New(cfg, collectortest.NewRecorder(), slog.New(slog.DiscardHandler), nil)
	require.NoError(t, err)
	require.Equal(t, "/intake/webhook", h.Path())
}

func TestMetricsLint(t *testing.T) {
	reg := prometheus.NewRegistry()
	h, err := New(testConfig(t), collectortest.NewRecorder(), slog.New(slog.DiscardHandler), reg, WithClock(func() time.Time { return fixedNow }))
	require.NoError(t, err)
	do(h, signed(good))
	problems, err := testutil.GatherAndLint(reg)
	require.NoError(t, err)
	require.Empty(t, problems)
	require.Equal(t, 1.0, testutil.ToFloat64(h.metrics.requests.WithLabelValues("202")))
}

func TestConformance(t *testing.T) {
	collectortest.Run(t, func(t *testing.T, pub collectors.Publisher) collectortest.Subject {
		h := newHandler(t, testConfig(t), pub, nil)
		return collectortest.Subject{
			Collector: h,
			Push: func(context.Context) error {
				body := "[" + good + "," + strings.Replace(good, `"x:1"`, `"x:2"`, 1) + "]"
				if w := do(h, signed(body)); w.Code != http.StatusAccepted {
					return &httpError{code: w.Code, msg: w.Body.String()}
				}
				return nil
			},
		}
	})
}
