package zoo

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	L "github.com/tanren-ml/tanren/layers"
)

// tvConv is a layers.Conv2d whose weight is initialized as torchvision
// initializes the convolutions of its ResNets and MobileNets:
// kaiming_normal_(mode="fan_out", nonlinearity="relu"). layers.Conv2d
// creates its weight with PyTorch's layer default (kaiming_uniform_ with
// a=√5); creating the parameter first, under the same name and shape, makes
// the Store keep this initialization, and Conv2d then binds the same
// tensor. A weight that already exists (loaded, or trained) is untouched.
type tvConv L.Conv2d

var _ graph.Layer = tvConv{}

// Forward implements graph.Layer.
func (c tvConv) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	g := max(c.Groups, 1)
	// Only a configuration Conv2d accepts gets a tensor; otherwise Conv2d
	// reports the error and the Store stays clean.
	if c.In > 0 && c.Out > 0 && c.In%g == 0 && c.Out%g == 0 && c.Kernel[0] > 0 && c.Kernel[1] > 0 &&
		x.Dims() == 4 && x.Shape()[1] == c.In {
		shape := tensor.Shape{c.Out, c.In / g, c.Kernel[0], c.Kernel[1]}
		if _, err := s.Param("weight", shape, graph.KaimingNormal); err != nil {
			return nil, err
		}
	}
	return L.Conv2d(c).Forward(s, x)
}

// tvLinear is a layers.Linear initialized as torchvision's MobileNets
// initialize their classifier: weight from N(0, Std²), bias zero.
type tvLinear struct {
	In, Out int
	Std     float64
}

var _ graph.Layer = tvLinear{}

// Forward implements graph.Layer.
func (l tvLinear) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	if l.In > 0 && l.Out > 0 && x.Dims() == 2 && x.Shape()[1] == l.In {
		if _, err := s.Param("weight", tensor.Shape{l.Out, l.In}, graph.Normal(0, l.Std)); err != nil {
			return nil, err
		}
		if _, err := s.Param("bias", tensor.Shape{l.Out}, graph.Zeros); err != nil {
			return nil, err
		}
	}
	return L.Linear{In: l.In, Out: l.Out}.Forward(s, x)
}
