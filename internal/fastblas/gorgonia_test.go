package fastblas

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// graphResult is what a small Gorgonia graph computes: its outputs and the
// gradients of a scalar loss with respect to its inputs.
type graphResult map[string][]float64

// runGraph builds and runs, with whatever BLAS Gorgonia uses now, a graph
// with a matrix product, a transposed product and a strided, padded
// Conv2d, and the gradients of their sum (which run the transposed
// GEMMs of the backward pass).
func runGraph(t *testing.T, dt tensor.Dtype) graphResult {
	t.Helper()
	rng := rand.New(rand.NewPCG(42, 7))
	values := func(shape ...int) *tensor.Dense {
		n := 1
		for _, s := range shape {
			n *= s
		}
		if dt == tensor.Float32 {
			return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(randomSlice[float32](rng, n)))
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(randomSlice[float64](rng, n)))
	}
	g := G.NewGraph()
	a := G.NewMatrix(g, dt, G.WithShape(37, 53), G.WithName("a"), G.WithValue(values(37, 53)))
	b := G.NewMatrix(g, dt, G.WithShape(53, 45), G.WithName("b"), G.WithValue(values(53, 45)))
	c := G.NewMatrix(g, dt, G.WithShape(29, 53), G.WithName("c"), G.WithValue(values(29, 53)))
	im := G.NewTensor(g, dt, 4, G.WithShape(3, 5, 17, 19), G.WithName("im"), G.WithValue(values(3, 5, 17, 19)))
	filter := G.NewTensor(g, dt, 4, G.WithShape(34, 5, 3, 3), G.WithName("filter"), G.WithValue(values(34, 5, 3, 3)))

	ab, err := G.Mul(a, b)
	require.NoError(t, err)
	ct, err := G.Transpose(c)
	require.NoError(t, err)
	act, err := G.Mul(a, ct)
	require.NoError(t, err)
	conv, err := G.Conv2d(im, filter, tensor.Shape{3, 3}, []int{1, 1}, []int{2, 1}, []int{1, 1})
	require.NoError(t, err)

	var loss *G.Node
	for _, n := range []*G.Node{ab, act, conv} {
		sq, err := G.Square(n)
		require.NoError(t, err)
		s, err := G.Sum(sq)
		require.NoError(t, err)
		if loss == nil {
			loss = s
			continue
		}
		loss, err = G.Add(loss, s)
		require.NoError(t, err)
	}
	inputs := G.Nodes{a, b, c, im, filter}
	_, err = G.Grad(loss, inputs...)
	require.NoError(t, err)

	outs := map[string]*G.Node{"a·b": ab, "a·cᵀ": act, "conv": conv}
	vals := map[string]*G.Value{}
	for name, n := range outs {
		v := new(G.Value)
		G.Read(n, v)
		vals[name] = v
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	require.NoError(t, vm.RunAll())

	res := graphResult{}
	for name, v := range vals {
		res[name] = toFloat64s(t, *v)
	}
	for _, n := range inputs {
		grad, err := n.Grad()
		require.NoError(t, err)
		res["d/d"+n.Name()] = toFloat64s(t, grad)
	}
	return res
}

func toFloat64s(t *testing.T, v G.Value) []float64 {
	t.Helper()
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	t.Fatalf("unexpected value type %T", v.Data())
	return nil
}

// TestGorgoniaUsesFastblas runs the same graph with Gonum's BLAS and with
// fastblas registered, and requires the same outputs and gradients.
func TestGorgoniaUsesFastblas(t *testing.T) {
	for _, tc := range []struct {
		dt  tensor.Dtype
		tol float64
	}{{tensor.Float32, 1e-5}, {tensor.Float64, 1e-12}} {
		t.Run(tc.dt.String(), func(t *testing.T) {
			want := runGraph(t, tc.dt)
			prev := Register()
			defer G.Use(prev)
			_, isOurs := G.WhichBLAS().(Implementation)
			require.True(t, isOurs, "Register did not install fastblas")
			got := runGraph(t, tc.dt)
			compareResults(t, want, got, tc.tol)

			// The same graph with a counting wrapper proves that these ops
			// reach the installed BLAS's GEMM (so the run above used ours).
			counter := &countingBLAS{}
			G.Use(counter)
			compareResults(t, want, runGraph(t, tc.dt), tc.tol)
			require.Positive(t, counter.gemms.Load(), "Gorgonia never called Sgemm/Dgemm")
		})
	}
}

// countingBLAS is fastblas with a count of the GEMMs it is asked for.
type countingBLAS struct {
	Implementation
	gemms atomic.Int64
}

func (c *countingBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cc []float32, ldc int) {
	c.gemms.Add(1)
	c.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
}

func (c *countingBLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, cc []float64, ldc int) {
	c.gemms.Add(1)
	c.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
}

func compareResults(t *testing.T, want, got graphResult, tol float64) {
	t.Helper()
	require.Len(t, got, len(want))
	for name, w := range want {
		g := got[name]
		require.Len(t, g, len(w), name)
		scale := 0.0
		for _, x := range w {
			scale = math.Max(scale, math.Abs(x))
		}
		for i := range w {
			require.InDelta(t, w[i], g[i], tol*scale, "%s[%d]", name, i)
		}
	}
}
