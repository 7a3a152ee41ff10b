package ops

import (
	"fmt"
	"hash"
	"io"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BatchNormTrain is training-mode batch normalization, as PyTorch's
// BatchNorm1d/2d in train(): per channel c of x (N, C) or (N, C, H, W),
// y = γ_c·(x − μ_c)/√(σ²_c + eps) + β_c with the batch mean μ and the
// biased batch variance σ². gamma and beta have C elements (shape (C) as in
// PyTorch's state dicts, or e.g. (1, C, 1, 1)). Gradients flow to x, gamma
// and beta.
//
// If stats is not nil, every forward run writes the batch mean and the
// unbiased batch variance into it; pass it to UpdateRunning after the run
// to update the running statistics (which this op neither reads nor keeps).
// Building the node twice with different stats gives two nodes.
//
// The backward ops recompute the batch statistics from x rather than share
// state with the forward op, so the graph stays correct however Gorgonia
// schedules, repeats or shares the ops.
func BatchNormTrain(x, gamma, beta *G.Node, eps float64, stats *BatchStats) (*G.Node, error) {
	p, err := newBNParams("BatchNormTrain", x, gamma, beta, eps)
	if err != nil {
		return nil, err
	}
	if n, _, s := p.layout(); n*s < 2 {
		return nil, fmt.Errorf("ops.BatchNormTrain: x of shape %v has %d value per channel; training needs more than 1 (as in PyTorch)", p.in, n*s)
	}
	return apply(fmt.Sprintf("ops.BatchNormTrain of %v", p.in), &bnTrainOp{bnParams: p, stats: stats}, x, gamma, beta)
}

type bnTrainOp struct {
	pure
	bnParams
	stats *BatchStats
}

var _ G.SDOp = (*bnTrainOp)(nil)

func (op *bnTrainOp) Arity() int { return 3 }
func (op *bnTrainOp) Type() hm.Type {
	return fnType(op.in.Dims(), op.in.Dims(), op.gamma.Dims(), op.beta.Dims())
}
func (op *bnTrainOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return bnInferShape(op, op.bnParams, in)
}
func (op *bnTrainOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 3, op.in, bnTrainKernel[float64](op), bnTrainKernel[float32](op))
}
func (op *bnTrainOp) String() string {
	return fmt.Sprintf("ops.BatchNormTrain{%v, stats=%p}", op.bnParams, op.stats)
}
func (op *bnTrainOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *bnTrainOp) Hashcode() uint32      { return hashOf(op) }
func (op *bnTrainOp) writesAll() bool       { return true }
func (op *bnTrainOp) DiffWRT(n int) []bool  { return []bool{true, true, true} }
func (op *bnTrainOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("ops: %v has 3 inputs, got %d", op, len(in))
	}
	x, gamma := in[0], in[1]
	dx, err := applyOp(&bnTrainGradOp{bnParams: op.bnParams}, x, gamma, grad)
	if err != nil {
		return nil, err
	}
	dgamma, dbeta, err := affineGrads(op.bnParams, &bnGammaGradOp{bnParams: op.bnParams}, x, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dgamma, dbeta}, nil
}

// bnInferShape checks the shapes of (x, gamma, beta) against p.
func bnInferShape(op fmt.Stringer, p bnParams, in []G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, 3, in)
	if err != nil {
		return nil, err
	}
	if !s[0].Eq(p.in) || !s[1].Eq(p.gamma) || !s[2].Eq(p.beta) {
		return nil, fmt.Errorf("ops: %v got shapes %v, %v, %v", op, s[0], s[1], s[2])
	}
	return p.in.Clone(), nil
}

// normalize writes y = (x − mean)·γ·inv + β per channel, followed by a
// ReLU if relu.
func normalize[T Float](p bnParams, x, gamma, beta, y []T, mean, inv []float64, relu bool) error {
	_, c, s := p.layout()
	// each (image, channel) plane is independent: split them over the cores
	return parallelItems(len(x)/max(s, 1), s, func(lo, hi int) {
		for q := lo; q < hi; q++ {
			ch := q % c
			mu, a, b := mean[ch], float64(gamma[ch])*inv[ch], float64(beta[ch])
			xs, ys := part(x, q, s), part(y, q, s)
			if relu { // max(T(z), 0) = T(max(z, 0)): rounding keeps the sign
				for j, v := range xs {
					ys[j] = T(max((float64(v)-mu)*a+b, 0))
				}
				continue
			}
			for j, v := range xs {
				ys[j] = T((float64(v)-mu)*a + b)
			}
		}
	})
}

func bnTrainKernel[T Float](op *bnTrainOp) kernelFunc[T] {
	return func(in [][]T, y []T) error {
		x, gamma, beta := in[0], in[1], in[2]
		n, c, s := op.layout()
		if err := checkLen("input", len(x), op.in.TotalSize()); err != nil {
			return err
		}
		if len(gamma) != c || len(beta) != c {
			return fmt.Errorf("gamma and beta have %d and %d elements; want %d", len(gamma), len(beta), c)
		}
		mean, variance := moments(x, n, c, s)
		if err := normalize(op.bnParams, x, gamma, beta, y, mean, invStd(variance, op.eps), false); err != nil {
			return err
		}
		if op.stats != nil {
			op.stats.set(mean, variance, n*s)
		}
		return nil
	}
}

// bnTrainGradOp maps (x, γ, dy) to dx = γ·inv·(dy − mean(dy) − x̂·mean(dy·x̂))
// with the batch's statistics, means over N·H·W.
type bnTrainGradOp struct {
	pure
	bnParams
}

func (op *bnTrainGradOp) Arity() int { return 3 }
func (op *bnTrainGradOp) Type() hm.Type {
	return fnType(op.in.Dims(), op.in.Dims(), op.gamma.Dims(), op.in.Dims())
}
func (op *bnTrainGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, 3, in)
	if err != nil {
		return nil, err
	}
	if !s[0].Eq(op.in) || !s[1].Eq(op.gamma) || !s[2].Eq(op.in) {
		return nil, fmt.Errorf("ops: %v got shapes %v, %v, %v", op, s[0], s[1], s[2])
	}
	return op.in.Clone(), nil
}
func (op *bnTrainGradOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 3, op.in, bnTrainGradKernel[float64](op), bnTrainGradKernel[float32](op))
}
func (op *bnTrainGradOp) String() string {
	return fmt.Sprintf("ops.BatchNormTrainGrad{%v}", op.bnParams)
}
func (op *bnTrainGradOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *bnTrainGradOp) Hashcode() uint32      { return hashOf(op) }

func bnTrainGradKernel[T Float](op *bnTrainGradOp) kernelFunc[T] {
	return func(in [][]T, dx []T) error {
		x, gamma, dy := in[0], in[1], in[2]
		n, c, s := op.layout()
		if err := checkLen("input", len(x), op.in.TotalSize()); err != nil {
			return err
		}
		if err := checkLen("gradient", len(dy), op.in.TotalSize()); err != nil {
			return err
		}
		if err := checkLen("gamma", len(gamma), c); err != nil {
			return err
		}
		mean, variance := moments(x, n, c, s)
		inv := invStd(variance, op.eps)
		// per channel: Σ dy and Σ dy·(x − μ)
		sg, sgx := make([]float64, c), make([]float64, c)
		for i := 0; i < n; i++ {
			for ch := 0; ch < c; ch++ {
				lo, hi := (i*c+ch)*s, (i*c+ch+1)*s
				sg[ch] += sumRow(dy[lo:hi])
				sgx[ch] += dotDevRow(dy[lo:hi], x[lo:hi], mean[ch])
			}
		}
		m := float64(n * s)
		for i := 0; i < n; i++ {
			for ch := 0; ch < c; ch++ {
				lo, hi := (i*c+ch)*s, (i*c+ch+1)*s
				mu, iv := mean[ch], inv[ch]
				a := float64(gamma[ch]) * iv
				mg := sg[ch] / m
				k := sgx[ch] * iv * iv / m // mean(dy·x̂)·inv
				out, g := dx[lo:hi], dy[lo:hi]
				for j, v := range x[lo:hi] {
					out[j] = T(a * (float64(g[j]) - mg - (float64(v)-mu)*k))
				}
			}
		}
		return nil
	}
}
