package train

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/solvers"
)

func TestReduceLROnPlateauCutsAndResumes(t *testing.T) {
	trainL, valL := loaders(4)
	run := func(ckpt string, stop int) (*Trainer, error) {
		tr := newTrainer(t, 4)
		s, err := solvers.New("sgd", solvers.WithLearnRate(0.5))
		require.NoError(t, err)
		tr.Solver, tr.Epochs, tr.Checkpoint = s, 6, ckpt
		// Patience -1: cut on the first epoch whose training loss is not a
		// new minimum by 90% (threshold 0.9 relative), which happens at
		// once: every epoch cuts by half.
		tr.Callbacks = []Callback{ReduceLROnPlateau{Monitor: "loss", Schedule: &solvers.ReduceOnPlateau{Base: 0.5, Factor: 0.5, Patience: -1, Threshold: 0.9}}}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if stop > 0 {
			tr.Callbacks = append(tr.Callbacks, stopAt{stop, cancel})
			_, err = tr.Fit(ctx, trainL, valL)
			return tr, err
		}
		if ckpt != "" {
			_, err := tr.Resume()
			require.NoError(t, err)
		}
		_, err = tr.Fit(ctx, trainL, valL)
		return tr, err
	}
	ref, err := run("", 0)
	require.NoError(t, err)
	lrs := []float64{}
	for _, e := range ref.History().Epochs {
		lrs = append(lrs, e.LR)
	}
	// Epoch.LR is the rate the epoch trained with: the first epoch sets the
	// best value, the second is not 90% better, so the third trains at half.
	assert.Equal(t, []float64{0.5, 0.5, 0.25}, lrs[:3])
	for i := 1; i < len(lrs); i++ {
		assert.LessOrEqual(t, lrs[i], lrs[i-1])
	}
	assert.Less(t, lrs[len(lrs)-1], 0.5)

	ckpt := filepath.Join(t.TempDir(), "p.ckpt")
	_, err = run(ckpt, 15) // interrupted in epoch 3
	require.ErrorIs(t, err, context.Canceled)
	resumed, err := run(ckpt, 0)
	require.NoError(t, err)
	for i, e := range resumed.History().Epochs {
		assert.Equal(t, lrs[i], e.LR, "epoch %d", i+1)
	}
}
