package train_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/classify/text"
	"github.com/vigia-dev/vigia/classify/train"
)

func TestConfusionScores(t *testing.T) {
	// gold 1: 8 rows, 6 predicted 1; gold 0: 12 rows, 3 predicted 1.
	c := train.NewConfusion(train.Classes(text.TaskSpam))
	for i := 0; i < 6; i++ {
		c.Add(1, 1)
	}
	c.Add(1, 0)
	c.Add(1, 0)
	for i := 0; i < 3; i++ {
		c.Add(0, 1)
	}
	for i := 0; i < 9; i++ {
		c.Add(0, 0)
	}
	pos := c.Scores(1)
	require.InDelta(t, 6.0/9, pos.Precision, 1e-12)
	require.InDelta(t, 6.0/8, pos.Recall, 1e-12)
	require.InDelta(t, 2*(6.0/9)*(6.0/8)/((6.0/9)+(6.0/8)), pos.F1, 1e-12)
	neg := c.Scores(0)
	require.InDelta(t, 9.0/11, neg.Precision, 1e-12)
	require.InDelta(t, 9.0/12, neg.Recall, 1e-12)
	require.InDelta(t, (pos.F1+neg.F1)/2, c.MacroF1(), 1e-12)
	require.InDelta(t, 15.0/20, c.Accuracy(), 1e-12)

	var b bytes.Buffer
	require.NoError(t, c.Write(&b))
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Equal(t, "macro_f1=0.7442", lines[len(lines)-1]) // (12/17 + 18/23) / 2
}

func TestConfusionEmptyClass(t *testing.T) {
	c := train.NewConfusion(train.Classes(text.TaskSentiment))
	c.Add(0, 0)
	c.Add(2, 0)
	require.Equal(t, 0.0, c.Scores(1).F1)
	require.InDelta(t, (2.0/3)/3, c.MacroF1(), 1e-12)
}

func TestReadLabeled(t *testing.T) {
	in := "id,label,text,lang\n1,spam,win now,EN\n2,ham,\"see you, later\",\n3,1,x,es\n4,false,y,\n"
	rows, err := train.ReadLabeled(strings.NewReader(in), "t.csv", text.TaskSpam)
	require.NoError(t, err)
	require.Equal(t, []int{1, 0, 1, 0}, []int{rows[0].Label, rows[1].Label, rows[2].Label, rows[3].Label})
	require.Equal(t, "see you, later", rows[1].Text)
	require.Equal(t, "en", rows[0].Lang)

	rows, err = train.ReadLabeled(strings.NewReader("text,label\na,negative\nb,2\nc,Neutral\n"), "s.csv", text.TaskSentiment)
	require.NoError(t, err)
	require.Equal(t, []int{0, 2, 1}, []int{rows[0].Label, rows[1].Label, rows[2].Label})
}

func TestReadLabeledErrors(t *testing.T) {
	tests := []struct {
		name string
		task text.Task
		in   string
		want string
	}{
		{"empty", text.TaskSpam, "", "read f.csv line 1: empty file"},
		{"no label column", text.TaskSpam, "text,y\na,1\n", "read f.csv line 1: header"},
		{"bad label", text.TaskComplaint, "text,label\na,1\nb,maybe\n", "read f.csv line 3: label \"maybe\""},
		{"bad sentiment", text.TaskSentiment, "text,label\na,happy\n", "read f.csv line 2: label \"happy\""},
		{"field count", text.TaskSpam, "text,label\na,1\nb,0,extra\n", "read f.csv line 3: 3 fields"},
		{"bare quote", text.TaskSpam, "text,label\n\"a,1\nb\"x,0\n", "read f.csv line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := train.ReadLabeled(strings.NewReader(tt.in), "f.csv", tt.task)
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestSplitRowsDeterministic(t *testing.T) {
	var rows []train.Row
	for i := 0; i < 1000; i++ {
		rows = append(rows, train.Row{ID: strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strings.Repeat("9", i/26)})
	}
	tr1, dv1 := train.SplitRows(rows, train.SplitSeed, 0.2)
	tr2, dv2 := train.SplitRows(rows, train.SplitSeed, 0.2)
	require.Equal(t, tr1, tr2)
	require.Equal(t, dv1, dv2)
	require.InDelta(t, 200, len(dv1), 40)
}

func TestFitDeterministic(t *testing.T) {
	var rows []train.Row
	for i := 0; i < 40; i++ {
		rows = append(rows,
			train.Row{ID: "p" + string(rune('a'+i%26)) + strings.Repeat("1", i/26), Text: "my order never arrived, still waiting", Label: 1},
			train.Row{ID: "n" + string(rune('a'+i%26)) + strings.Repeat("1", i/26), Text: "thanks for the help, all good", Label: 0})
	}
	cfg := train.DefaultFitConfig(text.TaskComplaint)
	cfg.Bits = 14
	cfg.Lambdas = []float64{1e-3, 1e-2}
	m1, _, err := train.Fit(t.Context(), text.TaskComplaint, "en", rows, cfg)
	require.NoError(t, err)
	m2, _, err := train.Fit(t.Context(), text.TaskComplaint, "en", rows, cfg)
	require.NoError(t, err)
	b1, err := m1.MarshalBinary()
	require.NoError(t, err)
	b2, err := m2.MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, b1, b2)
	require.Equal(t, 1.0, train.Evaluate(m1, text.TaskComplaint, rows).MacroF1())
}

func TestFitSourcesAndBiasDeterministic(t *testing.T) {
	texts := []string{"this is awful, I hate it", "it is a tuesday afternoon", "love it, wonderful service"}
	var rows []train.Row
	for i := 0; i < 150; i++ {
		id := string(rune('a'+i%26)) + strings.Repeat("1", i/26)
		rows = append(rows,
			train.Row{ID: "a" + id, Text: texts[i%3], Label: i % 3, Source: "first"},
			train.Row{ID: "b" + id, Text: texts[(i+1)%3] + " ok", Label: (i + 1) % 3, Source: "second"})
	}
	cfg := train.DefaultFitConfig(text.TaskSentiment)
	cfg.Bits = 14
	cfg.Lambdas = []float64{1e-3, 1e-2}
	m1, rep, err := train.Fit(t.Context(), text.TaskSentiment, "en", rows, cfg)
	require.NoError(t, err)
	m2, _, err := train.Fit(t.Context(), text.TaskSentiment, "en", rows, cfg)
	require.NoError(t, err)
	b1, err := m1.MarshalBinary()
	require.NoError(t, err)
	b2, err := m2.MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, b1, b2)
	require.Len(t, rep.BiasShift, 3)
	require.Equal(t, 1.0, rep.TuneMacroF1)
	require.Equal(t, 1.0, train.Evaluate(m1, text.TaskSentiment, rows).MacroF1())
}

func TestFold(t *testing.T) {
	counts := make([]int, 3)
	for i := 0; i < 3000; i++ {
		id := "row" + strings.Repeat("7", i%5) + string(rune('a'+i%26)) + strings.Repeat("1", i/26)
		f := train.Fold(train.TuneSeed, id, 3)
		require.Equal(t, f, train.Fold(train.TuneSeed, id, 3))
		require.GreaterOrEqual(t, f, 0)
		require.Less(t, f, 3)
		counts[f]++
	}
	for _, c := range counts {
		require.InDelta(t, 1000, c, 100)
	}
}

// twoSources is a binary task in two corpora of the same words, the second
// with a marker word on most of its negatives.
func twoSources() []train.Row {
	pos := []string{"awful service again", "horrible delay today", "terrible support team"}
	neg := []string{"lovely service again", "nice delay notice today", "great support team"}
	var rows []train.Row
	for i := 0; i < 120; i++ {
		id := string(rune('a'+i%26)) + strings.Repeat("1", i/26)
		src, marker := "first", ""
		if i%3 == 1 {
			src = "second"
			if i%2 == 0 {
				marker = "yonder "
			}
		}
		rows = append(rows,
			train.Row{ID: "p" + id, Text: pos[i%3], Label: 1, Source: src},
			train.Row{ID: "n" + id, Text: marker + neg[i%3], Label: 0, Source: src})
	}
	return rows
}

// TestFitTriesSettings checks, from the trace, which settings Fit tries
// and that cross-validated tuning is deterministic and predicts every row.
func TestFitTriesSettings(t *testing.T) {
	for _, folds := range []int{0, 3} {
		t.Run(strconv.Itoa(folds), func(t *testing.T) {
			var trace bytes.Buffer
			cfg := train.DefaultFitConfig(text.TaskTroll)
			cfg.Bits, cfg.Lambdas, cfg.TuneIDF, cfg.TuneNB = 14, []float64{1e-3, 1e-2}, false, false
			cfg.DomainScales, cfg.SourceFactors, cfg.Folds, cfg.Trace = []float64{0.5}, []float64{2}, folds, &trace
			m1, rep, err := train.Fit(t.Context(), text.TaskTroll, "en", twoSources(), cfg)
			require.NoError(t, err)
			lines := strings.Split(strings.TrimSpace(trace.String()), "\n")
			require.Len(t, lines, 4, trace.String()) // two penalties, one copy scale, one factor
			require.Contains(t, lines[2], "domain_scale=0.5 ")
			require.Contains(t, lines[3], "source_factors=second:2 ")
			require.Contains(t, []float64{0, 0.5}, rep.DomainScale)
			require.Equal(t, 1.0, rep.TuneMacroF1)
			cfg.Trace = nil
			m2, _, err := train.Fit(t.Context(), text.TaskTroll, "en", twoSources(), cfg)
			require.NoError(t, err)
			b1, err := m1.MarshalBinary()
			require.NoError(t, err)
			b2, err := m2.MarshalBinary()
			require.NoError(t, err)
			require.Equal(t, b1, b2)
			require.Contains(t, m1.Meta, "domain_scale=")
		})
	}
}

// TestFitAuxiliarySource checks that an auxiliary source is left out while
// the penalty is tuned, then tried at three weights, never measured on,
// and that domain copies are not tried for a single measured source.
func TestFitAuxiliarySource(t *testing.T) {
	rows := twoSources()
	for i := range rows {
		if rows[i].Source == "second" {
			rows[i].Aux = true
			rows[i].Label = 1 - rows[i].Label // measured, this would cost
		}
	}
	var trace bytes.Buffer
	cfg := train.DefaultFitConfig(text.TaskTroll)
	cfg.Bits, cfg.Lambdas, cfg.TuneIDF, cfg.TuneNB = 14, []float64{1e-3}, false, false
	cfg.DomainScales, cfg.Trace = []float64{0.5}, &trace
	_, rep, err := train.Fit(t.Context(), text.TaskTroll, "en", rows, cfg)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(trace.String()), "\n")
	require.Len(t, lines, 4, trace.String())
	require.Contains(t, lines[0], "source_factors=second:0 ")
	for i, f := range []string{"0.5", "1", "2"} {
		require.Contains(t, lines[1+i], "domain_scale=0 source_factors=second:"+f+" ")
	}
	require.Equal(t, 1.0, rep.TuneMacroF1, "the auxiliary rows are not measured")
	require.Equal(t, 0.0, rep.SourceFactors["second"], "kept only if the measure improves")
}
