package ops

import (
	"errors"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dropout returns x⊙mask for training-mode dropout. mask is a node the
// caller binds to a tensor and refills with FillDropoutMask before every
// run, so that dropout is seeded and reproducible; its elements are 0 or
// 1/(1−p). mask has the shape of x (torch.nn.Dropout) or that shape with
// some axes of size 1, along which it is broadcast: ChannelMaskShape gives
// (N, C, 1, 1) for torch.nn.Dropout2d, which drops whole channels.
//
// The gradient with respect to x is upstream⊙mask; mask gets none. In
// evaluation mode dropout is the identity: do not add this node at all.
// (Gorgonia's Dropout divides the gradient by p instead of 1−p and draws
// from a clock-seeded generator.)
func Dropout(x, mask *G.Node) (*G.Node, error) {
	if _, err := floatDtype("x", x); err != nil {
		return nil, fmt.Errorf("Dropout: %w", err)
	}
	if err := sameGraphDtype("x", x, "mask", mask); err != nil {
		return nil, fmt.Errorf("Dropout: %w", err)
	}
	xs, ms := x.Shape(), mask.Shape()
	ok := xs.Dims() == ms.Dims() && xs.Dims() > 0
	for d := 0; ok && d < xs.Dims(); d++ {
		ok = ms[d] == xs[d] || ms[d] == 1
	}
	if !ok {
		return nil, fmt.Errorf("ops.Dropout: mask has shape %v but x %v; want the shape of x, with size 1 on broadcast axes", ms, xs)
	}
	return apply(fmt.Sprintf("ops.Dropout of %v with mask %v", xs, ms), &maskMulOp{x: xs, mask: ms}, x, mask)
}

// ChannelMaskShape returns the Dropout2d mask shape for an input of shape
// x = (N, C, ...): (N, C, 1, ...), one keep-or-drop decision per channel.
func ChannelMaskShape(x tensor.Shape) (tensor.Shape, error) {
	if x.Dims() < 2 {
		return nil, fmt.Errorf("ops.ChannelMaskShape: input shape %v has no channel axis; want (N, C, ...)", x)
	}
	s := make(tensor.Shape, x.Dims())
	for d := range s {
		s[d] = 1
	}
	s[0], s[1] = x[0], x[1]
	return s, nil
}

// FillDropoutMask fills mask (float32 or float64, contiguous) with
// independent draws from rng: 0 with probability p, 1/(1−p) otherwise, so
// that x⊙mask keeps the expectation of x. p = 1 gives all zeros, p = 0 all
// ones. The same rng state gives the same mask.
func FillDropoutMask(rng *rand.Rand, mask *tensor.Dense, p float64) error {
	if rng == nil {
		return errors.New("ops.FillDropoutMask: rng is nil; pass a seeded *rand.Rand")
	}
	if mask == nil {
		return errors.New("ops.FillDropoutMask: mask is nil")
	}
	if !(p >= 0 && p <= 1) {
		return fmt.Errorf("ops.FillDropoutMask: p = %v is outside [0, 1]", p)
	}
	keep := 0.0
	if p < 1 {
		keep = 1 / (1 - p)
	}
	m := make([]float64, mask.Shape().TotalSize())
	for i := range m {
		if rng.Float64() >= p {
			m[i] = keep
		}
	}
	if err := fill(mask, m); err != nil {
		return fmt.Errorf("ops.FillDropoutMask: mask %v: %w", mask.Shape(), err)
	}
	return nil
}

// maskMulOp is x⊙mask with mask broadcast along its size-1 axes. It is
// linear in x, so its gradient with respect to x is the same op applied to
// the upstream gradient.
type maskMulOp struct {
	pure
	x, mask tensor.Shape
}

var _ G.SDOp = (*maskMulOp)(nil)

func (op *maskMulOp) Arity() int    { return 2 }
func (op *maskMulOp) Type() hm.Type { return fnType(op.x.Dims(), op.x.Dims(), op.mask.Dims()) }
func (op *maskMulOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, 2, in)
	if err != nil {
		return nil, err
	}
	if !s[0].Eq(op.x) || !s[1].Eq(op.mask) {
		return nil, fmt.Errorf("ops: %v got shapes %v and %v", op, s[0], s[1])
	}
	return op.x.Clone(), nil
}
func (op *maskMulOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 2, op.x, maskMulKernel[float64](op), maskMulKernel[float32](op))
}
func (op *maskMulOp) String() string        { return fmt.Sprintf("ops.MaskMul{x=%v, mask=%v}", op.x, op.mask) }
func (op *maskMulOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *maskMulOp) Hashcode() uint32      { return hashOf(op) }
func (op *maskMulOp) DiffWRT(n int) []bool  { return []bool{true, false} }
func (op *maskMulOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("ops: %v has 2 inputs, got %d", op, len(in))
	}
	dx, err := applyOp(op, grad, in[1])
	return G.Nodes{dx, nil}, err
}

func maskMulKernel[T Float](op *maskMulOp) kernelFunc[T] {
	return func(in [][]T, y []T) error {
		x, m := in[0], in[1]
		if err := checkLen("input", len(x), op.x.TotalSize()); err != nil {
			return err
		}
		if err := checkLen("mask", len(m), op.mask.TotalSize()); err != nil {
			return err
		}
		w := newWalker(op.x, op.mask)
		n, st := w.rowLen(), w.step()
		w.rows(func(off, soff int) {
			xs, ys := x[off:off+n], y[off:off+n]
			for k, v := range xs {
				ys[k] = v * m[soff+k*st]
			}
		})
		return nil
	}
}
