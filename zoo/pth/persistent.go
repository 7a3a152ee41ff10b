package pth

import (
	"fmt"

	"github.com/nlpodyssey/gopickle/types"
)

// storageID decodes the common part of a persistent id, ("storage",
// storage_type, key, location, numel, ...), and returns the root storage
// it names, shared by every id with the same key.
func (l *loader) storageID(pid interface{}, fields int) (*types.Tuple, *storage, error) {
	t, ok := pid.(*types.Tuple)
	if !ok {
		return nil, nil, fmt.Errorf("persistent id is a %s, not a tuple (corrupt file?)", pyType(pid))
	}
	if t.Len() > 0 && t.Get(0) == "module" {
		return nil, nil, &RefusedError{Global: "a pickled nn.Module (torch.save(model))"}
	}
	if t.Len() != fields || t.Get(0) != "storage" {
		return nil, nil, fmt.Errorf("persistent id %v is not (\"storage\", type, key, location, size%s) (corrupt file?)", *t, map[bool]string{true: ", view", false: ""}[fields == 6])
	}
	typ, ok := t.Get(1).(*storageType)
	if !ok {
		return nil, nil, fmt.Errorf("persistent id: storage type is a %s (corrupt file?)", pyType(t.Get(1)))
	}
	key, ok := t.Get(2).(string)
	if !ok {
		return nil, nil, fmt.Errorf("persistent id: storage key is a %s (corrupt file?)", pyType(t.Get(2)))
	}
	numel, ok := asInt64(t.Get(4))
	if !ok {
		return nil, nil, fmt.Errorf("storage %q: size is a %s (corrupt file?)", key, pyType(t.Get(4)))
	}
	if st, ok := l.storages[key]; ok {
		return t, st, st.sameAs(typ, numel)
	}
	if len(l.storages) >= l.lim.maxTensors() {
		return nil, nil, fmt.Errorf("more than %d storages (Limits.MaxTensors)", l.lim.maxTensors())
	}
	st, err := newStorage(key, typ, numel, l.lim)
	if err != nil {
		return nil, nil, err
	}
	l.storages[key] = st
	return t, st, nil
}

// zipPersistent resolves a zip-format persistent id,
// ("storage", storage_type, key, location, numel).
func (l *loader) zipPersistent(pid interface{}) (interface{}, error) {
	_, st, err := l.storageID(pid, 5)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// legacyPersistent resolves a legacy-format persistent id,
// ("storage", storage_type, root_key, location, numel, view_metadata),
// where view_metadata is None or (view_key, offset, view_numel): a slice
// of the root storage, written by PyTorch before 0.4.
func (l *loader) legacyPersistent(pid interface{}) (interface{}, error) {
	t, root, err := l.storageID(pid, 6)
	if err != nil {
		return nil, err
	}
	view := t.Get(5)
	if view == nil {
		return root, nil
	}
	vm, ok := view.(*types.Tuple)
	if !ok || vm.Len() != 3 {
		return nil, fmt.Errorf("storage %q: view metadata %v is not (key, offset, size) (corrupt file?)", root.key, view)
	}
	key, ok1 := vm.Get(0).(string)
	offset, ok2 := asInt64(vm.Get(1))
	numel, ok3 := asInt64(vm.Get(2))
	if !ok1 || !ok2 || !ok3 {
		return nil, fmt.Errorf("storage %q: view metadata %v is not (key, offset, size) (corrupt file?)", root.key, *vm)
	}
	if _, ok := addLimit(offset, numel, root.numel); !ok {
		return nil, fmt.Errorf("storage view %q: elements [%d, %d+%d) outside storage %q of %d elements (corrupt file?)", key, offset, offset, numel, root.key, root.numel)
	}
	if v, ok := l.views[key]; ok {
		if v.root != root || v.offset != offset || v.numel != numel {
			return nil, fmt.Errorf("storage view %q is described twice, differently (corrupt file?)", key)
		}
		return v, nil
	}
	if len(l.views) >= l.lim.maxTensors() {
		return nil, fmt.Errorf("more than %d storage views (Limits.MaxTensors)", l.lim.maxTensors())
	}
	v := &storage{key: key, typ: root.typ, numel: numel, root: root, offset: offset}
	l.views[key] = v
	return v, nil
}
