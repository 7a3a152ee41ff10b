package train

import (
	"context"
	"fmt"
	"io"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
)

// Evaluate computes the loss (without penalties) and accuracy of the model
// in evaluation mode over one pass of the loader.
func (t *Trainer) Evaluate(ctx context.Context, loader *data.Loader) (Metrics, error) {
	var m Metrics
	if err := t.checkModel(); err != nil {
		return m, err
	}
	err := Predictions(ctx, loader, func(x *tensor.Dense) (*graph.Program, error) {
		return t.program(graph.Eval, x)
	}, func(b *data.Batch, res graph.Result) {
		m.Loss += res.Loss * float64(b.Len())
		m.Accuracy += float64(correct(res.Output, b.Labels))
		m.N += b.Len()
	})
	if err != nil {
		return Metrics{}, err
	}
	if m.N > 0 {
		m.Loss /= float64(m.N)
		m.Accuracy /= float64(m.N)
	}
	return m, nil
}

// Predictions runs every batch of one pass of loader through the program
// that prog returns for it and hands each batch and its result to fn.
func Predictions(ctx context.Context, loader *data.Loader, prog func(x *tensor.Dense) (*graph.Program, error), fn func(*data.Batch, graph.Result)) error {
	it, err := loader.Epoch(ctx, 0)
	if err != nil {
		return err
	}
	defer it.Close()
	for {
		b, err := it.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		p, err := prog(b.X)
		if err != nil {
			return err
		}
		target, err := targets(b, p.OutputShape())
		if err != nil {
			return err
		}
		res, err := p.Run(b.X, target)
		if err != nil {
			return err
		}
		fn(b, res)
	}
}

// targets returns the batch's targets, or one-hot rows built from its
// labels for an output of the given shape (N, K).
func targets(b *data.Batch, out tensor.Shape) (*tensor.Dense, error) {
	if b.Targets != nil {
		if !b.Targets.Shape().Eq(out) {
			return nil, fmt.Errorf("targets have shape %v, model output %v (does Loader.NumClasses match the model's classes?)", b.Targets.Shape(), out)
		}
		return b.Targets, nil
	}
	if len(out) != 2 || out[0] != len(b.Labels) {
		return nil, fmt.Errorf("model output %v does not fit %d labels: integer labels need (N, classes) logits", out, len(b.Labels))
	}
	k := out[1]
	oneHot := make([]float32, out[0]*k)
	for i, l := range b.Labels {
		if l < 0 || l >= k {
			return nil, fmt.Errorf("label %d outside the model's %d classes", l, k)
		}
		oneHot[i*k+l] = 1
	}
	return tensor.New(tensor.WithShape(out[0], k), tensor.WithBacking(oneHot)), nil
}

// correct counts the rows whose arg-max equals the label.
func correct(out *tensor.Dense, labels []int) int {
	if out.Dims() != 2 || out.Shape()[0] != len(labels) {
		return 0
	}
	pred := ArgMax(out)
	n := 0
	for i, l := range labels {
		if pred[i] == l {
			n++
		}
	}
	return n
}

// ArgMax returns the index of the largest value of each row of an (N, K)
// float tensor.
func ArgMax(out *tensor.Dense) []int {
	rows := graph.Float64s(out)
	n, k := out.Shape()[0], out.Shape()[1]
	pred := make([]int, n)
	for i := range pred {
		row := rows[i*k : (i+1)*k]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		pred[i] = best
	}
	return pred
}
