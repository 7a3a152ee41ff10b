package data

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"gorgonia.org/tensor"
)

// assembler builds the batches of one epoch. It is shared by the workers
// and read-only.
type assembler struct {
	ds             Dataset
	seed           int64
	epoch          int
	transform      Transform
	batchTransform BatchTransform
	dtype          tensor.Dtype
	numClasses     int
}

// build loads, transforms and stacks the samples idx into batch number b.
// A panic anywhere in it, including in user code, becomes an error.
func (a *assembler) build(ctx context.Context, b int, idx []int) (batch *Batch, err error) {
	defer func() {
		if r := recover(); r != nil {
			// The panicking frames are still on the stack here: name the
			// one that panicked, so the error says where.
			batch, err = nil, fmt.Errorf("data: epoch %d, batch %d: panic: %v (at %s)", a.epoch, b, r, panicSite())
		}
	}()
	if a.dtype == tensor.Float64 {
		batch, err = assemble[float64](ctx, a, idx)
	} else {
		batch, err = assemble[float32](ctx, a, idx)
	}
	if err != nil {
		return nil, fmt.Errorf("data: epoch %d, batch %d: %w", a.epoch, b, err)
	}
	if a.batchTransform != nil {
		if err := a.batchTransform.Apply(BatchRand(a.seed, a.epoch, b), batch); err != nil {
			return nil, fmt.Errorf("data: epoch %d, batch %d: batch transform: %w", a.epoch, b, err)
		}
	}
	return batch, nil
}

func assemble[T float32 | float64](ctx context.Context, a *assembler, idx []int) (*Batch, error) {
	n, k := len(idx), a.numClasses
	batch := &Batch{Labels: make([]int, n), Indices: append([]int(nil), idx...)}
	var (
		xs, ts  []T
		c, h, w int
	)
	if k > 0 {
		ts = make([]T, n*k)
	}
	for j, i := range idx {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s, err := a.sample(i)
		if err != nil {
			return nil, err
		}
		if j == 0 {
			c, h, w = s.C, s.H, s.W
			xs = make([]T, n*c*h*w)
		} else if s.C != c || s.H != h || s.W != w {
			return nil, fmt.Errorf("sample %d is %d×%d×%d (C×H×W) but sample %d in the same batch is %d×%d×%d; resize samples to one size with a Transform", i, s.C, s.H, s.W, idx[0], c, h, w)
		}
		dst := xs[j*c*h*w : (j+1)*c*h*w]
		if d32, ok := any(dst).([]float32); ok {
			copy(d32, s.Image)
		} else {
			for p, v := range s.Image {
				dst[p] = T(v)
			}
		}
		batch.Labels[j] = s.Label
		if err := putTarget(ts, j, k, i, s); err != nil {
			return nil, err
		}
	}
	batch.X = tensor.New(tensor.WithShape(n, c, h, w), tensor.WithBacking(xs))
	if k > 0 {
		batch.Targets = tensor.New(tensor.WithShape(n, k), tensor.WithBacking(ts))
	}
	return batch, nil
}

// putTarget writes row j of the (N, k) targets for sample s (dataset index i).
func putTarget[T float32 | float64](ts []T, j, k, i int, s Sample) error {
	if k == 0 {
		if s.Target != nil {
			return fmt.Errorf("sample %d has a soft target of %d classes but Loader.NumClasses is 0; set NumClasses to get Batch.Targets", i, len(s.Target))
		}
		return nil
	}
	if s.Label >= k {
		return fmt.Errorf("sample %d has label %d, not below Loader.NumClasses = %d", i, s.Label, k)
	}
	row := ts[j*k : (j+1)*k]
	if s.Target == nil {
		row[s.Label] = 1
		return nil
	}
	if len(s.Target) != k {
		return fmt.Errorf("sample %d has a soft target of %d classes but Loader.NumClasses is %d", i, len(s.Target), k)
	}
	for q, v := range s.Target {
		row[q] = T(v)
	}
	return nil
}

// sample loads and transforms dataset sample i and checks its shape.
func (a *assembler) sample(i int) (s Sample, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = Sample{}, fmt.Errorf("sample %d: panic in the dataset or a transform: %v (at %s)", i, r, panicSite())
		}
	}()
	if s, err = a.ds.Get(i); err != nil {
		return s, fmt.Errorf("loading sample %d: %w", i, err)
	}
	if a.transform != nil {
		if s, err = a.transform.Apply(SampleRand(a.seed, a.epoch, i), s); err != nil {
			return s, fmt.Errorf("transforming sample %d: %w", i, err)
		}
	}
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("sample %d: %w", i, err)
	}
	return s, nil
}

// panicSite returns "function (file:line)" of the frame that panicked, as
// seen from a deferred recover: the first frame below runtime.gopanic that
// is not in the runtime.
func panicSite() string {
	pc := make([]uintptr, 64)
	frames := runtime.CallersFrames(pc[:runtime.Callers(2, pc)])
	inPanic := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			inPanic = true
		case inPanic && !strings.HasPrefix(f.Function, "runtime."):
			return fmt.Sprintf("%s (%s:%d)", f.Function, filepath.Base(f.File), f.Line)
		}
		if !more {
			return "unknown"
		}
	}
}
