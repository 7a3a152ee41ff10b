package zoo

import (
	"fmt"
	"hash"
	"io"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	L "github.com/tanren-ml/tanren/layers"
)

// depthwiseConv is a bias-free depthwise convolution, torch.nn.Conv2d(C,
// C, k, stride, padding, groups=C, bias=False): each channel convolved
// with its own k×k filter, weight (C, 1, k, k) initialized as torchvision
// does (kaiming_normal_, fan_out).
//
// layers.Conv2d with Groups builds one slice, convolution and concat per
// channel; a MobileNetV2 then has about 7,000 of them per direction, and
// Gorgonia's compiler is quadratic in the number of nodes (a minute per
// Program). This is one op with a direct kernel and an exact gradient,
// under the same tensor names.
type depthwiseConv struct {
	Channels int
	Kernel   L.Pair
	Stride   L.Pair
	Padding  L.Pair
}

var _ graph.Layer = depthwiseConv{}

// Forward implements graph.Layer.
func (d depthwiseConv) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	k, st, pad := d.Kernel, d.Stride, d.Padding
	if st == (L.Pair{}) {
		st = L.Sq(1)
	}
	switch {
	case d.Channels <= 0 || k[0] <= 0 || k[1] <= 0 || st[0] <= 0 || st[1] <= 0 || pad[0] < 0 || pad[1] < 0:
		return nil, errors.Errorf("depthwise convolution needs positive Channels, Kernel and Stride, got %d, %v, %v, padding %v", d.Channels, k, st, pad)
	case x.Dims() != 4 || x.Shape()[1] != d.Channels:
		return nil, errors.Errorf("depthwise convolution over %d channels needs NCHW input with %d channels, got %v", d.Channels, d.Channels, x.Shape())
	case x.Dtype() != tensor.Float32 && x.Dtype() != tensor.Float64:
		return nil, errors.Errorf("depthwise convolution needs float32 or float64 input, got %v", x.Dtype())
	}
	g := dwGeom{in: x.Shape().Clone(), k: k, stride: st, pad: pad}
	if g.outH() <= 0 || g.outW() <= 0 {
		return nil, errors.Errorf("depthwise convolution: input %v is too small for kernel %v with padding %v", x.Shape(), k, pad)
	}
	w, err := s.Param("weight", tensor.Shape{d.Channels, 1, k[0], k[1]}, graph.KaimingNormal)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(&dwOp{g}, x, w)
}

// dwGeom is the geometry of one depthwise convolution.
type dwGeom struct {
	in             tensor.Shape // (N, C, H, W)
	k, stride, pad L.Pair
}

func (g dwGeom) outH() int { return (g.in[2]+2*g.pad[0]-g.k[0])/g.stride[0] + 1 }
func (g dwGeom) outW() int { return (g.in[3]+2*g.pad[1]-g.k[1])/g.stride[1] + 1 }

func (g dwGeom) outShape() tensor.Shape { return tensor.Shape{g.in[0], g.in[1], g.outH(), g.outW()} }
func (g dwGeom) wShape() tensor.Shape   { return tensor.Shape{g.in[1], 1, g.k[0], g.k[1]} }

func (g dwGeom) String() string {
	return fmt.Sprintf("in=%v, k=%v, stride=%v, pad=%v", g.in, g.k, g.stride, g.pad)
}

// dwOp maps (x, w) to the convolution; dwGradXOp maps (w, dy) to dx and
// dwGradWOp maps (x, dy) to dw.
type (
	dwOp      struct{ dwGeom }
	dwGradXOp struct{ dwGeom }
	dwGradWOp struct{ dwGeom }
)

var (
	_ G.SDOp = (*dwOp)(nil)
	_ G.Op   = (*dwGradXOp)(nil)
	_ G.Op   = (*dwGradWOp)(nil)
)

func (op *dwOp) String() string      { return "zoo.DepthwiseConv{" + op.dwGeom.String() + "}" }
func (op *dwGradXOp) String() string { return "zoo.DepthwiseConvGradX{" + op.dwGeom.String() + "}" }
func (op *dwGradWOp) String() string { return "zoo.DepthwiseConvGradW{" + op.dwGeom.String() + "}" }

func (op *dwOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return checkShapes(op, op.outShape(), in, op.in, op.wShape())
}

func (op *dwGradXOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return checkShapes(op, op.in, in, op.wShape(), op.outShape())
}

func (op *dwGradWOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return checkShapes(op, op.wShape(), in, op.in, op.outShape())
}

func (op *dwOp) Do(vs ...G.Value) (G.Value, error) {
	return dwDo(op, op.outShape(), vs, []tensor.Shape{op.in, op.wShape()}, op.forward32, op.forward64)
}

func (op *dwGradXOp) Do(vs ...G.Value) (G.Value, error) {
	return dwDo(op, op.in, vs, []tensor.Shape{op.wShape(), op.outShape()}, op.gradX32, op.gradX64)
}

func (op *dwGradWOp) Do(vs ...G.Value) (G.Value, error) {
	return dwDo(op, op.wShape(), vs, []tensor.Shape{op.in, op.outShape()}, op.gradW32, op.gradW64)
}

func (op *dwOp) forward32(in [][]float32, out []float32)    { dwForward(op.dwGeom, in[0], in[1], out) }
func (op *dwOp) forward64(in [][]float64, out []float64)    { dwForward(op.dwGeom, in[0], in[1], out) }
func (op *dwGradXOp) gradX32(in [][]float32, out []float32) { dwGradX(op.dwGeom, in[0], in[1], out) }
func (op *dwGradXOp) gradX64(in [][]float64, out []float64) { dwGradX(op.dwGeom, in[0], in[1], out) }
func (op *dwGradWOp) gradW32(in [][]float32, out []float32) { dwGradW(op.dwGeom, in[0], in[1], out) }
func (op *dwGradWOp) gradW64(in [][]float64, out []float64) { dwGradW(op.dwGeom, in[0], in[1], out) }

func (op *dwOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if len(in) != 2 {
		return nil, errors.Errorf("%v has 2 inputs, got %d", op, len(in))
	}
	dx, err := G.ApplyOp(&dwGradXOp{op.dwGeom}, in[1], grad)
	if err != nil {
		return nil, err
	}
	dw, err := G.ApplyOp(&dwGradWOp{op.dwGeom}, in[0], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dw}, nil
}

func (op *dwOp) DiffWRT(int) []bool { return []bool{true, true} }

func (op *dwOp) Arity() int      { return 2 }
func (op *dwGradXOp) Arity() int { return 2 }
func (op *dwGradWOp) Arity() int { return 2 }

// All three map two rank-4 tensors to a rank-4 tensor of one dtype.
func (op *dwOp) Type() hm.Type      { return fn4() }
func (op *dwGradXOp) Type() hm.Type { return fn4() }
func (op *dwGradWOp) Type() hm.Type { return fn4() }

func (*dwOp) ReturnsPtr() bool          { return false }
func (*dwOp) CallsExtern() bool         { return false }
func (*dwOp) OverwritesInput() int      { return -1 }
func (*dwGradXOp) ReturnsPtr() bool     { return false }
func (*dwGradXOp) CallsExtern() bool    { return false }
func (*dwGradXOp) OverwritesInput() int { return -1 }
func (*dwGradWOp) ReturnsPtr() bool     { return false }
func (*dwGradWOp) CallsExtern() bool    { return false }
func (*dwGradWOp) OverwritesInput() int { return -1 }

func (op *dwOp) WriteHash(h hash.Hash)      { _, _ = io.WriteString(h, op.String()) }
func (op *dwGradXOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *dwGradWOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *dwOp) Hashcode() uint32           { return hashString(op.String()) }
func (op *dwGradXOp) Hashcode() uint32      { return hashString(op.String()) }
func (op *dwGradWOp) Hashcode() uint32      { return hashString(op.String()) }
