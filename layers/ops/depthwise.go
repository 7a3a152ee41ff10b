package ops

import (
	"fmt"
	"hash"
	"io"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// DepthwiseConv2d is a depthwise 2-D convolution without bias,
// torch.nn.functional.conv2d(x, w, None, stride, pad, dilation, groups=C):
// x is (N, C, H, W), w is (C, 1, kh, kw), and output channel c is input
// channel c convolved with filter c. A zero stride or dilation component
// means 1, PyTorch's default; pad is symmetric zero padding.
//
// It computes what Conv2dGrouped computes with groups = C, as one own op
// with direct kernels instead of a slice, convolution and concat per
// channel: a MobileNetV2 built from Conv2dGrouped has thousands of nodes
// per direction, and Gorgonia's compiler takes time quadratic in the
// number of nodes. The convolution is bilinear in (x, w), so its backward
// ops are again depthwise passes and it is differentiable to any order.
func DepthwiseConv2d(x, w *G.Node, stride, pad, dilation [2]int) (*G.Node, error) {
	where, err := convInputs("DepthwiseConv2d", x, w, "(C, 1, kh, kw)")
	if err != nil {
		return nil, err
	}
	xs, ws := x.Shape(), w.Shape()
	if ws[0] != xs[1] || ws[1] != 1 {
		return nil, fmt.Errorf("%s: w must be (C, 1, kh, kw) with C = %d, the channels of x; use Conv2dGrouped for other groupings", where, xs[1])
	}
	if stride, dilation, err = convGeometry(where, xs, ws, stride, pad, dilation); err != nil {
		return nil, err
	}
	return apply(where, &depthwiseOp{dwGeom: newDWGeom(xs, ws, stride, pad, dilation)}, x, w)
}

// dwGeom is the geometry of one depthwise convolution, valid by
// construction (see DepthwiseConv2d).
type dwGeom struct {
	in                            tensor.Shape // x: (N, C, H, W)
	kernel, stride, pad, dilation [2]int
	out                           [2]int // output height and width
}

func newDWGeom(xs, ws tensor.Shape, stride, pad, dilation [2]int) dwGeom {
	g := dwGeom{in: xs.Clone(), kernel: [2]int{ws[2], ws[3]}, stride: stride, pad: pad, dilation: dilation}
	for d := 0; d < 2; d++ {
		g.out[d] = (xs[2+d]+2*pad[d]-dilation[d]*(g.kernel[d]-1)-1)/stride[d] + 1
	}
	return g
}

func (g dwGeom) xShape() tensor.Shape { return g.in.Clone() }
func (g dwGeom) wShape() tensor.Shape { return tensor.Shape{g.in[1], 1, g.kernel[0], g.kernel[1]} }
func (g dwGeom) yShape() tensor.Shape { return tensor.Shape{g.in[0], g.in[1], g.out[0], g.out[1]} }

func (g dwGeom) String() string {
	return fmt.Sprintf("in=%v, kernel=%v, stride=%v, pad=%v, dilation=%v", g.in, g.kernel, g.stride, g.pad, g.dilation)
}

var dwPassNames = [...]string{"DepthwiseConv2d", "DepthwiseConv2dGradX", "DepthwiseConv2dGradW"}

// depthwiseOp is one pass of a depthwise convolution. All three passes are
// bilinear, so one type with their shared gradient rule serves forward,
// backward and higher derivatives.
type depthwiseOp struct {
	pure
	dwGeom
	pass bilinearPass
}

var _ G.SDOp = (*depthwiseOp)(nil)

// signature returns the shapes of the pass's two inputs and its output.
func (op *depthwiseOp) signature() (a, b, out tensor.Shape) {
	switch op.pass {
	case passGradX:
		return op.wShape(), op.yShape(), op.xShape()
	case passGradW:
		return op.xShape(), op.yShape(), op.wShape()
	}
	return op.xShape(), op.wShape(), op.yShape()
}

func (op *depthwiseOp) Arity() int    { return 2 }
func (op *depthwiseOp) Type() hm.Type { return fnType(4, 4, 4) }
func (op *depthwiseOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, 2, in)
	if err != nil {
		return nil, err
	}
	a, b, out := op.signature()
	if !s[0].Eq(a) || !s[1].Eq(b) {
		return nil, fmt.Errorf("ops: %v got input shapes %v and %v, want %v and %v", op, s[0], s[1], a, b)
	}
	return out, nil
}
func (op *depthwiseOp) Do(vs ...G.Value) (G.Value, error) {
	_, _, out := op.signature()
	return run(op, vs, 2, out, depthwiseKernel[float64](op), depthwiseKernel[float32](op))
}
func (op *depthwiseOp) String() string {
	return fmt.Sprintf("ops.%s{%v}", dwPassNames[op.pass], op.dwGeom)
}
func (op *depthwiseOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *depthwiseOp) Hashcode() uint32      { return hashOf(op) }
func (op *depthwiseOp) DiffWRT(n int) []bool  { return []bool{true, true} }

// SymDiff follows from bilinearity: the gradient of ⟨P(a, b), g⟩ with
// respect to either input is the pass that is linear in g and the other
// input (the adjoint identities at passGradX and passGradW).
func (op *depthwiseOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("ops: %v has 2 inputs, got %d", op, len(in))
	}
	a, b := in[0], in[1]
	p, pIn1, pIn2, q, qIn1, qIn2 := bilinearGrads(op.pass, a, b, grad)
	da, err := applyOp(&depthwiseOp{dwGeom: op.dwGeom, pass: p}, pIn1, pIn2)
	if err != nil {
		return nil, err
	}
	db, err := applyOp(&depthwiseOp{dwGeom: op.dwGeom, pass: q}, qIn1, qIn2)
	if err != nil {
		return nil, err
	}
	return G.Nodes{da, db}, nil
}
