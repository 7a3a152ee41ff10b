package graph

import (
	"errors"
	"fmt"

	"gorgonia.org/tensor"
)

// Snapshot is an in-memory copy of a Store's tensors (parameters and
// buffers), for example the best weights seen by early stopping.
type Snapshot struct {
	values map[string]*tensor.Dense
}

// Snapshot copies every tensor of the store.
func (s *Store) Snapshot() *Snapshot {
	snap := &Snapshot{values: make(map[string]*tensor.Dense, len(s.vars))}
	for _, v := range s.vars {
		snap.values[v.Name] = v.Value.Clone().(*tensor.Dense)
	}
	return snap
}

// Restore copies a snapshot's values back into the store's tensors (in
// place, so compiled programs see them). Entries created after the snapshot
// keep their values; an entry whose shape changed is an error.
func (s *Store) Restore(snap *Snapshot) error {
	if snap == nil {
		return errors.New("restore: nil snapshot")
	}
	for _, v := range s.vars {
		saved, ok := snap.values[v.Name]
		if !ok {
			continue
		}
		if err := copyInto(v.Value, saved); err != nil {
			return fmt.Errorf("restore %q: %w", v.Name, err)
		}
	}
	return nil
}
