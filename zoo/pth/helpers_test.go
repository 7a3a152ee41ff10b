package pth

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/internal/safetensors"
)

// expectedTensor is one entry of testdata/expected.json, written by
// testdata/gen/gen_pth.py from PyTorch.
type expectedTensor struct {
	Name   string    `json:"name"`
	DType  string    `json:"dtype"`
	Shape  []int     `json:"shape"`
	Values []float64 `json:"values"`
}

func loadExpected(t testing.TB) map[string][]expectedTensor {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "expected.json"))
	require.NoError(t, err, "run testdata/gen/gen_pth.py to write the fixtures")
	var out map[string][]expectedTensor
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

// pickler writes pickles opcode by opcode, for files that torch.save
// would never write.
type pickler struct{ bytes.Buffer }

func newPickler() *pickler {
	p := &pickler{}
	p.Write([]byte{0x80, 2}) // PROTO 2, as torch.save writes
	return p
}

func (p *pickler) op(b ...byte) *pickler { p.Write(b); return p }

func (p *pickler) global(module, name string) *pickler {
	p.WriteString("c" + module + "\n" + name + "\n")
	return p
}

func (p *pickler) str(s string) *pickler {
	p.WriteByte('X')
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(s)))
	p.Write(n[:])
	p.WriteString(s)
	return p
}

// int writes n as BININT or, when it does not fit 32 bits, as an 8-byte
// LONG1.
func (p *pickler) int(n int64) *pickler {
	if n == int64(int32(n)) {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], uint32(int32(n)))
		p.WriteByte('J')
		p.Write(b[:])
		return p
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(n))
	p.Write([]byte{0x8a, 8})
	p.Write(b[:])
	return p
}

func (p *pickler) ints(v []int64) *pickler {
	p.op('(')
	for _, x := range v {
		p.int(x)
	}
	return p.op('t')
}

// tspec describes one tensor of a hand-made state dict.
type tspec struct {
	name   string
	typ    string // storage type, e.g. "FloatStorage"
	key    string
	numel  int64 // of the storage
	offset int64
	shape  []int64
	stride []int64
}

// tensor writes _rebuild_tensor_v2(storage, offset, size, stride, False,
// OrderedDict()) with the storage as a persistent id.
func (p *pickler) tensor(s tspec, legacy bool) *pickler {
	p.global("torch._utils", "_rebuild_tensor_v2").op('(')
	p.op('(').str("storage").global("torch", s.typ).str(s.key).str("cpu").int(s.numel)
	if legacy {
		p.op('N')
	}
	p.op('t', 'Q')
	p.int(s.offset).ints(s.shape).ints(s.stride)
	p.op(0x89).global("collections", "OrderedDict").op(')', 'R')
	return p.op('t', 'R')
}

// statePickle is an OrderedDict of the given tensors.
func statePickle(legacy bool, ts ...tspec) []byte {
	p := newPickler()
	p.global("collections", "OrderedDict").op(')', 'R')
	for _, s := range ts {
		p.str(s.name).tensor(s, legacy).op('s')
	}
	p.op('.')
	return p.Bytes()
}

// zipCheckpoint is a zip-format checkpoint under folder "archive" with the
// given pickle and entries (named relative to the folder).
func zipCheckpoint(t testing.TB, pkl []byte, entries map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	add := func(name string, data []byte) {
		f, err := w.CreateHeader(&zip.FileHeader{Name: "archive/" + name, Method: zip.Store})
		require.NoError(t, err)
		_, err = f.Write(data)
		require.NoError(t, err)
	}
	add("data.pkl", pkl)
	for name, data := range entries {
		add(name, data)
	}
	add("version", []byte("3\n"))
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// legacyStorage is one storage of a hand-made legacy checkpoint.
type legacyStorage struct {
	key   string
	numel uint64
	data  []byte
}

// legacyCheckpoint is a legacy-format checkpoint: magic number, protocol,
// system info, the given pickle, the storage keys, the storages.
func legacyCheckpoint(pkl []byte, storages ...legacyStorage) []byte {
	var buf bytes.Buffer
	// LONG1 0x1950a86a20f9469cfc6c, little-endian.
	buf.Write([]byte{0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, '.'})
	buf.Write([]byte{0x80, 2, 'M', 0xe9, 0x03, '.'}) // 1001
	buf.Write([]byte{0x80, 2, '}', '.'})
	buf.Write(pkl)
	keys := newPickler()
	keys.op(']', '(')
	for _, s := range storages {
		keys.str(s.key)
	}
	keys.op('e', '.')
	buf.Write(keys.Bytes())
	for _, s := range storages {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], s.numel)
		buf.Write(n[:])
		buf.Write(s.data)
	}
	return buf.Bytes()
}

func float32Bytes(v ...float32) []byte {
	out := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(x))
	}
	return out
}

func readBytes(b []byte, lim Limits) ([]safetensors.Tensor, error) {
	return Read(bytes.NewReader(b), int64(len(b)), lim)
}

// bytesReader adapts a byte slice to read's arguments.
func bytesReader(b []byte) (io.ReaderAt, int64, Limits) {
	return bytes.NewReader(b), int64(len(b)), Limits{}
}
