package train

import (
	"context"
	"fmt"
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
	// the first of a model with several sources.
	SourceFactors []float64
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
}

func analyzeRows(rows []Row) []labeled {
	out := make([]labeled, len(rows))
	for i, r := range rows {
		out[i] = labeled{doc: text.Analyze(r.Text), label: r.Label, id: r.ID, src: r.Source, w: r.Weight}
	}
	return out
}

func examples(ls []labeled, factor map[string]float64) []text.Example {
	ex := make([]text.Example, len(ls))
	for i, l := range ls {
		w := l.w
		if w == 0 {
			w = 1
		}
		if f, ok := factor[l.src]; ok {
			w *= f
		}
		ex[i] = text.Example{Doc: l.doc, Label: l.label, Weight: w}
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

// decide sets m's threshold (binary) or intercept shift (multinomial)
// as cfg asks, and returns the tuning measure and the shift.
func (ts *tuneSet) decide(m *text.Model, cfg FitConfig) (float64, []float64) {
	k := m.Classes
	logits := make([][]float64, len(ts.rows))
	for i, l := range ts.rows {
		logits[i] = make([]float64, k)
		m.Logits(l.doc, logits[i])
	}
	if k == 1 {
		m.Threshold = 0.5
		if cfg.TuneThreshold {
			m.Threshold = ts.threshold(logits)
		}
		th := float64(m.Threshold)
		return ts.measure(func(i int) int { return b2i(sigmoid(logits[i][0]) >= th) }), nil
	}
	shift := make([]float64, k)
	if cfg.TuneBias {
		shift = ts.biasShift(logits)
		for c := range m.Bias {
			m.Bias[c] += float32(shift[c])
		}
	}
	return ts.measure(func(i int) int { return argmaxShift(logits[i], shift) }), shift
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
	seen := map[string]bool{}
	for _, l := range all {
		if l.src != "" && !seen[l.src] {
			seen[l.src] = true
			srcs = append(srcs, l.src)
		}
	}
	factors := map[string]float64{}
	if len(cfg.Lambdas) > 1 || len(idfs) > 1 || cfg.TuneThreshold || cfg.TuneBias || (len(srcs) > 1 && len(cfg.SourceFactors) > 0) {
		var fitRows, tuneRows []labeled
		for _, l := range all {
			if InDev(TuneSeed, l.id, TuneShare) {
				tuneRows = append(tuneRows, l)
			} else {
				fitRows = append(fitRows, l)
			}
		}
		ts := newTuneSet(task, tuneRows)
		best := -1.0
		try := func(lam float64, idf, nb bool, fac map[string]float64) error {
			tc.Lambda, tc.IDF, tc.NB = lam, idf, nb
			m, err := text.Train(ctx, task, lang, examples(fitRows, fac), tc)
			if err != nil {
				return fmt.Errorf("fit %s_%s lambda %g: %w", task, lang, lam, err)
			}
			f, shift := ts.decide(m, cfg)
			if f > best {
				best = f
				rep.Lambda, rep.IDF, rep.NB, rep.Threshold, rep.BiasShift, rep.TuneMacroF1 = lam, idf, nb, m.Threshold, shift, f
				factors = fac
			}
			return nil
		}
		for _, lam := range cfg.Lambdas {
			for _, idf := range idfs {
				if err := try(lam, idf, false, nil); err != nil {
					return nil, rep, err
				}
			}
		}
		if cfg.TuneNB {
			lam0, idf0 := rep.Lambda, rep.IDF
			for _, f := range []float64{1.0 / 3, 1, 3} {
				if err := try(lam0*f, idf0, true, nil); err != nil {
					return nil, rep, err
				}
			}
		}
		for _, s := range srcs[min(1, len(srcs)):] {
			base := factors
			for _, f := range cfg.SourceFactors {
				fac := map[string]float64{}
				for k, v := range base {
					fac[k] = v
				}
				fac[s] = f
				if err := try(rep.Lambda, rep.IDF, rep.NB, fac); err != nil {
					return nil, rep, err
				}
			}
		}
	}
	rep.SourceFactors = factors
	tc.Lambda, tc.IDF, tc.NB = rep.Lambda, rep.IDF, rep.NB
	m, err := text.Train(ctx, task, lang, examples(all, factors), tc)
	if err != nil {
		return nil, rep, fmt.Errorf("fit %s_%s: %w", task, lang, err)
	}
	m.Threshold = rep.Threshold
	for c := range rep.BiasShift {
		m.Bias[c] += float32(rep.BiasShift[c])
	}
	m.Meta = fmt.Sprintf("rows=%d lambda=%.3g idf=%t nb=%t threshold=%.2f bias_shift=%s source_factors=%s bits=%d",
		len(rows), rep.Lambda, rep.IDF, rep.NB, rep.Threshold, fmtFloats(rep.BiasShift), fmtFactors(factors), cfg.Bits)
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
