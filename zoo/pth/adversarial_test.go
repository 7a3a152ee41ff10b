package pth

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/internal/safetensors"
)

// TestMaliciousFixtures: the fixtures reference os.system through
// GLOBAL + REDUCE, as pickle.dumps of a __reduce__ to os.system does.
func TestMaliciousFixtures(t *testing.T) {
	for _, file := range []string{"malicious_zip.pth", "malicious_legacy.pth"} {
		_, err := ReadFile(filepath.Join("testdata", file))
		require.Error(t, err, file)
		var refused *RefusedError
		require.True(t, errors.As(err, &refused), "%s: %v", file, err)
		assert.Equal(t, "os.system", refused.Global)
		assert.Contains(t, err.Error(), "refusing to load: the file references os.system; only PyTorch state dicts are supported")
	}
}

// TestRefusedGlobals: every way a pickle can name a global — GLOBAL, INST,
// STACK_GLOBAL — is checked, including the classes gopickle would resolve
// by itself, in both container formats.
func TestRefusedGlobals(t *testing.T) {
	shortStr := func(p *pickler, s string) { p.op(0x8c, byte(len(s))).WriteString(s) }
	cases := []struct {
		name   string
		pickle func() []byte
		global string
	}{
		{"builtins.eval", func() []byte {
			return newPickler().global("builtins", "eval").str("1").op(0x85, 'R', '.').Bytes()
		}, "builtins.eval"},
		{"posix.system (pickle.dumps of os.system on Linux)", func() []byte {
			return newPickler().global("posix", "system").str("true").op(0x85, 'R', '.').Bytes()
		}, "posix.system"},
		{"subprocess.Popen", func() []byte {
			return newPickler().global("subprocess", "Popen").str("true").op(0x85, 'R', '.').Bytes()
		}, "subprocess.Popen"},
		{"a whole model", func() []byte {
			return newPickler().global("torch.nn.modules.conv", "Conv2d").op(')', 0x81, '.').Bytes()
		}, "torch.nn.modules.conv.Conv2d"},
		{"__builtin__.object (resolved by gopickle)", func() []byte {
			return newPickler().global("__builtin__", "object").op(')', 'R', '.').Bytes()
		}, "__builtin__.object"},
		{"copy_reg._reconstructor (resolved by gopickle)", func() []byte {
			return newPickler().global("copy_reg", "_reconstructor").op('.').Bytes()
		}, "copy_reg._reconstructor"},
		{"INST opcode", func() []byte {
			p := newPickler().op('(')
			p.str("true")
			p.WriteString("ios\nsystem\n")
			return p.op('.').Bytes()
		}, "os.system"},
		{"STACK_GLOBAL", func() []byte {
			p := &pickler{}
			p.op(0x80, 4)
			shortStr(p, "os")
			shortStr(p, "system")
			return p.op(0x93).str("true").op(0x85, 'R', '.').Bytes()
		}, "os.system"},
		{"STACK_GLOBAL of a gopickle class", func() []byte {
			p := &pickler{}
			p.op(0x80, 4)
			shortStr(p, "__builtin__")
			shortStr(p, "object")
			return p.op(0x93, ')', 'R', '.').Bytes()
		}, "__builtin__.* (through STACK_GLOBAL)"},
		{"inside a state dict", func() []byte {
			p := newPickler().global("collections", "OrderedDict").op(')', 'R')
			p.str("w").global("os", "system").str("true").op(0x85, 'R', 's', '.')
			return p.Bytes()
		}, "os.system"},
	}
	for _, c := range cases {
		for _, format := range []string{"zip", "legacy"} {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				pkl := c.pickle()
				var file []byte
				if format == "zip" {
					file = zipCheckpoint(t, pkl, nil)
				} else {
					file = legacyCheckpoint(pkl)
				}
				_, err := readBytes(file, Limits{})
				require.Error(t, err)
				var refused *RefusedError
				require.True(t, errors.As(err, &refused), "%v", err)
				assert.Equal(t, c.global, refused.Global)
			})
		}
	}
}

// TestHandMade covers what torch.save does not write for small models but
// the reader must handle: legacy storage views, big-endian archives, huge
// claims, inconsistent persistent ids.
func TestHandMade(t *testing.T) {
	f32 := float32Bytes(1, 2, 3, 4, 5, 6)
	tensor := func(mod func(*tspec)) tspec {
		s := tspec{name: "w", typ: "FloatStorage", key: "0", numel: 6, shape: []int64{2, 3}, stride: []int64{3, 1}}
		if mod != nil {
			mod(&s)
		}
		return s
	}
	zipOf := func(t *testing.T, storage []byte, specs ...tspec) []byte {
		return zipCheckpoint(t, statePickle(false, specs...), map[string][]byte{"data/0": storage})
	}
	t.Run("big endian", func(t *testing.T) {
		be := make([]byte, len(f32))
		for i := 0; i < len(f32); i += 4 {
			binary.BigEndian.PutUint32(be[i:], binary.LittleEndian.Uint32(f32[i:]))
		}
		file := zipCheckpoint(t, statePickle(false, tensor(nil)), map[string][]byte{"data/0": be, "byteorder": []byte("big")})
		got, err := readBytes(file, Limits{})
		require.NoError(t, err)
		v, err := got[0].Float64s()
		require.NoError(t, err)
		assert.Equal(t, []float64{1, 2, 3, 4, 5, 6}, v)
	})
	t.Run("legacy storage view", func(t *testing.T) {
		// ("storage", FloatStorage, "root", "cpu", 6, ("view", 2, 3)):
		// elements 2 to 4 of the root storage.
		p := newPickler()
		p.global("collections", "OrderedDict").op(')', 'R').str("v")
		p.global("torch._utils", "_rebuild_tensor").op('(')
		p.op('(').str("storage").global("torch", "FloatStorage").str("root").str("cpu").int(6)
		p.str("view").int(2).int(3).op(0x87, 't', 'Q')
		p.int(1).ints([]int64{2}).ints([]int64{1}).op('t', 'R', 's', '.')
		file := legacyCheckpoint(p.Bytes(), legacyStorage{"root", 6, f32})
		got, err := readBytes(file, Limits{})
		require.NoError(t, err)
		require.Len(t, got, 1)
		v, err := got[0].Float64s()
		require.NoError(t, err)
		assert.Equal(t, []float64{4, 5}, v) // view offset 2, tensor offset 1
	})
	t.Run("legacy", func(t *testing.T) {
		spec := tensor(func(s *tspec) { s.stride = []int64{1, 2}; s.shape = []int64{2, 3} })
		file := legacyCheckpoint(statePickle(true, spec), legacyStorage{"0", 6, f32})
		got, err := readBytes(file, Limits{})
		require.NoError(t, err)
		v, err := got[0].Float64s()
		require.NoError(t, err)
		assert.Equal(t, []float64{1, 3, 5, 2, 4, 6}, v)
	})
	t.Run("module prefix kept unless on every name", func(t *testing.T) {
		a := tensor(func(s *tspec) { s.name = "module.w" })
		b := tensor(func(s *tspec) { s.name = "v" })
		got, err := readBytes(zipOf(t, f32, a, b), Limits{})
		require.NoError(t, err)
		assert.Equal(t, "module.w", got[0].Name)
		assert.Equal(t, "v", got[1].Name)
	})
	t.Run("parameter", func(t *testing.T) {
		p := newPickler()
		p.global("collections", "OrderedDict").op(')', 'R').str("w")
		p.global("torch._utils", "_rebuild_parameter").op('(')
		p.tensor(tensor(nil), false)
		p.op(0x88).global("collections", "OrderedDict").op(')', 'R', 't', 'R', 's', '.')
		got, err := readBytes(zipCheckpoint(t, p.Bytes(), map[string][]byte{"data/0": f32}), Limits{})
		require.NoError(t, err)
		assert.Equal(t, []int{2, 3}, got[0].Shape)
	})

	bad := []struct {
		name string
		file func(t *testing.T) []byte
		want string
	}{
		{"storage larger than the limit", func(t *testing.T) []byte {
			return zipOf(t, f32, tensor(func(s *tspec) { s.numel = 1 << 60 }))
		}, "exceeds the limit"},
		{"negative storage size", func(t *testing.T) []byte {
			return zipOf(t, f32, tensor(func(s *tspec) { s.numel = -1 }))
		}, "negative"},
		{"view past the storage", func(t *testing.T) []byte {
			return zipOf(t, f32, tensor(func(s *tspec) { s.offset = 1 }))
		}, "reaches element 6"},
		{"stride past the storage", func(t *testing.T) []byte {
			return zipOf(t, f32, tensor(func(s *tspec) { s.stride = []int64{3, 2} }))
		}, "reaches element 7"},
		{"negative stride", func(t *testing.T) []byte {
			return zipOf(t, f32, tensor(func(s *tspec) { s.stride = []int64{-3, 1} }))
		}, "negative size or stride"},
		{"negative offset", func(t *testing.T) []byte {
			return zipOf(t, f32, tensor(func(s *tspec) { s.offset = -1 }))
		}, "negative storage offset"},
		{"overflowing shape", func(t *testing.T) []byte {
			return zipOf(t, f32, tensor(func(s *tspec) { s.shape = []int64{1 << 40, 1 << 40}; s.stride = []int64{0, 0} }))
		}, "exceeds the limit"},
		{"overflowing stride", func(t *testing.T) []byte {
			return zipOf(t, f32, tensor(func(s *tspec) { s.stride = []int64{1 << 62, 1 << 62} }))
		}, "overflow"},
		{"rank mismatch", func(t *testing.T) []byte {
			return zipOf(t, f32, tensor(func(s *tspec) { s.stride = []int64{1} }))
		}, "different lengths"},
		{"storage entry too short", func(t *testing.T) []byte {
			return zipOf(t, f32[:20], tensor(nil))
		}, "need 24"},
		{"storage entry missing", func(t *testing.T) []byte {
			return zipCheckpoint(t, statePickle(false, tensor(nil)), nil)
		}, "missing from the archive"},
		{"one key, two sizes", func(t *testing.T) []byte {
			a := tensor(func(s *tspec) { s.name = "a" })
			b := tensor(func(s *tspec) { s.name = "b"; s.numel = 5 })
			return zipOf(t, f32, a, b)
		}, "is named as"},
		{"duplicate names", func(t *testing.T) []byte {
			a := tensor(func(s *tspec) { s.name = "module.a" })
			b := tensor(func(s *tspec) { s.name = "module.a" })
			p := newPickler().op('}', '(')
			for _, s := range []tspec{a, b} {
				p.str(s.name).tensor(s, false)
			}
			p.op('u', '.')
			return zipCheckpoint(t, p.Bytes(), map[string][]byte{"data/0": f32})
		}, "appears twice"},
		{"unsupported dtype", func(t *testing.T) []byte {
			return zipOf(t, f32, tensor(func(s *tspec) { s.typ = "ComplexFloatStorage" }))
		}, "torch.ComplexFloatStorage are not supported"},
		{"legacy storage count differs", func(t *testing.T) []byte {
			return legacyCheckpoint(statePickle(true, tensor(nil)), legacyStorage{"0", 5, f32})
		}, "says 5 elements, the pickle 6"},
		{"legacy storage past the end", func(t *testing.T) []byte {
			return legacyCheckpoint(statePickle(true, tensor(nil)), legacyStorage{"0", 6, f32[:20]})
		}, "run past the end"},
		{"legacy unknown storage", func(t *testing.T) []byte {
			return legacyCheckpoint(statePickle(true, tensor(nil)), legacyStorage{"1", 6, f32})
		}, "no tensor uses it"},
		{"legacy storage not listed", func(t *testing.T) []byte {
			return legacyCheckpoint(statePickle(true, tensor(nil)))
		}, "not in the file's list"},
		{"legacy bad protocol", func(t *testing.T) []byte {
			b := legacyCheckpoint(statePickle(true, tensor(nil)), legacyStorage{"0", 6, f32})
			b[18] = 0xea // 1002
			return b
		}, "protocol 1002"},
		{"not a state dict", func(t *testing.T) []byte {
			return zipCheckpoint(t, newPickler().op(']', '.').Bytes(), nil)
		}, "holds a list"},
		{"dict with a non-tensor", func(t *testing.T) []byte {
			return zipCheckpoint(t, newPickler().op('}').str("epoch").int(3).op('s', '.').Bytes(), nil)
		}, `entry "epoch" is a int`},
		{"non-string key", func(t *testing.T) []byte {
			p := newPickler().op('}').int(1).tensor(tensor(nil), false).op('s', '.')
			return zipCheckpoint(t, p.Bytes(), map[string][]byte{"data/0": f32})
		}, "key is a int"},
		{"TorchScript", func(t *testing.T) []byte {
			return zipCheckpoint(t, newPickler().op('}', '.').Bytes(), map[string][]byte{"constants.pkl": nil})
		}, "TorchScript"},
		{"bad byteorder", func(t *testing.T) []byte {
			return zipCheckpoint(t, newPickler().op('}', '.').Bytes(), map[string][]byte{"byteorder": []byte("middle")})
		}, "byteorder"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := read(bytesReader(c.file(t)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// TestHostilePickles: lengths, counts and memory that a file claims are
// checked before anything is allocated; gopickle's own crashes on
// malformed input come back as errors.
func TestHostilePickles(t *testing.T) {
	u32 := func(n uint32) []byte { var b [4]byte; binary.LittleEndian.PutUint32(b[:], n); return b[:] }
	u64 := func(n uint64) []byte { var b [8]byte; binary.LittleEndian.PutUint64(b[:], n); return b[:] }
	cat := func(parts ...[]byte) []byte {
		var out []byte
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	marks := make([]byte, 4<<20) // 4 MiB of MARK: ~1.3 GB in gopickle
	for i := range marks {
		marks[i] = '('
	}
	cases := []struct {
		name   string
		pickle []byte
		want   string
	}{
		{"BINUNICODE of 4 GiB", cat([]byte{0x80, 2, 'X'}, u32(0xffffffff), []byte("ab.")), "longer than the"},
		{"BINBYTES8 of 2^63", cat([]byte{0x80, 4, 0x8e}, u64(1<<63), []byte(".")), "longer than the"},
		{"FRAME of 2^40", cat([]byte{0x80, 4, 0x95}, u64(1<<40), []byte("}.")), "frame of"},
		{"negative BINSTRING", cat([]byte{0x80, 2, 'T'}, u32(0x80000000), []byte(".")), "negative length"},
		{"huge LONG4", cat([]byte{0x80, 2, 0x8b}, u32(1<<20), make([]byte, 1<<20), []byte(".")), "integer of"},
		{"empty LONG1", []byte{0x80, 2, 0x8a, 0, '.'}, "integer of 0 bytes"},
		{"MARK bomb", cat([]byte{0x80, 2}, marks, []byte(".")), "MaxPickleMemory"},
		{"long line", cat([]byte{0x80, 2, 'I'}, make([]byte, 8000), []byte("\n.")), "line argument longer"},
		{"unknown opcode", []byte{0x80, 2, 0xff, '.'}, "unknown opcode 0xff"},
		{"extension", []byte{0x80, 2, 0x82, 1, '.'}, "EXT1"},
		{"protocol 6", []byte{0x80, 6, '.'}, "protocol 6"},
		{"no STOP", []byte{0x80, 2, '}'}, "without its STOP"},
		{"odd DICT", []byte{0x80, 2, '(', 'K', 1, 'd', '.'}, "unpickler failed"},
		{"unhashable key", []byte{0x80, 2, 'c', 'c', 'o', 'l', 'l', 'e', 'c', 't', 'i', 'o', 'n', 's', '\n', 'O', 'r', 'd', 'e', 'r', 'e', 'd', 'D', 'i', 'c', 't', '\n', ')', 'R', 'C', 1, 'a', 'K', 1, 's', '.'}, "unpickler failed"},
		{"empty stack", []byte{0x80, 2, 's', '.'}, "corrupt pickle"},
		{"text persistent id", []byte{0x80, 2, 'P', 'x', '\n', '.'}, "not a tuple"},
		{"module persistent id", cat(newPickler().str("module").op(0x85, 'Q', '.').Bytes()), "nn.Module"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := read(bytesReader(zipCheckpoint(t, c.pickle, nil)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestLimits(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "tiny_zip.pth"))
	require.NoError(t, err)
	for _, c := range []struct {
		lim  Limits
		want string
	}{
		{Limits{MaxBytes: 100}, "Limits.MaxBytes"},
		{Limits{MaxPickleBytes: 100}, "Limits.MaxPickleBytes"},
		{Limits{MaxPickleMemory: 1000}, "Limits.MaxPickleMemory"},
		{Limits{MaxTensors: 3}, "Limits.MaxTensors"},
	} {
		_, err := readBytes(b, c.lim)
		require.Error(t, err, c.want)
		assert.Contains(t, err.Error(), c.want)
	}
	_, err = readBytes(b, Limits{MaxBytes: 1 << 20, MaxPickleBytes: 1 << 12, MaxPickleMemory: 1 << 20, MaxTensors: 32})
	assert.NoError(t, err)
}

// TestWidening: types safetensors has no name for keep their values.
func TestWidening(t *testing.T) {
	got, err := ReadFile(filepath.Join("testdata", "dtypes_zip.pth"))
	require.NoError(t, err)
	byName := map[string]safetensors.Tensor{}
	for _, g := range got {
		byName[g.Name] = g
	}
	assert.Equal(t, []byte{1, 0, 1}, byName["bool"].Data)
	assert.Equal(t, safetensors.I32, byName["i8"].DType)
	assert.Equal(t, safetensors.I32, byName["i16"].DType)
}
