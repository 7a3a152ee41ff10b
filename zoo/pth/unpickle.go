package pth

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/nlpodyssey/gopickle/pickle"
)

// unpickle runs the gopickle virtual machine on a pickle that scanPickle
// accepted, resolving globals through the allow-list and persistent ids
// through persistent (nil: the pickle may not use any).
func (l *loader) unpickle(p []byte, persistent func(pid interface{}) (interface{}, error)) (v interface{}, err error) {
	// gopickle indexes its stacks without checking them on some malformed
	// inputs (a DICT with an odd number of items, an unhashable key);
	// those are corrupt files, not bugs to crash on.
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("corrupt pickle: the unpickler failed (%v)", r)
		}
	}()
	u := pickle.NewUnpickler(bytes.NewReader(p))
	u.FindClass = l.findClass
	u.PersistentLoad = func(pid interface{}) (interface{}, error) {
		if persistent == nil {
			return nil, errors.New("unexpected persistent id in a header pickle (corrupt file?)")
		}
		return persistent(pid)
	}
	u.GetExtension = func(code int) (interface{}, error) {
		return nil, fmt.Errorf("pickle extension code %d is not supported", code)
	}
	v, err = u.Load()
	if err != nil {
		var refused *RefusedError
		if errors.As(err, &refused) {
			return nil, err
		}
		return nil, fmt.Errorf("corrupt pickle: %w", err)
	}
	return v, nil
}
