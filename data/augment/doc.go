// Package augment holds data augmentation: data.Transform and
// data.BatchTransform implementations that a data.Loader applies to every
// sample or batch of the training set.
//
// The data.Transform implementations work on float32 CHW images in [0, 1]
// and follow torchvision's semantics, defaults included: HorizontalFlip,
// VerticalFlip, RandomCrop (with padding), RandomResizedCrop, RandomAffine
// and its special cases RandomRotation, RandomTranslation and RandomZoom
// (bilinear sampling, a fill value), ColorJitter and RandomErasing. Compose
// them with data.Compose. MixUp and CutMix are data.BatchTransforms that mix
// the samples of a batch and their targets, giving soft targets for
// layers.CrossEntropy, which accepts them.
//
// Every transform takes all its randomness from the *rand.Rand it is given;
// the data.Loader derives it from (seed, epoch, index), so the same seed
// gives the same augmented batches and each epoch gets new draws. The
// transforms keep no state and are safe for the Loader's workers. A
// transform draws its parameters in torchvision's order, but from Go's PCG,
// so the draws themselves are not torch's.
//
// Weight penalties, early stopping and max-norm are package regularize.
package augment
