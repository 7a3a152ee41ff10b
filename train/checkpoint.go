package train

import (
	"encoding/json"
	"os"

	"github.com/pkg/errors"

	"github.com/tanren-ml/tanren/graph"
)

// checkpointState is stored as JSON in the checkpoint's safetensors
// metadata, so weights and position are written in one atomic rename.
type checkpointState struct {
	Position position `json:"position"`
	History  History  `json:"history"`
	Seed     uint64   `json:"seed"`
}

const stateKey = "tanren.train"

func (t *Trainer) saveCheckpoint(pos position) error {
	st := checkpointState{Position: pos, History: t.history, Seed: t.Seed}
	raw, err := json.Marshal(st)
	if err != nil {
		return errors.Wrap(err, "checkpoint")
	}
	return errors.Wrap(t.Store.Save(t.Checkpoint, map[string]string{stateKey: string(raw)}), "checkpoint")
}

// Resume loads the checkpoint at t.Checkpoint, if the file exists: the
// weights and buffers into t.Store, and the position and history, so that
// the next Fit continues where the run stopped — mid-epoch after an
// interruption — and, with the same seed, ends as an uninterrupted run
// would. It reports whether a checkpoint was found.
func (t *Trainer) Resume() (bool, error) {
	if t.Checkpoint == "" {
		return false, errors.New("resume: Trainer.Checkpoint is not set")
	}
	if _, err := os.Stat(t.Checkpoint); errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	meta, err := graph.ReadMetadata(t.Checkpoint)
	if err != nil {
		return false, errors.Wrap(err, "resume")
	}
	raw, ok := meta[stateKey]
	if !ok {
		return false, errors.Errorf("resume: %s is not a training checkpoint (no %q metadata)", t.Checkpoint, stateKey)
	}
	var st checkpointState
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return false, errors.Wrapf(err, "resume: %s: bad training state", t.Checkpoint)
	}
	if st.Seed != t.Seed {
		return false, errors.Errorf("resume: %s was written by a run with seed %d, this run has seed %d", t.Checkpoint, st.Seed, t.Seed)
	}
	if err := t.Store.Load(t.Checkpoint, graph.LoadOptions{Create: true}); err != nil {
		return false, errors.Wrap(err, "resume")
	}
	t.pos, t.history = st.Position, st.History
	t.Invalidate()
	return true, nil
}
