// Package layers provides the building blocks of models: Linear, Conv2d,
// BatchNorm1d/2d, pools, activations, Dropout, Flatten, Sequential and
// Residual, and the losses CrossEntropy and MSE.
//
// Layers are plain configuration structs whose zero values follow PyTorch's
// defaults where a field is optional (a Conv2d has a bias unless NoBias, a
// BatchNorm has eps 1e-5 and momentum 0.1). They hold no tensors: Forward
// asks the Scope for parameters under PyTorch's state_dict names ("weight",
// "bias", "running_mean"), so a torchvision state dict loads by name.
// Default initializations are PyTorch's, drawn from the Store's seed.
//
// Where Gorgonia v0.9.18's built-in op is wrong (softmax, average pooling,
// batch norm in evaluation, dropout), the layer uses package ops.
package layers
