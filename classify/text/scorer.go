package text

import (
	"math"
	"sync"

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
	// scratch recycles the buffers of PredictEach (*scorerScratch), which
	// would otherwise be zeroed on the stack for every message.
	scratch sync.Pool
}

// scorerScratch holds PredictEach's per-message buffers.
type scorerScratch struct {
	raw     scorerRaw
	contrib [maxTopTokens]float32
}

// scorerRow is one bucket's six weights in 16 bytes, each stored plus
// rowBias as a uint16 (so never negative) in a 21-bit lane: the first
// word holds the three binary models' weights, the second the
// three-class model's. Sums of rows are then taken three weights per
// 64-bit add (a lane holds the sum of laneRows rows without carrying
// into the next), two adds per row with no shift, mask or sign
// extension; the lanes are unpacked every laneRows rows and the sums
// debiased at the end.
type scorerRow [2]uint64

const (
	rowBias  = 1 << 15
	laneBits = 21
	laneMask = 1<<laneBits - 1
	// laneRows is how many rows a lane sums without overflow:
	// 32 × (2^16-1) < 2^21.
	laneRows = 1 << (laneBits - 16)
)

// packRow builds the row of weights a, b, c (binary models) and s0..s2.
func packRow(a, b, c, s0, s1, s2 int16) scorerRow {
	u := func(v int16) uint64 { return uint64(uint16(int32(v) + rowBias)) }
	return scorerRow{u(a) | u(b)<<laneBits | u(c)<<(2*laneBits), u(s0) | u(s1)<<laneBits | u(s2)<<(2*laneBits)}
}

// rowSums are the six biased weight sums of some rows, in wrapping 32-bit
// arithmetic: minus the number of rows times rowBias, they are the int32
// sums the models' own loops compute (which wrap the same way).
type rowSums [6]uint32

// debias returns the int32 sums of the n rows summed in s.
func (s *rowSums) debias(n int) [6]int32 {
	bias := uint32(n) * rowBias
	var out [6]int32
	for i, v := range s {
		out[i] = int32(v - bias)
	}
	return out
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
	sc, _ := s.scratch.Get().(*scorerScratch)
	if sc == nil {
		sc = new(scorerScratch)
	}
	defer s.scratch.Put(sc)
	raw := &sc.raw
	rawOK := 2*len(d.tokens) <= maxTopTokens && len(d.charRuns) <= len(raw)
	s.scores(d, &logits, raw, rawOK)
	for i, m := range s.ms {
		m.squash(logits[i][:])
		score := m.score(logits[i][:])
		switch {
		case !(score >= minTop[i]):
			out[i] = Prediction{Score: score}
		case rawOK && i < 3:
			out[i] = Prediction{Score: score, Top: s.topTerms(d, raw, &sc.contrib, m, i)}
		default:
			out[i] = m.PredictMin(d, math.Inf(-1))
		}
	}
}

// maxTopTokens bounds 2·tokens for the attribution kept by the fused
// passes (Scorer.PredictEach, PredictEach); longer texts get theirs from
// PredictMin.
const maxTopTokens = 256

// scorerRaw keeps, from Scorer.scores, the binary models' running
// character n-gram sums (rowSums[:3]) after each token's n-grams: the
// difference of two consecutive entries is that token's, from which
// topTerms takes its attribution.
type scorerRaw [128][3]uint32

// scores computes the four models' logits: the same integer sums as
// scoresFused4 (int32, so equal however they are grouped), converted by
// fusedLogits. With keep it records the running sums after each
// character run in raw (which must then have room for them).
func (s *Scorer) scores(d *Doc, logits *[4][8]float64, raw *scorerRaw, keep bool) {
	var acc [2][6]int32 // word, char: a, b, c, sentiment 0..2
	word, char := d.feats[:d.nWord], d.feats[d.nWord:]
	q := s.rows
	var ws, cs rowSums
	sumRows(q, word, &ws)
	acc[0] = ws.debias(len(word))
	start := uint32(d.nWord)
	for r, run := range d.charRuns {
		sumRows(q, d.feats[start:run.end], &cs)
		start = run.end
		if keep {
			raw[r] = [3]uint32{cs[0], cs[1], cs[2]}
		}
	}
	// Not reached: the runs cover the n-grams.
	sumRows(q, d.feats[start:], &cs)
	acc[1] = cs.debias(len(char))
	fusedLogits(d, s.ms[:], &acc, logits)
}

// sumRows adds the rows of features hs to sums: laneRows rows at a time
// into two words of three lanes (two adds per row), each chunk's lanes
// then added to sums.
//
// It is kept out of line: inlined into a larger function, the compiler
// spills the loop's registers to the stack on every row.
//
//go:noinline
func sumRows(q *[1 << fixedBits]scorerRow, hs []uint32, sums *rowSums) {
	_ = q[0] // one nil check, before the loops
	for len(hs) > 0 {
		chunk := hs[:min(len(hs), laneRows)]
		hs = hs[len(chunk):]
		var x, y uint64
		for _, h := range chunk {
			i := h >> (32 - fixedBits)
			x += q[i][0]
			y += q[i][1]
		}
		sums[0] += uint32(x & laneMask)
		sums[1] += uint32(x >> laneBits & laneMask)
		sums[2] += uint32(x >> (2 * laneBits))
		sums[3] += uint32(y & laneMask)
		sums[4] += uint32(y >> laneBits & laneMask)
		sums[5] += uint32(y >> (2 * laneBits))
	}
}

// sums returns the six weight sums of the rows of features hs.
func (s *Scorer) sums(hs []uint32) [6]int32 {
	var sums rowSums
	sumRows(s.rows, hs, &sums)
	return sums.debias(len(hs))
}

// topTerms is Model.Predict's attribution for binary model i (lane i of
// a row's first word), in the same order and arithmetic as evalFixed1:
// the word-level weights are read from the table again (the rows the
// pass just read), each token's n-gram sum is taken from the running sums
// kept in raw.
func (s *Scorer) topTerms(d *Doc, raw *scorerRaw, buf *[maxTopTokens]float32, m *Model, i int) []string {
	nc := min(max(2*len(d.tokens)-1, 0), d.nWord)
	contrib := buf[:2*len(d.tokens)]
	clear(contrib[nc:]) // the runs add to these; the words' are set below
	sw, sc := m.Scale*d.scaleW, m.Scale*d.scaleC
	q := s.rows
	shift := uint(laneBits*i) & 63
	for j, h := range d.feats[:nc] {
		v := int32(q[h>>(32-fixedBits)][0]>>shift&laneMask) - rowBias
		contrib[j] = float32(v) * sw
	}
	var prev uint32
	start := uint32(d.nWord)
	for r, run := range d.charRuns {
		sum := raw[r][i]
		v := int32(sum - prev - (run.end-start)*rowBias)
		prev, start = sum, run.end
		contrib[run.term] += float32(v) * sc
	}
	return topTerms(d, contrib)
}
