package ops

import (
	"fmt"
	"hash"
	"io"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BatchNormEval is evaluation-mode (frozen statistics) batch
// normalization, as PyTorch's BatchNorm1d/2d in eval(): per channel c,
// y = x·scale_c + shift_c with scale = γ/√(running_var + eps) and
// shift = β − running_mean·scale. runningMean and runningVar are float32 or
// float64 tensors of C elements owned by the caller; they are constants of
// the graph (no gradient) but are read on every run, so updating them in
// place (e.g. with UpdateRunning, or by loading weights) is seen by graphs
// built earlier. Do not modify them while a graph using them runs.
//
// Gradients flow to x (dy·scale), gamma and beta; this is what fine-tuning
// with frozen batch-norm statistics needs. (Gorgonia's eval-mode BatchNorm
// scales the input gradient by 1/√eps instead: ~316 times too large for
// eps = 1e-5.)
func BatchNormEval(x, gamma, beta *G.Node, runningMean, runningVar *tensor.Dense, eps float64) (*G.Node, error) {
	return batchNormEval("BatchNormEval", x, gamma, beta, runningMean, runningVar, eps, false)
}

// BatchNormEvalReLU is ReLU(BatchNormEval(...)) as one op: one pass over
// the activation instead of two, and one output buffer instead of two —
// what every convolution, batch norm and ReLU of a ResNet in evaluation
// costs. Values and gradients are those of the two ops.
func BatchNormEvalReLU(x, gamma, beta *G.Node, runningMean, runningVar *tensor.Dense, eps float64) (*G.Node, error) {
	return batchNormEval("BatchNormEvalReLU", x, gamma, beta, runningMean, runningVar, eps, true)
}

func batchNormEval(name string, x, gamma, beta *G.Node, runningMean, runningVar *tensor.Dense, eps float64, relu bool) (*G.Node, error) {
	p, err := newBNParams(name, x, gamma, beta, eps)
	if err != nil {
		return nil, err
	}
	if _, _, err := runningStats(runningMean, runningVar, p.in[1]); err != nil {
		return nil, fmt.Errorf("ops.%s of %v: %w", name, p.in, err)
	}
	op := &bnEvalOp{bnParams: p, mean: runningMean, vr: runningVar, relu: relu}
	return apply(fmt.Sprintf("ops.%s of %v", name, p.in), op, x, gamma, beta)
}

type bnEvalOp struct {
	pure
	bnParams
	mean, vr *tensor.Dense
	relu     bool // followed by a ReLU, fused
}

var _ G.SDOp = (*bnEvalOp)(nil)

func (op *bnEvalOp) Arity() int { return 3 }
func (op *bnEvalOp) Type() hm.Type {
	return fnType(op.in.Dims(), op.in.Dims(), op.gamma.Dims(), op.beta.Dims())
}
func (op *bnEvalOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return bnInferShape(op, op.bnParams, in)
}
func (op *bnEvalOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 3, op.in, bnEvalKernel[float64](op), bnEvalKernel[float32](op))
}

// String names the running tensors by address: two BatchNormEval nodes
// over different buffers must never be merged by hash-consing, even while
// the buffers hold equal values.
func (op *bnEvalOp) String() string {
	return fmt.Sprintf("ops.BatchNormEval{%v, mean=%p, var=%p, relu=%t}", op.bnParams, op.mean, op.vr, op.relu)
}
func (op *bnEvalOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *bnEvalOp) Hashcode() uint32      { return hashOf(op) }
func (op *bnEvalOp) writesAll() bool       { return true }
func (op *bnEvalOp) DiffWRT(n int) []bool  { return []bool{true, true, true} }
func (op *bnEvalOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("ops: %v has 3 inputs, got %d", op, len(in))
	}
	x, gamma := in[0], in[1]
	if op.relu {
		// through the ReLU first: out > 0 exactly where its input is
		var err error
		if grad, err = applyOp(&clampGradOp{clampParams: clampParams{name: "ReLU", shape: op.in, hi: math.Inf(1)}}, out, grad); err != nil {
			return nil, err
		}
	}
	dx, err := applyOp(&bnEvalGradOp{bnParams: op.bnParams, vr: op.vr}, gamma, grad)
	if err != nil {
		return nil, err
	}
	gg := &bnGammaGradOp{bnParams: op.bnParams, eval: true, mean: op.mean, vr: op.vr}
	dgamma, dbeta, err := affineGrads(op.bnParams, gg, x, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dgamma, dbeta}, nil
}

func bnEvalKernel[T Float](op *bnEvalOp) kernelFunc[T] {
	return func(in [][]T, y []T) error {
		x, gamma, beta := in[0], in[1], in[2]
		_, c, _ := op.layout()
		if err := checkLen("input", len(x), op.in.TotalSize()); err != nil {
			return err
		}
		if len(gamma) != c || len(beta) != c {
			return fmt.Errorf("gamma and beta have %d and %d elements; want %d", len(gamma), len(beta), c)
		}
		mean, variance, err := runningStats(op.mean, op.vr, c)
		if err != nil {
			return err
		}
		return normalize(op.bnParams, x, gamma, beta, y, mean, invStd(variance, op.eps), op.relu)
	}
}

// bnEvalGradOp maps (γ, dy) to dx = dy·γ/√(running_var + eps).
type bnEvalGradOp struct {
	pure
	bnParams
	vr *tensor.Dense
}

func (op *bnEvalGradOp) Arity() int { return 2 }
func (op *bnEvalGradOp) Type() hm.Type {
	return fnType(op.in.Dims(), op.gamma.Dims(), op.in.Dims())
}
func (op *bnEvalGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, 2, in)
	if err != nil {
		return nil, err
	}
	if !s[0].Eq(op.gamma) || !s[1].Eq(op.in) {
		return nil, fmt.Errorf("ops: %v got shapes %v, %v", op, s[0], s[1])
	}
	return op.in.Clone(), nil
}
func (op *bnEvalGradOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 2, op.in, bnEvalGradKernel[float64](op), bnEvalGradKernel[float32](op))
}
func (op *bnEvalGradOp) String() string {
	return fmt.Sprintf("ops.BatchNormEvalGrad{%v, var=%p}", op.bnParams, op.vr)
}
func (op *bnEvalGradOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *bnEvalGradOp) Hashcode() uint32      { return hashOf(op) }

func bnEvalGradKernel[T Float](op *bnEvalGradOp) kernelFunc[T] {
	return func(in [][]T, dx []T) error {
		gamma, dy := in[0], in[1]
		n, c, s := op.layout()
		if err := checkLen("gamma", len(gamma), c); err != nil {
			return err
		}
		if err := checkLen("gradient", len(dy), op.in.TotalSize()); err != nil {
			return err
		}
		variance, err := floats(op.vr)
		if err != nil {
			return fmt.Errorf("running var: %w", err)
		}
		if err := checkLen("running var", len(variance), c); err != nil {
			return err
		}
		inv := invStd(variance, op.eps)
		for i := 0; i < n; i++ {
			for ch := 0; ch < c; ch++ {
				lo, hi := (i*c+ch)*s, (i*c+ch+1)*s
				a := float64(gamma[ch]) * inv[ch]
				out := dx[lo:hi]
				for j, g := range dy[lo:hi] {
					out[j] = T(float64(g) * a)
				}
			}
		}
		return nil
	}
}
