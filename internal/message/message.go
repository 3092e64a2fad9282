// Package message defines Message, the one normalized type every stage of
// Vigía exchanges: collectors produce it, the processor classifies and stores
// it, and alerts thread it into cases. It imports only the standard library.
package message

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Channel is the platform a message was collected from.
type Channel string

// Known channels.
const (
	ChannelX          Channel = "x"
	ChannelTelegram   Channel = "telegram"
	ChannelMattermost Channel = "mattermost"
	ChannelWebhook    Channel = "webhook"
	ChannelEmail      Channel = "email"
	ChannelChat       Channel = "chat"
)

// Channels lists every valid Channel, in a stable order.
func Channels() []Channel {
	return []Channel{ChannelX, ChannelTelegram, ChannelMattermost, ChannelWebhook, ChannelEmail, ChannelChat}
}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	for _, k := range Channels() {
		if c == k {
			return true
		}
	}
	return false
}

// Kind says what sort of post a message is.
type Kind string

// Known kinds.
const (
	KindMention Kind = "mention"
	KindDM      Kind = "dm"
	KindReply   Kind = "reply"
	KindComment Kind = "comment"
)

// Kinds lists every valid Kind, in a stable order.
func Kinds() []Kind { return []Kind{KindMention, KindDM, KindReply, KindComment} }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, v := range Kinds() {
		if k == v {
			return true
		}
	}
	return false
}

// Direction says who wrote a message: a customer (inbound) or the brand (outbound).
type Direction string

// Known directions.
const (
	DirectionInbound  Direction = "inbound"
	DirectionOutbound Direction = "outbound"
)

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool { return d == DirectionInbound || d == DirectionOutbound }

// ID is the stable identity of a message: channel + ":" + the platform's own
// id. It is the deduplication key in the stream and in ClickHouse.
type ID string

// NewID builds the ID of the message with external id ext on channel c.
func NewID(c Channel, ext string) ID { return ID(string(c) + ":" + ext) }

// Channel returns the channel part of the ID.
func (id ID) Channel() Channel {
	c, _, _ := strings.Cut(string(id), ":")
	return Channel(c)
}

// External returns the platform's own id, the part after the channel.
func (id ID) External() string {
	_, e, _ := strings.Cut(string(id), ":")
	return e
}

// Author is who wrote a message, with what the platform says of their reach.
type Author struct {
	ID          string    `json:"id"`
	Handle      string    `json:"handle,omitempty"`
	DisplayName string    `json:"display_name,omitempty"`
	Followers   int64     `json:"followers,omitempty"`
	Following   int64     `json:"following,omitempty"`
	Verified    bool      `json:"verified,omitempty"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
}

// Label is one classifier decision on a message.
type Label struct {
	Name     string   `json:"name"`
	Score    float64  `json:"score"`
	Decision bool     `json:"decision"`
	Reasons  []string `json:"reasons,omitempty"`
}

// Message is one normalized post collected from any channel.
type Message struct {
	ID             ID              `json:"id"`
	Brand          string          `json:"brand"`
	Channel        Channel         `json:"channel"`
	Kind           Kind            `json:"kind"`
	Direction      Direction       `json:"direction"`
	ConversationID string          `json:"conversation_id,omitempty"`
	InReplyTo      ID              `json:"in_reply_to,omitempty"`
	Author         Author          `json:"author"`
	Text           string          `json:"text"`
	Lang           string          `json:"lang,omitempty"`
	Sentiment      float64         `json:"sentiment,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	ReceivedAt     time.Time       `json:"received_at,omitzero"`
	Raw            json.RawMessage `json:"raw,omitempty"`
	Labels         []Label         `json:"labels,omitempty"`
}

// Limits on fields, so a hostile source cannot blow up storage.
const (
	MaxTextBytes = 64 << 10 // 64 KiB: far above any platform's post limit
	MaxIDBytes   = 512
	MaxRawBytes  = 256 << 10
)

// Validate reports every problem with m at once, each naming the field.
func (m *Message) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	switch {
	case m.ID == "":
		bad("id", "is empty; want <channel>:<external id>")
	case len(m.ID) > MaxIDBytes:
		bad("id", "is %d bytes; at most %d allowed", len(m.ID), MaxIDBytes)
	case m.ID.Channel() != m.Channel || m.ID.External() == "":
		bad("id", "%q: must be %q followed by the external id", m.ID, string(m.Channel)+":")
	}
	if m.Brand == "" {
		bad("brand", "is empty")
	}
	if !m.Channel.Valid() {
		bad("channel", "%q: want one of %v", m.Channel, Channels())
	}
	if !m.Kind.Valid() {
		bad("kind", "%q: want one of %v", m.Kind, Kinds())
	}
	if !m.Direction.Valid() {
		bad("direction", "%q: want inbound or outbound", m.Direction)
	}
	if m.Author.ID == "" {
		bad("author.id", "is empty")
	}
	if m.CreatedAt.IsZero() {
		bad("created_at", "is missing")
	}
	if len(m.Text) > MaxTextBytes {
		bad("text", "is %d bytes; at most %d allowed", len(m.Text), MaxTextBytes)
	}
	for field, s := range map[string]string{
		"id": string(m.ID), "text": m.Text, "brand": m.Brand, "conversation_id": m.ConversationID,
		"author.id": m.Author.ID, "author.handle": m.Author.Handle, "author.display_name": m.Author.DisplayName,
	} {
		if !utf8.ValidString(s) {
			bad(field, "is not valid UTF-8")
		}
	}
	if len(m.Raw) > MaxRawBytes {
		bad("raw", "is %d bytes; at most %d allowed", len(m.Raw), MaxRawBytes)
	}
	return errors.Join(errs...)
}

// Normalize fills derived fields: times in UTC, ReceivedAt defaulting to now.
func (m *Message) Normalize(now time.Time) {
	m.CreatedAt = m.CreatedAt.UTC()
	if m.ReceivedAt.IsZero() {
		m.ReceivedAt = now
	}
	m.ReceivedAt = m.ReceivedAt.UTC()
	if !m.Author.CreatedAt.IsZero() {
		m.Author.CreatedAt = m.Author.CreatedAt.UTC()
	}
}

// Label returns the label named name and whether it is present.
func (m *Message) Label(name string) (Label, bool) {
	for _, l := range m.Labels {
		if l.Name == name {
			return l, true
		}
	}
	return Label{}, false
}
