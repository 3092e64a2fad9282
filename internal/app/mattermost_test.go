package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	notifymattermost "github.com/vigia-dev/vigia/alerts/notify/mattermost"
	"github.com/vigia-dev/vigia/alerts/route"
	"github.com/vigia-dev/vigia/internal/mmapi/mmtest"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
)

// TestMattermostEndToEnd runs Vigía against a real Mattermost server: the
// alert group of urgent cases is one post, updated (not duplicated) when a
// second case joins; a person pressing Resolve on it reaches Vigía's action
// endpoint through Mattermost, resolves that case, and the post is updated
// again.
func TestMattermostEndToEnd(t *testing.T) {
	mm := mmtest.New(t)
	db := chtest.New(t)
	cfg := testConfig(t, db)
	cfg.Processor.Classify = "off"
	cfg.HTTP.Listen = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cfg.Alerts.Mode = "on"
	t.Setenv("VIGIA_TEST_MM_TOKEN", mm.BotToken)
	mc := notifymattermost.DefaultConfig()
	mc.Name, mc.URL, mc.BotTokenEnv, mc.ChannelID = "team", mm.URL, "VIGIA_TEST_MM_TOKEN", mm.Channel.Id
	mc.ActionURL = "http://" + cfg.HTTP.Listen + MattermostActionPath
	cfg.Alerts.Receivers.Mattermost = []notifymattermost.Config{mc}
	zero, second := time.Duration(0), time.Second
	cfg.Alerts.Route = route.Config{Receiver: "team", GroupBy: []string{"brand", "rule"}, GroupWait: &zero, GroupInterval: &second}
	require.NoError(t, cfg.Validate())
	a, _ := startApp(t, cfg, false)

	send := func(id, customer string) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{
			"id": id, "author": map[string]any{"id": customer}, "direction": "inbound", "text": "me han cobrado dos veces",
			"lang": "es", "created_at": time.Now().UTC().Truncate(time.Second),
			"labels": []map[string]any{{"name": "urgent", "score": 0.9, "decision": true}},
		})
		code, resp := post(t, "http://"+a.Addr()+"/intake/webhook", body, true, "application/json")
		require.Equal(t, http.StatusAccepted, code, "%v", resp)
	}
	botPosts := func() []*model.Post {
		posts, err := mm.ChannelPosts(t.Context())
		require.NoError(t, err)
		var out []*model.Post
		for _, p := range posts {
			if p.UserId == mm.BotUserID {
				out = append(out, p)
			}
		}
		return out
	}
	title := func(p *model.Post) string {
		if as := p.Attachments(); len(as) > 0 {
			return as[0].Title
		}
		return ""
	}

	send("m1", "c-1")
	var first *model.Post
	require.Eventually(t, func() bool {
		ps := botPosts()
		if len(ps) == 1 && strings.HasPrefix(title(ps[0]), "[FIRING:1]") {
			first = ps[0]
			return true
		}
		return false
	}, 30*time.Second, 100*time.Millisecond)

	send("m2", "c-2")
	require.Eventually(t, func() bool {
		ps := botPosts()
		return len(ps) == 1 && strings.HasPrefix(title(ps[0]), "[FIRING:2]")
	}, 30*time.Second, 100*time.Millisecond, "the second case updates the same post")
	require.Equal(t, first.Id, botPosts()[0].Id)
	require.NotZero(t, botPosts()[0].EditAt)

	st, ok := a.alerts.tracker.CaseOf("webhook:m1")
	require.True(t, ok)
	require.NoError(t, mm.Press(t.Context(), first.Id, "Resolve"))
	require.Eventually(t, func() bool {
		c, _ := a.alerts.tracker.Case(st.ID)
		return !c.Open()
	}, 10*time.Second, 50*time.Millisecond, "the button press resolved the case")
	require.Eventually(t, func() bool {
		ps := botPosts()
		return len(ps) == 1 && strings.HasPrefix(title(ps[0]), "[FIRING:1]")
	}, 30*time.Second, 100*time.Millisecond, "the post shows the case resolved")

	var actor string
	require.NoError(t, db.Conn.QueryRow(t.Context(), fmt.Sprintf(
		"SELECT actor FROM %s.case_events FINAL WHERE case_id = '%s' AND event = 'resolved'", db.Database, st.ID)).Scan(&actor))
	require.Equal(t, "mattermost:"+mm.UserName, actor)
}
