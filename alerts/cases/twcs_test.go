package cases_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/cases"
	"github.com/vigia-dev/vigia/alerts/sla"
	"github.com/vigia-dev/vigia/collectors/replay"
	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/storage"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
)

// handleToBrand maps the fixture's brand accounts; other accounts become
// brands named after their handle.
var handleToBrand = map[string]string{"AcmeHelp": "acme", "GlobexCares": "globex"}

// collect is a replay Publisher that keeps what it is given.
type collect struct {
	mu   sync.Mutex
	msgs []message.Message
}

func (c *collect) Publish(_ context.Context, msgs ...message.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, msgs...)
	return nil
}

// readTwcs parses path with the replay collector, as `vigia replay` does,
// and returns the messages ordered by creation time.
func readTwcs(t *testing.T, path string) []message.Message {
	t.Helper()
	cfg := replay.DefaultConfig()
	cfg.Path, cfg.Format, cfg.DefaultBrand, cfg.HandleToBrand = path, replay.FormatTwcs, "unknown", handleToBrand
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := replay.New(cfg, logger, nil)
	require.NoError(t, err)
	var pub collect
	require.NoError(t, c.Run(context.Background(), &pub))
	require.Zero(t, c.Summary().Skipped)
	slices.SortStableFunc(pub.msgs, func(a, b message.Message) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return pub.msgs
}

// trackerFRT feeds msgs through a tracker and returns its events and the
// first response times per brand, in seconds, sorted.
func trackerFRT(t *testing.T, msgs []message.Message, cal cases.CalendarFunc) (events []cases.Event, calendar, business map[string][]int64) {
	t.Helper()
	tr, err := cases.NewTracker(cases.DefaultConfig(), cal, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	require.NoError(t, err)
	events = tr.Observe(msgs...)
	calendar, business = map[string][]int64{}, map[string][]int64{}
	for _, ev := range events {
		if ev.Event == cases.EventResponded {
			calendar[ev.Brand] = append(calendar[ev.Brand], ev.CalendarSeconds)
			business[ev.Brand] = append(business[ev.Brand], ev.BusinessSeconds)
		}
	}
	for b := range calendar {
		slices.Sort(calendar[b])
		slices.Sort(business[b])
	}
	return events, calendar, business
}

// independentFRT computes first response times straight from the CSV,
// without the replay parser or the tracker: for each thread (a root tweet
// and its replies) opened by a customer, the first brand reply's time
// minus the root's time, under the brand that replied. Brand handles map
// through handleToBrand, others to their lowercased handle. Business
// seconds use cal for the brand, calendar seconds otherwise.
func independentFRT(t *testing.T, path string, cal func(brand string) *sla.Calendar) (calendar, business map[string][]int64) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	type tweet struct {
		author  string
		inbound bool
		at      time.Time
		parent  string
	}
	tweets := map[string]tweet{}
	for _, r := range recs[1:] {
		at, err := time.Parse("Mon Jan 02 15:04:05 -0700 2006", r[3])
		require.NoError(t, err)
		tweets[strings.TrimSuffix(r[0], ".0")] = tweet{author: r[1], inbound: r[2] == "True", at: at, parent: strings.TrimSuffix(r[6], ".0")}
	}
	root := func(id string) string {
		for {
			p := tweets[id].parent
			if _, ok := tweets[p]; p == "" || !ok {
				return id
			}
			id = p
		}
	}
	firstReply := map[string]tweet{}
	for id, tw := range tweets {
		if tw.inbound {
			continue
		}
		r := root(id)
		if first, ok := firstReply[r]; !ok || tw.at.Before(first.at) {
			firstReply[r] = tw
		}
	}
	calendar, business = map[string][]int64{}, map[string][]int64{}
	for r, reply := range firstReply {
		opening, ok := tweets[r]
		if !ok || !opening.inbound {
			continue
		}
		brand, ok := handleToBrand[reply.author]
		if !ok {
			brand = strings.ToLower(reply.author)
		}
		calendar[brand] = append(calendar[brand], int64(reply.at.Sub(opening.at)/time.Second))
		biz := reply.at.Sub(opening.at)
		if c := cal(brand); c != nil {
			biz = c.Between(opening.at, reply.at)
		}
		business[brand] = append(business[brand], int64(biz/time.Second))
	}
	for b := range calendar {
		slices.Sort(calendar[b])
		slices.Sort(business[b])
	}
	return calendar, business
}

// median is ClickHouse's quantileExact(0.5): the value at position ⌊n/2⌋
// of the sorted values.
func median(sorted []int64) int64 { return sorted[len(sorted)/2] }

func madrid(t testing.TB) *sla.Calendar {
	t.Helper()
	cal, err := sla.NewCalendar(sla.Config{
		TimeZone: "Europe/Madrid",
		Hours:    []sla.Period{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Open: "09:00", Close: "17:00"}},
	})
	require.NoError(t, err)
	return cal
}

func TestTwcsFirstResponseTimes(t *testing.T) {
	cal := madrid(t)
	calFor := func(brand string) *sla.Calendar {
		if brand == "acme" {
			return cal
		}
		return nil
	}
	fixture := filepath.Join("testdata", "twcs_cases.csv")
	generated := filepath.Join(t.TempDir(), "generated.csv")
	writeTwcs(t, generated, 1, 1500)

	tests := []struct {
		name        string
		path        string
		wantMedians map[string]int64 // calendar seconds, worked out by hand; nil to skip
	}{
		{name: "fixture", path: fixture, wantMedians: map[string]int64{"acme": 2700, "globex": 1200, "initechsupport": 1200}},
		{name: "generated", path: generated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := readTwcs(t, tt.path)
			events, gotCal, gotBiz := trackerFRT(t, msgs, calFor)
			wantCal, wantBiz := independentFRT(t, tt.path, calFor)
			require.Equal(t, wantCal, gotCal)
			require.Equal(t, wantBiz, gotBiz)
			medians := map[string]int64{}
			for b, v := range gotCal {
				require.Equal(t, median(wantCal[b]), median(v), b)
				medians[b] = median(v)
			}
			if tt.wantMedians != nil {
				require.Equal(t, tt.wantMedians, medians)
			}
			var answered int
			for _, v := range wantCal {
				answered += len(v)
			}
			t.Logf("%d messages, %d answered threads, medians %v", len(msgs), answered, medians)

			// The report computes the same medians in ClickHouse.
			t.Run("clickhouse", func(t *testing.T) {
				db := chtest.New(t)
				ctx := context.Background()
				require.NoError(t, cases.NewStore(db.Conn, db.Database).Insert(ctx, events))
				sum, err := storage.ResponseTimesSince(ctx, db.Conn, db.Database, time.Time{})
				require.NoError(t, err)
				require.Len(t, sum, len(wantCal))
				for _, s := range sum {
					require.Equal(t, uint64(len(wantCal[s.Brand])), s.Answered, s.Brand)
					require.Equal(t, median(wantCal[s.Brand]), s.CalendarP50, s.Brand)
					require.Equal(t, median(wantBiz[s.Brand]), s.BusinessP50, s.Brand)
					require.Equal(t, wantCal[s.Brand][len(wantCal[s.Brand])*9/10], s.CalendarP90, s.Brand)
				}
			})
		})
	}
}

func TestTwcsFixtureCases(t *testing.T) {
	msgs := readTwcs(t, filepath.Join("testdata", "twcs_cases.csv"))
	events, _, biz := trackerFRT(t, msgs, func(b string) *sla.Calendar {
		if b == "acme" {
			return madrid(t)
		}
		return nil
	})
	kinds := map[cases.EventKind]int{}
	for _, ev := range events {
		kinds[ev.Event]++
	}
	// Ten threads, one bystander's case; 4001 answers a tweet not in the
	// file and is ignored.
	require.Equal(t, map[cases.EventKind]int{
		cases.EventOpened: 10, cases.EventResponded: 8, cases.EventInbound: 1,
		cases.EventFollowedUp: 1, cases.EventReplied: 1, cases.EventOutbound: 1,
	}, kinds)
	require.Len(t, msgs, len(events)+1)
	// Acme's business hours are Madrid's 9 to 17 on weekdays, 08:00 to
	// 16:00 UTC after the DST change of 29 October 2017: c4 wrote at 12:00
	// UTC and was answered at 17:00 UTC, five calendar hours and four
	// business hours later.
	require.Equal(t, []int64{60, 300, 2700, 4 * 3600}, biz["acme"])
}

// writeTwcs writes a synthetic twcs file of n threads to path, rows in
// random order: customers mention one of three brands, sometimes follow
// up before or after the answer, most threads are answered, some twice.
// A customer's threads start at least two days apart, so each thread is a
// case of its own.
func writeTwcs(t *testing.T, path string, seed uint64, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 3))
	base := time.Date(2017, 10, 2, 0, 0, 0, 0, time.UTC)
	handles := []string{"AcmeHelp", "GlobexCares", "InitechSupport"}
	const customers = 200
	var rows [][]string
	id := 100000
	next := func() string { id++; return strconv.Itoa(id) }
	ts := func(at time.Time) string { return at.Format("Mon Jan 02 15:04:05 -0700 2006") }
	parentRef := func(p string) string {
		if rng.IntN(2) == 0 {
			return p + ".0" // as the real dataset writes many of them
		}
		return p
	}
	for i := range n {
		customer := fmt.Sprintf("%d", 500+i%customers)
		handle := handles[rng.IntN(len(handles))]
		start := base.Add(time.Duration(i/customers)*72*time.Hour + time.Duration(rng.IntN(24*3600))*time.Second)
		root := next()
		rows = append(rows, []string{root, customer, "True", ts(start), "@" + handle + " thread " + root + " needs help", "", ""})
		last, at := root, start
		if rng.IntN(3) == 0 { // a follow-up before any answer
			at = at.Add(time.Duration(1+rng.IntN(1800)) * time.Second)
			f := next()
			rows = append(rows, []string{f, customer, "True", ts(at), "@" + handle + " any news?", "", parentRef(last)})
			last = f
		}
		if rng.IntN(10) == 0 { // never answered
			continue
		}
		for range 1 + rng.IntN(2) {
			at = at.Add(time.Duration(1+rng.IntN(8*3600)) * time.Second)
			r := next()
			rows = append(rows, []string{r, handle, "False", ts(at), "@" + customer + " we are looking into it", "", parentRef(last)})
			last = r
			if rng.IntN(2) == 0 {
				at = at.Add(time.Duration(1+rng.IntN(3600)) * time.Second)
				f := next()
				rows = append(rows, []string{f, customer, "True", ts(at), "@" + handle + " thanks, still broken", "", parentRef(last)})
				last = f
			}
		}
	}
	rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	f, err := os.Create(path)
	require.NoError(t, err)
	w := csv.NewWriter(f)
	require.NoError(t, w.Write([]string{"tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id", "in_response_to_tweet_id"}))
	require.NoError(t, w.WriteAll(rows))
	require.NoError(t, f.Close())
}
