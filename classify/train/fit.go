package train

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/vigia-dev/vigia/classify/text"
)

// TuneSeed seeds the split inside the training rows used for tuning.
const TuneSeed = "vigia-tune-1"

// TuneShare is the share of training rows held out for tuning.
const TuneShare = 0.15

// FitConfig sets how Fit trains and tunes a model.
type FitConfig struct {
	// Bits is log2 of the number of hash buckets.
	Bits uint8
	// Lambdas are the L2 penalties tried; the best on the tuning split wins.
	Lambdas []float64
	// MaxIter bounds L-BFGS iterations per fit.
	MaxIter int
	// Workers parallelizes the gradient (results do not depend on it).
	Workers int
	// Balanced weights classes inversely to their frequency.
	Balanced bool
	// IDF penalizes rare buckets less (see text.TrainConfig).
	IDF bool
	// TuneIDF tries the penalty both with and without idf weighting and
	// keeps the better on the tuning split (IDF is then ignored).
	TuneIDF bool
	// TuneThreshold picks the binary decision threshold that maximizes
	// the tuning measure on the tuning split; otherwise it is 0.5.
	TuneThreshold bool
	// TuneBias shifts the intercepts of a multinomial model (the
	// multi-class counterpart of a threshold) to maximize the tuning
	// measure on the tuning split.
	TuneBias bool
	// TuneNB then tries naive-Bayes scaled penalties (see
	// text.TrainConfig.NB; one-vs-rest ratios per class for a multinomial
	// model) at the chosen idf setting and the chosen penalty ×1/3, ×1 and
	// ×3, and keeps them if they do better.
	TuneNB bool
	// SourceFactors are the multipliers tried, one source at a time after
	// the penalty is chosen, on the training weight of every source but
	// the first of a model with several sources. An auxiliary source (see
	// Source.Aux) is left out until then and tried at ×0.5, ×1 and ×2.
	SourceFactors []float64
	// DomainScales are the scales of domain-specific feature copies (see
	// text.TrainConfig.DomainScale) tried, after the naive-Bayes step and
	// at the chosen penalty, on a model with several sources; each source
	// is a domain. They are kept only if they do better.
	DomainScales []float64
	// Folds, when 2 or more, tunes by k-fold cross-validation over all
	// the training rows (folds seeded by TuneSeed): every setting is
	// fitted once per fold on the other folds, and the threshold (or
	// intercept shift) and the tuning measure are taken on the pooled
	// out-of-fold predictions. Otherwise settings are tuned on the single
	// seeded TuneShare split. Cross-validation is steadier (every row
	// counts) and costs about Folds·(1-1/Folds)/(1-TuneShare) times the
	// fits.
	Folds int
	// Trace, when set, receives one line per setting tried with its
	// tuning measure.
	Trace io.Writer
}

// DefaultFitConfig is the configuration `vigia train` uses for task.
func DefaultFitConfig(task text.Task) FitConfig {
	if task == text.TaskSentiment {
		// the three-class models: the penalty grid and pooled corpora of
		// the first version; only the intercepts are tuned on top
		return FitConfig{
			Bits:     18,
			Lambdas:  []float64{1e-4, 3e-4, 1e-3, 3e-3},
			TuneIDF:  true,
			MaxIter:  300,
			Workers:  2,
			Balanced: true,
			TuneBias: true,
			TuneNB:   true,
		}
	}
	return FitConfig{
		Bits:          18,
		Lambdas:       []float64{3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2},
		TuneIDF:       true,
		MaxIter:       300,
		Workers:       2,
		Balanced:      true,
		TuneThreshold: true,
		TuneNB:        true,
		SourceFactors: []float64{0.5, 2},
		DomainScales:  []float64{0.5, 1},
	}
}

// FitReport says what Fit chose.
type FitReport struct {
	// Rows is the number of training rows.
	Rows int
	// Lambda is the chosen L2 penalty.
	Lambda float64
	// IDF says whether idf weighting was chosen.
	IDF bool
	// NB says whether naive-Bayes scaled penalties were chosen.
	NB bool
	// DomainScale is the chosen scale of the domain copies, 0 for none.
	DomainScale float64
	// Threshold is the chosen decision threshold (binary models).
	Threshold float32
	// BiasShift is what was added to each intercept (multinomial models).
	BiasShift []float64
	// SourceFactors maps a source to the chosen multiplier of its weight
	// (only sources whose factor is not 1).
	SourceFactors map[string]float64
	// TuneMacroF1 is the tuning measure of the chosen setting: the mean
	// over sources of the macro-F1 on each source's tuning rows.
	TuneMacroF1 float64
}

// labeled is a row analysed once.
type labeled struct {
	doc   *text.Doc
	label int
	id    string
	src   string
	w     float64
	aux   bool
}

func analyzeRows(rows []Row) []labeled {
	out := make([]labeled, len(rows))
	for i, r := range rows {
		out[i] = labeled{doc: text.Analyze(r.Text), label: r.Label, id: r.ID, src: r.Source, w: r.Weight, aux: r.Aux}
	}
	return out
}

// examples returns the training examples of ls, their weights times the
// factor of their source (a factor of 0 leaves the source out); domain
// numbers the sources (from 1) for domain copies, nil for none.
func examples(ls []labeled, factor map[string]float64, domain map[string]int) []text.Example {
	ex := make([]text.Example, 0, len(ls))
	for _, l := range ls {
		w := l.w
		if w == 0 {
			w = 1
		}
		if f, ok := factor[l.src]; ok {
			if f == 0 {
				continue
			}
			w *= f
		}
		ex = append(ex, text.Example{Doc: l.doc, Label: l.label, Weight: w, Domain: domain[l.src]})
	}
	return ex
}

// minTuneRows is the fewest tuning rows a source needs to count as its
// own term of the tuning measure.
const minTuneRows = 50

// tuneSet is the tuning split grouped by source: the tuning measure is the
// mean of the per-source macro-F1, so one large corpus does not decide the
// settings of a model trained on several.
type tuneSet struct {
	task   text.Task
	rows   []labeled
	groups [][]int // row indices per source, in order of first appearance
}

func newTuneSet(task text.Task, rows []labeled) *tuneSet {
	ts := &tuneSet{task: task, rows: rows}
	idx := map[string]int{}
	var all []int
	for i, l := range rows {
		if l.aux {
			continue
		}
		all = append(all, i)
		g, ok := idx[l.src]
		if !ok {
			g = len(ts.groups)
			idx[l.src] = g
			ts.groups = append(ts.groups, nil)
		}
		ts.groups[g] = append(ts.groups[g], i)
	}
	var keep [][]int
	for _, g := range ts.groups {
		if len(g) >= minTuneRows {
			keep = append(keep, g)
		}
	}
	if len(keep) == 0 {
		keep = [][]int{all}
	}
	ts.groups = keep
	return ts
}

// measure returns the mean over sources of the macro-F1 of pred.
func (ts *tuneSet) measure(pred func(i int) int) float64 {
	var sum float64
	for _, g := range ts.groups {
		c := NewConfusion(Classes(ts.task))
		for _, i := range g {
			c.Add(ts.rows[i].label, pred(i))
		}
		sum += c.MacroF1()
	}
	return sum / float64(len(ts.groups))
}

// logitsInto writes m's logits of the rows idx of ts into logits.
func (ts *tuneSet) logitsInto(m *text.Model, idx []int, logits [][]float64) {
	for _, i := range idx {
		logits[i] = make([]float64, m.Classes)
		m.Logits(ts.rows[i].doc, logits[i])
	}
}

// decide chooses the threshold (binary: k == 1) or intercept shift
// (multinomial) of the logits of ts's rows as cfg asks, and returns the
// tuning measure, the threshold and the shift.
func (ts *tuneSet) decide(logits [][]float64, k int, cfg FitConfig) (float64, float32, []float64) {
	if k == 1 {
		th := float32(0.5)
		if cfg.TuneThreshold {
			th = ts.threshold(logits)
		}
		t := float64(th)
		return ts.measure(func(i int) int { return b2i(sigmoid(logits[i][0]) >= t) }), th, nil
	}
	shift := make([]float64, k)
	if cfg.TuneBias {
		shift = ts.biasShift(logits)
	}
	return ts.measure(func(i int) int { return argmaxShift(logits[i], shift) }), 0.5, shift
}

// threshold returns the threshold in [0.2, 0.8] maximizing the measure.
func (ts *tuneSet) threshold(logits [][]float64) float32 {
	best, bestF := float32(0.5), -1.0
	for t := 20; t <= 80; t += 2 {
		th := float64(t) / 100
		f := ts.measure(func(i int) int { return b2i(sigmoid(logits[i][0]) >= th) })
		// prefer the threshold nearest 0.5 among ties
		if f > bestF+1e-9 || (f > bestF-1e-9 && abs(th-0.5) < abs(float64(best)-0.5)) {
			best, bestF = float32(th), f
		}
	}
	return best
}

// biasShift searches, class by class in two rounds, the shift of each
// intercept but the first in [-1, 1] that maximizes the measure.
func (ts *tuneSet) biasShift(logits [][]float64) []float64 {
	k := len(logits[0])
	shift := make([]float64, k)
	bestF := ts.measure(func(i int) int { return argmaxShift(logits[i], shift) })
	for round := 0; round < 2; round++ {
		for c := 1; c < k; c++ {
			cur := shift[c]
			for s := -10; s <= 10; s++ {
				shift[c] = float64(s) / 10
				f := ts.measure(func(i int) int { return argmaxShift(logits[i], shift) })
				if f > bestF+1e-9 || (f > bestF-1e-9 && abs(shift[c]) < abs(cur)) {
					bestF, cur = f, shift[c]
				}
			}
			shift[c] = cur
		}
	}
	return shift
}

func argmaxShift(z, shift []float64) int {
	best := 0
	for c := 1; c < len(z); c++ {
		if z[c]+shift[c] > z[best]+shift[best] {
			best = c
		}
	}
	return best
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// tuneSplit is one fit of a setting during tuning: the rows it learns
// from and the indices, in the tune set, of the rows it predicts.
type tuneSplit struct {
	fit  []labeled
	held []int
}

// tuneSplits returns the rows the tuning measure is taken on and the fits
// that predict them: the seeded TuneShare split (folds < 2), or every
// row, predicted by the fit on the other folds.
func tuneSplits(task text.Task, all []labeled, folds int) (*tuneSet, []tuneSplit) {
	if folds < 2 {
		var sp tuneSplit
		var tuneRows []labeled
		for _, l := range all {
			if InDev(TuneSeed, l.id, TuneShare) {
				sp.held = append(sp.held, len(tuneRows))
				tuneRows = append(tuneRows, l)
			} else {
				sp.fit = append(sp.fit, l)
			}
		}
		return newTuneSet(task, tuneRows), []tuneSplit{sp}
	}
	splits := make([]tuneSplit, folds)
	for i, l := range all {
		f := Fold(TuneSeed, l.id, folds)
		splits[f].held = append(splits[f].held, i)
		for j := range splits {
			if j != f {
				splits[j].fit = append(splits[j].fit, l)
			}
		}
	}
	return newTuneSet(task, all), splits
}

// Fit tunes the L2 penalty, idf weighting and the weight of secondary
// sources, then the threshold of a binary model or the intercepts of a
// multinomial one, on a seeded split of rows, and trains the final model
// on all of them.
func Fit(ctx context.Context, task text.Task, lang string, rows []Row, cfg FitConfig) (*text.Model, FitReport, error) {
	all := analyzeRows(rows)
	rep := FitReport{Rows: len(rows), Threshold: 0.5}
	tc := text.TrainConfig{Bits: cfg.Bits, Classes: NumClasses(task), MaxIter: cfg.MaxIter, Balanced: cfg.Balanced, Workers: cfg.Workers, IDF: cfg.IDF}
	if len(cfg.Lambdas) == 0 {
		return nil, rep, fmt.Errorf("fit %s_%s: no lambdas", task, lang)
	}
	rep.Lambda, rep.IDF = cfg.Lambdas[0], cfg.IDF
	idfs := []bool{cfg.IDF}
	if cfg.TuneIDF {
		idfs = []bool{false, true}
	}
	var srcs []string
	seen, aux := map[string]bool{}, map[string]bool{}
	for _, l := range all {
		if l.src != "" && !seen[l.src] {
			seen[l.src] = true
			srcs = append(srcs, l.src)
		}
		if l.aux {
			aux[l.src] = true
		}
	}
	domain := map[string]int{}
	for i, s := range srcs {
		domain[s] = i + 1
	}
	// auxiliary sources are left out until the source factors are tuned
	start := map[string]float64{}
	for s := range aux {
		start[s] = 0
	}
	factors := start
	if len(cfg.Lambdas) > 1 || len(idfs) > 1 || cfg.TuneThreshold || cfg.TuneBias || (len(srcs) > 1 && len(cfg.SourceFactors) > 0) {
		ts, splits := tuneSplits(task, all, cfg.Folds)
		best := -1.0
		try := func(lam float64, idf, nb bool, dom float64, fac map[string]float64) error {
			tc.Lambda, tc.IDF, tc.NB, tc.DomainScale = lam, idf, nb, dom
			logits := make([][]float64, len(ts.rows))
			for _, sp := range splits {
				m, err := text.Train(ctx, task, lang, examples(sp.fit, fac, domain), tc)
				if err != nil {
					return fmt.Errorf("fit %s_%s lambda %g: %w", task, lang, lam, err)
				}
				ts.logitsInto(m, sp.held, logits)
			}
			f, th, shift := ts.decide(logits, tc.Classes, cfg)
			if cfg.Trace != nil {
				fmt.Fprintf(cfg.Trace, "%s_%s: try lambda=%.3g idf=%t nb=%t domain_scale=%g source_factors=%s threshold=%.2f bias_shift=%s tune=%.4f\n",
					task, lang, lam, idf, nb, dom, fmtFactors(fac), th, fmtFloats(shift), f)
			}
			if f > best {
				best = f
				rep.Lambda, rep.IDF, rep.NB, rep.DomainScale, rep.Threshold, rep.BiasShift, rep.TuneMacroF1 = lam, idf, nb, dom, th, shift, f
				factors = fac
			}
			return nil
		}
		for _, lam := range cfg.Lambdas {
			for _, idf := range idfs {
				if err := try(lam, idf, false, 0, start); err != nil {
					return nil, rep, err
				}
			}
		}
		if cfg.TuneNB {
			lam0, idf0 := rep.Lambda, rep.IDF
			for _, f := range []float64{1.0 / 3, 1, 3} {
				if err := try(lam0*f, idf0, true, 0, start); err != nil {
					return nil, rep, err
				}
			}
		}
		if len(srcs)-len(aux) > 1 {
			lam0, idf0, nb0 := rep.Lambda, rep.IDF, rep.NB
			for _, a := range cfg.DomainScales {
				if err := try(lam0, idf0, nb0, a, start); err != nil {
					return nil, rep, err
				}
			}
		}
		for _, s := range srcs[min(1, len(srcs)):] {
			base := factors
			fs := cfg.SourceFactors
			if aux[s] {
				fs = []float64{0.5, 1, 2}
			}
			for _, f := range fs {
				fac := map[string]float64{}
				for k, v := range base {
					fac[k] = v
				}
				fac[s] = f
				if err := try(rep.Lambda, rep.IDF, rep.NB, rep.DomainScale, fac); err != nil {
					return nil, rep, err
				}
			}
		}
	}
	rep.SourceFactors = factors
	tc.Lambda, tc.IDF, tc.NB, tc.DomainScale = rep.Lambda, rep.IDF, rep.NB, rep.DomainScale
	m, err := text.Train(ctx, task, lang, examples(all, factors, domain), tc)
	if err != nil {
		return nil, rep, fmt.Errorf("fit %s_%s: %w", task, lang, err)
	}
	m.Threshold = rep.Threshold
	for c := range rep.BiasShift {
		m.Bias[c] += float32(rep.BiasShift[c])
	}
	m.Meta = fmt.Sprintf("rows=%d lambda=%.3g idf=%t nb=%t domain_scale=%g threshold=%.2f bias_shift=%s source_factors=%s bits=%d",
		len(rows), rep.Lambda, rep.IDF, rep.NB, rep.DomainScale, rep.Threshold, fmtFloats(rep.BiasShift), fmtFactors(factors), cfg.Bits)
	return m, rep, nil
}

func fmtFloats(v []float64) string {
	if len(v) == 0 {
		return "-"
	}
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatFloat(x, 'g', 3, 64)
	}
	return strings.Join(parts, ",")
}

func fmtFactors(f map[string]float64) string {
	if len(f) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ":" + strconv.FormatFloat(f[k], 'g', 3, 64)
	}
	return strings.Join(parts, ",")
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func confusionOf(m *text.Model, task text.Task, rows []labeled) *Confusion {
	c := NewConfusion(Classes(task))
	for _, l := range rows {
		c.Add(l.label, m.Class(l.doc))
	}
	return c
}

// Evaluate scores rows with m and returns the confusion matrix.
func Evaluate(m *text.Model, task text.Task, rows []Row) *Confusion {
	return confusionOf(m, task, analyzeRows(rows))
}
