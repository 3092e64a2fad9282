package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/vigia-dev/vigia/classify/feedback"
	"github.com/vigia-dev/vigia/classify/lang"
	"github.com/vigia-dev/vigia/classify/text"
	"github.com/vigia-dev/vigia/classify/train"
)

// cmdTrain builds the text models from the labeled corpora (and, with
// --feedback, agents' corrections stored in ClickHouse).
func cmdTrain(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "train", "vigia train [--data DIR] [--out DIR] [--holdout] [--splits DIR] [--tasks LIST] [--feedback]",
		"Train the text models (complaint, troll, spam, sentiment) reproducibly from labeled CSV files.")
	dataDir := fs.String("data", "../shared/data", "directory holding the labeled corpora (see its README.md)")
	outDir := fs.String("out", "classify/models", "directory the <task>_<lang>.bin model files are written to")
	holdout := fs.Bool("holdout", false, "train on the train splits only and keep the dev splits for evaluation (used by make eval)")
	splits := fs.String("splits", "", "if set, also write the train and dev rows as CSV plus manifest.tsv to this directory")
	tasks := fs.String("tasks", "", "comma-separated tasks to train (default: all)")
	useFeedback := fs.Bool("feedback", false, "also learn from agents' corrections in the ClickHouse labels table")
	addr := fs.String("clickhouse-addr", envOr("VIGIA_CLICKHOUSE_ADDR", "localhost:9000"), "ClickHouse native address for --feedback (env VIGIA_CLICKHOUSE_ADDR)")
	db := fs.String("db", "vigia", "ClickHouse database for --feedback")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	var ts []text.Task
	if *tasks != "" {
		for _, t := range strings.Split(*tasks, ",") {
			task := text.Task(strings.TrimSpace(t))
			if !task.Valid() {
				fmt.Fprintf(e.stderr, "vigia train: --tasks: unknown task %q (want complaint, troll, spam, sentiment)\n", t)
				return errUsage
			}
			ts = append(ts, task)
		}
	}
	srcs, err := train.LoadSources(*dataDir, ts...)
	if err != nil {
		return err
	}
	groups := train.Groups(srcs)
	if *useFeedback {
		cs, err := feedback.Load(ctx, *addr, *db)
		if err != nil {
			return fmt.Errorf("load feedback: %w", err)
		}
		e.logger.Info("feedback loaded", "rows", len(cs), "used", feedback.AddTo(groups, cs))
	}
	return train.Build(ctx, groups, train.BuildOptions{Holdout: *holdout, OutDir: *outDir, SplitsDir: *splits, Log: e.stdout})
}

// cmdEval scores a text model on a labeled CSV file.
func cmdEval(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "eval", "vigia eval --task TASK --data FILE.csv [--lang CODE] [--models DIR]",
		"Evaluate a text model on a CSV file with text and label columns (and optionally lang);\nprints precision, recall, F1 and the confusion matrix, ending with macro_f1=<value>.")
	task := fs.String("task", "", "task: complaint, troll, spam or sentiment (required)")
	data := fs.String("data", "", "CSV file with a header naming text and label columns (required)")
	langFlag := fs.String("lang", "", "language of every row; default: the lang column, else the language detected (en or es) for most rows")
	modelsDir := fs.String("models", "", "directory of <task>_<lang>.bin files; default: the embedded models")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	t := text.Task(*task)
	if !t.Valid() || *data == "" {
		fmt.Fprintln(e.stderr, "vigia eval: --task (complaint, troll, spam, sentiment) and --data are required")
		return errUsage
	}
	ms, err := loadModels(*modelsDir)
	if err != nil {
		return err
	}
	rows, err := train.ReadLabeledFile(*data, t)
	if err != nil {
		return err
	}
	fileLang := *langFlag
	if fileLang == "" {
		if fileLang, err = majorityLang(rows); err != nil {
			return err
		}
	}
	c := train.NewConfusion(train.Classes(t))
	for _, r := range rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		l := r.Lang
		if *langFlag != "" || l == "" {
			l = fileLang
		}
		m, ok := ms.Model(t, l)
		if !ok {
			return fmt.Errorf("no %s model for language %q", t, l)
		}
		c.Add(r.Label, m.Class(text.Analyze(r.Text)))
	}
	return c.Write(e.stdout)
}

// majorityLang returns the language detected (en or es) for most of the
// rows without a lang column value: a labeled file is one corpus in one
// language, and one decision for the file is steadier than one per short
// text. It returns "" when every row has its language.
func majorityLang(rows []train.Row) (string, error) {
	var det *lang.Detector
	counts := map[string]int{}
	for _, r := range rows {
		if r.Lang != "" {
			continue
		}
		if det == nil {
			var err error
			if det, err = lang.New([]string{"en", "es"}, nil, lang.Options{}); err != nil {
				return "", fmt.Errorf("language detector: %w", err)
			}
		}
		counts[det.Detect(r.Text, text.Analyze(r.Text).Tokens()).Lang]++
	}
	if len(counts) == 0 {
		return "", nil
	}
	best := text.FallbackLang
	for _, l := range []string{"en", "es"} {
		if counts[l] > counts[best] {
			best = l
		}
	}
	return best, nil
}

func loadModels(dir string) (*text.Models, error) {
	if dir == "" {
		return text.LoadEmbedded()
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("models directory: %w", err)
	}
	ms, err := text.LoadFS(os.DirFS(dir), ".")
	if err != nil {
		return nil, err
	}
	if len(ms.List()) == 0 {
		return nil, errors.New("no *.bin model files in " + dir)
	}
	return ms, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
