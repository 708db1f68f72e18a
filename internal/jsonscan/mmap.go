package jsonscan

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"unsafe"
)

// Mapping is a regular file mapped read-only into memory, so that a Scanner reads it in place
// (NewBytes) instead of copying it out of the page cache through a buffer: for a CVR file of a
// gigabyte that copy is a tenth of the reading time. Map returns nil where mapping is not
// supported (not Linux) or not worth it (an empty file, a file too large for a 32-bit address
// space): the caller then reads the file through New.
//
// A mapping is used by one goroutine. Slices of Bytes are invalid once Close has returned: a
// reader drops every reference to them (Scanner.ResetBytes(nil)) before it closes the mapping,
// and copies what it keeps (ballot ids, names) out of them.
//
// If the file shrinks while it is mapped, reading the pages past its new end raises SIGBUS.
// A reader turns that into an error rather than a crash: around its reads it sets
// runtime/debug.SetPanicOnFault and passes what it recovers to FaultError.
type Mapping struct {
	data     []byte
	released int // data[:released] has been given back with Release
}

// releaseStep is how far a reader moves on before Release gives memory back: large enough
// that the madvise calls cost nothing, small enough that the memory a reader holds stays flat.
const releaseStep = 8 << 20

// maxMap32 is the largest file mapped on a 32-bit system, whose address space a gigabyte file
// would crowd.
const maxMap32 = 256 << 20

// Map maps the regular file f read-only. It returns nil, and no error, when f should be read
// through a buffer instead (see Mapping). The mapping does not need f to stay open.
func Map(f *os.File) (*Mapping, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	if !fi.Mode().IsRegular() || size <= 0 || strconv.IntSize == 32 && size > maxMap32 {
		return nil, nil
	}
	data, err := mmapFile(f, int(size))
	if err != nil || data == nil {
		// A file system that cannot map (some FUSE and network file systems) is read
		// through a buffer like a pipe.
		return nil, nil
	}
	return &Mapping{data: data}, nil
}

// Bytes returns the mapped file; nil after Close.
func (m *Mapping) Bytes() []byte { return m.data }

// Release tells the system that the bytes of the mapping before off will not be read again
// soon, so that the pages behind a reader do not add up: the memory a process holds stays flat
// while it scans a file of any size. It acts only every releaseStep bytes. The bytes stay
// readable (a page read again is mapped again from the page cache), so a wrong off costs time,
// never correctness.
func (m *Mapping) Release(off int64) {
	if m.data == nil || off < int64(m.released)+releaseStep {
		return
	}
	end := int(min(off, int64(len(m.data))))
	end &^= pageSize() - 1
	if end > m.released {
		releaseRange(m.data[m.released:end])
		m.released = end
	}
}

// Close unmaps the file. The caller must hold no slice of Bytes any more.
func (m *Mapping) Close() error {
	if m == nil || m.data == nil {
		return nil
	}
	data := m.data
	m.data = nil
	return munmapFile(data)
}

// ErrShrunk is wrapped by the error FaultError returns: the mapped file became shorter while
// it was read. It wraps io.ErrUnexpectedEOF, since the input ended early.
var ErrShrunk = fmt.Errorf("the file shrank while it was read: %w", io.ErrUnexpectedEOF)

// FaultError returns the error for p, a value recovered from a panic while reading the mapping
// with runtime/debug.SetPanicOnFault set, when p is a memory fault at an address inside the
// mapping (the file shrank under it). For anything else it returns nil and the caller
// panics again with p: a fault elsewhere is a bug, not an input error.
func (m *Mapping) FaultError(p any) error {
	fault, ok := p.(interface {
		error
		Addr() uintptr
	})
	if !ok || m == nil || len(m.data) == 0 {
		return nil
	}
	base := dataAddr(m.data)
	addr := fault.Addr()
	if addr < base || addr-base >= uintptr(len(m.data)) {
		return nil
	}
	return &shrunkError{off: int64(addr - base), err: fault}
}

type shrunkError struct {
	off int64
	err error
}

func (e *shrunkError) Error() string {
	return "jsonscan: " + ErrShrunk.Error() + " (fault at byte offset " + strconv.FormatInt(e.off, 10) + ": " + e.err.Error() + ")"
}

// Unwrap returns ErrShrunk (which wraps io.ErrUnexpectedEOF), so that callers classify the
// error as truncated input.
func (e *shrunkError) Unwrap() error { return ErrShrunk }

// dataAddr is the address of b's first byte.
func dataAddr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
