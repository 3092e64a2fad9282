package app

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	notifytelegram "github.com/vigia-dev/vigia/alerts/notify/telegram"
	"github.com/vigia-dev/vigia/alerts/route"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
	"github.com/vigia-dev/vigia/internal/tgapi/tgapitest"
)

// TestTelegramEndToEnd runs Vigía against the wire-level fake Bot API: an
// urgent case's alert is one message in the team chat with a row of
// buttons; pressing Resolve arrives through getUpdates, closes the case,
// is answered, and the message is edited to show the alert resolved.
func TestTelegramEndToEnd(t *testing.T) {
	const token, chat = "123456:test-token", int64(-1001234567890)
	tg := tgapitest.NewServer(t, token)
	db := chtest.New(t)
	cfg := testConfig(t, db)
	cfg.Processor.Classify = "off"
	cfg.Alerts.Mode = "on"
	t.Setenv("VIGIA_TEST_TG_TOKEN", token)
	tc := notifytelegram.DefaultConfig()
	tc.Name, tc.APIURL, tc.BotTokenEnv, tc.ChatID = "oncall", tg.URL, "VIGIA_TEST_TG_TOKEN", chat
	tc.PollTimeout = time.Second
	cfg.Alerts.Receivers.Telegram = []notifytelegram.Config{tc}
	zero, second := time.Duration(0), time.Second
	cfg.Alerts.Route = route.Config{Receiver: "oncall", GroupBy: []string{"case_id"}, GroupWait: &zero, GroupInterval: &second}
	require.NoError(t, cfg.Validate())
	a, _ := startApp(t, cfg, false)

	body, _ := json.Marshal(map[string]any{
		"id": "t1", "author": map[string]any{"id": "c-1"}, "direction": "inbound", "text": "<b>no tengo línea</b> & nadie responde",
		"lang": "es", "created_at": time.Now().UTC().Truncate(time.Second),
		"labels": []map[string]any{{"name": "urgent", "score": 0.9, "decision": true}},
	})
	code, resp := post(t, "http://"+a.Addr()+"/intake/webhook", body, true, "application/json")
	require.Equal(t, http.StatusAccepted, code, "%v", resp)
	require.Eventually(t, func() bool { return len(tg.Messages(chat)) == 1 }, 20*time.Second, 50*time.Millisecond)
	msg := tg.Messages(chat)[0]
	require.Contains(t, msg.Text, "[FIRING:1]")
	require.NotEmpty(t, msg.Keyboard)
	var resolve string
	for _, b := range msg.Keyboard[0] {
		if b.Text == "Resolve" {
			resolve = b.CallbackData
		}
	}
	require.NotEmpty(t, resolve)

	st, ok := a.alerts.tracker.CaseOf("webhook:t1")
	require.True(t, ok)
	tg.PressButton(chat, msg.ID, resolve, tgapitest.User{ID: 42, FirstName: "Ana"})
	require.Eventually(t, func() bool {
		c, _ := a.alerts.tracker.Case(st.ID)
		return !c.Open()
	}, 20*time.Second, 50*time.Millisecond, "the press resolved the case")
	require.Eventually(t, func() bool {
		m, _ := tg.Message(chat, msg.ID)
		return strings.Contains(m.Text, "[RESOLVED]")
	}, 20*time.Second, 50*time.Millisecond, "the same message is edited")
	require.Len(t, tg.Messages(chat), 1)
	require.Eventually(t, func() bool { return len(tg.Answers()) == 1 }, 5*time.Second, 50*time.Millisecond)
	require.Equal(t, "Case resolved", tg.Answers()[0].Text)
}
