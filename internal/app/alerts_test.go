package app

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/ack"
	notifylog "github.com/vigia-dev/vigia/alerts/notify/log"
	notifywebhook "github.com/vigia-dev/vigia/alerts/notify/webhook"
	"github.com/vigia-dev/vigia/alerts/route"
	"github.com/vigia-dev/vigia/alerts/rules"
	"github.com/vigia-dev/vigia/alerts/sla"
	"github.com/vigia-dev/vigia/internal/httpapi"
	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
)

// chatEndpoint records what the webhook receiver delivers.
type chatEndpoint struct {
	mu   sync.Mutex
	docs []notifywebhook.Payload
}

func (c *chatEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var doc notifywebhook.Payload
	if json.Unmarshal(body, &doc) != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	c.docs = append(c.docs, doc)
	c.mu.Unlock()
}

func (c *chatEndpoint) got() []notifywebhook.Payload {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]notifywebhook.Payload(nil), c.docs...)
}

// TestUrgentMessageAlertsOnceAcrossRestart runs the whole alerts stage on
// the real stream and ClickHouse: an urgent message opens a case and its
// alert reaches the receiver; after a restart the case comes back from
// case_events and nothing is sent again; the brand's reply resolves the
// alert, which updates the same group.
func TestUrgentMessageAlertsOnceAcrossRestart(t *testing.T) {
	db := chtest.New(t)
	chat := &chatEndpoint{}
	srv := httptest.NewServer(chat)
	defer srv.Close()
	cfg := testConfig(t, db)
	cfg.Processor.Classify = "off" // the messages carry their labels
	cfg.Alerts.Mode = "on"
	hook := notifywebhook.DefaultConfig()
	hook.Name, hook.URL = "team", srv.URL
	cfg.Alerts.Receivers.Webhook = []notifywebhook.Config{hook}
	zero, second := time.Duration(0), time.Second
	cfg.Alerts.Route = route.Config{Receiver: "team", GroupBy: []string{"brand", "rule"}, GroupWait: &zero, GroupInterval: &second}
	require.NoError(t, cfg.Validate())

	a, stop := startApp(t, cfg, false)
	url := "http://" + a.Addr() + "/intake/webhook"
	created := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	urgent := map[string]any{
		"id": "m1", "author": map[string]any{"id": "c-1", "handle": "cliente"}, "direction": "inbound",
		"text": "me han cobrado dos veces", "lang": "es", "created_at": created,
		"labels": []map[string]any{{"name": "urgent", "score": 0.9, "decision": true}},
	}
	body, _ := json.Marshal(urgent)
	code, resp := post(t, url, body, true, "application/json")
	require.Equal(t, http.StatusAccepted, code, "%v", resp)
	require.Eventually(t, func() bool { return len(chat.got()) == 1 }, 20*time.Second, 50*time.Millisecond)
	first := chat.got()[0]
	require.Equal(t, "firing", first.Status)
	require.Equal(t, "urgent", first.GroupLabels["rule"])
	require.Len(t, first.Alerts, 1)
	caseID := first.Alerts[0].Labels["case_id"]
	require.Len(t, caseID, 16)
	require.Equal(t, "es", first.Alerts[0].Labels["language"])
	require.NoError(t, stop())

	// Restart: the case is rebuilt from ClickHouse, its alert fires again
	// with the same fingerprint, and the notification log says it was sent.
	a, _ = startApp(t, cfg, false)
	require.Equal(t, 1, len(a.alerts.tracker.Open()))
	time.Sleep(3 * time.Second) // three group intervals: time enough for a duplicate to show
	require.Len(t, chat.got(), 1, "no alert is sent twice after a restart")

	// The brand answers: the case is responded and the alert resolves.
	reply := map[string]any{
		"id": "r1", "author": map[string]any{"id": "brand", "handle": "AcmeHelp"}, "direction": "outbound",
		"in_reply_to": "webhook:m1", "text": "Lo revisamos ahora mismo", "created_at": created.Add(30 * time.Second),
	}
	body, _ = json.Marshal(reply)
	code, resp = post(t, "http://"+a.Addr()+"/intake/webhook", body, true, "application/json")
	require.Equal(t, http.StatusAccepted, code, "%v", resp)
	require.Eventually(t, func() bool { return len(chat.got()) == 2 }, 20*time.Second, 50*time.Millisecond)
	second2 := chat.got()[1]
	require.Equal(t, "resolved", second2.Status)
	require.Equal(t, first.GroupID, second2.GroupID, "the same post is updated")
	require.Empty(t, a.alerts.tracker.Open()[0].Waiting)

	// Every delivery is recorded in ClickHouse.
	require.Eventually(t, func() bool {
		var n uint64
		err := db.Conn.QueryRow(t.Context(), "SELECT count() FROM "+db.Database+".notifications WHERE status = 'sent' AND receiver = 'team'").Scan(&n)
		return err == nil && n == 2
	}, 10*time.Second, 100*time.Millisecond)
}

// TestAlertsAPI drives the running app through /api/v1: the case of an
// urgent message is listed with its SLA clock, its history comes from
// ClickHouse, its alert group is listed, and a silence added through the
// API keeps the next urgent case of that brand out of the chat.
func TestAlertsAPI(t *testing.T) {
	db := chtest.New(t)
	chat := &chatEndpoint{}
	srv := httptest.NewServer(chat)
	defer srv.Close()
	cfg := testConfig(t, db)
	cfg.Processor.Classify = "off"
	cfg.Alerts.Mode = "on"
	t.Setenv("VIGIA_TEST_API_TOKEN", "api-token-for-tests")
	cfg.Alerts.APITokenEnv = "VIGIA_TEST_API_TOKEN"
	hook := notifywebhook.DefaultConfig()
	hook.Name, hook.URL = "team", srv.URL
	cfg.Alerts.Receivers.Webhook = []notifywebhook.Config{hook}
	zero, second := time.Duration(0), time.Second
	cfg.Alerts.Route = route.Config{Receiver: "team", GroupBy: []string{"case_id"}, GroupWait: &zero, GroupInterval: &second}
	cfg.Alerts.Rules.Policies = []rules.Policy{{Name: "all", Targets: []sla.Target{{Metric: sla.FirstResponse, Duration: time.Hour, Clock: sla.ClockCalendar}}}}
	require.NoError(t, cfg.Validate())
	a, _ := startApp(t, cfg, false)
	base := "http://" + a.Addr()
	send := func(id, customer string) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{
			"id": id, "author": map[string]any{"id": customer}, "direction": "inbound", "text": "urgente", "lang": "es",
			"created_at": time.Now().UTC().Truncate(time.Second),
			"labels":     []map[string]any{{"name": "urgent", "score": 0.9, "decision": true}},
		})
		code, resp := post(t, base+"/intake/webhook", body, true, "application/json")
		require.Equal(t, http.StatusAccepted, code, "%v", resp)
	}
	send("u1", "c-1")
	require.Eventually(t, func() bool { return len(chat.got()) == 1 }, 20*time.Second, 50*time.Millisecond)

	client, err := httpapi.NewClient(base, "api-token-for-tests", nil)
	require.NoError(t, err)
	list, err := client.ListCases(t.Context(), httpapi.CaseFilter{Brand: "acme", Limit: 10})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "waiting", list[0].State)
	require.Equal(t, "urgent", list[0].Priority)
	require.Equal(t, "active", list[0].SLA)
	require.WithinDuration(t, list[0].OpenedAt.Add(time.Hour), list[0].SLADueAt, time.Second)
	detail, err := client.GetCase(t.Context(), list[0].ID)
	require.NoError(t, err)
	require.Equal(t, "opened", detail.Events[0].Kind)
	require.Equal(t, "webhook:u1", detail.Events[0].MessageID)
	_, err = client.GetCase(t.Context(), "0000000000000000")
	require.ErrorContains(t, err, "404")

	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/alerts", nil)
	req.Header.Set("Authorization", "Bearer api-token-for-tests")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var groups httpapi.AlertGroupList
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&groups))
	resp.Body.Close()
	require.Len(t, groups.Groups, 1)
	require.Equal(t, chat.got()[0].GroupID, groups.Groups[0].ID)

	_, err = client.AddSilence(t.Context(), httpapi.SilenceRequest{Matchers: []string{"brand=acme", "rule=urgent"}, Duration: "1h", CreatedBy: "test", Comment: "known outage"})
	require.NoError(t, err)
	send("u2", "c-2")
	require.Eventually(t, func() bool { return len(a.alerts.tracker.Open()) == 2 }, 20*time.Second, 50*time.Millisecond)
	time.Sleep(2 * time.Second) // two group intervals
	require.Len(t, chat.got(), 1, "the silenced alert is not sent")

	bad, _ := http.NewRequest(http.MethodGet, base+"/api/v1/cases", nil)
	bad.Header.Set("Authorization", "Bearer wrong")
	resp, err = http.DefaultClient.Do(bad)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

// TestAutomaticAcknowledgement runs an acknowledgement rule on the webhook
// channel: the customer's first message gets one reply, in Spanish,
// through the brand's reply_url, saying by when a person answers; it is
// recorded as an automatic reply that acknowledges the case without
// stopping its first-response clock, and a follow-up gets no second one.
func TestAutomaticAcknowledgement(t *testing.T) {
	db := chtest.New(t)
	var mu sync.Mutex
	var replies []ack.ReplyPayload
	crm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p ack.ReplyPayload
		if json.NewDecoder(r.Body).Decode(&p) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		replies = append(replies, p)
		mu.Unlock()
	}))
	defer crm.Close()
	got := func() []ack.ReplyPayload {
		mu.Lock()
		defer mu.Unlock()
		return append([]ack.ReplyPayload(nil), replies...)
	}
	cfg := testConfig(t, db)
	cfg.Processor.Classify = "off"
	cfg.Alerts.Mode = "on"
	cfg.Brands[0].Languages = []string{"es", "en"}
	cfg.Alerts.Receivers.Log = []notifylog.Config{{Name: "log"}}
	cfg.Alerts.Route = route.Config{Receiver: "log"}
	cfg.Alerts.Rules.Policies = []rules.Policy{{Name: "all", Targets: []sla.Target{{Metric: sla.FirstResponse, Duration: 2 * time.Hour, Clock: sla.ClockCalendar}}}}
	t.Setenv("VIGIA_TEST_REPLY_SECRET", "reply-secret-0123456789")
	cfg.Alerts.Acknowledgements.Acknowledge = []ack.Rule{{
		Brand: "acme", Channels: []message.Channel{message.ChannelWebhook},
		Webhook: ack.WebhookConfig{ReplyURL: crm.URL, SecretEnv: "VIGIA_TEST_REPLY_SECRET"},
	}}
	require.NoError(t, cfg.Validate())
	a, _ := startApp(t, cfg, false)
	url := "http://" + a.Addr() + "/intake/webhook"
	created := time.Now().UTC().Truncate(time.Second)
	send := func(id string, at time.Time) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"id": id, "author": map[string]any{"id": "c-9", "handle": "lucia"},
			"direction": "inbound", "text": "mi pedido no llega", "lang": "es", "created_at": at})
		code, resp := post(t, url, body, true, "application/json")
		require.Equal(t, http.StatusAccepted, code, "%v", resp)
	}
	send("q1", created)
	require.Eventually(t, func() bool { return len(got()) == 1 }, 20*time.Second, 50*time.Millisecond)
	reply := got()[0]
	require.True(t, reply.Automatic)
	require.Contains(t, reply.Text, "te responderá", "in the customer's language")
	due := created.Add(2 * time.Hour) // the policy's first-response target, rounded up to the minute
	if due.Second() > 0 {
		due = due.Truncate(time.Minute).Add(time.Minute)
	}
	require.Contains(t, reply.Text, "a las "+due.Format("15:04"), "when a person will answer")
	// The recorded reply acknowledges the case; the clock still runs.
	require.Eventually(t, func() bool {
		open := a.alerts.tracker.Open()
		return len(open) == 1 && !open[0].AcknowledgedAt.IsZero()
	}, 20*time.Second, 50*time.Millisecond)
	st := a.alerts.tracker.Open()[0]
	require.Equal(t, sla.FirstResponse, st.Waiting, "an automatic reply is not a first response")
	require.True(t, st.FirstResponseAt.IsZero())

	send("q2", created.Add(time.Second))
	require.Eventually(t, func() bool { return a.alerts.tracker.Open()[0].Messages >= 3 }, 20*time.Second, 50*time.Millisecond)
	time.Sleep(time.Second)
	require.Len(t, got(), 1, "one acknowledgement per case")
}

// TestSLATimerSurvivesRestart stops Vigía while a case's SLA clock runs
// and starts it again after the deadline: the breach is detected from the
// case rebuilt out of ClickHouse and notified once, and a further restart
// sends nothing again.
func TestSLATimerSurvivesRestart(t *testing.T) {
	db := chtest.New(t)
	chat := &chatEndpoint{}
	srv := httptest.NewServer(chat)
	defer srv.Close()
	cfg := testConfig(t, db)
	cfg.Processor.Classify = "off"
	cfg.Alerts.Mode = "on"
	hook := notifywebhook.DefaultConfig()
	hook.Name, hook.URL = "team", srv.URL
	cfg.Alerts.Receivers.Webhook = []notifywebhook.Config{hook}
	zero, second := time.Duration(0), time.Second
	cfg.Alerts.Route = route.Config{Receiver: "team", GroupBy: []string{"case_id", "rule"}, GroupWait: &zero, GroupInterval: &second}
	cfg.Alerts.Rules.Policies = []rules.Policy{{Name: "fast", Targets: []sla.Target{{Metric: sla.FirstResponse, Duration: 3 * time.Second, Clock: sla.ClockCalendar}}}}
	require.NoError(t, cfg.Validate())

	a, stop := startApp(t, cfg, false)
	body, _ := json.Marshal(map[string]any{"id": "s1", "author": map[string]any{"id": "c-5"}, "direction": "inbound",
		"text": "hola", "lang": "es", "created_at": time.Now().UTC().Truncate(time.Second)})
	code, resp := post(t, "http://"+a.Addr()+"/intake/webhook", body, true, "application/json")
	require.Equal(t, http.StatusAccepted, code, "%v", resp)
	require.Eventually(t, func() bool { return len(a.alerts.tracker.Open()) == 1 }, 20*time.Second, 50*time.Millisecond)
	require.NoError(t, stop())
	require.Empty(t, chat.got(), "nothing is due yet")

	time.Sleep(4 * time.Second) // the deadline passes while Vigía is down
	_, stop = startApp(t, cfg, false)
	require.Eventually(t, func() bool { return len(chat.got()) == 1 }, 20*time.Second, 50*time.Millisecond)
	got := chat.got()[0]
	require.Equal(t, "sla_breach", got.GroupLabels["rule"])
	require.Equal(t, "first_response", got.Alerts[0].Labels["sla"])
	require.NoError(t, stop())

	_, _ = startApp(t, cfg, false)
	time.Sleep(2 * time.Second) // two group intervals
	require.Len(t, chat.got(), 1, "the breach is not notified again after another restart")
}
