package cvr

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
)

// A stand-in format, registered only in this test binary, to test the registry itself.
type emptyReader struct{}

func (emptyReader) Election() *canvass.Election    { return &canvass.Election{} }
func (emptyReader) Next() (*canvass.Ballot, error) { return nil, io.EOF }
func (emptyReader) Where() (string, int64)         { return "", 0 }
func (emptyReader) Close() error                   { return nil }

func init() {
	Register(Format{
		Name:  "test-magic",
		Sniff: func(path string, head []byte) bool { return bytes.HasPrefix(head, []byte("MAGIC")) },
		Open:  func(string, Options) (Reader, error) { return emptyReader{}, nil },
	})
}

func TestSniffAndOpen(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "a.bin")
	os.WriteFile(good, []byte("MAGIC rest"), 0o644)
	bad := filepath.Join(dir, "b.bin")
	os.WriteFile(bad, []byte("something else"), 0o644)
	if f, err := Sniff(good); err != nil || f != "test-magic" {
		t.Errorf("Sniff(good) = %q, %v", f, err)
	}
	_, err := Sniff(bad)
	if !errors.Is(err, ErrWrongFormat) || !strings.Contains(err.Error(), "--format") {
		t.Errorf("Sniff(bad) error %v: want ErrWrongFormat telling about --format", err)
	}
	if _, err := Open(good, "auto", Options{}); err != nil {
		t.Error(err)
	}
	if _, err := Open(good, "no-such-format", Options{}); err == nil || !strings.Contains(err.Error(), "test-magic") {
		t.Errorf("unknown format error %v does not list the known formats", err)
	}
	if _, err := Sniff(filepath.Join(dir, "missing")); err == nil {
		t.Error("Sniff of a missing file succeeded")
	}
}

func TestCountingAndSize(t *testing.T) {
	var n int64
	r := Counting(strings.NewReader(strings.Repeat("x", 10000)), func(d int64) { n += d })
	if _, err := io.Copy(io.Discard, r); err != nil || n != 10000 {
		t.Errorf("counted %d bytes, want 10000 (%v)", n, err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a"), make([]byte, 300), 0o644)
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "b"), make([]byte, 700), 0o644)
	if s := Size(dir); s != 1000 {
		t.Errorf("Size(folder) = %d, want 1000", s)
	}
	if s := Size(filepath.Join(dir, "a")); s != 300 {
		t.Errorf("Size(file) = %d, want 300", s)
	}
}

func TestIDs(t *testing.T) {
	var ids IDs
	if !ids.Add("21-20-88") || !ids.Add("21-20-89") || ids.Add("21-20-88") {
		t.Error("IDs does not detect exactly the repeated id")
	}
}

func TestIDsMany(t *testing.T) {
	var ids IDs
	for i := range 100000 {
		if !ids.Add(strconv.Itoa(i)) {
			t.Fatalf("id %d reported as a duplicate", i)
		}
	}
	for i := range 100000 {
		if ids.Add(strconv.Itoa(i)) {
			t.Fatalf("repeated id %d not detected", i)
		}
	}
}

func TestIDsAddAll(t *testing.T) {
	var ids IDs
	batch := make([]string, 0, 200)
	for i := range 200 {
		batch = append(batch, "b"+strconv.Itoa(i))
	}
	if i := ids.AddAll(batch); i != -1 {
		t.Fatalf("fresh ids: duplicate reported at %d", i)
	}
	// A batch whose 131st id (index 130) repeats one seen before, and whose 150th repeats
	// one earlier in the same batch: the first in order is reported.
	next := []string{}
	for i := range 150 {
		next = append(next, "c"+strconv.Itoa(i))
	}
	next[130] = "b17"
	next[149] = "c3"
	if i := ids.AddAll(next); i != 130 {
		t.Errorf("AddAll reported %d, want 130", i)
	}
	var within IDs
	if i := within.AddAll([]string{"x", "y", "x"}); i != 2 {
		t.Errorf("duplicate within one batch reported at %d, want 2", i)
	}
}

func TestIDArena(t *testing.T) {
	var a IDArena
	buf := []byte("21-20-88")
	id := a.String(buf)
	copy(buf, "xxxxxxxx") // the arena keeps its own copy
	long := a.String(bytes.Repeat([]byte("9"), 10000))
	var many []string
	for i := range 20000 { // several chunks
		many = append(many, a.String([]byte(strconv.Itoa(i))))
	}
	if id != "21-20-88" || len(long) != 10000 || a.String(nil) != "" {
		t.Errorf("arena ids changed: %q %d", id, len(long))
	}
	for i, s := range many {
		if s != strconv.Itoa(i) {
			t.Fatalf("id %d reads %q", i, s)
		}
	}
}

type nilReader struct{}

func (*nilReader) Election() *canvass.Election    { return nil }
func (*nilReader) Next() (*canvass.Ballot, error) { return nil, io.EOF }
func (*nilReader) Where() (string, int64)         { return "", 0 }
func (*nilReader) Close() error                   { return nil }

// TestOpener: an opener failing with a nil pointer gives a nil Reader (not an interface
// holding a nil pointer), and a reader it opens is passed through.
func TestOpener(t *testing.T) {
	fail := Opener(func(string, Options) (*nilReader, error) { return nil, errors.New("no") })
	if r, err := fail("x", Options{}); r != nil || err == nil {
		t.Errorf("failing opener: %v %v", r, err)
	}
	ok := Opener(func(string, Options) (*nilReader, error) { return &nilReader{}, nil })
	if r, err := ok("x", Options{}); r == nil || err != nil {
		t.Errorf("opener: %v %v", r, err)
	}
}
