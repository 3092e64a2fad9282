package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigia-dev/vigia/alerts/cases"
	"github.com/vigia-dev/vigia/collectors/webhook"
	"github.com/vigia-dev/vigia/internal/message"
)

// The traffic mix. Urgent messages take their share first; of the rest,
// these shares are the brand's replies and the customers' answers, and the
// remainder is new inbound chatter from a pool of customers.
const (
	replyShare     = 0.20
	followUpShare  = 0.10
	customerPool   = 5000
	recentInbound  = 4096 // inbound messages the brand may answer
	maxPerRequest  = webhook.DefaultMaxMessages
	brandHandle    = "AcmeHelp"
	intakeSecret   = "vigia-alertbench-webhook-secret"
	intakeChannel  = message.ChannelWebhook
	urgentTextHead = "URGENTE: me han cobrado dos veces y nadie contesta"
)

// wireMessage is a message as posted to the webhook intake.
type wireMessage struct {
	ID             string          `json:"id"`
	Direction      string          `json:"direction"`
	ConversationID string          `json:"conversation_id,omitempty"`
	InReplyTo      string          `json:"in_reply_to,omitempty"`
	Author         wireAuthor      `json:"author"`
	Text           string          `json:"text"`
	Lang           string          `json:"lang"`
	CreatedAt      time.Time       `json:"created_at"`
	Labels         []message.Label `json:"labels,omitempty"`
	urgent         bool
}

type wireAuthor struct {
	ID     string `json:"id"`
	Handle string `json:"handle"`
}

// generator makes the mixed traffic of one run; ids are unique per run.
type generator struct {
	run         string
	urgentShare float64
	rng         *rand.Rand
	seq         int
	urgent      int
	recent      []wireMessage // ring of recent inbound messages
	next        int
}

func newGenerator(run string, urgentShare float64) *generator {
	return &generator{run: run, urgentShare: urgentShare, rng: rand.New(rand.NewPCG(1, 2)), recent: make([]wireMessage, 0, recentInbound)}
}

// caseIDOf is the id of the case an urgent message opens.
func caseIDOf(id string) string {
	return cases.CaseIDFor(message.NewID(intakeChannel, id))
}

// next returns the next message of the mix, created at now.
func (g *generator) nextMessage(now time.Time) wireMessage {
	g.seq++
	id := g.run + "-" + strconv.Itoa(g.seq)
	p := g.rng.Float64()
	switch {
	case p < g.urgentShare:
		g.urgent++
		customer := g.run + "-u" + strconv.Itoa(g.urgent)
		return wireMessage{
			ID: id, Direction: string(message.DirectionInbound), ConversationID: "conv-" + customer,
			Author: wireAuthor{ID: customer, Handle: "cliente" + strconv.Itoa(g.urgent)},
			Text:   urgentTextHead + " (enviado " + now.Format(time.RFC3339Nano) + ")", Lang: "es", CreatedAt: now,
			Labels: []message.Label{{Name: "urgent", Score: 0.95, Decision: true}},
			urgent: true,
		}
	case p < g.urgentShare+replyShare && len(g.recent) > 0:
		to := g.recent[g.rng.IntN(len(g.recent))]
		return wireMessage{
			ID: id, Direction: string(message.DirectionOutbound), ConversationID: to.ConversationID,
			InReplyTo: string(message.NewID(intakeChannel, to.ID)),
			Author:    wireAuthor{ID: brandHandle, Handle: brandHandle},
			Text:      "Hola, lo revisamos ahora mismo. ¿Nos pasas el número de pedido por DM?", Lang: "es", CreatedAt: now,
		}
	case p < g.urgentShare+replyShare+followUpShare && len(g.recent) > 0:
		to := g.recent[g.rng.IntN(len(g.recent))]
		m := wireMessage{
			ID: id, Direction: string(message.DirectionInbound), ConversationID: to.ConversationID,
			InReplyTo: string(message.NewID(intakeChannel, to.ID)), Author: to.Author,
			Text: "Sigo esperando, el pedido " + strconv.Itoa(g.seq%100000) + " no llega", Lang: "es", CreatedAt: now,
		}
		g.remember(m)
		return m
	}
	k := g.rng.IntN(customerPool)
	customer := g.run + "-c" + strconv.Itoa(k)
	m := wireMessage{
		ID: id, Direction: string(message.DirectionInbound), ConversationID: "conv-" + customer,
		Author: wireAuthor{ID: customer, Handle: "usuario" + strconv.Itoa(k)},
		Text:   "¿Alguien sabe a qué hora abre la tienda del centro? Pregunta " + strconv.Itoa(g.seq), Lang: "es", CreatedAt: now,
	}
	g.remember(m)
	return m
}

func (g *generator) remember(m wireMessage) {
	if len(g.recent) < cap(g.recent) {
		g.recent = append(g.recent, m)
		return
	}
	g.recent[g.next] = m
	g.next = (g.next + 1) % len(g.recent)
}

// urgentSent is what the driver knows about one urgent message.
type urgentSent struct {
	sent     time.Time // the request started
	accepted time.Time // its 202 arrived: the message is in the stream
	measured bool      // sent during the measurement
}

// driver posts paced traffic to the intake.
type driver struct {
	url     string
	gen     *generator
	senders int
	client  *http.Client

	measuring atomic.Bool
	accepted  atomic.Int64 // messages whose 202 arrived while measuring
	failed    atomic.Int64 // requests refused
	sendLag   atomic.Int64 // sum of ns between generation and request start, while measuring
	requests  atomic.Int64 // requests started while measuring
	measStart time.Time

	mu     sync.Mutex
	urgent map[string]*urgentSent // by case id
}

func newDriver(url string, gen *generator, senders int) *driver {
	tr := &http.Transport{MaxIdleConnsPerHost: senders, MaxConnsPerHost: senders}
	return &driver{url: url, gen: gen, senders: senders, client: &http.Client{Transport: tr, Timeout: time.Minute},
		urgent: map[string]*urgentSent{}}
}

func (d *driver) startMeasuring() {
	d.measStart = time.Now()
	d.measuring.Store(true)
}

// stopMeasuring ends the measurement and returns the messages accepted
// during it.
func (d *driver) stopMeasuring() int64 {
	d.measuring.Store(false)
	return d.accepted.Load()
}

// measuredCases lists the case ids of the urgent messages accepted during
// the measurement.
func (d *driver) measuredCases() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for id, u := range d.urgent {
		if u.measured && !u.accepted.IsZero() {
			out = append(out, id)
		}
	}
	return out
}

func (d *driver) lookup(caseID string) (urgentSent, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u, ok := d.urgent[caseID]
	if !ok {
		return urgentSent{}, false
	}
	return *u, true
}

// batch is one intake request's worth of messages.
type batch struct {
	made time.Time
	msgs []wireMessage
}

// run posts rate messages per second until ctx ends: every tick, the
// messages due by then, in requests of at most maxPerRequest. When every
// sender is busy the ticks wait, and the next one posts what fell behind.
func (d *driver) run(ctx context.Context, rate int, tick time.Duration) error {
	reqs := make(chan batch, d.senders)
	var wg sync.WaitGroup
	for range d.senders {
		wg.Go(func() {
			for b := range reqs {
				d.post(ctx, b)
			}
		})
	}
	defer wg.Wait()
	defer close(reqs)
	t := time.NewTicker(tick)
	defer t.Stop()
	start := time.Now()
	made := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		now := time.Now()
		due := int(float64(rate)*now.Sub(start).Seconds()) - made
		for due > 0 {
			n := min(due, maxPerRequest)
			b := batch{made: now, msgs: make([]wireMessage, n)}
			for i := range b.msgs {
				b.msgs[i] = d.gen.nextMessage(now)
			}
			made += n
			due -= n
			select {
			case reqs <- b:
			case <-ctx.Done():
				return nil
			}
		}
	}
}

// post sends one batch, signed, and records its urgent messages.
func (d *driver) post(ctx context.Context, b batch) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	for i := range b.msgs {
		_ = enc.Encode(&b.msgs[i]) // plain structs: cannot fail
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(body.Bytes()))
	if err != nil {
		d.fail(fmt.Errorf("build request: %w", err))
		return
	}
	req.Header.Set("Content-Type", webhook.ContentTypeNDJSON)
	req.Header.Set(webhook.HeaderTimestamp, ts)
	req.Header.Set(webhook.HeaderSignature, webhook.Sign([]byte(intakeSecret), ts, body.Bytes()))
	measured := d.measuring.Load()
	sent := time.Now()
	if measured {
		d.requests.Add(1)
		d.sendLag.Add(int64(sent.Sub(b.made)))
	}
	var urgent []string
	for i := range b.msgs {
		if b.msgs[i].urgent {
			id := caseIDOf(b.msgs[i].ID)
			urgent = append(urgent, id)
			d.mu.Lock()
			d.urgent[id] = &urgentSent{sent: sent, measured: measured}
			d.mu.Unlock()
		}
	}
	resp, err := d.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			d.fail(fmt.Errorf("post to intake: %w", err))
		}
		return
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	_ = resp.Body.Close()
	accepted := time.Now()
	if resp.StatusCode != http.StatusAccepted {
		d.fail(fmt.Errorf("intake answered %d: %s", resp.StatusCode, bytes.TrimSpace(raw)))
		return
	}
	if d.measuring.Load() {
		d.accepted.Add(int64(len(b.msgs)))
	}
	d.mu.Lock()
	for _, id := range urgent {
		d.urgent[id].accepted = accepted
	}
	d.mu.Unlock()
}

func (d *driver) fail(err error) {
	if d.failed.Add(1) <= 5 {
		log.Printf("intake request failed: %v", err)
	}
}
