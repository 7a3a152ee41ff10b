// Package regularize holds tanren's tools against overfitting that act on
// the model and the training loop: weight penalties, early stopping and a
// max-norm constraint.
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
// # Elsewhere
//
// Data augmentation is package data/augment. Dropout and channel dropout
// are layers (layers.Dropout and layers.Dropout2d); label smoothing is
// layers.CrossEntropy(ε).
package regularize
