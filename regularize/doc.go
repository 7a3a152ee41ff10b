// Package regularize holds tanren's tools against overfitting: weight
// penalties, early stopping, a max-norm constraint and data augmentation.
//
// # Penalties
//
// L2 and L1 return graph.Penalty values: terms added to the training loss
// in the graph, so gorgonia.Grad differentiates them with the loss. Pass
// them in train.Trainer.Penalties (or graph.Spec.Penalties). By default they
// apply to the weights of convolution and linear layers, not to biases or
// normalization parameters; a Selector chooses others by name pattern.
//
// L2(λ) is (λ/2)·Σw², whose gradient λ·w makes it the same as PyTorch's
// weight_decay=λ for SGD. It is coupled weight decay: the decay passes
// through the solver. With an adaptive solver such as Adam it is divided by
// the gradient's running RMS, so weights with large gradients are barely
// decayed. Decoupled weight decay (solvers.New("adamw")) shrinks weights by
// lr·wd·w outside the adaptive step instead; with SGD the two coincide.
//
// # Callbacks
//
// EarlyStopping (train.FitBeginner, EpochEnder and FitEnder) stops training
// when a monitored metric has not improved for Patience epochs and can
// restore the best weights, buffers included, from an in-memory snapshot;
// it records the best epoch and the reason in train.History. MaxNorm
// (train.StepEnder) keeps the norm of each unit's incoming weights at most
// Max after every step, as Keras' max_norm.
//
// # Augmentation
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
// # Elsewhere
//
// Dropout and channel dropout are layers (layers.Dropout and
// layers.Dropout2d); label smoothing is layers.CrossEntropy(ε).
package regularize
