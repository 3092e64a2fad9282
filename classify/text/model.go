package text

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"sort"
	"strings"
	"unsafe"

	"github.com/vigia-dev/vigia/classify/models"
)

// Model is one trained linear model for a task and language: binary
// logistic regression (Classes == 1) or multinomial softmax regression
// (Classes > 1; for sentiment the classes are negative, neutral, positive).
// Weights are held quantized to 16 bits: weight = Q[i] * Scale.
type Model struct {
	// Task is the model's task.
	Task Task
	// Lang is the ISO 639-1 language the model was trained for.
	Lang string
	// Bits is log2 of the number of hash buckets.
	Bits uint8
	// Classes is 1 for a binary model, else the number of classes.
	Classes int
	// Threshold is the decision threshold on Score tuned on held-out data
	// (binary models); callers may override it.
	Threshold float32
	// Bias holds one intercept per class.
	Bias []float32
	// Scale converts a quantized weight to its value.
	Scale float32
	// Q holds Classes quantized weights per bucket, bucket-major.
	Q []int16
	// Meta is free-form provenance (data, hyper-parameters).
	Meta string
}

// Key returns "<task>_<lang>", the model's name and file stem.
func (m *Model) Key() string { return string(m.Task) + "_" + m.Lang }

// Bytes returns the memory the model's weights take.
func (m *Model) Bytes() int { return 2*len(m.Q) + 4*len(m.Bias) }

// quantize sets Q and Scale from float weights w (Classes per bucket).
func (m *Model) quantize(w []float64) {
	var mx float64
	for _, v := range w {
		mx = max(mx, math.Abs(v))
	}
	scale := float32(mx / 32767)
	if scale == 0 {
		scale = 1
	}
	m.Scale = scale
	m.Q = make([]int16, len(w))
	for i, v := range w {
		m.Q[i] = int16(max(-32767, min(32767, math.Round(v/float64(scale)))))
	}
}

// eval computes the class scores of d into out (len Classes) and, when
// contrib is not nil (len 2*len(tokens)), each token's and bigram's
// contribution towards the last class (minus the first one for a
// multinomial model).
func (m *Model) eval(d *Doc, out []float64, contrib []float32) {
	if contrib == nil {
		m.scores(d, out)
		return
	}
	shift := 32 - m.Bits
	q := m.Q
	k := m.Classes
	nt := len(d.tokens)
	sw, sc := m.Scale*d.scaleW, m.Scale*d.scaleC
	word, char := d.feats[:d.nWord], d.feats[d.nWord:]
	if k == 1 && m.Bits == fixedBits && len(q) == 1<<fixedBits {
		m.evalFixed1(d, out, contrib)
		return
	}
	if k == 1 {
		var accW, accC int32
		for i, h := range word {
			v := int32(q[h>>shift])
			accW += v
			if contrib != nil && i < 2*nt-1 {
				contrib[i] = float32(v) * sw
			}
		}
		start := uint32(0)
		for _, r := range d.charRuns {
			var acc int32
			for _, h := range char[start : r.end-uint32(d.nWord)] {
				acc += int32(q[h>>shift])
			}
			start = r.end - uint32(d.nWord)
			accC += acc
			if contrib != nil {
				contrib[r.term] += float32(acc) * sc
			}
		}
		out[0] = float64(m.Bias[0] + float32(accW)*sw + float32(accC)*sc)
		return
	}
	var accW, accC [8]int32
	for i, h := range word {
		w := q[int(h>>shift)*k : int(h>>shift)*k+k]
		for c, v := range w {
			accW[c] += int32(v)
		}
		if contrib != nil && i < 2*nt-1 {
			contrib[i] = float32(int32(w[k-1])-int32(w[0])) * sw
		}
	}
	start := uint32(0)
	for _, r := range d.charRuns {
		var acc [8]int32
		for _, h := range char[start : r.end-uint32(d.nWord)] {
			w := q[int(h>>shift)*k : int(h>>shift)*k+k]
			for c, v := range w {
				acc[c] += int32(v)
			}
		}
		start = r.end - uint32(d.nWord)
		for c := 0; c < k; c++ {
			accC[c] += acc[c]
		}
		if contrib != nil {
			contrib[r.term] += float32(acc[k-1]-acc[0]) * sc
		}
	}
	for c := 0; c < k; c++ {
		out[c] = float64(m.Bias[c] + float32(accW[c])*sw + float32(accC[c])*sc)
	}
}

// scores is eval without the attribution: the same sums in tight loops,
// with the binary and three-class (sentiment) cases written out.
func (m *Model) scores(d *Doc, out []float64) {
	shift := 32 - m.Bits
	q := m.Q
	sw, sc := m.Scale*d.scaleW, m.Scale*d.scaleC
	word, char := d.feats[:d.nWord], d.feats[d.nWord:]
	if m.Bits == fixedBits && len(q) == m.Classes<<fixedBits && (m.Classes == 1 || m.Classes == 3) {
		m.scoresFixed(word, char, sw, sc, out)
		return
	}
	switch m.Classes {
	case 1:
		var accW, accC int32
		for _, h := range word {
			accW += int32(q[h>>shift])
		}
		for _, h := range char {
			accC += int32(q[h>>shift])
		}
		out[0] = float64(m.Bias[0] + float32(accW)*sw + float32(accC)*sc)
	case 3:
		var w0, w1, w2, c0, c1, c2 int32
		for _, h := range word {
			i := int(h>>shift) * 3
			w := q[i : i+3 : i+3]
			w0 += int32(w[0])
			w1 += int32(w[1])
			w2 += int32(w[2])
		}
		for _, h := range char {
			i := int(h>>shift) * 3
			w := q[i : i+3 : i+3]
			c0 += int32(w[0])
			c1 += int32(w[1])
			c2 += int32(w[2])
		}
		out[0] = float64(m.Bias[0] + float32(w0)*sw + float32(c0)*sc)
		out[1] = float64(m.Bias[1] + float32(w1)*sw + float32(c1)*sc)
		out[2] = float64(m.Bias[2] + float32(w2)*sw + float32(c2)*sc)
	default:
		k := m.Classes
		var accW, accC [8]int32
		for _, h := range word {
			for c, v := range q[int(h>>shift)*k : int(h>>shift)*k+k] {
				accW[c] += int32(v)
			}
		}
		for _, h := range char {
			for c, v := range q[int(h>>shift)*k : int(h>>shift)*k+k] {
				accC[c] += int32(v)
			}
		}
		for c := 0; c < k; c++ {
			out[c] = float64(m.Bias[c] + float32(accW[c])*sw + float32(accC[c])*sc)
		}
	}
}

// fixedBits is the table size of the shipped models, for which scores
// indexes fixed-size arrays: a feature's top 18 bits are in range by
// construction, so the loops carry no bounds checks.
const fixedBits = 18

// scoresFixed is scores for a binary or three-class model of 2^fixedBits
// buckets; the sums are the same.
func (m *Model) scoresFixed(word, char []uint32, sw, sc float32, out []float64) {
	const shift = 32 - fixedBits
	if m.Classes == 1 {
		q := (*[1 << fixedBits]int16)(m.Q)
		var accW, accC int32
		for _, h := range word {
			accW += int32(q[h>>shift])
		}
		for _, h := range char {
			accC += int32(q[h>>shift])
		}
		out[0] = float64(m.Bias[0] + float32(accW)*sw + float32(accC)*sc)
		return
	}
	q := (*[1 << fixedBits][3]int16)(unsafe.Pointer(&m.Q[0])) // len(m.Q) == 3<<fixedBits, checked by the caller
	var w0, w1, w2, c0, c1, c2 int32
	for _, h := range word {
		w := &q[h>>shift]
		w0 += int32(w[0])
		w1 += int32(w[1])
		w2 += int32(w[2])
	}
	for _, h := range char {
		w := &q[h>>shift]
		c0 += int32(w[0])
		c1 += int32(w[1])
		c2 += int32(w[2])
	}
	out[0] = float64(m.Bias[0] + float32(w0)*sw + float32(c0)*sc)
	out[1] = float64(m.Bias[1] + float32(w1)*sw + float32(c1)*sc)
	out[2] = float64(m.Bias[2] + float32(w2)*sw + float32(c2)*sc)
}

// evalFixed1 is eval for a binary model of 2^fixedBits buckets.
func (m *Model) evalFixed1(d *Doc, out []float64, contrib []float32) {
	const shift = 32 - fixedBits
	q := (*[1 << fixedBits]int16)(m.Q)
	sw, sc := m.Scale*d.scaleW, m.Scale*d.scaleC
	word, char := d.feats[:d.nWord], d.feats[d.nWord:]
	var accW, accC int32
	nc := min(max(2*len(d.tokens)-1, 0), len(word), len(contrib))
	for i, h := range word[:nc] {
		v := int32(q[h>>shift])
		accW += v
		contrib[i] = float32(v) * sw
	}
	for _, h := range word[nc:] {
		accW += int32(q[h>>shift])
	}
	start := uint32(0)
	for _, r := range d.charRuns {
		end := r.end - uint32(d.nWord)
		var acc int32
		for _, h := range char[start:end] {
			acc += int32(q[h>>shift])
		}
		start = end
		accC += acc
		contrib[r.term] += float32(acc) * sc
	}
	out[0] = float64(m.Bias[0] + float32(accW)*sw + float32(accC)*sc)
}

// PredictEach sets out[i] to ms[i].PredictMin(d, minTop[i]) for every
// non-nil model (out[i] is left alone for a nil one). Three binary models
// and a three-class one of the shipped shape (as the classifier uses them)
// are scored in one pass over the features; the scores are the same.
func PredictEach(d *Doc, ms []*Model, minTop []float64, out []Prediction) {
	if len(ms) == 4 && fused4(ms) {
		var logits [4][8]float64
		var raw fusedRaw
		rawOK := 2*len(d.tokens) <= len(raw.word[0]) && len(d.charRuns) <= len(raw.run[0])
		scoresFused4(d, ms, &logits, &raw, rawOK)
		for i, m := range ms {
			m.squash(logits[i][:])
			score := m.score(logits[i][:])
			switch {
			case !(score >= minTop[i]):
				out[i] = Prediction{Score: score}
			case rawOK && i < 3:
				out[i] = Prediction{Score: score, Top: raw.topTerms(d, m, i)}
			default:
				out[i] = m.PredictMin(d, math.Inf(-1))
			}
		}
		return
	}
	for i, m := range ms {
		if m != nil {
			out[i] = m.PredictMin(d, minTop[i])
		}
	}
}

// fusedRaw keeps, from the fused pass, the raw weight sums behind the
// three binary models' attribution: each word-level feature's weight (the
// first 2·tokens-1) and each token's character n-gram sum.
type fusedRaw struct {
	word [3][256]int32
	run  [3][128]int32
}

// topTerms is Model.Predict's attribution for binary model i, rebuilt from
// the raw sums in the same order and arithmetic as evalFixed1.
func (raw *fusedRaw) topTerms(d *Doc, m *Model, i int) []string {
	var stack [256]float32
	contrib := stack[:2*len(d.tokens)]
	sw, sc := m.Scale*d.scaleW, m.Scale*d.scaleC
	nc := min(max(2*len(d.tokens)-1, 0), d.nWord)
	for j, v := range raw.word[i][:nc] {
		contrib[j] = float32(v) * sw
	}
	for r, run := range d.charRuns {
		contrib[run.term] += float32(raw.run[i][r]) * sc
	}
	return topTerms(d, contrib)
}

// fused4 reports whether ms are three binary models and a three-class
// one, all of 2^fixedBits buckets.
func fused4(ms []*Model) bool {
	for i, m := range ms {
		want := 1
		if i == 3 {
			want = 3
		}
		if m == nil || m.Classes != want || m.Bits != fixedBits || len(m.Q) != want<<fixedBits {
			return false
		}
	}
	return true
}

// scoresFused4 is scoresFixed for the four models of fused4 at once; with
// keep it also fills raw (which must then be large enough).
func scoresFused4(d *Doc, ms []*Model, logits *[4][8]float64, raw *fusedRaw, keep bool) {
	const shift = 32 - fixedBits
	qa := (*[1 << fixedBits]int16)(ms[0].Q)
	qb := (*[1 << fixedBits]int16)(ms[1].Q)
	qc := (*[1 << fixedBits]int16)(ms[2].Q)
	qs := (*[1 << fixedBits][3]int16)(unsafe.Pointer(&ms[3].Q[0])) // len 3<<fixedBits, checked by fused4
	word, char := d.feats[:d.nWord], d.feats[d.nWord:]
	var acc [2][6]int32 // word, char: a, b, c, sentiment 0..2
	var a, b, c, s0, s1, s2 int32
	nc := 0
	if keep {
		nc = min(max(2*len(d.tokens)-1, 0), len(word))
		for j, h := range word[:nc] {
			i := h >> shift
			va, vb, vc := int32(qa[i]), int32(qb[i]), int32(qc[i])
			raw.word[0][j], raw.word[1][j], raw.word[2][j] = va, vb, vc
			a += va
			b += vb
			c += vc
			w := &qs[i]
			s0 += int32(w[0])
			s1 += int32(w[1])
			s2 += int32(w[2])
		}
	}
	for _, h := range word[nc:] {
		i := h >> shift
		a += int32(qa[i])
		b += int32(qb[i])
		c += int32(qc[i])
		w := &qs[i]
		s0 += int32(w[0])
		s1 += int32(w[1])
		s2 += int32(w[2])
	}
	acc[0] = [6]int32{a, b, c, s0, s1, s2}
	a, b, c, s0, s1, s2 = 0, 0, 0, 0, 0, 0
	if keep {
		start := uint32(0)
		for r, run := range d.charRuns {
			end := run.end - uint32(d.nWord)
			var ra, rb, rc int32
			for _, h := range char[start:end] {
				i := h >> shift
				ra += int32(qa[i])
				rb += int32(qb[i])
				rc += int32(qc[i])
				w := &qs[i]
				s0 += int32(w[0])
				s1 += int32(w[1])
				s2 += int32(w[2])
			}
			start = end
			raw.run[0][r], raw.run[1][r], raw.run[2][r] = ra, rb, rc
			a += ra
			b += rb
			c += rc
		}
	} else {
		for _, h := range char {
			i := h >> shift
			a += int32(qa[i])
			b += int32(qb[i])
			c += int32(qc[i])
			w := &qs[i]
			s0 += int32(w[0])
			s1 += int32(w[1])
			s2 += int32(w[2])
		}
	}
	acc[1] = [6]int32{a, b, c, s0, s1, s2}
	fusedLogits(d, ms, &acc, logits)
}

// fusedLogits turns the fused pass's raw sums (word, char: the three
// binary models, then the three-class model's classes) into logits with
// scoresFixed's arithmetic.
func fusedLogits(d *Doc, ms []*Model, acc *[2][6]int32, logits *[4][8]float64) {
	for i := range 3 {
		m := ms[i]
		sw, sc := m.Scale*d.scaleW, m.Scale*d.scaleC
		logits[i][0] = float64(m.Bias[0] + float32(acc[0][i])*sw + float32(acc[1][i])*sc)
	}
	m := ms[3]
	sw, sc := m.Scale*d.scaleW, m.Scale*d.scaleC
	for c := range 3 {
		logits[3][c] = float64(m.Bias[c] + float32(acc[0][3+c])*sw + float32(acc[1][3+c])*sc)
	}
}

// Logits writes the model's raw class scores for d into out (len Classes).
func (m *Model) Logits(d *Doc, out []float64) { m.eval(d, out, nil) }

// Probs returns the class probabilities for d: P(positive) for a binary
// model, the softmax otherwise.
func (m *Model) Probs(d *Doc, out []float64) {
	m.Logits(d, out)
	m.squash(out)
}

func (m *Model) squash(out []float64) {
	if m.Classes == 1 {
		out[0] = sigmoid(out[0])
		return
	}
	softmax(out[:m.Classes])
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

func softmax(z []float64) {
	mx := z[0]
	for _, v := range z[1:] {
		mx = max(mx, v)
	}
	var sum float64
	for i, v := range z {
		z[i] = math.Exp(v - mx)
		sum += z[i]
	}
	for i := range z {
		z[i] /= sum
	}
}

// score turns probabilities into the model's score.
func (m *Model) score(p []float64) float64 {
	if m.Classes == 1 {
		return p[0]
	}
	return p[m.Classes-1] - p[0]
}

// Score returns the model's score for d: the probability for a binary model,
// P(last class) - P(first class) for a multinomial one (sentiment).
func (m *Model) Score(d *Doc) float64 {
	var p [8]float64
	m.Probs(d, p[:])
	return m.score(p[:])
}

// Class returns the predicted class for d: 0/1 for a binary model (Score at
// or above Threshold), the most probable class otherwise.
func (m *Model) Class(d *Doc) int {
	var p [8]float64
	m.Probs(d, p[:])
	if m.Classes == 1 {
		if p[0] >= float64(m.Threshold) {
			return 1
		}
		return 0
	}
	best := 0
	for c := 1; c < m.Classes; c++ {
		if p[c] > p[best] {
			best = c
		}
	}
	return best
}

// topN is how many terms Prediction.Top holds at most.
const topN = 3

// Predict scores d and names the terms that pushed the score up most; the
// attribution comes from the same pass over the features as the score.
func (m *Model) Predict(d *Doc) Prediction { return m.PredictMin(d, math.Inf(-1)) }

// PredictMin is Predict, naming the top terms only when the score reaches
// minTop: callers that show the terms only for scores that fire or come
// close skip the attribution for the rest (pass +Inf to never name them).
// The score is the same as Predict's.
func (m *Model) PredictMin(d *Doc, minTop float64) Prediction {
	var p [8]float64
	if minTop > -math.MaxFloat64 {
		m.eval(d, p[:], nil)
		m.squash(p[:])
		if s := m.score(p[:]); !(s >= minTop) {
			return Prediction{Score: s}
		}
	}
	nt := 2 * len(d.tokens)
	var stack [256]float32
	var contrib []float32
	if nt <= len(stack) {
		contrib = stack[:nt]
	} else {
		contrib = make([]float32, nt)
	}
	m.eval(d, p[:], contrib)
	m.squash(p[:])
	return Prediction{Score: m.score(p[:]), Top: topTerms(d, contrib)}
}

// topTerms returns the terms with the strongest positive contributions.
func topTerms(d *Doc, contrib []float32) []string {
	var best [topN]int
	var bestV [topN]float32
	n := 0
	for t, v := range contrib {
		if v <= 0 {
			continue
		}
		if n < topN {
			best[n], bestV[n] = t, v
			n++
		} else if v > bestV[n-1] {
			best[n-1], bestV[n-1] = t, v
		} else {
			continue
		}
		for j := n - 1; j > 0 && bestV[j] > bestV[j-1]; j-- {
			best[j], best[j-1] = best[j-1], best[j]
			bestV[j], bestV[j-1] = bestV[j-1], bestV[j]
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	nTok := len(d.tokens)
	for j := 0; j < n; j++ {
		t := best[j]
		if t < nTok {
			out[j] = d.tokens[t]
		} else {
			out[j] = d.tokens[t-nTok] + " " + d.tokens[t-nTok+1]
		}
	}
	return out
}

// Models holds every trained text model, keyed by task and language.
type Models struct {
	byKey map[string]*Model
}

// NewModels groups ms; a later model with the same task and language
// replaces an earlier one.
func NewModels(ms ...*Model) *Models {
	out := &Models{byKey: make(map[string]*Model, len(ms))}
	for _, m := range ms {
		out.byKey[m.Key()] = m
	}
	return out
}

// FallbackLang is the language whose model serves a task when the message's
// language has none.
const FallbackLang = "en"

// Model returns the model for task and lang, falling back to FallbackLang.
func (m *Models) Model(task Task, lang string) (*Model, bool) {
	if m == nil {
		return nil, false
	}
	if md, ok := m.byKey[string(task)+"_"+lang]; ok {
		return md, true
	}
	md, ok := m.byKey[string(task)+"_"+FallbackLang]
	return md, ok
}

// List returns the models sorted by key.
func (m *Models) List() []*Model {
	out := make([]*Model, 0, len(m.byKey))
	for _, md := range m.byKey {
		out = append(out, md)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

// Predict scores d with the model for task and lang. If there is no model
// for lang it falls back to the English one; ok is false when there is no
// model for task at all.
func (m *Models) Predict(d *Doc, task Task, lang string) (Prediction, bool) {
	md, ok := m.Model(task, lang)
	if !ok {
		return Prediction{}, false
	}
	return md.Predict(d), true
}

// PredictMin is Predict naming the top terms only when the score reaches
// minTop (see Model.PredictMin).
func (m *Models) PredictMin(d *Doc, task Task, lang string, minTop float64) (Prediction, bool) {
	md, ok := m.Model(task, lang)
	if !ok {
		return Prediction{}, false
	}
	return md.PredictMin(d, minTop), true
}

// LoadEmbedded returns the models embedded in package classify/models.
func LoadEmbedded() (*Models, error) {
	return LoadFS(models.FS, ".")
}

// LoadFS reads every *.bin model file in dir of fsys.
func LoadFS(fsys fs.FS, dir string) (*Models, error) {
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("list models in %s: %w", dir, err)
	}
	var ms []*Model
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".bin") {
			continue
		}
		p := path.Join(dir, e.Name())
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("read model %s: %w", p, err)
		}
		md, err := Unmarshal(b)
		if err != nil {
			return nil, fmt.Errorf("decode model %s: %w", p, err)
		}
		ms = append(ms, md)
	}
	return NewModels(ms...), nil
}

// Serialization format, little-endian:
//
//	magic "VGTM", format version u16, feature version u16,
//	task, lang, meta (u16 length + bytes each), bits u8, classes u8,
//	threshold f32, classes × bias f32, scale f32,
//	non-zero bucket count u32, then per non-zero bucket:
//	uvarint delta of its index, classes × int16 weight (weight = q*scale).
//
// Feature version 2 indexes buckets with the top Bits bits of a feature.
const (
	magic         = "VGTM"
	formatVersion = 1
)

// ErrFormat marks a model file that cannot be decoded.
var ErrFormat = errors.New("bad model file")

// MarshalBinary encodes the model; equal models give equal bytes.
func (m *Model) MarshalBinary() ([]byte, error) {
	if m.Classes < 1 || m.Classes > 8 || len(m.Bias) != m.Classes || len(m.Q) != m.Classes<<m.Bits {
		return nil, fmt.Errorf("encode model %s: inconsistent shape: %w", m.Key(), ErrFormat)
	}
	var b bytes.Buffer
	b.WriteString(magic)
	le := binary.LittleEndian
	b.Write(le.AppendUint16(nil, formatVersion))
	b.Write(le.AppendUint16(nil, FeatureVersion))
	for _, s := range []string{string(m.Task), m.Lang, m.Meta} {
		b.Write(le.AppendUint16(nil, uint16(len(s))))
		b.WriteString(s)
	}
	b.WriteByte(m.Bits)
	b.WriteByte(byte(m.Classes))
	b.Write(le.AppendUint32(nil, math.Float32bits(m.Threshold)))
	for _, v := range m.Bias {
		b.Write(le.AppendUint32(nil, math.Float32bits(v)))
	}
	b.Write(le.AppendUint32(nil, math.Float32bits(m.Scale)))
	k := m.Classes
	nb := len(m.Q) / k
	nz := 0
	for i := 0; i < nb; i++ {
		if !zeroRow(m.Q[i*k : i*k+k]) {
			nz++
		}
	}
	b.Write(le.AppendUint32(nil, uint32(nz)))
	prev := -1
	var tmp []byte
	for i := 0; i < nb; i++ {
		row := m.Q[i*k : i*k+k]
		if zeroRow(row) {
			continue
		}
		tmp = binary.AppendUvarint(tmp[:0], uint64(i-prev))
		prev = i
		for _, v := range row {
			tmp = le.AppendUint16(tmp, uint16(v))
		}
		b.Write(tmp)
	}
	return b.Bytes(), nil
}

func zeroRow(row []int16) bool {
	for _, v := range row {
		if v != 0 {
			return false
		}
	}
	return true
}

// Unmarshal decodes a model written by MarshalBinary.
func Unmarshal(data []byte) (*Model, error) {
	r := bufio.NewReader(bytes.NewReader(data))
	le := binary.LittleEndian
	fail := func(what string, err error) (*Model, error) {
		if err == nil {
			err = ErrFormat
		} else {
			err = fmt.Errorf("%w: %w", ErrFormat, err)
		}
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	head := make([]byte, 8)
	if _, err := io.ReadFull(r, head); err != nil {
		return fail("header", err)
	}
	if string(head[:4]) != magic {
		return fail("magic", nil)
	}
	if v := le.Uint16(head[4:]); v != formatVersion {
		return fail(fmt.Sprintf("format version %d (want %d)", v, formatVersion), nil)
	}
	if v := le.Uint16(head[6:]); v != FeatureVersion {
		return fail(fmt.Sprintf("feature version %d (want %d)", v, FeatureVersion), nil)
	}
	var strs [3]string
	for i := range strs {
		var l uint16
		if err := binary.Read(r, le, &l); err != nil {
			return fail("string length", err)
		}
		s := make([]byte, l)
		if _, err := io.ReadFull(r, s); err != nil {
			return fail("string", err)
		}
		strs[i] = string(s)
	}
	m := &Model{Task: Task(strs[0]), Lang: strs[1], Meta: strs[2]}
	var shape [2]byte
	if _, err := io.ReadFull(r, shape[:]); err != nil {
		return fail("shape", err)
	}
	m.Bits, m.Classes = shape[0], int(shape[1])
	if m.Bits < 8 || m.Bits > 24 || m.Classes < 1 || m.Classes > 8 {
		return fail(fmt.Sprintf("shape bits=%d classes=%d", m.Bits, m.Classes), nil)
	}
	f32 := func() (float32, error) {
		var u uint32
		err := binary.Read(r, le, &u)
		return math.Float32frombits(u), err
	}
	var err error
	if m.Threshold, err = f32(); err != nil {
		return fail("threshold", err)
	}
	m.Bias = make([]float32, m.Classes)
	for c := range m.Bias {
		if m.Bias[c], err = f32(); err != nil {
			return fail("bias", err)
		}
	}
	if m.Scale, err = f32(); err != nil {
		return fail("scale", err)
	}
	var nz uint32
	if err := binary.Read(r, le, &nz); err != nil {
		return fail("bucket count", err)
	}
	k := m.Classes
	nb := 1 << m.Bits
	m.Q = make([]int16, nb*k)
	// The bucket records are decoded straight from the remaining bytes.
	rest, err := io.ReadAll(r)
	if err != nil {
		return fail("buckets", err)
	}
	idx := -1
	for j := uint32(0); j < nz; j++ {
		delta, n := binary.Uvarint(rest)
		if n <= 0 {
			return fail("bucket index", io.ErrUnexpectedEOF)
		}
		rest = rest[n:]
		if delta == 0 || delta > uint64(nb) || idx+int(delta) >= nb {
			return fail("bucket index range", nil)
		}
		idx += int(delta)
		if len(rest) < 2*k {
			return fail("weight", io.ErrUnexpectedEOF)
		}
		for c := 0; c < k; c++ {
			m.Q[idx*k+c] = int16(le.Uint16(rest[2*c:]))
		}
		rest = rest[2*k:]
	}
	if len(rest) != 0 {
		return fail("trailing bytes", nil)
	}
	return m, nil
}
