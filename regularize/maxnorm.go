package regularize

import (
	"errors"
	"fmt"
	"math"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/train"
)

// DefaultMaxNorm is the bound of a MaxNorm whose Max is 0: Keras'
// max_norm default.
const DefaultMaxNorm = 2

// normEps is Keras' backend epsilon, added to the norm before dividing.
const normEps = 1e-7

// MaxNorm is the max-norm weight constraint (Srebro et al. 2005; used with
// dropout by Srivastava et al. 2014) as a train.Trainer callback: after
// every training step, each row of a selected weight whose Euclidean norm
// exceeds Max is scaled back onto the ball of radius Max.
//
// A "row" is what Keras' max_norm constrains by default: the incoming
// weights of one output unit. In the PyTorch layout of the Store that is a
// slice along the first dimension: a row of a linear weight (out, in), one
// filter (in, kh, kw) of a convolution weight (out, in, kh, kw). A 1-D
// parameter (selected by pattern) is constrained as one vector.
//
// As in Keras, a row with norm n > Max becomes w·Max/(n + 1e-7). Keras
// multiplies every row by min(n, Max)/(n + 1e-7), which also shrinks rows
// inside the ball by a factor 1 − 1e-7/n; here they are left exactly as
// they are.
//
// Frozen parameters are not touched (the solver does not move them
// either). MaxNorm has no state; use it by value.
type MaxNorm struct {
	// Max is the largest norm allowed; 0 means DefaultMaxNorm (2). Srivastava
	// et al. use 3 to 4 with dropout.
	Max float64
	// Select chooses the parameters; the zero value selects the weights of
	// convolution and linear layers.
	Select Selector
}

var (
	_ train.FitBeginner = MaxNorm{}
	_ train.StepEnder   = MaxNorm{}
)

func (m MaxNorm) max() float64 {
	if m.Max == 0 {
		return DefaultMaxNorm
	}
	return m.Max
}

// OnFitBegin checks Max and the selector against the trainer's store. Like
// Keras, it leaves the initial weights alone: the constraint applies to
// the result of each update.
func (m MaxNorm) OnFitBegin(t *train.Trainer) error {
	if c := m.max(); !(c > 0) || math.IsInf(c, 0) {
		return fmt.Errorf("max-norm: Max = %v must be finite and > 0", m.Max)
	}
	if err := m.Select.Validate(t.Store); err != nil {
		return fmt.Errorf("max-norm: %w", err)
	}
	return nil
}

// OnStepEnd constrains the weights after a solver step.
func (m MaxNorm) OnStepEnd(t *train.Trainer, _ int, _ float64) error { return m.Apply(t.Store) }

// Apply renormalizes the selected trainable parameters of store in place.
func (m MaxNorm) Apply(store *graph.Store) error {
	c := m.max()
	if !(c > 0) || math.IsInf(c, 0) {
		return fmt.Errorf("max-norm: Max = %v must be finite and > 0", m.Max)
	}
	if store == nil {
		return errors.New("max-norm: nil store")
	}
	for _, v := range store.Trainable() {
		ok, err := m.Select.Match(v)
		if err != nil {
			return fmt.Errorf("max-norm: %w", err)
		}
		if !ok {
			continue
		}
		rows := 1
		if v.Value.Dims() >= 2 {
			rows = v.Value.Shape()[0]
		}
		switch d := v.Value.Data().(type) {
		case []float32:
			clipRows(d, rows, c)
		case []float64:
			clipRows(d, rows, c)
		default:
			return fmt.Errorf("max-norm: %q has dtype %v, want float32 or float64", v.Name, v.Value.Dtype())
		}
	}
	return nil
}

// clipRows scales each of the rows of w whose norm exceeds c to norm c.
func clipRows[T float](w []T, rows int, c float64) {
	n := len(w) / rows
	for r := range rows {
		row := w[r*n : (r+1)*n]
		var ss float64
		for _, x := range row {
			ss += float64(x) * float64(x)
		}
		norm := math.Sqrt(ss)
		if norm <= c {
			continue
		}
		s := T(c / (norm + normEps))
		for i := range row {
			row[i] *= s
		}
	}
}
