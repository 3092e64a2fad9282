package classify

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/classify/influence"
	"github.com/vigia-dev/vigia/classify/lang"
	"github.com/vigia-dev/vigia/classify/lexicon"
	"github.com/vigia-dev/vigia/classify/spam"
	"github.com/vigia-dev/vigia/classify/text"
	"github.com/vigia-dev/vigia/classify/urgent"
	"github.com/vigia-dev/vigia/internal/message"
)

// Input is what the pipeline knows of a message beyond the message itself.
type Input struct {
	// UnansweredInConversation is how many messages this customer has
	// written in the open conversation without an answer from the brand,
	// this one included.
	UnansweredInConversation int `json:"unanswered_in_conversation,omitempty"`
	// Engagement is the number of interactions (likes, reposts, replies) on
	// the post when the source reports it; 0 when unknown.
	Engagement int64 `json:"engagement,omitempty"`
}

// Result is the classification of one message.
type Result struct {
	// Lang is the ISO 639-1 code, "" when the text has no evidence.
	Lang string `json:"lang"`
	// Sentiment is P(positive) - P(negative), in [-1,1].
	Sentiment float64 `json:"sentiment"`
	// Labels holds one label per name in Labels(), in that order.
	Labels []message.Label `json:"labels"`
	// Ignored is true when the author is on the brand's block list with
	// action ignore: downstream stages should drop the message.
	Ignored bool `json:"ignored,omitempty"`
}

// Label returns the label named name and whether it is present.
func (r Result) Label(name string) (message.Label, bool) {
	for _, l := range r.Labels {
		if l.Name == name {
			return l, true
		}
	}
	return message.Label{}, false
}

// Apply writes r into m: the language (when detected), the sentiment and
// the labels, replacing labels of the same names.
func Apply(m *message.Message, r Result) {
	if r.Lang != "" {
		m.Lang = r.Lang
	}
	m.Sentiment = r.Sentiment
	m.Labels = slices.DeleteFunc(m.Labels, func(l message.Label) bool { _, ok := r.Label(l.Name); return ok })
	m.Labels = append(m.Labels, r.Labels...)
}

// Option configures a Classifier.
type Option func(*options)

type options struct {
	reg prometheus.Registerer
}

// WithRegisterer registers the classifier's metrics with reg.
func WithRegisterer(reg prometheus.Registerer) Option { return func(o *options) { o.reg = reg } }

type brand struct {
	thresholds Thresholds
	influence  influence.Config
	matcher    *lexicon.Matcher // nil without keywords
	vip        map[string]bool
	block      map[string]bool
	action     BlockAction
}

// Classifier labels messages. It is safe for concurrent use; the only
// mutable state is the spam detector's bounded memory of recent messages.
type Classifier struct {
	cfg     Config
	logger  *slog.Logger
	models  *text.Models
	lang    *lang.Detector
	langs   map[string]bool
	matcher *lexicon.Matcher
	spam    *spam.Detector
	brands  map[string]*brand
	global  *brand
	metrics *metrics
}

// New builds a classifier. models may be nil (lexicons and signals only);
// cfg must be valid and every configured language needs a lexicon.
func New(cfg Config, models *text.Models, logger *slog.Logger, opts ...Option) (*Classifier, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("classify config: %w", err)
	}
	lexicons, err := lexicon.Embedded()
	if err != nil {
		return nil, fmt.Errorf("load lexicons: %w", err)
	}
	c := &Classifier{cfg: cfg, logger: logger, models: models, langs: map[string]bool{}, brands: map[string]*brand{}}
	common := map[string][]string{}
	var entries []lexicon.Entry
	for i, l := range cfg.Languages {
		lx, ok := lexicons[l]
		if !ok {
			return nil, fmt.Errorf("classify config: languages[%d]: %q: no lexicon classify/lexicon/%s.yaml", i, l, l)
		}
		c.langs[l] = true
		for _, w := range lx.CommonWords {
			common[l] = append(common[l], normWords(w)...)
		}
		for _, g := range lexicon.Groups() {
			for _, p := range lx.Phrases[g] {
				entries = append(entries, lexicon.Entry{Group: g, Lang: l, Phrase: p, Weight: c.phraseWeight(g)})
			}
		}
	}
	c.matcher = lexicon.NewMatcher(entries, normWords)
	if c.lang, err = lang.New(cfg.Languages, common, lang.Options{Accuracy: cfg.LangAccuracy}); err != nil {
		return nil, err
	}
	if c.spam, err = spam.New(cfg.Spam); err != nil {
		return nil, err
	}
	c.global = &brand{thresholds: cfg.Thresholds, influence: cfg.Influence}
	for _, b := range cfg.Brands {
		c.brands[b.Name] = c.newBrand(b)
	}
	if o.reg != nil {
		c.metrics = newMetrics(o.reg)
	}
	return c, nil
}

func (c *Classifier) newBrand(b BrandConfig) *brand {
	br := &brand{
		thresholds: c.cfg.Thresholds.over(b.Thresholds),
		influence:  c.cfg.Influence,
		vip:        map[string]bool{},
		block:      map[string]bool{},
		action:     b.Block.Action,
	}
	if len(b.Tiers) > 0 {
		br.influence.Tiers = b.Tiers
	}
	if br.action == "" {
		br.action = BlockSpam
	}
	for _, h := range b.VIP {
		br.vip[normHandle(h)] = true
	}
	for _, h := range b.Block.Handles {
		br.block[normHandle(h)] = true
	}
	var entries []lexicon.Entry
	for _, k := range b.Keywords {
		w := k.Weight
		if w == 0 {
			w = DefaultKeywordWeight
		}
		for _, p := range k.Phrases {
			entries = append(entries, lexicon.Entry{Group: "brand." + k.Label, Lang: k.Lang, Phrase: p, Weight: w})
		}
	}
	if len(entries) > 0 {
		br.matcher = lexicon.NewMatcher(entries, normWords)
	}
	return br
}

func (c *Classifier) phraseWeight(group string) float64 {
	switch group {
	case lexicon.GroupComplaint:
		return c.cfg.PhraseWeights.Complaint
	case lexicon.GroupTroll:
		return c.cfg.PhraseWeights.Troll
	case lexicon.GroupSpamScam:
		return c.cfg.PhraseWeights.SpamScam
	case lexicon.GroupSpamPromo:
		return c.cfg.PhraseWeights.SpamPromo
	}
	return 0 // urgent groups are weighed by package urgent
}

// normWords normalizes a lexicon word or phrase like message text.
func normWords(s string) []string { return lexicon.Words(text.Analyze(s).Tokens(), nil) }

// evidence accumulates noisy-OR evidence and reasons for one label.
type evidence struct {
	miss    float64
	reasons []string
}

func (e *evidence) add(w float64, reason string) {
	if w <= 0 {
		return
	}
	e.miss *= 1 - min(w, 1)
	e.reasons = append(e.reasons, reason)
}

func (e *evidence) score() float64 { return min(max(1-e.miss, 0), 1) }

// Classify labels m. in carries what the pipeline knows beyond the message.
// Outbound messages (written by the brand) get a language and sentiment but
// no label decisions, and are not remembered by the spam detector.
func (c *Classifier) Classify(ctx context.Context, m message.Message, in Input) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("classify message %s: %w", m.ID, err)
	}
	var start time.Time
	if c.metrics != nil {
		start = time.Now()
	}
	br := c.brands[m.Brand]
	if br == nil {
		br = c.global
	}
	doc := text.Analyze(m.Text)
	words := lexicon.Words(doc.Tokens(), make([]string, 0, len(doc.Tokens())))

	var r Result
	if c.langs[m.Lang] {
		r.Lang = m.Lang // the platform's own detection, when it is one of ours
	} else {
		r.Lang = c.lang.Detect(m.Text, words).Lang
	}
	var ev [5]evidence // indexed like Labels()
	for i := range ev {
		ev[i].miss = 1
	}
	c.modelEvidence(doc, r.Lang, &ev, &r)

	var matchBuf [16]lexicon.Match
	matches := c.matcher.Match(words, r.Lang, matchBuf[:0])
	if br.matcher != nil {
		matches = br.matcher.Match(words, r.Lang, matches)
	}
	var urgentMatches []lexicon.Match
	for _, mt := range matches {
		switch mt.Group {
		case lexicon.GroupComplaint:
			ev[0].add(mt.Weight, "phrase "+strconv.Quote(mt.Phrase))
		case lexicon.GroupTroll:
			ev[1].add(mt.Weight, "phrase "+strconv.Quote(mt.Phrase))
		case lexicon.GroupSpamScam, lexicon.GroupSpamPromo:
			ev[2].add(mt.Weight, "phrase "+strconv.Quote(mt.Phrase))
		case "brand." + LabelComplaint:
			ev[0].add(mt.Weight, "brand keyword "+strconv.Quote(mt.Phrase))
		case "brand." + LabelTroll:
			ev[1].add(mt.Weight, "brand keyword "+strconv.Quote(mt.Phrase))
		case "brand." + LabelSpam:
			ev[2].add(mt.Weight, "brand keyword "+strconv.Quote(mt.Phrase))
		default: // urgent lexicon groups and brand.urgent
			urgentMatches = append(urgentMatches, mt)
		}
	}

	inbound := m.Direction != message.DirectionOutbound
	if inbound {
		score, reasons := c.spam.Observe(spam.Signals{
			Author: string(m.Channel) + ":" + m.Author.ID, At: m.CreatedAt, AuthorCreatedAt: m.Author.CreatedAt,
			Followers: m.Author.Followers, Following: m.Author.Following,
			Words: words, Text: m.Text, HasURL: doc.HasURL,
		})
		if score > 0 {
			ev[2].miss *= 1 - score
			ev[2].reasons = append(ev[2].reasons, reasons...)
		}
	}

	handle := normHandle(m.Author.Handle)
	infl, _, inflReasons := br.influence.Score(influence.Signals{Followers: m.Author.Followers, Verified: m.Author.Verified, Engagement: in.Engagement})
	if handle != "" && br.vip[handle] {
		infl = 1
		inflReasons = append([]string{"VIP " + strconv.Quote("@"+handle)}, inflReasons...)
	}
	ev[3] = evidence{miss: 1 - infl, reasons: inflReasons}

	r.Labels = make([]message.Label, 0, len(Labels()))
	for i, name := range Labels()[:4] {
		th := br.thresholds.get(name)
		r.Labels = append(r.Labels, message.Label{Name: name, Score: ev[i].score(), Decision: inbound && ev[i].score() >= th, Reasons: ev[i].reasons})
	}
	us, ur := c.cfg.Urgent.Score(urgent.Signals{
		Matches:   urgentMatches,
		Complaint: r.Labels[0].Score, ComplaintDecision: r.Labels[0].Decision,
		Influencer: r.Labels[3].Score, InfluencerDecision: r.Labels[3].Decision,
		Unanswered: in.UnansweredInConversation,
	})
	r.Labels = append(r.Labels, message.Label{Name: LabelUrgent, Score: us, Decision: inbound && us >= br.thresholds.Urgent, Reasons: ur})

	if handle != "" && br.block[handle] && inbound {
		c.applyBlock(&r, br.action, handle)
	}
	if c.metrics != nil {
		c.metrics.duration.Observe(time.Since(start).Seconds())
		for _, l := range r.Labels {
			if l.Decision {
				c.metrics.labels.WithLabelValues(l.Name).Inc()
			}
		}
	}
	return r, nil
}

// modelEvidence adds the text models' scores and sets the sentiment.
func (c *Classifier) modelEvidence(doc *text.Doc, lng string, ev *[5]evidence, r *Result) {
	if c.models == nil {
		return
	}
	for i, task := range []text.Task{text.TaskComplaint, text.TaskTroll, text.TaskSpam} {
		p, ok := c.models.Predict(doc, task, lng)
		if !ok {
			continue
		}
		ev[i].miss *= 1 - min(max(p.Score, 0), 1)
		if p.Score < 0.3 {
			continue // too weak to be worth a reason
		}
		reason := fmt.Sprintf("model %.2f", p.Score)
		if len(p.Top) > 0 {
			q := make([]string, len(p.Top))
			for j, t := range p.Top {
				q[j] = strconv.Quote(t)
			}
			reason += ": top terms " + strings.Join(q, ", ")
		}
		ev[i].reasons = append(ev[i].reasons, reason)
	}
	if p, ok := c.models.Predict(doc, text.TaskSentiment, lng); ok {
		r.Sentiment = min(max(p.Score, -1), 1)
	}
}

// applyBlock marks or ignores a message from a blocked author.
func (c *Classifier) applyBlock(r *Result, action BlockAction, handle string) {
	reason := "author " + strconv.Quote("@"+handle) + " on the brand's block list"
	switch action {
	case BlockIgnore:
		r.Ignored = true
		for i := range r.Labels {
			r.Labels[i].Decision = false
			r.Labels[i].Reasons = append([]string{reason + ": ignored"}, r.Labels[i].Reasons...)
		}
	default:
		name := LabelSpam
		if action == BlockTroll {
			name = LabelTroll
		}
		for i := range r.Labels {
			if r.Labels[i].Name == name {
				r.Labels[i].Score, r.Labels[i].Decision = 1, true
				r.Labels[i].Reasons = append([]string{reason}, r.Labels[i].Reasons...)
			}
		}
	}
}
