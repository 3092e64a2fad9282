package process

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/message"
)

func msg(brand, conv, author string, dir message.Direction) *message.Message {
	return &message.Message{Brand: brand, Channel: message.ChannelX, ConversationID: conv, Author: message.Author{ID: author}, Direction: dir}
}

func TestUnansweredCountsUntilTheBrandAnswers(t *testing.T) {
	u := NewUnanswered(0)
	in, out := message.DirectionInbound, message.DirectionOutbound
	steps := []struct {
		m    *message.Message
		want int
	}{
		{msg("acme", "c1", "ana", in), 1},
		{msg("acme", "c1", "ana", in), 2},
		{msg("acme", "c2", "bob", in), 1},   // another conversation
		{msg("globex", "c1", "ana", in), 1}, // same id, another brand
		{msg("acme", "", "carla", in), 1},   // no conversation id: by author
		{msg("acme", "", "carla", in), 2},
		{auto(msg("acme", "c1", "AcmeBot", out)), 0}, // an automatic reply answers nobody
		{msg("acme", "c1", "ana", in), 3},
		{msg("acme", "c1", "AcmeHelp", out), 0}, // the brand answers c1
		{msg("acme", "c1", "ana", in), 1},
		{msg("acme", "c2", "bob", in), 2},
	}
	for i, s := range steps {
		require.Equal(t, s.want, u.Observe(s.m), "step %d", i)
	}
}

func TestUnansweredIsBounded(t *testing.T) {
	u := NewUnanswered(100)
	for i := range 1000 {
		u.Observe(msg("acme", fmt.Sprint(i), "x", message.DirectionInbound))
	}
	require.Equal(t, 100, u.Len())
	// The most recent conversations are kept.
	require.Equal(t, 2, u.Observe(msg("acme", "999", "x", message.DirectionInbound)))
	require.Equal(t, 1, u.Observe(msg("acme", "0", "x", message.DirectionInbound)))
}

func auto(m *message.Message) *message.Message {
	m.Labels = append(m.Labels, message.Label{Name: "automatic", Score: 1, Decision: true})
	return m
}
