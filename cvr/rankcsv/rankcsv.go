// Package rankcsv reads RCTab's generic CSV layout of ranked cast vote records (provider
// "genericCsv"): one row per ballot, one column per candidate from the first vote column on,
// headed by the candidate's name, and in each cell the rank the voter gave that candidate
// (blank: not ranked).
//
//	id,precinct,batch,Lettuce,Broccoli,Cucumber,Write-In
//	R_1,p1,b1,2,1,,3
//
// The layout is configured by cvr.RankedOptions: the first vote column, the first ballot row,
// the optional id, precinct and batch columns, and the undeclared write-in label (the header of
// the write-in column). docs/formats/rankcsv.md is the specification.
package rankcsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// FormatName names the format in errors.
const FormatName = "rankcsv"

// DefaultContest is the contest's name when RankedOptions.Contest is empty.
const DefaultContest = cvr.DefaultRankedContest

var _ cvr.Reader = (*Reader)(nil)

// Reader streams the ballots of one generic CSV file. It implements cvr.Reader.
type Reader struct {
	name string
	base string
	opts cvr.RankedOptions
	file *os.File
	cr   *csv.Reader

	header []string
	cols   []int32 // for each vote column from the first, its choice
	e      *canvass.Election
	ranks  int

	b       canvass.Ballot
	row     int64 // the CSV record (1 is the header) of the ballot Next last returned
	nfields int   // the number of fields of the record last read
	n       int64 // ballots returned
	ids     cvr.IDArena
	err     error
}

func init() {
	// Registered without Sniff and Open: the layout says nothing of its columns and
	// candidates, which only an RCTab configuration gives (cvr.OpenRanked).
	cvr.Register(cvr.Format{Name: FormatName, OpenRanked: Open})
}

// Open opens the CSV file at path and reads its header, so that Election is complete. The
// header (the first record) names the candidate of each vote column: a candidate's name or
// alias, or the undeclared write-in label.
func Open(path string, opts cvr.RankedOptions) (cvr.Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := NewReader(f, path, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.file = f
	return r, nil
}

// NewReader reads the header of a generic CSV from in; name names the input in errors. Close
// does not close in.
func NewReader(in io.Reader, name string, opts cvr.RankedOptions) (*Reader, error) {
	r := &Reader{name: name, base: filepath.Base(name), opts: opts}
	if opts.FirstVoteColumn < 1 || opts.FirstVoteRow < 2 {
		return nil, r.fail(0, 0, "", fmt.Errorf("%w: the first vote column (%d) must be 1 or more and the first vote row (%d) 2 or more (row 1 is the header of candidate names)", canvass.ErrMissingField, opts.FirstVoteColumn, opts.FirstVoteRow))
	}
	br := bufio.NewReaderSize(in, 64<<10)
	if p, _ := br.Peek(3); bytes.Equal(p, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	r.cr = csv.NewReader(br)
	r.cr.ReuseRecord = true
	r.cr.FieldsPerRecord = -1
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	// Rows between the header and the first vote row are skipped.
	for r.row+1 < int64(opts.FirstVoteRow) {
		if _, err := r.cr.Read(); err != nil {
			if err == io.EOF {
				r.err = io.EOF
				break
			}
			return nil, r.csvError(err, r.row+1)
		}
		r.row++
	}
	return r, nil
}

// readHeader maps the vote columns to choices (docs/formats/rankcsv.md §Header).
func (r *Reader) readHeader() error {
	rec, err := r.cr.Read()
	if err == io.EOF {
		return r.fail(1, 0, "", fmt.Errorf("%w: empty file: want a header of candidate names", canvass.ErrTruncated))
	}
	if err != nil {
		return r.csvError(err, 1)
	}
	r.row, r.nfields = 1, len(rec)
	r.header = make([]string, len(rec))
	for j, h := range rec {
		r.header[j] = strings.TrimSpace(h)
	}
	choices, _, err := r.opts.ChoiceMap()
	if err != nil {
		return r.fail(0, 0, "", err)
	}
	first := r.opts.FirstVoteColumn - 1
	if first >= len(rec) {
		return r.fail(1, r.line(0), columnName(first+1), fmt.Errorf("%w: the header has %d columns, none at or right of the first vote column %d", canvass.ErrMissingField, len(rec), first+1))
	}
	for j := first; j < len(rec); j++ {
		h := r.header[j]
		if h == "" {
			return r.fail(1, r.line(j), columnName(j+1), fmt.Errorf("%w: vote column %d has no candidate name in the header", canvass.ErrMissingField, j+1))
		}
		c, ok := choices[h]
		if !ok {
			return r.fail(1, r.line(j), r.column(j), fmt.Errorf("%w: %q is not a candidate or alias of the contest, nor the undeclared write-in label %q; add it to the candidates or correct the header", canvass.ErrUnknownChoice, h, r.opts.UndeclaredWriteInLabel))
		}
		r.cols = append(r.cols, c)
	}
	r.ranks = len(r.cols)
	r.e = r.opts.RankedElection(r.ranks)
	return nil
}

// Election returns the election: one ranked contest whose number of ranks is the number of
// vote columns.
func (r *Reader) Election() *canvass.Election { return r.e }

// Where names the file and the CSV record number (the header is 1) of the ballot Next last
// returned.
func (r *Reader) Where() (string, int64) { return r.name, r.row }

// Close closes the file Open opened.
func (r *Reader) Close() error {
	if r.file == nil {
		return nil
	}
	err := r.file.Close()
	r.file = nil
	return err
}

// Next returns the ballot of the next row, or io.EOF after the last. The ballot is reused by
// the next call.
func (r *Reader) Next() (*canvass.Ballot, error) {
	if r.err != nil {
		return nil, r.err
	}
	rec, err := r.cr.Read()
	if err != nil {
		if err == io.EOF {
			r.err = io.EOF
		} else {
			r.err = r.csvError(err, r.row+1)
		}
		return nil, r.err
	}
	r.row++
	r.n++
	r.nfields = len(rec)
	if err := r.fill(rec); err != nil {
		r.err = err
		return nil, err
	}
	return &r.b, nil
}

// fill makes the ballot of one row (docs/formats/rankcsv.md §Cells).
func (r *Reader) fill(rec []string) error {
	if len(rec) > len(r.header) {
		return r.fail(r.row, r.line(len(r.header)), columnName(len(r.header)+1), fmt.Errorf("%w: the row has %d fields, the header %d", canvass.ErrSyntax, len(rec), len(r.header)))
	}
	b := &r.b
	b.Reset()
	o := &r.opts
	if o.IDColumn > 0 {
		if b.ID = field(rec, o.IDColumn); b.ID == "" {
			return r.fail(r.row, r.line(o.IDColumn-1), r.column(o.IDColumn-1), fmt.Errorf("%w: the ballot id cell is empty", canvass.ErrMissingField))
		}
	} else {
		var buf [128]byte
		id := append(append(buf[:0], r.base...), '-')
		b.ID = r.ids.String(strconv.AppendInt(id, r.n, 10))
	}
	b.Precinct = field(rec, o.PrecinctColumn)
	b.Batch = field(rec, o.BatchColumn)
	cm := b.AddContest(0)
	first := o.FirstVoteColumn - 1
	for k, c := range r.cols {
		j := first + k
		if j >= len(rec) {
			break
		}
		cell := strings.TrimSpace(rec[j])
		if cell == "" {
			continue
		}
		rank, err := strconv.Atoi(cell)
		if err != nil || rank < 1 || rank > r.ranks {
			return r.fail(r.row, r.line(j), r.column(j), fmt.Errorf("%w: cell %q: want a rank from 1 to %d (the number of candidate columns), or blank", canvass.ErrSyntax, cell, r.ranks))
		}
		var f canvass.MarkFlags
		if int(c) == len(o.Candidates) {
			f = canvass.WriteInMark
		}
		cm.Marks = append(cm.Marks, canvass.Mark{Choice: c, Rank: int32(rank), Flags: f})
	}
	sortByRank(cm.Marks)
	return nil
}

// field returns the trimmed cell of 1-based column col, "" when col is 0 or past the row.
func field(rec []string, col int) string {
	if col < 1 || col > len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[col-1])
}

// sortByRank orders marks by rank, keeping column order within a rank (insertion sort: a few
// marks, no allocation).
func sortByRank(ms []canvass.Mark) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].Rank < ms[j-1].Rank; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

// columnName names 1-based column j as "column j".
func columnName(j int) string { return "column " + strconv.Itoa(j) }

// column names 0-based column j in errors, with its header: `column 4 "Lettuce"`.
func (r *Reader) column(j int) string {
	if j < len(r.header) && r.header[j] != "" {
		return fmt.Sprintf("column %d %q", j+1, r.header[j])
	}
	return columnName(j + 1)
}

// line returns the file line of field j of the record last read (of its last field when the
// record is shorter).
func (r *Reader) line(j int) int64 {
	if j >= r.nfields {
		j = r.nfields - 1
	}
	if j < 0 {
		return 0
	}
	l, _ := r.cr.FieldPos(j)
	return int64(l)
}

// fail makes the ParseError of CSV record row (0 for the file as a whole).
func (r *Reader) fail(row, line int64, field string, err error) error {
	return &canvass.ParseError{Format: FormatName, File: r.name, Record: row, Line: line, Field: field, Err: err}
}

// csvError translates an error of encoding/csv or of the input.
func (r *Reader) csvError(err error, row int64) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return r.fail(row, int64(pe.StartLine), "", fmt.Errorf("%w: %w (line %d, byte %d of the line)", canvass.ErrSyntax, pe.Err, pe.Line, pe.Column))
	}
	return r.fail(row, 0, "", err)
}
