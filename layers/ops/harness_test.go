package ops

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// spec is a named input tensor of a test graph, in float64.
type spec struct {
	Name  string    `json:"name"`
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// buildFunc adds the op under test to g, given the input nodes by name.
type buildFunc func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error)

// harness is one compiled test graph: inputs → op → L = Σ y⊙w, with Grad of
// L with respect to the inputs named in wrt. The same graph serves the
// analytic gradient, the finite differences (inputs are modified in place
// and the graph re-run) and float32 forward checks.
type harness[T Float] struct {
	m      G.VM
	in     map[string]*tensor.Dense
	out    *G.Node
	outV   G.Value
	lossV  G.Value
	wrt    []string
	gradsV []G.Value
}

// newHarness builds and compiles the graph. weight may be nil for a
// seeded random one.
func newHarness[T Float](t testing.TB, specs []spec, wrt []string, weight []float64, build buildFunc, opts ...G.VMOpt) *harness[T] {
	t.Helper()
	var zero T
	dt := tensor.Float64
	if _, ok := any(zero).(float32); ok {
		dt = tensor.Float32
	}
	g := G.NewGraph()
	h := &harness[T]{in: map[string]*tensor.Dense{}, wrt: wrt}
	nodes := map[string]*G.Node{}
	for _, s := range specs {
		require.Equal(t, tensor.Shape(s.Shape).TotalSize(), len(s.Data), "input %s", s.Name)
		d := tensor.New(tensor.WithShape(s.Shape...), tensor.WithBacking(convert[T](s.Data)))
		h.in[s.Name] = d
		nodes[s.Name] = G.NewTensor(g, dt, len(s.Shape), G.WithShape(s.Shape...), G.WithName(s.Name), G.WithValue(d))
	}
	out, err := build(g, nodes)
	require.NoError(t, err)
	h.out = out
	n := out.Shape().TotalSize()
	if weight == nil {
		r := rand.New(rand.NewPCG(7, 11))
		weight = make([]float64, n)
		for i := range weight {
			weight[i] = r.NormFloat64()
		}
	}
	require.Len(t, weight, n, "weight for output %v", out.Shape())
	wT := tensor.New(tensor.WithShape(n), tensor.WithBacking(convert[T](weight)))
	w := G.NewTensor(g, dt, 1, G.WithShape(n), G.WithName("__weight"), G.WithValue(wT))
	flat := out
	if out.IsScalar() || out.Dims() != 1 {
		flat, err = G.Reshape(out, tensor.Shape{n})
		require.NoError(t, err)
	}
	// An inner product (BLAS dot), not HadamardProd+Sum: HadamardProd may
	// overwrite its input in place, and its input shares memory with the
	// output node through Reshape, which would corrupt the value read back.
	loss, err := G.Mul(flat, w)
	require.NoError(t, err)
	G.Read(out, &h.outV)
	G.Read(loss, &h.lossV)
	if len(wrt) > 0 {
		var ws G.Nodes
		for _, name := range wrt {
			require.Contains(t, nodes, name)
			ws = append(ws, nodes[name])
		}
		grads, err := G.Grad(loss, ws...)
		require.NoError(t, err)
		h.gradsV = make([]G.Value, len(grads))
		for i, gr := range grads {
			G.Read(gr, &h.gradsV[i])
		}
	}
	h.m = G.NewTapeMachine(g, opts...)
	t.Cleanup(func() { _ = h.m.Close() })
	return h
}

// run executes the graph once and returns L.
func (h *harness[T]) run(t testing.TB) float64 {
	t.Helper()
	h.m.Reset()
	require.NoError(t, h.m.RunAll())
	return toFloats(t, h.lossV)[0]
}

// output and grad return the values of the last run as float64.
func (h *harness[T]) output(t testing.TB) []float64 { return toFloats(t, h.outV) }
func (h *harness[T]) grad(t testing.TB, name string) []float64 {
	for i, n := range h.wrt {
		if n == name {
			return toFloats(t, h.gradsV[i])
		}
	}
	t.Fatalf("no gradient for %q", name)
	return nil
}

// checkFiniteDiff compares the analytic gradients of L with central finite
// differences, element by element, in float64.
func checkFiniteDiff(t *testing.T, specs []spec, wrt []string, build buildFunc, tol float64) {
	t.Helper()
	h := newHarness[float64](t, specs, wrt, nil, build)
	h.run(t)
	analytic := map[string][]float64{}
	for _, name := range wrt {
		analytic[name] = h.grad(t, name)
	}
	const step = 1e-6
	for _, name := range wrt {
		x := h.in[name].Float64s()
		num := make([]float64, len(x))
		for i := range x {
			orig := x[i]
			x[i] = orig + step
			lp := h.run(t)
			x[i] = orig - step
			lm := h.run(t)
			x[i] = orig
			num[i] = (lp - lm) / (2 * step)
		}
		assertClose(t, num, analytic[name], tol, "d L / d %s: finite differences vs Grad", name)
	}
}

// assertClose checks |want-got| <= tol·max(1, |want|) element-wise.
func assertClose(t testing.TB, want, got []float64, tol float64, format string, args ...any) bool {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if !assert.Len(t, got, len(want), msg) {
		return false
	}
	worst, at := 0.0, -1
	for i := range want {
		d := math.Abs(want[i]-got[i]) / math.Max(1, math.Abs(want[i]))
		if d > worst || math.IsNaN(d) {
			worst, at = d, i
			if math.IsNaN(d) {
				break
			}
		}
	}
	if at >= 0 && !(worst <= tol) {
		return assert.Failf(t, "values differ", "%s: worst relative error %.3g > %.3g at %d: want %v, got %v",
			msg, worst, tol, at, want[at], got[at])
	}
	return true
}

func convert[T Float](x []float64) []T {
	out := make([]T, len(x))
	for i, v := range x {
		out[i] = T(v)
	}
	return out
}

// toFloats converts a Gorgonia value to []float64.
func toFloats(t testing.TB, v G.Value) []float64 {
	t.Helper()
	require.NotNil(t, v, "value was never computed")
	switch x := v.(type) {
	case *G.F64:
		return []float64{float64(*x)}
	case *G.F32:
		return []float64{float64(*x)}
	}
	if d, err := data[float64](v); err == nil {
		return append([]float64(nil), d...)
	}
	d, err := data[float32](v)
	require.NoError(t, err)
	out := make([]float64, len(d))
	for i, x := range d {
		out[i] = float64(x)
	}
	return out
}

// fixture is one case of a PyTorch fixture file (see testdata/gen).
type fixture struct {
	Name   string          `json:"name"`
	Params json.RawMessage `json:"params"`
	Inputs []spec          `json:"inputs"`
	Weight spec            `json:"weight"`
	Output spec            `json:"output"`
	Grads  map[string]spec `json:"grads"`
	Extra  map[string]spec `json:"extra"`
}

func (f fixture) input(name string) spec {
	for _, s := range f.Inputs {
		if s.Name == name {
			return s
		}
	}
	panic("fixture has no input " + name)
}

func (f fixture) params(t testing.TB, into any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(f.Params, into), "params of %s", f.Name)
}

func loadFixtures(t testing.TB, name string) []fixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	require.NoError(t, err, "run testdata/gen/gen_fixtures.py to regenerate")
	var file struct {
		Cases []fixture `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(b, &file))
	require.NotEmpty(t, file.Cases)
	return file.Cases
}

// checkFixture builds the op on the fixture's inputs and compares output
// shape, output and the gradients PyTorch computed, in float64 and (output
// only, looser tolerance) float32.
func checkFixture(t *testing.T, f fixture, specs []spec, build buildFunc) {
	t.Helper()
	var wrt []string
	for _, s := range specs {
		if _, ok := f.Grads[s.Name]; ok {
			wrt = append(wrt, s.Name)
		}
	}
	h := newHarness[float64](t, specs, wrt, f.Weight.Data, build)
	h.run(t)
	assert.Equal(t, f.Output.Shape, []int(h.out.Shape()), "output shape")
	assertClose(t, f.Output.Data, h.output(t), 1e-10, "output")
	for _, name := range wrt {
		assertClose(t, f.Grads[name].Data, h.grad(t, name), 1e-9, "gradient %s", name)
	}
	h32 := newHarness[float32](t, specs, wrt, f.Weight.Data, build)
	h32.run(t)
	assertClose(t, f.Output.Data, h32.output(t), 2e-5, "float32 output")
	for _, name := range wrt {
		assertClose(t, f.Grads[name].Data, h32.grad(t, name), 2e-4, "float32 gradient %s", name)
	}
}

// randSpec is a seeded random normal input.
func randSpec(name string, seed uint64, shape ...int) spec {
	r := rand.New(rand.NewPCG(seed, 99))
	d := make([]float64, tensor.Shape(shape).TotalSize())
	for i := range d {
		d[i] = r.NormFloat64()
	}
	return spec{Name: name, Shape: shape, Data: d}
}

// mustPanicOrErr runs f and reports whether it panicked or returned an
// error; it guards graph-building calls into Gorgonia's broken built-ins.
func mustPanicOrErr(f func() error) (failed bool, why string) {
	defer func() {
		if r := recover(); r != nil {
			failed, why = true, fmt.Sprint("panic: ", r)
		}
	}()
	if err := f(); err != nil {
		return true, err.Error()
	}
	return false, ""
}

// assertMatchesReference requires an optimized op (build) to give exactly
// the output and gradients of the reference it replaces (ref), in float64
// and in float32, on the same inputs. Gradient elements before gradFrom are
// not compared (where the reference is known to differ from PyTorch).
func assertMatchesReference(t *testing.T, specs []spec, wrt []string, weight []float64, build, ref buildFunc, gradFrom int) {
	t.Helper()
	t.Run("float64", func(t *testing.T) { matchReference[float64](t, specs, wrt, weight, build, ref, gradFrom) })
	t.Run("float32", func(t *testing.T) { matchReference[float32](t, specs, wrt, weight, build, ref, gradFrom) })
}

func matchReference[T Float](t *testing.T, specs []spec, wrt []string, weight []float64, build, ref buildFunc, gradFrom int) {
	got, want := newHarness[T](t, specs, wrt, weight, build), newHarness[T](t, specs, wrt, weight, ref)
	got.run(t)
	want.run(t)
	assert.Equal(t, want.output(t), got.output(t), "output")
	for _, name := range wrt {
		assert.Equal(t, want.grad(t, name)[gradFrom:], got.grad(t, name)[gradFrom:], "gradient %s", name)
	}
}
