package solvers

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BenchmarkStep measures one Step on a 1M-element parameter (about a
// ResNet-18 layer4 conv), ours against Gorgonia's built-in Adam. Step zeroes
// the gradient, so later iterations see zeros; the work per element (checks,
// update, zeroing) is the same.
func BenchmarkStep(b *testing.B) {
	const n = 1 << 20
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		vals := make([]float64, n)
		grads := make([]float64, n)
		for i := range vals {
			vals[i] = float64(i%97) / 97
			grads[i] = float64(i%13)/13 - 0.5
		}
		w := newParam(dt, vals, n)
		g := newParam(dt, grads, n)
		vgs := vgsOf(fakeVG{"w", w, g})
		solvers := map[string]func() G.Solver{
			"gorgonia-adam": func() G.Solver { return G.NewAdamSolver() },
		}
		for _, name := range []string{"sgd", "momentum", "adam", "adamw", "radam", "adabound"} {
			name := name
			solvers[name] = func() G.Solver { s, _ := New(name); return s }
		}
		for name, mk := range solvers {
			b.Run(name+"/"+dt.String(), func(b *testing.B) {
				s := mk()
				b.SetBytes(int64(n * dt.Size()))
				for i := 0; i < b.N; i++ {
					if err := s.Step(vgs); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
