package solvers

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// anyVG is a ValueGrad with arbitrary values, for invalid inputs.
type anyVG struct {
	v, g G.Value
	err  error
}

func (a anyVG) Value() G.Value         { return a.v }
func (a anyVG) Grad() (G.Value, error) { return a.g, a.err }

func vec(xs ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(xs)), tensor.WithBacking(xs))
}

// TestStepRejectsInvalidInputsAtomically: every invalid input is an error
// that changes nothing — not the weights, not the gradients of the valid
// parameters before it, not the solver state.
func TestStepRejectsInvalidInputsAtomically(t *testing.T) {
	transposed := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6}))
	require.NoError(t, transposed.T())
	f := G.F64(1)
	cases := []struct {
		name string
		bad  G.ValueGrad
		msg  string
	}{
		{"nil", nil, "is nil"},
		{"scalar value", anyVG{v: &f, g: &f}, "not a *tensor.Dense"},
		{"no gradient", anyVG{v: vec(1), err: errors.New("no grad")}, "has no gradient"},
		{"nil gradient", anyVG{v: vec(1), g: nil}, "gradient is <nil>"},
		{"int dtype", anyVG{v: tensor.New(tensor.WithBacking([]int{1})), g: tensor.New(tensor.WithBacking([]int{1}))}, "dtype int"},
		{"shape", anyVG{v: vec(1, 2), g: vec(1)}, "does not match"},
		{"dtype mismatch", anyVG{v: vec(1), g: tensor.New(tensor.WithBacking([]float32{1}))}, "does not match"},
		{"transposed", anyVG{v: transposed, g: transposed.Clone().(*tensor.Dense)}, "view or transposed"},
		{"NaN gradient", anyVG{v: vec(1, 2), g: vec(0.5, math.NaN())}, "gradient element 1 is NaN"},
		{"Inf gradient", anyVG{v: vec(1, 2), g: vec(math.Inf(-1), 0)}, "gradient element 0 is -Inf"},
	}
	for _, name := range Names() {
		for _, c := range cases {
			s, err := New(name, WithClipNorm(1))
			require.NoError(t, err)
			w, g := vec(1, 2, 3), vec(0.1, 0.2, 0.3)
			require.NoError(t, s.Step(vgsOf(fakeVG{"w", w, g})))
			before, err := s.(Checkpointer).State(namer{"w": w}.nameOf)
			require.NoError(t, err)
			wBefore := values(w)
			g2 := vec(0.3, 0.2, 0.1)
			err = s.Step([]G.ValueGrad{fakeVG{"w", w, g2}, c.bad})
			require.Error(t, err, "%s: %s", name, c.name)
			assert.Contains(t, err.Error(), c.msg, "%s: %s", name, c.name)
			assert.Contains(t, err.Error(), "parameter 1", "the error says which parameter")
			assert.Equal(t, wBefore, values(w), "%s: %s: weights changed", name, c.name)
			assert.Equal(t, []float64{0.3, 0.2, 0.1}, values(g2), "%s: %s: gradient changed", name, c.name)
			after, err := s.(Checkpointer).State(namer{"w": w}.nameOf)
			require.NoError(t, err)
			assert.Equal(t, before, after, "%s: %s: state changed", name, c.name)
		}
	}
}

func TestStepRejectsDuplicatesAndBadHyperparameters(t *testing.T) {
	w := vec(1, 2)
	s, err := New("adam")
	require.NoError(t, err)
	err = s.Step(vgsOf(fakeVG{"a", w, vec(1, 1)}, fakeVG{"b", w, vec(1, 1)}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "same weight tensor")

	s.SetLearnRate(math.NaN())
	err = s.Step(vgsOf(fakeVG{"a", w, vec(1, 1)}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "learning rate NaN")
	s.SetLearnRate(1e-3)
	s.(MomentumSetter).SetMomentum(1)
	err = s.Step(vgsOf(fakeVG{"a", w, vec(1, 1)}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "beta1 1")

	m, err := New("momentum")
	require.NoError(t, err)
	m.(MomentumSetter).SetMomentum(-1)
	assert.Error(t, m.Step(vgsOf(fakeVG{"a", w, vec(1, 1)})))
	assert.Equal(t, []float64{1, 2}, values(w))
}

// TestStepDtypesAndShapes: float32 and float64 parameters (also scalars and
// 4-D tensors) in one Step; float32 follows float64 to float32 precision.
func TestStepDtypesAndShapes(t *testing.T) {
	for _, name := range Names() {
		s64, err := New(name, WithLearnRate(0.01))
		require.NoError(t, err)
		s32, err := New(name, WithLearnRate(0.01))
		require.NoError(t, err)
		mixed, err := New(name, WithLearnRate(0.01))
		require.NoError(t, err)

		shapes := [][]int{{}, {2, 1, 2, 2}}
		var p64, p32, m64, m32 []*tensor.Dense
		var init [][]float64
		for i, sh := range shapes {
			n := tensor.Shape(sh).TotalSize()
			vals := make([]float64, n)
			for j := range vals {
				vals[j] = float64(i+1) * (0.5 - float64(j)/float64(n+1))
			}
			init = append(init, vals)
			p64 = append(p64, newParam(tensor.Float64, vals, sh...))
			p32 = append(p32, newParam(tensor.Float32, vals, sh...))
			m64 = append(m64, newParam(tensor.Float64, vals, sh...))
			m32 = append(m32, newParam(tensor.Float32, vals, sh...))
		}
		// Gradient of ½‖w − 0.3‖² is w − 0.3: a stable quadratic.
		grad := func(p *tensor.Dense) *tensor.Dense {
			v := values(p)
			for i := range v {
				v[i] -= 0.3
			}
			return newParam(p.Dtype(), v, p.Shape()...)
		}
		vg := func(ps ...*tensor.Dense) []G.ValueGrad {
			out := make([]G.ValueGrad, len(ps))
			for i, p := range ps {
				out[i] = fakeVG{"p", p, grad(p)}
			}
			return out
		}
		for k := 0; k < 40; k++ {
			require.NoError(t, s64.Step(vg(p64...)), name)
			require.NoError(t, s32.Step(vg(p32...)), name)
			require.NoError(t, mixed.Step(vg(m64[0], m32[1], m32[0], m64[1])), name)
		}
		for i := range shapes {
			assert.Equal(t, values(p64[i]), values(m64[i]), "%s: float64 params are independent of float32 ones", name)
			assert.Equal(t, values(p32[i]), values(m32[i]), name)
			assert.LessOrEqual(t, maxScaledDiff(values(p32[i]), values(p64[i])), 1e-5, "%s: float32 vs float64", name)
			assert.Equal(t, shapes[i], []int(p64[i].Shape()), name)
			assert.Greater(t, maxRelDiff(values(p64[i]), init[i]), 1e-3, "%s: parameter %d must move", name, i)
		}
	}
}
