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

// scorerRow is one bucket's six weights in 16 bytes, each stored plus
// rowBias as a uint16 (so never negative): the first word holds the three
// binary models' weights and the three-class model's first, the second
// its other two in the low halves of its 32-bit lanes. Sums of rows are
// then taken two weights per 64-bit add (one per 32-bit lane, which
// cannot carry into the next for fewer than 2^16 rows) and debiased
// afterwards: three accumulators instead of six, with no sign extension.
type scorerRow [2]uint64

const (
	rowBias  = 1 << 15
	laneMask = 0x0000FFFF0000FFFF
	// maxLaneRows is how many rows a lane sums without overflow:
	// 2^16 × (2^16-1) < 2^32.
	maxLaneRows = 1 << 16
)

// packRow builds the row of weights a, b, c (binary models) and s0..s2.
func packRow(a, b, c, s0, s1, s2 int16) scorerRow {
	u := func(v int16) uint64 { return uint64(uint16(int32(v) + rowBias)) }
	return scorerRow{u(a) | u(b)<<16 | u(c)<<32 | u(s0)<<48, u(s1) | u(s2)<<32}
}

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
		s.rows[i] = packRow(qa[i], qb[i], qc[i], qs[3*i], qs[3*i+1], qs[3*i+2])
	}
	return s
}

// Models returns the four models s scores, in PredictEach's order.
func (s *Scorer) Models() []*Model { return s.ms[:] }

// Bytes returns the memory the interleaved table takes.
func (s *Scorer) Bytes() int { return len(s.rows) * 16 }

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

// scores is scoresFused4 reading the interleaved rows: the same integer
// sums (int32, so equal however they are grouped).
func (s *Scorer) scores(d *Doc, logits *[4][8]float64, raw *fusedRaw, keep bool) {
	const shift = 32 - fixedBits
	q := s.rows
	word, char := d.feats[:d.nWord], d.feats[d.nWord:]
	var acc [2][6]int32 // word, char: a, b, c, sentiment 0..2
	if keep {
		nc := min(max(2*len(d.tokens)-1, 0), len(word))
		for j, h := range word[:nc] {
			w := q[h>>shift][0]
			raw.word[0][j] = int32(w&0xFFFF) - rowBias
			raw.word[1][j] = int32(w>>16&0xFFFF) - rowBias
			raw.word[2][j] = int32(w>>32&0xFFFF) - rowBias
		}
	}
	acc[0] = s.sums(word)
	var a, b, c, s0, s1, s2 int32
	start := 0
	for r, run := range d.charRuns {
		end := int(run.end) - d.nWord
		v := s.sums(char[start:end])
		start = end
		if keep {
			raw.run[0][r], raw.run[1][r], raw.run[2][r] = v[0], v[1], v[2]
		}
		a += v[0]
		b += v[1]
		c += v[2]
		s0 += v[3]
		s1 += v[4]
		s2 += v[5]
	}
	if start < len(char) { // not reached: the runs cover the n-grams
		v := s.sums(char[start:])
		a, b, c, s0, s1, s2 = a+v[0], b+v[1], c+v[2], s0+v[3], s1+v[4], s2+v[5]
	}
	acc[1] = [6]int32{a, b, c, s0, s1, s2}
	fusedLogits(d, s.ms[:], &acc, logits)
}

// sums returns the six weight sums of the rows of features hs: the three
// binary models', then the three-class model's.
func (s *Scorer) sums(hs []uint32) [6]int32 {
	const shift = 32 - fixedBits
	q := s.rows
	var out [6]int32
	for len(hs) > 0 {
		chunk := hs[:min(len(hs), maxLaneRows)]
		hs = hs[len(chunk):]
		var x, y, z uint64 // lanes: a and c, b and s0, s1 and s2
		for _, h := range chunk {
			w := &q[h>>shift]
			x += w[0] & laneMask
			y += w[0] >> 16 & laneMask
			z += w[1]
		}
		n := uint32(len(chunk)) * rowBias
		out[0] += int32(uint32(x) - n)
		out[1] += int32(uint32(y) - n)
		out[2] += int32(uint32(x>>32) - n)
		out[3] += int32(uint32(y>>32) - n)
		out[4] += int32(uint32(z) - n)
		out[5] += int32(uint32(z>>32) - n)
	}
	return out
}
