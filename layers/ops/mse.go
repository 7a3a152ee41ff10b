package ops

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
)

// MSE returns the mean of (a−b)² over all elements, a scalar node: PyTorch's
// mse_loss with reduction "mean". a and b must have the same shape.
func MSE(a, b *G.Node) (out *G.Node, err error) {
	defer recoverTo(&out, &err, "ops.MSE")
	if _, err := floatDtype("a", a); err != nil {
		return nil, fmt.Errorf("MSE: %w", err)
	}
	if err := sameGraphDtype("a", a, "b", b); err != nil {
		return nil, fmt.Errorf("MSE: %w", err)
	}
	if !a.Shape().Eq(b.Shape()) {
		return nil, fmt.Errorf("ops.MSE: a has shape %v but b %v; they must match", a.Shape(), b.Shape())
	}
	if a.IsScalar() {
		return nil, errors.New("ops.MSE: a and b are scalars; want tensors")
	}
	d, err := G.Sub(a, b)
	if err != nil {
		return nil, fmt.Errorf("ops.MSE: a−b of %v: %w", a.Shape(), err)
	}
	sq, err := G.HadamardProd(d, d)
	if err != nil {
		return nil, fmt.Errorf("ops.MSE: (a−b)² of %v: %w", a.Shape(), err)
	}
	return Mean(sq)
}
