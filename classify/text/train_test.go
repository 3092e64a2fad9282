package text_test

import (
	"context"
	"fmt"
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
