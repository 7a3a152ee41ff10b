package data

import "math/rand/v2"

// Transform changes a sample, e.g. to normalize or augment it.
//
// The Loader calls Apply from several goroutines, so a Transform must not
// keep mutable state. All its randomness must come from rng, which the Loader
// derives from (seed, epoch, sample index), see SampleRand; then the result
// does not depend on worker count or timing. Apply may modify s's slices in
// place and return s.
type Transform interface {
	Apply(rng *rand.Rand, s Sample) (Sample, error)
}

// TransformFunc adapts a function to the Transform interface.
type TransformFunc func(rng *rand.Rand, s Sample) (Sample, error)

var _ Transform = TransformFunc(nil)

// Apply calls f.
func (f TransformFunc) Apply(rng *rand.Rand, s Sample) (Sample, error) { return f(rng, s) }

// Compose returns a Transform that applies ts in order, all drawing from the
// same rng. Nil entries are skipped, so optional steps can be passed as nil.
func Compose(ts ...Transform) Transform {
	var c compose
	for _, t := range ts {
		if t != nil {
			c = append(c, t)
		}
	}
	return c
}

type compose []Transform

func (c compose) Apply(rng *rand.Rand, s Sample) (Sample, error) {
	for _, t := range c {
		var err error
		if s, err = t.Apply(rng, s); err != nil {
			return s, err
		}
	}
	return s, nil
}

// BatchTransform changes a whole batch after it is assembled, e.g. MixUp or
// CutMix. rng is derived from (seed, epoch, batch number), see BatchRand.
// Like Transform, it must not keep mutable state.
type BatchTransform interface {
	Apply(rng *rand.Rand, b *Batch) error
}

// BatchTransformFunc adapts a function to the BatchTransform interface.
type BatchTransformFunc func(rng *rand.Rand, b *Batch) error

var _ BatchTransform = BatchTransformFunc(nil)

// Apply calls f.
func (f BatchTransformFunc) Apply(rng *rand.Rand, b *Batch) error { return f(rng, b) }

// ComposeBatch returns a BatchTransform that applies ts in order, skipping
// nil entries.
func ComposeBatch(ts ...BatchTransform) BatchTransform {
	var c composeBatch
	for _, t := range ts {
		if t != nil {
			c = append(c, t)
		}
	}
	return c
}

type composeBatch []BatchTransform

func (c composeBatch) Apply(rng *rand.Rand, b *Batch) error {
	for _, t := range c {
		if err := t.Apply(rng, b); err != nil {
			return err
		}
	}
	return nil
}
