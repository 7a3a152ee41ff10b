package pth

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead feeds mutated checkpoints to read, which does not recover, so a
// panic anywhere in the package fails the fuzzer. Limits are small so that
// mutated sizes cannot make a run slow.
//
//	go test -run XXX -fuzz FuzzRead -fuzztime 5m ./zoo/pth
func FuzzRead(f *testing.F) {
	for _, file := range []string{"tiny_legacy.pth", "dtypes_legacy.pth", "tiny_zip.pth", "malicious_legacy.pth"} {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f32 := float32Bytes(1, 2, 3, 4, 5, 6)
	view := tspec{name: "w", typ: "FloatStorage", key: "0", numel: 6, offset: 1, shape: []int64{2, 2}, stride: []int64{1, 2}}
	f.Add(legacyCheckpoint(statePickle(true, view), legacyStorage{"0", 6, f32}))
	lim := Limits{MaxBytes: 1 << 20, MaxPickleBytes: 1 << 16, MaxPickleMemory: 1 << 24, MaxTensors: 1 << 10}
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := read(bytes.NewReader(b), int64(len(b)), lim)
		if err != nil {
			return
		}
		for _, tn := range out {
			// Whatever was accepted must be a consistent tensor.
			if tn.DType.Size()*tn.NumElements() != len(tn.Data) {
				t.Fatalf("tensor %q: %d bytes for shape %v of %s", tn.Name, len(tn.Data), tn.Shape, tn.DType)
			}
		}
	})
}
