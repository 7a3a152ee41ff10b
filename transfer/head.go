package transfer

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/zoo"
)

// ReplaceHead gives the model a fresh classifier with classes outputs
// under the same names (fc.weight and fc.bias for the ResNets, fc3.* for
// LeNet-5), initialized as the architecture initializes it, from seed:
// the same seed gives the same head (the head zoo.New with WithClasses and
// WithSeed(seed) would build). Every other tensor, with its frozen flag,
// is kept; the new head is trainable.
//
// Solvers that already hold state for the old head (moments, step counts,
// learning-rate scales) are passed as forget, and drop it: the old tensors
// have left the model, and a checkpoint could not name them.
// Programs compiled before are stale: call Trainer.Invalidate.
func ReplaceHead(m *zoo.Model, classes int, seed uint64, forget ...G.Solver) error {
	if m == nil || m.Store == nil {
		return errors.New("transfer: ReplaceHead: nil model or store")
	}
	var cps []solvers.Checkpointer
	for i, s := range forget {
		cp, ok := s.(solvers.Checkpointer)
		if !ok {
			return fmt.Errorf("transfer: ReplaceHead: solver %d (%T) cannot forget the old head's state: build it with solvers.New, or after ReplaceHead", i, s)
		}
		cps = append(cps, cp)
	}
	if _, err := headSet(m); err != nil {
		return fmt.Errorf("transfer: ReplaceHead: %w", err)
	}
	var old []*tensor.Dense
	for _, n := range m.Info.Head {
		v, _ := m.Store.Lookup(n)
		old = append(old, v.Value)
	}
	if err := m.SetClasses(classes, seed); err != nil {
		return fmt.Errorf("transfer: ReplaceHead: %w", err)
	}
	for _, cp := range cps {
		for _, t := range old {
			cp.Forget(t)
		}
	}
	return nil
}
