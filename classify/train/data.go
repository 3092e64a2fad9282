package train

import (
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vigia-dev/vigia/classify/text"
)

// Source is one labeled corpus for one task, split into train and dev rows.
type Source struct {
	// Name is the corpus, as in the data directory ("tweeteval/offensive").
	Name string
	// Task is what the labels mean for Vigía.
	Task text.Task
	// Lang is the corpus language.
	Lang string
	// Label describes the label used.
	Label string
	// Split says where the dev rows come from.
	Split string
	// Share is the source's total training weight relative to the other
	// sources of its model; 0 means 1.
	Share float64
	// Aux marks an auxiliary corpus: weaker, indirect labels that only
	// help training. Tuning does not measure on its rows, also tries the
	// model without it, and no evaluation rows are exported for it.
	Aux bool
	// Train and Dev are the rows of each split.
	Train, Dev []Row
}

// SplitSeed seeds the fixed train/dev split of corpora without one.
const SplitSeed = "vigia-split-1"

// DevShare is the share of rows a seeded split puts in dev.
const DevShare = 0.2

// InDev reports whether a row with id falls in the dev side of a seeded
// split with seed and share.
func InDev(seed, id string, share float64) bool { return unitHash(seed, id) < share }

// Fold returns which of k folds a row with id falls in, seeded by seed:
// rows spread evenly over the folds whatever their ids.
func Fold(seed, id string, k int) int { return min(int(unitHash(seed, id)*float64(k)), k-1) }

// unitHash maps seed and id to a number uniform in [0, 1).
func unitHash(seed, id string) float64 {
	h := fnv.New64a()
	_, _ = io.WriteString(h, seed)
	_, _ = io.WriteString(h, "\x00")
	_, _ = io.WriteString(h, id)
	x := h.Sum64()
	x ^= x >> 33 // splitmix64 finalizer: FNV's high bits are weak on short ids
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return float64(x>>11) / float64(1<<53)
}

// SplitRows splits rows by hashing their IDs with seed.
func SplitRows(rows []Row, seed string, share float64) (trainRows, devRows []Row) {
	for _, r := range rows {
		if InDev(seed, r.ID, share) {
			devRows = append(devRows, r)
		} else {
			trainRows = append(trainRows, r)
		}
	}
	return trainRows, devRows
}

// dedupText keeps the first row of each distinct text, so duplicates do not
// leak across a split.
func dedupText(rows []Row) []Row {
	seen := make(map[string]bool, len(rows))
	out := rows[:0:0]
	for _, r := range rows {
		if seen[r.Text] {
			continue
		}
		seen[r.Text] = true
		out = append(out, r)
	}
	return out
}

// table is a CSV file read whole, with columns addressed by name.
type table struct {
	path string
	col  map[string]int
	recs [][]string
	line []int
}

func readTable(path string) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read %s line 1: %w", path, err)
	}
	t := &table{path: path, col: map[string]int{}}
	for i, h := range head {
		t.col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("read %s line %d: %w", path, pe.StartLine, pe.Err)
			}
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		line, _ := cr.FieldPos(0)
		t.recs = append(t.recs, rec)
		t.line = append(t.line, line)
	}
	return t, nil
}

// rows maps every record through fn, which returns ok=false to skip one.
func (t *table) rows(need []string, fn func(get func(string) string) (Row, bool, error)) ([]Row, error) {
	for _, c := range need {
		if _, ok := t.col[c]; !ok {
			return nil, fmt.Errorf("read %s: no column %q: %w", t.path, c, ErrCSV)
		}
	}
	var out []Row
	for i, rec := range t.recs {
		get := func(c string) string { return rec[t.col[c]] }
		r, ok, err := fn(get)
		if err != nil {
			return nil, fmt.Errorf("read %s line %d: %w", t.path, t.line[i], err)
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, nil
}

func readRows(path string, need []string, fn func(get func(string) string) (Row, bool, error)) ([]Row, error) {
	t, err := readTable(path)
	if err != nil {
		return nil, err
	}
	return t.rows(need, fn)
}

func binary(s string) (int, error) {
	switch strings.TrimSpace(s) {
	case "1":
		return 1, nil
	case "0":
		return 0, nil
	}
	return 0, fmt.Errorf("label %q: want 1 or 0", s)
}

func sentimentLabel(s string) (int, error) { return ParseLabel(text.TaskSentiment, s) }

// corpus describes how to read one source from the data directory.
type corpus struct {
	name, label, lang string
	task              text.Task
	share             float64
	aux               bool
	read              func(dir string) (trainRows, devRows []Row, split string, err error)
}

// seeded reads one file and splits it with SplitSeed after removing
// duplicate texts.
func seeded(file, idCol string, need []string, fn func(get func(string) string) (int, bool, error), lang string) func(string) ([]Row, []Row, string, error) {
	return func(dir string) ([]Row, []Row, string, error) {
		rows, err := readRows(filepath.Join(dir, file), append([]string{idCol, "text"}, need...), func(get func(string) string) (Row, bool, error) {
			lab, ok, err := fn(get)
			return Row{ID: get(idCol), Text: get("text"), Label: lab, Lang: lang}, ok, err
		})
		if err != nil {
			return nil, nil, "", err
		}
		tr, dv := SplitRows(dedupText(rows), SplitSeed, DevShare)
		return tr, dv, fmt.Sprintf("seeded %.0f/%.0f split of %s by %s (duplicate texts removed)", 100*(1-DevShare), 100*DevShare, file, idCol), nil
	}
}

// given reads a corpus that ships its own train and dev files.
func given(trainFile, devFile, idCol string, need []string, fn func(get func(string) string) (int, bool, error), lang string) func(string) ([]Row, []Row, string, error) {
	return func(dir string) ([]Row, []Row, string, error) {
		var out [2][]Row
		for i, f := range []string{trainFile, devFile} {
			rows, err := readRows(filepath.Join(dir, f), append([]string{idCol, "text"}, need...), func(get func(string) string) (Row, bool, error) {
				lab, ok, err := fn(get)
				return Row{ID: f + ":" + get(idCol), Text: get("text"), Label: lab, Lang: lang}, ok, err
			})
			if err != nil {
				return nil, nil, "", err
			}
			out[i] = rows
		}
		return out[0], out[1], fmt.Sprintf("train on %s, evaluate on %s", trainFile, devFile), nil
	}
}

func col(c string, parse func(string) (int, error)) func(get func(string) string) (int, bool, error) {
	return func(get func(string) string) (int, bool, error) {
		v, err := parse(get(c))
		return v, err == nil, err
	}
}

// airlineComplaintShare is the weight of the English airline tweets in the
// complaint model, relative to the complaints corpus: they are weak labels
// from one industry, so they help without taking over.
const airlineComplaintShare = 0.5

// umsabComplaintShare is the weight of the Spanish general-domain
// sentiment tweets (negative = complaint) in the Spanish complaint model,
// relative to the Spanish airline tweets (before the tuned factor).
const umsabComplaintShare = 0.5

// corpora lists the shared data sets and what each is used for.
func corpora() []corpus {
	return []corpus{
		{name: "complaints", task: text.TaskComplaint, lang: "en", label: "is_complaint (annotated subset)",
			read: seeded("complaints/complaints.csv", "tweet_id", []string{"is_complaint", "subset"}, func(get func(string) string) (int, bool, error) {
				if get("subset") != "annotated" {
					return 0, false, nil
				}
				v, err := binary(get("is_complaint"))
				return v, err == nil, err
			}, "en")},
		{name: "airline-tweets/en", task: text.TaskComplaint, lang: "en", label: "weak: negativereason given", share: airlineComplaintShare,
			read: seeded("airline-tweets/en_us_airline_labeled_subset.csv", "tweet_id", []string{"airline_sentiment", "negativereason"}, func(get func(string) string) (int, bool, error) {
				v, err := sentimentLabel(get("airline_sentiment"))
				if err != nil {
					return 0, false, err
				}
				switch reason := get("negativereason"); {
				case v != 0:
					return 0, true, nil
				case reason == "" || reason == "Can't Tell":
					return 0, false, nil // negative, but about what is unknown
				}
				return 1, true, nil
			}, "en")},
		{name: "airline-tweets/es", task: text.TaskComplaint, lang: "es", label: "weak: airline_sentiment=negative",
			read: seeded("airline-tweets/es_spanish_airline_labeled.csv", "tweet_id", []string{"airline_sentiment"}, func(get func(string) string) (int, bool, error) {
				v, err := sentimentLabel(get("airline_sentiment"))
				return b2i(v == 0), err == nil, err
			}, "es")},
		{name: "umsab-es-sentiment", task: text.TaskComplaint, lang: "es", label: "weak, auxiliary: label=negative", share: umsabComplaintShare, aux: true,
			read: given("umsab-es-sentiment/train.csv", "umsab-es-sentiment/val.csv", "line_no", []string{"label"}, func(get func(string) string) (int, bool, error) {
				v, err := sentimentLabel(get("label"))
				return b2i(v == 0), err == nil, err
			}, "es")},
		{name: "tweeteval/offensive", task: text.TaskTroll, lang: "en", label: "offensive",
			read: given("tweeteval/offensive/train.csv", "tweeteval/offensive/val.csv", "line_no", []string{"label"}, col("label", binary), "en")},
		{name: "tweeteval/hate", task: text.TaskTroll, lang: "en", label: "hate",
			read: given("tweeteval/hate/train.csv", "tweeteval/hate/val.csv", "line_no", []string{"label"}, col("label", binary), "en")},
		{name: "hateval2019-es", task: text.TaskTroll, lang: "es", label: "AG (aggressive)",
			read: given("hateval2019-es/train.csv", "hateval2019-es/dev.csv", "id", []string{"AG"}, col("AG", binary), "es")},
		{name: "mex-a3t-2019-aggressiveness", task: text.TaskTroll, lang: "es", label: "aggressive",
			read: seeded("mex-a3t-2019-aggressiveness/train.csv", "row_id", []string{"aggressive"}, col("aggressive", binary), "es")},
		{name: "sms-spam", task: text.TaskSpam, lang: "en", label: "spam/ham",
			read: seeded("sms-spam/sms_spam_collection.csv", "line_no", []string{"label"}, col("label", func(s string) (int, error) { return ParseLabel(text.TaskSpam, s) }), "en")},
		{name: "tweeteval/sentiment", task: text.TaskSentiment, lang: "en", label: "negative/neutral/positive",
			read: seeded("tweeteval/sentiment/val.csv", "line_no", []string{"label"}, col("label", sentimentLabel), "en")},
		{name: "airline-tweets/en", task: text.TaskSentiment, lang: "en", label: "airline_sentiment",
			read: seeded("airline-tweets/en_us_airline_labeled_subset.csv", "tweet_id", []string{"airline_sentiment"}, col("airline_sentiment", sentimentLabel), "en")},
		{name: "umsab-es-sentiment", task: text.TaskSentiment, lang: "es", label: "negative/neutral/positive",
			read: given("umsab-es-sentiment/train.csv", "umsab-es-sentiment/val.csv", "line_no", []string{"label"}, col("label", sentimentLabel), "es")},
		{name: "airline-tweets/es", task: text.TaskSentiment, lang: "es", label: "airline_sentiment",
			read: seeded("airline-tweets/es_spanish_airline_labeled.csv", "tweet_id", []string{"airline_sentiment"}, col("airline_sentiment", sentimentLabel), "es")},
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// LoadSources reads every corpus under dir (the shared data directory)
// for the given tasks (all when empty).
func LoadSources(dir string, tasks ...text.Task) ([]Source, error) {
	want := map[text.Task]bool{}
	for _, t := range tasks {
		want[t] = true
	}
	var out []Source
	for _, c := range corpora() {
		if len(want) > 0 && !want[c.task] {
			continue
		}
		tr, dv, split, err := c.read(dir)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", c.name, err)
		}
		out = append(out, Source{Name: c.name, Task: c.task, Lang: c.lang, Label: c.label, Split: split, Share: c.share, Aux: c.aux, Train: tr, Dev: dv})
	}
	return out, nil
}

// ModelKey names the model a source trains: "<task>_<lang>".
func (s Source) ModelKey() string { return string(s.Task) + "_" + s.Lang }

// itoa is strconv.Itoa, kept short for IDs.
func itoa(i int) string { return strconv.Itoa(i) }
