package storage

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/vigia-dev/vigia/internal/message"
)

// reasonSep joins one label's reasons into its label_reasons element.
const reasonSep = "; "

// messageRow is one row of the messages table, field for column.
type messageRow struct {
	ID              string    `ch:"id"`
	Brand           string    `ch:"brand"`
	Channel         string    `ch:"channel"`
	Kind            string    `ch:"kind"`
	Direction       string    `ch:"direction"`
	ConversationID  string    `ch:"conversation_id"`
	InReplyTo       string    `ch:"in_reply_to"`
	AuthorID        string    `ch:"author_id"`
	AuthorHandle    string    `ch:"author_handle"`
	AuthorName      string    `ch:"author_name"`
	AuthorFollowers int64     `ch:"author_followers"`
	AuthorFollowing int64     `ch:"author_following"`
	AuthorVerified  uint8     `ch:"author_verified"`
	AuthorCreatedAt time.Time `ch:"author_created_at"`
	Text            string    `ch:"text"`
	Lang            string    `ch:"lang"`
	Sentiment       float32   `ch:"sentiment"`
	LabelNames      []string  `ch:"label_names"`
	LabelScores     []float32 `ch:"label_scores"`
	LabelDecisions  []uint8   `ch:"label_decisions"`
	LabelReasons    []string  `ch:"label_reasons"`
	CreatedAt       time.Time `ch:"created_at"`
	ReceivedAt      time.Time `ch:"received_at"`
	IngestedAt      time.Time `ch:"ingested_at"`
	Raw             string    `ch:"raw"`
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// toRow maps m to its row. Times lose sub-second precision (DateTime) and
// scores become float32.
func toRow(m *message.Message, ingestedAt time.Time) messageRow {
	r := messageRow{
		ID:              string(m.ID),
		Brand:           m.Brand,
		Channel:         string(m.Channel),
		Kind:            string(m.Kind),
		Direction:       string(m.Direction),
		ConversationID:  m.ConversationID,
		InReplyTo:       string(m.InReplyTo),
		AuthorID:        m.Author.ID,
		AuthorHandle:    m.Author.Handle,
		AuthorName:      m.Author.DisplayName,
		AuthorFollowers: m.Author.Followers,
		AuthorFollowing: m.Author.Following,
		AuthorVerified:  b2u(m.Author.Verified),
		AuthorCreatedAt: dateTime(m.Author.CreatedAt),
		Text:            m.Text,
		Lang:            m.Lang,
		Sentiment:       float32(m.Sentiment),
		LabelNames:      make([]string, 0, len(m.Labels)),
		LabelScores:     make([]float32, 0, len(m.Labels)),
		LabelDecisions:  make([]uint8, 0, len(m.Labels)),
		LabelReasons:    make([]string, 0, len(m.Labels)),
		CreatedAt:       dateTime(m.CreatedAt),
		ReceivedAt:      dateTime(m.ReceivedAt),
		IngestedAt:      dateTime(ingestedAt),
		Raw:             string(m.Raw),
	}
	for _, l := range m.Labels {
		r.LabelNames = append(r.LabelNames, l.Name)
		r.LabelScores = append(r.LabelScores, float32(l.Score))
		r.LabelDecisions = append(r.LabelDecisions, b2u(l.Decision))
		r.LabelReasons = append(r.LabelReasons, strings.Join(l.Reasons, reasonSep))
	}
	return r
}

// values returns the row's values in messageColumns order, for
// batch.Append.
func (r *messageRow) values() []any {
	return []any{
		r.ID, r.Brand, r.Channel, r.Kind, r.Direction, r.ConversationID, r.InReplyTo,
		r.AuthorID, r.AuthorHandle, r.AuthorName, r.AuthorFollowers, r.AuthorFollowing,
		r.AuthorVerified, r.AuthorCreatedAt, r.Text, r.Lang, r.Sentiment,
		r.LabelNames, r.LabelScores, r.LabelDecisions, r.LabelReasons,
		r.CreatedAt, r.ReceivedAt, r.IngestedAt, r.Raw,
	}
}

// message maps a row back. Empty optional parts (raw, labels, reasons,
// epoch times) come back as their zero values, as they were written.
func (r *messageRow) message() message.Message {
	m := message.Message{
		ID:             message.ID(r.ID),
		Brand:          r.Brand,
		Channel:        message.Channel(r.Channel),
		Kind:           message.Kind(r.Kind),
		Direction:      message.Direction(r.Direction),
		ConversationID: r.ConversationID,
		InReplyTo:      message.ID(r.InReplyTo),
		Author: message.Author{
			ID:          r.AuthorID,
			Handle:      r.AuthorHandle,
			DisplayName: r.AuthorName,
			Followers:   r.AuthorFollowers,
			Following:   r.AuthorFollowing,
			Verified:    r.AuthorVerified != 0,
			CreatedAt:   fromDateTime(r.AuthorCreatedAt),
		},
		Text:       r.Text,
		Lang:       r.Lang,
		Sentiment:  float64(r.Sentiment),
		CreatedAt:  fromDateTime(r.CreatedAt),
		ReceivedAt: fromDateTime(r.ReceivedAt),
	}
	if r.Raw != "" {
		m.Raw = json.RawMessage(r.Raw)
	}
	for i, name := range r.LabelNames {
		l := message.Label{Name: name}
		if i < len(r.LabelScores) {
			l.Score = float64(r.LabelScores[i])
		}
		if i < len(r.LabelDecisions) {
			l.Decision = r.LabelDecisions[i] != 0
		}
		if i < len(r.LabelReasons) && r.LabelReasons[i] != "" {
			l.Reasons = strings.Split(r.LabelReasons[i], reasonSep)
		}
		m.Labels = append(m.Labels, l)
	}
	return m
}

// approxBytes estimates the encoded size of r, for BatchPolicy.MaxBytes.
func (r *messageRow) approxBytes() int {
	n := len(r.ID) + len(r.Brand) + len(r.Channel) + len(r.Kind) + len(r.Direction) +
		len(r.ConversationID) + len(r.InReplyTo) + len(r.AuthorID) + len(r.AuthorHandle) +
		len(r.AuthorName) + len(r.Text) + len(r.Lang) + len(r.Raw) + 64
	for i := range r.LabelNames {
		n += len(r.LabelNames[i]) + len(r.LabelReasons[i]) + 8
	}
	return n
}
