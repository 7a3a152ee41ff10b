package data

import "gorgonia.org/tensor"

// Batch is a group of samples ready for a model. It belongs to the caller:
// the Loader keeps no reference to it.
type Batch struct {
	// X holds the images, shape (N, C, H, W), in the Loader's dtype.
	X *tensor.Dense
	// Labels holds the class of each sample.
	Labels []int
	// Targets holds one row per sample, shape (N, K) for K = NumClasses:
	// the sample's soft target, or one-hot at its label. Nil when the
	// Loader's NumClasses is 0.
	Targets *tensor.Dense
	// Indices holds the dataset index of each sample.
	Indices []int
}

// Len returns the number of samples in the batch.
func (b *Batch) Len() int { return len(b.Labels) }
