package ops

import (
	"fmt"
	"hash"
	"io"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// AvgPool2d averages x of shape (N, C, H, W) over kernel windows, with
// torch.nn.AvgPool2d's semantics: stride (a zero stride means stride =
// kernel, PyTorch's default), symmetric zero padding pad (at most half the
// kernel), countIncludePad (PyTorch's default is true: padded zeros count
// in the divisor; false divides by the number of real elements) and
// ceilMode (PyTorch's default is false: output sizes round down; true rounds
// up, but a window never starts in the bottom or right padding).
//
// Gorgonia's AveragePool2D divides by the input width and has a wrong
// backward. This one is an own op whose backward is an own op as well; both
// are linear and each is the other's gradient, so AvgPool2d is
// differentiable twice.
func AvgPool2d(x *G.Node, kernel, stride, pad [2]int, countIncludePad, ceilMode bool) (*G.Node, error) {
	if _, err := floatDtype("x", x); err != nil {
		return nil, fmt.Errorf("AvgPool2d: %w", err)
	}
	if stride == [2]int{} {
		stride = kernel
	}
	p, err := newPoolParams(x.Shape(), kernel, stride, pad, countIncludePad, ceilMode)
	if err != nil {
		return nil, fmt.Errorf("ops.AvgPool2d: %w", err)
	}
	return apply(fmt.Sprintf("ops.AvgPool2d of %v", x.Shape()), &avgPoolOp{poolParams: p}, x)
}

// poolParams describe one pooling configuration for one input shape.
type poolParams struct {
	in                  tensor.Shape // (N, C, H, W)
	kernel, stride, pad [2]int
	includePad, ceil    bool
	outH, outW          int
}

func newPoolParams(in tensor.Shape, kernel, stride, pad [2]int, includePad, ceil bool) (poolParams, error) {
	p := poolParams{in: in, kernel: kernel, stride: stride, pad: pad, includePad: includePad, ceil: ceil}
	if in.Dims() != 4 {
		return p, fmt.Errorf("x has shape %v; want (N, C, H, W)", in)
	}
	var out [2]int
	for d := 0; d < 2; d++ {
		k, s, pd, n := kernel[d], stride[d], pad[d], in[2+d]
		switch {
		case k <= 0 || s <= 0:
			return p, fmt.Errorf("kernel %v and stride %v must be positive", kernel, stride)
		case pd < 0 || 2*pd > k:
			return p, fmt.Errorf("pad %v must be between 0 and half the kernel %v", pad, kernel)
		case n+2*pd < k:
			return p, fmt.Errorf("kernel %v is larger than the padded input %v (pad %v)", kernel, in[2:], pad)
		}
		num := n + 2*pd - k
		if ceil {
			out[d] = (num+s-1)/s + 1
			// the last window must start inside the input or the top/left padding
			if (out[d]-1)*s >= n+pd {
				out[d]--
			}
		} else {
			out[d] = num/s + 1
		}
	}
	p.outH, p.outW = out[0], out[1]
	return p, nil
}

func (p poolParams) outShape() tensor.Shape {
	return tensor.Shape{p.in[0], p.in[1], p.outH, p.outW}
}

func (p poolParams) String() string {
	return fmt.Sprintf("in=%v, kernel=%v, stride=%v, pad=%v, countIncludePad=%t, ceil=%t",
		p.in, p.kernel, p.stride, p.pad, p.includePad, p.ceil)
}

// window returns the rows or columns [lo, hi) of input covered by output
// position o along dimension d, and the window's size counted as PyTorch
// does (clipped to the padded input, not to the input).
func (p poolParams) window(d, o int) (lo, hi, padded int) {
	lo = o*p.stride[d] - p.pad[d]
	hi = min(lo+p.kernel[d], p.in[2+d]+p.pad[d])
	padded = hi - lo
	return max(lo, 0), min(hi, p.in[2+d]), padded
}

// windows returns the [lo, hi) ranges of all output positions along d.
func (p poolParams) windows(d int) (lo, hi []int) {
	n := p.outH
	if d == 1 {
		n = p.outW
	}
	lo, hi = make([]int, n), make([]int, n)
	for o := range lo {
		lo[o], hi[o], _ = p.window(d, o)
	}
	return lo, hi
}

// divisors returns, for each output position, the divisor of its window.
func (p poolParams) divisors() []float64 {
	div := make([]float64, p.outH*p.outW)
	for oh := 0; oh < p.outH; oh++ {
		h0, h1, ph := p.window(0, oh)
		for ow := 0; ow < p.outW; ow++ {
			w0, w1, pw := p.window(1, ow)
			if p.includePad {
				div[oh*p.outW+ow] = float64(ph * pw)
			} else {
				div[oh*p.outW+ow] = float64((h1 - h0) * (w1 - w0))
			}
		}
	}
	return div
}

// avgPoolOp is the forward average pooling.
type avgPoolOp struct {
	pure
	poolParams
}

var _ G.SDOp = (*avgPoolOp)(nil)

func (op *avgPoolOp) Arity() int    { return 1 }
func (op *avgPoolOp) Type() hm.Type { return fnType(4, 4) }
func (op *avgPoolOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if _, err := sameShape(op, op.in, in...); err != nil {
		return nil, err
	}
	return op.outShape(), nil
}
func (op *avgPoolOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 1, op.outShape(), avgPoolKernel[float64](op.poolParams), avgPoolKernel[float32](op.poolParams))
}
func (op *avgPoolOp) String() string        { return "ops.AvgPool2d{" + op.poolParams.String() + "}" }
func (op *avgPoolOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *avgPoolOp) Hashcode() uint32      { return hashOf(op) }
func (op *avgPoolOp) DiffWRT(n int) []bool  { return []bool{true} }
func (op *avgPoolOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	dx, err := applyOp(&avgPoolGradOp{poolParams: op.poolParams}, grad)
	return G.Nodes{dx}, err
}

func avgPoolKernel[T Float](p poolParams) kernelFunc[T] {
	return func(in [][]T, out []T) error {
		x := in[0]
		if err := checkLen("input", len(x), p.in.TotalSize()); err != nil {
			return err
		}
		div := p.divisors()
		h0s, h1s := p.windows(0)
		w0s, w1s := p.windows(1)
		h, w := p.in[2], p.in[3]
		for plane := 0; plane < p.in[0]*p.in[1]; plane++ {
			xs := x[plane*h*w : (plane+1)*h*w]
			ys := out[plane*p.outH*p.outW : (plane+1)*p.outH*p.outW]
			for oh := 0; oh < p.outH; oh++ {
				h0, h1 := h0s[oh], h1s[oh]
				for ow := 0; ow < p.outW; ow++ {
					w0, w1 := w0s[ow], w1s[ow]
					s := 0.0
					for i := h0; i < h1; i++ {
						for _, v := range xs[i*w+w0 : i*w+w1] {
							s += float64(v)
						}
					}
					o := oh*p.outW + ow
					ys[o] = T(s / div[o])
				}
			}
		}
		return nil
	}
}

// avgPoolGradOp spreads each output gradient evenly (divided by the
// window's divisor) over its window: the adjoint of avgPoolOp.
type avgPoolGradOp struct {
	pure
	poolParams
}

var _ G.SDOp = (*avgPoolGradOp)(nil)

func (op *avgPoolGradOp) Arity() int    { return 1 }
func (op *avgPoolGradOp) Type() hm.Type { return fnType(4, 4) }
func (op *avgPoolGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if _, err := sameShape(op, op.outShape(), in...); err != nil {
		return nil, err
	}
	return op.in.Clone(), nil
}
func (op *avgPoolGradOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 1, op.in, avgPoolGradKernel[float64](op.poolParams), avgPoolGradKernel[float32](op.poolParams))
}
func (op *avgPoolGradOp) String() string        { return "ops.AvgPool2dGrad{" + op.poolParams.String() + "}" }
func (op *avgPoolGradOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *avgPoolGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *avgPoolGradOp) DiffWRT(n int) []bool  { return []bool{true} }
func (op *avgPoolGradOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	dg, err := applyOp(&avgPoolOp{poolParams: op.poolParams}, grad)
	return G.Nodes{dg}, err
}

func avgPoolGradKernel[T Float](p poolParams) kernelFunc[T] {
	return func(in [][]T, dx []T) error {
		g := in[0]
		if err := checkLen("gradient", len(g), p.outShape().TotalSize()); err != nil {
			return err
		}
		div := p.divisors()
		h0s, h1s := p.windows(0)
		w0s, w1s := p.windows(1)
		h, w := p.in[2], p.in[3]
		acc := make([]float64, h*w)
		for plane := 0; plane < p.in[0]*p.in[1]; plane++ {
			gs := g[plane*p.outH*p.outW : (plane+1)*p.outH*p.outW]
			clear(acc)
			for oh := 0; oh < p.outH; oh++ {
				h0, h1 := h0s[oh], h1s[oh]
				for ow := 0; ow < p.outW; ow++ {
					w0, w1 := w0s[ow], w1s[ow]
					o := oh*p.outW + ow
					v := float64(gs[o]) / div[o]
					for i := h0; i < h1; i++ {
						row := acc[i*w+w0 : i*w+w1]
						for j := range row {
							row[j] += v
						}
					}
				}
			}
			xs := dx[plane*h*w : (plane+1)*h*w]
			for i, v := range acc {
				xs[i] = T(v)
			}
		}
		return nil
	}
}
