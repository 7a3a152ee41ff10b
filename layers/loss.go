package layers

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/layers/ops"
)

// CrossEntropy returns torch.nn.CrossEntropyLoss(label_smoothing=ε) as a
// graph.LossFunc: the batch mean of −Σ t·log_softmax(logits), where the
// target t is one-hot (integer labels) or soft class probabilities (MixUp,
// distillation), smoothed as (1−ε)·t + ε/K. The log-softmax is stable for
// any logits, unlike Gorgonia's built-in.
func CrossEntropy(labelSmoothing float64) graph.LossFunc {
	return func(s *graph.Scope, logits, target *G.Node) (*G.Node, error) {
		if labelSmoothing < 0 || labelSmoothing > 1 {
			return nil, fmt.Errorf("label smoothing %v outside [0, 1]", labelSmoothing)
		}
		if logits.Dims() != 2 {
			return nil, fmt.Errorf("cross-entropy needs (N, K) logits, got %v", logits.Shape())
		}
		t := target
		if labelSmoothing > 0 {
			k := float64(logits.Shape()[1])
			scaled, err := G.Mul(target, constLike(target, 1-labelSmoothing))
			if err != nil {
				return nil, err
			}
			if t, err = G.Add(scaled, constLike(target, labelSmoothing/k)); err != nil {
				return nil, err
			}
		}
		return ops.CrossEntropy(logits, t)
	}
}

// MSE returns torch.nn.MSELoss() (mean over every element) as a
// graph.LossFunc.
func MSE() graph.LossFunc {
	return func(_ *graph.Scope, out, target *G.Node) (*G.Node, error) {
		return ops.MSE(out, target)
	}
}

// constLike returns a scalar constant of x's dtype.
func constLike(x *G.Node, v float64) *G.Node {
	if x.Dtype() == G.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}
