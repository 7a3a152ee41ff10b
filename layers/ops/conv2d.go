package ops

import (
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2d is a 2-D convolution without bias and with groups = 1,
// torch.nn.functional.conv2d(x, w, None, stride, pad, dilation): x is
// (N, C, H, W), w is (O, C, kh, kw). A zero stride or dilation component
// means 1, PyTorch's default; pad is symmetric zero padding.
//
// It computes what Gorgonia's Conv2d computes, but lays the im2col buffer
// of each image out as (C·kh·kw, oh·ow), so that one GEMM per image,
// w (O, C·kh·kw) · cols, writes that image's output directly in NCHW:
// Gorgonia's layout needs a transpose of the output after the GEMM and of
// the gradient before each backward GEMM. The images are spread over the
// cores. The convolution is bilinear in (x, w), so its backward ops are
// again passes of the same op and it is differentiable to any order.
func Conv2d(x, w *G.Node, stride, pad, dilation [2]int) (*G.Node, error) {
	return Conv{Stride: stride, Pad: pad, Dilation: dilation}.Apply(x, w, nil)
}

// Conv2dBias is Conv2d followed by adding b (O) to every output channel,
// torch.nn.functional.conv2d(x, w, b, stride, pad, dilation), in one op:
// each image's GEMM adds to the bias already in its output, which saves
// Gorgonia's BroadcastAdd its copy of the bias repeated over the batch and
// the image. The bias gradient is Sum(dy, 0, 2, 3).
func Conv2dBias(x, w, b *G.Node, stride, pad, dilation [2]int) (*G.Node, error) {
	if b == nil {
		return nil, errors.New("ops.Conv2dBias: nil bias; use Conv2d")
	}
	return Conv{Stride: stride, Pad: pad, Dilation: dilation}.Apply(x, w, b)
}

// Conv configures a convolution with groups = 1 (Conv2d and Conv2dBias are
// shorthands for it). The zero value is a stride-1, unpadded, undilated
// convolution that is differentiable in all its inputs.
type Conv struct {
	// Stride and Dilation default to (1, 1); Pad is symmetric zero padding.
	Stride, Pad, Dilation [2]int
	// NoInputGrad builds no gradient with respect to x: for a convolution
	// applied to a graph input whose gradient nobody asks for (a model's
	// first layer), gorgonia.Grad would otherwise add a col2im pass per
	// image whose result is thrown away (Gorgonia compiles dead nodes).
	// Differentiating with respect to x is then an error.
	NoInputGrad bool
}

// Apply convolves x (N, C, H, W) with w (O, C, kh, kw) and adds b (O) when
// b is not nil.
func (c Conv) Apply(x, w, b *G.Node) (*G.Node, error) {
	name := "Conv2d"
	if b != nil {
		name = "Conv2dBias"
	}
	where, err := convInputs(name, x, w, "(O, C, kh, kw)")
	if err != nil {
		return nil, err
	}
	if b != nil {
		if err := sameGraphDtype("x", x, "b", b); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
	}
	xs, ws := x.Shape(), w.Shape()
	if ws[1] != xs[1] || ws[0] < 1 || xs[0] < 1 || xs[1] < 1 {
		return nil, fmt.Errorf("%s: w must be (O, C, kh, kw) with C = %d, the channels of x, and O positive; use Conv2dGrouped for groups > 1", where, xs[1])
	}
	if b != nil {
		if bs := b.Shape(); bs.Dims() != 1 || bs[0] != ws[0] {
			return nil, fmt.Errorf("%s: bias has shape %v, want (%d)", where, bs, ws[0])
		}
	}
	stride, dilation, err := convGeometry(where, xs, ws, c.Stride, c.Pad, c.Dilation)
	if err != nil {
		return nil, err
	}
	op := &conv2dOp{convGeom: newConvGeom(xs, ws, stride, c.Pad, dilation), bias: b != nil, noGradX: c.NoInputGrad}
	if b != nil {
		return apply(where, op, x, w, b)
	}
	return apply(where, op, x, w)
}

// convGeom is the geometry of one convolution with groups = 1, valid by
// construction (see Conv2d).
type convGeom struct {
	in                            tensor.Shape // x: (N, C, H, W)
	outC                          int          // O, the filters of w
	kernel, stride, pad, dilation [2]int
	out                           [2]int // output height and width
}

func newConvGeom(xs, ws tensor.Shape, stride, pad, dilation [2]int) convGeom {
	g := convGeom{in: xs.Clone(), outC: ws[0], kernel: [2]int{ws[2], ws[3]}, stride: stride, pad: pad, dilation: dilation}
	for d := 0; d < 2; d++ {
		g.out[d] = (xs[2+d]+2*pad[d]-dilation[d]*(g.kernel[d]-1)-1)/stride[d] + 1
	}
	return g
}

func (g convGeom) xShape() tensor.Shape { return g.in.Clone() }
func (g convGeom) wShape() tensor.Shape {
	return tensor.Shape{g.outC, g.in[1], g.kernel[0], g.kernel[1]}
}
func (g convGeom) yShape() tensor.Shape { return tensor.Shape{g.in[0], g.outC, g.out[0], g.out[1]} }

func (g convGeom) String() string {
	return fmt.Sprintf("in=%v, out channels=%d, kernel=%v, stride=%v, pad=%v, dilation=%v",
		g.in, g.outC, g.kernel, g.stride, g.pad, g.dilation)
}

var convPassNames = [...]string{"Conv2d", "Conv2dGradX", "Conv2dGradW"}

// conv2dOp is one pass of a convolution. All three passes are bilinear,
// so one type with their shared gradient rule serves forward, backward and
// higher derivatives. bias is set only for the forward pass, which then
// takes the bias as a third input.
type conv2dOp struct {
	pure
	convGeom
	pass bilinearPass
	bias bool
	// noGradX (forward pass only): x is not differentiated.
	noGradX bool
}

var _ G.SDOp = (*conv2dOp)(nil)

// signature returns the shapes of the pass's two inputs and its output.
func (op *conv2dOp) signature() (a, b, out tensor.Shape) {
	switch op.pass {
	case passGradX:
		return op.wShape(), op.yShape(), op.xShape()
	case passGradW:
		return op.xShape(), op.yShape(), op.wShape()
	}
	return op.xShape(), op.wShape(), op.yShape()
}

func (op *conv2dOp) Arity() int    { return biasInput(op.bias).arity() }
func (op *conv2dOp) Type() hm.Type { return biasInput(op.bias).fnType(4) }
func (op *conv2dOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, op.Arity(), in)
	if err != nil {
		return nil, err
	}
	a, b, out := op.signature()
	if !s[0].Eq(a) || !s[1].Eq(b) {
		return nil, fmt.Errorf("ops: %v got input shapes %v and %v, want %v and %v", op, s[0], s[1], a, b)
	}
	if op.bias && !s[2].Eq(tensor.Shape{op.outC}) {
		return nil, fmt.Errorf("ops: %v got bias shape %v, want (%d)", op, s[2], op.outC)
	}
	return out, nil
}
func (op *conv2dOp) Do(vs ...G.Value) (G.Value, error) {
	_, _, out := op.signature()
	return run(op, vs, op.Arity(), out, conv2dKernel[float64](op), conv2dKernel[float32](op))
}
func (op *conv2dOp) String() string {
	return fmt.Sprintf("ops.%s{%v, bias=%t, noGradX=%t}", convPassNames[op.pass], op.convGeom, op.bias, op.noGradX)
}
func (op *conv2dOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *conv2dOp) Hashcode() uint32      { return hashOf(op) }

// writesAll: the forward pass and a direct input gradient set every
// element (a GEMM with beta 0, or onto the bias); the other gradients add
// into their output.
func (op *conv2dOp) writesAll() bool {
	return op.pass == passForward || op.pass == passGradX && op.direct()
}
func (op *conv2dOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	if op.noGradX && n > 0 {
		d[0] = false
	}
	return d
}

// SymDiff follows from bilinearity, as depthwiseOp's does; the bias
// gradient is the output gradient summed over all but the channel axis.
func (op *conv2dOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if len(in) != op.Arity() {
		return nil, fmt.Errorf("ops: %v has %d inputs, got %d", op, op.Arity(), len(in))
	}
	a, b := in[0], in[1]
	p, pIn1, pIn2, q, qIn1, qIn2 := bilinearGrads(op.pass, a, b, grad)
	var da *G.Node
	if !op.noGradX {
		var err error
		if da, err = applyOp(&conv2dOp{convGeom: op.convGeom, pass: p}, pIn1, pIn2); err != nil {
			return nil, err
		}
	}
	db, err := applyOp(&conv2dOp{convGeom: op.convGeom, pass: q}, qIn1, qIn2)
	if err != nil {
		return nil, err
	}
	if !op.bias {
		return G.Nodes{da, db}, nil
	}
	dbias, err := Sum(grad, 0, 2, 3)
	if err != nil {
		return nil, err
	}
	return G.Nodes{da, db, dbias}, nil
}
