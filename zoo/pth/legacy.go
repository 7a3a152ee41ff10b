package pth

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/nlpodyssey/gopickle/types"
)

// The first two pickles of a legacy checkpoint.
var legacyMagic, _ = new(big.Int).SetString("1950a86a20f9469cfc6c", 16)

const legacyProtocol = 1001

// legacySource reads storages at the offsets the storage headers gave.
type legacySource struct {
	r       io.ReaderAt
	offsets map[string]int64 // by root key
}

// readLegacy reads a legacy checkpoint (torch.save with
// _use_new_zipfile_serialization=False, and files older than PyTorch 1.6):
// pickles of the magic number, the protocol version, system information,
// the state dict and the storage keys, then each storage as an 8-byte
// little-endian element count followed by its little-endian data.
func (l *loader) readLegacy(r io.ReaderAt, size int64) (interface{}, storageSource, error) {
	off := int64(0)
	next := func(what string, persistent func(interface{}) (interface{}, error)) (interface{}, error) {
		br := bufio.NewReader(io.NewSectionReader(r, off, size-off))
		p, err := scanPickle(br, size-off, l.lim)
		if err != nil {
			return nil, fmt.Errorf("%s pickle at byte %d: %w", what, off, err)
		}
		off += int64(len(p))
		v, err := l.unpickle(p, persistent)
		if err != nil {
			return v, fmt.Errorf("%s pickle at byte %d: %w", what, off-int64(len(p)), err)
		}
		return v, nil
	}
	magic, err := next("magic number", nil)
	if err != nil {
		return nil, nil, err
	}
	if m, ok := magic.(*big.Int); !ok || m.Cmp(legacyMagic) != 0 {
		return nil, nil, errors.New("not a PyTorch checkpoint: a pickle, but not one that starts with torch.save's magic number")
	}
	proto, err := next("protocol version", nil)
	if err != nil {
		return nil, nil, err
	}
	if proto != legacyProtocol {
		return nil, nil, fmt.Errorf("legacy checkpoint protocol %v is not supported (expected %d)", proto, legacyProtocol)
	}
	if _, err := next("system info", nil); err != nil {
		return nil, nil, err
	}
	obj, err := next("state dict", l.legacyPersistent)
	if err != nil {
		return nil, nil, err
	}
	rawKeys, err := next("storage keys", nil)
	if err != nil {
		return nil, nil, err
	}
	keys, ok := rawKeys.(*types.List)
	if !ok {
		return nil, nil, fmt.Errorf("storage keys are a %s, not a list (corrupt file?)", pyType(rawKeys))
	}
	src := &legacySource{r: r, offsets: make(map[string]int64, len(*keys))}
	for _, k := range *keys {
		key, ok := k.(string)
		if !ok {
			return nil, nil, fmt.Errorf("a storage key is a %s, not a str (corrupt file?)", pyType(k))
		}
		st, ok := l.storages[key]
		if !ok {
			return nil, nil, fmt.Errorf("storage %q is in the file but no tensor uses it (corrupt file?)", key)
		}
		if _, dup := src.offsets[key]; dup {
			return nil, nil, fmt.Errorf("storage %q is listed twice (corrupt file?)", key)
		}
		var head [8]byte
		if size-off < 8 {
			return nil, nil, fmt.Errorf("storage %q: file ends at byte %d before its header (truncated file?)", key, size)
		}
		if _, err := r.ReadAt(head[:], off); err != nil {
			return nil, nil, fmt.Errorf("storage %q: reading its header at byte %d: %w", key, off, err)
		}
		if n := binary.LittleEndian.Uint64(head[:]); n != uint64(st.numel) {
			return nil, nil, fmt.Errorf("storage %q: header at byte %d says %d elements, the pickle %d (corrupt file?)", key, off, n, st.numel)
		}
		off += 8
		if st.nbytes() > size-off {
			return nil, nil, fmt.Errorf("storage %q: %d bytes at byte %d run past the end of the file (%d bytes; truncated file?)", key, st.nbytes(), off, size)
		}
		src.offsets[key] = off
		off += st.nbytes()
	}
	return obj, src, nil
}

func (s *legacySource) load(st *storage) ([]byte, error) {
	off, ok := s.offsets[st.key]
	if !ok {
		return nil, errors.New("not in the file's list of storages (corrupt file?)")
	}
	return readStorage(io.NewSectionReader(s.r, off, st.nbytes()), st, true)
}
