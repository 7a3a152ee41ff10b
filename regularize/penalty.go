package regularize

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

// L2 returns the penalty (λ/2)·Σ‖w‖² over the selected trainable
// parameters, added to the training loss and differentiated with it.
//
// Convention: the factor ½ makes the gradient λ·w, so L2(λ) with plain SGD
// gives exactly the update of torch.optim.SGD(weight_decay=λ):
// w ← w − lr·(∇loss + λ·w). Use the same λ you would give PyTorch's
// weight_decay. (Keras' l2(λ) is λ·Σw², without the ½: Keras λ = ours/2.)
//
// This is coupled weight decay: the decay goes through the gradient, so an
// adaptive solver such as Adam divides it by its running RMS of the
// gradient, and parameters with large gradients are decayed less. Decoupled
// weight decay (solvers "adamw", Loshchilov & Hutter 2019) instead shrinks
// the weights directly, w ← w − lr·wd·w, outside the adaptive step. For SGD
// the two coincide (with wd = λ); for Adam they do not.
//
// Frozen parameters are not penalized (they are not among the trainable
// parameters a Program passes to penalties). λ must be finite and ≥ 0; λ = 0
// adds nothing. When the selection is empty the penalty adds nothing; use
// Selector.Validate to catch patterns that match no parameter.
func L2(lambda float64, sel Selector) graph.Penalty {
	return penalty("L2", lambda, sel, G.Square, 0.5)
}

// L1 returns the penalty λ·Σ|w| over the selected trainable parameters
// (lasso; it drives weights to exactly zero under proximal methods and
// towards zero under SGD). Its gradient is λ·sign(w), with sign(0) = 0 as in
// PyTorch's abs backward. Selection and λ are as for L2.
func L1(lambda float64, sel Selector) graph.Penalty {
	return penalty("L1", lambda, sel, G.Abs, 1)
}

// penalty builds scale·λ·Σ_p Σ_i elem(p)_i over the selected parameters.
//
// The element-wise op comes first and the flattening after it: a Reshape of
// a parameter node is a view of the parameter's tensor, and Gorgonia's tape
// machine then runs the backward pass of the next op in place, overwriting
// the weights with their gradient. Reducing the 4-D result directly is not
// an option either: Gorgonia's 4-D reductions are broken (see GORGONIA.md).
// So: elem(p) (a fresh tensor) → reshape to a vector → sum.
func penalty(kind string, lambda float64, sel Selector, elem func(*G.Node) (*G.Node, error), scale float64) graph.Penalty {
	return func(g *G.ExprGraph, params []graph.ParamNode) (term *G.Node, err error) {
		if math.IsNaN(lambda) || math.IsInf(lambda, 0) || lambda < 0 {
			return nil, fmt.Errorf("%s penalty: λ = %v must be finite and ≥ 0", kind, lambda)
		}
		if lambda == 0 {
			return nil, nil
		}
		defer func() {
			if r := recover(); r != nil {
				term, err = nil, fmt.Errorf("%s penalty: gorgonia: %v", kind, r)
			}
		}()
		var sum *G.Node
		for _, p := range params {
			ok, err := sel.Match(p.Var)
			if err != nil {
				return nil, fmt.Errorf("%s penalty: %w", kind, err)
			}
			if !ok || p.Node == nil {
				continue
			}
			n, err := sumOf(elem, p.Node)
			if err != nil {
				return nil, fmt.Errorf("%s penalty on %q %v: %w", kind, p.Var.Name, p.Node.Shape(), err)
			}
			if sum == nil {
				sum = n
			} else if sum, err = G.Add(sum, n); err != nil {
				return nil, fmt.Errorf("%s penalty: adding %q: %w", kind, p.Var.Name, err)
			}
		}
		if sum == nil {
			return nil, nil
		}
		term, err = G.Mul(sum, scalarLike(sum, scale*lambda))
		if err != nil {
			return term, fmt.Errorf("%s penalty: scaling by λ: %w", kind, err)
		}
		return term, nil
	}
}

// sumOf returns Σ_i elem(n)_i as a scalar node.
func sumOf(elem func(*G.Node) (*G.Node, error), n *G.Node) (*G.Node, error) {
	e, err := elem(n)
	if err != nil {
		return nil, err
	}
	if e.Dims() != 1 {
		if e, err = G.Reshape(e, tensor.Shape{e.Shape().TotalSize()}); err != nil {
			return nil, err
		}
	}
	return G.Sum(e)
}

// scalarLike returns a scalar constant of n's dtype.
func scalarLike(n *G.Node, v float64) *G.Node {
	if n.Dtype() == tensor.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}
