package data

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"gorgonia.org/tensor"
)

// DefaultBatchSize is the batch size of a Loader whose BatchSize is 0.
const DefaultBatchSize = 64

// Loader groups a Dataset into batches. The zero value of every field but
// Dataset is a sensible default. A Loader is configuration: Epoch reads it
// once, so it may be changed between epochs, and several epochs may run at
// the same time.
type Loader struct {
	Dataset Dataset
	// BatchSize is the number of samples per batch; 0 means 64.
	BatchSize int
	// Shuffle draws a new order every epoch from (Seed, epoch); otherwise
	// samples come in dataset order.
	Shuffle bool
	// DropLast drops the last batch if it has fewer than BatchSize samples;
	// otherwise it is delivered partial.
	DropLast bool
	// Seed determines shuffling and the generators given to Transform and
	// BatchTransform.
	Seed int64
	// Workers is the number of goroutines that build batches; 0 means
	// runtime.NumCPU(). Results do not depend on it.
	Workers int
	// Prefetch bounds the number of batches built ahead of the consumer
	// (in flight or waiting); 0 means 2·Workers.
	Prefetch int
	// Transform, if set, is applied to every sample.
	Transform Transform
	// BatchTransform, if set, is applied to every assembled batch.
	BatchTransform BatchTransform
	// Dtype of Batch.X and Batch.Targets: tensor.Float32 (the zero value)
	// or tensor.Float64.
	Dtype tensor.Dtype
	// NumClasses, if positive, makes batches carry Targets of shape
	// (N, NumClasses); labels must then be below it.
	NumClasses int
}

// config is a Loader with its defaults filled in and checked.
type config struct {
	Loader
	n int
}

func (l *Loader) config() (config, error) {
	c := config{Loader: *l}
	if c.Dataset == nil {
		return c, errors.New("data: Loader has no Dataset")
	}
	c.n = c.Dataset.Len()
	switch {
	case c.BatchSize < 0:
		return c, fmt.Errorf("data: Loader.BatchSize = %d must not be negative (0 means %d)", c.BatchSize, DefaultBatchSize)
	case c.BatchSize == 0:
		c.BatchSize = DefaultBatchSize
	}
	switch {
	case c.Workers < 0:
		return c, fmt.Errorf("data: Loader.Workers = %d must not be negative (0 means one per CPU)", c.Workers)
	case c.Workers == 0:
		c.Workers = runtime.NumCPU()
	}
	switch {
	case c.Prefetch < 0:
		return c, fmt.Errorf("data: Loader.Prefetch = %d must not be negative (0 means 2·Workers)", c.Prefetch)
	case c.Prefetch == 0:
		c.Prefetch = 2 * c.Workers
	}
	switch c.Dtype {
	case tensor.Dtype{}:
		c.Dtype = tensor.Float32
	case tensor.Float32, tensor.Float64:
	default:
		return c, fmt.Errorf("data: Loader.Dtype %v is not supported; use tensor.Float32 or tensor.Float64", c.Dtype)
	}
	if c.NumClasses < 0 {
		return c, fmt.Errorf("data: Loader.NumClasses = %d must not be negative (0 means no Targets)", c.NumClasses)
	}
	return c, nil
}

// NumBatches returns the number of batches per epoch, or 0 if the Loader
// is misconfigured (Epoch then says why).
func (l *Loader) NumBatches() int {
	c, err := l.config()
	if err != nil {
		return 0
	}
	return c.numBatches()
}

func (c *config) numBatches() int {
	if c.DropLast {
		return c.n / c.BatchSize
	}
	return (c.n + c.BatchSize - 1) / c.BatchSize
}

// Order returns the dataset indices in the order the given epoch visits
// them (before DropLast removes a partial last batch). Nil if the Loader
// has no Dataset.
func (l *Loader) Order(epoch int) []int {
	if l.Dataset == nil {
		return nil
	}
	return order(l.Dataset.Len(), l.Shuffle, l.Seed, epoch)
}

func order(n int, shuffle bool, seed int64, epoch int) []int {
	if shuffle {
		return deriveRand(seed, streamShuffle, epoch, 0).Perm(n)
	}
	o := make([]int, n)
	for i := range o {
		o[i] = i
	}
	return o
}

// Epoch starts producing the batches of the given epoch in the background
// and returns an iterator over them. Cancelling ctx stops the workers; the
// caller must Close the iterator (also after an error or io.EOF is fine).
func (l *Loader) Epoch(ctx context.Context, epoch int) (*Iter, error) {
	c, err := l.config()
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, errors.New("data: Loader.Epoch: nil context; use context.Background()")
	}
	asm := &assembler{
		ds:             c.Dataset,
		seed:           c.Seed,
		epoch:          epoch,
		transform:      c.Transform,
		batchTransform: c.BatchTransform,
		dtype:          c.Dtype,
		numClasses:     c.NumClasses,
	}
	return startIter(ctx, asm, order(c.n, c.Shuffle, c.Seed, epoch), c.numBatches(), c.BatchSize, c.Workers, c.Prefetch), nil
}
