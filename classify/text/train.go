package text

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
)

// Example is one labeled document for training.
type Example struct {
	// Doc is the analysed text.
	Doc *Doc
	// Label is 0/1 for a binary model, the class index otherwise.
	Label int
	// Weight scales the example's loss; 0 means 1.
	Weight float64
	// Domain is the example's corpus, 1 and up, for domain-specific
	// feature copies (see TrainConfig.DomainScale); 0 means none.
	Domain int
}

// TrainConfig sets the optimizer and model shape.
type TrainConfig struct {
	// Bits is log2 of the number of hash buckets (8..24).
	Bits uint8
	// Classes is 1 for a binary model, else the number of classes.
	Classes int
	// Lambda is the L2 penalty on weights (not on intercepts), relative to
	// the mean loss.
	Lambda float64
	// MaxIter bounds the L-BFGS iterations.
	MaxIter int
	// Balanced weights each class by n/(classes·n_class), so minority
	// classes count as much as majority ones.
	Balanced bool
	// IDF scales each bucket's L2 penalty by 1/idf², which is the same as
	// training on tf-idf values and folding the idf into the stored
	// weights: prediction stays a plain sum of weights.
	IDF bool
	// Workers splits the gradient over goroutines; results do not depend
	// on it because partial sums are added in a fixed order.
	Workers int
	// NB scales each bucket's L2 penalty by 1/r², where r is the bucket's
	// naive-Bayes log-count ratio (smoothed document frequency in class 1
	// over class 0, |r| floored at NBFloor). That is logistic regression on
	// NB-scaled features (NBSVM-style) with the scaling folded into the
	// stored weights: prediction is unchanged. A multinomial model scales
	// the penalty of class c's weight by its one-vs-rest ratio r_c, i.e.
	// each class sees the features scaled by its own ratios.
	NB bool
	// NBFloor is the smallest |r| used (0 means 0.25).
	NBFloor float64
	// DomainScale, when positive, gives every example with a Domain a
	// copy of its features in a space of its own domain, scaled by
	// DomainScale, besides the shared features (feature augmentation,
	// Daumé 2007): what is peculiar to one corpus can be learned by its
	// copies instead of bending the shared weights. Only the shared
	// weights are kept in the model, so its size, format and inference
	// are unchanged. A copy's penalty is its bucket's (idf and NB
	// scaling included) divided by DomainScale², which is the same as
	// scaling the copied feature values by DomainScale.
	DomainScale float64
}

// ErrNoData is returned when there is nothing to train on.
var ErrNoData = errors.New("no training examples")

// Train fits a model on ex by minimising the (class-weighted) mean log loss
// plus an L2 penalty with L-BFGS. Training is deterministic: the same
// examples in the same order give identical weights.
func Train(ctx context.Context, task Task, lang string, ex []Example, cfg TrainConfig) (*Model, error) {
	if len(ex) == 0 {
		return nil, ErrNoData
	}
	if cfg.Bits < 8 || cfg.Bits > 24 {
		return nil, fmt.Errorf("train %s_%s: bits %d outside 8..24", task, lang, cfg.Bits)
	}
	if cfg.Classes < 1 || cfg.Classes > 8 {
		return nil, fmt.Errorf("train %s_%s: classes %d outside 1..8", task, lang, cfg.Classes)
	}
	if cfg.MaxIter <= 0 {
		cfg.MaxIter = 200
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	nLab := max(cfg.Classes, 2)
	for i, e := range ex {
		if e.Label < 0 || e.Label >= nLab {
			return nil, fmt.Errorf("train %s_%s: example %d: label %d outside 0..%d", task, lang, i, e.Label, nLab-1)
		}
	}
	p := newProblem(ex, cfg)
	x := make([]float64, p.dim())
	if err := lbfgs(ctx, p, x, cfg.MaxIter); err != nil {
		return nil, fmt.Errorf("train %s/%s: %w", task, lang, err)
	}
	m := &Model{Task: task, Lang: lang, Bits: cfg.Bits, Classes: cfg.Classes, Threshold: 0.5}
	k := cfg.Classes
	w := make([]float64, k<<cfg.Bits)
	for b, id := range p.dense {
		if id < 0 {
			continue
		}
		for c := 0; c < k; c++ {
			w[b*k+c] = x[int(id)*k+c]
		}
	}
	m.quantize(w)
	m.Bias = make([]float32, k)
	for c := 0; c < k; c++ {
		m.Bias[c] = float32(x[p.nw+c])
	}
	return m, nil
}

// problem is the training set in compressed sparse rows over the buckets
// that occur, plus the objective.
type problem struct {
	k       int
	pen     []float64 // per weight (active bucket × class): lambda, scaled by 1/idf² and 1/r²
	workers int
	dense   []int32 // bucket -> active id, -1 if absent
	nw      int     // number of weights (active buckets × k)
	start   []int   // row i: idx[start[i]:mid[i]] word features, idx[mid[i]:start[i+1]] char n-grams
	mid     []int
	idx     []int32
	scaleW  []float64
	scaleC  []float64
	y       []int
	w       []float64 // example weight, normalized to sum 1
	grads   [][]float64
}

func newProblem(ex []Example, cfg TrainConfig) *problem {
	p := &problem{k: cfg.Classes, workers: cfg.Workers}
	p.dense = make([]int32, 1<<cfg.Bits)
	for i := range p.dense {
		p.dense[i] = -1
	}
	for _, e := range ex {
		for _, h := range e.Doc.feats {
			p.dense[bucket(h, cfg.Bits)] = 0
		}
	}
	var n int32
	for b, v := range p.dense {
		if v == 0 {
			p.dense[b] = n
			n++
		}
	}
	p.nw = int(n) * p.k
	p.pen = make([]float64, p.nw)
	df := make([]int32, n)
	last := make([]int32, n)
	for i, e := range ex {
		for _, h := range e.Doc.feats {
			id := p.dense[bucket(h, cfg.Bits)]
			if last[id] != int32(i+1) {
				last[id] = int32(i + 1)
				df[id]++
			}
		}
	}
	for id := range df {
		l := cfg.Lambda
		if cfg.IDF {
			idf := math.Log(float64(1+len(ex))/float64(1+df[id])) + 1
			l = cfg.Lambda / (idf * idf)
		}
		for c := 0; c < p.k; c++ {
			p.pen[id*p.k+c] = l
		}
	}
	if cfg.NB {
		nbScale(p.pen, p.k, ex, p.dense, cfg)
	}
	copies := domainCopies(ex, p.dense, n, cfg)
	if copies != nil {
		p.pen = copyPenalties(p.pen, p.k, copies, cfg.DomainScale)
		p.nw = len(p.pen)
	}
	counts := make([]float64, max(p.k, 2))
	for _, e := range ex {
		counts[e.Label]++
	}
	p.start = make([]int, 0, len(ex)+1)
	p.start = append(p.start, 0)
	var tot float64
	for _, e := range ex {
		var cp []int32
		if e.Domain > 0 && copies != nil {
			cp = copies[e.Domain-1]
		}
		nWord := min(e.Doc.nWord, len(e.Doc.feats))
		for _, part := range [][]uint32{e.Doc.feats[:nWord], e.Doc.feats[nWord:]} {
			from := len(p.idx)
			for _, h := range part {
				p.idx = append(p.idx, p.dense[bucket(h, cfg.Bits)])
			}
			if cp != nil {
				for _, id := range p.idx[from:] {
					p.idx = append(p.idx, cp[id])
				}
			}
			if len(p.mid) < len(p.start) {
				p.mid = append(p.mid, len(p.idx))
			}
		}
		p.start = append(p.start, len(p.idx))
		p.scaleW = append(p.scaleW, float64(e.Doc.scaleW))
		p.scaleC = append(p.scaleC, float64(e.Doc.scaleC))
		p.y = append(p.y, e.Label)
		w := e.Weight
		if w == 0 {
			w = 1
		}
		if cfg.Balanced {
			w *= float64(len(ex)) / (float64(len(counts)) * counts[e.Label])
		}
		p.w = append(p.w, w)
		tot += w
	}
	for i := range p.w {
		p.w[i] /= tot
	}
	p.grads = make([][]float64, p.workers)
	for i := range p.grads {
		p.grads[i] = make([]float64, p.dim())
	}
	return p
}

// domainCopies returns, when cfg asks for domain copies and some example
// has a Domain, per domain d (index d-1) the weight id of the copy of each
// of the n active buckets that occurs in d (-1 where none does). Copy ids
// follow the n shared ones, domain by domain, in bucket order.
func domainCopies(ex []Example, dense []int32, n int32, cfg TrainConfig) [][]int32 {
	if cfg.DomainScale <= 0 {
		return nil
	}
	var copies [][]int32
	for _, e := range ex {
		if e.Domain <= 0 {
			continue
		}
		for len(copies) < e.Domain {
			c := make([]int32, n)
			for i := range c {
				c[i] = -1
			}
			copies = append(copies, c)
		}
		c := copies[e.Domain-1]
		for _, h := range e.Doc.feats {
			c[dense[bucket(h, cfg.Bits)]] = 0
		}
	}
	next := n
	for _, c := range copies {
		for id, v := range c {
			if v == 0 {
				c[id] = next
				next++
			}
		}
	}
	return copies
}

// copyPenalties extends pen (k weights per active bucket) with the
// penalties of the domain copies: their bucket's divided by scale².
func copyPenalties(pen []float64, k int, copies [][]int32, scale float64) []float64 {
	s2 := scale * scale
	for _, c := range copies {
		for id, v := range c {
			if v < 0 {
				continue
			}
			for j := 0; j < k; j++ {
				pen = append(pen, pen[id*k+j]/s2)
			}
		}
	}
	return pen
}

// nbScale divides the penalty of each active bucket's weight for class c
// (k classes; k == 1 is binary, its one weight being class 1 against 0) by
// the squared naive-Bayes log-count ratio of class c against the others.
func nbScale(pen []float64, k int, ex []Example, dense []int32, cfg TrainConfig) {
	floor := cfg.NBFloor
	if floor <= 0 {
		floor = 0.25
	}
	nLab := max(k, 2)
	nb := len(pen) / k
	n := make([]float64, nLab)
	df := make([][]float64, nLab)
	for c := range df {
		df[c] = make([]float64, nb)
	}
	last := make([]int32, nb)
	for i, e := range ex {
		n[e.Label]++
		for _, h := range e.Doc.feats {
			id := dense[bucket(h, cfg.Bits)]
			if last[id] != int32(i+1) {
				last[id] = int32(i + 1)
				df[e.Label][id]++
			}
		}
	}
	var nAll float64
	for _, v := range n {
		nAll += v
	}
	for id := 0; id < nb; id++ {
		var dfAll float64
		for c := range df {
			dfAll += df[c][id]
		}
		for c := 0; c < k; c++ {
			cls := c
			if k == 1 {
				cls = 1
			}
			in, nIn := df[cls][id], n[cls]
			out, nOut := dfAll-in, nAll-nIn
			r := math.Abs(math.Log((in + 1) / (nIn + 2) * (nOut + 2) / (out + 1)))
			r = max(r, floor)
			pen[id*k+c] /= r * r
		}
	}
}

func (p *problem) dim() int { return p.nw + p.k }

// eval returns the objective at x and writes its gradient into g.
func (p *problem) eval(x, g []float64) float64 {
	n := len(p.y)
	losses := make([]float64, p.workers)
	var wg sync.WaitGroup
	for wk := 0; wk < p.workers; wk++ {
		lo, hi := n*wk/p.workers, n*(wk+1)/p.workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			losses[wk] = p.evalRange(x, p.grads[wk], lo, hi)
		}()
	}
	wg.Wait()
	var f float64
	clear(g)
	for wk := 0; wk < p.workers; wk++ {
		f += losses[wk]
		for i, v := range p.grads[wk] {
			g[i] += v
		}
	}
	for i := 0; i < p.nw; i++ {
		l := p.pen[i]
		f += 0.5 * l * x[i] * x[i]
		g[i] += l * x[i]
	}
	return f
}

func (p *problem) evalRange(x, g []float64, lo, hi int) float64 {
	clear(g)
	k := p.k
	var f float64
	var z, zc [8]float64
	for i := lo; i < hi; i++ {
		rowW := p.idx[p.start[i]:p.mid[i]]
		rowC := p.idx[p.mid[i]:p.start[i+1]]
		sw, sc := p.scaleW[i], p.scaleC[i]
		for c := 0; c < k; c++ {
			z[c], zc[c] = 0, 0
		}
		for _, id := range rowW {
			base := int(id) * k
			for c := 0; c < k; c++ {
				z[c] += x[base+c]
			}
		}
		for _, id := range rowC {
			base := int(id) * k
			for c := 0; c < k; c++ {
				zc[c] += x[base+c]
			}
		}
		for c := 0; c < k; c++ {
			z[c] = z[c]*sw + zc[c]*sc + x[p.nw+c]
		}
		wi := p.w[i]
		if k == 1 {
			y := float64(p.y[i])
			// log(1+e^z) - y z, stably
			zz := z[0]
			if zz > 0 {
				f += wi * (zz + math.Log1p(math.Exp(-zz)) - y*zz)
			} else {
				f += wi * (math.Log1p(math.Exp(zz)) - y*zz)
			}
			z[0] = wi * (sigmoid(zz) - y)
		} else {
			mx := z[0]
			for c := 1; c < k; c++ {
				mx = max(mx, z[c])
			}
			var sum float64
			for c := 0; c < k; c++ {
				sum += math.Exp(z[c] - mx)
			}
			lse := mx + math.Log(sum)
			f += wi * (lse - z[p.y[i]])
			for c := 0; c < k; c++ {
				pc := math.Exp(z[c] - lse)
				if c == p.y[i] {
					pc--
				}
				z[c] = wi * pc
			}
		}
		for c := 0; c < k; c++ {
			g[p.nw+c] += z[c]
			zc[c] = z[c] * sc
			z[c] *= sw
		}
		for _, id := range rowW {
			base := int(id) * k
			for c := 0; c < k; c++ {
				g[base+c] += z[c]
			}
		}
		for _, id := range rowC {
			base := int(id) * k
			for c := 0; c < k; c++ {
				g[base+c] += zc[c]
			}
		}
	}
	return f
}

// lbfgs minimises p from x in place with limited-memory BFGS and a
// backtracking (Armijo) line search. It checks ctx before every iteration
// and returns its error when cancelled.
func lbfgs(ctx context.Context, p *problem, x []float64, maxIter int) error {
	const (
		mem  = 7
		tol  = 1e-6
		c1   = 1e-4
		ftol = 1e-10
	)
	n := len(x)
	g := make([]float64, n)
	f := p.eval(x, g)
	s := make([][]float64, 0, mem)
	yv := make([][]float64, 0, mem)
	rho := make([]float64, 0, mem)
	alpha := make([]float64, mem)
	d := make([]float64, n)
	xn := make([]float64, n)
	gn := make([]float64, n)
	g0 := norm2(g)
	for it := 0; it < maxIter; it++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if norm2(g) <= tol*max(1, g0) {
			return nil
		}
		// two-loop recursion: d = -H g
		copy(d, g)
		for i := len(s) - 1; i >= 0; i-- {
			alpha[i] = rho[i] * dot(s[i], d)
			axpy(-alpha[i], yv[i], d)
		}
		if len(s) > 0 {
			last := len(s) - 1
			gamma := dot(s[last], yv[last]) / dot(yv[last], yv[last])
			for i := range d {
				d[i] *= gamma
			}
		} else {
			sc := 1 / max(norm2(g), 1e-12)
			for i := range d {
				d[i] *= sc
			}
		}
		for i := 0; i < len(s); i++ {
			b := rho[i] * dot(yv[i], d)
			axpy(alpha[i]-b, s[i], d)
		}
		for i := range d {
			d[i] = -d[i]
		}
		gd := dot(g, d)
		if gd >= 0 { // not a descent direction: restart from steepest descent
			s, yv, rho = s[:0], yv[:0], rho[:0]
			for i := range d {
				d[i] = -g[i]
			}
			gd = dot(g, d)
		}
		step := 1.0
		var fn float64
		ok := false
		for ls := 0; ls < 30; ls++ {
			for i := range x {
				xn[i] = x[i] + step*d[i]
			}
			fn = p.eval(xn, gn)
			if fn <= f+c1*step*gd {
				ok = true
				break
			}
			step *= 0.5
		}
		if !ok {
			return nil
		}
		var sv, yy []float64
		if len(s) == mem {
			sv, yy = s[0], yv[0]
			s, yv, rho = s[1:], yv[1:], rho[1:]
		} else {
			sv, yy = make([]float64, n), make([]float64, n)
		}
		for i := range x {
			sv[i] = xn[i] - x[i]
			yy[i] = gn[i] - g[i]
		}
		sy := dot(sv, yy)
		copy(x, xn)
		copy(g, gn)
		done := math.Abs(f-fn) <= ftol*max(1, math.Abs(f))
		f = fn
		if sy > 1e-12 {
			s = append(s, sv)
			yv = append(yv, yy)
			rho = append(rho, 1/sy)
		}
		if done {
			return nil
		}
	}
	return nil
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func axpy(a float64, x, y []float64) {
	for i, v := range x {
		y[i] += a * v
	}
}

func norm2(a []float64) float64 { return math.Sqrt(dot(a, a)) }
