package mattermost

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/vigia-dev/vigia/alerts/dispatch"
	"github.com/vigia-dev/vigia/alerts/notify"
)

// Limits of one post. Mattermost bounds a post's props (attachments
// included) to model.PostPropsMaxUserRunes (760,000 runes,
// https://github.com/mattermost/mattermost/blob/master/server/public/model/post.go);
// these keep a post readable and far below that.
const (
	// MaxItems is how many alerts a post lists, one attachment each; the
	// rest are counted in a closing line.
	MaxItems = 20
	// MaxTextRunes bounds an alert's text (the customer's message) in its
	// attachment.
	MaxTextRunes = 1000
)

// postContent is what a post shows: its attachments (the message stays
// empty; each attachment's fallback is what notifications show).
type postContent struct {
	attachments []*model.SlackAttachment
}

// renderer turns groups into post content.
type renderer struct {
	signer    *notify.Signer
	actionURL string
}

// render renders g at now: a summary attachment (title, color, group
// labels as short fields), then one attachment per alert, with buttons on
// firing alerts about a case.
func (r renderer) render(g dispatch.Group, now time.Time) postContent {
	c := notify.Render(g, now, MaxItems)
	summary := &model.SlackAttachment{
		Fallback: c.Title,
		Color:    c.Severity.Color(),
		Title:    c.Title,
		Fields:   fields(c.Fields),
	}
	out := postContent{attachments: []*model.SlackAttachment{summary}}
	for i, it := range c.Items {
		sev := notify.SeverityOf(g.Alerts[i])
		if it.Resolved {
			sev = notify.SeverityResolved
		}
		out.attachments = append(out.attachments, r.item(it, sev, now))
	}
	if more := len(g.Alerts) - len(c.Items); more > 0 {
		summary.Footer = fmt.Sprintf("%d more alerts not shown (a post lists at most %d)", more, MaxItems)
	}
	return out
}

func (r renderer) item(it notify.Item, sev notify.Severity, now time.Time) *model.SlackAttachment {
	title := it.Summary
	if it.Resolved {
		title = "Resolved: " + title
	}
	a := &model.SlackAttachment{
		Fallback:  title,
		Color:     sev.Color(),
		Title:     title,
		TitleLink: it.Link,
		Text:      truncate(it.Text, MaxTextRunes),
		Fields:    fields(it.Fields),
	}
	if it.CaseID != "" {
		a.Footer = "case " + it.CaseID
	}
	if !it.StartsAt.IsZero() {
		a.Timestamp = it.StartsAt.Unix()
	}
	if it.CaseID != "" && !it.Resolved && r.actionURL != "" && r.signer != nil {
		for _, k := range notify.Actions() {
			a.Actions = append(a.Actions, &model.PostAction{
				Type:  model.PostActionTypeButton,
				Name:  k.Title(),
				Style: buttonStyle(k),
				Integration: &model.PostActionIntegration{
					URL:     r.actionURL,
					Context: map[string]any{contextToken: r.signer.Sign(k, it.CaseID, now)},
				},
			})
		}
	}
	return a
}

// contextToken is the key of the signed token in a button's context.
const contextToken = "token"

func buttonStyle(k notify.ActionKind) string {
	switch k {
	case notify.ActionClaim:
		return "primary"
	case notify.ActionResolve:
		return "success"
	case notify.ActionSpam:
		return "danger"
	}
	return "default"
}

func fields(fs []notify.Field) []*model.SlackAttachmentField {
	out := make([]*model.SlackAttachmentField, 0, len(fs))
	for _, f := range fs {
		out = append(out, &model.SlackAttachmentField{Title: f.Name, Value: f.Value, Short: true})
	}
	return out
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// post builds the post for channelID.
func (p postContent) post(channelID string) *model.Post {
	post := &model.Post{ChannelId: channelID}
	post.AddProp(model.PostPropsAttachments, p.attachments)
	return post
}
