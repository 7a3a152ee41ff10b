package imagefolder

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Reason says why Open left a file or folder out.
type Reason int

const (
	// Hidden: a name starting with "." (e.g. .DS_Store, .ipynb_checkpoints)
	// or a __MACOSX archive folder. Ignored, never an error.
	Hidden Reason = iota + 1
	// NotImage: a file whose extension is not an image's (e.g. notes.txt,
	// Thumbs.db). Ignored, never an error.
	NotImage
	// OutsideClass: an image directly in the data folder, outside every
	// class folder, so it has no class. Ignored, never an error.
	OutsideClass
	// Unsupported: an image in a format or variant that cannot be decoded
	// (e.g. HEIC, PPM, a 4-bit BMP). Skipped with a warning; an error in
	// Strict mode.
	Unsupported
	// Corrupt: a file with an image extension that fails to decode:
	// truncated, damaged, or not an image at all. Skipped with a warning; an
	// error in Strict mode.
	Corrupt
	// TooLarge: an image whose header declares more than Options.MaxPixels
	// pixels, refused before decoding. Skipped with a warning; an error in
	// Strict mode.
	TooLarge
	// Unreadable: a file that cannot be read (permissions, a broken
	// symbolic link, an I/O error). Skipped with a warning; an error in
	// Strict mode.
	Unreadable
)

var reasonNames = map[Reason]string{
	Hidden:       "hidden",
	NotImage:     "non-image",
	OutsideClass: "outside class folders",
	Unsupported:  "unsupported",
	Corrupt:      "corrupt",
	TooLarge:     "too large",
	Unreadable:   "unreadable",
}

// String returns a short lower-case name such as "corrupt".
func (r Reason) String() string {
	if s, ok := reasonNames[r]; ok {
		return s
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// Warning reports whether files left out for this reason are a problem the
// user should hear about (and an error in Strict mode), rather than files
// that are expected to be ignored.
func (r Reason) Warning() bool { return r >= Unsupported }

// Skip is a file or folder that Open left out.
type Skip struct {
	// Path is the file or folder, as Open saw it (joined to the data folder).
	Path   string
	Reason Reason
	// Detail says what is wrong, e.g. "truncated (the file ends early)".
	Detail string
}

// String returns "path: reason: detail".
func (s Skip) String() string {
	if s.Detail == "" {
		return showPath(s.Path) + ": " + s.Reason.String()
	}
	return showPath(s.Path) + ": " + s.Reason.String() + ": " + s.Detail
}

// Advice says what to do about a file skipped with a warning, e.g.
// "replace or remove it"; it is empty for files ignored as expected.
func (s Skip) Advice() string {
	switch s.Reason {
	case Unsupported:
		return "convert it to " + supportedList + ", or remove it"
	case TooLarge:
		return "downscale it, raise Options.MaxPixels, or remove it"
	case Unreadable:
		return "check its permissions, or remove it"
	case Corrupt:
		return "replace or remove it"
	}
	return ""
}

// showPath returns a path for a one-line message: as it is, or quoted if
// it holds control characters such as a newline.
func showPath(p string) string {
	if strings.ContainsFunc(p, unicode.IsControl) {
		return strconv.Quote(p)
	}
	return p
}

// countReasons formats the counts of skips by reason, warnings or not,
// e.g. "2 corrupt, 1 too large".
func countReasons(skips []Skip, warnings bool) string {
	counts := map[Reason]int{}
	for _, s := range skips {
		if s.Reason.Warning() == warnings {
			counts[s.Reason]++
		}
	}
	var parts []string
	for r := Hidden; r <= Unreadable; r++ {
		if n := counts[r]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, r))
		}
	}
	return strings.Join(parts, ", ")
}
