package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomIDX returns count seeded random images of rows×cols with labels.
func randomIDX(count, rows, cols int, seed uint64) (*IDXImages, []uint8) {
	rng := rand.New(rand.NewPCG(seed, 1))
	im := &IDXImages{Count: count, Rows: rows, Cols: cols, Pixels: make([]uint8, count*rows*cols)}
	for i := range im.Pixels {
		im.Pixels[i] = uint8(rng.IntN(256))
	}
	labels := make([]uint8, count)
	for i := range labels {
		labels[i] = uint8(rng.IntN(10))
	}
	return im, labels
}

func gzipBytes(t testing.TB, raw []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(raw)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func idxBytes(t testing.TB, im *IDXImages, labels []uint8) (imgs, lbls []byte) {
	var a, b bytes.Buffer
	require.NoError(t, WriteIDXImages(&a, im))
	require.NoError(t, WriteIDXLabels(&b, labels))
	return a.Bytes(), b.Bytes()
}

func TestIDXRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name              string
		count, rows, cols int
		gzip, file        bool
	}{
		{"raw", 5, 3, 4, false, false},
		{"gzip", 5, 3, 4, true, false},
		{"raw file", 7, 28, 28, false, true},
		{"gzip file", 7, 28, 28, true, true},
		{"empty", 0, 28, 28, false, false},
		{"large gzip", 300, 64, 64, true, false}, // more than one bufio fill
	} {
		t.Run(tc.name, func(t *testing.T) {
			im, labels := randomIDX(tc.count, tc.rows, tc.cols, 42)
			ib, lb := idxBytes(t, im, labels)
			if tc.gzip {
				ib, lb = gzipBytes(t, ib), gzipBytes(t, lb)
			}
			var gotIm *IDXImages
			var gotLb []uint8
			var err error
			if tc.file {
				dir := t.TempDir()
				require.NoError(t, os.WriteFile(filepath.Join(dir, "i"), ib, 0o644))
				require.NoError(t, os.WriteFile(filepath.Join(dir, "l"), lb, 0o644))
				f, err := os.Open(filepath.Join(dir, "i"))
				require.NoError(t, err)
				defer f.Close()
				gotIm, err = ReadIDXImages(f)
				require.NoError(t, err)
				g, err := os.Open(filepath.Join(dir, "l"))
				require.NoError(t, err)
				defer g.Close()
				gotLb, err = ReadIDXLabels(g)
				require.NoError(t, err)
			} else {
				gotIm, err = ReadIDXImages(bytes.NewReader(ib))
				require.NoError(t, err)
				gotLb, err = ReadIDXLabels(bytes.NewReader(lb))
				require.NoError(t, err)
			}
			assert.Equal(t, im.Count, gotIm.Count)
			assert.Equal(t, im.Rows, gotIm.Rows)
			assert.Equal(t, im.Cols, gotIm.Cols)
			assert.Equal(t, im.Pixels, gotIm.Pixels)
			assert.Equal(t, labels, gotLb)
			if tc.count > 1 {
				assert.Equal(t, im.Pixels[tc.rows*tc.cols:2*tc.rows*tc.cols], gotIm.image(1))
			}
		})
	}
}

// TestIDXLiteral pins the byte format independently of WriteIDX*.
func TestIDXLiteral(t *testing.T) {
	imgs := []byte{0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255}
	im, err := ReadIDXImages(bytes.NewReader(imgs))
	require.NoError(t, err)
	assert.Equal(t, IDXImages{Count: 2, Rows: 1, Cols: 3, Pixels: []uint8{1, 2, 3, 4, 5, 255}}, *im)

	lbls := []byte{0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9}
	l, err := ReadIDXLabels(bytes.NewReader(lbls))
	require.NoError(t, err)
	assert.Equal(t, []uint8{7, 0, 9}, l)

	var buf bytes.Buffer
	require.NoError(t, WriteIDXImages(&buf, im))
	assert.Equal(t, imgs, buf.Bytes())
	buf.Reset()
	require.NoError(t, WriteIDXLabels(&buf, l))
	assert.Equal(t, lbls, buf.Bytes())
}

// header builds an IDX header: magic bytes and big-endian dimensions.
func header(magic [4]byte, dims ...uint32) []byte {
	b := append([]byte(nil), magic[:]...)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return b
}

func TestReadIDXImagesErrors(t *testing.T) {
	img := [4]byte{0, 0, 8, 3}
	valid := append(header(img, 2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8)
	gz := gzipBytes(t, valid)
	badCRC := append([]byte(nil), gz...)
	badCRC[len(badCRC)-6] ^= 0xff // inside the CRC-32 of the gzip trailer
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "truncated IDX magic"},
		{"short magic", []byte{0, 0}, "truncated IDX magic"},
		{"not IDX", []byte("PK\x03\x04zip file"), "not an IDX file"},
		{"labels as images", header([4]byte{0, 0, 8, 1}, 3), "1 dimensions, want 3"},
		{"float elements", header([4]byte{0, 0, 0x0d, 3}, 1, 1, 1), "element type 0x0d"},
		{"truncated dims", header(img, 2, 2)[:10], "truncated IDX dimensions"},
		{"too many images", header(img, 0xffffffff, 28, 28), "more than the limit"},
		{"zero rows", header(img, 1, 0, 28), "each side must be in"},
		{"huge side", header(img, 1, 28, 100000), "each side must be in"},
		{"too many bytes", header(img, MaxIDXItems, 4096, 4096), "more than the limit of 2147483648"},
		{"truncated pixels", valid[:len(valid)-3], "truncated: the header declares 8 pixel bytes but the file holds only 5"},
		{"trailing data", append(append([]byte(nil), valid...), 9), "data continues after"},
		{"gzip truncated", gz[:len(gz)-12], "truncated"},
		{"gzip bad checksum", badCRC, "checksum"},
		{"gzip bad header", []byte{0x1f, 0x8b, 0, 0}, "bad gzip header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im, err := ReadIDXImages(bytes.NewReader(tc.in))
			require.Error(t, err)
			assert.Nil(t, im)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestReadIDXLabelsErrors(t *testing.T) {
	lbl := [4]byte{0, 0, 8, 1}
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"images as labels", header([4]byte{0, 0, 8, 3}, 1, 1, 1), "3 dimensions, want 1"},
		{"too many labels", header(lbl, MaxIDXItems+1), "more than the limit"},
		{"truncated", append(header(lbl, 4), 1, 2), "declares 4 label bytes but the file holds only 2"},
		{"trailing", append(header(lbl, 1), 1, 2), "data continues after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadIDXLabels(bytes.NewReader(tc.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestIDXErrorNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken-idx3-ubyte")
	require.NoError(t, os.WriteFile(path, header([4]byte{0, 0, 8, 3}, 5, 28, 28), 0o644))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	_, err = ReadIDXImages(f)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "truncated")
}

// A header that declares 1.5 GB (within the limits) followed by a few bytes
// must fail as truncated without allocating the declared size.
func TestIDXTruncatedLargeHeaderAllocatesLittle(t *testing.T) {
	in := append(header([4]byte{0, 0, 8, 3}, 2_000_000, 28, 28), make([]byte, 100)...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadIDXImages(bytes.NewReader(in))
	runtime.ReadMemStats(&after)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "truncated")
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20), "bytes allocated for a 116-byte input")
}

func TestWriteIDXErrors(t *testing.T) {
	var buf bytes.Buffer
	assert.Error(t, WriteIDXImages(&buf, nil))
	assert.ErrorContains(t, WriteIDXImages(&buf, &IDXImages{Count: 2, Rows: 2, Cols: 2, Pixels: make([]uint8, 7)}), "need 8 pixels")
	assert.ErrorContains(t, WriteIDXImages(&buf, &IDXImages{Count: 1, Rows: 0, Cols: 2}), "outside the IDX limits")
	assert.ErrorContains(t, WriteIDXImages(&buf, &IDXImages{Count: -1, Rows: 1, Cols: 1}), "outside the IDX limits")
	assert.Zero(t, buf.Len(), "nothing is written for invalid input")
}
