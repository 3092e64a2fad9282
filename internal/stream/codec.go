package stream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/vigia-dev/vigia/internal/message"
)

// The stream carries envelopes: one NATS message holds a batch of Vigía
// messages, so the per-message cost of JetStream (acks, dedup, storage
// index) is paid once per batch. The wire format is a small, versioned,
// length-prefixed binary encoding; JSON costs several times more to decode.
//
//	envelope := magic(2) version(1) count(uvarint) message*
//	message  := strings and numbers in the order of encodeMessage
const (
	envelopeMagic0  = 'V'
	envelopeMagic1  = 'g'
	envelopeVersion = 1
	// maxEnvelopeMessages and maxEnvelopeBytes bound one envelope; Publish
	// splits larger calls. NATS' default max_payload is 1 MiB.
	maxEnvelopeMessages = 500
	maxEnvelopeBytes    = 768 << 10
	maxFieldBytes       = message.MaxRawBytes + message.MaxTextBytes
)

var errTruncated = errors.New("truncated envelope")

// encodeEnvelope appends the envelope of msgs to buf.
func encodeEnvelope(buf []byte, msgs []message.Message) []byte {
	buf = append(buf, envelopeMagic0, envelopeMagic1, envelopeVersion)
	buf = binary.AppendUvarint(buf, uint64(len(msgs)))
	for i := range msgs {
		buf = encodeMessage(buf, &msgs[i])
	}
	return buf
}

func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

func appendTime(buf []byte, t time.Time) []byte {
	if t.IsZero() {
		return binary.AppendVarint(buf, math.MinInt64)
	}
	return binary.AppendVarint(buf, t.UnixNano())
}

func encodeMessage(buf []byte, m *message.Message) []byte {
	for _, s := range []string{string(m.ID), m.Brand, string(m.Channel), string(m.Kind), string(m.Direction),
		m.ConversationID, string(m.InReplyTo), m.Author.ID, m.Author.Handle, m.Author.DisplayName} {
		buf = appendString(buf, s)
	}
	buf = binary.AppendVarint(buf, m.Author.Followers)
	buf = binary.AppendVarint(buf, m.Author.Following)
	if m.Author.Verified {
		buf = append(buf, 1)
	} else {
		buf = append(buf, 0)
	}
	buf = appendTime(buf, m.Author.CreatedAt)
	buf = appendString(buf, m.Text)
	buf = appendString(buf, m.Lang)
	buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(m.Sentiment))
	buf = appendTime(buf, m.CreatedAt)
	buf = appendTime(buf, m.ReceivedAt)
	buf = appendString(buf, string(m.Raw))
	buf = binary.AppendUvarint(buf, uint64(len(m.Labels)))
	for _, l := range m.Labels {
		buf = appendString(buf, l.Name)
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(l.Score))
		if l.Decision {
			buf = append(buf, 1)
		} else {
			buf = append(buf, 0)
		}
		buf = binary.AppendUvarint(buf, uint64(len(l.Reasons)))
		for _, r := range l.Reasons {
			buf = appendString(buf, r)
		}
	}
	return buf
}

// decoder reads an envelope; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errTruncated
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errTruncated
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) count(limit uint64) int {
	n := d.uvarint()
	if d.err == nil && n > limit {
		d.err = fmt.Errorf("count %d over the limit of %d", n, limit)
		return 0
	}
	return int(n)
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > maxFieldBytes || n > uint64(len(d.b)) {
		d.err = errTruncated
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	if !utf8.ValidString(s) {
		d.err = errors.New("field is not valid UTF-8")
	}
	return s
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) == 0 {
		d.err = errTruncated
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) float() float64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.err = errTruncated
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

func (d *decoder) time() time.Time {
	v := d.varint()
	if d.err != nil || v == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, v).UTC()
}

// decodeEnvelope decodes an envelope. Malformed input is an error, never a
// panic; no field may be longer than the message limits allow.
func decodeEnvelope(b []byte) ([]message.Message, error) {
	if len(b) < 3 || b[0] != envelopeMagic0 || b[1] != envelopeMagic1 {
		return nil, errors.New("not a vigia envelope")
	}
	if b[2] != envelopeVersion {
		return nil, fmt.Errorf("envelope version %d: this binary reads version %d", b[2], envelopeVersion)
	}
	d := &decoder{b: b[3:]}
	n := d.count(maxEnvelopeMessages)
	msgs := make([]message.Message, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		var m message.Message
		m.ID = message.ID(d.string())
		m.Brand = d.string()
		m.Channel = message.Channel(d.string())
		m.Kind = message.Kind(d.string())
		m.Direction = message.Direction(d.string())
		m.ConversationID = d.string()
		m.InReplyTo = message.ID(d.string())
		m.Author.ID = d.string()
		m.Author.Handle = d.string()
		m.Author.DisplayName = d.string()
		m.Author.Followers = d.varint()
		m.Author.Following = d.varint()
		m.Author.Verified = d.byte() == 1
		m.Author.CreatedAt = d.time()
		m.Text = d.string()
		m.Lang = d.string()
		m.Sentiment = d.float()
		m.CreatedAt = d.time()
		m.ReceivedAt = d.time()
		if raw := d.string(); raw != "" {
			m.Raw = []byte(raw)
		}
		if nl := d.count(16); nl > 0 {
			m.Labels = make([]message.Label, nl)
			for j := range m.Labels {
				l := &m.Labels[j]
				l.Name = d.string()
				l.Score = d.float()
				l.Decision = d.byte() == 1
				if nr := d.count(64); nr > 0 {
					l.Reasons = make([]string, nr)
					for k := range l.Reasons {
						l.Reasons[k] = d.string()
					}
				}
			}
		}
		msgs = append(msgs, m)
	}
	if d.err != nil {
		return nil, fmt.Errorf("decode envelope message %d: %w", len(msgs), d.err)
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("decode envelope: %d trailing bytes", len(d.b))
	}
	return msgs, nil
}
