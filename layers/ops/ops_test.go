package ops

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ownOps returns one instance of every op of the package, each with
// arguments of the right shapes for it.
func ownOps() map[string]struct {
	op   G.Op
	args []tensor.Shape
} {
	x4 := tensor.Shape{2, 3, 4, 4}
	pool, err := newPoolParams(x4, [2]int{2, 2}, [2]int{2, 2}, [2]int{}, true, false)
	if err != nil {
		panic(err)
	}
	bn := bnParams{in: x4, gamma: tensor.Shape{3}, beta: tensor.Shape{3}, eps: 1e-5}
	rm := tensor.New(tensor.WithShape(3), tensor.Of(tensor.Float64))
	rv := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 1, 1}))
	sp := softmaxParams{shape: tensor.Shape{2, 5}, axis: 1, log: true}
	c := tensor.Shape{3}
	type entry = struct {
		op   G.Op
		args []tensor.Shape
	}
	return map[string]entry{
		"reduce":         {&reduceOp{in: x4, axes: []int{2, 3}, scale: 1}, []tensor.Shape{x4}},
		"expand":         {&expandOp{in: x4, axes: []int{2, 3}, scale: 1}, []tensor.Shape{{2, 3}}},
		"softmax":        {&softmaxOp{softmaxParams: sp}, []tensor.Shape{{2, 5}}},
		"softmax grad":   {&softmaxGradOp{softmaxParams: sp}, []tensor.Shape{{2, 5}, {2, 5}}},
		"avgpool":        {&avgPoolOp{poolParams: pool}, []tensor.Shape{x4}},
		"avgpool grad":   {&avgPoolGradOp{poolParams: pool}, []tensor.Shape{pool.outShape()}},
		"mask mul":       {&maskMulOp{x: x4, mask: tensor.Shape{2, 3, 1, 1}}, []tensor.Shape{x4, {2, 3, 1, 1}}},
		"bn train":       {&bnTrainOp{bnParams: bn, stats: &BatchStats{}}, []tensor.Shape{x4, c, c}},
		"bn train grad":  {&bnTrainGradOp{bnParams: bn}, []tensor.Shape{x4, c, x4}},
		"bn gamma grad":  {&bnGammaGradOp{bnParams: bn}, []tensor.Shape{x4, x4}},
		"bn eval":        {&bnEvalOp{bnParams: bn, mean: rm, vr: rv}, []tensor.Shape{x4, c, c}},
		"bn eval grad":   {&bnEvalGradOp{bnParams: bn, vr: rv}, []tensor.Shape{c, x4}},
		"gelu":           {&geluOp{shape: x4}, []tensor.Shape{x4}},
		"gelu grad":      {&geluGradOp{shape: x4}, []tensor.Shape{x4, x4}},
		"maxpool":        {&maxPoolOp{poolParams: pool}, []tensor.Shape{x4}},
		"maxpool argmax": {&maxPoolOp{poolParams: pool, arg: &argmax{}}, []tensor.Shape{x4}},
		"maxpool grad": {&maxPoolGradOp{poolParams: pool, arg: &argmax{idx: make([]int32, pool.outShape().TotalSize())}},
			[]tensor.Shape{pool.outShape(), pool.outShape()}},
		"relu":      {&clampOp{clampParams: clampParams{name: "ReLU", shape: x4, hi: math.Inf(1)}}, []tensor.Shape{x4}},
		"relu grad": {&clampGradOp{clampParams: clampParams{name: "ReLU", shape: x4, hi: math.Inf(1)}}, []tensor.Shape{x4, x4}},
	}
}

// TestOpsRejectBadValues: Do must return errors, never panic, on values of
// the wrong size or dtype or number: inside TapeMachine.RunAll a panic would
// kill the process. InferShape likewise returns errors.
func TestOpsRejectBadValues(t *testing.T) {
	for name, e := range ownOps() {
		t.Run(name, func(t *testing.T) {
			good := make([]G.Value, len(e.args))
			ds := make([]G.DimSizer, len(e.args))
			for i, s := range e.args {
				good[i] = tensor.New(tensor.WithShape(s...), tensor.Of(tensor.Float32))
				ds[i] = s
			}
			_, err := e.op.Do(good...)
			require.NoError(t, err, "well-formed values")
			_, err = e.op.InferShape(ds...)
			require.NoError(t, err)

			assert.NotPanics(t, func() {
				_, err := e.op.Do(good[:len(good)-1]...)
				assert.Error(t, err, "too few values")

				short := append([]G.Value(nil), good...)
				short[0] = tensor.New(tensor.WithShape(1), tensor.Of(tensor.Float32))
				_, err = e.op.Do(short...)
				assert.Error(t, err, "too small first value")

				ints := append([]G.Value(nil), good...)
				ints[0] = tensor.New(tensor.WithShape(e.args[0]...), tensor.Of(tensor.Int))
				_, err = e.op.Do(ints...)
				assert.Error(t, err, "int values")

				if len(good) > 1 {
					mixed := append([]G.Value(nil), good...)
					mixed[len(mixed)-1] = tensor.New(tensor.WithShape(e.args[len(e.args)-1]...), tensor.Of(tensor.Float64))
					_, err = e.op.Do(mixed...)
					assert.Error(t, err, "mixed dtypes")
				}

				bad := append([]G.DimSizer(nil), ds...)
				bad[0] = tensor.Shape{7}
				_, err = e.op.InferShape(bad...)
				assert.Error(t, err, "InferShape with a wrong shape")
				_, err = e.op.InferShape(ds[:len(ds)-1]...)
				assert.Error(t, err, "InferShape with too few shapes")
			})
		})
	}
}

// TestOpHashesDiffer: every parameter is part of an op's hash, so that
// Gorgonia's hash-consing never merges two different computations.
func TestOpHashesDiffer(t *testing.T) {
	x4 := tensor.Shape{2, 3, 4, 4}
	pool := func(k, s, p [2]int, inc, ceil bool) poolParams {
		pp, err := newPoolParams(x4, k, s, p, inc, ceil)
		require.NoError(t, err)
		return pp
	}
	bn := func(eps float64, g tensor.Shape) bnParams {
		return bnParams{in: x4, gamma: g, beta: tensor.Shape{3}, eps: eps}
	}
	rm := tensor.New(tensor.WithShape(3), tensor.Of(tensor.Float64))
	rv := tensor.New(tensor.WithShape(3), tensor.Of(tensor.Float64))
	rv2 := tensor.New(tensor.WithShape(3), tensor.Of(tensor.Float64))
	s1, s2 := &BatchStats{}, &BatchStats{}
	groups := [][]G.Op{
		{
			&reduceOp{in: x4, axes: []int{2, 3}, scale: 1},
			&reduceOp{in: x4, axes: []int{2, 3}, scale: 0.5},
			&reduceOp{in: x4, axes: []int{1, 3}, scale: 1},
			&reduceOp{in: tensor.Shape{2, 3, 4, 5}, axes: []int{2, 3}, scale: 1},
			&expandOp{in: x4, axes: []int{2, 3}, scale: 1},
		},
		{
			&softmaxOp{softmaxParams: softmaxParams{shape: tensor.Shape{2, 5}, axis: 1, log: true}},
			&softmaxOp{softmaxParams: softmaxParams{shape: tensor.Shape{2, 5}, axis: 1}},
			&softmaxOp{softmaxParams: softmaxParams{shape: tensor.Shape{2, 5}, axis: 0, log: true}},
			&softmaxGradOp{softmaxParams: softmaxParams{shape: tensor.Shape{2, 5}, axis: 1, log: true}},
		},
		{
			&avgPoolOp{poolParams: pool([2]int{2, 2}, [2]int{2, 2}, [2]int{}, true, false)},
			&avgPoolOp{poolParams: pool([2]int{2, 2}, [2]int{1, 1}, [2]int{}, true, false)},
			&avgPoolOp{poolParams: pool([2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, true, false)},
			&avgPoolOp{poolParams: pool([2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, false, false)},
			&avgPoolOp{poolParams: pool([2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, true, true)},
			&avgPoolGradOp{poolParams: pool([2]int{2, 2}, [2]int{2, 2}, [2]int{}, true, false)},
		},
		{
			&bnTrainOp{bnParams: bn(1e-5, tensor.Shape{3}), stats: s1},
			&bnTrainOp{bnParams: bn(1e-5, tensor.Shape{3}), stats: s2},
			&bnTrainOp{bnParams: bn(1e-3, tensor.Shape{3}), stats: s1},
			&bnTrainOp{bnParams: bn(1e-5, tensor.Shape{1, 3, 1, 1}), stats: s1},
			&bnEvalOp{bnParams: bn(1e-5, tensor.Shape{3}), mean: rm, vr: rv},
			&bnEvalOp{bnParams: bn(1e-5, tensor.Shape{3}), mean: rm, vr: rv2},
			&bnEvalOp{bnParams: bn(1e-5, tensor.Shape{3}), mean: rm, vr: rv, relu: true},
			&bnEvalGradOp{bnParams: bn(1e-5, tensor.Shape{3}), vr: rv},
			&bnEvalGradOp{bnParams: bn(1e-5, tensor.Shape{3}), vr: rv2},
			&bnGammaGradOp{bnParams: bn(1e-5, tensor.Shape{3})},
			&bnGammaGradOp{bnParams: bn(1e-5, tensor.Shape{3}), eval: true, mean: rm, vr: rv},
			&bnTrainGradOp{bnParams: bn(1e-5, tensor.Shape{3})},
			&bnTrainGradOp{bnParams: bn(1e-4, tensor.Shape{3})},
		},
		{
			&geluOp{shape: x4}, &geluOp{shape: x4, approx: true}, &geluGradOp{shape: x4},
			&maskMulOp{x: x4, mask: x4}, &maskMulOp{x: x4, mask: tensor.Shape{2, 3, 1, 1}},
		},
		{
			&maxPoolOp{poolParams: pool([2]int{2, 2}, [2]int{2, 2}, [2]int{}, false, false)},
			&maxPoolOp{poolParams: pool([2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, false, false)},
			&maxPoolOp{poolParams: pool([2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, false, true)},
			&maxPoolGradOp{poolParams: pool([2]int{2, 2}, [2]int{2, 2}, [2]int{}, false, false)},
			&clampOp{clampParams: clampParams{name: "ReLU", shape: x4, hi: math.Inf(1)}},
			&clampOp{clampParams: clampParams{name: "ReLU6", shape: x4, hi: 6}},
			&clampGradOp{clampParams: clampParams{name: "ReLU", shape: x4, hi: math.Inf(1)}},
			&clampGradOp{clampParams: clampParams{name: "ReLU6", shape: x4, hi: 6}},
		},
	}
	seen := map[uint32]string{}
	for _, group := range groups {
		for _, op := range group {
			h := op.Hashcode()
			if prev, ok := seen[h]; ok {
				t.Errorf("%v and %s have the same hash", op, prev)
			}
			seen[h] = op.String()
		}
	}
}

// TestOpsReadViews: inputs that are views (here a Slice along the channel
// axis, which is not contiguous) are read correctly.
func TestOpsReadViews(t *testing.T) {
	x := randSpec("x", 20, 2, 4, 3)
	checkFiniteDiff(t, []spec{x}, []string{"x"}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
		v, err := G.Slice(in["x"], nil, G.S(1, 3))
		if err != nil {
			return nil, err
		}
		return LogSoftmax(v, 1)
	}, 1e-6)

	h := newHarness[float64](t, []spec{x}, nil, nil, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
		v, err := G.Slice(in["x"], nil, G.S(1, 3))
		if err != nil {
			return nil, err
		}
		return Sum(v, 1)
	})
	h.run(t)
	want := make([]float64, 0, 6)
	for n := 0; n < 2; n++ {
		for k := 0; k < 3; k++ {
			want = append(want, x.Data[n*12+1*3+k]+x.Data[n*12+2*3+k])
		}
	}
	assertClose(t, want, h.output(t), 1e-15, "sum over a view")
}
