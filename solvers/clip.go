package solvers

import (
	"fmt"
	"math"

	"gorgonia.org/gorgonia"
)

// clipEps is torch.nn.utils.clip_grad_norm_'s guard against division by a
// zero norm.
const clipEps = 1e-6

// ClipGradNorm rescales the gradients of model in place so that their global
// L2 norm is at most maxNorm, with torch.nn.utils.clip_grad_norm_ semantics:
// the total norm is taken over all gradients together and, when it exceeds
// maxNorm, every gradient is multiplied by maxNorm/(norm+1e-6). It returns
// the norm before clipping. It validates like Step (and changes nothing on
// error), so it can precede the Step of any gorgonia.Solver, including
// Gorgonia's built-ins. Solvers of this package do it themselves when built
// with WithClipNorm.
func ClipGradNorm(model []gorgonia.ValueGrad, maxNorm float64) (norm float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("solvers: ClipGradNorm failed unexpectedly: %v", r)
		}
	}()
	if !finite(maxNorm) || maxNorm <= 0 {
		return 0, fmt.Errorf("solvers: ClipGradNorm: max norm %v is invalid: give a finite value > 0", maxNorm)
	}
	ps, err := gather(model)
	if err != nil {
		return 0, fmt.Errorf("solvers: ClipGradNorm: %w", err)
	}
	return clipParams(ps, maxNorm), nil
}

// clipParams scales the gradients of ps to global norm ≤ maxNorm and returns
// the norm before clipping. Gradients are finite (checked by gather).
func clipParams(ps []*param, maxNorm float64) float64 {
	norm := globalNorm(ps)
	coef := maxNorm / (norm + clipEps)
	if coef < 1 {
		for _, p := range ps {
			dispatch(p, scaleGrad[float64](coef), scaleGrad[float32](coef))
		}
	}
	return norm
}

func scaleGrad[T float](coef float64) func(view[T]) {
	c := T(coef)
	return func(v view[T]) {
		for i := range v.g {
			v.g[i] *= c
		}
	}
}

// globalNorm is the L2 norm of all gradients, accumulated in float64. If the
// plain sum of squares overflows (float64 gradients beyond ~1e154), it is
// recomputed scaled by the largest magnitude.
func globalNorm(ps []*param) float64 {
	var ss, maxAbs float64
	for _, p := range ps {
		dispatch(p, sumSquares[float64](&ss, &maxAbs), sumSquares[float32](&ss, &maxAbs))
	}
	if !math.IsInf(ss, 0) || maxAbs == 0 {
		return math.Sqrt(ss)
	}
	var scaled float64
	for _, p := range ps {
		dispatch(p, sumScaledSquares[float64](&scaled, maxAbs), sumScaledSquares[float32](&scaled, maxAbs))
	}
	return maxAbs * math.Sqrt(scaled)
}

func sumSquares[T float](ss, maxAbs *float64) func(view[T]) {
	return func(v view[T]) {
		for _, x := range v.g {
			f := float64(x)
			*ss += f * f
			*maxAbs = math.Max(*maxAbs, math.Abs(f))
		}
	}
}

func sumScaledSquares[T float](ss *float64, by float64) func(view[T]) {
	return func(v view[T]) {
		for _, x := range v.g {
			f := float64(x) / by
			*ss += f * f
		}
	}
}
