package pth

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// argKind says how an opcode's argument is laid out in the stream.
type argKind uint8

const (
	argNone       argKind = iota
	argFixed              // a fixed number of bytes (opInfo.n)
	argLine               // a decimal number, a memo index: a short line
	argTextLine           // a protocol 0 string: a line
	argNameLines          // GLOBAL, INST: module and name lines, allow-listed
	argLen1               // 1-byte length, then data
	argLen4               // 4-byte unsigned length, then data
	argLen4Signed         // 4-byte signed length, then data (BINSTRING)
	argLen8               // 8-byte length, then data
	argLong1              // LONG1: 1-byte length, then a little-endian integer
	argLong4              // LONG4: 4-byte length, then a little-endian integer
	argFrame              // FRAME: 8-byte length of the frame that follows
	argProto              // PROTO: one byte, the protocol version
	argRefused            // opcodes no state dict uses and gopickle cannot serve
)

// opInfo describes one pickle opcode for the scan. cost estimates, in bytes,
// what the gopickle virtual machine allocates when it runs the opcode (a
// stack slot and boxing for every opcode, a new stack for MARK, the
// containers for EMPTY_DICT and friends, calls for REDUCE); data arguments
// add twice their length (the read buffer and the string made from it).
type opInfo struct {
	name string
	arg  argKind
	n    int
	cost int64
	// text is set for opcodes whose data is a string that STACK_GLOBAL
	// could use as a module name.
	text bool
}

const baseCost = 64

var opcodes [256]*opInfo

func init() {
	def := func(code byte, name string, arg argKind, n int, extra int64) *opInfo {
		op := &opInfo{name: name, arg: arg, n: n, cost: baseCost + extra}
		opcodes[code] = op
		return op
	}
	// Protocols 0 and 1.
	def('(', "MARK", argNone, 0, 320)
	def('.', "STOP", argNone, 0, 0)
	def('0', "POP", argNone, 0, 0)
	def('1', "POP_MARK", argNone, 0, 0)
	def('2', "DUP", argNone, 0, 0)
	def('F', "FLOAT", argLine, 0, 0)
	def('I', "INT", argLine, 0, 0)
	def('J', "BININT", argFixed, 4, 0)
	def('K', "BININT1", argFixed, 1, 0)
	def('L', "LONG", argLine, 0, 64)
	def('M', "BININT2", argFixed, 2, 0)
	def('N', "NONE", argNone, 0, 0)
	def('P', "PERSID", argTextLine, 0, 512)
	def('Q', "BINPERSID", argNone, 0, 512)
	def('R', "REDUCE", argNone, 0, 512)
	def('S', "STRING", argTextLine, 0, 0).text = true
	def('T', "BINSTRING", argLen4Signed, 0, 0).text = true
	def('U', "SHORT_BINSTRING", argLen1, 0, 0).text = true
	def('V', "UNICODE", argTextLine, 0, 0).text = true
	def('X', "BINUNICODE", argLen4, 0, 0).text = true
	def('a', "APPEND", argNone, 0, 32)
	def('b', "BUILD", argNone, 0, 128)
	def('c', "GLOBAL", argNameLines, 0, 64)
	def('d', "DICT", argNone, 0, 192)
	def('}', "EMPTY_DICT", argNone, 0, 192)
	def('e', "APPENDS", argNone, 0, 32)
	def('g', "GET", argLine, 0, 0)
	def('h', "BINGET", argFixed, 1, 0)
	def('i', "INST", argNameLines, 0, 512)
	def('j', "LONG_BINGET", argFixed, 4, 0)
	def('l', "LIST", argNone, 0, 128)
	def(']', "EMPTY_LIST", argNone, 0, 128)
	def('o', "OBJ", argNone, 0, 512)
	def('p', "PUT", argLine, 0, 96)
	def('q', "BINPUT", argFixed, 1, 96)
	def('r', "LONG_BINPUT", argFixed, 4, 96)
	def('s', "SETITEM", argNone, 0, 64)
	def('t', "TUPLE", argNone, 0, 64)
	def(')', "EMPTY_TUPLE", argNone, 0, 64)
	def('u', "SETITEMS", argNone, 0, 64)
	def('G', "BINFLOAT", argFixed, 8, 0)
	// Protocol 2.
	def(0x80, "PROTO", argProto, 1, 0)
	def(0x81, "NEWOBJ", argNone, 0, 512)
	def(0x82, "EXT1", argRefused, 0, 0)
	def(0x83, "EXT2", argRefused, 0, 0)
	def(0x84, "EXT4", argRefused, 0, 0)
	def(0x85, "TUPLE1", argNone, 0, 64)
	def(0x86, "TUPLE2", argNone, 0, 64)
	def(0x87, "TUPLE3", argNone, 0, 64)
	def(0x88, "NEWTRUE", argNone, 0, 0)
	def(0x89, "NEWFALSE", argNone, 0, 0)
	def(0x8a, "LONG1", argLong1, 0, 64)
	def(0x8b, "LONG4", argLong4, 0, 64)
	// Protocol 3.
	def('B', "BINBYTES", argLen4, 0, 0)
	def('C', "SHORT_BINBYTES", argLen1, 0, 0)
	// Protocol 4.
	def(0x8c, "SHORT_BINUNICODE", argLen1, 0, 0).text = true
	def(0x8d, "BINUNICODE8", argLen8, 0, 0).text = true
	def(0x8e, "BINBYTES8", argLen8, 0, 0)
	def(0x8f, "EMPTY_SET", argNone, 0, 256)
	def(0x90, "ADDITEMS", argNone, 0, 64)
	def(0x91, "FROZENSET", argNone, 0, 256)
	def(0x92, "NEWOBJ_EX", argNone, 0, 512)
	def(0x93, "STACK_GLOBAL", argNone, 0, 64)
	def(0x94, "MEMOIZE", argNone, 0, 96)
	def(0x95, "FRAME", argFrame, 8, 0)
	// Protocol 5.
	def(0x96, "BYTEARRAY8", argLen8, 0, 0)
	def(0x97, "NEXT_BUFFER", argRefused, 0, 0)
	def(0x98, "READONLY_BUFFER", argRefused, 0, 0)
}

const (
	maxNumberLine = 4096    // decimal numbers and memo indices
	maxNameLine   = 1024    // module and global names
	maxTextLine   = 1 << 20 // protocol 0 strings
	// maxLongBytes bounds LONG4 integers: gopickle decodes them in time
	// quadratic in their length, and no state dict holds one this long.
	maxLongBytes = 1024
)

// pickleReader is what the scan reads from.
type pickleReader interface {
	io.Reader
	io.ByteReader
}

// scanner walks one pickle without executing it.
type scanner struct {
	r       pickleReader
	out     bytes.Buffer
	max     int64 // bytes the pickle may span
	limited bool  // max comes from Limits, not from the end of the data
	cost    int64
	maxCost int64
	// stackGlobal and shadowed detect a STACK_GLOBAL that could reach the
	// few classes gopickle resolves itself, without asking FindClass.
	stackGlobal bool
	shadowed    string
}

// scanPickle reads one pickle from r, up to and including its STOP opcode,
// and returns its bytes. avail is the number of bytes r can deliver. No
// opcode is executed: the scan checks every length against the bytes that
// remain and against lim, estimates the memory the virtual machine will
// need, refuses opcodes that no state dict uses, and checks every global
// named in the stream against the allow-list. The gopickle virtual machine
// then runs on exactly these bytes, so none of its allocations can exceed
// what the scan accepted.
func scanPickle(r pickleReader, avail int64, lim Limits) ([]byte, error) {
	s := &scanner{r: r, max: avail, maxCost: lim.maxPickleMemory()}
	if m := lim.maxPickleBytes(); m < s.max {
		s.max, s.limited = m, true
	}
	for {
		pos := s.out.Len()
		code, err := s.byte()
		if err != nil {
			return nil, err
		}
		op := opcodes[code]
		if op == nil {
			return nil, fmt.Errorf("byte %d of the pickle: unknown opcode 0x%02x (corrupt file?)", pos, code)
		}
		if err := s.arg(op, pos); err != nil {
			return nil, fmt.Errorf("byte %d of the pickle, opcode %s: %w", pos, op.name, err)
		}
		s.cost += op.cost
		if s.cost > s.maxCost {
			return nil, fmt.Errorf("byte %d of the pickle: unpickling would need more than %d bytes of memory (Limits.MaxPickleMemory); corrupt or hostile file?", pos, s.maxCost)
		}
		switch op.name {
		case "STACK_GLOBAL":
			s.stackGlobal = true
		case "STOP":
			if s.stackGlobal && s.shadowed != "" {
				return nil, &RefusedError{Global: s.shadowed + ".* (through STACK_GLOBAL)"}
			}
			return s.out.Bytes(), nil
		}
	}
}

func (s *scanner) truncated() error {
	if s.limited {
		return fmt.Errorf("pickle is larger than the limit of %d bytes (Limits.MaxPickleBytes) or is not terminated", s.max)
	}
	return fmt.Errorf("pickle ends after %d bytes without its STOP opcode (truncated file?)", s.out.Len())
}

// remaining is the number of bytes the pickle may still span.
func (s *scanner) remaining() int64 { return s.max - int64(s.out.Len()) }

func (s *scanner) byte() (byte, error) {
	if s.remaining() < 1 {
		return 0, s.truncated()
	}
	b, err := s.r.ReadByte()
	if err != nil {
		return 0, s.readErr(err)
	}
	s.out.WriteByte(b)
	return b, nil
}

func (s *scanner) readErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return s.truncated()
	}
	if err != nil {
		return fmt.Errorf("reading the pickle: %w", err)
	}
	return nil
}

// bytes reads n bytes and returns them (valid until the next read).
func (s *scanner) bytes(n uint64) ([]byte, error) {
	if n > uint64(s.remaining()) {
		if s.limited {
			return nil, fmt.Errorf("argument of %d bytes is larger than the pickle limit of %d bytes (Limits.MaxPickleBytes)", n, s.max)
		}
		return nil, fmt.Errorf("argument of %d bytes is longer than the %d bytes left in the file (truncated or corrupt file?)", n, s.remaining())
	}
	start := s.out.Len()
	// Read in chunks so the buffer grows with the data actually read, not
	// with the length the file claims.
	for left := int(n); left > 0; {
		chunk := min(left, 64<<10)
		s.out.Grow(chunk)
		b := s.out.AvailableBuffer()[:chunk]
		k, err := io.ReadFull(s.r, b)
		s.out.Write(b[:k])
		if err != nil {
			return nil, s.readErr(err)
		}
		left -= chunk
	}
	return s.out.Bytes()[start:], nil
}

// line reads up to and including a newline, at most max bytes.
func (s *scanner) line(max int) ([]byte, error) {
	start := s.out.Len()
	for {
		b, err := s.byte()
		if err != nil {
			return nil, err
		}
		if b == '\n' {
			return s.out.Bytes()[start : s.out.Len()-1], nil
		}
		if s.out.Len()-start > max {
			return nil, fmt.Errorf("line argument longer than %d bytes (corrupt file?)", max)
		}
	}
}

// length reads a little-endian length of n bytes.
func (s *scanner) length(n int) (uint64, error) {
	b, err := s.bytes(uint64(n))
	if err != nil {
		return 0, err
	}
	var buf [8]byte
	copy(buf[:], b)
	return binary.LittleEndian.Uint64(buf[:]), nil
}

func (s *scanner) arg(op *opInfo, pos int) error {
	var data []byte
	var err error
	switch op.arg {
	case argNone:
		return nil
	case argRefused:
		return fmt.Errorf("opcode %s is not used by PyTorch state dicts and is not supported", op.name)
	case argFixed:
		_, err = s.bytes(uint64(op.n))
		return err
	case argProto:
		v, err := s.byte()
		if err == nil && v > 5 {
			err = fmt.Errorf("unsupported pickle protocol %d (at most 5)", v)
		}
		return err
	case argLine:
		_, err = s.line(maxNumberLine)
		return err
	case argTextLine:
		data, err = s.line(maxTextLine)
	case argNameLines:
		module, err := s.line(maxNameLine)
		if err != nil {
			return err
		}
		mod := string(module)
		name, err := s.line(maxNameLine)
		if err != nil {
			return err
		}
		return checkGlobal(mod, string(name))
	case argLen1, argLen4, argLen8:
		n, err := s.length(lengthBytes(op.arg))
		if err != nil {
			return err
		}
		data, err = s.bytes(n)
		if err != nil {
			return err
		}
	case argLen4Signed:
		n, err := s.length(4)
		if err != nil {
			return err
		}
		if int32(uint32(n)) < 0 {
			return fmt.Errorf("negative length %d", int32(uint32(n)))
		}
		data, err = s.bytes(n)
		if err != nil {
			return err
		}
	case argLong1, argLong4:
		size := 1
		if op.arg == argLong4 {
			size = 4
		}
		n, err := s.length(size)
		if err != nil {
			return err
		}
		if op.arg == argLong4 && int32(uint32(n)) < 0 {
			return fmt.Errorf("negative length %d", int32(uint32(n)))
		}
		// Python never writes an empty LONG1 (0 is BININT1), and gopickle
		// cannot decode one.
		if n == 0 || n > maxLongBytes {
			return fmt.Errorf("integer of %d bytes is not supported (1 to %d)", n, maxLongBytes)
		}
		data, err = s.bytes(n)
		if err != nil {
			return err
		}
	case argFrame:
		n, err := s.length(8)
		if err != nil {
			return err
		}
		if n > uint64(s.remaining()) {
			return fmt.Errorf("frame of %d bytes is longer than the %d bytes the pickle may still span", n, s.remaining())
		}
		// gopickle copies the frame into a buffer of its own.
		s.cost += int64(n)
		return nil
	}
	s.cost += 2 * int64(len(data))
	if op.text {
		// Strings on the stack only come from these opcodes, so a
		// STACK_GLOBAL can only name a module that appears here.
		for _, m := range gopickleModules {
			if bytes.Contains(data, []byte(m)) {
				s.shadowed = m
			}
		}
	}
	return nil
}

// lengthBytes is the size of the length that precedes an argument's data.
func lengthBytes(k argKind) int {
	switch k {
	case argLen1:
		return 1
	case argLen4:
		return 4
	}
	return 8
}
