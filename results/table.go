package results

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/xuri/excelize/v2"
)

// src names the input for errors: the format being read and the file.
type src struct {
	format string
	file   string
	// skip holds the header keys of columns to pass over (Options.Skip, wide files).
	skip map[string]bool
	// rename maps header keys of choice columns to choice names (Options.Rename).
	rename map[string]string
}

// perr returns a *canvass.ParseError about record rec (its text line, when known) and field.
func (s *src) perr(rec, line int64, field string, err error) error {
	return &canvass.ParseError{Format: s.format, File: s.file, Record: rec, Line: line, Field: field, Err: err}
}

// table is a source of records: the rows of a CSV file or of one XLSX sheet. Every table
// format (wec, openelections, canvass, wide) reads through it, so each accepts both.
type table interface {
	// next returns the next record, or io.EOF. The slice is reused by the following call.
	// Errors are *canvass.ParseError.
	next() ([]string, error)
	// row is the 1-based number of the record next last returned: the CSV record counting the
	// header (encoding/csv skips blank lines), or the sheet row of an XLSX file.
	row() int64
	// line is the text line of that record (0 for XLSX).
	line() int64
	// truncated reports, after a short record, whether the input ends right after it (a file
	// cut off mid-record). It may consume the input; call it only on the way to an error.
	truncated() bool
	// xlsx reports whether cells hold spreadsheet values (numbers may be written 1.23E3).
	xlsx() bool
	close() error
}

// utf8BOM is the byte order mark some exports put before the header.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// zipMagic starts every XLSX file (a ZIP archive, ECMA-376 Part 2 §B).
var zipMagic = []byte("PK\x03\x04")

// csvTable reads records with encoding/csv (RFC 4180, CRLF or LF line ends).
type csvTable struct {
	s   *src
	r   *csv.Reader
	n   int64
	ln  int64
	eof bool
}

func newCSVTable(s *src, r io.Reader) *csvTable {
	br := bufio.NewReaderSize(r, 64<<10)
	if head, _ := br.Peek(3); bytes.Equal(head, utf8BOM) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // checked against the header by each format, with a better message
	cr.ReuseRecord = true
	return &csvTable{s: s, r: cr}
}

func (t *csvTable) next() ([]string, error) {
	if t.eof {
		return nil, io.EOF
	}
	rec, err := t.r.Read()
	if err == io.EOF {
		t.eof = true
		return nil, io.EOF
	}
	t.n++
	if err != nil {
		var ce *csv.ParseError
		if errors.As(err, &ce) {
			t.eof = true
			return nil, t.s.perr(t.n, int64(ce.Line), fmt.Sprintf("character %d", ce.Column), fmt.Errorf("%w: %v", canvass.ErrSyntax, ce.Err))
		}
		return nil, t.s.perr(t.n, 0, "", err)
	}
	line, _ := t.r.FieldPos(0)
	t.ln = int64(line)
	return rec, nil
}

func (t *csvTable) row() int64  { return t.n }
func (t *csvTable) line() int64 { return t.ln }
func (t *csvTable) xlsx() bool  { return false }
func (t *csvTable) close() error {
	return nil
}

func (t *csvTable) truncated() bool {
	_, err := t.r.Read()
	t.eof = true
	return err == io.EOF
}

// xlsxTable reads the rows of one worksheet with excelize's streaming row iterator, which
// decodes the sheet XML as it goes instead of building the whole grid.
type xlsxTable struct {
	s    *src
	f    *excelize.File
	rows *excelize.Rows
	n    int64
	done bool
}

// maxUnzip bounds how much a workbook may inflate to, so that a hostile file cannot exhaust
// memory; an official statewide ward report inflates to a few tens of MB.
const maxUnzip = 1 << 30

// openXLSX opens a workbook. A ZIP that cannot be read is most often an incomplete download,
// hence ErrTruncated.
func openXLSX(s *src, r io.Reader) (f *excelize.File, err error) {
	defer func() {
		// excelize is not hardened against every malformed archive; a panic there is bad input.
		if p := recover(); p != nil {
			f, err = nil, s.perr(0, 0, "", fmt.Errorf("%w: damaged XLSX workbook: %v", canvass.ErrSyntax, p))
		}
	}()
	f, err = excelize.OpenReader(r, excelize.Options{RawCellValue: true, UnzipSizeLimit: maxUnzip})
	if err != nil {
		return nil, s.perr(0, 0, "", fmt.Errorf("%w: not a readable XLSX workbook: %v", canvass.ErrTruncated, err))
	}
	return f, nil
}

// sheetTable starts reading one sheet of f.
func sheetTable(s *src, f *excelize.File, sheet string) (t *xlsxTable, err error) {
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, s.perr(0, 0, "sheet "+sheet, fmt.Errorf("%w: damaged worksheet: %v", canvass.ErrSyntax, p))
		}
	}()
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, s.perr(0, 0, "sheet "+sheet, fmt.Errorf("%w: %v", canvass.ErrSyntax, err))
	}
	return &xlsxTable{s: s, f: f, rows: rows}, nil
}

func (t *xlsxTable) next() (rec []string, err error) {
	if t.done {
		return nil, io.EOF
	}
	defer func() {
		if p := recover(); p != nil {
			t.done = true
			rec, err = nil, t.s.perr(t.n, 0, "", fmt.Errorf("%w: damaged worksheet: %v", canvass.ErrSyntax, p))
		}
	}()
	if !t.rows.Next() {
		t.done = true
		if err := t.rows.Error(); err != nil {
			return nil, t.s.perr(t.n+1, 0, "", fmt.Errorf("%w: %v", canvass.ErrSyntax, err))
		}
		return nil, io.EOF
	}
	// Next steps one sheet row at a time, also over rows absent from the XML (Columns then
	// returns none), so counting calls gives the row number the spreadsheet shows.
	t.n++
	rec, err = t.rows.Columns()
	if err != nil {
		t.done = true
		return nil, t.s.perr(t.n, 0, "", fmt.Errorf("%w: %v", canvass.ErrSyntax, err))
	}
	return rec, nil
}

func (t *xlsxTable) row() int64      { return t.n }
func (t *xlsxTable) line() int64     { return 0 }
func (t *xlsxTable) xlsx() bool      { return true }
func (t *xlsxTable) truncated() bool { return false }
func (t *xlsxTable) close() error {
	if t.rows != nil {
		_ = t.rows.Close()
	}
	return nil
}

// openTable returns the table of r, an XLSX workbook or CSV text, positioned after the header
// that layout accepts within the first limit records. layout returns an error wrapping
// ErrWrongFormat for a record that is not this format's header; the search then goes on. For a
// workbook the first sheet with such a header is read (the Wisconsin report has one sheet, but
// other exports add a cover sheet). The returned header is the layout's result.
func openTable[L any](s *src, r io.Reader, limit int, layout func(s *src, hdr []string, t table) (L, error)) (table, L, error) {
	var zero L
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(len(zipMagic))
	if err != nil && len(head) == 0 {
		if err == io.EOF {
			return nil, zero, s.perr(0, 0, "", fmt.Errorf("empty file, no header: %w", canvass.ErrTruncated))
		}
		return nil, zero, s.perr(0, 0, "", err)
	}
	if !bytes.Equal(head, zipMagic) {
		t := newCSVTable(s, br)
		l, err := findHeader(s, t, limit, layout)
		return t, l, err
	}
	f, err := openXLSX(s, br)
	if err != nil {
		return nil, zero, err
	}
	var firstErr error
	for _, sheet := range f.GetSheetList() {
		t, err := sheetTable(s, f, sheet)
		if err != nil {
			_ = f.Close()
			return nil, zero, err
		}
		l, err := findHeader(s, t, limit, layout)
		if err == nil {
			return &closingTable{t, f}, l, nil
		}
		_ = t.close()
		if !errors.Is(err, canvass.ErrWrongFormat) {
			_ = f.Close()
			return nil, zero, err
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	_ = f.Close()
	if firstErr == nil {
		firstErr = s.perr(0, 0, "", fmt.Errorf("%w: the workbook has no worksheet", canvass.ErrWrongFormat))
	}
	return nil, zero, firstErr
}

// closingTable closes the workbook with its sheet.
type closingTable struct {
	*xlsxTable
	f *excelize.File
}

func (t *closingTable) close() error {
	_ = t.xlsxTable.close()
	return t.f.Close()
}

// findHeader reads up to limit records of t for the header that layout accepts.
func findHeader[L any](s *src, t table, limit int, layout func(s *src, hdr []string, t table) (L, error)) (L, error) {
	var zero L
	var firstErr error
	for i := 0; i < limit; i++ {
		rec, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return zero, err
		}
		if blank(rec) {
			continue
		}
		l, err := layout(s, rec, t)
		if err == nil {
			return l, nil
		}
		if !errors.Is(err, canvass.ErrWrongFormat) {
			return zero, err
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		if t.row() == 0 {
			return zero, s.perr(0, 0, "", fmt.Errorf("empty file, no header: %w", canvass.ErrTruncated))
		}
		return zero, s.perr(0, 0, "", fmt.Errorf("%w: no header row", canvass.ErrWrongFormat))
	}
	return zero, firstErr
}

// blank reports whether every cell of rec is empty or space (an empty spreadsheet row, or a
// CSV line of commas).
func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// cell returns rec[i] trimmed, or "" when the record is shorter (XLSX rows omit trailing
// empty cells).
func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// checkWidth refuses a record whose width differs from the header's. A CSV record with fewer
// fields is either the last, cut-off record of a truncated file or a malformed one; an XLSX row
// may be shorter (trailing empty cells are not stored) but not longer.
func checkWidth(s *src, t table, rec, hdr []string) error {
	if len(rec) < len(hdr) && !t.xlsx() {
		rn, ln := t.row(), t.line()
		missing := hdr[len(rec)]
		if t.truncated() {
			return s.perr(rn, ln, missing, fmt.Errorf("record has %d fields, the header %d: %w", len(rec), len(hdr), canvass.ErrTruncated))
		}
		return s.perr(rn, ln, missing, fmt.Errorf("%w: record has %d fields, the header %d", canvass.ErrMissingField, len(rec), len(hdr)))
	}
	if len(rec) > len(hdr) {
		for i := len(hdr); i < len(rec); i++ {
			if strings.TrimSpace(rec[i]) != "" {
				return s.perr(t.row(), t.line(), fmt.Sprintf("column %d", i+1), fmt.Errorf("%w: record has %d fields, the header %d", canvass.ErrSyntax, len(rec), len(hdr)))
			}
		}
	}
	return nil
}

// ErrNegative is wrapped by the ParseError for a negative count: a vote count or a statistic
// can never be below zero, so such a value is an error in the file, not a number to keep.
var ErrNegative = errors.New("negative count")

// countSyntax says which spellings of a count a format accepts.
type countSyntax uint8

const (
	// plainDigits: ASCII digits only (our own canvass format).
	plainDigits countSyntax = iota
	// groupedDigits also accepts US thousands separators, "1,332" (found in OpenElections
	// files transcribed from PDFs).
	groupedDigits
)

// parseCount reads a count. ok is false for an empty cell (no count reported). In an XLSX
// cell (spreadsheet, true) a number may be stored as an integral float ("263" or "2.63E2").
func parseCount(s string, syn countSyntax, spreadsheet bool) (n int64, ok bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false, nil
	}
	if n, ok := digits(s); ok {
		return n, true, nil
	}
	if s[0] == '-' {
		if _, ok := digits(s[1:]); ok || (syn == groupedDigits && grouped(s[1:]) >= 0) {
			return 0, false, fmt.Errorf("%w %q", ErrNegative, s)
		}
	}
	if syn == groupedDigits {
		if n := grouped(s); n >= 0 {
			return n, true, nil
		}
	}
	if spreadsheet && strings.Trim(s, "0123456789.eE+-") == "" {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			if f < 0 {
				return 0, false, fmt.Errorf("%w %q", ErrNegative, s)
			}
			return int64(f), true, nil
		}
	}
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return 0, false, fmt.Errorf("%w: %q", canvass.ErrNotNumber, s)
}

// digits parses a run of ASCII digits that fits in an int64.
func digits(s string) (int64, bool) {
	if s == "" || len(s) > 18 { // 18 digits always fit; longer ones are not counts
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return 0, false
		}
		n = n*10 + int64(c)
	}
	return n, true
}

// grouped parses "1,234,567" (groups of three after the first), or returns -1.
func grouped(s string) int64 {
	first := strings.IndexByte(s, ',')
	if first < 1 || first > 3 {
		return -1
	}
	var n int64
	for i, part := range strings.Split(s, ",") {
		if (i == 0 && len(part) > 3) || (i > 0 && len(part) != 3) {
			return -1
		}
		d, ok := digits(part)
		if !ok || n > (math.MaxInt64-d)/1000 {
			return -1
		}
		n = n*1000 + d
	}
	return n
}

// headerKey folds a column name for matching: trimmed, lower case, every run of characters
// other than letters and digits made one underscore ("Registered Voters" → registered_voters).
func headerKey(s string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r > 127 {
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
			continue
		}
		under = true
	}
	return b.String()
}
