package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/internal/safetensors"
	"github.com/tanren-ml/tanren/solvers"
)

// A checkpoint is one .safetensors file, written atomically: the Store's
// tensors under their own names, the solver's buffers under
// "@solver/<parameter>/<slot>" (a prefix no PyTorch name has), and JSON
// metadata with the run's position, history and the solver's scalars. One
// file means one rename: weights, solver state and position never disagree.
const (
	stateKey     = "tanren.train"
	solverPrefix = "@solver/"
)

type checkpointState struct {
	Position position `json:"position"`
	History  History  `json:"history"`
	Seed     uint64   `json:"seed"`
	// Solver is the solver's state without its buffers; nil when the
	// solver cannot export state (Gorgonia's built-ins).
	Solver *solverState `json:"solver,omitempty"`
}

type solverState struct {
	Name      string             `json:"name"`
	LearnRate float64            `json:"lr"`
	Hyper     map[string]float64 `json:"hyper,omitempty"`
	Steps     map[string]int     `json:"steps"`
}

func (t *Trainer) saveCheckpoint(pos position) error {
	st := checkpointState{Position: pos, History: t.history, Seed: t.Seed}
	tensors := t.Store.Tensors()
	if cp, ok := t.Solver.(solvers.Checkpointer); ok {
		ss, err := cp.State(t.Store.NameOf)
		if err != nil {
			return fmt.Errorf("checkpoint: solver state: %w", err)
		}
		st.Solver = &solverState{Name: ss.Solver, LearnRate: ss.LearnRate, Hyper: ss.Hyper, Steps: map[string]int{}}
		names := make([]string, 0, len(ss.Params))
		for name := range ss.Params {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			ps := ss.Params[name]
			st.Solver.Steps[name] = ps.Step
			slots := make([]string, 0, len(ps.Buffers))
			for slot := range ps.Buffers {
				slots = append(slots, slot)
			}
			sort.Strings(slots)
			for _, slot := range slots {
				tensors = append(tensors, toSafetensor(solverPrefix+name+"/"+slot, ps.Buffers[slot]))
			}
		}
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := safetensors.WriteFile(t.Checkpoint, tensors, map[string]string{stateKey: string(raw)}); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

func toSafetensor(name string, t *tensor.Dense) safetensors.Tensor {
	shape := []int(t.Shape())
	switch d := t.Data().(type) {
	case []float32:
		return safetensors.FromFloat32(name, shape, d)
	case []float64:
		return safetensors.FromFloat64(name, shape, d)
	}
	return safetensors.FromFloat64(name, shape, graph.Float64s(t))
}

// Resume loads the checkpoint at t.Checkpoint, if the file exists: the
// weights and buffers into t.Store, the solver's state into t.Solver (which
// must be the same kind of solver), and the position and history, so that
// the next Fit continues where the run stopped — mid-epoch after an
// interruption — and, with the same seed, ends exactly as an uninterrupted
// run would. It reports whether a checkpoint was found.
func (t *Trainer) Resume() (bool, error) {
	if t.Checkpoint == "" {
		return false, errors.New("resume: Trainer.Checkpoint is not set")
	}
	if _, err := os.Stat(t.Checkpoint); errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err := t.check(); err != nil {
		return false, err
	}
	f, err := safetensors.ReadFile(t.Checkpoint)
	if err != nil {
		return false, fmt.Errorf("resume: %w", err)
	}
	raw, ok := f.Metadata[stateKey]
	if !ok {
		return false, fmt.Errorf("resume: %s is not a training checkpoint (no %q metadata)", t.Checkpoint, stateKey)
	}
	var st checkpointState
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return false, fmt.Errorf("resume: %s: bad training state: %w", t.Checkpoint, err)
	}
	if st.Seed != t.Seed {
		return false, fmt.Errorf("resume: %s was written by a run with seed %d, this run has seed %d", t.Checkpoint, st.Seed, t.Seed)
	}
	model := &safetensors.File{Metadata: f.Metadata}
	solverBufs := map[string]map[string]*tensor.Dense{}
	for _, ten := range f.Tensors {
		rest, isSolver := strings.CutPrefix(ten.Name, solverPrefix)
		if !isSolver {
			model.Tensors = append(model.Tensors, ten)
			continue
		}
		i := strings.LastIndex(rest, "/")
		if i < 0 {
			return false, fmt.Errorf("resume: %s: bad solver tensor name %q", t.Checkpoint, ten.Name)
		}
		vals, err := ten.Float64s()
		if err != nil {
			return false, fmt.Errorf("resume: %w", err)
		}
		if solverBufs[rest[:i]] == nil {
			solverBufs[rest[:i]] = map[string]*tensor.Dense{}
		}
		solverBufs[rest[:i]][rest[i+1:]] = denseLike(t.Store.Dtype(), ten.Shape, vals)
	}
	if err := t.Store.LoadFile(model, graph.LoadOptions{Create: true}); err != nil {
		return false, fmt.Errorf("resume %s: %w", t.Checkpoint, err)
	}
	if err := t.loadSolverState(st.Solver, solverBufs); err != nil {
		return false, fmt.Errorf("resume %s: %w", t.Checkpoint, err)
	}
	t.pos, t.history = st.Position, st.History
	t.Invalidate()
	return true, nil
}

func (t *Trainer) loadSolverState(ss *solverState, bufs map[string]map[string]*tensor.Dense) error {
	cp, ok := t.Solver.(solvers.Checkpointer)
	switch {
	case ss == nil && !ok:
		return nil // neither side has state to carry
	case ss == nil:
		return fmt.Errorf("the checkpoint has no solver state, but solver %T needs one: was it written with another solver?", t.Solver)
	case !ok:
		return fmt.Errorf("the checkpoint holds %s state, but solver %T cannot load it", ss.Name, t.Solver)
	}
	state := solvers.State{Solver: ss.Name, LearnRate: ss.LearnRate, Hyper: ss.Hyper, Params: map[string]solvers.ParamState{}}
	for name, step := range ss.Steps {
		state.Params[name] = solvers.ParamState{Step: step, Buffers: bufs[name]}
	}
	return cp.LoadState(state, func(name string) (*tensor.Dense, bool) {
		v, ok := t.Store.Lookup(name)
		if !ok {
			return nil, false
		}
		return v.Value, true
	})
}

func denseLike(dt tensor.Dtype, shape []int, vals []float64) *tensor.Dense {
	if dt == tensor.Float64 {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals))
	}
	f := make([]float32, len(vals))
	for i, v := range vals {
		f[i] = float32(v)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
}
