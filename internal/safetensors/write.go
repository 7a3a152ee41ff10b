package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/tanren-ml/tanren/internal/atomicfile"
)

// Write encodes tensors, in the given order, and metadata as safetensors.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	var header bytes.Buffer
	header.WriteByte('{')
	if len(metadata) > 0 {
		m, err := json.Marshal(metadata)
		if err != nil {
			return fmt.Errorf("encoding metadata: %w", err)
		}
		header.WriteString(`"__metadata__":`)
		header.Write(m)
	}
	seen := make(map[string]bool, len(tensors))
	var offset int64
	for i, t := range tensors {
		if seen[t.Name] {
			return fmt.Errorf("tensor name %q appears twice", t.Name)
		}
		seen[t.Name] = true
		if want := int64(t.NumElements() * t.DType.Size()); want != int64(len(t.Data)) || t.DType.Size() == 0 {
			return fmt.Errorf("tensor %q: %d bytes of data for shape %v of %s", t.Name, len(t.Data), t.Shape, t.DType)
		}
		if i > 0 || len(metadata) > 0 {
			header.WriteByte(',')
		}
		name, _ := json.Marshal(t.Name)
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		entry, _ := json.Marshal(headerEntry{DType: t.DType, Shape: shape, DataOffsets: [2]int64{offset, offset + int64(len(t.Data))}})
		header.Write(name)
		header.WriteByte(':')
		header.Write(entry)
		offset += int64(len(t.Data))
	}
	header.WriteByte('}')
	// Pad with spaces so the data starts 8-byte aligned, as the reference
	// writer does.
	for header.Len()%8 != 0 {
		header.WriteByte(' ')
	}
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(header.Len()))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return err
	}
	if _, err := w.Write(header.Bytes()); err != nil {
		return err
	}
	for _, t := range tensors {
		if _, err := w.Write(t.Data); err != nil {
			return err
		}
	}
	return nil
}

// WriteFile writes atomically (see package atomicfile).
// synced, then renamed over path, so a crash never leaves half a file.
func WriteFile(path string, tensors []Tensor, metadata map[string]string) error {
	return atomicfile.Write(path, func(w io.Writer) error { return Write(w, tensors, metadata) })
}

func encodeFloat32(v []float32) []byte {
	out := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(x))
	}
	return out
}

func encodeFloat64(v []float64) []byte {
	out := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(out[8*i:], math.Float64bits(x))
	}
	return out
}

func encodeInt64(v []int64) []byte {
	out := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(out[8*i:], uint64(x))
	}
	return out
}
