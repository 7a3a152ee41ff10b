package ops

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// positive returns a spec with values in [0.5, 1.5): gamma or a variance.
func positive(name string, seed uint64, shape ...int) spec {
	s := randSpec(name, seed, shape...)
	for i, v := range s.Data {
		s.Data[i] = 0.5 + math.Abs(math.Mod(v, 1))
	}
	return s
}

func denseOf(s spec) *tensor.Dense {
	return tensor.New(tensor.WithShape(s.Shape...), tensor.WithBacking(append([]float64(nil), s.Data...)))
}

var bnCases = []struct {
	name      string
	x, affine []int
}{
	{"2d", []int{5, 3}, []int{3}},
	{"4d", []int{3, 2, 2, 3}, []int{2}},
	{"4d gamma (1,C,1,1)", []int{2, 3, 2, 2}, []int{1, 3, 1, 1}},
	{"3d", []int{2, 3, 4}, []int{3}},
}

func TestBatchNormTrainFiniteDiff(t *testing.T) {
	for _, tc := range bnCases {
		t.Run(tc.name, func(t *testing.T) {
			x := randSpec("x", 12, tc.x...)
			for i := range x.Data {
				x.Data[i] = 2*x.Data[i] + 0.3
			}
			specs := []spec{x, positive("gamma", 13, tc.affine...), randSpec("beta", 14, tc.affine...)}
			stats := &BatchStats{}
			checkFiniteDiff(t, specs, []string{"x", "gamma", "beta"}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return BatchNormTrain(in["x"], in["gamma"], in["beta"], 1e-5, stats)
			}, 1e-5)
			assert.True(t, stats.Valid)
		})
	}
}

func TestBatchNormEvalFiniteDiff(t *testing.T) {
	for _, tc := range bnCases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.x[1]
			rm, rv := denseOf(randSpec("rm", 15, c)), denseOf(positive("rv", 16, c))
			specs := []spec{randSpec("x", 12, tc.x...), positive("gamma", 13, tc.affine...), randSpec("beta", 14, tc.affine...)}
			// with and without the fused ReLU
			for _, op := range []func(x, gamma, beta *G.Node, rm, rv *tensor.Dense, eps float64) (*G.Node, error){BatchNormEval, BatchNormEvalReLU} {
				checkFiniteDiff(t, specs, []string{"x", "gamma", "beta"}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
					return op(in["x"], in["gamma"], in["beta"], rm, rv, 1e-5)
				}, 1e-6)
			}
		})
	}
}

func TestBatchNormTorch(t *testing.T) {
	for _, f := range loadFixtures(t, "batchnorm") {
		t.Run(f.Name, func(t *testing.T) {
			var p struct {
				Mode     string  `json:"mode"`
				Eps      float64 `json:"eps"`
				Momentum float64 `json:"momentum"`
			}
			f.params(t, &p)
			specs := []spec{f.input("x"), f.input("gamma"), f.input("beta")}
			if p.Mode == "eval" {
				rm, rv := denseOf(f.Extra["running_mean"]), denseOf(f.Extra["running_var"])
				checkFixture(t, f, specs, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
					return BatchNormEval(in["x"], in["gamma"], in["beta"], rm, rv, p.Eps)
				})
				return
			}
			stats := &BatchStats{}
			checkFixture(t, f, specs, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return BatchNormTrain(in["x"], in["gamma"], in["beta"], p.Eps, stats)
			})
			mean, vr, ok := stats.Snapshot()
			require.True(t, ok)
			// the last run was float32: its statistics are float32-accurate
			assertClose(t, f.Extra["batch_mean"].Data, mean, 1e-6, "batch mean")
			assertClose(t, f.Extra["batch_var_unbiased"].Data, vr, 1e-6, "unbiased batch var")

			for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				rm := tensor.New(tensor.WithShape(len(mean)), tensor.Of(dt))
				rv := tensor.New(tensor.WithShape(len(mean)), tensor.Of(dt))
				require.NoError(t, fill(rm, f.Extra["running_mean_before"].Data))
				require.NoError(t, fill(rv, f.Extra["running_var_before"].Data))
				stats.Valid = true
				require.NoError(t, UpdateRunning(rm, rv, stats, p.Momentum))
				gm, err := floats(rm)
				require.NoError(t, err)
				gv, err := floats(rv)
				require.NoError(t, err)
				assertClose(t, f.Extra["running_mean_after"].Data, gm, 1e-6, "running mean (%v)", dt)
				assertClose(t, f.Extra["running_var_after"].Data, gv, 1e-6, "running var (%v)", dt)
				assert.Error(t, UpdateRunning(rm, rv, stats, p.Momentum), "stats are consumed")
			}
		})
	}
}

// TestBatchNormEvalBuiltinBroken: Gorgonia's eval-mode BatchNorm gives an
// input gradient ~1/√eps times too large; ours matches PyTorch.
func TestBatchNormEvalBuiltinBroken(t *testing.T) {
	var f fixture
	for _, c := range loadFixtures(t, "batchnorm") {
		if c.Name == "eval_4d" {
			f = c
		}
	}
	require.NotEmpty(t, f.Name)
	x, gamma, beta := f.input("x"), f.input("gamma"), f.input("beta")
	c := x.Shape[1]
	rm, rv := denseOf(f.Extra["running_mean"]), denseOf(f.Extra["running_var"])
	want := f.Grads["x"].Data

	ours := newHarness[float64](t, []spec{x, gamma, beta}, []string{"x"}, f.Weight.Data,
		func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
			return BatchNormEval(in["x"], in["gamma"], in["beta"], rm, rv, 1e-5)
		})
	ours.run(t)
	assertClose(t, want, ours.grad(t, "x"), 1e-10, "ours")

	gamma4 := spec{Name: "gamma", Shape: []int{1, c, 1, 1}, Data: gamma.Data}
	beta4 := spec{Name: "beta", Shape: []int{1, c, 1, 1}, Data: beta.Data}
	builtin := newHarness[float64](t, []spec{x, gamma4, beta4}, []string{"x"}, f.Weight.Data,
		func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
			y, _, _, op, err := G.BatchNorm(in["x"], in["gamma"], in["beta"], 0.1, 1e-5)
			if err != nil {
				return nil, err
			}
			return y, op.SetStats(rm.Clone().(*tensor.Dense), rv.Clone().(*tensor.Dense))
		}, G.EvalMode())
	builtin.run(t)
	assertClose(t, f.Output.Data, builtin.output(t), 1e-10, "built-in forward is right")
	got := builtin.grad(t, "x")
	ratio := 0.0
	for i := range want {
		ratio = math.Max(ratio, math.Abs(got[i]/want[i]))
	}
	assert.Greater(t, ratio, 100.0, "Gorgonia's eval-mode input gradient was expected to be far too large")
	t.Logf("built-in eval-mode input gradient / PyTorch's: up to %.0f", ratio)
}

func TestBatchNormStatsAndHashing(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(2, 2, 2, 2), G.WithName("x"),
		G.WithValue(denseOf(randSpec("x", 1, 2, 2, 2, 2))))
	gamma := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("gamma"), G.WithValue(tensor.New(tensor.WithBacking([]float64{1, 2}))))
	beta := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("beta"), G.WithValue(tensor.New(tensor.WithBacking([]float64{0, 1}))))
	s1, s2 := &BatchStats{}, &BatchStats{}
	a, err := BatchNormTrain(x, gamma, beta, 1e-5, s1)
	require.NoError(t, err)
	b, err := BatchNormTrain(x, gamma, beta, 1e-5, s2)
	require.NoError(t, err)
	assert.NotSame(t, a, b, "different stats, different nodes")
	c, err := BatchNormTrain(x, gamma, beta, 1e-3, s1)
	require.NoError(t, err)
	assert.NotSame(t, a, c, "different eps, different nodes")

	// two eval nodes over equal but distinct running buffers stay distinct,
	// and read their buffers at run time
	rm1 := tensor.New(tensor.WithBacking([]float64{0, 0}))
	rv1 := tensor.New(tensor.WithBacking([]float64{1, 1}))
	rm2 := tensor.New(tensor.WithBacking([]float64{0, 0}))
	rv2 := tensor.New(tensor.WithBacking([]float64{1, 1}))
	e1, err := BatchNormEval(x, gamma, beta, rm1, rv1, 0)
	require.NoError(t, err)
	e2, err := BatchNormEval(x, gamma, beta, rm2, rv2, 0)
	require.NoError(t, err)
	require.NotSame(t, e1, e2)
	var v1, v2 G.Value
	G.Read(e1, &v1)
	G.Read(e2, &v2)
	m := G.NewTapeMachine(g)
	defer m.Close()
	require.NoError(t, m.RunAll())
	assert.True(t, s1.Valid && s2.Valid, "both training nodes wrote their stats")
	mean1, _, _ := s1.Snapshot()
	mean2, _, _ := s2.Snapshot()
	assert.Equal(t, mean1, mean2)
	assert.Equal(t, toFloats(t, v1), toFloats(t, v2))

	rm2.Float64s()[0] = 1 // change one buffer in place: only e2 changes
	m.Reset()
	require.NoError(t, m.RunAll())
	y1, y2 := toFloats(t, v1), toFloats(t, v2)
	xs := toFloats(t, x.Value())
	for i := range y1 {
		ch := (i / 4) % 2
		gm := []float64{1, 2}[ch]
		bt := []float64{0, 1}[ch]
		mu := []float64{1, 0}[ch]
		assert.InDelta(t, xs[i]*gm+bt, y1[i], 1e-12)
		assert.InDelta(t, (xs[i]-mu)*gm+bt, y2[i], 1e-12)
	}
}

func TestBatchNormErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(2, 3, 2, 2), G.WithName("x"))
	one := G.NewTensor(g, tensor.Float64, 2, G.WithShape(1, 3), G.WithName("one"))
	v3 := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("v3"))
	v4 := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("v4"))
	v32 := G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("v32"))
	vec := G.NewVector(g, tensor.Float64, G.WithShape(6), G.WithName("vec"))
	r3 := tensor.New(tensor.WithShape(3), tensor.Of(tensor.Float64))
	r4 := tensor.New(tensor.WithShape(4), tensor.Of(tensor.Float64))
	ri := tensor.New(tensor.WithShape(3), tensor.Of(tensor.Int))
	for name, f := range map[string]func() (*G.Node, error){
		"gamma size":    func() (*G.Node, error) { return BatchNormTrain(x, v4, v3, 1e-5, nil) },
		"beta size":     func() (*G.Node, error) { return BatchNormEval(x, v3, v4, r3, r3, 1e-5) },
		"gamma dtype":   func() (*G.Node, error) { return BatchNormTrain(x, v32, v3, 1e-5, nil) },
		"1-d input":     func() (*G.Node, error) { return BatchNormTrain(vec, v3, v3, 1e-5, nil) },
		"negative eps":  func() (*G.Node, error) { return BatchNormTrain(x, v3, v3, -1, nil) },
		"NaN eps":       func() (*G.Node, error) { return BatchNormEval(x, v3, v3, r3, r3, math.NaN()) },
		"one value":     func() (*G.Node, error) { return BatchNormTrain(one, v3, v3, 1e-5, nil) },
		"running size":  func() (*G.Node, error) { return BatchNormEval(x, v3, v3, r4, r3, 1e-5) },
		"running dtype": func() (*G.Node, error) { return BatchNormEval(x, v3, v3, r3, ri, 1e-5) },
		"running nil":   func() (*G.Node, error) { return BatchNormEval(x, v3, v3, nil, r3, 1e-5) },
		"nil gamma":     func() (*G.Node, error) { return BatchNormTrain(x, nil, v3, 1e-5, nil) },
	} {
		n, err := f()
		assert.Error(t, err, name)
		assert.Nil(t, n, name)
	}
	// one value per channel is fine in evaluation mode
	_, err := BatchNormEval(one, v3, v3, r3, r3, 1e-5)
	assert.NoError(t, err)
}

func TestUpdateRunningErrors(t *testing.T) {
	r2 := tensor.New(tensor.WithShape(2), tensor.Of(tensor.Float32))
	r3 := tensor.New(tensor.WithShape(3), tensor.Of(tensor.Float32))
	valid := func() *BatchStats {
		return &BatchStats{Mean: []float64{1, 2}, Var: []float64{3, 4}, Count: 5, Valid: true}
	}
	assert.Error(t, UpdateRunning(r2, r2, nil, 0.1), "nil stats")
	assert.Error(t, UpdateRunning(r2, r2, &BatchStats{}, 0.1), "no run yet")
	assert.Error(t, UpdateRunning(r3, r2, valid(), 0.1), "size")
	assert.Error(t, UpdateRunning(r2, r2, valid(), 1.5), "momentum")
	assert.Error(t, UpdateRunning(nil, r2, valid(), 0.1), "nil tensor")
	rm, rv := tensor.New(tensor.WithBacking([]float32{0, 0})), tensor.New(tensor.WithBacking([]float32{1, 1}))
	require.NoError(t, UpdateRunning(rm, rv, valid(), 0.5))
	assert.Equal(t, []float32{0.5, 1}, rm.Float32s())
	assert.Equal(t, []float32{2, 2.5}, rv.Float32s())
}

// TestBatchNormTrainBuiltinWipesStats: Gorgonia's training-mode BatchNorm
// is numerically right but keeps its running statistics inside the op, and
// every training-mode TapeMachine resets them to 0 and 1, wiping loaded
// values. Ours keep none: the caller's running tensors survive any number
// of machines and change only through UpdateRunning.
func TestBatchNormTrainBuiltinWipesStats(t *testing.T) {
	loadedMean := []float64{0.5, -1, 2}
	loadedVar := []float64{4, 0.25, 9}

	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(2, 3, 2, 2), G.WithName("x"))
	gamma := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 3, 1, 1), G.WithName("gamma"))
	beta := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 3, 1, 1), G.WithName("beta"))
	_, _, _, op, err := G.BatchNorm(x, gamma, beta, 0.1, 1e-5)
	require.NoError(t, err)
	require.NoError(t, op.SetStats(
		tensor.New(tensor.WithBacking(append([]float64(nil), loadedMean...))),
		tensor.New(tensor.WithBacking(append([]float64(nil), loadedVar...)))))
	m := G.NewTapeMachine(g)
	require.NoError(t, m.Close())
	mean, variance := op.Stats()
	assert.Equal(t, []float64{0, 0, 0}, mean.Data(), "built-in: loaded running mean wiped")
	assert.Equal(t, []float64{1, 1, 1}, variance.Data(), "built-in: loaded running var wiped")

	rm := tensor.New(tensor.WithBacking(append([]float64(nil), loadedMean...)))
	rv := tensor.New(tensor.WithBacking(append([]float64(nil), loadedVar...)))
	stats := &BatchStats{}
	h := newHarness[float64](t, []spec{randSpec("x", 3, 2, 3, 2, 2), positive("gamma", 4, 3), randSpec("beta", 5, 3)},
		[]string{"x"}, nil, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
			return BatchNormTrain(in["x"], in["gamma"], in["beta"], 1e-5, stats)
		})
	h.run(t)
	newHarness[float64](t, []spec{randSpec("x", 3, 2, 3, 2, 2), positive("gamma", 4, 3), randSpec("beta", 5, 3)},
		nil, nil, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
			return BatchNormEval(in["x"], in["gamma"], in["beta"], rm, rv, 1e-5)
		}).run(t)
	assert.Equal(t, loadedMean, rm.Float64s(), "ours: running mean untouched by machines and runs")
	assert.Equal(t, loadedVar, rv.Float64s(), "ours: running var untouched by machines and runs")
	require.NoError(t, UpdateRunning(rm, rv, stats, 0.1))
	bm, bv, _ := stats.Snapshot()
	for c := range loadedMean {
		assert.InDelta(t, 0.9*loadedMean[c]+0.1*bm[c], rm.Float64s()[c], 1e-15)
		assert.InDelta(t, 0.9*loadedVar[c]+0.1*bv[c], rv.Float64s()[c], 1e-15)
	}
}

// TestBatchNormEvalReLUMatchesTwoOps: the fused op gives exactly the
// values and gradients of BatchNormEval followed by ReLU, in both dtypes,
// on a tensor large enough to be split over the cores.
func TestBatchNormEvalReLUMatchesTwoOps(t *testing.T) {
	const n, c, h, w = 3, 5, 61, 47
	rm, rv := denseOf(randSpec("rm", 17, c)), denseOf(positive("rv", 18, c))
	specs := []spec{randSpec("x", 19, n, c, h, w), positive("gamma", 20, c), randSpec("beta", 21, c)}
	weight := randSpec("w", 22, n, c, h, w).Data
	wrt := []string{"x", "gamma", "beta"}
	fused := func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
		return BatchNormEvalReLU(in["x"], in["gamma"], in["beta"], rm, rv, 1e-5)
	}
	two := func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
		y, err := BatchNormEval(in["x"], in["gamma"], in["beta"], rm, rv, 1e-5)
		if err != nil {
			return nil, err
		}
		return ReLU(y)
	}
	assertMatchesReference(t, specs, wrt, weight, fused, two, 0)
}
