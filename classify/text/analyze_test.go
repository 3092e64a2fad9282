package text_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/classify/text"
)

func TestAnalyzeTokens(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"case and accents", "ÁRBOL Canción ÉXITO", []string{"arbol", "cancion", "exito"}},
		{"enye kept", "Año España", []string{"año", "españa"}},
		{"nfkc", "ｆｕｌｌ width ﬁle", []string{"full", "width", "file"}},
		{"elongation", "noooo sooo baaad", []string{"noo", "soo", "baad"}},
		{"url", "see https://t.co/abc and www.example.com now", []string{"see", text.TokURL, "and", text.TokURL, "now"}},
		{"mention and hashtag", "@AcmeHelp #EpicFail", []string{text.TokMention, "#epicfail", "epicfail"}},
		{"emoji", "great 😡😡 job 👍🏽", []string{"great", "😡", "😡", "job", "👍"}},
		{"numbers", "call 0800123456 or 12", []string{"call", text.TokNum, "or", "12"}},
		{"punctuation", "why?? wow!!! ok!", []string{"why", "??", "wow", "!!", "ok", "!"}},
		{"contraction", "I don't like it", []string{"i", "don't", "like", "it"}},
		{"currency", "win £100", []string{"win", "£", text.TokNum}},
		{"empty", "", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := text.Analyze(tt.in).Tokens()
			require.Equal(t, tt.want, got, "got %q, want %q", got, tt.want)
		})
	}
}

func TestAnalyzeNegationScope(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // tokens in a negation scope
	}{
		{"english", "the app is not working at all today", []string{"working", "at", "all"}},
		{"contraction", "it doesn't work", []string{"work"}},
		{"spanish", "no funciona el wifi", []string{"funciona", "el", "wifi"}},
		{"spanish nunca", "nunca más vuelvo", []string{"mas", "vuelvo"}},
		{"stopped by punctuation", "not good. great service", []string{"good"}},
		{"stopped by but", "not cheap but good", []string{"cheap"}},
		{"none", "works fine", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := text.Analyze(tt.in)
			var got []string
			for i, tok := range d.Tokens() {
				if d.Negated(i) {
					got = append(got, tok)
				}
			}
			require.Equal(t, tt.want, got, "got %q, want %q", got, tt.want)
		})
	}
}

func TestAnalyzeFlags(t *testing.T) {
	d := text.Analyze("@a @b WHY is it sooo slow #fail https://x.y 😡")
	require.True(t, d.HasURL)
	require.True(t, d.Elongated)
	require.Equal(t, 2, d.NumMentions)
	require.Equal(t, 1, d.NumHashtags)
	require.Equal(t, 1, d.NumCaps)
	require.Equal(t, []string{"😡"}, d.Emojis)
	require.Positive(t, d.NumFeatures())

	require.False(t, text.Analyze("plain words").Elongated)
}

func TestAnalyzeOddInput(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"invalid utf8", "bad \xff\xfe bytes \xc3"},
		{"only symbols", "... ,,, ;;"},
		{"huge", strings.Repeat("palabra muy larga ", 100000)},
		{"long word", strings.Repeat("a", 10000)},
		{"nul", "a\x00b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := text.Analyze(tt.in)
			require.Positive(t, d.NumFeatures())
			require.LessOrEqual(t, len(d.Tokens()), text.MaxInputBytes)
		})
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"", "hola @user #tag https://t.co/x 😡", "not bad\xff", "noooo!!!", strings.Repeat("ñ", 5000)} {
		f.Add(s)
	}
	ms := synthModels(f)
	f.Fuzz(func(t *testing.T, s string) {
		d := text.Analyze(s)
		for _, task := range text.Tasks() {
			p, ok := ms.Predict(d, task, "es")
			if !ok {
				continue
			}
			md, _ := ms.Model(task, "es")
			require.InDelta(t, md.Score(d), p.Score, 1e-9, "Predict and Score agree")
			require.LessOrEqual(t, len(p.Top), 3)
			if task == text.TaskSentiment {
				require.True(t, p.Score >= -1 && p.Score <= 1, "score %v", p.Score)
			} else {
				require.True(t, p.Score >= 0 && p.Score <= 1, "score %v", p.Score)
			}
		}
	})
}
