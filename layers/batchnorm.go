package layers

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/layers/ops"
)

// BatchNorm2d is torch.nn.BatchNorm2d over the channels of NCHW input.
//
// Its tensors are weight (γ), bias (β), and the buffers running_mean,
// running_var and num_batches_tracked, all under PyTorch's names. In a
// Train-mode graph it normalizes with the batch's statistics and, after
// each run, updates the running statistics in the Store as PyTorch does
// (running = (1−momentum)·running + momentum·batch, unbiased variance). In
// an Eval-mode graph, or when its running_mean buffer is frozen (Keras's
// rule for fine-tuning: a frozen batch norm stays in inference mode), it
// normalizes with the running statistics and leaves them alone; the
// gradient with respect to its input is then exact, unlike Gorgonia's
// built-in. Freezing only the buffers while γ and β stay trainable is
// fastai's train_bn.
type BatchNorm2d struct {
	Features int
	// Eps defaults to 1e-5.
	Eps float64
	// Momentum defaults to 0.1.
	Momentum float64
}

// BatchNorm1d is torch.nn.BatchNorm1d over the features of (N, C) input;
// see BatchNorm2d.
type BatchNorm1d BatchNorm2d

var (
	_ graph.Layer = BatchNorm2d{}
	_ graph.Layer = BatchNorm1d{}
)

// Forward implements graph.Layer.
func (b BatchNorm2d) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	return b.forward(s, x, 4, false)
}

// Forward implements graph.Layer.
func (b BatchNorm1d) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	return BatchNorm2d(b).forward(s, x, 2, false)
}

// bnReLU is a batch norm followed by a ReLU, which Sequential builds from
// the two layers. With frozen statistics (evaluation, or a frozen batch
// norm) it is one op, ops.BatchNormEvalReLU; in training, the two ops.
type bnReLU struct {
	bn   BatchNorm2d
	dims int // 4 for BatchNorm2d, 2 for BatchNorm1d
}

// withReLU returns the fused form of l followed by a ReLU, if l has one.
func withReLU(l graph.Layer) (graph.Layer, bool) {
	switch b := l.(type) {
	case BatchNorm2d:
		return bnReLU{bn: b, dims: 4}, true
	case BatchNorm1d:
		return bnReLU{bn: BatchNorm2d(b), dims: 2}, true
	}
	return nil, false
}

// Forward implements graph.Layer.
func (f bnReLU) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	return f.bn.forward(s, x, f.dims, true)
}

func (b BatchNorm2d) forward(s *graph.Scope, x *G.Node, dims int, relu bool) (*G.Node, error) {
	if x.Dims() != dims {
		if dims == 2 {
			return nil, fmt.Errorf("BatchNorm1d needs (N, C) input, got %v (BatchNorm2d is for NCHW)", x.Shape())
		}
		return nil, fmt.Errorf("BatchNorm2d needs NCHW input, got %v (BatchNorm1d is for (N, C))", x.Shape())
	}
	return batchNorm(s, x, b, relu)
}

// batchNorm builds the batch norm, followed by a ReLU if relu: fused into
// one op when the statistics are frozen, a separate op in training.
func batchNorm(s *graph.Scope, x *G.Node, b BatchNorm2d, relu bool) (*G.Node, error) {
	c := b.Features
	if c <= 0 || x.Shape()[1] != c {
		return nil, fmt.Errorf("batch norm over %d features got input %v", c, x.Shape())
	}
	eps, momentum := b.Eps, b.Momentum
	if eps == 0 {
		eps = 1e-5
	}
	if momentum == 0 {
		momentum = 0.1
	}
	shape := tensor.Shape{c}
	gamma, err := s.Param("weight", shape, graph.Ones)
	if err != nil {
		return nil, err
	}
	beta, err := s.Param("bias", shape, graph.Zeros)
	if err != nil {
		return nil, err
	}
	mean, err := s.Buffer("running_mean", shape, graph.Zeros)
	if err != nil {
		return nil, err
	}
	variance, err := s.Buffer("running_var", shape, graph.Ones)
	if err != nil {
		return nil, err
	}
	count, err := s.Buffer("num_batches_tracked", tensor.Shape{}, graph.Zeros)
	if err != nil {
		return nil, err
	}
	count.Integer = true // saved as I64, as torch keeps it
	if !s.Training() || mean.Frozen {
		if relu {
			return ops.BatchNormEvalReLU(x, gamma, beta, mean.Value, variance.Value, eps)
		}
		return ops.BatchNormEval(x, gamma, beta, mean.Value, variance.Value, eps)
	}
	if n := x.Shape().TotalSize() / c; n < 2 {
		return nil, fmt.Errorf("batch norm in training needs more than one value per channel, got input %v (use a batch of 2 or more)", x.Shape())
	}
	stats := new(ops.BatchStats)
	y, err := ops.BatchNormTrain(x, gamma, beta, eps, stats)
	if err != nil {
		return nil, err
	}
	s.AfterRun(func() error {
		if err := ops.UpdateRunning(mean.Value, variance.Value, stats, momentum); err != nil {
			return fmt.Errorf("batch norm %s: %w", s.Path(), err)
		}
		return increment(count.Value)
	})
	if relu {
		return ops.ReLU(y)
	}
	return y, nil
}

// increment adds one to a one-element counter tensor.
func increment(t *tensor.Dense) error {
	switch d := t.Data().(type) {
	case []float32:
		d[0]++
	case []float64:
		d[0]++
	case float32:
		return t.SetAt(d + 1)
	case float64:
		return t.SetAt(d + 1)
	default:
		return fmt.Errorf("counter of type %T", d)
	}
	return nil
}
