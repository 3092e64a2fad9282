package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/collectors/replay"
	"github.com/vigia-dev/vigia/collectors/webhook"
	"github.com/vigia-dev/vigia/internal/config"
	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/storage"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
)

const testSecret = "0123456789abcdef-test-secret"

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// testConfig returns a valid config for brand acme on the test database,
// an embedded stream in a temp dir and an HTTP server on a free port.
func testConfig(t *testing.T, db *chtest.DB) *config.Config {
	t.Helper()
	t.Setenv("VIGIA_TEST_WEBHOOK_SECRET", testSecret)
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.NATS.StoreDir = filepath.Join(cfg.DataDir, "nats")
	cfg.NATS.AckWait = 5 * time.Second
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.Brands = []config.Brand{{Name: "acme", Handles: map[message.Channel][]string{message.ChannelX: {"AcmeHelp"}}}}
	cfg.ClickHouse.Addr = []string{db.Addr}
	cfg.ClickHouse.Database = db.Database
	cfg.ClickHouse.BatchMaxRows = 100
	cfg.ClickHouse.BatchMaxAge = 50 * time.Millisecond
	cfg.Retention.Days = 0
	wh := webhook.DefaultConfig()
	wh.Name, wh.SecretEnv, wh.DefaultBrand = "hook", "VIGIA_TEST_WEBHOOK_SECRET", "acme"
	wh.MaxBodyBytes = 64 << 10
	cfg.Collectors.Webhook = []webhook.Config{wh}
	require.NoError(t, cfg.Validate())
	return &cfg
}

// startApp runs the app until the test ends; it returns the app and a
// stop func that shuts it down and returns Run's error.
func startApp(t *testing.T, cfg *config.Config, exitWhenDone bool) (*App, func() error) {
	t.Helper()
	a, err := New(t.Context(), cfg, Options{Logger: testLogger(t), ExitWhenDone: exitWhenDone})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	var once bool
	var result error
	stop := func() error {
		if !once {
			once = true
			cancel()
			result = <-done
			a.Close()
		}
		return result
	}
	t.Cleanup(func() { _ = stop() })
	return a, stop
}

func post(t *testing.T, url string, body []byte, sign bool, contentType string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	if sign {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req.Header.Set(webhook.HeaderTimestamp, ts)
		req.Header.Set(webhook.HeaderSignature, webhook.Sign([]byte(testSecret), ts, body))
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &out), "body %q is not JSON", raw)
	return resp.StatusCode, out
}

func webhookMessage(i int) map[string]any {
	return map[string]any{
		"id": fmt.Sprintf("crm-%d", i), "author": map[string]any{"id": fmt.Sprintf("c-%d", i%7), "handle": "cliente"},
		"text": fmt.Sprintf("me han cobrado dos veces el pedido %d", i), "created_at": time.Date(2026, 11, 20, 10, 0, i%60, 0, time.UTC),
	}
}

// waitRows waits until the messages table holds want distinct messages.
func waitRows(t *testing.T, db *chtest.DB, want uint64, within time.Duration) {
	t.Helper()
	var got uint64
	require.Eventually(t, func() bool {
		n, err := storage.CountMessages(t.Context(), db.Conn, db.Database)
		got = n
		return err == nil && n >= want
	}, within, 50*time.Millisecond, "messages in ClickHouse: got %d, want %d", got, want)
	require.Equal(t, want, got)
}

func TestWebhookToClickHouse(t *testing.T) {
	db := chtest.New(t)
	cfg := testConfig(t, db)
	a, stop := startApp(t, cfg, false)
	url := "http://" + a.Addr() + "/intake/webhook"

	body, err := json.Marshal([]any{webhookMessage(1), webhookMessage(2)})
	require.NoError(t, err)
	code, out := post(t, url, body, true, "application/json")
	require.Equal(t, http.StatusAccepted, code, "%v", out)
	require.EqualValues(t, 2, out["accepted"])

	// The same messages again (a sender's retry) and a new one.
	code, _ = post(t, url, body, true, "application/json")
	require.Equal(t, http.StatusAccepted, code)
	one, err := json.Marshal(webhookMessage(3))
	require.NoError(t, err)
	code, _ = post(t, url, one, true, "application/json")
	require.Equal(t, http.StatusAccepted, code)

	bad := []struct {
		name        string
		body        []byte
		sign        bool
		contentType string
		code        int
	}{
		{"unsigned", one, false, "application/json", http.StatusUnauthorized},
		{"wrong signature", one, false, "application/json", http.StatusUnauthorized},
		{"malformed json", []byte(`{"id": "x", "text": `), true, "application/json", http.StatusBadRequest},
		{"invalid utf-8", []byte("{\"id\":\"u1\",\"author\":{\"id\":\"a\"},\"text\":\"caf\xe9\",\"created_at\":\"2026-11-20T10:00:00Z\"}"), true, "application/json", http.StatusBadRequest},
		{"oversized", bytes.Repeat([]byte("x"), 128<<10), true, "application/json", http.StatusRequestEntityTooLarge},
		{"invalid message", []byte(`{"id":"v1","text":"sin autor"}`), true, "application/json", http.StatusUnprocessableEntity},
		{"wrong content type", one, true, "text/plain", http.StatusUnsupportedMediaType},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(tt.body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", tt.contentType)
			if tt.name == "wrong signature" {
				ts := strconv.FormatInt(time.Now().Unix(), 10)
				req.Header.Set(webhook.HeaderTimestamp, ts)
				req.Header.Set(webhook.HeaderSignature, webhook.Sign([]byte("another-secret-of-16b"), ts, tt.body))
			} else if tt.sign {
				ts := strconv.FormatInt(time.Now().Unix(), 10)
				req.Header.Set(webhook.HeaderTimestamp, ts)
				req.Header.Set(webhook.HeaderSignature, webhook.Sign([]byte(testSecret), ts, tt.body))
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, tt.code, resp.StatusCode)
			require.Equal(t, "application/json", strings.Split(resp.Header.Get("Content-Type"), ";")[0])
			var e map[string]any
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
			require.NotEmpty(t, e["error"])
		})
	}

	waitRows(t, db, 3, 20*time.Second)
	require.NoError(t, stop())
	rows, err := storage.ReadMessages(t.Context(), db.Conn, db.Database, "")
	require.NoError(t, err)
	require.Len(t, rows, 3)
	for _, m := range rows {
		require.Equal(t, "acme", m.Brand)
		require.Equal(t, message.ChannelWebhook, m.Channel)
		require.Equal(t, message.DirectionInbound, m.Direction)
		require.True(t, strings.HasPrefix(string(m.ID), "webhook:crm-"))
		// The classifier is not wired in this test: labels come with the
		// classify package's own tests.
	}
	// Nothing invalid reached storage.
	total, err := storage.CountMessages(t.Context(), db.Conn, db.Database)
	require.NoError(t, err)
	require.Equal(t, uint64(3), total)
}

func TestHealthAndReadiness(t *testing.T) {
	db := chtest.New(t)
	a, _ := startApp(t, testConfig(t, db), false)
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		resp, err := http.Get("http://" + a.Addr() + path)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, b)
		if path == "/metrics" {
			require.Contains(t, string(b), "vigia_build_info")
			require.Contains(t, string(b), "vigia_stream_published_messages_total")
			require.Contains(t, string(b), "vigia_storage_insert_rows_total")
		}
	}
}

// TestReplayTwcs replays a twcs-format file through the whole pipeline:
// every row is stored once, with directions and reply links kept.
func TestReplayTwcs(t *testing.T) {
	db := chtest.New(t)
	cfg := testConfig(t, db)
	cfg.Collectors.Webhook = nil
	cfg.HTTP.Listen = ""
	file := filepath.Join(t.TempDir(), "twcs.csv")
	require.NoError(t, os.WriteFile(file, []byte(twcsSample), 0o600))
	rc := replay.DefaultConfig()
	rc.Path, rc.DefaultBrand = file, "acme"
	rc.HandleToBrand = cfg.HandleToBrand(message.ChannelX)
	cfg.Collectors.Replay = []replay.Config{rc}

	for run := range 2 { // replaying the same file twice stores each row once
		_, stop := startApp(t, cfg, true)
		require.Eventually(t, func() bool {
			n, err := storage.CountMessages(t.Context(), db.Conn, db.Database)
			return err == nil && n == 6
		}, 30*time.Second, 50*time.Millisecond, "run %d", run)
		require.NoError(t, stop())
	}
	rows, err := storage.ReadMessages(t.Context(), db.Conn, db.Database, "")
	require.NoError(t, err)
	require.Len(t, rows, 6)
	byID := map[message.ID]message.Message{}
	for _, m := range rows {
		byID[m.ID] = m
	}
	require.Equal(t, message.DirectionInbound, byID["x:101"].Direction)
	require.Equal(t, message.DirectionOutbound, byID["x:102"].Direction)
	require.Equal(t, message.ID("x:101"), byID["x:102"].InReplyTo)
	require.Equal(t, message.ID("x:102"), byID["x:103"].InReplyTo)
	require.Equal(t, "acme", byID["x:102"].Brand)
	require.Equal(t, "AcmeHelp", byID["x:102"].Author.ID)
	for _, id := range []message.ID{"x:101", "x:102", "x:103"} {
		require.Equal(t, "101", byID[id].ConversationID, "conversation of %s", id)
	}
	require.Equal(t, message.KindMention, byID["x:101"].Kind)
	require.Equal(t, message.KindReply, byID["x:103"].Kind)
}

// twcsSample: a conversation of three (customer, brand, customer), one
// unanswered mention, and a second thread answered by the brand; rows out
// of order as in the real dataset. Texts are made up.
const twcsSample = `tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id
103,115712,True,Tue Oct 31 22:16:00 +0000 2017,@AcmeHelp sigue sin funcionar,,102
101,115712,True,Tue Oct 31 22:10:47 +0000 2017,"@AcmeHelp me han cobrado dos veces, ¿me ayudáis?",102,
102,AcmeHelp,False,Tue Oct 31 22:12:00 +0000 2017,@115712 Lo sentimos. Escríbenos por DM y lo revisamos.,103,101
201,115999,True,Wed Nov 01 08:00:00 +0000 2017,@AcmeHelp my router keeps dropping the connection,202,
202,AcmeHelp,False,Wed Nov 01 08:30:00 +0000 2017,"@115999 Sorry about that, we're on it",,201
301,116000,True,Wed Nov 01 09:00:00 +0000 2017,@AcmeHelp hello? anyone there?,,
`
