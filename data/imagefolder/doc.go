// Package imagefolder reads a folder of images with one subfolder per
// class, the layout of torchvision's ImageFolder, as a data.Dataset:
//
//	photos/
//	    cat/  1.jpg  2.png  more/3.jpg
//	    dog/  a.jpg  b.webp
//
// Class names are the subfolder names, sorted (by bytes, so any Unicode
// and spaces are fine); label k is the k-th name. The images of a class are
// every image file anywhere below its folder (symbolic links followed), in
// torchvision's order: folders sorted by path, files sorted by name.
//
// # Files
//
// JPEG, PNG, GIF (first frame), BMP, WebP and TIFF files are read. A file
// is taken for an image by its extension (.jpg .jpeg .jpe .jfif .png .gif
// .bmp .dib .webp .tif .tiff, any case) and decoded according to its
// content, so a PNG named .jpg is read as PNG. Other files are left out and
// reported by Folder.Skipped, in two groups:
//
//   - ignored, as expected: hidden files and folders (a leading ".", and
//     macOS's __MACOSX), non-image files, images outside class folders;
//   - skipped with a warning, or an error if Options.Strict: corrupt and
//     truncated images (including files that are not images at all, such
//     as a web page saved as .jpg), unsupported formats (HEIC, PPM, …),
//     images larger than Options.MaxPixels, unreadable files.
//
// Hidden folders are never classes; torchvision would make
// .ipynb_checkpoints a class.
//
// Every image becomes a float32 sample in [0,1] (8-bit values v as v/255,
// like torchvision's ToTensor; 16-bit values as v/65535) with
// Options.Channels channels, see Options for the colour conversions. The
// EXIF orientation of JPEG and TIFF files is applied, so photos taken with
// a turned camera are upright; torchvision's loader ignores it.
//
// # Safety and cost
//
// Images are untrusted input. The width and height in each file's header
// are checked against Options.MaxPixels before anything is decoded, and
// decoder panics become errors. Open then decodes every image once, in
// parallel, to find damaged files before training starts (a damaged file
// found mid-epoch would stop a data.Loader); that costs about one epoch of
// decoding, and the decoded images fill the in-memory cache so the work is
// not lost. Options.Lazy checks headers only, for folders too large for
// that.
//
// # Errors
//
// Open fails with a one-line message that names the folder or file and
// says what to do: a missing or empty folder, images without class
// subfolders, a single class, a class folder without images (or with only
// unusable ones), classes that differ from Options.Classes, and, in Strict
// mode, the first unusable image.
//
// # Preprocessing
//
// Get returns images at their own size; resize them with transforms of
// package data. EvalTransform is torchvision's evaluation recipe
// (resize the shorter side, centre crop, normalize).
package imagefolder
