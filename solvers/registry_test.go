package solvers

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNames(t *testing.T) {
	assert.Equal(t, []string{"adabound", "adagrad", "adam", "adamw", "amsbound", "momentum", "nesterov", "radam", "rmsprop", "sgd"}, Names())
}

func TestNewUnknownNameListsValidNames(t *testing.T) {
	_, err := New("adamax")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"adamax"`)
	for _, n := range Names() {
		assert.Contains(t, err.Error(), n)
	}
	s, err := New(" AdamW ")
	require.NoError(t, err, "names are case-insensitive")
	assert.IsType(t, &AdamW{}, s)
}

func TestNewRejectsInapplicableOptions(t *testing.T) {
	cases := []struct {
		name string
		opt  Option
		opt2 string
	}{
		{"sgd", WithBetas(0.9, 0.99), "WithBetas"},
		{"sgd", WithEps(1e-3), "WithEps"},
		{"nesterov", WithNesterov(true), "WithNesterov"},
		{"adagrad", WithMomentum(0.9), "WithMomentum"},
		{"rmsprop", WithAMSGrad(true), "WithAMSGrad"},
		{"adam", WithMomentum(0.9), "WithMomentum"},
		{"adam", WithDecoupledWeightDecay(true), "WithDecoupledWeightDecay"},
		{"adamw", WithFinalLR(0.1), "WithFinalLR"},
		{"radam", WithAMSGrad(true), "WithAMSGrad"},
		{"radam", WithAlpha(0.9), "WithAlpha"},
		{"adabound", WithDegenerateToSGD(false), "WithDegenerateToSGD"},
		{"amsbound", WithAMSGrad(true), "WithAMSGrad"},
		{"momentum", WithGamma(0.1), "WithGamma"},
	}
	for _, c := range cases {
		_, err := New(c.name, WithLearnRate(0.1), c.opt)
		require.Error(t, err, "%s with %s", c.name, c.opt2)
		assert.Contains(t, err.Error(), c.opt2)
		assert.Contains(t, err.Error(), `"`+c.name+`"`)
		assert.Contains(t, err.Error(), "does not apply")
	}
}

func TestNewRejectsInvalidValues(t *testing.T) {
	cases := []struct {
		name string
		opts []Option
		msg  string
	}{
		{"sgd", []Option{WithLearnRate(-1)}, "WithLearnRate"},
		{"adam", []Option{WithBetas(1, 0.9)}, "WithBetas"},
		{"adam", []Option{WithBetas(0.9, -0.1)}, "WithBetas"},
		{"adam", []Option{WithWeightDecay(-0.1)}, "WithWeightDecay"},
		{"adam", []Option{WithEps(-1)}, "WithEps"},
		{"rmsprop", []Option{WithAlpha(1)}, "WithAlpha"},
		{"adabound", []Option{WithGamma(1)}, "WithGamma"},
		{"adabound", []Option{WithFinalLR(-1)}, "WithFinalLR"},
		{"sgd", []Option{WithMomentum(-0.5)}, "WithMomentum"},
		{"adam", []Option{WithClipNorm(-1)}, "WithClipNorm"},
		{"sgd", []Option{WithNesterov(true)}, "Nesterov momentum needs a momentum"},
		{"nesterov", []Option{WithMomentum(0)}, "Nesterov momentum needs a momentum"},
		{"adam", []Option{nil}, "nil"},
	}
	for _, c := range cases {
		_, err := New(c.name, c.opts...)
		require.Error(t, err, c.msg)
		assert.Contains(t, err.Error(), c.msg)
	}
}

// TestNewDefaults checks the documented defaults (torch.optim's).
func TestNewDefaults(t *testing.T) {
	build := func(name string, opts ...Option) Solver {
		s, err := New(name, opts...)
		require.NoError(t, err)
		return s
	}
	sgd := build("sgd").(*SGD)
	assert.Equal(t, 0.01, sgd.LearnRate())
	assert.Equal(t, 0.0, sgd.momentum)
	assert.False(t, sgd.nesterov)
	assert.Equal(t, 0.9, build("momentum").(*SGD).momentum)
	n := build("nesterov").(*SGD)
	assert.True(t, n.nesterov)
	assert.Equal(t, 0.9, n.momentum)
	assert.Equal(t, 0.5, build("momentum", WithMomentum(0.5)).(*SGD).momentum)
	assert.True(t, build("momentum", WithNesterov(true)).(*SGD).nesterov)

	ag := build("adagrad").(*Adagrad)
	assert.Equal(t, []float64{0.01, 1e-10, 0}, []float64{ag.LearnRate(), ag.eps, ag.wd})
	rp := build("rmsprop").(*RMSProp)
	assert.Equal(t, []float64{0.01, 0.99, 1e-8, 0, 0}, []float64{rp.LearnRate(), rp.alpha, rp.eps, rp.wd, rp.momentum})
	ad := build("adam").(*Adam)
	assert.Equal(t, []float64{1e-3, 0.9, 0.999, 1e-8, 0}, []float64{ad.LearnRate(), ad.beta1, ad.beta2, ad.eps, ad.wd})
	assert.False(t, ad.amsgrad)
	aw := build("adamw").(*AdamW)
	assert.Equal(t, []float64{1e-3, 0.9, 0.999, 1e-8, 0.01}, []float64{aw.LearnRate(), aw.beta1, aw.beta2, aw.eps, aw.wd})
	assert.Equal(t, 0.0, build("adamw", WithWeightDecay(0)).(*AdamW).wd, "an explicit 0 weight decay is honoured")
	ra := build("radam").(*RAdam)
	assert.Equal(t, []float64{1e-3, 0.9, 0.999, 1e-8, 0}, []float64{ra.LearnRate(), ra.beta1, ra.beta2, ra.eps, ra.wd})
	assert.True(t, ra.degenerateToSGD)
	assert.False(t, ra.decouple)
	ab := build("adabound").(*AdaBound)
	assert.Equal(t, []float64{1e-3, 0.9, 0.999, 1e-8, 0.1, 1e-3, 0, 1e-3},
		[]float64{ab.LearnRate(), ab.beta1, ab.beta2, ab.eps, ab.finalLR, ab.gamma, ab.wd, ab.BaseLR()})
	assert.False(t, ab.amsbound)
	assert.True(t, build("amsbound").(*AdaBound).amsbound)
	assert.True(t, build("adabound", WithAMSGrad(true)).(*AdaBound).amsbound)
	// Zero means the default where zero is meaningless.
	assert.Equal(t, 1e-3, build("adam", WithLearnRate(0), WithEps(0)).LearnRate())
	assert.Equal(t, 1e-8, build("adam", WithEps(0)).(*Adam).eps)
	assert.Equal(t, 0.0, build("adabound").(*AdaBound).clipNorm)
	assert.Equal(t, 2.5, build("adabound", WithClipNorm(2.5)).(*AdaBound).clipNorm)
	b1, b2 := build("adam", WithBetas(0, 0.5)).(*Adam).Betas()
	assert.Equal(t, []float64{0, 0.5}, []float64{b1, b2}, "explicit betas are honoured, even 0")
}

func TestEveryNameBuildsASolver(t *testing.T) {
	for _, n := range Names() {
		s, err := New(strings.ToUpper(n))
		require.NoError(t, err, n)
		assert.Implements(t, (*Solver)(nil), s)
		assert.Implements(t, (*LRScaler)(nil), s)
		assert.Implements(t, (*Checkpointer)(nil), s)
		if n != "adagrad" {
			assert.Implements(t, (*MomentumSetter)(nil), s)
		}
	}
}
