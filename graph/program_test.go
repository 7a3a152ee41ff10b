package graph

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// affine is a minimal layer for testing the core: y = x·Wᵀ + b with PyTorch
// layout W (out, in).
type affine struct{ in, out int }

func (a affine) Forward(s *Scope, x *G.Node) (*G.Node, error) {
	w, err := s.Param("weight", tensor.Shape{a.out, a.in}, KaimingUniform)
	if err != nil {
		return nil, err
	}
	b, err := s.Param("bias", tensor.Shape{a.out}, BiasUniform(a.in))
	if err != nil {
		return nil, err
	}
	wt, err := G.Transpose(w)
	if err != nil {
		return nil, err
	}
	y, err := G.Mul(x, wt)
	if err != nil {
		return nil, err
	}
	return G.BroadcastAdd(y, b, nil, []byte{0})
}

// two chains two affine layers under the names "fc1" and "fc2".
type two struct{}

func (two) Forward(s *Scope, x *G.Node) (*G.Node, error) {
	h, err := Call(s, "fc1", affine{3, 4}, x)
	if err != nil {
		return nil, err
	}
	return Call(s, "fc2", affine{4, 2}, h)
}

func mse(_ *Scope, out, target *G.Node) (*G.Node, error) {
	d, err := G.Sub(out, target)
	if err != nil {
		return nil, err
	}
	sq, err := G.Square(d)
	if err != nil {
		return nil, err
	}
	return G.Mean(sq)
}

func dense(shape tensor.Shape, v ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

func TestCompileNamesFollowPyTorch(t *testing.T) {
	st, err := NewStore(tensor.Float64, 1)
	require.NoError(t, err)
	_, err = Compile(st, two{}, Spec{Input: tensor.Shape{5, 3}})
	require.NoError(t, err)
	var names []string
	for _, v := range st.Vars() {
		names = append(names, v.Name)
	}
	assert.Equal(t, []string{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}, names)
	total, trainable := st.NumParams()
	assert.Equal(t, 3*4+4+4*2+2, total)
	assert.Equal(t, total, trainable)
}

func TestInitDependsOnSeedAndNameOnly(t *testing.T) {
	a, _ := NewStore(tensor.Float32, 7)
	b, _ := NewStore(tensor.Float32, 7)
	c, _ := NewStore(tensor.Float32, 8)
	_, err := a.Get("x.weight", Parameter, tensor.Shape{4, 3}, KaimingUniform)
	require.NoError(t, err)
	_, err = b.Get("other", Parameter, tensor.Shape{2}, KaimingUniform) // a different creation order
	require.NoError(t, err)
	_, err = b.Get("x.weight", Parameter, tensor.Shape{4, 3}, KaimingUniform)
	require.NoError(t, err)
	_, err = c.Get("x.weight", Parameter, tensor.Shape{4, 3}, KaimingUniform)
	require.NoError(t, err)
	va, _ := a.Lookup("x.weight")
	vb, _ := b.Lookup("x.weight")
	vc, _ := c.Lookup("x.weight")
	assert.Equal(t, va.Value.Data(), vb.Value.Data())
	assert.NotEqual(t, va.Value.Data(), vc.Value.Data())
	for _, x := range va.Value.Data().([]float32) { // U(-1/√3, 1/√3)
		assert.LessOrEqual(t, math.Abs(float64(x)), 1/math.Sqrt(3))
	}
}

func TestProgramsShareWeightsAndStepTrains(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			st, err := NewStore(dt, 3)
			require.NoError(t, err)
			train, err := Compile(st, two{}, Spec{Mode: Train, Input: tensor.Shape{4, 3}, Loss: mse})
			require.NoError(t, err)
			eval, err := Compile(st, two{}, Spec{Input: tensor.Shape{1, 3}})
			require.NoError(t, err)
			x := dense(tensor.Shape{4, 3}, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1)
			y := dense(tensor.Shape{4, 2}, 1, -1, 0.5, 0.5, -1, 1, 0, 0)
			before, err := eval.Forward(dense(tensor.Shape{1, 3}, 1, 2, 3))
			require.NoError(t, err)
			solver := G.NewVanillaSolver(G.WithLearnRate(0.1))
			first, err := train.Step(solver, x, y)
			require.NoError(t, err)
			var last Result
			for i := 0; i < 200; i++ {
				last, err = train.Step(solver, x, y)
				require.NoError(t, err)
			}
			assert.Less(t, last.Loss, first.Loss/10, "loss should fall")
			after, err := eval.Forward(dense(tensor.Shape{1, 3}, 1, 2, 3))
			require.NoError(t, err)
			assert.NotEqual(t, before.Data(), after.Data(), "the eval program must see the trained weights")
		})
	}
}

func TestFrozenParametersDoNotMove(t *testing.T) {
	st, _ := NewStore(tensor.Float64, 3)
	_, err := Compile(st, two{}, Spec{Input: tensor.Shape{1, 3}})
	require.NoError(t, err)
	n, err := st.SetFrozen(true, "fc1.*")
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	frozen := st.Snapshot()
	p, err := Compile(st, two{}, Spec{Mode: Train, Input: tensor.Shape{4, 3}, Loss: mse})
	require.NoError(t, err)
	require.Len(t, p.Trainable(), 2)
	x := dense(tensor.Shape{4, 3}, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1)
	y := dense(tensor.Shape{4, 2}, 1, -1, 0.5, 0.5, -1, 1, 0, 0)
	for i := 0; i < 5; i++ {
		_, err = p.Step(G.NewVanillaSolver(G.WithLearnRate(0.1)), x, y)
		require.NoError(t, err)
	}
	for _, name := range []string{"fc1.weight", "fc1.bias"} {
		v, _ := st.Lookup(name)
		assert.Equal(t, frozen.values[name].Data(), v.Value.Data(), name)
	}
	v, _ := st.Lookup("fc2.weight")
	assert.NotEqual(t, frozen.values["fc2.weight"].Data(), v.Value.Data())

	_, err = st.SetFrozen(true, "nope.*")
	assert.ErrorContains(t, err, "matches no tensor")
}

func TestGradsMatchFiniteDifferences(t *testing.T) {
	st, _ := NewStore(tensor.Float64, 5)
	p, err := Compile(st, two{}, Spec{Mode: Train, Input: tensor.Shape{2, 3}, Loss: mse, InputGrad: true})
	require.NoError(t, err)
	x := dense(tensor.Shape{2, 3}, 0.3, -1, 2, 1, 0.5, -0.2)
	y := dense(tensor.Shape{2, 2}, 1, 0, 0, 1)
	_, err = p.Run(x, y)
	require.NoError(t, err)
	grads, err := p.Grads()
	require.NoError(t, err)
	eval, err := Compile(st, two{}, Spec{Input: tensor.Shape{2, 3}, Loss: mse})
	require.NoError(t, err)
	loss := func() float64 {
		r, err := eval.Run(x, y)
		require.NoError(t, err)
		return r.Loss
	}
	const h = 1e-6
	for name, g := range grads {
		v, _ := st.Lookup(name)
		data := v.Value.Data().([]float64)
		for i := range data {
			orig := data[i]
			data[i] = orig + h
			up := loss()
			data[i] = orig - h
			down := loss()
			data[i] = orig
			assert.InDelta(t, (up-down)/(2*h), g.Data().([]float64)[i], 1e-8, "%s[%d]", name, i)
		}
	}
	gx, err := p.InputGrad()
	require.NoError(t, err)
	xd := x.Data().([]float64)
	for i := range xd {
		orig := xd[i]
		xd[i] = orig + h
		up := loss()
		xd[i] = orig - h
		down := loss()
		xd[i] = orig
		assert.InDelta(t, (up-down)/(2*h), gx.Data().([]float64)[i], 1e-8, "input[%d]", i)
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	st, _ := NewStore(tensor.Float32, 1)
	p, err := Compile(st, two{}, Spec{Input: tensor.Shape{2, 3}})
	require.NoError(t, err)
	_, err = p.Forward(dense(tensor.Shape{3, 3}, make([]float64, 9)...))
	assert.ErrorContains(t, err, "shape (3, 3)")
	_, err = p.Forward(dense(tensor.Shape{2, 3}, 0, 0, math.NaN(), 0, 0, 0))
	assert.ErrorContains(t, err, "NaN")
	out, err := p.Forward(dense(tensor.Shape{2, 3}, make([]float64, 6)...)) // float64 input converts
	require.NoError(t, err)
	assert.Equal(t, tensor.Float32, out.Dtype())
}

func TestCompileErrorNamesLayer(t *testing.T) {
	st, _ := NewStore(tensor.Float32, 1)
	_, err := Compile(st, two{}, Spec{Input: tensor.Shape{2, 5}}) // fc1 expects 3 features
	require.Error(t, err)
	assert.Contains(t, err.Error(), "layer fc1")
	assert.Contains(t, err.Error(), "(2, 5)")
}
