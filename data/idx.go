package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// IDX magic numbers: two zero bytes, the element type (0x08 = unsigned byte)
// and the number of dimensions.
const (
	idxMagicImages = 0x00000803
	idxMagicLabels = 0x00000801
	idxTypeUbyte   = 0x08
)

// Limits on what an IDX header may declare. They are checked before any
// allocation, so a corrupt or hostile header cannot make the reader allocate
// gigabytes; they are far above any real IDX dataset (MNIST's training set is
// 60000 images of 28×28 = 47 MB).
const (
	// MaxIDXItems is the most images or labels an IDX file may hold.
	MaxIDXItems = 1 << 24
	// MaxIDXSide is the largest image height or width an IDX file may hold.
	MaxIDXSide = 1 << 12
	// MaxIDXBytes is the largest pixel payload an IDX file may hold (2 GiB).
	MaxIDXBytes = 1 << 31
)

// idxReadStep is how much payload is allocated before data has arrived.
// The buffer then grows as data is actually read, so a truncated file whose
// header declares a large size costs at most about twice what it contains.
const idxReadStep = 16 << 20

// IDXImages is the content of an IDX image file: Count grayscale images of
// Rows×Cols unsigned bytes, stored one after the other, row-major.
type IDXImages struct {
	Count, Rows, Cols int
	Pixels            []uint8 // len Count*Rows*Cols
}

// image returns the pixels of image i, a sub-slice of Pixels; the caller
// checks the range.
func (im *IDXImages) image(i int) []uint8 {
	n := im.Rows * im.Cols
	return im.Pixels[i*n : (i+1)*n : (i+1)*n]
}

// ReadIDXImages reads an IDX image file (magic 0x00000803: unsigned bytes,
// three dimensions). The stream may be raw or gzip-compressed; gzip is
// recognized by its magic bytes. The header is checked against MaxIDXItems,
// MaxIDXSide and MaxIDXBytes before the payload is allocated, and the stream
// must end exactly after the declared payload (for gzip this also verifies
// the checksum). If r has a Name method (as *os.File does), errors name it.
func ReadIDXImages(r io.Reader) (*IDXImages, error) {
	name := streamName(r)
	dr, err := decompress(r, name)
	if err != nil {
		return nil, err
	}
	dims, err := readIDXHeader(dr, name, idxMagicImages)
	if err != nil {
		return nil, err
	}
	if dims[0] > MaxIDXItems {
		return nil, fmt.Errorf("data: %s: IDX header declares %d images, more than the limit of %d; the file is corrupt or not an image file", name, dims[0], MaxIDXItems)
	}
	if dims[1] < 1 || dims[2] < 1 || dims[1] > MaxIDXSide || dims[2] > MaxIDXSide {
		return nil, fmt.Errorf("data: %s: IDX header declares images of %d×%d; each side must be in [1, %d]", name, dims[1], dims[2], MaxIDXSide)
	}
	count, rows, cols := int(dims[0]), int(dims[1]), int(dims[2])
	// count ≤ 2^24 and rows*cols ≤ 2^24, so the product fits in an int64.
	size := int64(count) * int64(rows) * int64(cols)
	if size > MaxIDXBytes {
		return nil, fmt.Errorf("data: %s: IDX header declares %d images of %d×%d = %d bytes, more than the limit of %d", name, count, rows, cols, size, int64(MaxIDXBytes))
	}
	pixels, err := readIDXPayload(dr, int(size), name, "pixel")
	if err != nil {
		return nil, err
	}
	return &IDXImages{Count: count, Rows: rows, Cols: cols, Pixels: pixels}, nil
}

// ReadIDXLabels reads an IDX label file (magic 0x00000801: unsigned bytes,
// one dimension), raw or gzip, with the same checks as ReadIDXImages.
func ReadIDXLabels(r io.Reader) ([]uint8, error) {
	name := streamName(r)
	dr, err := decompress(r, name)
	if err != nil {
		return nil, err
	}
	dims, err := readIDXHeader(dr, name, idxMagicLabels)
	if err != nil {
		return nil, err
	}
	if dims[0] > MaxIDXItems {
		return nil, fmt.Errorf("data: %s: IDX header declares %d labels, more than the limit of %d; the file is corrupt or not a label file", name, dims[0], MaxIDXItems)
	}
	return readIDXPayload(dr, int(dims[0]), name, "label")
}

// WriteIDXImages writes im as a raw IDX image file. Wrap w in a gzip.Writer
// for a .gz file. It refuses images that ReadIDXImages would refuse.
func WriteIDXImages(w io.Writer, im *IDXImages) error {
	if im == nil {
		return errors.New("data: WriteIDXImages: nil images")
	}
	if im.Count < 0 || im.Count > MaxIDXItems || im.Rows < 1 || im.Cols < 1 || im.Rows > MaxIDXSide || im.Cols > MaxIDXSide {
		return fmt.Errorf("data: WriteIDXImages: %d images of %d×%d are outside the IDX limits (count ≤ %d, sides in [1, %d])", im.Count, im.Rows, im.Cols, MaxIDXItems, MaxIDXSide)
	}
	if size := int64(im.Count) * int64(im.Rows) * int64(im.Cols); size != int64(len(im.Pixels)) || size > MaxIDXBytes {
		return fmt.Errorf("data: WriteIDXImages: %d images of %d×%d need %d pixels (at most %d), have %d", im.Count, im.Rows, im.Cols, size, int64(MaxIDXBytes), len(im.Pixels))
	}
	var hdr [16]byte
	binary.BigEndian.PutUint32(hdr[0:], idxMagicImages)
	binary.BigEndian.PutUint32(hdr[4:], uint32(im.Count))
	binary.BigEndian.PutUint32(hdr[8:], uint32(im.Rows))
	binary.BigEndian.PutUint32(hdr[12:], uint32(im.Cols))
	if _, err := w.Write(hdr[:]); err != nil {
		return fmt.Errorf("data: WriteIDXImages: writing header: %w", err)
	}
	if _, err := w.Write(im.Pixels); err != nil {
		return fmt.Errorf("data: WriteIDXImages: writing pixels: %w", err)
	}
	return nil
}

// WriteIDXLabels writes labels as a raw IDX label file.
func WriteIDXLabels(w io.Writer, labels []uint8) error {
	if len(labels) > MaxIDXItems {
		return fmt.Errorf("data: WriteIDXLabels: %d labels exceed the IDX limit of %d", len(labels), MaxIDXItems)
	}
	var hdr [8]byte
	binary.BigEndian.PutUint32(hdr[0:], idxMagicLabels)
	binary.BigEndian.PutUint32(hdr[4:], uint32(len(labels)))
	if _, err := w.Write(hdr[:]); err != nil {
		return fmt.Errorf("data: WriteIDXLabels: writing header: %w", err)
	}
	if _, err := w.Write(labels); err != nil {
		return fmt.Errorf("data: WriteIDXLabels: writing labels: %w", err)
	}
	return nil
}

// streamName is what errors call r: its Name() if it has one (*os.File).
func streamName(r io.Reader) string {
	if n, ok := r.(interface{ Name() string }); ok && n.Name() != "" {
		return n.Name()
	}
	return "IDX stream"
}

// decompress returns r itself or a gzip reader over it, by magic bytes
// (IDX starts with 00 00, gzip with 1f 8b, so the two cannot be confused).
func decompress(r io.Reader, name string) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(2) // a short stream falls through to the header check
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("data: %s: bad gzip header: %w", name, err)
		}
		return zr, nil
	}
	return br, nil
}

// readIDXHeader reads and checks the magic number, then reads the
// dimensions it announces. The caller checks them against the limits while
// they are still uint32, so no conversion can overflow.
func readIDXHeader(r io.Reader, name string, want uint32) ([]uint32, error) {
	kind := map[uint32]string{idxMagicImages: "image", idxMagicLabels: "label"}[want]
	var m [4]byte
	if _, err := io.ReadFull(r, m[:]); err != nil {
		return nil, readErr(err, name, "IDX magic number")
	}
	if m[0] != 0 || m[1] != 0 {
		return nil, fmt.Errorf("data: %s: not an IDX file: starts with % x, want 00 00 %02x %02x (%s file)", name, m[:], byte(want>>8), byte(want), kind)
	}
	if m[2] != idxTypeUbyte {
		return nil, fmt.Errorf("data: %s: IDX element type 0x%02x is not supported; only 0x08 (unsigned byte) is", name, m[2])
	}
	if got := binary.BigEndian.Uint32(m[:]); got != want {
		return nil, fmt.Errorf("data: %s: IDX file has %d dimensions, want %d for a %s file; were the image and label files swapped?", name, m[3], byte(want), kind)
	}
	buf := make([]byte, 4*int(m[3]))
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, readErr(err, name, "IDX dimensions")
	}
	dims := make([]uint32, m[3])
	for i := range dims {
		dims[i] = binary.BigEndian.Uint32(buf[4*i:])
	}
	return dims, nil
}

// readIDXPayload reads exactly n bytes and then requires the end of the
// stream. Reading to the end is what makes gzip verify its checksum.
func readIDXPayload(r io.Reader, n int, name, what string) ([]byte, error) {
	buf := make([]byte, 0, min(n, idxReadStep))
	for len(buf) < n {
		if len(buf) == cap(buf) {
			// Grow with the data actually present: doubling, at most to n.
			buf = slices.Grow(buf, min(n-len(buf), cap(buf)))
		}
		end := min(cap(buf), n)
		got, err := io.ReadFull(r, buf[len(buf):end])
		buf = buf[:len(buf)+got]
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil, fmt.Errorf("data: %s: truncated: the header declares %d %s bytes but the file holds only %d", name, n, what, len(buf))
			}
			return nil, fmt.Errorf("data: %s: reading %s bytes: %w", name, what, err)
		}
	}
	var one [1]byte
	got, err := io.ReadFull(r, one[:])
	if got > 0 {
		return nil, fmt.Errorf("data: %s: data continues after the %d %s bytes the header declares; the file is corrupt or its header is wrong", name, n, what)
	}
	if err == io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("data: %s: truncated after the %s bytes: the gzip stream is cut short", name, what)
	}
	if err != io.EOF {
		if err != nil {
			return nil, fmt.Errorf("data: %s: after the %s bytes: %w", name, what, err)
		}
		return nil, nil
	}
	return buf, nil
}

func readErr(err error, name, what string) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("data: %s: truncated %s: the file is empty or cut short", name, what)
	}
	if err != nil {
		return fmt.Errorf("data: %s: reading %s: %w", name, what, err)
	}
	return nil
}
