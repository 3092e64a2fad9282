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

	notifywebhook "github.com/vigia-dev/vigia/alerts/notify/webhook"
	"github.com/vigia-dev/vigia/alerts/route"
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
