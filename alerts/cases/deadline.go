package cases

import (
	"container/heap"
	"time"
)

// deadline is a time something is due for a case: its idle resolution or
// its expiry. Entries go stale when the case moves on; whoever pops one
// checks it against the case.
type deadline struct {
	at time.Time
	id string
}

// deadlines is a min-heap of deadlines by time, then case id.
type deadlines []deadline

func (h deadlines) Len() int { return len(h) }
func (h deadlines) Less(i, j int) bool {
	if c := h[i].at.Compare(h[j].at); c != 0 {
		return c < 0
	}
	return h[i].id < h[j].id
}
func (h deadlines) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *deadlines) Push(x any)   { *h = append(*h, x.(deadline)) }
func (h *deadlines) Pop() any {
	old := *h
	d := old[len(old)-1]
	*h = old[:len(old)-1]
	return d
}

func (h *deadlines) push(at time.Time, id string) { heap.Push(h, deadline{at, id}) }

// popDue pops the deadlines at or before now that valid accepts, in
// order, dropping stale ones.
func (h *deadlines) popDue(now time.Time, valid func(deadline) bool) []deadline {
	var out []deadline
	for h.Len() > 0 && !(*h)[0].at.After(now) {
		d := heap.Pop(h).(deadline)
		if valid(d) {
			out = append(out, d)
		}
	}
	return out
}

// peek returns the earliest deadline valid accepts, dropping stale ones
// before it.
func (h *deadlines) peek(valid func(deadline) bool) (deadline, bool) {
	for h.Len() > 0 {
		if d := (*h)[0]; valid(d) {
			return d, true
		}
		heap.Pop(h)
	}
	return deadline{}, false
}
