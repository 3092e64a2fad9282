package mattermost

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/notify"
)

func TestRender(t *testing.T) {
	now := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	signer := testSigner(t)
	r := renderer{signer: signer, actionURL: "http://127.0.0.1:8080/api/v1/actions/mattermost"}

	urgent := testAlert("urgent", "x:1", "Urgent complaint", now.Add(-time.Minute))
	warning := testAlert("sla_warning", "x:2", "SLA warning", now.Add(-2*time.Minute))
	resolved := testAlert("urgent", "x:3", "Old complaint", now.Add(-time.Hour))
	resolved.EndsAt = now.Add(-time.Second)
	storm := testAlert("troll_storm", "", "Troll storm", now.Add(-time.Minute))

	got := r.render(testGroup(urgent, warning, resolved, storm), now)
	require.Len(t, got.attachments, 5)

	summary := got.attachments[0]
	require.Equal(t, "[FIRING:3] acme", summary.Title)
	require.Equal(t, summary.Title, summary.Fallback)
	require.Equal(t, notify.SeverityCritical.Color(), summary.Color)
	require.Equal(t, []*model.SlackAttachmentField{{Title: "brand", Value: "acme", Short: true}}, summary.Fields)
	require.Empty(t, summary.Actions)

	first := got.attachments[1]
	require.Equal(t, "Urgent complaint", first.Title)
	require.Equal(t, "https://example.com/x:1", first.TitleLink)
	require.Equal(t, "text of Urgent complaint", first.Text)
	require.Equal(t, notify.SeverityCritical.Color(), first.Color)
	require.Equal(t, "case x:1", first.Footer)
	require.Equal(t, urgent.StartsAt.Unix(), first.Timestamp)
	require.Equal(t, []*model.SlackAttachmentField{
		{Title: "channel", Value: "x", Short: true},
		{Title: "rule", Value: "urgent", Short: true},
	}, first.Fields)
	require.Len(t, first.Actions, len(notify.Actions()))
	for i, k := range notify.Actions() {
		a := first.Actions[i]
		require.Equal(t, k.Title(), a.Name)
		require.Equal(t, model.PostActionTypeButton, a.Type)
		require.Equal(t, r.actionURL, a.Integration.URL)
		kind, caseID, err := signer.Verify(a.Integration.Context[contextToken].(string), now)
		require.NoError(t, err)
		require.Equal(t, k, kind)
		require.Equal(t, "x:1", caseID)
	}

	require.Equal(t, notify.SeverityWarning.Color(), got.attachments[2].Color)
	require.Len(t, got.attachments[2].Actions, len(notify.Actions()))

	old := got.attachments[3]
	require.Equal(t, "Resolved: Old complaint", old.Title)
	require.Equal(t, notify.SeverityResolved.Color(), old.Color)
	require.Empty(t, old.Actions, "no buttons on a resolved alert")

	stormAtt := got.attachments[4]
	require.Empty(t, stormAtt.Actions, "no buttons on an alert without a case")
	require.Empty(t, stormAtt.Footer)
}

func TestRenderWithoutButtons(t *testing.T) {
	now := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		r    renderer
	}{
		{name: "no action url", r: renderer{signer: testSigner(t)}},
		{name: "no signer", r: renderer{actionURL: "http://127.0.0.1/a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.r.render(testGroup(testAlert("urgent", "x:1", "s", now)), now)
			require.Len(t, got.attachments, 2)
			require.Empty(t, got.attachments[1].Actions)
		})
	}
}

func TestRenderLimits(t *testing.T) {
	now := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	var alerts []alert.Alert
	for i := range MaxItems + 5 {
		alerts = append(alerts, testAlert("urgent", fmt.Sprintf("x:%d", i), fmt.Sprintf("alert %d", i), now))
	}
	alerts[0].Annotations[notify.AnnotationText] = strings.Repeat("ñ", MaxTextRunes+50)
	got := renderer{}.render(testGroup(alerts...), now)
	require.Len(t, got.attachments, 1+MaxItems)
	require.Equal(t, fmt.Sprintf("[FIRING:%d] acme", MaxItems+5), got.attachments[0].Title, "the title counts every alert")
	require.Equal(t, fmt.Sprintf("5 more alerts not shown (a post lists at most %d)", MaxItems), got.attachments[0].Footer)
	require.Equal(t, MaxTextRunes, utf8.RuneCountInString(got.attachments[1].Text))
	require.True(t, strings.HasSuffix(got.attachments[1].Text, "…"))
}

func TestRenderAllResolved(t *testing.T) {
	now := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	a := testAlert("urgent", "x:1", "s", now.Add(-time.Hour))
	a.EndsAt = now.Add(-time.Minute)
	got := renderer{}.render(testGroup(a), now)
	require.Equal(t, "[RESOLVED] acme", got.attachments[0].Title)
	require.Equal(t, notify.SeverityResolved.Color(), got.attachments[0].Color)
}
