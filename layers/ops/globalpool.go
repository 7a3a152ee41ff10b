package ops

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// GlobalAvgPool2d averages x of shape (N, C, H, W) over H and W, giving
// (N, C): torch.nn.AdaptiveAvgPool2d(1) followed by flatten(1). Gorgonia's
// GlobalAveragePool2D has no gradient (Grad panics).
func GlobalAvgPool2d(x *G.Node) (*G.Node, error) {
	if _, err := floatDtype("x", x); err != nil {
		return nil, fmt.Errorf("GlobalAvgPool2d: %w", err)
	}
	if x.Dims() != 4 {
		return nil, fmt.Errorf("ops.GlobalAvgPool2d: x has shape %v; want (N, C, H, W)", x.Shape())
	}
	return Mean(x, 2, 3)
}
