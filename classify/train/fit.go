package train

import (
	"fmt"

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
	// macro-F1 on the tuning split; otherwise it is 0.5.
	TuneThreshold bool
}

// DefaultFitConfig is the configuration `vigia train` uses for task.
func DefaultFitConfig(task text.Task) FitConfig {
	return FitConfig{
		Bits:          18,
		Lambdas:       []float64{1e-4, 3e-4, 1e-3, 3e-3},
		TuneIDF:       true,
		MaxIter:       300,
		Workers:       2,
		Balanced:      true,
		TuneThreshold: task != text.TaskSentiment,
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
	// Threshold is the chosen decision threshold (binary models).
	Threshold float32
	// TuneMacroF1 is the macro-F1 of the chosen setting on the tuning split.
	TuneMacroF1 float64
}

// labeled is a row analysed once.
type labeled struct {
	doc   *text.Doc
	label int
	id    string
	w     float64
}

func analyzeRows(rows []Row) []labeled {
	out := make([]labeled, len(rows))
	for i, r := range rows {
		out[i] = labeled{doc: text.Analyze(r.Text), label: r.Label, id: r.ID, w: r.Weight}
	}
	return out
}

func examples(ls []labeled) []text.Example {
	ex := make([]text.Example, len(ls))
	for i, l := range ls {
		ex[i] = text.Example{Doc: l.doc, Label: l.label, Weight: l.w}
	}
	return ex
}

// Fit tunes the L2 penalty (and the threshold of a binary model) on a
// seeded split of rows, then trains the final model on all of them.
func Fit(task text.Task, lang string, rows []Row, cfg FitConfig) (*text.Model, FitReport, error) {
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
	if len(cfg.Lambdas) > 1 || len(idfs) > 1 || cfg.TuneThreshold {
		var fitRows, tuneRows []labeled
		for _, l := range all {
			if InDev(TuneSeed, l.id, TuneShare) {
				tuneRows = append(tuneRows, l)
			} else {
				fitRows = append(fitRows, l)
			}
		}
		best := -1.0
		for _, lam := range cfg.Lambdas {
			for _, idf := range idfs {
				tc.Lambda, tc.IDF = lam, idf
				m, err := text.Train(task, lang, examples(fitRows), tc)
				if err != nil {
					return nil, rep, fmt.Errorf("fit %s_%s lambda %g: %w", task, lang, lam, err)
				}
				th := float32(0.5)
				if cfg.TuneThreshold && tc.Classes == 1 {
					th = tuneThreshold(m, tuneRows)
				}
				m.Threshold = th
				f1 := confusionOf(m, task, tuneRows).MacroF1()
				if f1 > best {
					best = f1
					rep.Lambda, rep.IDF, rep.Threshold, rep.TuneMacroF1 = lam, idf, th, f1
				}
			}
		}
	}
	tc.Lambda, tc.IDF = rep.Lambda, rep.IDF
	m, err := text.Train(task, lang, examples(all), tc)
	if err != nil {
		return nil, rep, fmt.Errorf("fit %s_%s: %w", task, lang, err)
	}
	m.Threshold = rep.Threshold
	m.Meta = fmt.Sprintf("rows=%d lambda=%g idf=%t threshold=%.2f bits=%d", len(rows), rep.Lambda, rep.IDF, rep.Threshold, cfg.Bits)
	return m, rep, nil
}

// tuneThreshold returns the threshold in [0.2, 0.8] maximizing macro-F1.
func tuneThreshold(m *text.Model, rows []labeled) float32 {
	scores := make([]float64, len(rows))
	for i, l := range rows {
		scores[i] = m.Score(l.doc)
	}
	best, bestF := float32(0.5), -1.0
	for t := 20; t <= 80; t += 2 {
		th := float64(t) / 100
		c := NewConfusion(Classes(text.TaskComplaint))
		for i, l := range rows {
			c.Add(l.label, b2i(scores[i] >= th))
		}
		// prefer the threshold nearest 0.5 among ties
		if f := c.MacroF1(); f > bestF+1e-9 || (f > bestF-1e-9 && abs(th-0.5) < abs(float64(best)-0.5)) {
			best, bestF = float32(th), f
		}
	}
	return best
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
