package dispatch

// queue is a min-heap of groups by next flush time, for container/heap.
type queue []*group

func (q queue) Len() int           { return len(q) }
func (q queue) Less(i, j int) bool { return q[i].next.Before(q[j].next) }

func (q queue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index = i
	q[j].index = j
}

func (q *queue) Push(x any) {
	g := x.(*group)
	g.index = len(*q)
	*q = append(*q, g)
}

func (q *queue) Pop() any {
	old := *q
	g := old[len(old)-1]
	old[len(old)-1] = nil
	g.index = -1
	*q = old[:len(old)-1]
	return g
}
