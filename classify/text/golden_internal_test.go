package text

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// goldenTexts returns about 200 varied texts: hand-written cases (Spanish
// and English, emoji, links, mentions, elongations, negations, accents,
// invalid UTF-8, empty, long) and seeded combinations of their pieces.
func goldenTexts() []string {
	hand := []string{
		"",
		" ",
		"!!!",
		"@AcmeAir my flight was cancelled AGAIN and nobody at the desk can tell me anything. 3 hours waiting!!! #fail",
		"@BancoEjemplo me han cobrado dos veces la misma compra y no contestan en el chat 😡😡 ¿alguien me ayuda?",
		"Thanks @AcmeAir for the upgrade, the crew was lovely and we landed early 😍 https://t.co/abcdef",
		"WIN a FREE iPhone!!! click www.example.com/promo now, only today, txt WIN to 80085",
		"ÁRBOL Canción ÉXITO año España ñandú pingüino",
		"ｆｕｌｌ width ﬁle ＠usuario ０１２３４",
		"noooo sooo baaad siiiiii vamoooos",
		"I don't like it, but it's fine. It isn't working; never again",
		"no funciona el wifi, pero el soporte sí. Nunca más jamás compro aquí sin garantía",
		"call 0800123456 or 12 or 999 or 1,000,000",
		"win £100 or €50 or $20 or ¥3000",
		"why?? wow!!! ok! ¿¿qué?? ¡¡¡genial!!!",
		"great 😡😡 job 👍🏽 ❤️ 🇪🇸 👨‍👩‍👧 ☕ ⬆ →",
		"I’m can’t won’t ‘quoted’ ʼmodifier",
		"HTTP://EXAMPLE.COM/A?b=c WWW.X.ES https:// http:// www.",
		"#EpicFail #NoFunciona # #_ #123 @ @_ @@x",
		"e\u0301xito cafe\u0301 n\u0303 combining",
		"\xff\xfe invalid \xc3\x28 utf8 \xe2\x82 end \xf0\x9f\x98",
		"Straße İstanbul ǅ ﬀ Ω Å ẞ ı",
		"日本語のテキスト 中文 한국어 русский текст ελληνικά עברית العربية",
		"tab\tseparated\nnew line\r\nwindows",
		"ALL CAPS MESSAGE HERE OK NO",
		"a b c d e f g h i j",
		"don'tt ''' 'start end' o'neill rock'n'roll",
		"x_y_z snake_case CamelCase mIxEd",
		"100% 50/50 3.14 1e10 0x1F",
		"😀",
		"ñ",
		strings.Repeat("a", 100),
		strings.Repeat("ab", 60) + " " + strings.Repeat("é", 50),
		strings.Repeat("palabra ", 1200),
		strings.Repeat("ñú😀 ", 3000),
		strings.Repeat("x", 8191) + "é",
		strings.Repeat("y", 8190) + "😀z",
	}
	pieces := []string{
		"my", "flight", "was", "cancelled", "not", "working", "no", "funciona", "nunca", "llegó",
		"el", "pedido", "pero", "but", "however", "@Movilco", "#fail", "https://bit.ly/x", "www.promo.es",
		"😡", "😍", "👍🏽", "!!!", "??", "¿", "¡", "nooooo", "siiii", "GRATIS", "FREE", "cobrado", "dos", "veces",
		"charged", "twice", "refund", "reembolso", "atención", "teléfono", "Árbol", "ñoño", "12345", "42",
		"can't", "don’t", "didnt", "sin", "nada", "nadie", ",", ".", ";", ":", "€", "$", "\xff", "\xe2\x82",
		"ﬁ", "ｆｕｌｌ", "e\u0301", "日本", "straße", "AAAA", "Ok", "lol", "jajaja", "xd",
	}
	r := rand.New(rand.NewPCG(1, 2))
	out := hand
	for len(out) < 200 {
		n := r.IntN(30)
		var b strings.Builder
		for j := 0; j < n; j++ {
			if j > 0 && r.IntN(5) != 0 {
				b.WriteByte(' ')
			}
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		out = append(out, b.String())
	}
	return out
}

// docDigest hashes everything Analyze computes for s.
func docDigest(d *Doc) uint64 {
	h := fnv.New64a()
	var b []byte
	u32 := func(v uint32) { b = binary.LittleEndian.AppendUint32(b, v) }
	for i, t := range d.tokens {
		b = append(b, t...)
		b = append(b, 0)
		if d.negated[i] {
			b = append(b, 1)
		}
	}
	u32(uint32(len(d.feats)))
	for _, f := range d.feats {
		u32(f)
	}
	u32(uint32(d.nWord))
	for _, r := range d.charRuns {
		u32(r.end)
		u32(r.term)
	}
	u32(math.Float32bits(d.scaleW))
	u32(math.Float32bits(d.scaleC))
	b = fmt.Appendf(b, "%v %d %d %q %v %d", d.HasURL, d.NumMentions, d.NumHashtags, d.Emojis, d.Elongated, d.NumCaps)
	h.Write(b)
	return h.Sum64()
}

// TestFeaturesGolden pins the tokens and hashed features of about 200
// texts: the committed models were trained on them, so any change here
// needs a FeatureVersion bump and a retrain.
func TestFeaturesGolden(t *testing.T) {
	const want = uint64(0x6320a00250aacffb)
	texts := goldenTexts()
	all := fnv.New64a()
	for _, s := range texts {
		d := Analyze(s)
		all.Write(binary.LittleEndian.AppendUint64(nil, docDigest(d)))
		d.Release()
	}
	if got := all.Sum64(); got != want {
		t.Fatalf("features of %d golden texts hash to %#x, want %#x", len(texts), got, want)
	}
}

// synthModel is a deterministic random model for pinning inference.
func synthModel(task Task, classes int, bits uint8, seed uint64) *Model {
	r := rand.New(rand.NewPCG(seed, 7))
	m := &Model{Task: task, Lang: "en", Bits: bits, Classes: classes, Threshold: 0.5, Scale: 1.0 / 4096}
	m.Bias = make([]float32, classes)
	for c := range m.Bias {
		m.Bias[c] = float32(r.NormFloat64() * 0.3)
	}
	m.Q = make([]int16, classes<<bits)
	for i := range m.Q {
		m.Q[i] = int16(r.IntN(8001) - 4000)
	}
	return m
}

func synthSet() []*Model {
	return []*Model{
		synthModel(TaskComplaint, 1, 12, 1),
		synthModel(TaskTroll, 1, 16, 2),
		synthModel(TaskSpam, 1, 18, 3),
		synthModel(TaskSentiment, 3, 14, 4),
	}
}

// TestPredictGolden pins Predict's scores and top terms with synthetic
// models, independent of the embedded weights.
func TestPredictGolden(t *testing.T) {
	const want = uint64(0x3c472b42190c8674)
	ms := synthSet()
	all := fnv.New64a()
	for _, s := range goldenTexts() {
		d := Analyze(s)
		for _, m := range ms {
			p := m.Predict(d)
			all.Write(binary.LittleEndian.AppendUint64(nil, math.Float64bits(p.Score)))
			fmt.Fprintf(all, "%q", p.Top)
		}
		d.Release()
	}
	if got := all.Sum64(); got != want {
		t.Fatalf("predictions hash to %#x, want %#x", got, want)
	}
}

// TestPredictMin checks that PredictMin gives Predict's score always and
// its top terms exactly when the score reaches the bound.
func TestPredictMin(t *testing.T) {
	ms := append(synthSet(), synthModel(TaskSentiment, 3, 18, 5), synthModel(TaskComplaint, 2, 18, 6))
	for _, s := range goldenTexts() {
		d := Analyze(s)
		for _, m := range ms {
			full := m.Predict(d)
			for _, bound := range []float64{math.Inf(-1), -0.5, 0, 0.3, 0.5, 0.9, math.Inf(1)} {
				p := m.PredictMin(d, bound)
				if p.Score != full.Score {
					t.Fatalf("%s %q bound %v: score %v, Predict %v", m.Key(), s, bound, p.Score, full.Score)
				}
				wantTop := full.Top
				if !(full.Score >= bound) {
					wantTop = nil
				}
				if fmt.Sprint(p.Top) != fmt.Sprint(wantTop) || (p.Top == nil) != (wantTop == nil) {
					t.Fatalf("%s %q bound %v: top %q, want %q", m.Key(), s, bound, p.Top, wantTop)
				}
			}
		}
		d.Release()
	}
}

// TestPredictEach checks the fused pass against PredictMin model by model.
func TestPredictEach(t *testing.T) {
	fused := []*Model{synthModel(TaskComplaint, 1, 18, 11), synthModel(TaskTroll, 1, 18, 12),
		synthModel(TaskSpam, 1, 18, 13), synthModel(TaskSentiment, 3, 18, 14)}
	for _, ms := range [][]*Model{fused, synthSet(), {fused[0], nil, fused[2], fused[3]}} {
		bounds := []float64{0.3, 0.5, 0.7, math.Inf(1)}
		for _, s := range goldenTexts() {
			d := Analyze(s)
			got := make([]Prediction, len(ms))
			PredictEach(d, ms, bounds, got)
			for i, m := range ms {
				var want Prediction
				if m != nil {
					want = m.PredictMin(d, bounds[i])
				}
				if got[i].Score != want.Score || fmt.Sprintf("%q", got[i].Top) != fmt.Sprintf("%q", want.Top) {
					t.Fatalf("model %d on %q: got %v, want %v", i, s, got[i], want)
				}
			}
			d.Release()
		}
	}
}

// scorerTexts returns 400 varied texts: the golden ones and each of them
// joined to the next (longer texts, more features per message).
func scorerTexts() []string {
	g := goldenTexts()
	out := append([]string(nil), g...)
	for i, s := range g {
		out = append(out, s+" "+g[(i+1)%len(g)])
	}
	return out
}

// TestScorer checks that the interleaved table gives exactly what the
// straightforward scoring gives: every score bit for bit (the integer sums
// are the same, and are converted in the same order) and the same top
// terms, model by model, for synthetic models and for each language's
// embedded models (falling back to English as the classifier does).
func TestScorer(t *testing.T) {
	sets := map[string][]*Model{"synthetic": {synthModel(TaskComplaint, 1, 18, 11), synthModel(TaskTroll, 1, 18, 12),
		synthModel(TaskSpam, 1, 18, 13), synthModel(TaskSentiment, 3, 18, 14)}}
	embedded, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"es", "en"} {
		var ms []*Model
		for _, task := range []Task{TaskComplaint, TaskTroll, TaskSpam, TaskSentiment} {
			if m, ok := embedded.Model(task, lang); ok {
				ms = append(ms, m)
			}
		}
		if len(ms) == 4 && fused4(ms) {
			sets["embedded "+lang] = ms
		}
	}
	if NewScorer(synthSet()) != nil {
		t.Fatal("NewScorer accepted models of other sizes")
	}
	texts := scorerTexts()
	for name, ms := range sets {
		s := NewScorer(ms)
		if s == nil {
			t.Fatalf("%s: NewScorer refused the shipped shape", name)
		}
		for _, bounds := range [][]float64{{0.3, 0.3, 0.3, math.Inf(1)}, {math.Inf(-1), math.Inf(-1), math.Inf(-1), math.Inf(-1)}} {
			for _, txt := range texts {
				d := Analyze(txt)
				got := make([]Prediction, 4)
				s.PredictEach(d, bounds, got)
				for i, m := range ms {
					want := m.PredictMin(d, bounds[i])
					if math.Float64bits(got[i].Score) != math.Float64bits(want.Score) || fmt.Sprintf("%q", got[i].Top) != fmt.Sprintf("%q", want.Top) {
						t.Fatalf("%s model %s on %q: got %v, want %v", name, m.Key(), txt, got[i], want)
					}
				}
				d.Release()
			}
		}
	}
	if len(sets) < 3 {
		t.Logf("embedded models not of the fused shape: %d sets checked", len(sets))
	}
}

// TestScorerSumsExtremes checks the three-weights-per-add sums against
// plain int32 sums for the extreme weights, for every count of rows
// around a lane's capacity (laneRows) and for more rows than 32-bit
// sums hold before they wrap (which the models' int32 sums do alike),
// and a run's sums taken as the difference of running sums (topTerms).
func TestScorerSumsExtremes(t *testing.T) {
	ms := []*Model{synthModel(TaskComplaint, 1, 18, 21), synthModel(TaskTroll, 1, 18, 22),
		synthModel(TaskSpam, 1, 18, 23), synthModel(TaskSentiment, 3, 18, 24)}
	r := rand.New(rand.NewPCG(9, 9))
	for _, m := range ms {
		for i := range m.Q {
			m.Q[i] = []int16{-32768, -32767, 32767, 0, -1, 1}[r.IntN(6)]
		}
	}
	// A row of the largest weights, which fills the lanes fastest.
	const maxBucket = 12345
	for _, m := range ms {
		for c := range m.Classes {
			m.Q[maxBucket*m.Classes+c] = 32767
		}
	}
	maxRow := uint32(maxBucket) << (32 - fixedBits)
	s := NewScorer(ms)
	counts := []int{1000, 1 << 16, 1<<16 + 1, 3<<16 + 17}
	for n := range 3*laneRows + 2 {
		counts = append(counts, n)
	}
	for _, n := range counts {
		hs := make([]uint32, n)
		for i := range hs {
			hs[i] = r.Uint32()
			switch {
			case n%2 == 1 && n < 3*laneRows+2:
				hs[i] = maxRow // full lanes
			case i%3 == 0:
				hs[i] = 0xFFFFFFFF // the same row again and again
			case i%3 == 1:
				hs[i] = maxRow
			}
		}
		var want [6]int32
		for _, h := range hs {
			b := h >> (32 - fixedBits)
			for j := range 3 {
				want[j] += int32(ms[j].Q[b])
			}
			for c := range 3 {
				want[3+c] += int32(ms[3].Q[3*int(b)+c])
			}
		}
		if got := s.sums(hs); got != want {
			t.Fatalf("%d rows: sums %v, want %v", n, got, want)
		}
		// A run's sums are the difference of the running sums.
		k := n / 3
		var run rowSums
		sumRows(s.rows, hs[:k], &run)
		before := run
		sumRows(s.rows, hs[k:], &run)
		tail := s.sums(hs[k:])
		for i := range 3 {
			if got := int32(run[i] - before[i] - uint32(n-k)*rowBias); got != tail[i] {
				t.Fatalf("%d rows from %d: run sum %d: %v, want %v", n, k, i, got, tail[i])
			}
		}
	}
}
