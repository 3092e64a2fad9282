package classify

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/classify/influence"
	"github.com/vigia-dev/vigia/classify/lang"
	"github.com/vigia-dev/vigia/classify/lexicon"
	"github.com/vigia-dev/vigia/classify/reason"
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
	influence  *influence.Scorer
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
	byLang  map[string]*langModels  // the models of each configured language, resolved once
	scorers map[string]*text.Scorer // their interleaved tables, where the models have the shape
	lang    *lang.Detector
	matcher *lexicon.Matcher
	spam    *spam.Detector
	brands  map[string]*brand
	global  *brand
	metrics *metrics
	scratch sync.Pool // of *scratch: per-call buffers, reused
}

// Label indexes, in the order of Labels().
const (
	iComplaint = iota
	iTroll
	iSpam
	iInfluencer
	iUrgent
	numLabels
)

// labelNames is Labels() as an array, for the hot path.
var labelNames = [numLabels]string{LabelComplaint, LabelTroll, LabelSpam, LabelInfluencer, LabelUrgent}

// resultBlock holds a Result's labels and, when there are not more of
// them, its reasons, so that both take one allocation.
type resultBlock struct {
	labels  [numLabels]message.Label
	reasons [8]string // enough for nearly every message
}

// scratch holds the buffers of one Classify call, so that a call allocates
// only what it returns.
type scratch struct {
	words   []string
	hashes  []uint64 // words[i]'s token hash, for the spam fingerprint
	matches []lexicon.Match
	urgent  []lexicon.Match
	reasons reason.List
	split   [numLabels][]string
}

// release clears the references into the message and returns sc to the
// pool.
func (c *Classifier) release(sc *scratch) {
	clear(sc.words)
	clear(sc.matches)
	clear(sc.urgent)
	sc.split = [numLabels][]string{}
	c.scratch.Put(sc)
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
	c := &Classifier{cfg: cfg, logger: logger, models: models, brands: map[string]*brand{}}
	c.scratch.New = func() any {
		return &scratch{words: make([]string, 0, 64), matches: make([]lexicon.Match, 0, 16), urgent: make([]lexicon.Match, 0, 8)}
	}
	common := map[string][]string{}
	var entries []lexicon.Entry
	for i, l := range cfg.Languages {
		lx, ok := lexicons[l]
		if !ok {
			return nil, fmt.Errorf("classify config: languages[%d]: %q: no lexicon classify/lexicon/%s.yaml", i, l, l)
		}
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
	if models != nil {
		c.byLang = make(map[string]*langModels, len(cfg.Languages)+1)
		c.scorers = make(map[string]*text.Scorer, len(cfg.Languages)+1)
		// Languages served by the same models share one table.
		built := map[langModels]*text.Scorer{}
		for _, l := range append([]string{""}, cfg.Languages...) { // "": no language detected
			lm := c.resolveModels(l)
			c.byLang[l] = &lm
			s, ok := built[lm]
			if !ok {
				s = text.NewScorer(lm[:])
				built[lm] = s
			}
			if s != nil {
				c.scorers[l] = s
			}
		}
	}
	c.global = &brand{thresholds: cfg.Thresholds, influence: cfg.Influence.Scorer()}
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
		vip:        map[string]bool{},
		block:      map[string]bool{},
		action:     b.Block.Action,
	}
	infl := c.cfg.Influence
	if len(b.Tiers) > 0 {
		infl.Tiers = b.Tiers
	}
	br.influence = infl.Scorer()
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

// Classify labels m. in carries what the pipeline knows beyond the message.
// Outbound messages (written by the brand) get a language and sentiment but
// no label decisions, and are not remembered by the spam detector.
//
// Every piece of evidence leaves a reason. The reasons are formatted into
// one buffer that is reused across calls; a call allocates the Result's
// labels, one string holding all its reasons and one slice of them, plus
// the top terms of the models whose score leaves a reason. The text.Doc
// and all scratch are pooled and released before returning.
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
	defer doc.Release() // after release(sc): words alias the doc's tokens
	sc := c.scratch.Get().(*scratch)
	defer c.release(sc)
	sc.reasons.Reset()
	// The words (lexicon.Words) and their tokens' hashes, in one pass.
	words, hashes := sc.words[:0], sc.hashes[:0]
	for i, t := range doc.Tokens() {
		if w, ok := lexicon.Word(t); ok {
			words = append(words, w)
			hashes = append(hashes, doc.TokenHash(i))
		}
	}
	sc.words, sc.hashes = words, hashes

	var r Result
	if slices.Contains(c.cfg.Languages, m.Lang) {
		r.Lang = m.Lang // the platform's own detection, when it is one of ours
	} else {
		r.Lang = c.lang.Detect(m.Text, words).Lang
	}
	inbound := m.Direction != message.DirectionOutbound
	handle, blocked := "", false
	if len(br.vip) > 0 || len(br.block) > 0 {
		handle = normHandle(m.Author.Handle)
		blocked = handle != "" && br.block[handle] && inbound
	}
	if blocked {
		c.blockReasons(&sc.reasons, br.action, handle)
	}

	// miss[i] is the probability that none of label i's evidence is right.
	miss := [numLabels]float64{1, 1, 1, 1, 1}
	c.modelEvidence(doc, r.Lang, &miss, &sc.reasons, &r)
	sc.urgent = c.phraseEvidence(br, words, r.Lang, sc, &miss)

	if inbound {
		sc.reasons.SetTag(iSpam)
		miss[iSpam] *= 1 - c.spam.Observe(spam.Signals{
			Author: string(m.Channel) + ":" + m.Author.ID, At: m.CreatedAt, AuthorCreatedAt: m.Author.CreatedAt,
			Followers: m.Author.Followers, Following: m.Author.Following,
			Words: words, WordHashes: sc.hashes, Text: m.Text, HasURL: doc.HasURL,
		}, &sc.reasons)
	}

	sc.reasons.SetTag(iInfluencer)
	if handle != "" && br.vip[handle] {
		sc.reasons.End(appendHandle(append(sc.reasons.Begin(), "VIP "...), handle))
		br.influence.Score(influence.Signals{Followers: m.Author.Followers, Verified: m.Author.Verified, Engagement: in.Engagement}, &sc.reasons)
		miss[iInfluencer] = 0
	} else {
		infl, _ := br.influence.Score(influence.Signals{Followers: m.Author.Followers, Verified: m.Author.Verified, Engagement: in.Engagement}, &sc.reasons)
		miss[iInfluencer] = 1 - infl
	}

	// The labels and (most messages') reasons share one allocation.
	res := new(resultBlock)
	r.Labels = res.labels[:]
	th := [numLabels]float64{br.thresholds.Complaint, br.thresholds.Troll, br.thresholds.Spam, br.thresholds.Influencer, br.thresholds.Urgent}
	for i := range iUrgent {
		score := min(max(1-miss[i], 0), 1)
		r.Labels[i] = message.Label{Name: labelNames[i], Score: score, Decision: inbound && score >= th[i]}
	}
	sc.reasons.SetTag(iUrgent)
	us := c.cfg.Urgent.Score(urgent.Signals{
		Matches:   sc.urgent,
		Complaint: r.Labels[iComplaint].Score, ComplaintDecision: r.Labels[iComplaint].Decision,
		Influencer: r.Labels[iInfluencer].Score, InfluencerDecision: r.Labels[iInfluencer].Decision,
		Unanswered: in.UnansweredInConversation,
	}, &sc.reasons)
	r.Labels[iUrgent] = message.Label{Name: LabelUrgent, Score: us, Decision: inbound && us >= th[iUrgent]}

	if blocked {
		applyBlock(&r, br.action)
	}
	sc.reasons.SplitInto(sc.split[:], res.reasons[:])
	for i := range r.Labels {
		r.Labels[i].Reasons = sc.split[i]
	}
	if c.metrics != nil {
		c.metrics.observe(time.Since(start), r.Labels)
	}
	return r, nil
}

// phraseEvidence matches the global and brand phrases in words, weighs the
// complaint, troll and spam ones into miss with their reasons, and returns
// the urgent ones (lexicon urgent groups and brand.urgent) for package
// urgent, in sc.urgent.
func (c *Classifier) phraseEvidence(br *brand, words []string, lng string, sc *scratch, miss *[numLabels]float64) []lexicon.Match {
	sc.matches = c.matcher.Match(words, lng, sc.matches[:0])
	if br.matcher != nil {
		sc.matches = br.matcher.Match(words, lng, sc.matches)
	}
	urgentMatches := sc.urgent[:0]
	for _, mt := range sc.matches {
		label, what := -1, "phrase "
		switch mt.Group {
		case lexicon.GroupComplaint:
			label = iComplaint
		case lexicon.GroupTroll:
			label = iTroll
		case lexicon.GroupSpamScam, lexicon.GroupSpamPromo:
			label = iSpam
		case brandComplaint:
			label, what = iComplaint, "brand keyword "
		case brandTroll:
			label, what = iTroll, "brand keyword "
		case brandSpam:
			label, what = iSpam, "brand keyword "
		default: // urgent lexicon groups and brand.urgent
			urgentMatches = append(urgentMatches, mt)
			continue
		}
		if mt.Weight <= 0 {
			continue
		}
		miss[label] *= 1 - min(mt.Weight, 1)
		sc.reasons.SetTag(label)
		sc.reasons.End(appendQuote(append(sc.reasons.Begin(), what...), mt.Phrase))
	}
	return urgentMatches
}

// Brand keyword groups, as newBrand names them.
const (
	brandComplaint = "brand." + LabelComplaint
	brandTroll     = "brand." + LabelTroll
	brandSpam      = "brand." + LabelSpam
)

// modelTasks are the text models weighed as evidence, by label index;
// langModels holds them in this order, then the sentiment model.
var modelTasks = [...]text.Task{iComplaint: text.TaskComplaint, iTroll: text.TaskTroll, iSpam: text.TaskSpam}

// langModels are the models serving one language (nil where a task has
// none), with text.Models' fallback to English applied.
type langModels [len(modelTasks) + 1]*text.Model

// iSentimentModel is the sentiment model's index in langModels.
const iSentimentModel = len(modelTasks)

func (c *Classifier) resolveModels(lng string) langModels {
	var lm langModels
	for i, task := range modelTasks {
		lm[i], _ = c.models.Model(task, lng)
	}
	lm[iSentimentModel], _ = c.models.Model(text.TaskSentiment, lng)
	return lm
}

// minModelReason is the model score from which it leaves a reason; weaker
// scores still count as evidence.
const minModelReason = 0.3

// modelMinTop is, per langModels entry, the score from which a model's top
// terms are named: the evidence models' reason bound; never for sentiment.
var modelMinTop = [len(langModels{})]float64{minModelReason, minModelReason, minModelReason, math.Inf(1)}

// modelEvidence adds the text models' scores and sets the sentiment.
func (c *Classifier) modelEvidence(doc *text.Doc, lng string, miss *[numLabels]float64, reasons *reason.List, r *Result) {
	if c.models == nil {
		return
	}
	lm := c.byLang[lng]
	if lm == nil {
		other := c.resolveModels(lng)
		lm = &other
	}
	var preds [len(langModels{})]text.Prediction
	if s := c.scorers[lng]; s != nil {
		s.PredictEach(doc, modelMinTop[:], preds[:])
	} else {
		text.PredictEach(doc, lm[:], modelMinTop[:], preds[:])
	}
	for i := range modelTasks {
		if lm[i] == nil {
			continue
		}
		p := preds[i]
		miss[i] *= 1 - min(max(p.Score, 0), 1)
		if p.Score < minModelReason {
			continue // too weak to be worth a reason
		}
		reasons.SetTag(i)
		b := strconv.AppendFloat(append(reasons.Begin(), "model "...), p.Score, 'f', 2, 64)
		for j, t := range p.Top {
			if j == 0 {
				b = append(b, ": top terms "...)
			} else {
				b = append(b, ", "...)
			}
			b = appendQuote(b, t)
		}
		reasons.End(b)
	}
	if lm[iSentimentModel] != nil {
		r.Sentiment = min(max(preds[iSentimentModel].Score, -1), 1)
	}
}

// blockReasons adds the reason of a blocked author first to the labels the
// block affects: every label when ignored, spam or troll otherwise.
func (c *Classifier) blockReasons(reasons *reason.List, action BlockAction, handle string) {
	add := func(label int, suffix string) {
		reasons.SetTag(label)
		b := appendHandle(append(reasons.Begin(), "author "...), handle)
		reasons.End(append(append(b, " on the brand's block list"...), suffix...))
	}
	switch action {
	case BlockIgnore:
		for i := range numLabels {
			add(i, ": ignored")
		}
	case BlockTroll:
		add(iTroll, "")
	default:
		add(iSpam, "")
	}
}

// appendQuote is strconv.AppendQuote with a fast path for printable ASCII
// without quotes or backslashes, which it appends as is between quotes.
func appendQuote(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return strconv.AppendQuote(b, s)
		}
	}
	return append(append(append(b, '"'), s...), '"')
}

// appendHandle appends handle quoted with its "@", as
// strconv.Quote("@"+handle) would write it.
func appendHandle(b []byte, handle string) []byte {
	start := len(b)
	b = append(strconv.AppendQuote(b, handle), 0)
	copy(b[start+2:], b[start+1:len(b)-1])
	b[start+1] = '@'
	return b
}

// applyBlock marks or ignores a message from a blocked author; the reasons
// come from blockReasons.
func applyBlock(r *Result, action BlockAction) {
	switch action {
	case BlockIgnore:
		r.Ignored = true
		for i := range r.Labels {
			r.Labels[i].Decision = false
		}
	default:
		i := iSpam
		if action == BlockTroll {
			i = iTroll
		}
		r.Labels[i].Score, r.Labels[i].Decision = 1, true
	}
}
