package zoo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

// relu6Graph builds y = ReLU6(x), loss = Σ y ⊙ w and its gradient.
func relu6Graph(t *testing.T, dt tensor.Dtype, x, w []float64) (g *G.ExprGraph, xn, y, loss *G.Node) {
	t.Helper()
	g = G.NewGraph()
	n := len(x)
	xn = G.NewVector(g, dt, G.WithShape(n), G.WithName("x"), G.WithValue(vec(dt, x)))
	wn := G.NewVector(g, dt, G.WithShape(n), G.WithName("w"), G.WithValue(vec(dt, w)))
	y, err := ReLU6{}.Forward(nil, xn)
	require.NoError(t, err)
	p, err := G.HadamardProd(y, wn)
	require.NoError(t, err)
	loss, err = G.Sum(p)
	require.NoError(t, err)
	_, err = G.Grad(loss, xn)
	require.NoError(t, err)
	return g, xn, y, loss
}

func vec(dt tensor.Dtype, v []float64) *tensor.Dense {
	if dt == tensor.Float64 {
		return tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(append([]float64(nil), v...)))
	}
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(f))
}

// runReLU6 returns ReLU6(x) and the gradient of Σ ReLU6(x) ⊙ w.
func runReLU6(t *testing.T, dt tensor.Dtype, x, w []float64) (y, dx []float64) {
	t.Helper()
	g, xn, yn, _ := relu6Graph(t, dt, x, w)
	var yv G.Value
	G.Read(yn, &yv)
	m := G.NewTapeMachine(g, G.BindDualValues(xn))
	defer m.Close()
	require.NoError(t, m.RunAll())
	grad, err := xn.Grad()
	require.NoError(t, err)
	return graph.Float64s(yv.(*tensor.Dense)), graph.Float64s(grad.(*tensor.Dense))
}

// TestReLU6Values checks values and PyTorch's gradient at and around the
// kinks, and far outside [0, 6], where relu(x) − relu(x − 6) would fail.
func TestReLU6Values(t *testing.T) {
	x := []float64{-1e30, -3, -0.0, 0, 1e-30, 2.5, 5.999, 6, 6.001, 1e9, 1e30}
	wantY := []float64{0, 0, 0, 0, 1e-30, 2.5, 5.999, 6, 6, 6, 6}
	// torch.nn.functional.relu6 backward: the gradient where 0 < x < 6.
	wantDx := []float64{0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0}
	w := make([]float64, len(x))
	for i := range w {
		w[i] = 1
	}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			y, dx := runReLU6(t, dt, x, w)
			for i := range x {
				assert.InDelta(t, wantY[i], y[i], 1e-6*max(1, abs(wantY[i])), "ReLU6(%g)", x[i])
				assert.Equal(t, wantDx[i], dx[i], "ReLU6'(%g)", x[i])
			}
		})
	}
}

// TestReLU6FiniteDifferences compares the symbolic gradient with central
// differences of the graph's loss Σ ReLU6(x) ⊙ w in float64, at points away
// from the kinks 0 and 6.
func TestReLU6FiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	n := 40
	x, w := make([]float64, n), make([]float64, n)
	for i := range x {
		for {
			x[i] = rng.Float64()*16 - 5
			if math.Abs(x[i]) > 0.01 && math.Abs(x[i]-6) > 0.01 {
				break
			}
		}
		w[i] = rng.NormFloat64()
	}
	_, dx := runReLU6(t, tensor.Float64, x, w)
	loss := func(x []float64) float64 {
		y, _ := runReLU6(t, tensor.Float64, x, w)
		s := 0.0
		for i := range y {
			s += y[i] * w[i]
		}
		return s
	}
	const h = 1e-6
	for i := range x {
		xp := append([]float64(nil), x...)
		xm := append([]float64(nil), x...)
		xp[i] += h
		xm[i] -= h
		fd := (loss(xp) - loss(xm)) / (2 * h)
		assert.InDelta(t, fd, dx[i], 1e-8, "dloss/dx[%d] at x = %g", i, x[i])
	}
}

// TestReLU6RejectsIntegers checks that a non-float input is an error, not
// a panic.
func TestReLU6RejectsIntegers(t *testing.T) {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Int, G.WithShape(3), G.WithName("x"))
	_, err := ReLU6{}.Forward(nil, x)
	assert.ErrorContains(t, err, "float32 or float64")
}
