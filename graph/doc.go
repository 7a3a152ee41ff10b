// Package graph is the core of tanren: it owns a model's tensors and turns
// layers into compiled Gorgonia programs.
//
//   - A Store holds every tensor of a model by its PyTorch state_dict name
//     ("layer1.0.conv1.weight", "bn1.running_mean"), in insertion order:
//     parameters (learnable, each with a Frozen flag) and buffers (state such
//     as batch-norm running statistics). Stores save to and load from
//     .safetensors files that PyTorch reads and writes.
//   - A Scope is what a Layer sees while a graph is built: the ExprGraph, the
//     mode (training or evaluation), the dtype and a name prefix.
//     Scope.Param returns a node bound to the Store's tensor, so every graph
//     built from one Store shares the same memory.
//   - A Layer adds itself to a graph; a model is a Layer.
//   - Compile instantiates one graph for a mode and an input shape: output,
//     loss, gorgonia.Grad over the parameters that are not frozen, and a
//     TapeMachine. Program.Run and Program.Step run it.
//
// Weights never live in a graph, so freezing, unfreezing, switching between
// training and evaluation, or a last partial batch only means compiling
// another Program over the same Store.
//
// No panic escapes this package's API: Gorgonia panics during graph
// construction are recovered and returned as errors naming the layer and the
// shapes; inputs are validated before a graph runs, because a panic inside
// TapeMachine.RunAll cannot always be recovered.
package graph
