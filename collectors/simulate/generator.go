package simulate

import (
	"container/heap"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/vigia-dev/vigia/internal/message"
)

// Scenarios, the values of Raw's "scenario" and of the scenario metric label.
const (
	ScenarioComplaint  = "complaint"
	ScenarioQuestion   = "question"
	ScenarioPraise     = "praise"
	ScenarioUrgent     = "urgent"
	ScenarioInfluencer = "influencer"
	ScenarioTroll      = "troll"
	ScenarioSpam       = "spam"
	ScenarioOutage     = "outage"
	ScenarioFollowUp   = "followup"
	ScenarioReply      = "reply"
)

// Scenarios lists every scenario, in a stable order.
func Scenarios() []string {
	return []string{
		ScenarioComplaint, ScenarioQuestion, ScenarioPraise, ScenarioUrgent, ScenarioInfluencer,
		ScenarioTroll, ScenarioSpam, ScenarioOutage, ScenarioFollowUp, ScenarioReply,
	}
}

// hourWeights is the relative traffic of each local hour: peaks at 10-13
// and 18-22, a trough at night.
func hourWeights() [24]float64 {
	return [24]float64{
		0.25, 0.15, 0.10, 0.08, 0.08, 0.12, 0.30, 0.60, 0.90, 1.20, 1.60, 1.80,
		1.75, 1.40, 1.10, 1.00, 1.00, 1.10, 1.45, 1.70, 1.80, 1.60, 1.10, 0.60,
	}
}

// weekendWeight scales Saturday and Sunday traffic.
const weekendWeight = 0.6

// Opening hours of the simulated brands' care teams, local time.
const (
	openHour  = 8
	closeHour = 22
)

// SimInfo is what Message.Raw holds for a simulated message: the ground
// truth a classifier evaluation can compare against.
type SimInfo struct {
	Scenario string `json:"scenario"`
	Lang     string `json:"lang"`
	Seed     uint64 `json:"seed"`
}

type person struct {
	author message.Author
	lang   lang
}

type pending struct {
	msg message.Message
	seq uint64
}

type queue []pending

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if !q[i].msg.CreatedAt.Equal(q[j].msg.CreatedAt) {
		return q[i].msg.CreatedAt.Before(q[j].msg.CreatedAt)
	}
	return q[i].seq < q[j].seq
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(pending)) }
func (q *queue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// Generator makes up messages in non-decreasing CreatedAt order. The same
// Config, seed and start give the same sequence. It is not safe for
// concurrent use.
type Generator struct {
	cfg        Config
	seed       uint64
	rng        *rand.Rand
	loc        *time.Location
	bank       map[string]bank
	perSecond  float64 // mean arrivals per simulated second, before weights
	norm       float64 // makes the weekly mean weight 1
	maxWeight  float64
	clock      time.Time
	next       time.Time // next arrival, zero if not sampled yet
	nextOutage time.Time
	queue      queue
	seq        uint64
	customers  []person
	trolls     []person
}

// NewGenerator returns a Generator whose first message is at or after
// start, making Rate messages per simulated second on average.
func NewGenerator(cfg Config, seed uint64, start time.Time) (*Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("simulate config: %w", err)
	}
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return nil, fmt.Errorf("load timezone %s: %w", cfg.Timezone, err)
	}
	g := &Generator{
		cfg:       cfg,
		seed:      seed,
		rng:       rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		loc:       loc,
		bank:      phrases(),
		perSecond: cfg.Rate,
		clock:     start.UTC(),
	}
	w := hourWeights()
	var sum float64
	for _, v := range w {
		sum += v
		g.maxWeight = max(g.maxWeight, v)
	}
	g.norm = 1 / (sum / 24 * (5 + 2*weekendWeight) / 7)
	if cfg.OutageEvery > 0 {
		g.nextOutage = g.clock.Add(min(15*time.Minute, cfg.OutageEvery/2))
	}
	return g, nil
}

// weight is the relative traffic at t, normalized to a weekly mean of 1.
func (g *Generator) weight(t time.Time) float64 {
	lt := t.In(g.loc)
	w := hourWeights()[lt.Hour()] * g.norm
	if wd := lt.Weekday(); wd == time.Saturday || wd == time.Sunday {
		w *= weekendWeight
	}
	return w
}

// sampleArrival returns the next arrival after t, by thinning a Poisson
// process at the peak rate.
func (g *Generator) sampleArrival(t time.Time) time.Time {
	peak := g.perSecond * g.maxWeight * g.norm
	for {
		t = t.Add(time.Duration(g.rng.ExpFloat64() / peak * float64(time.Second)))
		if g.rng.Float64()*peak <= g.perSecond*g.weight(t) {
			return t
		}
	}
}

// Next returns the next message.
func (g *Generator) Next() message.Message {
	for {
		if g.next.IsZero() {
			g.next = g.sampleArrival(g.clock)
		}
		due := g.next
		outage := !g.nextOutage.IsZero() && !g.nextOutage.After(due)
		if outage {
			due = g.nextOutage
		}
		if len(g.queue) > 0 && !g.queue[0].msg.CreatedAt.After(due) {
			return heap.Pop(&g.queue).(pending).msg
		}
		g.clock = due
		if outage {
			g.spawnOutage(due)
			g.nextOutage = due.Add(g.jitter(g.cfg.OutageEvery, 0.2))
			continue
		}
		g.next = time.Time{}
		g.spawn(due)
	}
}

func (g *Generator) jitter(d time.Duration, frac float64) time.Duration {
	return time.Duration(float64(d) * (1 + frac*(2*g.rng.Float64()-1)))
}

func (g *Generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *Generator) push(m message.Message) {
	g.seq++
	heap.Push(&g.queue, pending{msg: m, seq: g.seq})
}

// spawn plans one arrival at t: a scenario's first message and what follows.
func (g *Generator) spawn(t time.Time) {
	brand := g.cfg.Brands[g.rng.IntN(len(g.cfg.Brands))]
	switch r := g.rng.Float64(); {
	case r < 0.45:
		g.thread(t, brand, g.customer(), ScenarioComplaint, 1)
	case r < 0.70:
		g.thread(t, brand, g.customer(), ScenarioQuestion, 1)
	case r < 0.78:
		g.thread(t, brand, g.customer(), ScenarioPraise, 0.5)
	case r < 0.83:
		g.thread(t, brand, g.customer(), ScenarioUrgent, 1.5)
	case r < 0.87:
		g.thread(t, brand, g.influencer(), ScenarioInfluencer, 1.5)
	case r < 0.95:
		g.thread(t, brand, g.troll(), ScenarioTroll, 0.1)
	default:
		g.spamBurst(t, brand)
	}
}

// thread plans a customer's message, maybe the brand's reply after a
// realistic delay, and maybe a follow-up. care scales how likely and fast
// the brand answers.
func (g *Generator) thread(t time.Time, b Brand, p person, scenario string, care float64) {
	bankName := scenario
	if scenario == ScenarioInfluencer {
		bankName = ScenarioComplaint
	}
	first := g.message(t, b, p, scenario, g.fill(g.pick(g.bank[bankName][p.lang]), b, p), nil)
	g.push(first)
	if !g.answers(care) {
		if scenario != ScenarioTroll && g.rng.Float64() < 0.3 {
			nudge := g.message(t.Add(g.between(time.Hour, 3*time.Hour)), b, p, ScenarioFollowUp,
				g.fill(g.pick(g.bank["followup_unhappy"][p.lang]), b, p), &first)
			g.push(nudge)
		}
		return
	}
	replyBank := "reply"
	if scenario == ScenarioPraise {
		replyBank = "reply_praise"
	}
	reply := g.reply(g.replyAt(t, care), b, p, replyBank, &first)
	g.push(reply)
	if scenario == ScenarioPraise || scenario == ScenarioTroll || g.rng.Float64() >= 0.4 {
		return
	}
	followBank := "followup_happy"
	if g.rng.Float64() < 0.4 {
		followBank = "followup_unhappy"
	}
	follow := g.message(reply.CreatedAt.Add(g.between(2*time.Minute, 40*time.Minute)), b, p, ScenarioFollowUp,
		g.fill(g.pick(g.bank[followBank][p.lang]), b, p), &reply)
	g.push(follow)
	if followBank == "followup_unhappy" && g.answers(care) {
		g.push(g.reply(g.replyAt(follow.CreatedAt, care), b, p, "reply", &follow))
	}
}

// answers reports whether the brand answers a message; care > 1 answers more.
func (g *Generator) answers(care float64) bool {
	p := (1 - g.cfg.UnansweredRatio) * care
	return g.rng.Float64() < min(p, 1)
}

// replyAt is when the brand answers a message sent at t: a log-normal delay
// with a 25-minute median (shorter with more care), counted from opening
// time when the message arrives while the team is closed.
func (g *Generator) replyAt(t time.Time, care float64) time.Time {
	median := 25 * time.Minute
	if care > 1 {
		median = 10 * time.Minute
	}
	d := time.Duration(float64(median) * math.Exp(0.9*g.rng.NormFloat64()))
	d = max(min(d, 36*time.Hour), 30*time.Second)
	return g.openAt(t).Add(d)
}

// openAt returns t if the care team is open then, else the next opening.
func (g *Generator) openAt(t time.Time) time.Time {
	lt := t.In(g.loc)
	switch {
	case lt.Hour() >= openHour && lt.Hour() < closeHour:
		return t
	case lt.Hour() < openHour:
		return time.Date(lt.Year(), lt.Month(), lt.Day(), openHour, 0, 0, 0, g.loc).UTC()
	default:
		return time.Date(lt.Year(), lt.Month(), lt.Day()+1, openHour, 0, 0, 0, g.loc).UTC()
	}
}

func (g *Generator) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(g.rng.Int64N(int64(hi-lo)))
}

// spamBurst plans the same promo text from many new accounts within minutes.
func (g *Generator) spamBurst(t time.Time, b Brand) {
	l := g.lang()
	text := g.pick(g.bank[ScenarioSpam][l])
	link := fmt.Sprintf("https://bit.example/%x", g.rng.Uint32())
	n := 8 + g.rng.IntN(18)
	for i := range n {
		p := g.spammer(l)
		at := t.Add(time.Duration(i) * g.between(5*time.Second, 40*time.Second))
		body := strings.ReplaceAll(g.fill(text, b, p), "{link}", link)
		g.push(g.message(at, b, p, ScenarioSpam, body, nil))
	}
}

// spawnOutage plans many customers writing about one brand's outage, most
// in the first quarter of an hour, and the brand answering some of them.
func (g *Generator) spawnOutage(t time.Time) {
	b := g.cfg.Brands[g.rng.IntN(len(g.cfg.Brands))]
	for range g.cfg.OutageSize {
		p := g.customer()
		at := t.Add(min(time.Duration(g.rng.ExpFloat64()*float64(10*time.Minute)), 45*time.Minute))
		m := g.message(at, b, p, ScenarioOutage, g.fill(g.pick(g.bank[ScenarioOutage][p.lang]), b, p), nil)
		g.push(m)
		if g.rng.Float64() < 0.3 {
			g.push(g.reply(at.Add(g.between(5*time.Minute, 50*time.Minute)), b, p, "reply_outage", &m))
		}
	}
}

// message builds an inbound message from p; parent, if set, is replied to.
func (g *Generator) message(t time.Time, b Brand, p person, scenario, text string, parent *message.Message) message.Message {
	g.seq++
	ext := fmt.Sprintf("sim%d-%d", g.seed, g.seq)
	m := message.Message{
		ID:             message.NewID(g.cfg.Channel, ext),
		Brand:          b.Name,
		Channel:        g.cfg.Channel,
		Kind:           message.KindMention,
		Direction:      message.DirectionInbound,
		ConversationID: ext,
		Author:         p.author,
		Text:           text,
		CreatedAt:      t.UTC().Truncate(time.Millisecond),
	}
	if parent != nil {
		m.Kind = message.KindReply
		m.InReplyTo = parent.ID
		m.ConversationID = parent.ConversationID
	}
	raw, _ := json.Marshal(SimInfo{Scenario: scenario, Lang: string(p.lang), Seed: g.seed}) // cannot fail
	m.Raw = raw
	return m
}

// reply builds the brand's answer to parent.
func (g *Generator) reply(t time.Time, b Brand, p person, bankName string, parent *message.Message) message.Message {
	text := strings.ReplaceAll(g.pick(g.bank[bankName][p.lang]), "{customer}", p.author.Handle)
	brandPerson := person{lang: p.lang, author: message.Author{
		ID: "brand-" + b.Name, Handle: b.Handle, DisplayName: b.Handle, Followers: 120_000, Following: 300, Verified: true,
		CreatedAt: time.Date(2011, 5, 4, 0, 0, 0, 0, time.UTC),
	}}
	m := g.message(t, b, brandPerson, ScenarioReply, text, parent)
	m.Direction = message.DirectionOutbound
	return m
}

func (g *Generator) lang() lang {
	if g.rng.Float64() < g.cfg.SpanishRatio {
		return langES
	}
	return langEN
}

// customer returns a returning customer one time in five, else a new one.
func (g *Generator) customer() person {
	if len(g.customers) > 0 && g.rng.Float64() < 0.2 {
		return g.customers[g.rng.IntN(len(g.customers))]
	}
	l := g.lang()
	first, last := g.pick(firstNames()[l]), g.pick(lastNames()[l])
	k := len(g.customers)
	p := person{lang: l, author: message.Author{
		ID:          fmt.Sprintf("sim-c%d-%d", g.seed, k),
		Handle:      fmt.Sprintf("%s_%s%d", first, last[:1], g.rng.IntN(100)),
		DisplayName: strings.ToUpper(first[:1]) + first[1:] + " " + strings.ToUpper(last[:1]) + last[1:],
		Followers:   int64(math.Exp(5 + 1.2*g.rng.NormFloat64())),
		Following:   int64(50 + g.rng.IntN(800)),
		CreatedAt:   g.clock.AddDate(-1-g.rng.IntN(12), -g.rng.IntN(12), 0).Truncate(24 * time.Hour),
	}}
	if len(g.customers) < 5000 {
		g.customers = append(g.customers, p)
	}
	return p
}

// influencer returns a new high-reach, often verified, account.
func (g *Generator) influencer() person {
	p := g.customer()
	p.author.ID += "-inf"
	p.author.Handle = strings.SplitN(p.author.Handle, "_", 2)[0] + "_official"
	p.author.Followers = int64(math.Exp(math.Log(50_000) + g.rng.Float64()*math.Log(40)))
	p.author.Verified = g.rng.Float64() < 0.7
	return p
}

// troll returns one of a few recurring abusive accounts.
func (g *Generator) troll() person {
	if len(g.trolls) < 8 {
		l := g.lang()
		k := len(g.trolls)
		g.trolls = append(g.trolls, person{lang: l, author: message.Author{
			ID:        fmt.Sprintf("sim-t%d-%d", g.seed, k),
			Handle:    fmt.Sprintf("%s%d", g.pick([]string{"truthbomb", "anon_rage", "realtalk", "nolimits"}), 1000+g.rng.IntN(9000)),
			Followers: int64(g.rng.IntN(60)),
			Following: int64(500 + g.rng.IntN(4000)),
			CreatedAt: g.clock.AddDate(0, -g.rng.IntN(3), -g.rng.IntN(28)).Truncate(24 * time.Hour),
		}})
		return g.trolls[k]
	}
	return g.trolls[g.rng.IntN(len(g.trolls))]
}

// spammer returns a fresh, new, low-follower account.
func (g *Generator) spammer(l lang) person {
	g.seq++
	return person{lang: l, author: message.Author{
		ID:        fmt.Sprintf("sim-s%d-%d", g.seed, g.seq),
		Handle:    fmt.Sprintf("%s%d", g.pick([]string{"promo_deals", "win_today", "ofertas_ya", "cashfast"}), g.rng.IntN(100_000)),
		Followers: int64(g.rng.IntN(20)),
		Following: int64(1000 + g.rng.IntN(4000)),
		CreatedAt: g.clock.AddDate(0, 0, -g.rng.IntN(10)).Truncate(24 * time.Hour),
	}}
}

// fill replaces the slots of a phrase.
func (g *Generator) fill(s string, b Brand, p person) string {
	r := strings.NewReplacer(
		"{brand}", "@"+b.Handle,
		"{order}", strconv.Itoa(100000+g.rng.IntN(900000)),
		"{days}", strconv.Itoa(2+g.rng.IntN(6)),
		"{hours}", strconv.Itoa(1+g.rng.IntN(3)),
		"{amount}", strconv.Itoa(5+g.rng.IntN(95)),
		"{city}", g.pick(cities()[p.lang]),
	)
	return r.Replace(s)
}
