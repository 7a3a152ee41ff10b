package imagefolder

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// maxFileBytes bounds the size of an image file that is read into memory;
// at Pillow's pixel limit even an uncompressed 16-bit RGB TIFF is smaller.
const maxFileBytes = 1 << 30

// fileError is why one image file cannot be used.
type fileError struct {
	path   string
	reason Reason
	detail string
}

func (e *fileError) Error() string { return showPath(e.path) + ": " + e.detail }

func (e *fileError) skip() Skip { return Skip{Path: e.path, Reason: e.reason, Detail: e.detail} }

// checkHeader reads just enough of the file at path to know its format and
// size, and checks the size against maxPixels. It is the cheap check of
// Options.Lazy.
func checkHeader(path string, maxPixels int64) (err error) {
	defer func() {
		if r := recover(); r != nil { // a decoder bug must not take the program down
			err = &fileError{path, Corrupt, fmt.Sprintf("the header decoder failed (%v)", r)}
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		return readError(path, err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	head, err := r.Peek(sniffLen)
	if err != nil && err != io.EOF {
		return readError(path, err)
	}
	_, _, err = header(path, head, r, maxPixels)
	return err
}

// load reads, checks and fully decodes the image at path, converts it to c
// channels and turns it upright.
func load(path string, c int, maxPixels int64) (p *pixels, err error) {
	defer func() {
		if r := recover(); r != nil { // a decoder bug must not take the program down
			p, err = nil, &fileError{path, Corrupt, fmt.Sprintf("the decoder failed (%v)", r)}
		}
	}()
	file, err := readFile(path)
	if err != nil {
		return nil, err
	}
	f, cfg, err := header(path, file, bytes.NewReader(file), maxPixels)
	if err != nil {
		return nil, err
	}
	m, err := f.decode(bytes.NewReader(file))
	if err != nil {
		return nil, decodeError(path, f, err)
	}
	b := m.Bounds()
	if b.Dx() < 1 || b.Dy() < 1 || int64(b.Dx())*int64(b.Dy()) > int64(cfg.Width)*int64(cfg.Height) {
		return nil, &fileError{path, Corrupt, fmt.Sprintf("%s decoded to %d×%d pixels but its header says %d×%d", f.name, b.Dx(), b.Dy(), cfg.Width, cfg.Height)}
	}
	p = toPixels(m, c, f.name == "WebP")
	switch f.name {
	case "JPEG":
		p = p.orient(jpegOrientation(file))
	case "TIFF":
		p = p.orient(tiffOrientation(file))
	}
	return p, nil
}

// readFile reads a whole image file, refusing files over maxFileBytes.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, readError(path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, readError(path, err)
	}
	if st.Size() > maxFileBytes {
		return nil, &fileError{path, TooLarge, fmt.Sprintf("the file is %d MiB, over the %d MiB limit for an image file", st.Size()>>20, maxFileBytes>>20)}
	}
	// Read at most one byte past the limit, in case the file grew.
	file, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, readError(path, err)
	}
	return file, nil
}

// header sniffs the format from head (the file's first bytes), decodes the
// header from r and checks the declared size.
func header(path string, head []byte, r io.Reader, maxPixels int64) (*format, image.Config, error) {
	if len(head) == 0 {
		return nil, image.Config{}, &fileError{path, Corrupt, "the file is empty"}
	}
	f := sniff(head)
	if f == nil {
		return nil, image.Config{}, &fileError{path, Corrupt, fmt.Sprintf("not a %s image: its content starts with %s", supportedList, quoteHead(head))}
	}
	cfg, err := f.decodeConfig(r)
	if err != nil {
		return nil, cfg, decodeError(path, f, err)
	}
	if cfg.Width < 1 || cfg.Height < 1 {
		return nil, cfg, &fileError{path, Corrupt, fmt.Sprintf("%s header declares %d×%d pixels", f.name, cfg.Width, cfg.Height)}
	}
	if n := int64(cfg.Width) * int64(cfg.Height); n > maxPixels {
		return nil, cfg, &fileError{path, TooLarge, fmt.Sprintf("%s of %d×%d = %d pixels exceeds the limit of %d pixels", f.name, cfg.Width, cfg.Height, n, maxPixels)}
	}
	return f, cfg, nil
}

// decodeError classifies a decoder's error.
func decodeError(path string, f *format, err error) *fileError {
	var (
		jpegUnsup jpeg.UnsupportedError
		pngUnsup  png.UnsupportedError
		tiffUnsup tiff.UnsupportedError
	)
	msg := err.Error()
	switch {
	// Some decoders format the cause into their message (%v), so the text
	// is checked too.
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || strings.HasSuffix(msg, io.ErrUnexpectedEOF.Error()):
		return &fileError{path, Corrupt, fmt.Sprintf("truncated %s: the file ends early (%v)", f.name, err)}
	case strings.Contains(msg, "not enough pixel data"): // PNG's word for a short image stream
		return &fileError{path, Corrupt, fmt.Sprintf("truncated or damaged %s: the image data ends early (%v)", f.name, err)}
	case errors.As(err, &jpegUnsup), errors.As(err, &pngUnsup), errors.As(err, &tiffUnsup), errors.Is(err, bmp.ErrUnsupported):
		return &fileError{path, Unsupported, fmt.Sprintf("%s variant not supported by the decoder (%v)", f.name, err)}
	}
	return &fileError{path, Corrupt, fmt.Sprintf("corrupt %s: %v", f.name, err)}
}

// readError classifies an error opening or reading a file.
func readError(path string, err error) *fileError {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return &fileError{path, Unreadable, "permission denied"}
	case errors.Is(err, fs.ErrNotExist):
		return &fileError{path, Unreadable, "it does not exist (a broken link, or removed while reading)"}
	}
	return &fileError{path, Unreadable, err.Error()}
}

// quoteHead quotes the first bytes of a file for a message, e.g.
// "<!DOCTYPE" for a web page saved under an image name.
func quoteHead(head []byte) string {
	if len(head) > 8 {
		head = head[:8]
	}
	return strconv.QuoteToASCII(string(head))
}
