package imagefolder

import (
	"bytes"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"path/filepath"
	"strings"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// format is an image file format this package decodes.
type format struct {
	name         string
	magic        func(head []byte) bool
	decodeConfig func(io.Reader) (image.Config, error)
	decode       func(io.Reader) (image.Image, error)
}

// formats are tried in order on a file's first bytes. The decoders are
// called directly, not through image.Decode, so that what is accepted does
// not depend on which formats other packages register.
var formats = []format{
	{"JPEG", func(h []byte) bool { return bytes.HasPrefix(h, []byte("\xff\xd8\xff")) }, jpeg.DecodeConfig, jpeg.Decode},
	{"PNG", func(h []byte) bool { return bytes.HasPrefix(h, []byte("\x89PNG\r\n\x1a\n")) }, png.DecodeConfig, png.Decode},
	{"GIF", func(h []byte) bool {
		return bytes.HasPrefix(h, []byte("GIF87a")) || bytes.HasPrefix(h, []byte("GIF89a"))
	}, gif.DecodeConfig, gif.Decode},
	{"BMP", func(h []byte) bool { return bytes.HasPrefix(h, []byte("BM")) }, bmp.DecodeConfig, bmp.Decode},
	{"WebP", func(h []byte) bool {
		return len(h) >= 15 && string(h[:4]) == "RIFF" && string(h[8:15]) == "WEBPVP8"
	}, webp.DecodeConfig, webp.Decode},
	{"TIFF", func(h []byte) bool {
		return bytes.HasPrefix(h, []byte("II*\x00")) || bytes.HasPrefix(h, []byte("MM\x00*"))
	}, tiff.DecodeConfig, tiff.Decode},
}

// sniffLen is how many leading bytes sniff needs.
const sniffLen = 16

// sniff returns the format whose signature starts head, or nil.
func sniff(head []byte) *format {
	for i := range formats {
		if formats[i].magic(head) {
			return &formats[i]
		}
	}
	return nil
}

// imageExts are the extensions (lower case) of files that are decoded.
// torchvision's list without .ppm and .pgm (no Go decoder), plus GIF and the
// rarer JPEG spellings. The content decides the decoder: a PNG named .jpg
// is read as PNG, as Pillow would.
var imageExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".jpe": true, ".jfif": true,
	".png": true, ".gif": true, ".bmp": true, ".dib": true,
	".webp": true, ".tif": true, ".tiff": true,
}

// unsupportedExts are image formats that are recognised but not decoded;
// such files are reported (Unsupported) rather than silently ignored, since
// they are usually meant as training data.
var unsupportedExts = map[string]string{
	".heic": "HEIC", ".heif": "HEIF", ".avif": "AVIF", ".jxl": "JPEG XL",
	".jp2": "JPEG 2000", ".j2k": "JPEG 2000", ".ppm": "PPM", ".pgm": "PGM",
	".pbm": "PBM", ".pnm": "PNM", ".ico": "ICO", ".svg": "SVG", ".psd": "PSD",
	".dng": "DNG raw", ".cr2": "CR2 raw", ".nef": "NEF raw", ".arw": "ARW raw",
}

// supportedList is for messages.
const supportedList = "JPEG, PNG, GIF, BMP, WebP or TIFF"

// classify returns how a file name is treated: as an image, as an image
// format that is not supported (with its name), or as a non-image file.
func classify(name string) (isImage bool, unsupported string) {
	ext := strings.ToLower(filepath.Ext(name))
	if imageExts[ext] {
		return true, ""
	}
	return false, unsupportedExts[ext]
}

// isHidden reports whether a file or folder name is hidden: dot files, and
// the __MACOSX folder that macOS puts into zip archives (full of "._" files
// that are not images).
func isHidden(name string) bool {
	return strings.HasPrefix(name, ".") || name == "__MACOSX"
}
