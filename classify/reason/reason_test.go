package reason_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/classify/reason"
)

func TestSplit(t *testing.T) {
	var l reason.List
	l.SetTag(2)
	l.Add("spam one")
	l.SetTag(0)
	b := l.Begin()
	b = append(b, "phrase "...)
	b = strconv.AppendQuote(b, "charged twice")
	l.End(b)
	l.SetTag(2)
	l.Add("spam two")
	l.SetTag(9) // outside the labels: dropped by Split
	l.Add("dropped")
	require.Equal(t, 4, l.Len())
	out := make([][]string, 4)
	out[1] = []string{"stale"}
	l.Split(out)
	require.Equal(t, [][]string{{`phrase "charged twice"`}, nil, {"spam one", "spam two"}, nil}, out)
	// Appending to one label's reasons leaves the others alone.
	out[0] = append(out[0], "more")
	require.Equal(t, []string{"spam one", "spam two"}, out[2])
	require.Equal(t, []string{"spam one", `phrase "charged twice"`, "spam two", "dropped"}, l.Strings())

	l.Reset()
	require.Zero(t, l.Len())
	require.Nil(t, l.Strings())
	l.Split(out)
	require.Equal(t, [][]string{nil, nil, nil, nil}, out)
}

func TestSplitManyTags(t *testing.T) {
	var l reason.List
	for i := range 20 {
		l.SetTag(i)
		l.Add(strconv.Itoa(i))
	}
	out := make([][]string, 20)
	l.Split(out)
	require.Equal(t, []string{"19"}, out[19])
	require.Equal(t, []string{"0"}, out[0])
}

func BenchmarkAddSplit(b *testing.B) {
	var l reason.List
	out := make([][]string, 5)
	b.ReportAllocs()
	for b.Loop() {
		l.Reset()
		l.SetTag(0)
		l.End(strconv.AppendQuote(append(l.Begin(), "phrase "...), "charged twice"))
		l.SetTag(3)
		l.Add("followers 120 < micro tier 10,000")
		l.Split(out)
	}
}

func TestSplitInto(t *testing.T) {
	var l reason.List
	for i, s := range []string{"a", "b", "c", "d"} {
		l.SetTag(i % 2)
		l.Add(s)
	}
	room := make([]string, 8)
	out := make([][]string, 2)
	l.SplitInto(out, room)
	require.Equal(t, [][]string{{"a", "c"}, {"b", "d"}}, out)
	require.Same(t, &room[0], &out[0][0], "the reasons are in room")
	out[0] = append(out[0], "more")
	require.Equal(t, []string{"b", "d"}, out[1], "capped: appending leaves the next label alone")
	l.SplitInto(out, room[:3]) // too short: allocated
	require.Equal(t, [][]string{{"a", "c"}, {"b", "d"}}, out)
	require.NotSame(t, &room[0], &out[0][0])
}
