package augment

import (
	"context"
	"io"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
)

// labelBatch returns n samples of 1×3×4 images whose pixels are all
// k·(i+1) for sample i (k = 1 in channel 0 and 10 in channel 1 when c = 2),
// with label i and one-hot targets over n classes.
func labelBatch(n, c int, dt tensor.Dtype) *data.Batch {
	const h, w = 3, 4
	x := make([]float64, n*c*h*w)
	for i := range n {
		for ch := range c {
			for p := range h * w {
				x[(i*c+ch)*h*w+p] = float64(i+1) * math.Pow(10, float64(ch))
			}
		}
	}
	t := make([]float64, n*n)
	labels := make([]int, n)
	for i := range n {
		t[i*n+i] = 1
		labels[i] = i
	}
	b := &data.Batch{Labels: labels}
	if dt == tensor.Float32 {
		b.X = tensor.New(tensor.WithShape(n, c, h, w), tensor.WithBacking(to32(x)))
		b.Targets = tensor.New(tensor.WithShape(n, n), tensor.WithBacking(to32(t)))
	} else {
		b.X = tensor.New(tensor.WithShape(n, c, h, w), tensor.WithBacking(x))
		b.Targets = tensor.New(tensor.WithShape(n, n), tensor.WithBacking(t))
	}
	return b
}

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// partners reads λ and each row's partner back from mixed one-hot targets.
func partners(t *testing.T, targets []float64, n int) (lam float64, perm []int) {
	t.Helper()
	perm = make([]int, n)
	lam = -1
	for i := range n {
		row := targets[i*n : (i+1)*n]
		sum := 0.0
		for _, v := range row {
			sum += v
		}
		require.InDelta(t, 1, sum, 1e-6, "row %d sums to 1", i)
		perm[i] = i
		for j, v := range row {
			if j != i && v > 0 {
				perm[i] = j
				if lam < 0 {
					lam = row[i]
				}
				require.InDelta(t, lam, row[i], 1e-6, "one λ for the whole batch")
				require.InDelta(t, 1-lam, v, 1e-6)
			}
		}
	}
	return lam, perm
}

func TestMixUpMixesImagesAndTargetsAlike(t *testing.T) {
	const n = 6
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for seed := range uint64(5) {
			b := labelBatch(n, 2, dt)
			orig := graph.Float64s(b.X)
			require.NoError(t, MixUp{}.Apply(rngOf(seed), b))
			lam, perm := partners(t, graph.Float64s(b.Targets), n)
			if lam < 0 {
				continue // the permutation was the identity
			}
			x := graph.Float64s(b.X)
			size := len(x) / n
			for i, j := range perm {
				for k := range size {
					want := lam*orig[i*size+k] + (1-lam)*orig[j*size+k]
					require.InDelta(t, want, x[i*size+k], 1e-5*math.Max(1, want))
				}
			}
			assert.Equal(t, []int{0, 1, 2, 3, 4, 5}, b.Labels, "labels are kept")
		}
	}
}

func TestCutMixPastesOneBox(t *testing.T) {
	const n, h, w = 5, 3, 4
	areas := map[int]bool{}
	for seed := range uint64(40) {
		b := labelBatch(n, 2, tensor.Float32)
		require.NoError(t, CutMix{}.Apply(rngOf(seed), b))
		x := graph.Float64s(b.X)
		var boxAt [][2]int
		lam, perm := partners(t, graph.Float64s(b.Targets), n)
		for i := range n {
			for ch := range 2 {
				scale := math.Pow(10, float64(ch))
				var in [][2]int
				for y := range h {
					for xx := range w {
						v := x[((i*2+ch)*h+y)*w+xx] / scale
						if v != float64(i+1) {
							require.Equal(t, float64(perm[i]+1), v, "sample %d pixel (%d, %d) comes from its partner", i, y, xx)
							in = append(in, [2]int{y, xx})
						}
					}
				}
				if perm[i] == i {
					continue
				}
				if boxAt == nil {
					boxAt = in
				}
				require.Equal(t, boxAt, in, "the same box in every sample and channel")
			}
		}
		if lam < 0 {
			continue
		}
		_, _, bh, bw, solid := box(boxAt)
		require.True(t, solid || len(boxAt) == 0)
		assert.InDelta(t, 1-float64(bh*bw)/(h*w), lam, 1e-6, "λ is the area kept")
		areas[bh*bw] = true
	}
	assert.Greater(t, len(areas), 2, "box sizes vary")
}

func TestMixErrors(t *testing.T) {
	b := labelBatch(3, 1, tensor.Float32)
	b.Targets = nil
	assert.ErrorContains(t, MixUp{}.Apply(rngOf(1), b), "NumClasses")
	assert.ErrorContains(t, CutMix{}.Apply(rngOf(1), b), "NumClasses")
	assert.Error(t, MixUp{Alpha: -1}.Apply(rngOf(1), labelBatch(3, 1, tensor.Float32)))
	assert.Error(t, CutMix{P: 3}.Apply(rngOf(1), labelBatch(3, 1, tensor.Float32)))
	assert.Error(t, MixUp{}.Apply(rngOf(1), nil))
}

func TestMixProbability(t *testing.T) {
	mixed := 0
	for seed := range uint64(400) {
		b := labelBatch(4, 1, tensor.Float64)
		require.NoError(t, MixUp{P: 0.25}.Apply(rngOf(seed), b))
		if !assert.ObjectsAreEqual(graph.Float64s(labelBatch(4, 1, tensor.Float64).Targets), graph.Float64s(b.Targets)) {
			mixed++
		}
	}
	assert.InDelta(t, 0.25*(1-1.0/24), float64(mixed)/400, 0.06)
}

// TestBetaMoments: Beta(α, α) has mean ½ and variance 1/(4(2α+1)).
func TestBetaMoments(t *testing.T) {
	for _, alpha := range []float64{0.2, 1, 3} {
		rng := rngOf(7)
		const n = 20000
		var sum, sq float64
		for range n {
			v := betaSample(rng, alpha, alpha)
			require.True(t, v >= 0 && v <= 1)
			sum += v
			sq += v * v
		}
		mean := sum / n
		variance := sq/n - mean*mean
		assert.InDelta(t, 0.5, mean, 0.01, "α = %v", alpha)
		assert.InDelta(t, 1/(4*(2*alpha+1)), variance, 0.05/(4*(2*alpha+1)), "α = %v", alpha)
	}
	rng := rngOf(8)
	var sum float64
	for range 20000 {
		sum += gammaSample(rng, 0.5)
	}
	assert.InDelta(t, 0.5, sum/20000, 0.02, "Gamma(½) has mean ½")
}

// TestMixInLoader: MixUp as the Loader's BatchTransform gives soft
// targets, the same ones for the same seed and epoch, others for another
// epoch.
func TestMixInLoader(t *testing.T) {
	ds := &data.InMemory{}
	for i := range 16 {
		ds.Samples = append(ds.Samples, data.Sample{Image: []float32{float32(i) / 16}, C: 1, H: 1, W: 1, Label: i % 4})
	}
	loader := &data.Loader{Dataset: ds, BatchSize: 8, Seed: 3, NumClasses: 4, Workers: 2, BatchTransform: MixUp{Alpha: 0.4}}
	first := epochTargets(t, loader, 1)
	assert.Equal(t, first, epochTargets(t, loader, 1))
	assert.NotEqual(t, first, epochTargets(t, loader, 2))
	soft := 0
	for _, v := range first {
		if v != 0 && v != 1 {
			soft++
		}
	}
	assert.Positive(t, soft)
}

func epochTargets(t *testing.T, l *data.Loader, epoch int) []float64 {
	t.Helper()
	it, err := l.Epoch(context.Background(), epoch)
	require.NoError(t, err)
	defer it.Close()
	var out []float64
	for {
		b, err := it.Next()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		out = append(out, graph.Float64s(b.Targets)...)
	}
}
