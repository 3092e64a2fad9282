package lang_test

import (
	"runtime"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/classify/lang"
)

// stopwords is a small sample; the real lists live in classify/lexicons.
var stopwords = map[string][]string{
	"es": {"el", "la", "los", "las", "de", "que", "y", "en", "por", "para", "con", "mi", "me", "es", "no", "un", "una", "pero", "muy", "ya", "hoy", "esta", "nada"},
	"en": {"the", "and", "is", "of", "to", "my", "i", "it", "for", "with", "you", "your", "this", "not", "no", "but", "was", "have", "again"},
}

// tokens is a crude stand-in for the text normalizer.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && r != '@' })
}

func newDetector(t testing.TB, opts lang.Options) *lang.Detector {
	t.Helper()
	d, err := lang.New([]string{"es", "en"}, stopwords, opts)
	require.NoError(t, err)
	return d
}

func TestDetectShortTexts(t *testing.T) {
	tests := []struct {
		text string
		want string
	}{
		{"@MovilCo llevo 3 días sin internet y nadie me contesta 😡 https://t.co/abc", "es"},
		{"@MovilCo no internet for 3 days and nobody answers 😡 https://t.co/abc", "en"},
		{"me han cobrado dos veces la factura", "es"},
		{"charged twice for my bill", "en"},
		{"pésimo servicio", "es"},
		{"terrible service", "en"},
		{"¿alguien sabe si hay caída?", "es"},
		{"is the app down?? #outage", "en"},
		{"gracias!! 🙌", "es"},
		{"thanks a lot!!", "en"},
		{"quiero cancelar mi contrato ya", "es"},
		{"I want to cancel my contract", "en"},
	}
	for _, accuracy := range []lang.Accuracy{lang.AccuracyLow, lang.AccuracyHigh} {
		d := newDetector(t, lang.Options{Accuracy: accuracy})
		for _, tt := range tests {
			t.Run(string(accuracy)+"/"+tt.text, func(t *testing.T) {
				got := d.Detect(tt.text, tokens(tt.text))
				require.Equal(t, tt.want, got.Lang, "got %+v", got)
				require.GreaterOrEqual(t, got.Confidence, 0.0)
				require.LessOrEqual(t, got.Confidence, 1.0)
			})
		}
	}
}

func TestDetectLinguaDecidesWithoutStopwords(t *testing.T) {
	d := newDetector(t, lang.Options{})
	got := d.Detect("pésimo servicio", nil)
	require.Equal(t, lang.Result{Lang: "es", Confidence: got.Confidence, Method: lang.MethodLingua}, got)
}

func TestDetectOddInput(t *testing.T) {
	d := newDetector(t, lang.Options{})
	for _, s := range []string{"", "😡😡😡", "https://t.co/x", "\xff\xfe\xfd", strings.Repeat("charged twice ", 20000)} {
		got := d.Detect(s, tokens(s))
		if got.Lang != "" {
			require.Contains(t, []string{"es", "en"}, got.Lang)
		}
	}
	require.Equal(t, lang.MethodUnknown, d.Detect("", nil).Method)
}

func TestSingleLanguage(t *testing.T) {
	d, err := lang.New([]string{"es"}, nil, lang.Options{})
	require.NoError(t, err)
	require.Equal(t, lang.Result{Lang: "es", Confidence: 1, Method: lang.MethodOnly}, d.Detect("hello there", nil))
}

func TestNewErrors(t *testing.T) {
	_, err := lang.New([]string{"es", "xx", "es", "EN"}, nil, lang.Options{Accuracy: "medium", MinVotes: -1})
	require.EqualError(t, err, `build language detector: accuracy "medium": want low or high
min votes -1: must be at least 1
language "xx": not an ISO 639-1 code lingua supports
language "es": listed twice
language "EN": not an ISO 639-1 code lingua supports`)
}

func BenchmarkDetect(b *testing.B) {
	texts := []string{
		"@MovilCo llevo 3 días sin internet y nadie me contesta 😡 https://t.co/abc",
		"@MovilCo no internet for 3 days and nobody answers 😡 https://t.co/abc",
		"pésimo servicio",
		"terrible service",
		"gracias!! 🙌",
		"is the app down?? #outage",
	}
	toks := make([][]string, len(texts))
	for i, s := range texts {
		toks[i] = tokens(s)
	}
	for _, bc := range []struct {
		name     string
		accuracy lang.Accuracy
		vote     bool
	}{
		{"lingua-low", lang.AccuracyLow, false},
		{"lingua-high", lang.AccuracyHigh, false},
		{"vote+lingua-low", lang.AccuracyLow, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			d := newDetector(b, lang.Options{Accuracy: bc.accuracy})
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				j := i % len(texts)
				tk := toks[j]
				if !bc.vote {
					tk = nil
				}
				d.Detect(texts[j], tk)
			}
			// lingua caches models per process: only the first sub-benchmark
			// run in a process measures the load (use -bench to pick one).
			b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "heap-MB")
		})
	}
}
