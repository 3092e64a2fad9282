package process

import (
	"container/list"
	"sync"

	"github.com/vigia-dev/vigia/internal/message"
)

// Unanswered counts, per open conversation, how many messages the customer
// has written since the brand last answered: the classifier's "writing
// again without an answer" signal. A conversation is keyed by brand,
// channel and conversation id (the author when there is none). An outbound
// message in the conversation resets it. Memory is bounded: past max
// conversations the least recently seen is forgotten. Safe for concurrent
// use.
type Unanswered struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recently seen key
	byKey map[string]*list.Element
}

type unansweredEntry struct {
	key string
	n   int
}

// NewUnanswered returns a tracker of at most max conversations (0 means
// 100,000).
func NewUnanswered(max int) *Unanswered {
	if max <= 0 {
		max = 100_000
	}
	return &Unanswered{max: max, order: list.New(), byKey: map[string]*list.Element{}}
}

func conversationKey(m *message.Message) string {
	conv := m.ConversationID
	if conv == "" {
		conv = "author:" + m.Author.ID
	}
	return m.Brand + "\x00" + string(m.Channel) + "\x00" + conv
}

// Observe records m and returns, for an inbound message, how many inbound
// messages the conversation has without an answer, m included; for an
// outbound message it resets the conversation and returns 0, unless it is
// an automatic reply (its "automatic" label says yes), which answers
// nobody.
func (u *Unanswered) Observe(m *message.Message) int {
	key := conversationKey(m)
	u.mu.Lock()
	defer u.mu.Unlock()
	if m.Direction == message.DirectionOutbound {
		if automatic(m) {
			return 0
		}
		if el, ok := u.byKey[key]; ok {
			u.order.Remove(el)
			delete(u.byKey, key)
		}
		return 0
	}
	el, ok := u.byKey[key]
	if !ok {
		el = u.order.PushFront(&unansweredEntry{key: key})
		u.byKey[key] = el
		if u.order.Len() > u.max {
			last := u.order.Back()
			u.order.Remove(last)
			delete(u.byKey, last.Value.(*unansweredEntry).key)
		}
	} else {
		u.order.MoveToFront(el)
	}
	e := el.Value.(*unansweredEntry)
	e.n++
	return e.n
}

// Len returns how many conversations are tracked.
func (u *Unanswered) Len() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.order.Len()
}

// automatic reports whether m is an automatic reply.
func automatic(m *message.Message) bool {
	for _, l := range m.Labels {
		if l.Name == "automatic" {
			return l.Decision
		}
	}
	return false
}
