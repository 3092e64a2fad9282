package text_test

import (
	"testing"

	"github.com/vigia-dev/vigia/classify/text"
)

// benchTexts are tweet-length messages written for the benchmarks.
var benchTexts = []string{
	"@AcmeAir my flight was cancelled AGAIN and nobody at the desk can tell me anything. 3 hours waiting!!! #fail",
	"@BancoEjemplo me han cobrado dos veces la misma compra y no contestan en el chat 😡😡 ¿alguien me ayuda?",
	"Thanks @AcmeAir for the upgrade, the crew was lovely and we landed early 😍 https://t.co/abcdef",
	"WIN a FREE iPhone!!! click www.example.com/promo now, only today, txt WIN to 80085",
}

func embeddedOrSynth(b *testing.B) *text.Models {
	ms, err := text.LoadEmbedded()
	if err != nil || len(ms.List()) == 0 {
		return synthModels(b)
	}
	return ms
}

func BenchmarkAnalyze(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		text.Analyze(benchTexts[i%len(benchTexts)]).Release()
	}
}

func BenchmarkPredict(b *testing.B) {
	ms := embeddedOrSynth(b)
	docs := make([]*text.Doc, len(benchTexts))
	for i, s := range benchTexts {
		docs[i] = text.Analyze(s)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ms.Predict(docs[i%len(docs)], text.TaskComplaint, "en")
	}
}

// BenchmarkAnalyzePredictAll is one message through Analyze and the four
// text models.
func BenchmarkAnalyzePredictAll(b *testing.B) {
	ms := embeddedOrSynth(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		d := text.Analyze(benchTexts[i%len(benchTexts)])
		for _, t := range text.Tasks() {
			ms.Predict(d, t, "es")
		}
		d.Release()
	}
}
