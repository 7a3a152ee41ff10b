package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
)

// Limits bound what Read accepts from an untrusted file.
type Limits struct {
	// MaxHeader is the largest JSON header in bytes; 0 means 100 MiB
	// (the limit of the reference implementation).
	MaxHeader int64
	// MaxTensors is the largest number of entries; 0 means 1<<20.
	MaxTensors int
}

func (l Limits) maxHeader() int64 {
	if l.MaxHeader > 0 {
		return l.MaxHeader
	}
	return 100 << 20
}

func (l Limits) maxTensors() int {
	if l.MaxTensors > 0 {
		return l.MaxTensors
	}
	return 1 << 20
}

// File is a decoded safetensors file.
type File struct {
	// Tensors in the order of their data in the file.
	Tensors  []Tensor
	Metadata map[string]string
}

// Lookup returns the tensor with the given name.
func (f *File) Lookup(name string) (*Tensor, bool) {
	for i := range f.Tensors {
		if f.Tensors[i].Name == name {
			return &f.Tensors[i], true
		}
	}
	return nil, false
}

type headerEntry struct {
	DType       DType    `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// ReadFile reads a safetensors file with default limits.
func ReadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	out, err := Read(f, st.Size(), Limits{})
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	return out, nil
}

// Read decodes a safetensors stream of the given total size.
func Read(r io.Reader, size int64, lim Limits) (*File, error) {
	if size < 8 {
		return nil, fmt.Errorf("file of %d bytes is too short to be safetensors (needs an 8-byte header length)", size)
	}
	var lenBuf [8]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, fmt.Errorf("reading header length: %w", err)
	}
	hlen := binary.LittleEndian.Uint64(lenBuf[:])
	if hlen > uint64(lim.maxHeader()) || int64(hlen) > size-8 {
		return nil, fmt.Errorf("header length %d is larger than the file (%d bytes) or the limit (%d): not a safetensors file, or truncated", hlen, size, lim.maxHeader())
	}
	header := make([]byte, hlen)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, fmt.Errorf("reading header: %w", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(header, &raw); err != nil {
		return nil, fmt.Errorf("header is not valid JSON: %w", err)
	}
	if len(raw) > lim.maxTensors()+1 {
		return nil, fmt.Errorf("header lists %d entries, more than the limit %d", len(raw), lim.maxTensors())
	}
	dataSize := size - 8 - int64(hlen)
	out := &File{}
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &out.Metadata); err != nil {
				return nil, fmt.Errorf("__metadata__ must map strings to strings: %w", err)
			}
			continue
		}
		var e headerEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("tensor %q: bad header entry: %w", name, err)
		}
		t, err := checkEntry(name, e, dataSize)
		if err != nil {
			return nil, err
		}
		out.Tensors = append(out.Tensors, t)
	}
	// Read data in file order so the stream is consumed sequentially.
	offsets := make(map[string][2]int64, len(out.Tensors))
	for name, msg := range raw {
		if name != "__metadata__" {
			var e headerEntry
			_ = json.Unmarshal(msg, &e) // already validated above
			offsets[name] = e.DataOffsets
		}
	}
	sort.Slice(out.Tensors, func(i, j int) bool {
		a, b := offsets[out.Tensors[i].Name], offsets[out.Tensors[j].Name]
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		return out.Tensors[i].Name < out.Tensors[j].Name
	})
	data := make([]byte, dataSize)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, fmt.Errorf("reading %d bytes of tensor data (file truncated?): %w", dataSize, err)
	}
	for i := range out.Tensors {
		o := offsets[out.Tensors[i].Name]
		out.Tensors[i].Data = data[o[0]:o[1]:o[1]]
	}
	return out, nil
}

// checkEntry validates one header entry against the data size before any
// allocation depends on it.
func checkEntry(name string, e headerEntry, dataSize int64) (Tensor, error) {
	size := e.DType.Size()
	if size == 0 {
		return Tensor{}, fmt.Errorf("tensor %q: unsupported dtype %q (supported: F64, F32, F16, BF16, I64, I32, U8)", name, e.DType)
	}
	n := int64(1)
	for _, d := range e.Shape {
		if d < 0 {
			return Tensor{}, fmt.Errorf("tensor %q: negative dimension in shape %v", name, e.Shape)
		}
		if d > 0 && n > dataSize/int64(d) {
			return Tensor{}, fmt.Errorf("tensor %q: shape %v is larger than the file's data (%d bytes)", name, e.Shape, dataSize)
		}
		n *= int64(d)
	}
	begin, end := e.DataOffsets[0], e.DataOffsets[1]
	if begin < 0 || end < begin || end > dataSize {
		return Tensor{}, fmt.Errorf("tensor %q: data offsets [%d, %d] outside the data (%d bytes)", name, begin, end, dataSize)
	}
	if end-begin != n*int64(size) {
		return Tensor{}, fmt.Errorf("tensor %q: shape %v of %s needs %d bytes, offsets give %d", name, e.Shape, e.DType, n*int64(size), end-begin)
	}
	return Tensor{Name: name, DType: e.DType, Shape: append([]int{}, e.Shape...)}, nil
}
