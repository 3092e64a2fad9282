package text

import (
	"math"

	"github.com/vigia-dev/vigia/classify/internal/hugepage"
)

// Scorer scores one language's four models (three binary ones and a
// three-class one of the shipped shape, as PredictEach fuses them) from a
// single table that interleaves their weights bucket by bucket, built once
// from the models' own weights: a feature's six weights share one 16-byte
// row, so one cache line serves every model where the separate tables
// need four. The table is placed on transparent huge pages where the
// system allows (package hugepage). Its predictions are PredictEach's, bit for bit: the same
// integer sums, converted in the same order.
type Scorer struct {
	ms   [4]*Model
	rows *[1 << fixedBits]scorerRow
}

// scorerRow is one bucket's weights: the three binary models', then the
// three-class model's, padded to 16 bytes so that a row never straddles
// two cache lines.
type scorerRow [8]int16

// NewScorer interleaves the weights of ms for Scorer.PredictEach; it
// returns nil when ms are not three binary models and a three-class one,
// all of 2^18 buckets (score those with PredictEach). The table takes
// 4 MiB (in an allocation up to 2 MiB larger, for the alignment, whose
// slack is never touched); the models are not changed and must not be
// afterwards.
func NewScorer(ms []*Model) *Scorer {
	if len(ms) != 4 || !fused4(ms) {
		return nil
	}
	s := &Scorer{ms: [4]*Model(ms), rows: (*[1 << fixedBits]scorerRow)(hugepage.Make[scorerRow](1 << fixedBits))}
	qa, qb, qc, qs := ms[0].Q, ms[1].Q, ms[2].Q, ms[3].Q
	for i := range s.rows {
		s.rows[i] = scorerRow{qa[i], qb[i], qc[i], qs[3*i], qs[3*i+1], qs[3*i+2]}
	}
	return s
}

// Models returns the four models s scores, in PredictEach's order.
func (s *Scorer) Models() []*Model { return s.ms[:] }

// Bytes returns the memory the interleaved table takes.
func (s *Scorer) Bytes() int { return len(s.rows) * len(scorerRow{}) * 2 }

// PredictEach is PredictEach(d, s.Models(), minTop, out) from the
// interleaved table: out[i] is Models()[i].PredictMin(d, minTop[i]).
func (s *Scorer) PredictEach(d *Doc, minTop []float64, out []Prediction) {
	var logits [4][8]float64
	var raw fusedRaw
	rawOK := 2*len(d.tokens) <= len(raw.word[0]) && len(d.charRuns) <= len(raw.run[0])
	s.scores(d, &logits, &raw, rawOK)
	for i, m := range s.ms {
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
}

// scores is scoresFused4 reading the interleaved rows.
func (s *Scorer) scores(d *Doc, logits *[4][8]float64, raw *fusedRaw, keep bool) {
	const shift = 32 - fixedBits
	q := s.rows
	word, char := d.feats[:d.nWord], d.feats[d.nWord:]
	var acc [2][6]int32 // word, char: a, b, c, sentiment 0..2
	var a, b, c, s0, s1, s2 int32
	nc := 0
	if keep {
		nc = min(max(2*len(d.tokens)-1, 0), len(word))
		for j, h := range word[:nc] {
			w := &q[h>>shift]
			va, vb, vc := int32(w[0]), int32(w[1]), int32(w[2])
			raw.word[0][j], raw.word[1][j], raw.word[2][j] = va, vb, vc
			a += va
			b += vb
			c += vc
			s0 += int32(w[3])
			s1 += int32(w[4])
			s2 += int32(w[5])
		}
	}
	for _, h := range word[nc:] {
		w := &q[h>>shift]
		a += int32(w[0])
		b += int32(w[1])
		c += int32(w[2])
		s0 += int32(w[3])
		s1 += int32(w[4])
		s2 += int32(w[5])
	}
	acc[0] = [6]int32{a, b, c, s0, s1, s2}
	a, b, c, s0, s1, s2 = 0, 0, 0, 0, 0, 0
	if keep {
		start := uint32(0)
		for r, run := range d.charRuns {
			end := run.end - uint32(d.nWord)
			var ra, rb, rc int32
			for _, h := range char[start:end] {
				w := &q[h>>shift]
				ra += int32(w[0])
				rb += int32(w[1])
				rc += int32(w[2])
				s0 += int32(w[3])
				s1 += int32(w[4])
				s2 += int32(w[5])
			}
			start = end
			raw.run[0][r], raw.run[1][r], raw.run[2][r] = ra, rb, rc
			a += ra
			b += rb
			c += rc
		}
	} else {
		for _, h := range char {
			w := &q[h>>shift]
			a += int32(w[0])
			b += int32(w[1])
			c += int32(w[2])
			s0 += int32(w[3])
			s1 += int32(w[4])
			s2 += int32(w[5])
		}
	}
	acc[1] = [6]int32{a, b, c, s0, s1, s2}
	fusedLogits(d, s.ms[:], &acc, logits)
}
