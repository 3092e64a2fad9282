package ack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/alerts/cases"
	"github.com/vigia-dev/vigia/alerts/notify"
	"github.com/vigia-dev/vigia/alerts/rules"
	"github.com/vigia-dev/vigia/alerts/sla"
	"github.com/vigia-dev/vigia/internal/backoff"
	"github.com/vigia-dev/vigia/internal/message"
)

// Reasons an acknowledgement was skipped: the reason label of
// vigia_ack_skipped_total.
const (
	// ReasonDisabled: no rule turns acknowledgements on for the brand and
	// channel, or its mode is off.
	ReasonDisabled = "disabled"
	// ReasonSpam and ReasonTroll: the message has a yes decision for the
	// spam or troll label. Spammers and trolls get no answer.
	ReasonSpam  = "spam"
	ReasonTroll = "troll"
	// ReasonRateLimited: the brand sent rate_limit acknowledgements in
	// the last minute.
	ReasonRateLimited = "rate_limited"
	// ReasonAlreadyAcked: this opening or reopening was acknowledged (or
	// is being acknowledged) already.
	ReasonAlreadyAcked = "already_acked"
	// ReasonNoSender: nothing can send on the channel for the brand.
	ReasonNoSender = "no_sender"
	// ReasonAnswered: by the time the event was considered, the case no
	// longer waited for this response (a person answered, or it was
	// resolved).
	ReasonAnswered = "answered"
	// ReasonStale: the message is older than max_age (a backfill or a
	// replay).
	ReasonStale = "stale"
	// ReasonInsideHours: the rule is outside_hours and the brand's
	// calendar is open.
	ReasonInsideHours = "inside_hours"
	// ReasonQueueFull: queue_size acknowledgements were waiting to be sent.
	ReasonQueueFull = "queue_full"
)

// SkipReasons lists every skip reason.
func SkipReasons() []string {
	return []string{
		ReasonDisabled, ReasonSpam, ReasonTroll, ReasonRateLimited, ReasonAlreadyAcked, ReasonNoSender,
		ReasonAnswered, ReasonStale, ReasonInsideHours, ReasonQueueFull,
	}
}

// Reason text of the automatic label on a recorded acknowledgement.
const automaticReason = "automatic acknowledgement"

// maxRetryWait bounds how long a worker waits before a retry, whatever the
// platform's Retry-After asks: longer, and the acknowledgement is given up.
const maxRetryWait = 2 * time.Minute

// Sender delivers an acknowledgement to a customer on one channel.
type Sender interface {
	// Send delivers r and returns the platform's id of the sent message,
	// empty when it has none. Errors are *notify.Error when their reason
	// is known; a client_error is not retried.
	Send(ctx context.Context, r Reply) (externalID string, err error)
}

// Reply is one acknowledgement to deliver.
type Reply struct {
	// ID is the id the acknowledgement is recorded under: the same for
	// every retry, so it also serves as an idempotency key.
	ID message.ID
	// CaseID is the case acknowledged.
	CaseID string
	// Brand, Channel, CustomerID and ConversationID say where it goes: on
	// Telegram the conversation id is the private chat's id.
	Brand          string
	Channel        message.Channel
	CustomerID     string
	ConversationID string
	// InReplyTo is the customer message acknowledged.
	InReplyTo message.ID
	// Text is the rendered acknowledgement, plain text.
	Text string
	// Lang is the language of Text.
	Lang string
}

// Publisher records messages; internal/stream.Stream is one.
type Publisher interface {
	Publish(ctx context.Context, msgs ...message.Message) error
}

// Policies finds a case's SLA policy; *rules.Evaluator is one.
type Policies interface {
	Policy(c *cases.CaseState) (rules.Policy, bool)
}

// SenderKey names a brand's channel, where a Sender delivers.
type SenderKey struct {
	Brand   string
	Channel message.Channel
}

// Brand is what acknowledgements need from a brand's configuration.
type Brand struct {
	// Name is the brand's name.
	Name string
	// Languages the brand answers in, first is its default.
	Languages []string
	// Handles are the brand's accounts per channel; the first is the
	// author of the recorded acknowledgement unless the rule names one.
	Handles map[message.Channel][]string
}

// Options configure an [Acknowledger]. Publisher is required.
type Options struct {
	Config Config
	// Brands are the configured brands.
	Brands []Brand
	// Senders deliver per brand and channel; a rule's channel without a
	// sender is skipped (reason no_sender).
	Senders map[SenderKey]Sender
	// Publisher records each sent acknowledgement as a message.
	Publisher Publisher
	// Policies finds SLA policies for reply_by deadline; nil promises
	// the next opening.
	Policies Policies
	// Calendars returns a brand's business calendar; nil (or a nil
	// calendar) counts around the clock in UTC.
	Calendars func(brand string) *sla.Calendar
	// AutomaticLabel names the label that marks the recorded reply as
	// automatic: alerts.cases.automatic_label, "automatic" when empty.
	AutomaticLabel string
	// Backoff spaces retries; the zero value waits 1s doubling to 30s.
	Backoff backoff.Policy
	// Now is the clock; nil means time.Now.
	Now        func() time.Time
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// rule is a Rule compiled for one brand and channel.
type rule struct {
	Rule
	author    string
	templates map[string]*template.Template
	fallback  string
}

// job is an acknowledgement waiting to be sent.
type job struct {
	sender  Sender
	reply   Reply
	record  message.Message
	episode string
}

// Acknowledger decides which case events deserve an automatic
// acknowledgement and sends them in the background. It is safe for
// concurrent use.
type Acknowledger struct {
	cfg       Config
	rules     map[SenderKey]*rule
	senders   map[SenderKey]Sender
	pub       Publisher
	policies  Policies
	calendars func(string) *sla.Calendar
	label     string
	backoff   backoff.Policy
	now       func() time.Time
	logger    *slog.Logger
	metrics   *metrics
	queue     chan job
	dropping  atomic.Bool

	mu      sync.Mutex
	buckets map[string]*bucket
	// episodes are the openings and reopenings acknowledged or in flight,
	// by case id and event seq, with the event's time for pruning.
	episodes map[string]time.Time
	pruneAt  int
}

// New validates opts and returns an Acknowledger. Call Run to send.
func New(opts Options) (*Acknowledger, error) {
	names := make([]string, 0, len(opts.Brands))
	brands := map[string]Brand{}
	for _, b := range opts.Brands {
		names = append(names, b.Name)
		brands[b.Name] = b
	}
	if err := opts.Config.Validate(names); err != nil {
		return nil, fmt.Errorf("acknowledgements config: %w", err)
	}
	if opts.Publisher == nil {
		return nil, errors.New("acknowledgements: publisher: required")
	}
	if opts.Calendars == nil {
		opts.Calendars = func(string) *sla.Calendar { return nil }
	}
	if opts.AutomaticLabel == "" {
		opts.AutomaticLabel = cases.DefaultAutomaticLabel
	}
	if opts.Backoff == (backoff.Policy{}) {
		opts.Backoff = backoff.Policy{Initial: time.Second, Max: 30 * time.Second}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	a := &Acknowledger{
		cfg: opts.Config, rules: map[SenderKey]*rule{}, senders: opts.Senders, pub: opts.Publisher,
		policies: opts.Policies, calendars: opts.Calendars, label: opts.AutomaticLabel, backoff: opts.Backoff,
		now: opts.Now, logger: opts.Logger.With("component", "ack"), metrics: newMetrics(opts.Registerer),
		queue: make(chan job, opts.Config.QueueSize), buckets: map[string]*bucket{}, episodes: map[string]time.Time{},
		pruneAt: 1024,
	}
	for _, r := range opts.Config.Acknowledge {
		for _, ch := range r.Channels {
			cr, err := compile(r, brands[r.Brand], ch)
			if err != nil {
				return nil, fmt.Errorf("acknowledgements for brand %s on %s: %w", r.Brand, ch, err)
			}
			a.rules[SenderKey{r.Brand, ch}] = cr
			a.metrics.initialize(r.Brand, ch)
		}
	}
	return a, nil
}

func compile(r Rule, b Brand, ch message.Channel) (*rule, error) {
	limit := MaxTextRunes
	if ch == message.ChannelX {
		limit = MaxTextRunesX
	}
	cr := &rule{Rule: r, templates: map[string]*template.Template{}}
	for lang, text := range r.templateTexts() {
		t, err := parseTemplate(lang, text, limit)
		if err != nil {
			return nil, fmt.Errorf("templates.%s: %w", lang, err)
		}
		cr.templates[lang] = t
	}
	cr.fallback = r.FallbackLanguage
	for _, l := range b.Languages {
		if _, ok := cr.templates[l]; ok && cr.fallback == "" {
			cr.fallback = l
		}
	}
	if cr.fallback == "" {
		cr.fallback = "en"
	}
	cr.author = strings.TrimPrefix(strings.TrimSpace(r.Author), "@")
	if hs := b.Handles[ch]; cr.author == "" && len(hs) > 0 {
		cr.author = strings.TrimPrefix(strings.TrimSpace(hs[0]), "@")
	}
	if cr.author == "" {
		cr.author = DefaultAuthor
	}
	return cr, nil
}

// Consider is called for every stored case event with the state of its
// case and the message that caused it (nil for actions and idle
// resolutions). For an opening or reopening by a customer that deserves
// one, it queues an acknowledgement and returns at once; the sending is
// done by Run.
func (a *Acknowledger) Consider(_ context.Context, st cases.CaseState, ev cases.Event, m *message.Message) {
	if (ev.Event != cases.EventOpened && ev.Event != cases.EventReopened) || m == nil ||
		m.Direction != message.DirectionInbound {
		return
	}
	j, reason, err := a.decide(&st, &ev, m, a.now())
	if err != nil {
		// Templates render at validation: this is a bug, not a skip.
		a.metrics.failed.WithLabelValues(ev.Brand, string(ev.Channel)).Inc()
		a.logger.Warn("acknowledgement not rendered", "brand", ev.Brand, "case_id", ev.CaseID, "err", err)
		return
	}
	if reason != "" {
		a.metrics.skipped.WithLabelValues(ev.Brand, reason).Inc()
		a.logger.Debug("acknowledgement skipped", "brand", ev.Brand, "case_id", ev.CaseID, "reason", reason)
		return
	}
	select {
	case a.queue <- j:
		a.dropping.Store(false)
	default:
		a.forget(j.episode)
		a.metrics.skipped.WithLabelValues(ev.Brand, ReasonQueueFull).Inc()
		if !a.dropping.Swap(true) {
			a.logger.Warn("acknowledgement queue full: skipping; raise queue_size or workers", "brand", ev.Brand,
				"case_id", ev.CaseID, "queue_size", a.cfg.QueueSize)
		}
	}
}

// decide returns the job for an opening or reopening, or why there is
// none. A job is marked in flight before decide returns.
func (a *Acknowledger) decide(st *cases.CaseState, ev *cases.Event, m *message.Message, now time.Time) (job, string, error) {
	key := SenderKey{ev.Brand, ev.Channel}
	r := a.rules[key]
	if r == nil || r.Mode == ModeOff {
		return job{}, ReasonDisabled, nil
	}
	if yes(m, "spam") {
		return job{}, ReasonSpam, nil
	}
	if yes(m, "troll") {
		return job{}, ReasonTroll, nil
	}
	// A rebuilt case remembers its acknowledgement: one at or after the
	// event belongs to this episode.
	if !st.AcknowledgedAt.IsZero() && !st.AcknowledgedAt.Before(ev.At) {
		return job{}, ReasonAlreadyAcked, nil
	}
	if !st.Open() || st.Waiting == "" || st.WaitingSince.After(ev.At) {
		return job{}, ReasonAnswered, nil
	}
	if now.Sub(m.CreatedAt) > a.cfg.MaxAge {
		return job{}, ReasonStale, nil
	}
	sender := a.senders[key]
	if sender == nil {
		return job{}, ReasonNoSender, nil
	}
	cal := a.calendars(ev.Brand)
	if r.Mode == ModeOutsideHours && (cal == nil || cal.IsOpen(now)) {
		return job{}, ReasonInsideHours, nil
	}
	episode := ev.CaseID + "/" + strconv.FormatUint(uint64(ev.Seq), 10)
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, done := a.episodes[episode]; done {
		return job{}, ReasonAlreadyAcked, nil
	}
	if !a.allow(ev.Brand, now) {
		return job{}, ReasonRateLimited, nil
	}
	text, lang, err := a.text(r, st, m, cal, now)
	if err != nil {
		return job{}, "", err
	}
	a.remember(episode, ev.At, now)
	id := message.NewID(ev.Channel, "ack-"+ev.CaseID+"-"+strconv.FormatUint(uint64(ev.Seq), 10))
	reply := Reply{
		ID: id, CaseID: ev.CaseID, Brand: ev.Brand, Channel: ev.Channel, CustomerID: st.CustomerID,
		ConversationID: m.ConversationID, InReplyTo: m.ID, Text: text, Lang: lang,
	}
	kind := message.KindReply
	if m.Kind == message.KindDM {
		kind = message.KindDM
	}
	record := message.Message{
		ID: id, Brand: ev.Brand, Channel: ev.Channel, Kind: kind, Direction: message.DirectionOutbound,
		ConversationID: m.ConversationID, InReplyTo: m.ID, Author: message.Author{ID: r.author, Handle: r.author},
		Text: text, Lang: lang, CreatedAt: m.CreatedAt,
		Labels: []message.Label{{Name: a.label, Score: 1, Decision: true, Reasons: []string{automaticReason}}},
	}
	return job{sender: sender, reply: reply, record: record, episode: episode}, "", nil
}

// yes reports whether m has a yes decision for the label name.
func yes(m *message.Message, name string) bool {
	l, ok := m.Label(name)
	return ok && l.Decision
}

// text renders the acknowledgement in the customer's language, or the
// rule's fallback.
func (a *Acknowledger) text(r *rule, st *cases.CaseState, m *message.Message, cal *sla.Calendar, now time.Time) (string, string, error) {
	lang := normLang(m.Lang)
	if _, ok := r.templates[lang]; !ok {
		lang = normLang(st.Language)
	}
	if _, ok := r.templates[lang]; !ok {
		lang = r.fallback
	}
	at := a.replyBy(r, st, cal, now)
	d := TemplateData{
		Brand: st.Brand, Customer: strings.TrimPrefix(m.Author.Handle, "@"),
		Soon: !at.After(now.Add(r.SoonWithin)), ReplyBy: FormatReplyBy(at, lang),
	}
	d.Zone, _ = at.Zone()
	text, err := render(r.templates[lang], d)
	return text, lang, err
}

// ReplyBy returns when a person will answer the case: the SLA deadline of
// the response it waits for (reply_by deadline, when a policy has a
// target for it), else the calendar's next opening (now when open). It is
// in the calendar's zone (UTC without a calendar), rounded up to the
// minute.
func (a *Acknowledger) replyBy(r *rule, st *cases.CaseState, cal *sla.Calendar, now time.Time) time.Time {
	var at time.Time
	if r.ReplyBy != ReplyByNextOpen && a.policies != nil {
		if p, ok := a.policies.Policy(st); ok {
			for _, t := range p.Targets {
				if t.Metric == st.Waiting {
					_, at = t.Deadline(cal, st.WaitingSince)
				}
			}
		}
	}
	loc := time.UTC
	if cal != nil {
		loc = cal.Location()
		if at.IsZero() {
			at = cal.NextOpen(now)
		}
	}
	if at.IsZero() || at.Before(now) {
		at = now
	}
	at = at.In(loc)
	if t := at.Truncate(time.Minute); !t.Equal(at) {
		at = t.Add(time.Minute)
	}
	return at
}

// normLang reduces a language tag to its ISO 639-1 part: "es-MX" is es.
func normLang(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	return s
}

// bucket is a brand's token bucket: rate_limit tokens, refilled at
// rate_limit per minute.
type bucket struct {
	tokens float64
	at     time.Time
}

// allow takes a token from the brand's bucket. It must be called with
// a.mu held.
func (a *Acknowledger) allow(brand string, now time.Time) bool {
	limit := float64(a.cfg.RateLimit)
	b := a.buckets[brand]
	if b == nil {
		b = &bucket{tokens: limit, at: now}
		a.buckets[brand] = b
	}
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(limit, b.tokens+d.Minutes()*limit)
		b.at = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// remember marks an episode acknowledged or in flight, forgetting those
// older than max_age (they would be stale anyway) as the map grows. It
// must be called with a.mu held.
func (a *Acknowledger) remember(episode string, at, now time.Time) {
	a.episodes[episode] = at
	if len(a.episodes) < a.pruneAt {
		return
	}
	for k, t := range a.episodes {
		if now.Sub(t) > a.cfg.MaxAge {
			delete(a.episodes, k)
		}
	}
	a.pruneAt = max(1024, 2*len(a.episodes))
}

// forget unmarks an episode that was never queued.
func (a *Acknowledger) forget(episode string) {
	a.mu.Lock()
	delete(a.episodes, episode)
	a.mu.Unlock()
}

// Run sends the queued acknowledgements with the configured workers until
// ctx ends, and returns nil then. Acknowledgements still queued at that
// point are dropped (they are not sent late).
func (a *Acknowledger) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for range a.cfg.Workers {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case j := <-a.queue:
					a.deliver(ctx, j)
				}
			}
		})
	}
	wg.Wait()
	if n := len(a.queue); n > 0 {
		a.logger.Info("acknowledgements not sent at shutdown", "count", n)
	}
	return nil
}

// deliver sends one acknowledgement, then records it.
func (a *Acknowledger) deliver(ctx context.Context, j job) {
	brand, channel := j.reply.Brand, string(j.reply.Channel)
	a.logger.Debug("sending acknowledgement", "brand", brand, "case_id", j.reply.CaseID, "text", j.reply.Text)
	var ext string
	err := a.retry(ctx, func(ctx context.Context) error {
		var err error
		ext, err = j.sender.Send(ctx, j.reply)
		return err
	})
	if err != nil {
		a.metrics.failed.WithLabelValues(brand, channel).Inc()
		if ctx.Err() == nil {
			a.logger.Warn("acknowledgement not sent", "brand", brand, "case_id", j.reply.CaseID, "err", err)
		}
		return
	}
	a.metrics.sent.WithLabelValues(brand, channel).Inc()
	rec := j.record
	now := a.now().UTC()
	if now.After(rec.CreatedAt) {
		rec.CreatedAt = now
	}
	rec.ReceivedAt = now
	rec.Raw, _ = json.Marshal(map[string]string{"automatic": "acknowledgement", "case_id": j.reply.CaseID, "external_id": ext})
	if err := a.retry(ctx, func(ctx context.Context) error { return a.pub.Publish(ctx, rec) }); err != nil {
		a.metrics.unrecorded.WithLabelValues(brand).Inc()
		a.logger.Warn("acknowledgement sent but not recorded", "brand", brand, "case_id", j.reply.CaseID,
			"message_id", string(rec.ID), "err", err)
	}
}

// retry calls fn until it succeeds, fails for a reason not worth
// retrying, or the attempts run out, waiting with backoff (or the
// platform's Retry-After) in between and never past ctx.
func (a *Acknowledger) retry(ctx context.Context, fn func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
		err := fn(actx)
		cancel()
		if err == nil {
			return nil
		}
		reason, after := notify.ReasonOf(err)
		if ctx.Err() != nil || !reason.Retryable() || attempt >= a.cfg.Attempts {
			return fmt.Errorf("attempt %d of %d: %w", attempt, a.cfg.Attempts, err)
		}
		wait := max(a.backoff.Delay(attempt), after)
		if wait > maxRetryWait {
			return fmt.Errorf("attempt %d of %d: asked to wait %s: %w", attempt, a.cfg.Attempts, wait, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("attempt %d of %d: %w", attempt, a.cfg.Attempts, err)
		case <-t.C:
		}
	}
}
