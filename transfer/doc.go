// Package transfer adapts pretrained models to new data: freezing and
// unfreezing, a new classifier head, discriminative learning rates,
// gradual unfreezing, frozen-feature caching and fastai's fine_tune
// recipe.
//
// # Freezing
//
// A frozen tensor of a graph.Store is left out of the gradient and never
// updated. Freeze and Unfreeze select tensors by glob ("layer1.*");
// FreezeGroups, UnfreezeGroups and FreezeTo by the layer groups of a zoo
// model (Info.Groups: fastai's split, e.g. stem+layer1+layer2 /
// layer3+layer4 / head for a ResNet); FreezeBody freezes everything but
// the classifier (Info.Head). Freezing a layer freezes its batch-norm
// buffers too, so a frozen batch norm normalizes with its running
// statistics and leaves them alone (Keras's rule), with an exact
// gradient. Options.TrainBN keeps the γ and β of frozen batch norms
// trainable (fastai's train_bn). A compiled program keeps the set it was
// compiled with: call train.Trainer.Invalidate after changing it.
//
// # Heads and learning rates
//
// ReplaceHead swaps the classifier for a seeded fresh one with another
// number of classes, under the same names. Slice spreads learning rates
// over layer groups (fastai's slice(lo, hi)), and SetRates applies them as
// per-parameter multipliers through solvers.LRScaler, so a schedule moves
// all groups together.
//
// # Training
//
// GradualUnfreeze is a train callback that unfreezes one more group from
// the top every few epochs; solver state stays with each parameter.
// FitCached trains the layers above a frozen body on features the body
// computes once, with the same result as Trainer.Fit and a fraction of
// its cost. FineTune runs fastai's fine_tune: one epoch with only the
// head trainable (cached when possible), then all groups with
// discriminative rates, each phase under OneCycle, fastai's
// fit_one_cycle schedule.
package transfer
