// Package cvr defines how cast vote records are read: the streaming Reader that every format
// package implements (shaped like encoding/csv: Next returns io.EOF at the end), the ParseError
// that names the file, record and field of bad input, and a registry of formats with sniffing,
// like image.RegisterFormat: a format package registers itself in init, and a program selects
// the formats it supports by importing them.
package cvr

import (
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unsafe"

	canvass "github.com/canvass-vote/canvass"
)

// Reader streams the ballots of one source (a file, a folder or a ZIP of one export).
type Reader interface {
	// Election returns the election definition of the source. It is complete before the first
	// call to Next; contest and choice indices in ballots refer to it.
	Election() *canvass.Election
	// Next returns the next ballot, or io.EOF after the last. The returned Ballot may be reused
	// by the following call (see canvass.Ballot). Errors other than io.EOF are *ParseError
	// (or wrap one) and are final.
	Next() (*canvass.Ballot, error)
	// Where names the file and the 1-based record number of the ballot Next last returned, so
	// that a consumer that finds a problem (a duplicate ballot id) can report it as a
	// ParseError.
	Where() (file string, record int64)
	// Close releases the files the reader holds.
	Close() error
}

// ParseError is canvass.ParseError: the error of every reader, naming file, record and field.
type ParseError = canvass.ParseError

// The errors readers wrap in a ParseError (see canvass).
var (
	ErrTruncated      = canvass.ErrTruncated
	ErrSyntax         = canvass.ErrSyntax
	ErrUnknownContest = canvass.ErrUnknownContest
	ErrUnknownChoice  = canvass.ErrUnknownChoice
	ErrDuplicateID    = canvass.ErrDuplicateID
	ErrNotNumber      = canvass.ErrNotNumber
	ErrMissingField   = canvass.ErrMissingField
	ErrWrongFormat    = canvass.ErrWrongFormat
)

// Options tune a reader.
type Options struct {
	// Progress, if set, is called with the number of bytes consumed from the input files as
	// reading proceeds (for a progress bar). It is called from the goroutine calling Next.
	Progress func(n int64)
}

// Format is one registered CVR format.
type Format struct {
	// Name is the --format value: "cdf", "dominion", "csv", ...
	Name string
	// Sniff reports whether path (a file or a folder) looks like this format. head holds the
	// first bytes of the file (empty for a folder).
	Sniff func(path string, head []byte) bool
	// Open starts reading the source at path. It is nil for a layout that cannot be read
	// without RankedOptions (ES&S, RCTab's generic CSV).
	Open func(path string, opts Options) (Reader, error)
	// OpenRanked, when set, reads the source configured by an RCTab source's settings.
	OpenRanked func(path string, opts RankedOptions) (Reader, error)
}

// Opener makes a Format's Open from a format package's own opener, which returns its concrete
// reader: on error the Reader is nil, never an interface holding a nil pointer.
func Opener[R Reader](open func(path string, opts Options) (R, error)) func(string, Options) (Reader, error) {
	return func(path string, opts Options) (Reader, error) {
		r, err := open(path, opts)
		if err != nil {
			return nil, err
		}
		return r, nil
	}
}

var (
	mu      sync.Mutex
	formats = map[string]Format{}
)

// Register makes a format available to Open and Sniff. It panics if the name is taken
// (a programming error, not an input error).
func Register(f Format) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := formats[f.Name]; dup {
		panic("cvr: format registered twice: " + f.Name)
	}
	formats[f.Name] = f
}

// Formats lists the registered format names, sorted.
func Formats() []string {
	mu.Lock()
	defer mu.Unlock()
	var names []string
	for n := range formats {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// headSize is how much of a file Sniff looks at.
const headSize = 4096

// Resolve names the format of the file or folder at path: format as given, or sniffed (Sniff)
// when it is "" or "auto".
func Resolve(path, format string) (string, error) {
	if format == "" || format == "auto" {
		return Sniff(path)
	}
	return format, nil
}

// Sniff names the format of the file or folder at path, or returns an error that says which
// formats were tried.
func Sniff(path string) (string, error) {
	head, err := readHead(path)
	if err != nil {
		return "", err
	}
	mu.Lock()
	defer mu.Unlock()
	var names []string
	for n := range formats {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if sniff := formats[n].Sniff; sniff != nil && sniff(path, head) {
			return n, nil
		}
	}
	return "", &ParseError{File: path, Err: fmt.Errorf("%w: not recognized as any CVR format (%s); name one with --format", ErrWrongFormat, strings.Join(names, ", "))}
}

func readHead(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, headSize)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	return head[:n], nil
}

// Open opens path in the named format ("auto" or "" sniffs it).
func Open(path, format string, opts Options) (Reader, error) {
	if format == "" || format == "auto" {
		var err error
		if format, err = Sniff(path); err != nil {
			return nil, err
		}
	}
	mu.Lock()
	f, ok := formats[format]
	mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("unknown CVR format %q (known: %s)", format, strings.Join(Formats(), ", "))
	}
	if f.Open == nil {
		return nil, fmt.Errorf("%s: the %s layout is read with the settings of an RCTab configuration (--rcv-config)", path, format)
	}
	return f.Open(path, opts)
}

// OpenRanked opens the source at path in the named format with ranked-layout settings: with
// the format's OpenRanked, or its plain Open for formats whose files say everything (CDF,
// Dominion).
func OpenRanked(path, format string, opts RankedOptions) (Reader, error) {
	mu.Lock()
	f, ok := formats[format]
	mu.Unlock()
	if ok && f.OpenRanked != nil {
		return f.OpenRanked(path, opts)
	}
	return Open(path, format, Options{})
}

// Counting wraps r so that every read reports its byte count to progress (if not nil).
func Counting(r io.Reader, progress func(int64)) io.Reader {
	if progress == nil {
		return r
	}
	return &countingReader{r: r, progress: progress}
}

type countingReader struct {
	r        io.Reader
	progress func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.progress(int64(n))
	}
	return n, err
}

// Size returns the number of bytes a reader of path will consume: the file's size, or for a
// folder the sum of its regular files' sizes (used to size a progress bar).
func Size(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	if !fi.IsDir() {
		return fi.Size()
	}
	var total int64
	_ = filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if i, err := d.Info(); err == nil {
				total += i.Size()
			}
		}
		return nil
	})
	return total
}

// IDs detects duplicate ballot ids in a stream. Readers do not check for duplicates (they only
// translate); consumers do. It keeps a 64-bit hash of each id, not the id, in an open-addressing
// table (8 to 16 bytes a ballot: 16 MB for a million ballots, where a map of strings would take
// about 80). Two distinct ids collide with probability about n²/2⁶⁵, under 3·10⁻⁶ for 10⁸
// ballots; a collision would report a duplicate that is not one, never miss one.
type IDs struct {
	seed  maphash.Seed
	slots []uint64 // 0 marks an empty slot
	n     int
	sink  uint64 // the sum of the slots AddAll reads ahead, kept so that the reads are kept
}

// Add records id and reports whether it was new.
func (s *IDs) Add(id string) bool {
	s.init()
	return s.addHash(s.hash(id))
}

// AddAll adds ids in order, as Add would one after the other, and returns the index of the
// first id that was already present (added before, or earlier in ids), or -1 if all were new;
// the ids after a duplicate are not added. The table of a county's ids outgrows the
// processor's caches, and reading CVRs streams the caches full of input, so each Add waits
// for its slot to come from memory. AddAll hashes a few dozen ids first and then reads their
// slots in a tight loop of independent loads, which the processor has in flight together
// rather than one after another; a caller that can defer the check by that many ids
// (workspace.TabulateFiles) saves most of the wait.
func (s *IDs) AddAll(ids []string) int {
	s.init()
	var hs [addAllBatch]uint64
	for base := 0; base < len(ids); base += addAllBatch {
		batch := ids[base:min(len(ids), base+addAllBatch)]
		for i, id := range batch {
			hs[i] = s.hash(id)
		}
		mask := uint64(len(s.slots) - 1)
		var sum uint64
		for _, h := range hs[:len(batch)] {
			sum += s.slots[h&mask]
		}
		s.sink += sum
		for i, h := range hs[:len(batch)] {
			if !s.addHash(h) {
				return base + i
			}
		}
	}
	return -1
}

// addAllBatch is how many ids AddAll looks up together: enough slot reads to keep the memory
// system busy, few enough that their hashes stay in the first-level cache.
const addAllBatch = 32

func (s *IDs) init() {
	if s.slots == nil {
		s.seed = maphash.MakeSeed()
		s.slots = make([]uint64, 1<<10)
	}
}

// hash returns the id's hash; 0 marks empty slots, so it is never 0.
func (s *IDs) hash(id string) uint64 {
	h := maphash.String(s.seed, id)
	if h == 0 {
		h = 1
	}
	return h
}

// addHash records the hash h of an id and reports whether it was new.
func (s *IDs) addHash(h uint64) bool {
	if !s.insert(h) {
		return false
	}
	s.n++
	if s.n*4 > len(s.slots)*3 { // keep the load under 3/4
		old := s.slots
		s.slots = make([]uint64, 2*len(old))
		for _, v := range old {
			if v != 0 {
				s.insert(v)
			}
		}
	}
	return true
}

// insert puts h in the table (linear probing) and reports whether it was absent.
func (s *IDs) insert(h uint64) bool {
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			s.slots[i] = h
			return true
		case h:
			return false
		}
	}
}

// IDArena makes ballot id strings without an allocation per ballot: ids are copied into a
// 64 KiB chunk that is never written again once an id is in it, and each string points into
// the chunk. A chunk is freed when no id in it is referenced any more. Readers use it so that
// the hot path of reading allocates nothing per ballot.
type IDArena struct{ buf []byte }

const idArenaChunk = 64 << 10

// String returns b as a string backed by the arena (b itself is not retained).
func (a *IDArena) String(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > idArenaChunk/8 {
		return string(b) // a long id gets its own allocation
	}
	if cap(a.buf)-len(a.buf) < len(b) {
		a.buf = make([]byte, 0, idArenaChunk)
	}
	start := len(a.buf)
	a.buf = append(a.buf, b...)
	id := a.buf[start:]
	// The bytes of id are never modified after this (later ids are appended after them and a
	// full chunk is replaced, not reused), which is what unsafe.String requires.
	return unsafe.String(&id[0], len(id))
}
