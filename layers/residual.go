package layers

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/tanren-ml/tanren/graph"
)

// Residual is y = After(Body(x) + Shortcut(x)), the block of a ResNet.
// Body and Shortcut run in the Residual's own scope, so their Named
// children appear directly under it ("conv1.weight", "downsample.0.weight"),
// as in torchvision's BasicBlock.
type Residual struct {
	Body graph.Layer
	// Shortcut is the identity when nil.
	Shortcut graph.Layer
	// After is applied to the sum (ReLU in a ResNet); nil for none.
	After graph.Layer
}

var _ graph.Layer = Residual{}

// Forward implements graph.Layer.
func (r Residual) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	y, err := graph.Call(s, "", r.Body, x)
	if err != nil {
		return nil, err
	}
	short := x
	if r.Shortcut != nil {
		if short, err = graph.Call(s, "", r.Shortcut, x); err != nil {
			return nil, err
		}
	}
	if !y.Shape().Eq(short.Shape()) {
		return nil, fmt.Errorf("Residual: body output %v and shortcut %v differ (add a downsampling shortcut)", y.Shape(), short.Shape())
	}
	sum, err := G.Add(y, short)
	if err != nil {
		return nil, err
	}
	if r.After == nil {
		return sum, nil
	}
	return graph.Call(s, "", r.After, sum)
}
