package stream

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/message"
)

func fullMessage() message.Message {
	return message.Message{
		ID: "x:42", Brand: "acme", Channel: message.ChannelX, Kind: message.KindReply, Direction: message.DirectionOutbound,
		ConversationID: "40", InReplyTo: "x:41",
		Author: message.Author{ID: "AcmeHelp", Handle: "AcmeHelp", DisplayName: "Acme ✨", Followers: 123456, Following: 12,
			Verified: true, CreatedAt: time.Date(2010, 1, 2, 3, 4, 5, 0, time.UTC)},
		Text: "¡Hola! Lo revisamos 🙏", Lang: "es", Sentiment: -0.25,
		CreatedAt: time.Date(2026, 11, 23, 10, 0, 0, 123, time.UTC), ReceivedAt: time.Date(2026, 11, 23, 10, 0, 1, 0, time.UTC),
		Raw: json.RawMessage(`{"a":1}`),
		Labels: []message.Label{{Name: "complaint", Score: 0.9, Decision: true, Reasons: []string{`phrase "cobrado dos veces"`}},
			{Name: "spam", Score: 0.01}},
	}
}

func TestEnvelopeRoundTrip(t *testing.T) {
	in := []message.Message{fullMessage(), testMessage(1), {}}
	out, err := decodeEnvelope(encodeEnvelope(nil, in))
	require.NoError(t, err)
	require.Equal(t, in, out)
}

func TestEnvelopeRejectsBadInput(t *testing.T) {
	good := encodeEnvelope(nil, []message.Message{fullMessage()})
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a vigia envelope"},
		{"json", []byte(`{"id":"x:1"}`), "not a vigia envelope"},
		{"future version", append([]byte{'V', 'g', 9}, good[3:]...), "envelope version 9"},
		{"truncated", good[:len(good)-5], "truncated"},
		{"trailing bytes", append(append([]byte{}, good...), 0), "trailing"},
		{"too many messages", []byte{'V', 'g', 1, 0xff, 0xff, 0x03}, "over the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeEnvelope(tt.data)
			require.ErrorContains(t, err, tt.want)
		})
	}
	bad := fullMessage()
	bad.Text = "caf\xe9"
	_, err := decodeEnvelope(encodeEnvelope(nil, []message.Message{bad}))
	require.ErrorContains(t, err, "UTF-8")
}

func TestEnvelopesSplitByChannelAndSize(t *testing.T) {
	s := &Stream{cfg: DefaultConfig()}
	var msgs []message.Message
	for i := range 1200 {
		m := testMessage(i)
		if i%2 == 1 {
			m.Channel = message.ChannelX
			m.ID = message.NewID(message.ChannelX, m.ID.External())
		}
		msgs = append(msgs, m)
	}
	big := testMessage(5000)
	big.Text = strings.Repeat("a", 60<<10)
	for range 20 {
		msgs = append(msgs, big)
	}
	envs := s.envelopes(msgs)
	total := 0
	for _, e := range envs {
		got, err := decodeEnvelope(e.Data)
		require.NoError(t, err)
		require.LessOrEqual(t, len(got), maxEnvelopeMessages)
		require.LessOrEqual(t, len(e.Data), maxEnvelopeBytes+(64<<10)+4096)
		for _, m := range got {
			require.Equal(t, "vigia.messages."+string(m.Channel), e.Subject)
		}
		require.Equal(t, len(got), envelopeCounts(e))
		total += len(got)
	}
	require.Equal(t, len(msgs), total)
	// The same messages give the same envelope IDs: retries deduplicate.
	again := s.envelopes(msgs)
	for i := range envs {
		require.Equal(t, envs[i].Header.Get("Nats-Msg-Id"), again[i].Header.Get("Nats-Msg-Id"))
	}
}

func FuzzDecodeEnvelope(f *testing.F) {
	f.Add(encodeEnvelope(nil, []message.Message{fullMessage()}))
	f.Add(encodeEnvelope(nil, []message.Message{testMessage(1), testMessage(2)}))
	f.Add([]byte("Vg\x01\x01\x05hello"))
	f.Fuzz(func(t *testing.T, data []byte) {
		msgs, err := decodeEnvelope(data)
		if err != nil {
			return
		}
		// Whatever decodes re-encodes to the same bytes.
		require.Equal(t, data, encodeEnvelope(nil, msgs))
	})
}
