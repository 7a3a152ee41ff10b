package data

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalize(t *testing.T) {
	s := Sample{Image: []float32{0, 1, 2, 3, 4, 5}, C: 2, H: 1, W: 3}
	got, err := Normalize{Mean: []float32{1, 2}, Std: []float32{2, 0.5}}.Apply(nil, s.Clone())
	require.NoError(t, err)
	assert.Equal(t, []float32{-0.5, 0, 0.5, 2, 4, 6}, got.Image)

	got, err = Normalize{Mean: []float32{1}, Std: []float32{2}}.Apply(nil, s.Clone())
	require.NoError(t, err)
	assert.Equal(t, []float32{-0.5, 0, 0.5, 1, 1.5, 2}, got.Image, "one mean/std for all channels")

	in := s.Clone()
	got, err = MNISTNormalize().Apply(nil, Sample{Image: []float32{0, 1}, C: 1, H: 1, W: 2})
	require.NoError(t, err)
	m, sd := float32(MNISTMean), float32(MNISTStd) // float32 arithmetic, as in PyTorch
	assert.Equal(t, []float32{(0 - m) / sd, (1 - m) / sd}, got.Image)

	for _, tc := range []struct {
		n    Normalize
		want string
	}{
		{Normalize{Mean: []float32{0, 0, 0}, Std: []float32{1, 1, 1}}, "3 means and 3 stds for a sample with 2 channels"},
		{Normalize{Mean: []float32{0}, Std: []float32{1, 1}}, "1 means and 2 stds"},
		{Normalize{Mean: []float32{0}, Std: []float32{0}}, "std 0 of channel 0 must be positive"},
		{Normalize{Mean: []float32{0}, Std: []float32{float32(math.NaN())}}, "must be positive"},
		{Normalize{Mean: []float32{float32(math.Inf(1))}, Std: []float32{1}}, "mean +Inf of channel 0 must be finite"},
		{Normalize{Mean: []float32{0}, Std: []float32{float32(math.Inf(1))}}, "must be positive and finite"},
		{Normalize{}, "0 means"},
	} {
		_, err := tc.n.Apply(nil, in.Clone())
		assert.ErrorContains(t, err, tc.want)
	}
	_, err = Normalize{Mean: []float32{0}, Std: []float32{1}}.Apply(nil, Sample{Image: make([]float32, 2), C: 1, H: 1, W: 3})
	assert.ErrorContains(t, err, "2 image values")
}

func TestCompose(t *testing.T) {
	add := func(d float32) Transform {
		return TransformFunc(func(_ *rand.Rand, s Sample) (Sample, error) {
			s.Image[0] += d
			return s, nil
		})
	}
	double := TransformFunc(func(_ *rand.Rand, s Sample) (Sample, error) {
		s.Image[0] *= 2
		return s, nil
	})
	s := Sample{Image: []float32{1}, C: 1, H: 1, W: 1}
	got, err := Compose(add(1), nil, double).Apply(nil, s.Clone())
	require.NoError(t, err)
	assert.Equal(t, float32(4), got.Image[0], "(1+1)·2: applied in order, nil skipped")

	got, err = Compose().Apply(nil, s.Clone())
	require.NoError(t, err)
	assert.Equal(t, float32(1), got.Image[0], "empty composition is the identity")

	boom := errors.New("boom")
	fail := TransformFunc(func(_ *rand.Rand, s Sample) (Sample, error) { return s, boom })
	_, err = Compose(add(1), fail, double).Apply(nil, s.Clone())
	assert.ErrorIs(t, err, boom)

	// Both steps draw from one generator in sequence.
	noise := TransformFunc(func(rng *rand.Rand, s Sample) (Sample, error) {
		s.Image[0] = rng.Float32()
		return s, nil
	})
	a, err := Compose(noise, noise).Apply(SampleRand(1, 0, 0), s.Clone())
	require.NoError(t, err)
	r := SampleRand(1, 0, 0)
	r.Float32()
	assert.Equal(t, r.Float32(), a.Image[0])
}

func TestComposeBatch(t *testing.T) {
	var calls []int
	step := func(k int) BatchTransform {
		return BatchTransformFunc(func(_ *rand.Rand, b *Batch) error {
			calls = append(calls, k)
			return nil
		})
	}
	require.NoError(t, ComposeBatch(step(1), nil, step(2)).Apply(nil, &Batch{}))
	assert.Equal(t, []int{1, 2}, calls)
}

func TestDerivedRand(t *testing.T) {
	draw := func(r *rand.Rand) uint64 { return r.Uint64() }
	base := draw(SampleRand(1, 2, 3))
	assert.Equal(t, base, draw(SampleRand(1, 2, 3)), "deterministic")
	seen := map[uint64]string{base: "base"}
	for name, r := range map[string]*rand.Rand{
		"seed":        SampleRand(2, 2, 3),
		"epoch":       SampleRand(1, 3, 3),
		"index":       SampleRand(1, 2, 4),
		"batch":       BatchRand(1, 2, 3),
		"swap":        SampleRand(1, 3, 2),
		"neg seed":    SampleRand(-1, 2, 3),
		"neg epoch":   SampleRand(1, -2, 3),
		"all zero":    SampleRand(0, 0, 0),
		"index 1<<40": SampleRand(1, 2, 1<<40+3),
	} {
		v := draw(r)
		_, dup := seen[v]
		assert.False(t, dup, "%s collides with %s", name, seen[v])
		seen[v] = name
	}
}
