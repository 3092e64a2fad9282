package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vigia-dev/vigia/classify/text"
)

// Group is the training data of one model: every source with the same
// task and language, plus extra rows (agents' feedback).
type Group struct {
	// Task and Lang name the model.
	Task text.Task
	Lang string
	// Sources are the corpora whose train rows the model learns from.
	Sources []Source
	// Extra rows are added to the training rows (e.g. feedback).
	Extra []Row
}

// Key returns "<task>_<lang>".
func (g *Group) Key() string { return string(g.Task) + "_" + g.Lang }

// TrainRows returns the rows the model learns from: the sources' train
// rows, and their dev rows too when withDev is set, then the extra rows.
// Rows are weighted so that every source carries the same total weight
// (times its Share), whatever its size.
func (g *Group) TrainRows(withDev bool) []Row {
	var per [][]Row
	var shares []float64
	total, shareSum := 0, 0.0
	for _, s := range g.Sources {
		sh := s.Share
		if sh == 0 {
			sh = 1
		}
		shares = append(shares, sh)
		shareSum += sh
		rs := append([]Row(nil), s.Train...)
		if withDev {
			rs = append(rs, s.Dev...)
		}
		per = append(per, rs)
		total += len(rs)
	}
	var rows []Row
	for i, rs := range per {
		if len(rs) == 0 {
			continue
		}
		w := float64(total) * shares[i] / (shareSum * float64(len(rs)))
		for _, r := range rs {
			if r.Weight == 0 {
				r.Weight = 1
			}
			r.Weight *= w
			r.Source = g.Sources[i].Name
			r.Aux = g.Sources[i].Aux
			rows = append(rows, r)
		}
	}
	return append(rows, g.Extra...)
}

// Groups gathers sources by model, sorted by key.
func Groups(srcs []Source) []*Group {
	by := map[string]*Group{}
	for _, s := range srcs {
		k := s.ModelKey()
		g := by[k]
		if g == nil {
			g = &Group{Task: s.Task, Lang: s.Lang}
			by[k] = g
		}
		g.Sources = append(g.Sources, s)
	}
	out := make([]*Group, 0, len(by))
	for _, g := range by {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

// BuildOptions control Build.
type BuildOptions struct {
	// Holdout trains on the train rows only, keeping dev rows for
	// evaluation; otherwise the shipped models learn from train and dev.
	Holdout bool
	// OutDir receives one <task>_<lang>.bin per model.
	OutDir string
	// SplitsDir, when set, receives the rows as CSV (text,label,lang):
	// <task>_<lang>.train.csv per model and <task>_<lang>.<source>.dev.csv
	// per source, plus manifest.tsv listing the evaluation rows.
	SplitsDir string
	// Fit overrides DefaultFitConfig when its Bits is non-zero.
	Fit func(task text.Task) FitConfig
	// Log receives one progress line per model; nil discards them.
	Log io.Writer
}

// Build trains and writes a model for every group.
func Build(ctx context.Context, groups []*Group, opt BuildOptions) error {
	if err := os.MkdirAll(opt.OutDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", opt.OutDir, err)
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	if opt.SplitsDir != "" {
		if err := writeSplits(groups, opt.SplitsDir, opt.Holdout); err != nil {
			return err
		}
	}
	for _, g := range groups {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("train %s: %w", g.Key(), err)
		}
		cfg := DefaultFitConfig(g.Task)
		if opt.Fit != nil {
			cfg = opt.Fit(g.Task)
		}
		rows := g.TrainRows(!opt.Holdout)
		m, rep, err := Fit(ctx, g.Task, g.Lang, rows, cfg)
		if err != nil {
			return err
		}
		b, err := m.MarshalBinary()
		if err != nil {
			return err
		}
		p := filepath.Join(opt.OutDir, g.Key()+".bin")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		fmt.Fprintf(opt.Log, "%s: rows=%d lambda=%.3g idf=%t nb=%t domain_scale=%g threshold=%.2f bias_shift=%s source_factors=%s tune_mean_macro_f1=%.4f bytes=%d\n",
			g.Key(), rep.Rows, rep.Lambda, rep.IDF, rep.NB, rep.DomainScale, rep.Threshold, fmtFloats(rep.BiasShift), fmtFactors(rep.SourceFactors), rep.TuneMacroF1, len(b))
	}
	return nil
}

func fileStem(name string) string {
	return strings.NewReplacer("/", "-", " ", "-").Replace(name)
}

func writeSplits(groups []*Group, dir string, holdout bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	var man strings.Builder
	man.WriteString("task\tlang\tdata\tlabel\tsplit\ttrain_file\tdev_file\ttrain_rows\tdev_rows\n")
	for _, g := range groups {
		trainFile := g.Key() + ".train.csv"
		rows := g.TrainRows(!holdout)
		if err := writeCSV(filepath.Join(dir, trainFile), g.Task, rows); err != nil {
			return err
		}
		for _, s := range g.Sources {
			if s.Aux {
				continue
			}
			devFile := g.Key() + "." + fileStem(s.Name) + ".dev.csv"
			if err := writeCSV(filepath.Join(dir, devFile), g.Task, s.Dev); err != nil {
				return err
			}
			fmt.Fprintf(&man, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", g.Task, g.Lang, s.Name, s.Label, s.Split, trainFile, devFile, len(rows), len(s.Dev))
		}
	}
	p := filepath.Join(dir, "manifest.tsv")
	if err := os.WriteFile(p, []byte(man.String()), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

func writeCSV(path string, task text.Task, rows []Row) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	if err := WriteLabeled(f, task, rows); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
