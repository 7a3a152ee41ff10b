package pth

import (
	"strconv"
	"testing"
)

// BenchmarkReadZip reads a zip checkpoint of ResNet-18's size (11.7M
// float32 parameters, 62 tensors) from memory.
func BenchmarkReadZip(b *testing.B) {
	benchmarkRead(b, false, false)
}

// BenchmarkReadLegacy is BenchmarkReadZip in the legacy format.
func BenchmarkReadLegacy(b *testing.B) {
	benchmarkRead(b, true, false)
}

// BenchmarkReadTransposed reads the same tensors saved as transposed views,
// which are copied element by element.
func BenchmarkReadTransposed(b *testing.B) {
	benchmarkRead(b, false, true)
}

func benchmarkRead(b *testing.B, legacy, transposed bool) {
	// Roughly ResNet-18: 20 convolutions of 64..512 channels, their
	// batch norms, and the classifier.
	var specs []tspec
	var storages []legacyStorage
	entries := map[string][]byte{}
	var total int64
	add := func(name string, rows, cols int64) {
		key := strconv.Itoa(len(specs))
		s := tspec{name: name, typ: "FloatStorage", key: key, numel: rows * cols,
			shape: []int64{rows, cols}, stride: []int64{cols, 1}}
		if transposed {
			s.shape, s.stride = []int64{cols, rows}, []int64{1, cols}
		}
		data := make([]byte, 4*rows*cols)
		for i := range data {
			data[i] = byte(i)
		}
		specs = append(specs, s)
		storages = append(storages, legacyStorage{key, uint64(rows * cols), data})
		entries["data/"+key] = data
		total += int64(len(data))
	}
	for i, c := range []int64{64, 64, 64, 64, 64, 128, 128, 128, 128, 128, 256, 256, 256, 256, 256, 512, 512, 512, 512, 512} {
		name := "layer" + strconv.Itoa(i)
		add(name+".weight", c, c*9)
		add(name+".bn.weight", 1, c)
	}
	add("fc.weight", 1000, 512)
	add("fc.bias", 1, 1000)
	pkl := statePickle(legacy, specs...)
	var file []byte
	if legacy {
		file = legacyCheckpoint(pkl, storages...)
	} else {
		file = zipCheckpoint(b, pkl, entries)
	}
	b.SetBytes(total)
	b.ResetTimer()
	for range b.N {
		if _, err := readBytes(file, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
