package data

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"
)

// collect runs one epoch and returns its batches.
func collect(t *testing.T, l *Loader, epoch int) []*Batch {
	t.Helper()
	it, err := l.Epoch(context.Background(), epoch)
	require.NoError(t, err)
	defer it.Close()
	var out []*Batch
	for {
		b, err := it.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		out = append(out, b)
	}
	_, err = it.Next()
	assert.Equal(t, io.EOF, err, "EOF is sticky")
	return out
}

func TestLoaderBatches(t *testing.T) {
	ds := toy(10, 2, 1, 3, 4)
	for _, tc := range []struct {
		name     string
		bs       int
		dropLast bool
		sizes    []int
	}{
		{"partial last", 4, false, []int{4, 4, 2}},
		{"drop last", 4, true, []int{4, 4}},
		{"exact", 5, true, []int{5, 5}},
		{"one batch", 0, false, []int{10}}, // default 64
		{"drop only batch", 0, true, nil},
		{"size one", 1, false, []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &Loader{Dataset: ds, BatchSize: tc.bs, DropLast: tc.dropLast, Workers: 2, NumClasses: 4}
			assert.Equal(t, len(tc.sizes), l.NumBatches())
			batches := collect(t, l, 0)
			require.Len(t, batches, len(tc.sizes))
			next := 0
			for k, b := range batches {
				n := tc.sizes[k]
				assert.Equal(t, n, b.Len())
				assert.Equal(t, tensor.Shape{n, 2, 1, 3}, b.X.Shape())
				assert.Equal(t, tensor.Float32, b.X.Dtype())
				assert.Equal(t, tensor.Shape{n, 4}, b.Targets.Shape())
				xs := b.X.Data().([]float32)
				ts := b.Targets.Data().([]float32)
				for j, i := range b.Indices {
					assert.Equal(t, next, i, "no shuffle: dataset order")
					next++
					assert.Equal(t, i%4, b.Labels[j])
					assert.Equal(t, ds.Samples[i].Image, xs[j*6:(j+1)*6])
					want := make([]float32, 4)
					want[i%4] = 1
					assert.Equal(t, want, ts[j*4:(j+1)*4], "one-hot target")
				}
			}
		})
	}
}

func TestLoaderNoTargetsByDefault(t *testing.T) {
	b := collect(t, &Loader{Dataset: toy(3, 1, 1, 1, 2)}, 0)
	require.Len(t, b, 1)
	assert.Nil(t, b[0].Targets)
}

func TestLoaderFloat64(t *testing.T) {
	ds := toy(5, 1, 2, 2, 3)
	ds.Samples[2].Target = []float32{0.5, 0.25, 0.25}
	batches := collect(t, &Loader{Dataset: ds, BatchSize: 5, Dtype: tensor.Float64, NumClasses: 3}, 0)
	require.Len(t, batches, 1)
	b := batches[0]
	assert.Equal(t, tensor.Float64, b.X.Dtype())
	assert.Equal(t, tensor.Float64, b.Targets.Dtype())
	xs := b.X.Data().([]float64)
	for i, s := range ds.Samples {
		for p, v := range s.Image {
			assert.Equal(t, float64(v), xs[i*4+p])
		}
	}
	assert.Equal(t, []float64{0.5, 0.25, 0.25}, b.Targets.Data().([]float64)[6:9], "soft target row")
}

func TestLoaderShuffle(t *testing.T) {
	ds := toy(100, 1, 1, 1, 10)
	l := &Loader{Dataset: ds, BatchSize: 7, Shuffle: true, Seed: 5, Workers: 3}
	indices := func(epoch int) []int {
		var idx []int
		for _, b := range collect(t, l, epoch) {
			idx = append(idx, b.Indices...)
			for j, i := range b.Indices {
				require.Equal(t, float32(1000*i), b.X.Data().([]float32)[j], "pixels follow indices")
			}
		}
		return idx
	}
	e0 := indices(0)
	assert.Equal(t, e0, indices(0), "same seed and epoch: same order")
	assert.Equal(t, l.Order(0), e0)
	assert.NotEqual(t, e0, indices(1), "another epoch: another order")
	assert.NotEqual(t, toyRange(100), e0, "shuffled")
	sorted := slices.Clone(e0)
	slices.Sort(sorted)
	assert.Equal(t, toyRange(100), sorted, "every sample once")

	l.Seed = 6
	assert.NotEqual(t, e0, indices(0), "another seed: another order")
	l.Shuffle = false
	assert.Equal(t, toyRange(100), indices(3))
}

// jitter is a dataset whose Get takes varying time, so that workers finish
// out of order.
type jitter struct{ *InMemory }

func (j jitter) Get(i int) (Sample, error) {
	if i%3 == 0 {
		time.Sleep(time.Duration(i%7) * 50 * time.Microsecond)
	} else {
		runtime.Gosched()
	}
	return j.InMemory.Get(i)
}

// noise is a random augmentation: it adds uniform noise to every value.
var noise = TransformFunc(func(rng *rand.Rand, s Sample) (Sample, error) {
	for p := range s.Image {
		s.Image[p] += rng.Float32()
	}
	return s, nil
})

// mix is a random batch transform: it scales the batch by a random factor.
var mix = BatchTransformFunc(func(rng *rand.Rand, b *Batch) error {
	f := rng.Float32()
	xs := b.X.Data().([]float32)
	for p := range xs {
		xs[p] *= f
	}
	return nil
})

func TestLoaderWorkerIndependence(t *testing.T) {
	ds := jitter{toy(61, 1, 2, 2, 5)}
	run := func(workers, prefetch int) [][]float32 {
		l := &Loader{Dataset: ds, BatchSize: 8, Shuffle: true, Seed: 11, Workers: workers, Prefetch: prefetch,
			Transform: noise, BatchTransform: mix}
		var out [][]float32
		for _, b := range collect(t, l, 2) {
			out = append(out, b.X.Data().([]float32))
		}
		return out
	}
	want := run(1, 1)
	require.Len(t, want, 8)
	for _, c := range [][2]int{{2, 0}, {3, 1}, {4, 2}, {7, 20}} {
		assert.Equal(t, want, run(c[0], c[1]), "workers %d, prefetch %d", c[0], c[1])
	}

	// The noise of a sample depends on (seed, epoch, index) only.
	l := &Loader{Dataset: ds, BatchSize: 8, Shuffle: true, Seed: 11, Transform: noise}
	b := collect(t, l, 2)[0]
	i := b.Indices[0]
	rng := SampleRand(11, 2, i)
	assert.Equal(t, ds.Samples[i].Image[0]+rng.Float32(), b.X.Data().([]float32)[0])
}

// failing is a dataset that fails or panics at one index.
type failing struct {
	*InMemory
	at    int
	panic bool
}

func (f failing) Get(i int) (Sample, error) {
	if i == f.at {
		if f.panic {
			var m map[string]int
			m["boom"]++ // a real runtime panic: assignment to nil map
		}
		return Sample{}, errors.New("disk on fire")
	}
	return f.InMemory.Get(i)
}

func TestLoaderErrors(t *testing.T) {
	ds := toy(20, 1, 1, 1, 2)
	boomT := TransformFunc(func(_ *rand.Rand, s Sample) (Sample, error) {
		if s.Image[0] == 9000 {
			panic("transform exploded")
		}
		return s, nil
	})
	boomB := BatchTransformFunc(func(_ *rand.Rand, b *Batch) error {
		if b.Indices[0] == 8 {
			panic("batch transform exploded")
		}
		return nil
	})
	for _, tc := range []struct {
		name string
		l    Loader
		want []string
	}{
		{"get error", Loader{Dataset: failing{ds, 9, false}}, []string{"epoch 0, batch 2", "loading sample 9", "disk on fire"}},
		{"get panic", Loader{Dataset: failing{ds, 9, true}}, []string{"batch 2", "sample 9: panic", "nil map", "loader_test.go:"}},
		{"transform panic", Loader{Dataset: ds, Transform: boomT}, []string{"sample 9: panic", "transform exploded"}},
		{"batch transform panic", Loader{Dataset: ds, BatchTransform: boomB}, []string{"batch 2: panic", "batch transform exploded", "loader_test.go:"}},
		{"label too big", Loader{Dataset: ds, NumClasses: 1}, []string{"batch 0", "sample 1 has label 1, not below Loader.NumClasses = 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.l
			l.BatchSize, l.Workers = 4, 3
			it, err := l.Epoch(context.Background(), 0)
			require.NoError(t, err)
			defer it.Close()
			var got int
			var failed error
			for {
				_, err := it.Next()
				if err != nil {
					failed = err
					break
				}
				got++
			}
			require.NotEqual(t, io.EOF, failed)
			for _, w := range tc.want {
				assert.Contains(t, failed.Error(), w)
			}
			// Batches before the failing one are delivered, whatever the timing.
			if tc.name != "label too big" {
				assert.Equal(t, 2, got)
			}
			_, err = it.Next()
			assert.Equal(t, failed, err, "errors are sticky")
		})
	}
}

func TestLoaderSampleChecks(t *testing.T) {
	mixed := toy(6, 1, 2, 2, 2)
	mixed.Samples[5] = Sample{Image: make([]float32, 9), C: 1, H: 3, W: 3}
	soft := toy(4, 1, 1, 1, 2)
	soft.Samples[1].Target = []float32{1, 0, 0}
	bad := toy(4, 1, 1, 1, 2)
	bad.Samples[3].Image = nil
	for _, tc := range []struct {
		name string
		l    Loader
		want string
	}{
		{"mixed sizes", Loader{Dataset: mixed, BatchSize: 3}, "sample 5 is 1×3×3 (C×H×W) but sample 3 in the same batch is 1×2×2"},
		{"soft target length", Loader{Dataset: soft, NumClasses: 2}, "sample 1 has a soft target of 3 classes but Loader.NumClasses is 2"},
		{"soft target without NumClasses", Loader{Dataset: soft}, "set NumClasses"},
		{"invalid sample", Loader{Dataset: bad}, "sample 3: sample has 0 image values"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it, err := tc.l.Epoch(context.Background(), 0)
			require.NoError(t, err)
			defer it.Close()
			for {
				_, err = it.Next()
				if err != nil {
					break
				}
			}
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestLoaderConfigErrors(t *testing.T) {
	ds := toy(3, 1, 1, 1, 1)
	for _, tc := range []struct {
		name string
		l    Loader
		want string
	}{
		{"no dataset", Loader{}, "no Dataset"},
		{"negative batch", Loader{Dataset: ds, BatchSize: -1}, "BatchSize = -1"},
		{"negative workers", Loader{Dataset: ds, Workers: -2}, "Workers = -2"},
		{"negative prefetch", Loader{Dataset: ds, Prefetch: -1}, "Prefetch = -1"},
		{"int dtype", Loader{Dataset: ds, Dtype: tensor.Int}, "Dtype int is not supported"},
		{"negative classes", Loader{Dataset: ds, NumClasses: -1}, "NumClasses = -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.l.Epoch(context.Background(), 0)
			assert.ErrorContains(t, err, tc.want)
			assert.Zero(t, tc.l.NumBatches())
		})
	}
	var nilCtx context.Context
	_, err := (&Loader{Dataset: ds}).Epoch(nilCtx, 0)
	assert.ErrorContains(t, err, "nil context")
	assert.Nil(t, (&Loader{}).Order(0))
}

func TestLoaderEmpty(t *testing.T) {
	l := &Loader{Dataset: &InMemory{}}
	assert.Zero(t, l.NumBatches())
	assert.Empty(t, collect(t, l, 0))
}

// blocking is a dataset whose Get waits until release is closed.
type blocking struct {
	*InMemory
	release chan struct{}
	calls   *atomic.Int64
}

func (b blocking) Get(i int) (Sample, error) {
	b.calls.Add(1)
	<-b.release
	return b.InMemory.Get(i)
}

func TestLoaderCancel(t *testing.T) {
	goroutines := runtime.NumGoroutine()

	t.Run("between batches", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		it, err := (&Loader{Dataset: toy(100, 1, 1, 1, 2), BatchSize: 10, Workers: 2}).Epoch(ctx, 0)
		require.NoError(t, err)
		defer it.Close()
		_, err = it.Next()
		require.NoError(t, err)
		cancel()
		_, err = it.Next()
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorContains(t, err, "epoch 0 stopped before batch 1 of 10")
	})

	t.Run("already cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		it, err := (&Loader{Dataset: toy(10, 1, 1, 1, 2)}).Epoch(ctx, 0)
		require.NoError(t, err)
		defer it.Close()
		_, err = it.Next()
		assert.ErrorIs(t, err, context.Canceled)
	})

	t.Run("while workers are stuck", func(t *testing.T) {
		ds := blocking{toy(10, 1, 1, 1, 2), make(chan struct{}), new(atomic.Int64)}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		it, err := (&Loader{Dataset: ds, BatchSize: 2, Workers: 2}).Epoch(ctx, 0)
		require.NoError(t, err)
		_, err = it.Next() // returns at the deadline although no Get has returned
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		close(ds.release) // Close waits for Get calls in progress
		it.Close()
		it.Close() // idempotent
		_, err = it.Next()
		assert.ErrorContains(t, err, "closed")
	})

	t.Run("close from another goroutine", func(t *testing.T) {
		ds := blocking{toy(10, 1, 1, 1, 2), make(chan struct{}), new(atomic.Int64)}
		it, err := (&Loader{Dataset: ds, BatchSize: 2, Workers: 2}).Epoch(context.Background(), 0)
		require.NoError(t, err)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ds.calls.Load() == 0 {
				runtime.Gosched()
			}
			close(ds.release)
			it.Close()
		}()
		var nextErr error
		for nextErr == nil {
			_, nextErr = it.Next()
		}
		wg.Wait()
		assert.Contains(t, []string{"data: Next called on a closed iterator", io.EOF.Error()}, nextErr.Error())
	})

	// Every goroutine of the loader has ended.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > goroutines && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), goroutines, "leaked goroutines")
}

func TestLoaderPrefetchBound(t *testing.T) {
	ds := blocking{toy(100, 1, 1, 1, 2), make(chan struct{}), new(atomic.Int64)}
	close(ds.release)
	it, err := (&Loader{Dataset: ds, BatchSize: 1, Workers: 3, Prefetch: 2}).Epoch(context.Background(), 0)
	require.NoError(t, err)
	defer it.Close()
	for ds.calls.Load() < 2 {
		runtime.Gosched()
	}
	time.Sleep(20 * time.Millisecond) // give an unbounded producer time to run ahead
	assert.Equal(t, int64(2), ds.calls.Load(), "samples loaded before the consumer took any batch")
	_, err = it.Next()
	require.NoError(t, err)
	for ds.calls.Load() < 3 {
		runtime.Gosched()
	}
	time.Sleep(20 * time.Millisecond)
	assert.Equal(t, int64(3), ds.calls.Load(), "one more after one batch was taken")
}

func TestIterAll(t *testing.T) {
	l := &Loader{Dataset: toy(10, 1, 1, 1, 2), BatchSize: 3}
	it, err := l.Epoch(context.Background(), 0)
	require.NoError(t, err)
	var idx []int
	for b, err := range it.All() {
		require.NoError(t, err)
		idx = append(idx, b.Indices...)
	}
	assert.Equal(t, toyRange(10), idx)
	_, err = it.Next()
	assert.ErrorContains(t, err, "closed", "All closes the iterator")

	it, err = l.Epoch(context.Background(), 0)
	require.NoError(t, err)
	n := 0
	for range it.All() {
		n++
		break
	}
	assert.Equal(t, 1, n)
	_, err = it.Next()
	assert.ErrorContains(t, err, "closed", "break closes the iterator")

	it, err = (&Loader{Dataset: failing{toy(10, 1, 1, 1, 2), 4, false}, BatchSize: 3}).Epoch(context.Background(), 0)
	require.NoError(t, err)
	var errs []error
	for _, err := range it.All() {
		if err != nil {
			errs = append(errs, err)
		}
	}
	require.Len(t, errs, 1)
	assert.ErrorContains(t, errs[0], "disk on fire")
	assert.Equal(t, 4, it.NumBatches())
}
