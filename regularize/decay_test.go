package regularize

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/solvers"
)

// train runs steps of solver on one batch with the given penalties and
// returns the final parameters.
func trainSteps(t *testing.T, solver G.Solver, pens []graph.Penalty, x, target *tensor.Dense, steps int) map[string][]float64 {
	t.Helper()
	store := newStore(t, 3)
	p, err := graph.Compile(store, linear(4, 3), graph.Spec{Mode: graph.Train, Input: x.Shape(), Loss: mse, Penalties: pens})
	require.NoError(t, err)
	defer p.Close()
	for range steps {
		_, err := p.Step(solver, x, target)
		require.NoError(t, err)
	}
	return values(store)
}

func newSolver(t *testing.T, name string, opts ...solvers.Option) solvers.Solver {
	t.Helper()
	s, err := solvers.New(name, opts...)
	require.NoError(t, err)
	return s
}

// TestL2EqualsSGDWeightDecay: with SGD, the penalty L2(λ) gives exactly
// torch.optim.SGD(weight_decay=λ), with and without momentum.
func TestL2EqualsSGDWeightDecay(t *testing.T) {
	const lambda, lr = 0.05, 0.1
	x, target := randDense(1, 5, 4), randDense(2, 5, 3)
	for _, momentum := range []float64{0, 0.9} {
		penalized := trainSteps(t, newSolver(t, "sgd", solvers.WithLearnRate(lr), solvers.WithMomentum(momentum)),
			[]graph.Penalty{L2(lambda, Patterns("*"))}, x, target, 6)
		decayed := trainSteps(t, newSolver(t, "sgd", solvers.WithLearnRate(lr), solvers.WithMomentum(momentum), solvers.WithWeightDecay(lambda)),
			nil, x, target, 6)
		plain := trainSteps(t, newSolver(t, "sgd", solvers.WithLearnRate(lr), solvers.WithMomentum(momentum)), nil, x, target, 6)
		for name, want := range decayed {
			assert.InDeltaSlice(t, want, penalized[name], 1e-12, "momentum %v: %s", momentum, name)
			assert.NotEqual(t, plain[name], penalized[name], "the penalty must change %s", name)
		}
	}
}

// TestL2VersusDecoupledDecay shows coupled (Adam + L2 penalty) and
// decoupled (AdamW) weight decay each doing what it is defined to do, on a
// batch of zero inputs, where the data gives the weights no gradient and
// only the regularizer moves them.
func TestL2VersusDecoupledDecay(t *testing.T) {
	const lambda, lr, eps, steps = 0.1, 0.01, 1e-8, 3
	x, target := tensor.New(tensor.WithShape(5, 4), tensor.WithBacking(make([]float64, 20))), randDense(2, 5, 3)
	w0 := trainSteps(t, newSolver(t, "sgd"), nil, x, target, 0)["fc.weight"]

	// Adam on the loss + L2(λ) penalty: the decay λw is a gradient, so Adam
	// normalizes it: each weight moves by about lr per step whatever its
	// size. Reference: torch's Adam on g = λw, written out.
	coupled := trainSteps(t, newSolver(t, "adam", solvers.WithLearnRate(lr)), []graph.Penalty{L2(lambda, Selector{})}, x, target, steps)["fc.weight"]
	want := adamReference(w0, lambda, lr, eps, steps)
	assert.InDeltaSlice(t, want, coupled, 1e-12)
	first := trainSteps(t, newSolver(t, "adam", solvers.WithLearnRate(lr)), []graph.Penalty{L2(lambda, Selector{})}, x, target, 1)["fc.weight"]
	for i := range w0 {
		// |Δw| = lr·|λw|/(|λw| + eps) on the first step.
		assert.InDelta(t, lr, math.Abs(w0[i]-first[i]), 1e-6, "Adam+L2 moves weight %d by ≈ lr", i)
	}

	// It is also what the solver's own (coupled) weight decay does.
	viaSolver := trainSteps(t, newSolver(t, "adam", solvers.WithLearnRate(lr), solvers.WithWeightDecay(lambda)), nil, x, target, steps)["fc.weight"]
	assert.InDeltaSlice(t, want, viaSolver, 1e-12)

	// AdamW: w ← w·(1 − lr·wd) outside the adaptive step, which is zero
	// here: every weight shrinks by the same factor, proportionally.
	decoupled := trainSteps(t, newSolver(t, "adamw", solvers.WithLearnRate(lr), solvers.WithWeightDecay(lambda)), nil, x, target, steps)["fc.weight"]
	for i := range w0 {
		assert.InDelta(t, w0[i]*math.Pow(1-lr*lambda, steps), decoupled[i], 1e-12, "AdamW weight %d", i)
	}

	// SGD + L2 penalty shrinks proportionally too: w·(1 − lr·λ)ᵏ.
	sgd := trainSteps(t, newSolver(t, "sgd", solvers.WithLearnRate(lr)), []graph.Penalty{L2(lambda, Selector{})}, x, target, steps)["fc.weight"]
	assert.InDeltaSlice(t, decoupled, sgd, 1e-12)

	// The difference: relative to its size, a small weight loses far more
	// under Adam + L2 than under AdamW.
	small, large := argMinMaxAbs(w0)
	relCoupled := func(i int) float64 { return math.Abs(w0[i]-coupled[i]) / math.Abs(w0[i]) }
	assert.Greater(t, relCoupled(small), 2*relCoupled(large))
}

// adamReference is torch.optim.Adam (β = 0.9, 0.999) on the gradient λw.
func adamReference(w0 []float64, lambda, lr, eps float64, steps int) []float64 {
	const b1, b2 = 0.9, 0.999
	w := append([]float64(nil), w0...)
	m, v := make([]float64, len(w)), make([]float64, len(w))
	for s := 1; s <= steps; s++ {
		for i := range w {
			g := lambda * w[i]
			m[i] = b1*m[i] + (1-b1)*g
			v[i] = b2*v[i] + (1-b2)*g*g
			mh := m[i] / (1 - math.Pow(b1, float64(s)))
			vh := math.Sqrt(v[i]) / math.Sqrt(1-math.Pow(b2, float64(s)))
			w[i] -= lr * mh / (vh + eps)
		}
	}
	return w
}

func argMinMaxAbs(w []float64) (small, large int) {
	for i, x := range w {
		if math.Abs(x) < math.Abs(w[small]) {
			small = i
		}
		if math.Abs(x) > math.Abs(w[large]) {
			large = i
		}
	}
	return small, large
}
