// Package ess reads the ranked cast vote record export of ES&S (Election Systems & Software) as
// RCTab reads it: an xlsx workbook whose first sheet has one row per ballot and, for one ranked
// contest, one column per rank whose cell names the candidate ranked there.
//
//	Cast Vote Record | Precinct | Ballot Style | Choice 1 | Choice 2  | Choice 3
//	1                | P-01     | BS 1         | Ann Lee  | undervote | Bo Chan|Cy Dee
//
// The layout is configured by cvr.RankedOptions, the settings of one RCTab cvrFileSource: the
// first rank column and the first ballot row, the optional id, precinct and batch columns, and
// the labels a cell may hold for a skipped rank, an overvote and an undeclared write-in.
// docs/formats/ess.md is the specification.
//
// The workbook is streamed: the reader holds one row at a time and the shared string table,
// whatever the number of ballots.
package ess

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// FormatName names the format in errors.
const FormatName = "ess"

// DefaultContest is the contest's name when RankedOptions.Contest is empty.
const DefaultContest = cvr.DefaultRankedContest

var _ cvr.Reader = (*Reader)(nil)

// Reader streams the ballots of one ES&S xlsx file. It implements cvr.Reader.
type Reader struct {
	name  string
	base  string // the file's base name, for ballot ids made from the row
	opts  cvr.RankedOptions
	wb    *workbook
	sheet *sheetScanner

	e       *canvass.Election
	choices map[string]int32 // candidate name or alias → choice
	uwi     int32            // the choice of undeclared write-ins
	first   int              // the 1-based column of rank 1
	ranks   int
	header  map[int]string // column → header text, for errors

	pending bool // the sheet's current row is the first ballot, read by Open
	b       canvass.Ballot
	row     int64 // the sheet row of the ballot Next last returned
	n       int64 // ballots returned
	ids     cvr.IDArena
	err     error // sticky: io.EOF or the first error
}

func init() {
	// Registered without Sniff and Open: the layout says nothing of its columns and
	// candidates, which only an RCTab configuration gives (cvr.OpenRanked).
	cvr.Register(cvr.Format{Name: FormatName, OpenRanked: Open})
}

// Open opens the ES&S xlsx file at path and reads its header, so that Election is complete.
//
// The contest's rank columns run from opts.FirstVoteColumn to the last column with a header,
// except a column headed "Count" (ES&S's ballot count column in Minneapolis's exports) and any
// after it; rows before opts.FirstVoteRow are headers, and the last of them names the columns.
// With no header row (FirstVoteRow 1) the sheet's dimension gives the last column.
func Open(path string, opts cvr.RankedOptions) (cvr.Reader, error) {
	r := &Reader{name: path, base: filepath.Base(path), opts: opts}
	if opts.FirstVoteColumn < 1 || opts.FirstVoteRow < 1 {
		return nil, r.fail(0, "", fmt.Errorf("%w: the first vote column (%d) and the first vote row (%d) must be set (1-based)", canvass.ErrMissingField, opts.FirstVoteColumn, opts.FirstVoteRow))
	}
	var err error
	if r.choices, r.uwi, err = opts.ChoiceMap(); err != nil {
		return nil, r.fail(0, "", err)
	}
	if r.wb, err = openWorkbook(path); err != nil {
		return nil, r.fail(0, "", fmt.Errorf("%w: %w", canvass.ErrWrongFormat, err))
	}
	if err := r.start(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// start reads the header rows and the first ballot row, and defines the election.
func (r *Reader) start() error {
	var err error
	if r.sheet, err = r.wb.openSheet(); err != nil {
		return r.fail(0, "", err)
	}
	r.first = r.opts.FirstVoteColumn
	var header []cell
	for {
		err := r.sheet.nextRow()
		if err == io.EOF {
			break
		}
		if err != nil {
			return r.sheetFail(err)
		}
		if r.sheet.row >= r.opts.FirstVoteRow {
			r.pending = true
			break
		}
		header = append(header[:0], r.sheet.cells...)
	}
	r.header = map[int]string{}
	last := 0
	for _, c := range header {
		h := strings.TrimSpace(c.val)
		if h == "" || c.col < r.first {
			r.header[c.col] = h
			continue
		}
		if strings.EqualFold(h, "count") {
			break
		}
		r.header[c.col] = h
		last = c.col
	}
	if r.opts.FirstVoteRow == 1 || len(header) == 0 {
		last = dimensionColumns(r.sheet.dimension)
	}
	if last < r.first {
		return r.fail(int64(max(r.opts.FirstVoteRow-1, 0)), columnName(r.first), fmt.Errorf("%w: no rank columns: the header row has no column at or right of the first vote column %d (%s); check firstVoteColumnIndex and firstVoteRowIndex", canvass.ErrMissingField, r.first, columnName(r.first)))
	}
	r.ranks = last - r.first + 1
	// Cells right of the last rank column and of the metadata columns are not needed.
	r.sheet.maxCol = max(last, r.opts.IDColumn, r.opts.PrecinctColumn, r.opts.BatchColumn)
	r.e = r.opts.RankedElection(r.ranks)
	return nil
}

// Election returns the election: one ranked contest.
func (r *Reader) Election() *canvass.Election { return r.e }

// Where names the file and the sheet row (1-based, as the spreadsheet numbers it) of the ballot
// Next last returned.
func (r *Reader) Where() (string, int64) { return r.name, r.row }

// Close closes the file.
func (r *Reader) Close() error {
	var err error
	if r.sheet != nil {
		err = r.sheet.Close()
		r.sheet = nil
	}
	if r.wb != nil {
		if e := r.wb.Close(); err == nil {
			err = e
		}
		r.wb = nil
	}
	return err
}

// Next returns the ballot of the next row, or io.EOF after the last. Every row element at or
// below the first vote row is a ballot, even one with no cells (RCTab counts it, with no
// rankings). The ballot is reused by the next call.
func (r *Reader) Next() (*canvass.Ballot, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.sheet == nil {
		r.err = r.fail(r.row, "", errors.New("read after Close"))
		return nil, r.err
	}
	if r.pending {
		r.pending = false
	} else if err := r.sheet.nextRow(); err != nil {
		if err == io.EOF {
			r.err = io.EOF
		} else {
			r.err = r.sheetFail(err)
		}
		return nil, r.err
	}
	r.n++
	r.row = int64(r.sheet.row)
	if err := r.fill(r.sheet.cells); err != nil {
		r.err = err
		return nil, err
	}
	return &r.b, nil
}

// fill makes the ballot of one row (docs/formats/ess.md §Cells).
func (r *Reader) fill(cells []cell) error {
	b := &r.b
	b.Reset()
	cm := b.AddContest(0)
	o := &r.opts
	haveID := false
	next := 1 // the next rank whose cell has not been seen, to find blank ranks
	for _, c := range cells {
		switch c.col {
		case o.IDColumn:
			if id := strings.TrimSpace(c.val); id != "" {
				b.ID, haveID = id, true
			}
		case o.PrecinctColumn:
			b.Precinct = strings.TrimSpace(c.val)
		case o.BatchColumn:
			b.Batch = strings.TrimSpace(c.val)
		}
		rank := c.col - r.first + 1
		if rank < 1 || rank > r.ranks {
			continue
		}
		cell := strings.TrimSpace(c.val)
		if cell == "" {
			continue // a blank rank, handled as a missing cell
		}
		r.blanks(cm, next, rank)
		next = rank + 1
		if err := r.addCell(cm, c.col, int32(rank), cell); err != nil {
			return err
		}
	}
	r.blanks(cm, next, r.ranks+1)
	if o.IDColumn > 0 && !haveID {
		return r.fail(r.row, r.column(o.IDColumn), fmt.Errorf("%w: the ballot id cell is empty", canvass.ErrMissingField))
	}
	if !haveID {
		// RCTab's computed id: the file name and the ballot's number in it.
		var buf [128]byte
		id := append(append(buf[:0], r.base...), '-')
		b.ID = r.ids.String(strconv.AppendInt(id, r.n, 10))
	}
	return nil
}

// blanks handles the blank ranks from up to before to: with TreatBlankAsUndeclaredWriteIn
// each is an undeclared write-in, otherwise it is a skipped rank (no mark).
func (r *Reader) blanks(cm *canvass.ContestMarks, from, to int) {
	if !r.opts.TreatBlankAsUndeclaredWriteIn {
		return
	}
	for k := from; k < to; k++ {
		cm.Marks = append(cm.Marks, canvass.Mark{Choice: r.uwi, Rank: int32(k), Flags: canvass.WriteInMark})
	}
}

// addCell adds the marks of one non-blank rank cell: one candidate or label, or with an
// overvote delimiter several candidates at the same rank.
func (r *Reader) addCell(cm *canvass.ContestMarks, col int, rank int32, cell string) error {
	o := &r.opts
	if o.OvervoteDelimiter == "" || !strings.Contains(cell, o.OvervoteDelimiter) {
		return r.addName(cm, col, rank, cell)
	}
	for part := range strings.SplitSeq(cell, o.OvervoteDelimiter) {
		part = strings.TrimSpace(part)
		if part == "" || part == o.UndervoteLabel {
			return r.fail(r.row, r.column(col), fmt.Errorf("%w: cell %q: a cell split by the overvote delimiter %q must name a candidate in every part, not a blank or the undervote label", canvass.ErrSyntax, cell, o.OvervoteDelimiter))
		}
		if err := r.addName(cm, col, rank, part); err != nil {
			return err
		}
	}
	return nil
}

// addName adds the mark of one name at rank: a candidate, or a label.
func (r *Reader) addName(cm *canvass.ContestMarks, col int, rank int32, name string) error {
	o := &r.opts
	switch {
	case o.UndervoteLabel != "" && name == o.UndervoteLabel:
		return nil
	case o.OvervoteLabel != "" && name == o.OvervoteLabel:
		cm.Marks = append(cm.Marks, canvass.Mark{Choice: canvass.NoChoice, Rank: rank, Flags: canvass.OvervoteMark})
		return nil
	}
	c, ok := r.choices[name]
	if !ok {
		return r.fail(r.row, r.column(col), fmt.Errorf("%w: %q is not a candidate or alias of the contest, nor a label (undervote %q, overvote %q, undeclared write-in %q); add it to the candidates or correct the cell", canvass.ErrUnknownChoice, name, o.UndervoteLabel, o.OvervoteLabel, o.UndeclaredWriteInLabel))
	}
	var f canvass.MarkFlags
	if c == r.uwi {
		f = canvass.WriteInMark
	}
	cm.Marks = append(cm.Marks, canvass.Mark{Choice: c, Rank: rank, Flags: f})
	return nil
}

// column names a column in errors: its letters and its header, e.g. `C "2nd Choice"`.
func (r *Reader) column(col int) string {
	if h := r.header[col]; h != "" {
		return fmt.Sprintf("%s %q", columnName(col), h)
	}
	return columnName(col)
}

// fail makes the ParseError of a sheet row (0 for the file as a whole) and column.
func (r *Reader) fail(row int64, field string, err error) error {
	return &canvass.ParseError{Format: FormatName, File: r.name, Record: row, Field: field, Err: err}
}

// sheetFail translates an error of the sheet scanner.
func (r *Reader) sheetFail(err error) error {
	var se *sheetError
	if errors.As(err, &se) {
		field := ""
		if se.col > 0 {
			field = r.column(se.col)
		}
		kind := canvass.ErrSyntax
		if errors.Is(se.err, errTruncatedSheet) {
			kind = canvass.ErrTruncated
		}
		return r.fail(int64(se.row), field, fmt.Errorf("%w: %w", kind, se.err))
	}
	return r.fail(int64(r.sheet.row), "", fmt.Errorf("%w: %w", canvass.ErrSyntax, err))
}
