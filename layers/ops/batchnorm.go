package ops

import (
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"sync"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BatchStats receives the per-channel statistics of the batch that
// BatchNormTrain normalized, for updating running statistics after the run
// with UpdateRunning. The caller owns it; use one per BatchNormTrain node,
// and do not copy it after first use.
//
// The forward op writes it every time it runs (under a lock, so it may run
// on any goroutine): after TapeMachine.RunAll returns it holds the batch of
// that run. Mean and Var have one element per channel; Var is the unbiased
// variance (divided by Count−1), which is what PyTorch folds into its
// running variance, while the normalization itself uses the biased one.
type BatchStats struct {
	mu    sync.Mutex
	Mean  []float64
	Var   []float64
	Count int  // elements per channel: N·H·W
	Valid bool // set by each forward run, cleared by UpdateRunning
}

func (s *BatchStats) set(mean, biasedVar []float64, count int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.Mean) != len(mean) {
		s.Mean, s.Var = make([]float64, len(mean)), make([]float64, len(mean))
	}
	copy(s.Mean, mean)
	for c, v := range biasedVar {
		s.Var[c] = v * float64(count) / float64(count-1)
	}
	s.Count, s.Valid = count, true
}

// Snapshot returns copies of the batch mean and unbiased variance and
// whether a forward run has produced them since the last UpdateRunning.
func (s *BatchStats) Snapshot() (mean, unbiasedVar []float64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]float64(nil), s.Mean...), append([]float64(nil), s.Var...), s.Valid
}

// UpdateRunning folds the statistics of the last training run into the
// running statistics, as PyTorch's BatchNorm with a momentum does:
// running = (1−momentum)·running + momentum·batch, with the unbiased batch
// variance. runningMean and runningVar are float32 or float64 tensors of C
// elements, updated in place (graphs bound to them see the new values).
// It consumes stats: a second call without a new forward run is an error,
// so a batch is never counted twice.
func UpdateRunning(runningMean, runningVar *tensor.Dense, stats *BatchStats, momentum float64) error {
	if stats == nil {
		return errors.New("ops.UpdateRunning: stats is nil")
	}
	if !(momentum >= 0 && momentum <= 1) {
		return fmt.Errorf("ops.UpdateRunning: momentum %v is outside [0, 1]", momentum)
	}
	stats.mu.Lock()
	defer stats.mu.Unlock()
	if !stats.Valid {
		return errors.New("ops.UpdateRunning: no batch statistics; run the training graph (BatchNormTrain forward) first")
	}
	for _, t := range []*tensor.Dense{runningMean, runningVar} {
		if t != nil && (t.IsMaterializable() || t.RequiresIterator()) {
			return errors.New("ops.UpdateRunning: running statistics must be contiguous tensors, not views")
		}
	}
	rm, err := floats(runningMean)
	if err != nil {
		return fmt.Errorf("ops.UpdateRunning: running mean: %w", err)
	}
	rv, err := floats(runningVar)
	if err != nil {
		return fmt.Errorf("ops.UpdateRunning: running var: %w", err)
	}
	if len(rm) != len(stats.Mean) || len(rv) != len(stats.Var) {
		return fmt.Errorf("ops.UpdateRunning: running mean and var have %d and %d elements but the batch has %d channels", len(rm), len(rv), len(stats.Mean))
	}
	for c := range rm {
		rm[c] = (1-momentum)*rm[c] + momentum*stats.Mean[c]
		rv[c] = (1-momentum)*rv[c] + momentum*stats.Var[c]
	}
	if err := fill(runningMean, rm); err != nil {
		return fmt.Errorf("ops.UpdateRunning: running mean: %w", err)
	}
	if err := fill(runningVar, rv); err != nil {
		return fmt.Errorf("ops.UpdateRunning: running var: %w", err)
	}
	stats.Valid = false
	return nil
}

// floats copies a float32 or float64 tensor to []float64.
func floats(t *tensor.Dense) ([]float64, error) {
	if t == nil {
		return nil, errors.New("tensor is nil")
	}
	switch t.Dtype() {
	case tensor.Float64:
		d, err := data[float64](t)
		return append([]float64(nil), d...), err
	case tensor.Float32:
		d, err := data[float32](t)
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out, err
	}
	return nil, fmt.Errorf("tensor has dtype %v; want float32 or float64", t.Dtype())
}

// bnParams describe a batch norm over x of shape (N, C, ...) with affine
// parameters gamma and beta of C elements (any shape, e.g. (C) as in
// PyTorch's state dicts, or (1, C, 1, 1)).
type bnParams struct {
	in, gamma, beta tensor.Shape
	eps             float64
}

// layout returns N, C and the number of elements per sample and channel.
func (p bnParams) layout() (n, c, s int) {
	s = 1
	for _, d := range p.in[2:] {
		s *= d
	}
	return p.in[0], p.in[1], s
}

func (p bnParams) String() string {
	return fmt.Sprintf("in=%v, gamma=%v, beta=%v, eps=%v", p.in, p.gamma, p.beta, p.eps)
}

// reduceAxes are the axes a per-channel statistic sums over: all but 1.
func (p bnParams) reduceAxes() []int {
	axes := []int{0}
	for d := 2; d < p.in.Dims(); d++ {
		axes = append(axes, d)
	}
	return axes
}

func newBNParams(name string, x, gamma, beta *G.Node, eps float64) (bnParams, error) {
	if _, err := floatDtype("x", x); err != nil {
		return bnParams{}, fmt.Errorf("%s: %w", name, err)
	}
	if err := sameGraphDtype("x", x, "gamma", gamma); err != nil {
		return bnParams{}, fmt.Errorf("%s: %w", name, err)
	}
	if err := sameGraphDtype("x", x, "beta", beta); err != nil {
		return bnParams{}, fmt.Errorf("%s: %w", name, err)
	}
	p := bnParams{in: x.Shape(), gamma: gamma.Shape(), beta: beta.Shape(), eps: eps}
	if p.in.Dims() < 2 {
		return p, fmt.Errorf("ops.%s: x has shape %v; want (N, C) or (N, C, H, W)", name, p.in)
	}
	c := p.in[1]
	if p.gamma.TotalSize() != c || p.beta.TotalSize() != c || gamma.IsScalar() || beta.IsScalar() {
		return p, fmt.Errorf("ops.%s: gamma %v and beta %v must have C = %d elements for x of shape %v", name, p.gamma, p.beta, c, p.in)
	}
	if !(eps >= 0) || math.IsInf(eps, 0) {
		return p, fmt.Errorf("ops.%s: eps %v must be finite and non-negative", name, eps)
	}
	return p, nil
}

// moments returns the per-channel mean and biased variance of x, in
// float64 with two passes for accuracy.
func moments[T Float](x []T, n, c, s int) (mean, variance []float64) {
	mean, variance = make([]float64, c), make([]float64, c)
	m := float64(n * s)
	for i := 0; i < n; i++ {
		for ch := 0; ch < c; ch++ {
			mean[ch] += sumRow(x[(i*c+ch)*s : (i*c+ch+1)*s])
		}
	}
	for ch := range mean {
		mean[ch] /= m
	}
	for i := 0; i < n; i++ {
		for ch := 0; ch < c; ch++ {
			variance[ch] += sqDevRow(x[(i*c+ch)*s:(i*c+ch+1)*s], mean[ch])
		}
	}
	for ch := range variance {
		variance[ch] /= m
	}
	return mean, variance
}

// sumRow returns Σ x in float64. Four accumulators break the dependency
// chain of the additions (about 3× faster than one).
func sumRow[T Float](x []T) float64 {
	var a, b, c, d float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		a += float64(x[i])
		b += float64(x[i+1])
		c += float64(x[i+2])
		d += float64(x[i+3])
	}
	for ; i < len(x); i++ {
		a += float64(x[i])
	}
	return (a + b) + (c + d)
}

// sqDevRow returns Σ (x − mu)² in float64.
func sqDevRow[T Float](x []T, mu float64) float64 {
	var a, b, c, d float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		e, f, g, h := float64(x[i])-mu, float64(x[i+1])-mu, float64(x[i+2])-mu, float64(x[i+3])-mu
		a += e * e
		b += f * f
		c += g * g
		d += h * h
	}
	for ; i < len(x); i++ {
		e := float64(x[i]) - mu
		a += e * e
	}
	return (a + b) + (c + d)
}

// dotDevRow returns Σ g·(x − mu) in float64.
func dotDevRow[T Float](g, x []T, mu float64) float64 {
	g = g[:len(x)]
	var a, b, c, d float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		a += float64(g[i]) * (float64(x[i]) - mu)
		b += float64(g[i+1]) * (float64(x[i+1]) - mu)
		c += float64(g[i+2]) * (float64(x[i+2]) - mu)
		d += float64(g[i+3]) * (float64(x[i+3]) - mu)
	}
	for ; i < len(x); i++ {
		a += float64(g[i]) * (float64(x[i]) - mu)
	}
	return (a + b) + (c + d)
}

// invStd returns 1/√(v+eps) element-wise.
func invStd(v []float64, eps float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = 1 / math.Sqrt(x+eps)
	}
	return out
}

// affineGrads adds the gradients of beta and gamma (both of gamma's and
// beta's own shapes) to a batch norm's SymDiff: dβ = Σ g over all but the
// channel axis, dγ from gammaGrad.
func affineGrads(p bnParams, gammaGrad G.Op, x, grad *G.Node) (dgamma, dbeta *G.Node, err error) {
	if dgamma, err = applyOp(gammaGrad, x, grad); err != nil {
		return nil, nil, err
	}
	if dbeta, err = reduce("BatchNorm beta gradient", grad, p.reduceAxes(), false, 1); err != nil {
		return nil, nil, err
	}
	if !p.gamma.Eq(dgamma.Shape()) {
		if dgamma, err = G.Reshape(dgamma, p.gamma.Clone()); err != nil {
			return nil, nil, err
		}
	}
	if !p.beta.Eq(dbeta.Shape()) {
		if dbeta, err = G.Reshape(dbeta, p.beta.Clone()); err != nil {
			return nil, nil, err
		}
	}
	return dgamma, dbeta, nil
}

// bnGammaGradOp maps (x, dy) to dγ = Σ dy·x̂ per channel, where x̂ is x
// normalized by the batch's statistics (training) or by the running
// statistics read at run time (evaluation). Its output has shape (C).
type bnGammaGradOp struct {
	pure
	bnParams
	eval     bool
	mean, vr *tensor.Dense // running statistics when eval
}

func (op *bnGammaGradOp) Arity() int    { return 2 }
func (op *bnGammaGradOp) Type() hm.Type { return fnType(1, op.in.Dims(), op.in.Dims()) }
func (op *bnGammaGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if _, err := sameShape(op, op.in, in...); err != nil {
		return nil, err
	}
	return tensor.Shape{op.in[1]}, nil
}
func (op *bnGammaGradOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 2, tensor.Shape{op.in[1]}, bnGammaGradKernel[float64](op), bnGammaGradKernel[float32](op))
}
func (op *bnGammaGradOp) String() string {
	if op.eval {
		return fmt.Sprintf("ops.BatchNormGammaGrad{%v, eval, mean=%p, var=%p}", op.bnParams, op.mean, op.vr)
	}
	return fmt.Sprintf("ops.BatchNormGammaGrad{%v, train}", op.bnParams)
}
func (op *bnGammaGradOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *bnGammaGradOp) Hashcode() uint32      { return hashOf(op) }

func bnGammaGradKernel[T Float](op *bnGammaGradOp) kernelFunc[T] {
	return func(in [][]T, dgamma []T) error {
		x, dy := in[0], in[1]
		if err := checkLen("input", len(x), op.in.TotalSize()); err != nil {
			return err
		}
		if err := checkLen("gradient", len(dy), op.in.TotalSize()); err != nil {
			return err
		}
		n, c, s := op.layout()
		var mean, variance []float64
		if op.eval {
			var err error
			if mean, variance, err = runningStats(op.mean, op.vr, c); err != nil {
				return err
			}
		} else {
			mean, variance = moments(x, n, c, s)
		}
		inv := invStd(variance, op.eps)
		acc := make([]float64, c)
		for i := 0; i < n; i++ {
			for ch := 0; ch < c; ch++ {
				lo, hi := (i*c+ch)*s, (i*c+ch+1)*s
				acc[ch] += dotDevRow(dy[lo:hi], x[lo:hi], mean[ch])
			}
		}
		for ch := range acc {
			dgamma[ch] = T(acc[ch] * inv[ch])
		}
		return nil
	}
}

// runningStats reads the running mean and variance (C elements each).
func runningStats(mean, variance *tensor.Dense, c int) (m, v []float64, err error) {
	if m, err = floats(mean); err != nil {
		return nil, nil, fmt.Errorf("running mean: %w", err)
	}
	if v, err = floats(variance); err != nil {
		return nil, nil, fmt.Errorf("running var: %w", err)
	}
	if len(m) != c || len(v) != c {
		return nil, nil, fmt.Errorf("running mean and var have %d and %d elements; want %d channels", len(m), len(v), c)
	}
	return m, v, nil
}
