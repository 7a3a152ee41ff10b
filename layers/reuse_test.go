package layers

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

// reuseNet uses the ops whose outputs come from the Program's arena:
// convolution, depthwise convolution, batch norm, activations, pooling,
// dropout, linear and the loss.
func reuseNet() graph.Layer {
	return Sequential{
		Conv2d{In: 3, Out: 8, Kernel: Pair{3, 3}, Padding: Pair{1, 1}},
		BatchNorm2d{Features: 8},
		ReLU{},
		Conv2d{In: 8, Out: 8, Kernel: Pair{3, 3}, Stride: Pair{2, 2}, Padding: Pair{1, 1}, Groups: 8},
		ReLU6{},
		MaxPool2d{Kernel: Pair{2, 2}},
		GlobalAvgPool{},
		Dropout{P: 0.25},
		Linear{In: 8, Out: 5},
	}
}

func randomDense(dt tensor.Dtype, seed uint64, shape ...int) *tensor.Dense {
	r := rand.New(rand.NewPCG(seed, 1))
	x := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	for i := range x.Shape().TotalSize() {
		v := r.NormFloat64()
		if dt == tensor.Float32 {
			x.Data().([]float32)[i] = float32(v)
		} else {
			x.Data().([]float64)[i] = v
		}
	}
	return x
}

func oneHot(dt tensor.Dtype, n, k int) *tensor.Dense {
	y := tensor.New(tensor.Of(dt), tensor.WithShape(n, k))
	for i := range n {
		if dt == tensor.Float32 {
			y.Data().([]float32)[i*k+i%k] = 1
		} else {
			y.Data().([]float64)[i*k+i%k] = 1
		}
	}
	return y
}

// A Program reuses its buffers from one run to the next: a run after
// another on different data must give exactly what a fresh Program gives.
// Any stale value — an output not fully overwritten, a kernel that assumes
// a zeroed buffer — shows up as a difference.
func TestRunAfterRunEqualsFreshRun(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			spec := graph.Spec{Mode: graph.Train, Input: tensor.Shape{4, 3, 12, 12}, Loss: CrossEntropy(0), Seed: 3}
			compile := func() *graph.Program {
				st, err := graph.NewStore(dt, 7)
				require.NoError(t, err)
				p, err := graph.Compile(st, reuseNet(), spec)
				require.NoError(t, err)
				t.Cleanup(func() { _ = p.Close() })
				return p
			}
			xA, xB := randomDense(dt, 1, 4, 3, 12, 12), randomDense(dt, 2, 4, 3, 12, 12)
			y := oneHot(dt, 4, 5)
			zero := G.NewVanillaSolver(G.WithLearnRate(0)) // only zeroes the gradients

			used := compile()
			for _, x := range []*tensor.Dense{xA, xB, xA} {
				_, err := used.Step(zero, x, y)
				require.NoError(t, err)
			}
			used.Reseed(9)
			got, err := used.Run(xB, y)
			require.NoError(t, err)
			gotGrads, err := used.Grads()
			require.NoError(t, err)

			fresh := compile()
			fresh.Reseed(9)
			want, err := fresh.Run(xB, y)
			require.NoError(t, err)
			wantGrads, err := fresh.Grads()
			require.NoError(t, err)

			assert.Equal(t, want.Loss, got.Loss)
			assert.Equal(t, want.Output.Data(), got.Output.Data())
			require.Len(t, gotGrads, len(wantGrads))
			for name, w := range wantGrads {
				assert.Equal(t, w.Data(), gotGrads[name].Data(), name)
			}
		})
	}
}

// After the first run, a training step of a network of tanren's ops
// allocates a small fraction of what the first run did: the activations
// and gradients come back from the arena.
func TestStepReusesBuffers(t *testing.T) {
	if raceEnabled {
		t.Skip("under the race detector sync.Pool drops buffers at random (the convolution's column buffers)")
	}
	st, err := graph.NewStore(tensor.Float64, 1)
	require.NoError(t, err)
	spec := graph.Spec{Mode: graph.Train, Input: tensor.Shape{8, 3, 32, 32}, Loss: CrossEntropy(0)}
	p, err := graph.Compile(st, reuseNet(), spec)
	require.NoError(t, err)
	defer p.Close()
	x, y := randomDense(tensor.Float64, 1, 8, 3, 32, 32), oneHot(tensor.Float64, 8, 5)
	solver := G.NewVanillaSolver(G.WithLearnRate(0.01))
	allocated := func() uint64 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		before := m.TotalAlloc
		_, err := p.Step(solver, x, y)
		require.NoError(t, err)
		runtime.ReadMemStats(&m)
		return m.TotalAlloc - before
	}
	first := allocated()
	allocated()
	later := allocated()
	t.Logf("first step allocated %d bytes, third %d", first, later)
	assert.Less(t, later, first/4, "a later step should reuse the first step's buffers")
}
