package webhook_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/dispatch"
	"github.com/vigia-dev/vigia/alerts/notify"
	"github.com/vigia-dev/vigia/alerts/notify/webhook"
	"github.com/vigia-dev/vigia/internal/signature"
)

func TestPostSignsAndCarriesIdempotencyKey(t *testing.T) {
	secret := []byte("s3cr3t-s3cr3t-s3cr3t")
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, body = r, must(io.ReadAll(r.Body))
	}))
	defer srv.Close()
	cfg := webhook.DefaultConfig()
	cfg.Name, cfg.URL, cfg.MaxAlerts = "hook", srv.URL, 1
	r, err := webhook.New(cfg, secret)
	require.NoError(t, err)
	g := dispatch.Group{Key: "k", ID: "g1", Version: 3, Kind: dispatch.KindUpdate, Receiver: "hook",
		Labels: map[string]string{"brand": "acme"},
		Alerts: []alert.Alert{{Labels: map[string]string{"rule": "urgent"}}, {Labels: map[string]string{"rule": "sla_breach"}}}}
	ref, err := r.Post(t.Context(), g)
	require.NoError(t, err)
	require.Equal(t, notify.PostRef("g1"), ref)
	require.Equal(t, "hook/g1/3", got.Header.Get(webhook.HeaderIdempotencyKey))
	ts := got.Header.Get(webhook.HeaderTimestamp)
	require.Equal(t, signature.Sign(secret, ts, body), got.Header.Get(webhook.HeaderSignature))
	var doc webhook.Payload
	require.NoError(t, json.Unmarshal(body, &doc))
	require.Equal(t, "firing", doc.Status)
	require.Equal(t, 2, doc.Firing)
	require.Equal(t, 2, doc.Total)
	require.Len(t, doc.Alerts, 1)
	require.Equal(t, uint64(3), doc.Sequence)
}

func TestErrorsAreClassifiedAndLeakNoSecret(t *testing.T) {
	secret := "s3cr3t-s3cr3t-s3cr3t"
	tests := []struct {
		status int
		reason notify.Reason
	}{
		{401, notify.ReasonAuthError},
		{404, notify.ReasonClientError},
		{429, notify.ReasonRateLimited},
		{502, notify.ReasonServerError},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			cfg := webhook.DefaultConfig()
			cfg.Name, cfg.URL = "hook", srv.URL
			r, err := webhook.New(cfg, []byte(secret))
			require.NoError(t, err)
			err = r.Update(t.Context(), "g1", dispatch.Group{ID: "g1", Version: 1})
			reason, _ := notify.ReasonOf(err)
			require.Equal(t, tt.reason, reason)
			require.NotContains(t, err.Error(), secret)
		})
	}
	cfg := webhook.DefaultConfig()
	cfg.Name, cfg.URL, cfg.Timeout = "hook", "http://127.0.0.1:1/", time.Second
	r, err := webhook.New(cfg, []byte(secret))
	require.NoError(t, err)
	_, err = r.Post(t.Context(), dispatch.Group{ID: "g1", Version: 1})
	reason, _ := notify.ReasonOf(err)
	require.Equal(t, notify.ReasonTimeout, reason)
	require.NotContains(t, err.Error(), secret)
}

func TestConfigValidate(t *testing.T) {
	cfg := webhook.Config{SecretEnv: "A", SecretFile: "b", URL: "ftp://x"}
	err := cfg.Validate()
	for _, want := range []string{"name: is empty", `url: "ftp://x"`, "at most one of secret_env & secret_file", "timeout:", "max_alerts:"} {
		require.True(t, strings.Contains(err.Error(), want), "missing %q in %v", want, err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
