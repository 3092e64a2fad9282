package text_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/classify/text"
)

// synthetic is a small hand-written task: complaints about a delivery
// service against thanks and neutral questions.
func synthetic() []text.Example {
	pos := []string{"my order never arrived", "still waiting for my refund", "the app is not working again",
		"worst service ever, nobody answers", "package arrived broken", "charged twice and no reply",
		"no funciona la app", "mi pedido nunca llegó", "me cobraron dos veces", "pésimo servicio"}
	neg := []string{"thanks for the quick help", "love the new update", "what time do you open",
		"great service today", "gracias por la ayuda", "me encanta la nueva versión", "a qué hora abren",
		"excelente atención", "happy with my order", "how do I change my address"}
	var ex []text.Example
	for r := 0; r < 3; r++ {
		for i := range pos {
			ex = append(ex, text.Example{Doc: text.Analyze(fmt.Sprintf("%s %d", pos[i], r)), Label: 1})
			ex = append(ex, text.Example{Doc: text.Analyze(fmt.Sprintf("%s %d", neg[i], r)), Label: 0})
		}
	}
	return ex
}

func trainSynth(tb testing.TB, task text.Task, lang string) *text.Model {
	tb.Helper()
	ex := synthetic()
	classes := 1
	if task == text.TaskSentiment {
		classes = 3
		for i := range ex { // complaints are negative (0), the rest positive (2)
			ex[i].Label = 2 - 2*ex[i].Label
		}
	}
	m, err := text.Train(tb.Context(), task, lang, ex, text.TrainConfig{Bits: 16, Classes: classes, Lambda: 1e-3, Balanced: true})
	require.NoError(tb, err)
	return m
}

func synthModels(tb testing.TB) *text.Models {
	return text.NewModels(trainSynth(tb, text.TaskComplaint, "en"), trainSynth(tb, text.TaskSentiment, "en"))
}

func TestTrainDeterministic(t *testing.T) {
	a, err := trainSynth(t, text.TaskComplaint, "en").MarshalBinary()
	require.NoError(t, err)
	b, err := trainSynth(t, text.TaskComplaint, "en").MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, a, b)
}

func TestTrainLearnsSyntheticTask(t *testing.T) {
	ms := synthModels(t)
	tests := []struct {
		text      string
		complaint bool
	}{
		{"my refund never arrived", true},
		{"la app no funciona", true},
		{"thanks, great help", false},
		{"gracias por la atención", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			p, ok := ms.Predict(text.Analyze(tt.text), text.TaskComplaint, "en")
			require.True(t, ok)
			require.Equal(t, tt.complaint, p.Score >= 0.5, "got score %v", p.Score)
			if tt.complaint {
				require.NotEmpty(t, p.Top)
			}
			s, ok := ms.Predict(text.Analyze(tt.text), text.TaskSentiment, "en")
			require.True(t, ok)
			require.Equal(t, tt.complaint, s.Score < 0, "got sentiment %v", s.Score)
		})
	}
}

func TestPredictFallbackAndMissing(t *testing.T) {
	ms := synthModels(t)
	d := text.Analyze("my order never arrived")
	_, ok := ms.Predict(d, text.TaskComplaint, "pt")
	require.True(t, ok, "falls back to the English model")
	_, ok = ms.Predict(d, text.TaskSpam, "en")
	require.False(t, ok)
}

func TestModelRoundTrip(t *testing.T) {
	for _, task := range []text.Task{text.TaskComplaint, text.TaskSentiment} {
		t.Run(string(task), func(t *testing.T) {
			m := trainSynth(t, task, "es")
			m.Threshold = 0.42
			m.Meta = "rows=60"
			b, err := m.MarshalBinary()
			require.NoError(t, err)
			got, err := text.Unmarshal(b)
			require.NoError(t, err)
			require.Equal(t, m.Key(), got.Key())
			require.Equal(t, m.Threshold, got.Threshold)
			require.Equal(t, m.Meta, got.Meta)
			require.Equal(t, m.Bias, got.Bias)
			for _, s := range []string{"my order never arrived", "gracias", ""} {
				d := text.Analyze(s)
				require.InDelta(t, m.Score(d), got.Score(d), 1e-3)
			}
			b2, err := got.MarshalBinary()
			require.NoError(t, err)
			require.Equal(t, b, b2)
		})
	}
}

func TestUnmarshalErrors(t *testing.T) {
	good, err := trainSynth(t, text.TaskComplaint, "en").MarshalBinary()
	require.NoError(t, err)
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"magic", append([]byte("XXXX"), good[4:]...)},
		{"truncated", good[:len(good)/2]},
		{"trailing", append(append([]byte{}, good...), 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := text.Unmarshal(tt.data)
			require.ErrorIs(t, err, text.ErrFormat)
		})
	}
}

func TestTrainErrors(t *testing.T) {
	_, err := text.Train(t.Context(), text.TaskSpam, "en", nil, text.TrainConfig{Bits: 16, Classes: 1})
	require.ErrorIs(t, err, text.ErrNoData)
	_, err = text.Train(t.Context(), text.TaskSpam, "en", []text.Example{{Doc: text.Analyze("x"), Label: 3}}, text.TrainConfig{Bits: 16, Classes: 1})
	require.Error(t, err)
}

func TestLoadEmbedded(t *testing.T) {
	ms, err := text.LoadEmbedded()
	require.NoError(t, err)
	for _, m := range ms.List() {
		require.Len(t, m.Q, m.Classes<<m.Bits, m.Key())
	}
}

func TestTrainStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := text.Train(ctx, text.TaskSpam, "en", synthetic(), text.TrainConfig{Bits: 16, Classes: 1, Lambda: 1e-3})
	require.ErrorIs(t, err, context.Canceled)
}

// TestTrainNB checks naive-Bayes scaled penalties, binary and multinomial
// (one-vs-rest ratios per class): the model still learns the synthetic
// task, training stays deterministic, and the scaling changes the weights.
func TestTrainNB(t *testing.T) {
	tests := []struct {
		name string
		task text.Task
	}{
		{"binary", text.TaskComplaint},
		{"multinomial", text.TaskSentiment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := synthetic()
			classes := 1
			if tt.task == text.TaskSentiment {
				classes = 3
				for i := range ex {
					ex[i].Label = 2 - 2*ex[i].Label
				}
			}
			train := func(nb bool) *text.Model {
				m, err := text.Train(t.Context(), tt.task, "en", ex, text.TrainConfig{Bits: 16, Classes: classes, Lambda: 1e-3, Balanced: true, NB: nb})
				require.NoError(t, err)
				return m
			}
			a, err := train(true).MarshalBinary()
			require.NoError(t, err)
			m := train(true)
			b, err := m.MarshalBinary()
			require.NoError(t, err)
			require.Equal(t, a, b)
			plain, err := train(false).MarshalBinary()
			require.NoError(t, err)
			require.NotEqual(t, plain, b)
			for _, c := range []struct {
				text      string
				complaint bool
			}{{"my refund never arrived", true}, {"thanks, great help", false}} {
				p := m.Predict(text.Analyze(c.text))
				if classes == 1 {
					require.Equal(t, c.complaint, p.Score >= 0.5, "%q: score %v", c.text, p.Score)
				} else {
					require.Equal(t, c.complaint, p.Score < 0, "%q: sentiment %v", c.text, p.Score)
				}
			}
		})
	}
}

// conflicting is two corpora that agree on the words of the task
// ("awful", "lovely", ...) and disagree on a marker word: "yonder" comes
// with most positives of the larger corpus (domain 1) and most negatives
// of the smaller one (domain 2).
func conflicting() []text.Example {
	pos := []string{"awful service", "horrible delay", "terrible support", "awful app", "horrible food"}
	neg := []string{"lovely service", "nice delay notice", "great support", "lovely app", "nice food"}
	var ex []text.Example
	add := func(domain int, s string, label int, marker bool, i int) {
		if marker {
			s = "yonder " + s
		}
		ex = append(ex, text.Example{Doc: text.Analyze(fmt.Sprintf("%s %d", s, i)), Label: label, Domain: domain})
	}
	for i := 0; i < 30; i++ {
		add(1, pos[i%len(pos)], 1, i%3 != 0, i)
		add(1, neg[i%len(neg)], 0, false, i)
	}
	for i := 0; i < 10; i++ {
		add(2, pos[i%len(pos)], 1, false, 100+i)
		add(2, neg[i%len(neg)], 0, i%3 != 0, 100+i)
	}
	return ex
}

// TestTrainDomainCopies checks domain-specific feature copies: the model
// keeps only the shared weights (same size and format as without copies),
// training stays deterministic, the words both corpora agree on still
// decide, and the marker the corpora disagree on loses most of the shared
// weight the larger corpus gave it.
func TestTrainDomainCopies(t *testing.T) {
	ex := conflicting()
	train := func(scale float64) *text.Model {
		m, err := text.Train(t.Context(), text.TaskTroll, "en", ex, text.TrainConfig{Bits: 16, Classes: 1, Lambda: 1e-3, Balanced: true, DomainScale: scale})
		require.NoError(t, err)
		return m
	}
	plain, dom := train(0), train(1)
	require.Len(t, dom.Q, len(plain.Q))
	require.Equal(t, plain.Bits, dom.Bits)
	pb, err := plain.MarshalBinary()
	require.NoError(t, err)
	db, err := dom.MarshalBinary()
	require.NoError(t, err)
	require.Len(t, db, len(pb))
	require.NotEqual(t, pb, db)
	again, err := train(1).MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, db, again)
	got, err := text.Unmarshal(db)
	require.NoError(t, err)
	require.InDelta(t, dom.Score(text.Analyze("awful app")), got.Score(text.Analyze("awful app")), 1e-3)

	logit := func(m *text.Model, s string) float64 {
		z := make([]float64, 1)
		m.Logits(text.Analyze(s), z)
		return z[0]
	}
	for _, m := range []*text.Model{plain, dom} {
		require.Greater(t, logit(m, "awful support"), 0.0)
		require.Less(t, logit(m, "lovely food"), 0.0)
	}
	marker := func(m *text.Model) float64 { return logit(m, "yonder") - logit(m, "") }
	// the marker against a word both corpora agree on
	relative := func(m *text.Model) float64 { return marker(m) / (logit(m, "awful") - logit(m, "")) }
	t.Logf("marker: plain %.3f (%.2f of awful), domain copies %.3f (%.2f)", marker(plain), relative(plain), marker(dom), relative(dom))
	require.Greater(t, marker(plain), 0.0, "the larger corpus pulls the shared marker weight up")
	require.Less(t, math.Abs(marker(dom)), marker(plain)/2)
	require.Less(t, math.Abs(relative(dom)), 0.7*relative(plain), "less of the marker against the agreed words too")
}

// TestTrainDomainCopiesWithoutDomains checks that a scale without any
// example in a domain trains exactly the plain model.
func TestTrainDomainCopiesWithoutDomains(t *testing.T) {
	cfg := text.TrainConfig{Bits: 16, Classes: 1, Lambda: 1e-3, Balanced: true}
	a, err := text.Train(t.Context(), text.TaskComplaint, "en", synthetic(), cfg)
	require.NoError(t, err)
	cfg.DomainScale = 0.5
	b, err := text.Train(t.Context(), text.TaskComplaint, "en", synthetic(), cfg)
	require.NoError(t, err)
	require.Equal(t, a.Q, b.Q)
	require.Equal(t, a.Bias, b.Bias)
}
