package imagefolder

import (
	"fmt"
	"image/color"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gradientFolder holds n 8×8 (64-pixel) images in each of two classes.
func gradientFolder(t *testing.T, n int) string {
	files := map[string][]byte{}
	for k := range 2 * n {
		files[fmt.Sprintf("%c/%02d.png", 'a'+k/n, k)] = encPNG(t, solid(8, 8, color.NRGBA{uint8(10 * k), uint8(255 - 10*k), 7, 255}))
	}
	return writeTree(t, files)
}

func TestCache(t *testing.T) {
	root := gradientFolder(t, 3)
	const perImage = 3 * 8 * 8 // bytes of one cached RGB image

	f, err := Open(root, Options{})
	require.NoError(t, err)
	n, b := f.Cached()
	assert.Equal(t, 6, n, "the verifying decode at Open fills the cache")
	assert.Equal(t, int64(6*perImage), b)

	uncached, err := Open(root, Options{CacheBytes: -1})
	require.NoError(t, err)
	n, _ = uncached.Cached()
	assert.Zero(t, n)
	for i := range f.Len() {
		s1, err := f.Get(i)
		require.NoError(t, err)
		s2, err := uncached.Get(i)
		require.NoError(t, err)
		assert.Equal(t, s2, s1, "a cached image is the decoded image")
		s1.Image[0] = -1 // the caller owns the sample
		s3, _ := f.Get(i)
		assert.NotEqual(t, float32(-1), s3.Image[0])
	}
	n, _ = uncached.Cached()
	assert.Zero(t, n)

	small, err := Open(root, Options{CacheBytes: 2*perImage + 10, Workers: 1})
	require.NoError(t, err)
	n, b = small.Cached()
	assert.Equal(t, 2, n, "filled until the budget is reached")
	assert.Equal(t, int64(2*perImage), b)
	for i := range small.Len() {
		_, err := small.Get(i)
		require.NoError(t, err)
	}
	n, _ = small.Cached()
	assert.Equal(t, 2, n, "never over budget")

	lazy, err := Open(root, Options{Lazy: true, Channels: 1})
	require.NoError(t, err)
	n, _ = lazy.Cached()
	assert.Zero(t, n)
	_, err = lazy.Get(4)
	require.NoError(t, err)
	n, b = lazy.Cached()
	assert.Equal(t, 1, n, "Lazy fills the cache on first use")
	assert.Equal(t, int64(64), b, "one gray channel")
}

func TestConcurrentGet(t *testing.T) {
	root := gradientFolder(t, 8)
	f, err := Open(root, Options{Lazy: true, CacheBytes: 5 * 3 * 64})
	require.NoError(t, err)
	want := make([]float32, f.Len())
	for i := range want {
		want[i] = float32(uint8(10*i)) / 255
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 3 * f.Len() {
				i := (r*7 + g) % f.Len()
				s, err := f.Get(i)
				if err == nil && s.Image[0] != want[i] {
					err = fmt.Errorf("sample %d: red %v, want %v", i, s.Image[0], want[i])
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	n, b := f.Cached()
	assert.Equal(t, 5, n)
	assert.Equal(t, int64(5*3*64), b)
}
