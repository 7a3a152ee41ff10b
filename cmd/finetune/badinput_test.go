package main

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/zoo"
)

// Every bad input gets a one-line error naming the file or folder, a
// non-zero exit, and leaves no output folder behind.
func TestBadInput(t *testing.T) {
	root := t.TempDir()
	good := makeFolder(t, filepath.Join(root, "good"), []string{"a", "b"}, 6, 1)
	oneClass := makeFolder(t, filepath.Join(root, "one"), []string{"a"}, 6, 1)
	emptyClass := makeFolder(t, filepath.Join(root, "emptyclass"), []string{"a", "b"}, 6, 1)
	require.NoError(t, os.MkdirAll(filepath.Join(emptyClass, "c"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(emptyClass, "c", "notes.txt"), []byte("x"), 0o644))
	otherVal := makeFolder(t, filepath.Join(root, "otherval"), []string{"a", "z"}, 3, 2)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "empty"), 0o755))
	corrupt := makeFolder(t, filepath.Join(root, "corrupt"), []string{"a", "b"}, 6, 1)
	require.NoError(t, os.WriteFile(filepath.Join(corrupt, "a", "broken.png"), []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), 0o644))
	huge := makeFolder(t, filepath.Join(root, "huge"), []string{"a", "b"}, 6, 1)
	require.NoError(t, os.WriteFile(filepath.Join(huge, "b", "bomb.png"), pngHeader(100000, 100000), 0o644))
	aFile := filepath.Join(root, "file")
	require.NoError(t, os.WriteFile(aFile, []byte("x"), 0o644))
	mlp, err := zoo.New("mlp", zoo.WithClasses(2))
	require.NoError(t, err)
	mlpWeights := filepath.Join(root, "mlp.safetensors")
	require.NoError(t, mlp.Store.Save(mlpWeights, nil))

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"missing data", []string{"-data", filepath.Join(root, "nope")}, "nope"},
		{"empty data", []string{"-data", filepath.Join(root, "empty")}, "empty"},
		{"one class", []string{"-data", oneClass}, "one class"},
		{"class without images", []string{"-data", emptyClass}, filepath.Join("emptyclass", "c")},
		{"corrupt image, strict", []string{"-data", corrupt, "-strict"}, "broken.png"},
		{"image too large", []string{"-data", huge, "-strict"}, "exceeds the limit"},
		{"val classes differ", []string{"-data", good, "-val", otherVal}, "z"},
		{"weights of another architecture", []string{"-data", good, "-weights", mlpWeights}, "fc1.weight"},
		{"unknown weights", []string{"-data", good, "-weights", "resnet-imagenet"}, "resnet-imagenet"},
		{"output under a file", []string{"-data", good, "-out", filepath.Join(aFile, "out")}, aFile},
		{"bad flag value", []string{"-data", good, "-schedule", "sometimes"}, "-schedule"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(root, "out-"+filepath.Base(t.Name()))
			args := append([]string{"-model", "lenet5", "-epochs", "1", "-workers", "2", "-quiet", "-out", out}, tc.args...)
			code, stdout, stderr := invoke(t, context.Background(), args...)
			assert.NotEqual(t, 0, code, stdout)
			assert.Contains(t, stderr, tc.want)
			assert.NoDirExists(t, out, "bad input must leave no output")
		})
	}
}

func TestCorruptImagesAreSkippedAndCounted(t *testing.T) {
	root := t.TempDir()
	dir := makeFolder(t, filepath.Join(root, "data"), []string{"a", "b"}, 8, 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a", "broken.jpg"), []byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10}, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b", ".hidden.png"), []byte("x"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b", "README.md"), []byte("x"), 0o644))
	out := filepath.Join(root, "out")
	code, stdout, stderr := invoke(t, context.Background(), append([]string{"-data", dir, "-out", out}, fast...)...)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "broken.jpg")
	assert.NotContains(t, stderr, "README.md")
	assert.Contains(t, stdout, "1 unreadable image(s) were skipped")
	mf, err := readModel(out)
	require.NoError(t, err)
	assert.Equal(t, 1, mf.Metrics.Skipped)
	assert.Equal(t, 16, mf.Metrics.TrainImages+mf.Metrics.ValImages)
}

// pngHeader is the start of a PNG claiming the given size: enough for the
// size check, which must refuse it before decoding.
func pngHeader(w, h uint32) []byte {
	chunk := []byte("IHDR")
	chunk = binary.BigEndian.AppendUint32(chunk, w)
	chunk = binary.BigEndian.AppendUint32(chunk, h)
	chunk = append(chunk, 8, 0, 0, 0, 0)
	b := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d"), chunk...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(chunk))
}
