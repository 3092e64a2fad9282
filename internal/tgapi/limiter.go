package tgapi

import (
	"context"
	"sync"
	"time"
)

// Telegram's documented flood limits for bots
// (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).
// Telegram does not publish exact numbers for editing; the limiter counts
// edits like messages, which keeps well inside flood control.
const (
	// DefaultChatInterval: "In a single chat, avoid sending more than one
	// message per second."
	DefaultChatInterval = time.Second
	// DefaultGroupMessagesPerMinute: "In a group, bots are not able to send
	// more than 20 messages per minute."
	DefaultGroupMessagesPerMinute = 20
	// groupWindow is the window DefaultGroupMessagesPerMinute counts in.
	groupWindow = time.Minute
	// pruneAbove is how many chats the limiter remembers before it forgets
	// the idle ones.
	pruneAbove = 1024
)

// Limits are the per-chat rate limits a [Limiter] enforces.
type Limits struct {
	// ChatInterval is the least time between two messages to one chat;
	// 0 means DefaultChatInterval, negative disables it.
	ChatInterval time.Duration
	// GroupPerMinute caps messages to one group or supergroup (a negative
	// chat id) in any minute; 0 means DefaultGroupMessagesPerMinute,
	// negative disables it.
	GroupPerMinute int
}

func (l Limits) withDefaults() Limits {
	if l.ChatInterval == 0 {
		l.ChatInterval = DefaultChatInterval
	}
	if l.GroupPerMinute == 0 {
		l.GroupPerMinute = DefaultGroupMessagesPerMinute
	}
	return l
}

// Limiter spaces messages per chat: at least ChatInterval apart, and at most
// GroupPerMinute in any minute for groups. Callers reserve a slot with Wait
// and are served in the order they called. It is safe for concurrent use.
type Limiter struct {
	limits Limits

	mu    sync.Mutex
	chats map[int64]*chatSlots
}

// chatSlots is what the limiter remembers of one chat.
type chatSlots struct {
	next   time.Time   // earliest time of the next message
	recent []time.Time // slots inside the last minute, oldest first (groups only)
}

// NewLimiter returns a Limiter enforcing l (zero fields take the defaults).
func NewLimiter(l Limits) *Limiter {
	return &Limiter{limits: l.withDefaults(), chats: make(map[int64]*chatSlots)}
}

// Wait blocks until a message to chatID may be sent, or until ctx ends,
// in which case it returns ctx.Err() and gives its slot back when no later
// caller took the one after it.
func (l *Limiter) Wait(ctx context.Context, chatID int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now()
	at, undo := l.reserve(chatID, now)
	d := at.Sub(now)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		undo()
		return ctx.Err()
	}
}

// Penalize keeps chatID silent for d from now: what Telegram's
// parameters.retry_after asks for after a 429.
func (l *Limiter) Penalize(chatID int64, d time.Duration) {
	if d <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.chat(chatID)
	if until := time.Now().Add(d); until.After(st.next) {
		st.next = until
	}
}

// reserve returns the time of chatID's next slot at now and a function
// that gives it back.
func (l *Limiter) reserve(chatID int64, now time.Time) (time.Time, func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.chats) > pruneAbove {
		l.prune(now)
	}
	st := l.chat(chatID)
	at := now
	if st.next.After(at) {
		at = st.next
	}
	group := chatID < 0 && l.limits.GroupPerMinute > 0
	if group && len(st.recent) >= l.limits.GroupPerMinute {
		if free := st.recent[len(st.recent)-l.limits.GroupPerMinute].Add(groupWindow); free.After(at) {
			at = free
		}
	}
	prevNext := st.next
	if l.limits.ChatInterval > 0 {
		st.next = at.Add(l.limits.ChatInterval)
	} else {
		st.next = at
	}
	if group {
		n := 0 // slots that left the window by now: no later slot can count them
		for n < len(st.recent) && !st.recent[n].Add(groupWindow).After(now) {
			n++
		}
		st.recent = append(st.recent[:0], st.recent[n:]...)
		st.recent = append(st.recent, at)
	}
	mine := st.next
	undo := func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		cur, ok := l.chats[chatID]
		if !ok || cur != st || !cur.next.Equal(mine) {
			return // someone reserved after us; keep the order
		}
		cur.next = prevNext
		if group && len(cur.recent) > 0 && cur.recent[len(cur.recent)-1].Equal(at) {
			cur.recent = cur.recent[:len(cur.recent)-1]
		}
	}
	return at, undo
}

func (l *Limiter) chat(chatID int64) *chatSlots {
	st, ok := l.chats[chatID]
	if !ok {
		st = &chatSlots{}
		l.chats[chatID] = st
	}
	return st
}

// prune forgets chats that have been idle for longer than every window.
func (l *Limiter) prune(now time.Time) {
	for id, st := range l.chats {
		if st.next.Before(now.Add(-groupWindow)) && (len(st.recent) == 0 || st.recent[len(st.recent)-1].Before(now.Add(-groupWindow))) {
			delete(l.chats, id)
		}
	}
}
