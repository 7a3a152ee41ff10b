package pth

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tanren-ml/tanren/internal/safetensors"
)

// ReadFile reads the state dict of a PyTorch checkpoint (.pth, .pt, .bin)
// with default Limits. Tensors come in the state dict's order, named as in
// PyTorch, in the file's dtype (see Read).
func ReadFile(path string) ([]safetensors.Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("pth: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("pth: %s: %w", path, err)
	}
	out, err := Read(f, st.Size(), Limits{})
	if err != nil {
		return nil, fmt.Errorf("pth: %s: %w", path, err)
	}
	return out, nil
}

// Read reads the state dict of a PyTorch checkpoint of the given size, in
// the zip or the legacy format. Tensors come in the state dict's order,
// with their PyTorch names (less a "module." prefix that every name has),
// shapes and dtypes: float32, float64, float16, bfloat16, int64, int32 and
// uint8 as F32, F64, F16, BF16, I64, I32 and U8; bool as U8 (0 or 1), int8
// and int16 as I32. Non-contiguous tensors are returned in row-major order;
// a contiguous tensor's Data may share memory with another tensor that
// viewed the same storage in the file (tied weights).
//
// The file is untrusted: see the package documentation. A file whose
// pickle names a global outside the allow-list gives a *RefusedError.
func Read(r io.ReaderAt, size int64, lim Limits) (out []safetensors.Tensor, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("corrupt checkpoint (internal error: %v)", p)
		}
	}()
	return read(r, size, lim)
}

// read is Read without the recover, so that fuzzing finds panics.
func read(r io.ReaderAt, size int64, lim Limits) ([]safetensors.Tensor, error) {
	l := &loader{lim: lim, storages: map[string]*storage{}, views: map[string]*storage{}}
	var head [16]byte
	n, err := r.ReadAt(head[:], 0)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("reading the first bytes: %w", err)
	}
	var obj interface{}
	var src storageSource
	switch h := head[:n]; {
	case bytes.HasPrefix(h, []byte("PK\x03\x04")):
		obj, src, err = l.readZip(r, size)
	case len(h) >= 2 && h[0] == 0x80:
		obj, src, err = l.readLegacy(r, size)
	case len(h) >= 9 && h[8] == '{' && binary.LittleEndian.Uint64(h[:8]) < uint64(size):
		return nil, errors.New("this is a safetensors file, not a PyTorch checkpoint: load it with graph.Store.Load")
	default:
		return nil, fmt.Errorf("not a PyTorch checkpoint: it starts with %q, not a zip archive (torch.save since PyTorch 1.6) or a pickle (the legacy format)", h)
	}
	if err != nil {
		return nil, err
	}
	entries, err := stateDict(obj)
	if err != nil {
		return nil, err
	}
	if len(entries) > lim.maxTensors() {
		return nil, fmt.Errorf("%d tensors, more than the limit of %d (Limits.MaxTensors)", len(entries), lim.maxTensors())
	}
	out := make([]safetensors.Tensor, len(entries))
	var produced int64
	for i, e := range entries {
		outSize := int64(e.t.storage.typ.out.Size())
		n, ok := mulLimit(e.t.numel, outSize, lim.maxBytes())
		if ok {
			produced, ok = addLimit(produced, n, lim.maxBytes())
		}
		if !ok {
			return nil, fmt.Errorf("tensor %q: the tensors add up to more than the limit of %d bytes (Limits.MaxBytes)", e.name, lim.maxBytes())
		}
		data, err := l.storageBytes(src, e.t.storage)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", e.name, err)
		}
		out[i] = e.t.materialize(e.name, data)
	}
	return out, nil
}

// loader holds the state of one Read.
type loader struct {
	lim      Limits
	storages map[string]*storage // root storages by key
	views    map[string]*storage // legacy storage views by key
	read     int64               // storage bytes read so far
}

// storageSource reads a root storage's bytes from the file.
type storageSource interface {
	load(st *storage) ([]byte, error)
}

// storageBytes returns a storage's little-endian bytes, reading its root
// storage once.
func (l *loader) storageBytes(src storageSource, st *storage) ([]byte, error) {
	root := st
	if st.root != nil {
		root = st.root
	}
	if root.data == nil {
		n, ok := addLimit(l.read, root.nbytes(), l.lim.maxBytes())
		if !ok {
			return nil, fmt.Errorf("storages add up to more than the limit of %d bytes (Limits.MaxBytes)", l.lim.maxBytes())
		}
		data, err := src.load(root)
		if err != nil {
			return nil, fmt.Errorf("storage %q: %w", root.key, err)
		}
		l.read = n
		root.data = data
	}
	if st.root == nil {
		return root.data, nil
	}
	size := int64(st.typ.size)
	return root.data[st.offset*size : (st.offset+st.numel)*size], nil
}

// readStorage reads exactly st.nbytes() from r. When the caller has checked
// that the file holds that many bytes (present), the buffer is allocated at
// once; otherwise it grows with the data actually read, so that an entry
// shorter than it claims (a compressed zip entry) fails cheaply.
func readStorage(r io.Reader, st *storage, present bool) ([]byte, error) {
	want := st.nbytes()
	if present {
		data := make([]byte, want)
		if n, err := io.ReadFull(r, data); err != nil {
			return nil, shortStorage(st, int64(n), err)
		}
		return data, nil
	}
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, r, want)
	if err != nil {
		return nil, shortStorage(st, n, err)
	}
	data := buf.Bytes()
	return data[:len(data):len(data)], nil
}

func shortStorage(st *storage, n int64, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("%d of %d bytes (%d elements of %s): truncated file?", n, st.nbytes(), st.numel, st.typ.name)
	}
	return err
}
