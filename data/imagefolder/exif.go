package imagefolder

import "encoding/binary"

// orientationTag is the EXIF/TIFF Orientation tag: 1 is upright, 2–8 say
// how the stored pixels must be flipped or turned to be seen upright.
const orientationTag = 0x0112

// jpegOrientation returns the EXIF orientation of a JPEG file (1–8), or 1
// if it has none or its EXIF data is damaged: cameras store photos as the
// sensor saw them and record the camera's rotation here. Only the markers
// before the image data are read.
func jpegOrientation(file []byte) int {
	if len(file) < 4 || file[0] != 0xff || file[1] != 0xd8 {
		return 1
	}
	p := 2
	for p+4 <= len(file) {
		if file[p] != 0xff {
			return 1 // not at a marker: damaged, give up quietly
		}
		marker := file[p+1]
		switch {
		case marker == 0xff: // fill byte
			p++
			continue
		case marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7):
			p += 2 // markers without a length
			continue
		case marker == 0xda || marker == 0xd9: // start of scan, end of image
			return 1
		}
		n := int(binary.BigEndian.Uint16(file[p+2:])) // includes its own 2 bytes
		if n < 2 || p+2+n > len(file) {
			return 1
		}
		seg := file[p+4 : p+2+n]
		if marker == 0xe1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			// A file may hold other APP1 segments (XMP); the first Exif
			// one counts, as in Pillow.
			return tiffOrientation(seg[6:])
		}
		p += 2 + n
	}
	return 1
}

// tiffOrientation returns the Orientation tag of the first IFD of a TIFF
// structure (a TIFF file, or the body of an EXIF segment), or 1 if absent
// or invalid.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	ifd := uint64(bo.Uint32(t[4:]))
	if ifd+2 > uint64(len(t)) {
		return 1
	}
	n := uint64(bo.Uint16(t[ifd:]))
	for k := range n {
		e := ifd + 2 + 12*k
		if e+12 > uint64(len(t)) {
			return 1
		}
		if bo.Uint16(t[e:]) != orientationTag {
			continue
		}
		var v uint32
		switch typ, count := bo.Uint16(t[e+2:]), bo.Uint32(t[e+4:]); {
		case count != 1:
			return 1
		case typ == 3: // SHORT, left-justified in the value field
			v = uint32(bo.Uint16(t[e+8:]))
		case typ == 4: // LONG, written by some tools
			v = bo.Uint32(t[e+8:])
		default:
			return 1
		}
		if v < 1 || v > 8 {
			return 1
		}
		return int(v)
	}
	return 1
}
