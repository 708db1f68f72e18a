// Package results reads reported results, counts per reporting unit, into canvass.ResultRow
// values. It is where no cast vote records are public: Wisconsin's ward-by-ward report (wec),
// OpenElections precinct files (openelections), our own long CSV (canvass), generic wide
// tables with one column per choice (wide), and the audit report of the Arlo risk-limiting
// audit software (arlo, with ReadArloReport for the whole report).
//
// Readers stream like encoding/csv: Next returns one row at a time and io.EOF at the end; bad
// input is a *canvass.ParseError naming the file, the 1-based record and the field. The
// formats are described field by field in docs/formats/results.md.
//
// Readers only translate: they never add up, drop or reconcile counts. One record of a wide
// file gives one row per count cell, and a vote-mode breakdown gives rows beside the total
// (ResultRow.Mode "" is the total).
package results

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	canvass "github.com/canvass-vote/canvass"
)

// Options select and complete a format.
type Options struct {
	// Format is "auto" (or "") to sniff it, or one of "wec", "openelections", "canvass",
	// "wide", "arlo".
	Format string
	// State is the default state for formats that do not name it (wec: "WI"; openelections:
	// taken from the file name, 20201103__mi__general__..., when it follows that pattern).
	State string
	// County is the default county (wide files without a county column).
	County string
	// Contest is the contest of a wide file's choice columns (wec: "President"; arlo: which of
	// the report's contests the batch tallies are for, when the report does not make it clear).
	Contest string
	// Skip names columns of a wide file to pass over (derived figures such as a margin or
	// percentages that are neither a unit, a choice nor a statistic), as written in its header.
	Skip []string
	// Rename gives choice columns of a wide file the names of their choices: column (as
	// written in the header) → choice name ("biden_dem" → "Joseph R. Biden / Kamala D. Harris").
	Rename map[string]string
}

// Reader streams the rows of one results file.
type Reader interface {
	// Next returns the next row, or io.EOF after the last. The row may be reused by the next
	// call. Errors other than io.EOF are *canvass.ParseError and final.
	Next() (*canvass.ResultRow, error)
	// Where names the file and the 1-based record (row of the file, header included) of the
	// row Next last returned.
	Where() (file string, record int64)
	// Close releases the file.
	Close() error
}

// Formats lists the format names Open accepts, in the order Sniff tries them.
func Formats() []string {
	return []string{"arlo", "wec", "openelections", "canvass", "wide"}
}

// Open reads the results file at path.
func Open(path string, opts Options) (Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := NewReader(f, path, opts)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	r.(closerSetter).setCloser(f)
	return r, nil
}

// NewReader reads a results file from r; name names it in errors (and, for openelections, gives
// the state). Close on the reader does not close r.
func NewReader(r io.Reader, name string, opts Options) (Reader, error) {
	s := &src{file: name}
	if len(opts.Rename) > 0 {
		s.rename = map[string]string{}
		for c, n := range opts.Rename {
			s.rename[headerKey(c)] = strings.TrimSpace(n)
		}
	}
	if len(opts.Skip) > 0 {
		s.skip = map[string]bool{}
		for _, c := range opts.Skip {
			s.skip[headerKey(c)] = true
		}
	}
	format := opts.Format
	br := bufio.NewReaderSize(r, sniffSize)
	if format == "" || format == "auto" {
		head, err := br.Peek(sniffSize)
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
			return nil, err
		}
		var whole func() (io.Reader, error)
		head = append([]byte(nil), head...) // Peek's slice does not outlive the next read
		if hasPrefix(head, zipMagic) {
			// A workbook is read whole anyway (ZIP keeps its directory at the end).
			all, err := io.ReadAll(br)
			if err != nil {
				return nil, err
			}
			whole = func() (io.Reader, error) { return bytes.NewReader(all), nil }
			br = bufio.NewReader(bytes.NewReader(all))
		}
		if format, err = sniffHead(name, head, whole); err != nil {
			return nil, err
		}
	}
	s.format = format
	switch format {
	case "wec":
		return newWEC(s, br, opts)
	case "wide":
		return newWide(s, br, opts)
	case "openelections":
		return newOpenElections(s, br, opts)
	case "canvass":
		return newCanvass(s, br, opts)
	case "arlo":
		return newArloReader(s, br, opts)
	}
	return nil, fmt.Errorf("results: unknown format %q (known: %s)", format, strings.Join(Formats(), ", "))
}

// ReadAll reads every row of the file at path.
func ReadAll(path string, opts Options) ([]canvass.ResultRow, error) {
	r, err := Open(path, opts)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var rows []canvass.ResultRow
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, *row)
	}
}

// sniffSize is how much of a text file Sniff reads: enough for the Wisconsin report's title
// rows and header, and for a long header row.
const sniffSize = 64 << 10

// Resolve returns o with its Format named: as given, or sniffed from the file at path when it
// is "" or "auto".
func (o Options) Resolve(path string) (Options, error) {
	if o.Format == "" || o.Format == "auto" {
		var err error
		if o.Format, err = Sniff(path); err != nil {
			return o, err
		}
	}
	return o, nil
}

// Sniff names the format of the file at path by its content: an Arlo section heading on the
// first line, or a header row that one format's rules accept (tried in the order of Formats;
// an XLSX workbook is opened to read its header).
func Sniff(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, sniffSize)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return "", err
	}
	return sniffHead(path, head[:n], func() (io.Reader, error) {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		return f, nil
	})
}

// sniffHead names the format of a file from its first bytes. An XLSX workbook needs the whole
// file: whole returns it (nil when only the head is at hand, which then must do).
func sniffHead(name string, head []byte, whole func() (io.Reader, error)) (string, error) {
	s := &src{file: name}
	if len(strings.TrimSpace(string(head))) == 0 {
		return "", s.perr(0, 0, "", fmt.Errorf("empty file, no header: %w", canvass.ErrTruncated))
	}
	if isArlo(head) {
		return "arlo", nil
	}
	in := func() (io.Reader, error) { return strings.NewReader(string(head)), nil }
	if hasPrefix(head, zipMagic) && whole != nil {
		in = whole
	}
	for _, format := range Formats()[1:] {
		r, err := in()
		if err != nil {
			return "", err
		}
		s.format = format
		t, err := headerOf(s, r, format)
		if t != nil {
			_ = t.close()
		}
		if err == nil || !errors.Is(err, canvass.ErrWrongFormat) {
			// A header this format recognizes, even one with a column missing: name the format,
			// and let Open say what is wrong with it.
			return format, nil
		}
	}
	s.format = ""
	return "", s.perr(0, 0, "", fmt.Errorf("%w: not recognized as any results format (%s); name one with --format", canvass.ErrWrongFormat, strings.Join(Formats(), ", ")))
}

// headerOf opens r as a table of the named format and checks its header.
func headerOf(s *src, r io.Reader, format string) (table, error) {
	var t table
	var err error
	switch format {
	case "wec":
		t, _, err = openTable(s, r, wecHeaderRows, wecLayout)
	case "wide":
		t, _, err = openTable(s, r, 1, wideLayout)
	case "openelections":
		t, _, err = openTable(s, r, 1, openElectionsLayout)
	case "canvass":
		t, _, err = openTable(s, r, 1, canvassLayout)
	}
	return t, err
}

func hasPrefix(b, prefix []byte) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == string(prefix)
}

type closerSetter interface{ setCloser(io.Closer) }

// countCol is one column of counts in a table: each record gives one row per count column
// whose cell is not empty. For wide tables the column names the choice (or statistic); for
// long tables the record does, and the column only names the vote mode.
type countCol struct {
	idx    int
	header string // the column name as written, for errors
	// setsChoice: the column, not the record, gives Contest, Choice and Stat.
	setsChoice bool
	contest    string
	choice     string
	stat       string
	// mode overrides the record's mode when not empty.
	mode string
	// required: an empty cell is an error rather than "not reported".
	required bool
}

// reader is the engine shared by the table formats: it reads records, lets the format fill a
// template row from each (begin), and returns one row per non-empty count cell.
type reader struct {
	*src
	t    table
	hdr  []string
	cols []countCol
	syn  countSyntax
	// na: the literal NA (R's missing value) in a cell means empty.
	na bool
	// begin fills tmpl from rec; skip reports a record to pass over (a totals row, an
	// unmodelled statistic).
	begin func(rec []string) (skip bool, err error)
	tmpl  canvass.ResultRow
	row   canvass.ResultRow
	rec   []string
	ci    int
	cur   int64
	err   error
	c     io.Closer
}

func (r *reader) setCloser(c io.Closer) { r.c = c }

// Where implements Reader.
func (r *reader) Where() (string, int64) { return r.file, r.cur }

// Close implements Reader.
func (r *reader) Close() error {
	err := r.t.close()
	if r.c != nil {
		if cerr := r.c.Close(); err == nil {
			err = cerr
		}
		r.c = nil
	}
	return err
}

// Next implements Reader.
func (r *reader) Next() (*canvass.ResultRow, error) {
	if r.err != nil {
		return nil, r.err
	}
	for {
		if r.rec == nil || r.ci == len(r.cols) {
			if err := r.advance(); err != nil {
				r.err = err
				return nil, err
			}
			continue
		}
		c := &r.cols[r.ci]
		r.ci++
		v := cell(r.rec, c.idx)
		if r.na && v == "NA" {
			v = ""
		}
		n, ok, err := parseCount(v, r.syn, r.t.xlsx())
		if err != nil {
			r.err = r.perr(r.cur, r.t.line(), c.header, err)
			return nil, r.err
		}
		if !ok {
			if c.required {
				r.err = r.perr(r.cur, r.t.line(), c.header, fmt.Errorf("%w: no count", canvass.ErrMissingField))
				return nil, r.err
			}
			continue
		}
		r.row = r.tmpl
		if c.setsChoice {
			r.row.Contest, r.row.Choice, r.row.Stat = c.contest, c.choice, c.stat
		}
		if c.mode != "" {
			r.row.Mode = c.mode
		}
		r.row.Votes = n
		return &r.row, nil
	}
}

// advance reads the next record that has counts.
func (r *reader) advance() error {
	for {
		rec, err := r.t.next()
		if err != nil {
			return err
		}
		if blank(rec) {
			continue
		}
		r.cur = r.t.row()
		if err := checkWidth(r.src, r.t, rec, r.hdr); err != nil {
			return err
		}
		skip, err := r.begin(rec)
		if err != nil {
			return err
		}
		if skip {
			continue
		}
		r.rec, r.ci = rec, 0
		return nil
	}
}

// headerKeys maps the header keys (headerKey) of hdr to their first column.
func headerKeys(hdr []string) map[string]int {
	idx := make(map[string]int, len(hdr))
	for i, h := range hdr {
		if k := headerKey(h); k != "" {
			if _, dup := idx[k]; !dup {
				idx[k] = i
			}
		}
	}
	return idx
}

// noDuplicates refuses a header that names a column twice (under headerKey): which of the two
// holds the count would be a guess. Layouts call it once the header is known to be theirs.
func noDuplicates(s *src, t table, hdr []string) error {
	seen := make(map[string]bool, len(hdr))
	for _, h := range hdr {
		k := headerKey(h)
		if k == "" {
			continue
		}
		if seen[k] {
			return s.perr(t.row(), t.line(), strings.TrimSpace(h), fmt.Errorf("%w: column named twice", canvass.ErrSyntax))
		}
		seen[k] = true
	}
	return nil
}

// pick returns the index of the first of keys present in idx, or -1.
func pick(idx map[string]int, keys ...string) int {
	for _, k := range keys {
		if i, ok := idx[k]; ok {
			return i
		}
	}
	return -1
}

// copyHeader keeps the header beyond the reuse of the record slice.
func copyHeader(hdr []string) []string {
	return append([]string(nil), hdr...)
}

// wrongFormat is the error for a header that is not this format's; need lists what it lacks.
func wrongFormat(s *src, t table, need string) error {
	return s.perr(t.row(), t.line(), "", fmt.Errorf("%w: the header has no %s", canvass.ErrWrongFormat, need))
}

// notArlo refuses an Arlo report given to a table format: its heading would otherwise pass
// for a one-column header.
func notArlo(s *src, hdr []string, t table) error {
	if len(hdr) == 1 && strings.HasPrefix(hdr[0], arloMark) {
		return s.perr(t.row(), t.line(), "", fmt.Errorf("%w: an Arlo audit report (format arlo)", canvass.ErrWrongFormat))
	}
	return nil
}
