package ack

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/cases"
	"github.com/vigia-dev/vigia/alerts/sla"
	"github.com/vigia-dev/vigia/internal/backoff"
	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/stream"
)

func openStream(t *testing.T) *stream.Stream {
	t.Helper()
	cfg := stream.DefaultConfig()
	cfg.StoreDir = t.TempDir()
	cfg.AckWait = 5 * time.Second
	s, err := stream.Open(t.Context(), cfg, discard(), prometheus.NewRegistry())
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// consume reads messages from the stream (acking them) until want arrived.
func consume(t *testing.T, s *stream.Stream, durable string, want int) []message.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var mu sync.Mutex
	var out []message.Message
	require.NoError(t, s.Consume(ctx, durable, func(_ context.Context, d stream.Delivery) {
		mu.Lock()
		defer mu.Unlock()
		out = append(out, d.Messages...)
		require.NoError(t, d.Ack())
		if len(out) >= want {
			cancel()
		}
	}))
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, out, want, "messages on the stream")
	return out
}

// run starts the workers until the test ends.
func run(t *testing.T, a *Acknowledger) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
}

// TestEndToEndTelegram: a customer's DM opens a case; the acknowledgement
// reaches the customer's chat through the Bot API, is recorded on a real
// stream as an automatic outbound message, and that message, fed to the
// tracker, acknowledges the case without stopping its first response
// clock.
func TestEndToEndTelegram(t *testing.T) {
	srv, client := newTelegram(t)
	st := openStream(t)
	f := newFixture(t, testConfig(), func(o *Options) {
		o.Publisher = st
		o.Senders = map[SenderKey]Sender{{"acme", message.ChannelTelegram}: NewTelegramSender(client)}
	})
	run(t, f.ack)

	m := f.inbound("4242-1", "4242")
	require.Equal(t, "queued", f.open(m))
	recorded := consume(t, st, "e2e", 1)[0]

	chat := srv.Messages(4242)
	require.Len(t, chat, 1, "the acknowledgement is in the customer's chat")
	want := "Hola, hemos recibido tu mensaje. Una persona de nuestro equipo te responderá como muy tarde el lunes 23 de noviembre a las 09:30."
	require.Equal(t, want, chat[0].Text)
	require.Equal(t, srv.Bot(), chat[0].From)

	caseID := cases.CaseIDFor(m.ID)
	require.Equal(t, message.NewID(message.ChannelTelegram, "ack-"+caseID+"-1"), recorded.ID)
	require.Equal(t, message.DirectionOutbound, recorded.Direction)
	require.Equal(t, message.KindDM, recorded.Kind)
	require.Equal(t, m.ID, recorded.InReplyTo)
	require.Equal(t, "4242", recorded.ConversationID)
	require.Equal(t, "AcmeBot", recorded.Author.ID)
	require.Equal(t, want, recorded.Text)
	require.Equal(t, "es", recorded.Lang)
	require.Equal(t, []message.Label{{Name: "automatic", Score: 1, Decision: true, Reasons: []string{"automatic acknowledgement"}}}, recorded.Labels)
	require.JSONEq(t, `{"automatic":"acknowledgement","case_id":"`+caseID+`","external_id":"1"}`, string(recorded.Raw))
	require.NoError(t, recorded.Validate())
	require.Equal(t, 1.0, testutil.ToFloat64(f.ack.metrics.sent.WithLabelValues("acme", "telegram")))

	// The pipeline hands the recorded reply to the tracker.
	evs := f.observe(recorded)
	require.Len(t, evs, 1)
	require.Equal(t, cases.EventAcknowledged, evs[0].Event)
	require.Equal(t, "ignored", f.consider(evs[0], &recorded))
	state, _ := f.tracker.Case(caseID)
	require.Equal(t, sla.FirstResponse, state.Waiting, "the customer still waits for a person")
	require.True(t, state.FirstResponseAt.IsZero())
	require.Equal(t, recorded.CreatedAt.Truncate(time.Second), state.AcknowledgedAt)

	// The person's reply, later, is the first response, timed from the
	// customer's message and not from the acknowledgement.
	f.now = f.now.Add(time.Hour)
	resp := f.observe(f.reply(m, "4242-2", false))
	require.Equal(t, cases.EventResponded, resp[0].Event)
	require.Equal(t, int64(time.Hour/time.Second)+60, resp[0].CalendarSeconds)

	// A redelivered recording changes nothing.
	require.Empty(t, f.observe(recorded))
	require.Len(t, srv.Messages(4242), 1)
}

// TestRetriesAndFailures drives the workers against a CRM endpoint that
// fails: retried server errors succeed, client errors and long
// Retry-After waits are given up and counted.
func TestRetriesAndFailures(t *testing.T) {
	secret := []byte("s3cr3t-s3cr3t-s3cr3t")
	tests := []struct {
		name      string
		statuses  []int
		after     string
		calls     int
		sent      float64
		failed    float64
		published int
	}{
		{name: "two server errors then success", statuses: []int{503, 502}, calls: 3, sent: 1, published: 1},
		{name: "a client error is not retried", statuses: []int{400}, calls: 1, failed: 1},
		{name: "attempts run out", statuses: []int{500, 500, 500, 500, 500}, calls: 4, failed: 1},
		{name: "a Retry-After beyond two minutes gives up", statuses: []int{429}, after: "600", calls: 1, failed: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHook(t, "", tt.statuses...)
			if tt.after != "" {
				h.set("", map[string][]string{"Retry-After": {tt.after}})
			}
			sender, err := NewWebhookSender(WebhookConfig{ReplyURL: h.srv.URL, SecretEnv: "X"}, secret, time.Second)
			require.NoError(t, err)
			st := openStream(t)
			f := newFixture(t, testConfig(), func(o *Options) {
				o.Publisher = st
				o.Senders = map[SenderKey]Sender{{"globex", message.ChannelWebhook}: sender}
				o.Backoff = backoff.Policy{Initial: time.Millisecond, Max: 2 * time.Millisecond}
			})
			run(t, f.ack)
			m := f.inbound("crm-1", "c-1", ofBrand("globex"), onChannel(message.ChannelWebhook), lang("en"))
			require.Equal(t, "queued", f.open(m))
			require.Eventually(t, func() bool {
				return testutil.ToFloat64(f.ack.metrics.sent.WithLabelValues("globex", "webhook"))+
					testutil.ToFloat64(f.ack.metrics.failed.WithLabelValues("globex", "webhook")) > 0
			}, 10*time.Second, 5*time.Millisecond)
			require.Equal(t, tt.calls, h.calls())
			require.Equal(t, tt.sent, testutil.ToFloat64(f.ack.metrics.sent.WithLabelValues("globex", "webhook")))
			require.Equal(t, tt.failed, testutil.ToFloat64(f.ack.metrics.failed.WithLabelValues("globex", "webhook")))
			if tt.published > 0 {
				got := consume(t, st, "retries", tt.published)
				require.Equal(t, message.KindReply, got[0].Kind)
				require.Equal(t, message.ChannelWebhook, got[0].Channel)
				require.Equal(t, m.ID, got[0].InReplyTo)
			}
			// Every try carried the same idempotency key.
			h.mu.Lock()
			for _, r := range h.reqs {
				require.Equal(t, h.reqs[0].Header.Get(HeaderIdempotencyKey), r.Header.Get(HeaderIdempotencyKey))
			}
			h.mu.Unlock()
		})
	}
}

func TestMetricsLint(t *testing.T) {
	f := newFixture(t, testConfig(), nil)
	problems, err := testutil.GatherAndLint(f.reg)
	require.NoError(t, err)
	require.Empty(t, problems)
	// Known series exist before the first acknowledgement.
	require.Equal(t, 0.0, testutil.ToFloat64(f.ack.metrics.skipped.WithLabelValues("globex", ReasonQueueFull)))
	n, err := testutil.GatherAndCount(f.reg, "vigia_ack_sent_total")
	require.NoError(t, err)
	require.Equal(t, 5, n, "acme telegram, x and mattermost; globex telegram and webhook")
}
