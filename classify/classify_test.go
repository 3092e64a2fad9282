package classify_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/classify"
	"github.com/vigia-dev/vigia/classify/influence"
	"github.com/vigia-dev/vigia/classify/text"
	"github.com/vigia-dev/vigia/internal/message"
)

func testConfig(t testing.TB) classify.Config {
	t.Helper()
	b, err := os.ReadFile("testdata/config.yaml")
	require.NoError(t, err)
	cfg, err := classify.ParseConfig(b)
	require.NoError(t, err)
	return cfg
}

func newClassifier(t testing.TB, cfg classify.Config, opts ...classify.Option) *classify.Classifier {
	t.Helper()
	models, err := text.LoadEmbedded()
	require.NoError(t, err)
	c, err := classify.New(cfg, models, nil, opts...)
	require.NoError(t, err)
	return c
}

type caseInput struct {
	Messages []struct {
		Message message.Message `json:"message"`
		Input   classify.Input  `json:"input"`
	} `json:"messages"`
}

type wantLabel struct {
	Decision bool `json:"decision"`
	// Reasons must all be among the label's reasons; a trailing or inner
	// "*" matches anything (for scores the text models decide).
	Reasons []string `json:"reasons"`
}

type caseWant struct {
	Lang    string               `json:"lang"`
	Ignored bool                 `json:"ignored"`
	Labels  map[string]wantLabel `json:"labels"`
}

// TestCases runs every testdata/cases/<name>: the messages of input.json in
// order through one classifier; want.json describes the last one's result.
func TestCases(t *testing.T) {
	dirs, err := filepath.Glob("testdata/cases/*")
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	cfg := testConfig(t)
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var in caseInput
			var want caseWant
			readJSON(t, filepath.Join(dir, "input.json"), &in)
			readJSON(t, filepath.Join(dir, "want.json"), &want)
			c := newClassifier(t, cfg)
			var got classify.Result
			for _, m := range in.Messages {
				require.NoError(t, m.Message.Validate())
				got, err = c.Classify(context.Background(), m.Message, m.Input)
				require.NoError(t, err)
			}
			require.Equal(t, want.Lang, got.Lang, "lang")
			require.Equal(t, want.Ignored, got.Ignored, "ignored")
			require.Len(t, got.Labels, len(classify.Labels()))
			for name, wl := range want.Labels {
				l, ok := got.Label(name)
				require.True(t, ok, name)
				require.Equal(t, wl.Decision, l.Decision, "%s decision: got %+v", name, l)
				for _, r := range wl.Reasons {
					require.True(t, hasReason(l.Reasons, r), "%s: reason %q not in %q", name, r, l.Reasons)
				}
			}
			for _, l := range got.Labels {
				require.GreaterOrEqual(t, l.Score, 0.0)
				require.LessOrEqual(t, l.Score, 1.0)
			}
		})
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v), path)
}

func hasReason(reasons []string, pattern string) bool {
	parts := strings.Split(pattern, "*")
	for _, r := range reasons {
		if globMatch(r, parts) {
			return true
		}
	}
	return false
}

func globMatch(s string, parts []string) bool {
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, p)
		}
		j := strings.Index(s, p)
		if j < 0 {
			return false
		}
		s = s[j+len(p):]
	}
	return s == ""
}

func inbound(brand, txt string) message.Message {
	return message.Message{
		ID: "x:1", Brand: brand, Channel: message.ChannelX, Kind: message.KindMention, Direction: message.DirectionInbound,
		Author: message.Author{ID: "a1", Handle: "someone"}, Text: txt,
	}
}

func TestThresholdsAndKeywordsChangeDecisions(t *testing.T) {
	ctx := context.Background()
	decision := func(cfg classify.Config, brand, txt, label string) bool {
		r, err := newClassifier(t, cfg).Classify(ctx, inbound(brand, txt), classify.Input{})
		require.NoError(t, err)
		l, _ := r.Label(label)
		return l.Decision
	}
	cfg := classify.DefaultConfig()
	const txt = "me han cobrado dos veces"
	require.True(t, decision(cfg, "acme", txt, classify.LabelUrgent))
	cfg.Thresholds.Urgent = 0.95
	require.False(t, decision(cfg, "acme", txt, classify.LabelUrgent), "global threshold")
	cfg = classify.DefaultConfig()
	cfg.Brands = []classify.BrandConfig{{Name: "acme", Thresholds: classify.Thresholds{Urgent: 0.95}}}
	require.False(t, decision(cfg, "acme", txt, classify.LabelUrgent), "brand threshold")
	require.True(t, decision(cfg, "other", txt, classify.LabelUrgent), "other brand keeps the global threshold")

	const kw = "la caja naranja se reinicia sola"
	cfg = classify.DefaultConfig()
	require.False(t, decision(cfg, "acme", kw, classify.LabelComplaint))
	cfg.Brands = []classify.BrandConfig{{Name: "acme", Keywords: []classify.Keywords{{Label: classify.LabelComplaint, Lang: "es", Phrases: []string{"caja naranja"}}}}}
	require.True(t, decision(cfg, "acme", kw, classify.LabelComplaint), "brand keyword")
	require.False(t, decision(cfg, "other", kw, classify.LabelComplaint), "keyword of another brand")
	cfg.Brands[0].Keywords[0].Lang = "en"
	require.False(t, decision(cfg, "acme", kw, classify.LabelComplaint), "keyword of another language")
}

func TestLanguageShortTexts(t *testing.T) {
	c := newClassifier(t, classify.DefaultConfig())
	tests := []struct{ text, want string }{
		{"@acme sin señal desde ayer 😡", "es"},
		{"@acme no signal since yesterday 😡", "en"},
		{"pésimo servicio https://t.co/x", "es"},
		{"terrible service https://t.co/x", "en"},
		{"¿hay caída? #acme", "es"},
		{"is the app down? #acme", "en"},
		{"me cobraron de más", "es"},
		{"you overcharged me", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r, err := c.Classify(context.Background(), inbound("acme", tt.text), classify.Input{})
			require.NoError(t, err)
			require.Equal(t, tt.want, r.Lang)
		})
	}
}

func TestOddTexts(t *testing.T) {
	c := newClassifier(t, classify.DefaultConfig())
	for _, s := range []string{"", " ", "\xff\xfe", "😡", strings.Repeat("cobrado dos veces ", 100_000), strings.Repeat("\xc3", 70_000)} {
		r, err := c.Classify(context.Background(), inbound("acme", s), classify.Input{})
		require.NoError(t, err)
		require.Len(t, r.Labels, 5)
	}
}

func TestCanceledContext(t *testing.T) {
	c := newClassifier(t, classify.DefaultConfig())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Classify(ctx, inbound("acme", "hola"), classify.Input{})
	require.ErrorIs(t, err, context.Canceled)
}

func TestApply(t *testing.T) {
	m := inbound("acme", "x")
	m.Labels = []message.Label{{Name: "spam", Score: 0.9}, {Name: "feedback", Score: 1}}
	classify.Apply(&m, classify.Result{Lang: "es", Sentiment: -0.5, Labels: []message.Label{{Name: "spam", Score: 0.1}}})
	require.Equal(t, "es", m.Lang)
	require.Equal(t, -0.5, m.Sentiment)
	require.Equal(t, []message.Label{{Name: "feedback", Score: 1}, {Name: "spam", Score: 0.1}}, m.Labels)
}

func TestConfigValidate(t *testing.T) {
	cfg := classify.DefaultConfig()
	cfg.Languages = []string{"es", "ES", "es"}
	cfg.LangAccuracy = "best"
	cfg.Thresholds.Spam = 0
	cfg.Spam.MaxHamming = 7
	cfg.Influence.Tiers = nil
	cfg.Brands = []classify.BrandConfig{
		{Name: "acme", Thresholds: classify.Thresholds{Troll: 1.5}, VIP: []string{"@"},
			Keywords: []classify.Keywords{{Label: "influencer", Lang: "fr", Weight: 2}},
			Block:    classify.Block{Action: "delete"}},
		{Name: "acme", Tiers: []influence.Tier{{Name: "micro", MinFollowers: 0}}},
	}
	require.EqualError(t, cfg.Validate(), `languages[1]: "ES": want a lower-case ISO 639-1 code
languages[2]: "es": listed twice
lang_accuracy: "best": want low or high
thresholds.spam: 0: must be greater than 0 and at most 1
influence.tiers: is empty; want at least one tier
spam.max_hamming: 7: must be between 0 and 3
brands[0].thresholds.troll: 1.5: must be greater than 0 and at most 1
brands[0].keywords[0].label: "influencer": want complaint, troll, spam or urgent
brands[0].keywords[0].lang: "fr": not one of the configured languages [es ES es]
brands[0].keywords[0].phrases: is empty
brands[0].keywords[0].weight: 2: must be between 0 and 1 (0 means 0.6)
brands[0].vip[0]: "@": want a handle such as @name
brands[0].block.action: "delete": want spam, troll or ignore
brands[1].name: "acme": already configured in brands[0]
brands[1].tiers[0].min_followers: 0: must be positive`)
	require.NoError(t, classify.DefaultConfig().Validate())
	require.NoError(t, testConfig(t).Validate())
}

func TestParseConfigStrict(t *testing.T) {
	_, err := classify.ParseConfig([]byte("thresholds:\n  complain: 0.4\n"))
	require.ErrorContains(t, err, "parse classify config:")
	require.ErrorContains(t, err, "field complain not found")
	cfg, err := classify.ParseConfig([]byte("thresholds:\n  complaint: 0.4\nspam:\n  window: 5m\n"))
	require.NoError(t, err)
	require.Equal(t, 0.4, cfg.Thresholds.Complaint)
	require.Equal(t, 0.5, cfg.Thresholds.Troll, "defaults are kept")
	require.Equal(t, "5m0s", cfg.Spam.Window.String())
}

func TestNewUnknownLexicon(t *testing.T) {
	cfg := classify.DefaultConfig()
	cfg.Languages = []string{"es", "fr"}
	_, err := classify.New(cfg, nil, nil)
	require.EqualError(t, err, `classify config: languages[1]: "fr": no lexicon classify/lexicon/fr.yaml`)
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	// Without text models the decisions come from lexicons alone and do
	// not move when the models are retrained.
	c, err := classify.New(classify.DefaultConfig(), nil, nil, classify.WithRegisterer(reg))
	require.NoError(t, err)
	_, err = c.Classify(context.Background(), inbound("acme", "me han cobrado dos veces"), classify.Input{})
	require.NoError(t, err)
	problems, err := testutil.GatherAndLint(reg)
	require.NoError(t, err)
	require.Empty(t, problems)
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP vigia_classify_labels_total Messages for which a label was decided, by label.
# TYPE vigia_classify_labels_total counter
vigia_classify_labels_total{label="complaint"} 0
vigia_classify_labels_total{label="influencer"} 0
vigia_classify_labels_total{label="spam"} 0
vigia_classify_labels_total{label="troll"} 0
vigia_classify_labels_total{label="urgent"} 1
`), "vigia_classify_labels_total"))
	require.Equal(t, 1, testutil.CollectAndCount(reg, "vigia_classify_duration_seconds"))
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"", "me han cobrado dos veces", "charged twice!! https://bit.ly/x @acme #fail", "\xff", "nooooo 😡😡", "ÑANDÚ"} {
		f.Add(s, int64(1000), 3)
	}
	c := newClassifier(f, testConfig(f))
	f.Fuzz(func(t *testing.T, s string, followers int64, unanswered int) {
		m := inbound("acme", s)
		m.Author.Followers = followers
		r, err := c.Classify(context.Background(), m, classify.Input{UnansweredInConversation: unanswered})
		require.NoError(t, err)
		require.Len(t, r.Labels, 5)
		require.GreaterOrEqual(t, r.Sentiment, -1.0)
		require.LessOrEqual(t, r.Sentiment, 1.0)
		for _, l := range r.Labels {
			require.False(t, l.Score < 0 || l.Score > 1 || l.Score != l.Score, "%s score %v", l.Name, l.Score)
		}
	})
}

// TestConcurrentClassify runs one classifier from several goroutines, as
// the processor's workers do, and checks every result against a sequential
// run: the per-call buffers are pooled, and a buffer shared by mistake
// would mix reasons between messages. The spam label is left out because
// its near-duplicate and rate evidence depends on the order of messages.
func TestConcurrentClassify(t *testing.T) {
	texts := []string{
		"@acme me han cobrado dos veces la factura, son unos ladrones",
		"@acme my internet has been down since monday and nobody answers",
		"gana dinero desde casa https://bit.ly/x escríbeme al dm",
		"@acme gracias, todo resuelto 🙌",
		"@acme if this isn't fixed today I'm calling my lawyer",
	}
	msgs := make([]message.Message, 200)
	for i := range msgs {
		msgs[i] = inbound("acme", texts[i%len(texts)]+" "+strings.Repeat("!", i%7))
		msgs[i].Author.Handle = []string{"someone", "LaPeriodista", "spammer99"}[i%3]
		msgs[i].Author.Followers = int64(i * 997)
	}
	cfg := testConfig(t)
	want := make([]classify.Result, len(msgs))
	seq := newClassifier(t, cfg)
	for i, m := range msgs {
		r, err := seq.Classify(context.Background(), m, classify.Input{UnansweredInConversation: i % 4})
		require.NoError(t, err)
		want[i] = r
	}
	c := newClassifier(t, cfg)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(msgs); i += 4 {
				got, err := c.Classify(context.Background(), msgs[i], classify.Input{UnansweredInConversation: i % 4})
				require.NoError(t, err)
				require.Equal(t, want[i].Lang, got.Lang)
				for j, l := range got.Labels {
					if l.Name != classify.LabelSpam {
						require.Equal(t, want[i].Labels[j], l, "message %d", i)
					}
				}
			}
		})
	}
	wg.Wait()
}
