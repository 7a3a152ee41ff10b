// Package ops provides correct replacements for Gorgonia v0.9.18 operations
// that are numerically or mathematically wrong, plus a few operations that
// Gorgonia lacks.
//
// Every function here adds nodes to a Gorgonia expression graph and returns
// the output node. Each result can be differentiated with gorgonia.Grad: an
// operation is either an own gorgonia.SDOp (forward and backward kernels
// written here, generic over float32 and float64) or a composition of
// Gorgonia primitives that were verified against PyTorch and finite
// differences (see GORGONIA.md in the project notes).
//
// What is replaced and why:
//
//   - LogSoftmax, Softmax: Gorgonia's shift every row by row 0's first
//     element, giving NaN or -Inf once a logit exceeds the others by ~88 in
//     float32. Ours subtract each slice's own maximum, for any rank and axis.
//   - CrossEntropy, MSE: losses built on the above and on Sum/Mean.
//   - Sum, Mean: Gorgonia's reductions are wrong over axis ndim-2 of 4-D and
//     larger tensors. Ours reduce any set of axes of any rank.
//   - GlobalAvgPool2d: Gorgonia's GlobalAveragePool2D has no gradient (Grad
//     panics).
//   - AvgPool2d: Gorgonia's AveragePool2D divides by the input width and has
//     a wrong backward. Ours follows torch.nn.AvgPool2d, including
//     count_include_pad and ceil_mode.
//   - Dropout: Gorgonia's divides the gradient by p instead of 1-p and cannot
//     be seeded. Ours multiplies by a mask the caller fills with
//     FillDropoutMask from a seeded generator before each run.
//   - BatchNormTrain, BatchNormEval: Gorgonia's batch norm keeps its running
//     statistics inside the op (wiped by every training TapeMachine) and its
//     eval-mode input gradient is ~316 times too large. Ours keep no state:
//     the training op reports the batch statistics through a BatchStats the
//     caller owns, and the eval op reads the caller's running tensors on every
//     run.
//   - GELU, GELUTanh, ReLU6: not in Gorgonia.
//   - Conv2dGrouped: grouped convolution (not in Gorgonia), composed from
//     Gorgonia's verified Conv2d.
//   - DepthwiseConv2d: depthwise convolution as one op, where
//     Conv2dGrouped's per-channel nodes make Gorgonia's compile quadratic.
//   - Linear: x·wᵀ + b with w in PyTorch's (Out, In) layout, one fastblas
//     GEMM reading w transposed, where Mul(x, Transpose(w)) + BroadcastAdd
//     copies the weight and the repeated bias on every run.
//   - Conv2d, Conv2dBias: convolution with groups = 1, im2col laid out so
//     that one fastblas GEMM per image writes NCHW directly, where
//     Gorgonia's Conv2d transposes around every GEMM; images are spread over
//     the cores and the bias is added without broadcasting.
//
// No function panics on bad shapes or dtypes: graph-building errors are
// returned, and each own op recovers from panics inside its kernels, which
// matters because a panic inside TapeMachine.RunAll happens on another
// goroutine and would kill the process.
//
// Second derivatives are available only where noted (Sum, Mean, Dropout,
// AvgPool2d, DepthwiseConv2d, Linear, Conv2d, Conv2dBias): the backward
// ops of the other own ops are not differentiable.
package ops
