//go:build linux

// The mapping is Linux-only (mmap_other.go does not map): these tests run where it exists.

package jsonscan

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
)

// mapped writes data to a file and maps it.
func mapped(t *testing.T, data []byte) (*Mapping, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := Map(f)
	if err != nil {
		t.Fatal(err)
	}
	if m == nil {
		t.Fatal("Map returned nil for a regular file on Linux")
	}
	t.Cleanup(func() { m.Close() })
	return m, path
}

// TestMapScan scans a mapped public file (San Francisco's CvrExport_42.json) in place and
// checks it yields what encoding/json decodes, and that the mapping outlives the file's
// descriptor.
func TestMapScan(t *testing.T) {
	data, err := os.ReadFile(realFile)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := mapped(t, data)
	if !bytes.Equal(m.Bytes(), data) {
		t.Fatal("mapped bytes differ from the file")
	}
	got, err := walkDoc(NewBytes(m.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	want, err := decode(string(data))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("walk of the mapped file differs from encoding/json")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if m.Bytes() != nil {
		t.Fatal("Bytes after Close is not nil")
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestMapNotMapped checks the cases Map leaves to the buffered path: an empty file and a
// directory.
func TestMapNotMapped(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{empty, dir} {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Map(f)
		f.Close()
		if m != nil || err != nil {
			t.Errorf("%s: Map = %v, %v; want nil, nil", p, m, err)
		}
	}
}

// TestMapRelease checks that released bytes read back unchanged: Release only drops the
// pages from the process, the page cache keeps them.
func TestMapRelease(t *testing.T) {
	// A string longer than releaseStep, then numbers: ["xx...x",1,2,3].
	doc := `["` + strings.Repeat("x", releaseStep+4096) + `",1,2,3]`
	m, _ := mapped(t, []byte(doc))
	s := NewBytes(m.Bytes())
	if err := s.BeginArray(); err != nil {
		t.Fatal(err)
	}
	var sum int64
	for i := 0; ; i++ {
		ok, err := s.NextElem()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if i == 0 {
			err = s.Skip()
		} else {
			var v int64
			v, err = s.Int()
			sum += v
		}
		if err != nil {
			t.Fatal(err)
		}
		m.Release(s.Offset())
	}
	if err := s.End(); err != nil {
		t.Fatal(err)
	}
	if sum != 6 {
		t.Fatalf("sum %d, want 6", sum)
	}
	if m.released < releaseStep {
		t.Fatalf("released %d bytes, want at least %d", m.released, releaseStep)
	}
	// The released start reads back unchanged.
	if string(m.Bytes()[:6]) != `["xxxx` {
		t.Fatalf("released bytes read back as %q", m.Bytes()[:6])
	}
}

// TestMapShrunk truncates a mapped file under the scanner: reading past the new end faults,
// and FaultError turns the fault into an error that wraps io.ErrUnexpectedEOF instead of a
// crash. A panic of another kind is not taken for a fault.
func TestMapShrunk(t *testing.T) {
	doc := "[" + strings.Repeat("1,", 64<<10) + "1]"
	m, path := mapped(t, []byte(doc))
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	read := func() (err error) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if p := recover(); p != nil {
				if err = m.FaultError(p); err == nil {
					t.Fatalf("FaultError(%v) = nil", p)
				}
			}
		}()
		return skipDoc(NewBytes(m.Bytes()))
	}
	err := read()
	if !errors.Is(err, ErrShrunk) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("reading a truncated mapping: %v; want ErrShrunk", err)
	}
	if m.FaultError(errors.New("not a fault")) != nil {
		t.Fatal("FaultError took a plain error for a fault")
	}
	if m.FaultError("index out of range") != nil {
		t.Fatal("FaultError took a string for a fault")
	}
}
