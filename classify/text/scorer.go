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
	sc, _ := s.scratch.Get().(*scorerScratch)
	if sc == nil {
		sc = new(scorerScratch)
	}
	defer s.scratch.Put(sc)
	raw := &sc.raw
	rawOK := 2*len(d.tokens) <= maxTopTokens && len(d.charRuns) <= len(raw) && len(d.feats) < maxLaneRows
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

// scorerRaw keeps, from Scorer.scores, the running lanes (x, y of
// sumRows) after each token's character n-grams: the difference of two
// consecutive entries is that token's n-gram lanes, from which topTerms
// takes its sums.
type scorerRaw [128][2]uint64

// scores computes the four models' logits: the same integer sums as
// scoresFused4 (int32, so equal however they are grouped), converted by
// fusedLogits. With keep it records the lanes after each character run in
// raw (which must then have room for them).
//
// The lanes of up to maxLaneRows rows cannot overflow, so a message (far
// fewer features) is summed in one pass, the character n-grams without a
// break between tokens; longer inputs are summed in chunks by sums.
func (s *Scorer) scores(d *Doc, logits *[4][8]float64, raw *scorerRaw, keep bool) {
	var acc [2][6]int32 // word, char: a, b, c, sentiment 0..2
	word, char := d.feats[:d.nWord], d.feats[d.nWord:]
	if len(d.feats) >= maxLaneRows {
		acc[0], acc[1] = s.sums(word), s.sums(char)
		fusedLogits(d, s.ms[:], &acc, logits)
		return
	}
	q := s.rows
	x, y, z := sumRows(q, word, 0, 0, 0)
	acc[0] = unpackLanes(x, y, z, uint32(len(word)))
	x, y, z = 0, 0, 0
	start := uint32(d.nWord)
	for r, run := range d.charRuns {
		x, y, z = sumRows(q, d.feats[start:run.end], x, y, z)
		start = run.end
		if keep {
			raw[r] = [2]uint64{x, y}
		}
	}
	// Not reached: the runs cover the n-grams.
	x, y, z = sumRows(q, d.feats[start:], x, y, z)
	acc[1] = unpackLanes(x, y, z, uint32(len(char)))
	fusedLogits(d, s.ms[:], &acc, logits)
}

// sumRows adds the rows of features hs to the lanes x, y, z: x takes a
// row's first word whole (carries run from one weight into the next), y
// that word's second and fourth weights in the low halves of its 32-bit
// lanes, z the second word (two weights in 32-bit lanes). unpackLanes
// separates the six sums. Three adds and one mask per row.
//
// It is kept out of line: inlined into a larger function, the compiler
// spills the loop's registers to the stack on every row.
//
//go:noinline
func sumRows(q *[1 << fixedBits]scorerRow, hs []uint32, x, y, z uint64) (uint64, uint64, uint64) {
	_ = q[0] // one nil check, before the loop
	for _, h := range hs {
		i := h >> (32 - fixedBits)
		w0, w1 := q[i][0], q[i][1]
		x += w0
		y += w0 >> 16 & laneMask
		z += w1
	}
	return x, y, z
}

// unpackLanes returns the six weight sums (the three binary models', then
// the three-class model's) of n < maxLaneRows rows from their lanes
// (sumRows). y and z hold exact sums of biased weights, each below 2^32.
// x is, modulo 2^64, A + B·2^16 + C·2^32 + S0·2^48 for the biased sums A,
// B, C, S0 of the row's first word; B and S0 are y's lanes, so
// x − B·2^16 − S0·2^48 is A + C·2^32 exactly, both below 2^32. Each sum
// is then debiased by n·rowBias in 32-bit arithmetic, which gives the
// int32 sum exactly (it lies within ±2^31).
func unpackLanes(x, y, z uint64, n uint32) [6]int32 {
	bias := n * rowBias
	b, s0 := uint32(y), uint32(y>>32)
	ac := x - uint64(b)<<16 - uint64(s0)<<48
	return [6]int32{
		int32(uint32(ac) - bias), int32(b - bias), int32(uint32(ac>>32) - bias),
		int32(s0 - bias), int32(uint32(z) - bias), int32(uint32(z>>32) - bias),
	}
}

// sums returns the six weight sums of the rows of features hs (any
// number), in chunks of fewer than maxLaneRows rows.
func (s *Scorer) sums(hs []uint32) [6]int32 {
	var out [6]int32
	for len(hs) > 0 {
		chunk := hs[:min(len(hs), maxLaneRows-1)]
		hs = hs[len(chunk):]
		x, y, z := sumRows(s.rows, chunk, 0, 0, 0)
		v := unpackLanes(x, y, z, uint32(len(chunk)))
		for i := range out {
			out[i] += v[i]
		}
	}
	return out
}

// topTerms is Model.Predict's attribution for binary model i (weight
// i of a row's first word), in the same order and arithmetic as
// evalFixed1: the word-level weights are read from the table again (the
// rows the pass just read), each token's n-gram sum is taken from the
// lanes kept in raw.
func (s *Scorer) topTerms(d *Doc, raw *scorerRaw, buf *[maxTopTokens]float32, m *Model, i int) []string {
	nc := min(max(2*len(d.tokens)-1, 0), d.nWord)
	contrib := buf[:2*len(d.tokens)]
	clear(contrib[nc:]) // the runs add to these; the words' are set below
	sw, sc := m.Scale*d.scaleW, m.Scale*d.scaleC
	q := s.rows
	shift := uint(16*i) & 63
	for j, h := range d.feats[:nc] {
		v := int32(q[h>>(32-fixedBits)][0]>>shift&0xFFFF) - rowBias
		contrib[j] = float32(v) * sw
	}
	var px, py uint64
	start := uint32(d.nWord)
	for r, run := range d.charRuns {
		x, y := raw[r][0], raw[r][1]
		v := laneSum(x-px, y-py, run.end-start, i)
		px, py, start = x, y, run.end
		contrib[run.term] += float32(v) * sc
	}
	return topTerms(d, contrib)
}

// laneSum is unpackLanes(x, y, 0, n)[i] for a binary model (i < 3).
func laneSum(x, y uint64, n uint32, i int) int32 {
	bias := n * rowBias
	b := uint32(y)
	if i == 1 {
		return int32(b - bias)
	}
	ac := x - uint64(b)<<16 - y>>32<<48
	return int32(uint32(ac>>(16*uint(i&2))) - bias) // a: low half, c: high half
}
