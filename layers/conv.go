package layers

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/layers/ops"
)

// Conv2d is torch.nn.Conv2d on NCHW input: weight (Out, In/Groups, kh, kw)
// and bias (Out). With Groups = 1 it is one ops.Conv2dBias (or ops.Conv2d)
// node, whose GEMMs write NCHW directly instead of transposing like
// Gorgonia's Conv2d, and add the bias without broadcasting it.
type Conv2d struct {
	In, Out int
	Kernel  Pair
	// Stride defaults to (1, 1).
	Stride Pair
	// Padding is symmetric zero padding (default none).
	Padding Pair
	// Dilation defaults to (1, 1).
	Dilation Pair
	// Groups splits channels into independent groups (default 1); In and
	// Out must be multiples. Groups = In = Out is a depthwise convolution,
	// computed by one op (ops.DepthwiseConv2d) however many channels.
	Groups int
	// NoBias drops the bias (PyTorch's bias=False).
	NoBias bool
}

var _ graph.Layer = Conv2d{}

func (c Conv2d) groups() int { return max(c.Groups, 1) }

// Forward implements graph.Layer.
func (c Conv2d) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	g := c.groups()
	switch {
	case c.In <= 0 || c.Out <= 0 || c.Kernel[0] <= 0 || c.Kernel[1] <= 0:
		return nil, fmt.Errorf("Conv2d needs positive In, Out and Kernel, got %d, %d, %v", c.In, c.Out, c.Kernel)
	case c.In%g != 0 || c.Out%g != 0:
		return nil, fmt.Errorf("Conv2d: In (%d) and Out (%d) must be multiples of Groups (%d)", c.In, c.Out, g)
	case x.Dims() != 4 || x.Shape()[1] != c.In:
		return nil, fmt.Errorf("Conv2d(%d→%d) needs NCHW input with %d channels, got %v", c.In, c.Out, c.In, x.Shape())
	}
	stride, dil := c.Stride.or(Sq(1)), c.Dilation.or(Sq(1))
	h, w := x.Shape()[2], x.Shape()[3]
	oh := (h+2*c.Padding[0]-dil[0]*(c.Kernel[0]-1)-1)/stride[0] + 1
	ow := (w+2*c.Padding[1]-dil[1]*(c.Kernel[1]-1)-1)/stride[1] + 1
	if oh <= 0 || ow <= 0 {
		return nil, fmt.Errorf("Conv2d: input %dx%d is too small for kernel %v, padding %v, dilation %v", h, w, c.Kernel, c.Padding, dil)
	}
	wshape := tensor.Shape{c.Out, c.In / g, c.Kernel[0], c.Kernel[1]}
	weight, err := s.Param("weight", wshape, graph.KaimingUniform)
	if err != nil {
		return nil, err
	}
	var b *G.Node
	if !c.NoBias {
		// created after the weight, so that seeded initialization draws
		// the same numbers in the same order for every convolution kind
		if b, err = s.Param("bias", tensor.Shape{c.Out}, graph.BiasUniform(graph.FanIn(wshape))); err != nil {
			return nil, err
		}
	}
	var y *G.Node
	switch {
	case g == 1:
		// The bias is fused; no input gradient is built for a convolution
		// of the program's input (nobody uses it).
		return ops.Conv{Stride: stride, Pad: c.Padding, Dilation: dil, NoInputGrad: !s.NeedsGrad(x)}.Apply(x, weight, b)
	case g == c.In && g == c.Out:
		y, err = ops.DepthwiseConv2d(x, weight, stride, c.Padding, dil)
	default:
		y, err = ops.Conv2dGrouped(x, weight, g, stride, c.Padding, dil)
	}
	if err != nil || b == nil {
		return y, err
	}
	b4, err := G.Reshape(b, tensor.Shape{1, c.Out, 1, 1})
	if err != nil {
		return nil, err
	}
	return G.BroadcastAdd(y, b4, nil, []byte{0, 2, 3})
}
