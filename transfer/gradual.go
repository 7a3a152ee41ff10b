package transfer

import (
	"fmt"

	"github.com/tanren-ml/tanren/train"
	"github.com/tanren-ml/tanren/zoo"
)

// GradualUnfreeze is a train.Trainer callback for ULMFiT's gradual
// unfreezing: training starts with only the top layer group (the head)
// trainable, and every Every epochs one more group, from the top down,
// becomes trainable, until all are.
//
// At the beginning of epoch e it applies FreezeTo with
// 1 + (e−1)/Every trainable groups, a function of the epoch alone, so a
// resumed run freezes as the interrupted one did; when that changes the
// Store's frozen flags it calls Trainer.Invalidate, so the next step
// differentiates the new set of parameters. Solvers of package solvers
// key their state by parameter tensor, so the head's moments and step
// counts carry on across the change and newly unfrozen parameters start
// fresh (torch's behaviour for parameters that had no gradients).
type GradualUnfreeze struct {
	// Groups are the layer groups from the input to the head, such as a
	// zoo model's Info.Groups (required).
	Groups []zoo.Group
	// Every is the number of epochs between unfreezing steps; 0 means 1.
	Every int
	// Options apply to the groups still frozen (TrainBN).
	Options Options
}

var _ train.EpochBeginner = (*GradualUnfreeze)(nil)

// Trainable returns the number of groups trainable during epoch (1-based).
func (g *GradualUnfreeze) Trainable(epoch int) int {
	every := max(g.Every, 1)
	return min(len(g.Groups), 1+max(epoch-1, 0)/every)
}

// OnEpochBegin implements train.EpochBeginner.
func (g *GradualUnfreeze) OnEpochBegin(t *train.Trainer, epoch int) error {
	if g.Every < 0 {
		return fmt.Errorf("transfer: GradualUnfreeze: Every = %d must not be negative (0 means 1)", g.Every)
	}
	before := frozenFlags(t)
	n := len(g.Groups) - g.Trainable(epoch)
	if err := FreezeTo(t.Store, g.Groups, n, g.Options); err != nil {
		return fmt.Errorf("transfer: GradualUnfreeze at epoch %d: %w", epoch, err)
	}
	after := frozenFlags(t)
	for i := range before {
		if before[i] != after[i] {
			t.Invalidate()
			break
		}
	}
	return nil
}

func frozenFlags(t *train.Trainer) []bool {
	vs := t.Store.Vars()
	out := make([]bool, len(vs))
	for i, v := range vs {
		out[i] = v.Frozen
	}
	return out
}
