package pth

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// zipSource reads storages from <prefix>data/<key> entries.
type zipSource struct {
	prefix    string
	entries   map[string]*zip.File
	size      int64 // of the archive
	bigEndian bool
}

// readZip reads the pickle of a zip-format checkpoint (torch.save since
// PyTorch 1.6): <folder>/data.pkl, with storages in <folder>/data/<key>.
func (l *loader) readZip(r io.ReaderAt, size int64) (interface{}, storageSource, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the zip archive (truncated or corrupt file?): %w", err)
	}
	if max := l.lim.maxTensors() + 16; len(zr.File) > max {
		return nil, nil, fmt.Errorf("zip archive has %d entries, more than the limit of %d (Limits.MaxTensors)", len(zr.File), max)
	}
	entries := make(map[string]*zip.File, len(zr.File))
	var prefixes []string
	for _, f := range zr.File {
		if _, dup := entries[f.Name]; dup {
			return nil, nil, fmt.Errorf("zip entry %q appears twice (corrupt file?)", f.Name)
		}
		entries[f.Name] = f
		// The folder's name varies (the file's stem, or "archive" when
		// saved to a buffer); data.pkl sits directly in it.
		if dir, ok := strings.CutSuffix(f.Name, "/data.pkl"); ok && dir != "" && !strings.Contains(dir, "/") {
			prefixes = append(prefixes, dir+"/")
		}
	}
	if len(prefixes) != 1 {
		return nil, nil, fmt.Errorf("zip archive has %d <folder>/data.pkl entries, expected 1: not a torch.save checkpoint", len(prefixes))
	}
	src := &zipSource{prefix: prefixes[0], entries: entries, size: size}
	if _, ok := entries[src.prefix+"constants.pkl"]; ok {
		return nil, nil, errors.New("this is a TorchScript archive (torch.jit.save), not a state dict: save model.state_dict() with torch.save")
	}
	if f, ok := entries[src.prefix+"byteorder"]; ok {
		order, err := readSmall(f, 16)
		if err != nil {
			return nil, nil, fmt.Errorf("reading byteorder: %w", err)
		}
		switch order {
		case "little":
		case "big":
			src.bigEndian = true
		default:
			return nil, nil, fmt.Errorf("byteorder entry says %q, expected little or big", order)
		}
	}
	f := entries[src.prefix+"data.pkl"]
	if f.UncompressedSize64 > uint64(l.lim.maxPickleBytes()) {
		return nil, nil, fmt.Errorf("data.pkl has %d bytes, more than the limit of %d (Limits.MaxPickleBytes)", f.UncompressedSize64, l.lim.maxPickleBytes())
	}
	rc, err := f.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("opening data.pkl: %w", err)
	}
	defer rc.Close()
	n := int64(f.UncompressedSize64)
	p, err := scanPickle(bufio.NewReader(io.LimitReader(rc, n)), n, l.lim)
	if err != nil {
		return nil, nil, fmt.Errorf("data.pkl: %w", err)
	}
	obj, err := l.unpickle(p, l.zipPersistent)
	if err != nil {
		return nil, nil, fmt.Errorf("data.pkl: %w", err)
	}
	return obj, src, nil
}

func (z *zipSource) load(st *storage) ([]byte, error) {
	name := z.prefix + "data/" + st.key
	f, ok := z.entries[name]
	if !ok {
		return nil, fmt.Errorf("entry %s is missing from the archive (corrupt file?)", name)
	}
	need := st.nbytes()
	if f.UncompressedSize64 < uint64(need) {
		return nil, fmt.Errorf("entry %s has %d bytes, %d elements of %s need %d (corrupt file?)", name, f.UncompressedSize64, st.numel, st.typ.name, need)
	}
	// An uncompressed entry (torch.save writes no other) whose bytes lie
	// inside the file can be read into a buffer allocated at once.
	present := false
	if f.Method == zip.Store && f.CompressedSize64 >= uint64(need) {
		if off, err := f.DataOffset(); err == nil && off >= 0 && off <= z.size-need {
			present = true
		}
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", name, err)
	}
	defer rc.Close()
	data, err := readStorage(rc, st, present)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if z.bigEndian {
		swapBytes(data, st.typ.size)
	}
	return data, nil
}

// readSmall reads a short text entry.
func readSmall(f *zip.File, max int64) (string, error) {
	if f.UncompressedSize64 > uint64(max) {
		return "", fmt.Errorf("%s has %d bytes, expected at most %d", f.Name, f.UncompressedSize64, max)
	}
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, max))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}
