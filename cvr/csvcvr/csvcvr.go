// Package csvcvr reads the canvass generic CSV of cast vote records: one row per ballot, one
// column per contest and choice, that any county can produce from a spreadsheet.
//
// The header names the metadata columns (BallotID, required; Precinct, BallotType, Tabulator,
// Batch, CountingGroup) and the choice columns, "Contest: Choice", whose contest part may carry
// options: "Council [vote for 3]: Ann Lee", "Mayor [ranked 5]: Bo Chan", "Measure A [2/3]: Yes".
// Each cell of a choice column is 1 (a vote), 0 or empty (no mark), A (an ambiguous mark that
// counts), N (a mark that is not counted) or O (the contest is overvoted); in a ranked contest
// it is the rank. docs/formats/csv.md is the specification; its section names are cited in
// the comments.
//
// The reader streams with encoding/csv (ReuseRecord): per row it allocates only the one string
// encoding/csv makes of the row's fields, and reuses the Ballot it returns.
package csvcvr

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// FormatName is the name the format is registered under (--format csv).
const FormatName = "csv"

func init() {
	cvr.Register(cvr.Format{
		Name:  FormatName,
		Sniff: Sniff,
		Open:  cvr.Opener(Open),
	})
}

// Sniff reports whether the file at path is in this format: its name ends in .csv (in any
// case) and its header row, the first line of head that is not a comment, has a BallotID
// column and at least one "Contest: Choice" column (docs/formats/csv.md §Sniffing).
func Sniff(path string, head []byte) bool {
	if !strings.EqualFold(filepath.Ext(path), ".csv") {
		return false
	}
	head = bytes.TrimPrefix(head, bom)
	for len(head) > 0 && (head[0] == '#' || head[0] == '\n' || head[0] == '\r') {
		i := bytes.IndexByte(head, '\n')
		if i < 0 {
			return false
		}
		head = head[i+1:]
	}
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	// A header longer than head is cut; its complete fields are enough to decide.
	cr := csv.NewReader(bytes.NewReader(head))
	cr.LazyQuotes = true
	hdr, err := cr.Read()
	if err != nil {
		return false
	}
	var id, contest bool
	for _, h := range hdr {
		h = strings.TrimSpace(h)
		if metaIndex(h) == metaBallotID {
			id = true
		} else if _, _, ok := splitColumn(h); ok {
			contest = true
		}
	}
	return id && contest
}

// bom is the UTF-8 byte order mark that spreadsheets write at the start of a "CSV UTF-8" file.
var bom = []byte{0xEF, 0xBB, 0xBF}

// contestCols is how one contest is laid out in the row.
type contestCols struct {
	cols   []int               // the column of each choice, in choice order
	flags  []canvass.MarkFlags // WriteInMark for write-in choices
	ranked bool
	ranks  int // for ranked contests, the number of ranks (Contest.VoteFor)
}

var _ cvr.Reader = (*Reader)(nil)

// Reader streams the ballots of one CSV file. It implements cvr.Reader.
type Reader struct {
	name       string
	file       *os.File // the file Open opened (closed by Close)
	cr         *csv.Reader
	lineOffset int64 // lines before the ones encoding/csv counts (comments, byte order mark line)

	header   []string // the header row, trimmed
	meta     [nMeta]int
	contests []contestCols
	e        *canvass.Election

	b   canvass.Ballot
	n   int64 // data rows read so far
	err error // sticky: io.EOF or the first error
}

// Open opens the CSV file at path and reads its header. opts.Progress, if set, receives the
// bytes read.
func Open(path string, opts cvr.Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	r, err := NewReader(f, path, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.file = f
	return r, nil
}

// NewReader reads the header of a CSV CVR file from in, so that Election is complete, and
// returns a reader of its ballots; name names the input in errors. Close does not close in.
func NewReader(in io.Reader, name string, opts cvr.Options) (*Reader, error) {
	r := &Reader{name: name}
	br := bufio.NewReaderSize(cvr.Counting(in, opts.Progress), 64<<10)
	if err := r.skipPrelude(br); err != nil {
		return nil, r.fail(0, 0, "", err)
	}
	r.cr = csv.NewReader(br)
	r.cr.ReuseRecord = true
	r.cr.FieldsPerRecord = -1 // the count is checked here, to name the line and the column
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	return r, nil
}

// skipPrelude consumes a byte order mark and the comment lines (starting with '#') and blank
// lines before the header (docs/formats/csv.md §Comments), counting them so that the line
// numbers in errors are those of the file.
func (r *Reader) skipPrelude(br *bufio.Reader) error {
	if p, _ := br.Peek(len(bom)); bytes.Equal(p, bom) {
		br.Discard(len(bom))
	}
	for {
		p, err := br.Peek(1)
		if err != nil {
			if err == io.EOF {
				return nil // the header check reports the empty file
			}
			return err
		}
		if p[0] != '#' && p[0] != '\n' && p[0] != '\r' {
			return nil
		}
		if p[0] == '\r' {
			if p2, _ := br.Peek(2); len(p2) == 2 && p2[1] != '\n' {
				return nil // a lone CR is not a line end; let encoding/csv judge it
			}
		}
		for { // discard the line, however long
			_, err := br.ReadSlice('\n')
			if err == bufio.ErrBufferFull {
				continue
			}
			if err != nil && err != io.EOF {
				return err
			}
			break
		}
		r.lineOffset++
	}
}

// readHeader reads the header row and builds the election definition from it
// (docs/formats/csv.md §Header, §Contest options, §Write-ins).
func (r *Reader) readHeader() error {
	rec, err := r.cr.Read()
	if err == io.EOF {
		return r.fail(0, 0, "", fmt.Errorf("%w: empty file: want a header row with a BallotID column and Contest: Choice columns", canvass.ErrTruncated))
	}
	if err != nil {
		return r.csvError(err, 0)
	}
	line := r.line(0)
	r.header = make([]string, len(rec))
	for j, h := range rec {
		r.header[j] = strings.TrimSpace(h)
	}
	for i := range r.meta {
		r.meta[i] = -1
	}
	for j, h := range r.header {
		m := metaIndex(h)
		if m < 0 {
			continue
		}
		if r.meta[m] >= 0 {
			return r.fail(0, line, h, fmt.Errorf("%w: column %d repeats the %s column %d", canvass.ErrSyntax, j+1, metaNames[m], r.meta[m]+1))
		}
		r.meta[m] = j
	}
	if r.meta[metaBallotID] < 0 {
		return r.fail(0, line, "BallotID", fmt.Errorf("%w: the header has no BallotID column (the ballot's unique id); add one", canvass.ErrMissingField))
	}

	e := &canvass.Election{}
	byName := map[string]int{}   // contest NameKey → index
	byChoice := map[string]int{} // contest NameKey + NUL + choice NameKey → column
	var opts []contestOptions    // per contest
	var firstCol []int           // per contest, its first column (named in option errors)
	for j, h := range r.header {
		if slices.Contains(r.meta[:], j) {
			continue
		}
		if h == "" {
			return r.fail(0, line, fmt.Sprintf("column %d", j+1), fmt.Errorf("%w: column %d has no header; name it \"Contest: Choice\" or delete it", canvass.ErrSyntax, j+1))
		}
		cpart, choice, ok := splitColumn(h)
		if !ok {
			return r.fail(0, line, h, fmt.Errorf("%w: column %d is neither a metadata column (%s) nor a \"Contest: Choice\" column", canvass.ErrSyntax, j+1, strings.Join(metaNames[:], ", ")))
		}
		name, o, err := parseContest(cpart)
		if err != nil {
			return r.fail(0, line, h, err)
		}
		if name == "" || choice == "" {
			return r.fail(0, line, h, fmt.Errorf("%w: column %d: empty contest or choice name", canvass.ErrSyntax, j+1))
		}
		key := canvass.NameKey(name)
		ci, seen := byName[key]
		if !seen {
			ci = len(e.Contests)
			byName[key] = ci
			e.Contests = append(e.Contests, &canvass.Contest{ID: name, Name: name})
			r.contests = append(r.contests, contestCols{})
			opts = append(opts, contestOptions{})
			firstCol = append(firstCol, j)
		}
		if err := opts[ci].merge(o); err != nil {
			return r.fail(0, line, h, fmt.Errorf("column %d: %w", j+1, err))
		}
		ck := key + "\x00" + canvass.NameKey(choice)
		if prev, dup := byChoice[ck]; dup {
			return r.fail(0, line, h, fmt.Errorf("%w: column %d repeats the contest and choice of column %d", canvass.ErrSyntax, j+1, prev+1))
		}
		byChoice[ck] = j
		c := e.Contests[ci]
		wi := isWriteIn(choice)
		c.Choices = append(c.Choices, &canvass.Choice{ID: h, Name: choice, WriteIn: wi})
		cc := &r.contests[ci]
		cc.cols = append(cc.cols, j)
		var f canvass.MarkFlags
		if wi {
			f = canvass.WriteInMark
		}
		cc.flags = append(cc.flags, f)
	}
	if len(e.Contests) == 0 {
		return r.fail(0, line, "Contest: Choice", fmt.Errorf("%w: the header has no \"Contest: Choice\" column", canvass.ErrMissingField))
	}
	for ci, c := range e.Contests {
		if err := opts[ci].apply(c); err != nil {
			return r.fail(0, line, r.header[firstCol[ci]], fmt.Errorf("contest %q: %w", c.Name, err))
		}
		r.contests[ci].ranked = c.Type.Ranked()
		r.contests[ci].ranks = c.VoteFor
	}
	r.e = e
	return nil
}

// Election returns the election definition read from the header.
func (r *Reader) Election() *canvass.Election { return r.e }

// Where names the file and the 1-based number of the data row that Next last returned.
func (r *Reader) Where() (string, int64) { return r.name, r.n }

// Close closes the file Open opened; it does not close the input of NewReader.
func (r *Reader) Close() error {
	if r.file == nil {
		return nil
	}
	err := r.file.Close()
	r.file = nil
	return err
}

// Next returns the ballot of the next data row, or io.EOF after the last. The ballot is
// reused by the next call.
func (r *Reader) Next() (*canvass.Ballot, error) {
	if r.err != nil {
		return nil, r.err
	}
	rec, err := r.cr.Read()
	if err != nil {
		if err == io.EOF {
			r.err = io.EOF
		} else {
			r.err = r.csvError(err, r.n+1)
		}
		return nil, r.err
	}
	r.n++
	if len(rec) != len(r.header) {
		field := ""
		if len(rec) < len(r.header) {
			field = r.header[len(rec)] // the first column missing
		}
		r.err = r.fail(r.n, r.line(0), field, fmt.Errorf("%w: the row has %d fields, the header %d", canvass.ErrSyntax, len(rec), len(r.header)))
		return nil, r.err
	}
	b := &r.b
	b.Reset()
	// encoding/csv makes one string of each row's fields, so these share it: no copies.
	idCol := r.meta[metaBallotID]
	if b.ID = strings.TrimSpace(rec[idCol]); b.ID == "" {
		r.err = r.fail(r.n, r.line(idCol), r.header[idCol], fmt.Errorf("%w: empty ballot id", canvass.ErrMissingField))
		return nil, r.err
	}
	b.Precinct = r.metaValue(rec, metaPrecinct)
	b.BallotType = r.metaValue(rec, metaBallotType)
	b.Tabulator = r.metaValue(rec, metaTabulator)
	b.Batch = r.metaValue(rec, metaBatch)
	b.CountingGroup = r.metaValue(rec, metaCountingGroup)
	for ci := range r.contests {
		if err := r.fillContest(b, int32(ci), rec); err != nil {
			r.err = err
			return nil, err
		}
	}
	return b, nil
}

func (r *Reader) metaValue(rec []string, m int) string {
	if j := r.meta[m]; j >= 0 {
		return strings.TrimSpace(rec[j])
	}
	return ""
}

// Cell syntax errors say what a cell may hold (docs/formats/csv.md §Cells).
const (
	wantCell   = "want 1 (a vote), 0 or empty (no mark), A (ambiguous, counted), N (not counted) or O (overvoted)"
	wantRanked = "want a rank 1 to %d, optionally followed by A (ambiguous) or N (not counted), 0 or empty (no mark) or O (overvoted)"
)

// fillContest reads the cells of contest ci (docs/formats/csv.md §Cells, §Contests on the
// ballot): the contest is on the ballot when one of its cells is not empty.
func (r *Reader) fillContest(b *canvass.Ballot, ci int32, rec []string) error {
	cc := &r.contests[ci]
	var cm *canvass.ContestMarks
	for k, j := range cc.cols {
		cell := rec[j]
		if cell == "" {
			continue
		}
		if c0, cn := cell[0], cell[len(cell)-1]; c0 == ' ' || c0 == '\t' || cn == ' ' || cn == '\t' {
			if cell = strings.TrimSpace(cell); cell == "" {
				continue
			}
		}
		if cm == nil {
			cm = b.AddContest(ci)
		}
		flags := cc.flags[k]
		if cc.ranked {
			if cell == "O" || cell == "o" {
				// The rank of the extra mark is not known: the contest is overvoted, no mark.
				cm.Overvoted = true
				continue
			}
			rank, f, ok := parseRank(cell, cc.ranks)
			if !ok {
				return r.fail(r.n, r.line(j), r.header[j], fmt.Errorf("%w: cell %q: "+wantRanked, canvass.ErrSyntax, cell, cc.ranks))
			}
			if rank > 0 {
				cm.Marks = append(cm.Marks, canvass.Mark{Choice: int32(k), Rank: rank, Flags: flags | f})
			}
			continue
		}
		if len(cell) != 1 {
			return r.fail(r.n, r.line(j), r.header[j], fmt.Errorf("%w: cell %q: %s", canvass.ErrSyntax, cell, wantCell))
		}
		switch cell[0] {
		case '0':
			continue
		case '1':
		case 'A', 'a':
			flags |= canvass.Ambiguous
		case 'N', 'n':
			flags |= canvass.NotCounted
		case 'O', 'o':
			// The voter marked this choice in an overvoted contest: the mark is kept, not a vote.
			flags |= canvass.NotCounted
			cm.Overvoted = true
		default:
			return r.fail(r.n, r.line(j), r.header[j], fmt.Errorf("%w: cell %q: %s", canvass.ErrSyntax, cell, wantCell))
		}
		cm.Marks = append(cm.Marks, canvass.Mark{Choice: int32(k), Flags: flags})
	}
	if cm != nil && cc.ranked {
		sortByRank(cm.Marks)
	}
	return nil
}

// parseRank parses a ranked cell: digits, then optionally A or N. It returns rank 0 for "0"
// (no mark) and ok false for anything else that is not a rank from 1 to ranks.
func parseRank(cell string, ranks int) (rank int32, flags canvass.MarkFlags, ok bool) {
	i, v := 0, 0
	for ; i < len(cell) && '0' <= cell[i] && cell[i] <= '9'; i++ {
		if v = v*10 + int(cell[i]-'0'); v > ranks {
			return 0, 0, false
		}
	}
	if i == 0 {
		return 0, 0, false
	}
	switch cell[i:] {
	case "":
	case "A", "a":
		flags = canvass.Ambiguous
	case "N", "n":
		flags = canvass.NotCounted
	default:
		return 0, 0, false
	}
	if v == 0 && flags != 0 {
		return 0, 0, false // "0A" marks nothing
	}
	return int32(v), flags, true
}

// sortByRank orders the marks of a ranked contest by rank, keeping column order within a rank
// (an insertion sort: a ballot has a few marks per contest, and it does not allocate).
func sortByRank(ms []canvass.Mark) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].Rank < ms[j-1].Rank; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

// line returns the file line of field j of the row last read.
func (r *Reader) line(j int) int64 {
	l, _ := r.cr.FieldPos(j)
	return int64(l) + r.lineOffset
}

// fail makes the ParseError of record (0 for the header), line and field.
func (r *Reader) fail(record, line int64, field string, err error) error {
	return &canvass.ParseError{Format: FormatName, File: r.name, Record: record, Line: line, Field: field, Err: err}
}

// csvError translates an error of encoding/csv (a quote out of place) or of the input.
func (r *Reader) csvError(err error, record int64) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		// The line where the record starts is where to look; encoding/csv's Line is where it
		// gave up, which for an unclosed quote is the end of the file.
		return r.fail(record, int64(pe.StartLine)+r.lineOffset, "", fmt.Errorf("%w: %w (line %d, byte %d of the line)", canvass.ErrSyntax, pe.Err, int64(pe.Line)+r.lineOffset, pe.Column))
	}
	return r.fail(record, 0, "", err)
}
