// Package clearballot reads the cast vote record CSV of Clear Ballot ClearVote (the layout of
// its 2.1 RCV export): one row per ballot, ten fixed columns
//
//	RowNumber, BoxID, BoxPosition, BallotID, PrecinctID, BallotStyleID, PrecinctStyleName,
//	ScanComputerName, Status, Remade
//
// then one column per choice and rank, whose header has six fields separated by colons:
//
//	Choice_<id>_<n>:<contest>:<rank>:<vote rule>:<choice>:<party>
//
// for example "Choice_6_1:City of Portland, Auditor:2:Number of Winners 1:Simone test Rede:NON".
// A cell is 1 when the voter marked that choice at that rank, else 0. Names may hold commas
// (the CSV quotes them); a contest name may hold colons too, since the rank, vote rule, choice
// and party are taken from the end of the header.
//
// docs/formats/clearballot.md lists the fields read.
package clearballot

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// FormatName is the name the format is registered under.
const FormatName = "clearballot"

func init() {
	cvr.Register(cvr.Format{
		Name:       FormatName,
		Sniff:      Sniff,
		Open:       cvr.Opener(func(p string, opts cvr.Options) (*Reader, error) { return open(p, cvr.RankedOptions{}, opts) }),
		OpenRanked: Open,
	})
}

// The fixed columns, by header name.
const (
	colBallotID = "BallotID"
	colPrecinct = "PrecinctID"
	colStyle    = "BallotStyleID"
	colScanner  = "ScanComputerName"
	colBox      = "BoxID"
)

// Sniff reports whether head starts with Clear Ballot's header: RowNumber and BoxID first, and
// a Choice_ column.
func Sniff(path string, head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	line := head
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		line = head[:i]
	}
	plain := bytes.ReplaceAll(line, []byte(`"`), nil)
	return bytes.HasPrefix(plain, []byte("RowNumber,BoxID,")) && bytes.Contains(plain, []byte(",Choice_"))
}

// Open reads the Clear Ballot CSV at path. opts.Contest selects a contest by name; "" reads
// every contest. opts.Candidates, when given with one contest read, are its choices in that
// order, each header's choice matched against a candidate's name and aliases. A choice named
// opts.UndeclaredWriteInLabel is cvr.UndeclaredWriteIn, and one named opts.OvervoteLabel marks
// an overvote (canvass.OvervoteMark). The column and row settings of opts are not used: the
// layout is fixed.
func Open(path string, opts cvr.RankedOptions) (cvr.Reader, error) {
	r, err := open(path, opts, cvr.Options{})
	if err != nil {
		return nil, err
	}
	return r, nil
}

var _ cvr.Reader = (*Reader)(nil)

// Reader streams the ballots of a Clear Ballot CSV: one per row. It implements cvr.Reader.
type Reader struct {
	name string
	f    *os.File
	cr   *csv.Reader
	e    *canvass.Election
	cols []column // the choice columns read
	// fixed column indices (-1 when absent)
	id, precinct, style, scanner, box int
	header                            []string
	n                                 int64
	b                                 canvass.Ballot
	err                               error
}

// column is one choice column that is read.
type column struct {
	index   int   // in the row
	contest int32 // index into Election.Contests
	choice  int32 // index into Contest.Choices, or canvass.NoChoice for an overvote label
	rank    int32 // 0 in an unranked contest
}

func open(path string, opts cvr.RankedOptions, copts cvr.Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &cvr.ParseError{Format: FormatName, File: path, Err: err}
	}
	r, err := newReader(bufio.NewReader(cvr.Counting(f, copts.Progress)), path, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.f = f
	return r, nil
}

// header is a parsed choice column header.
type header struct {
	id, contest, choice, party, rule string
	rank                             int
}

// parseHeader splits a choice column header (see the package documentation).
func parseHeader(h string) (header, error) {
	parts := strings.Split(h, ":")
	if len(parts) < 6 {
		return header{}, fmt.Errorf("%w: a choice column header has 6 fields separated by colons (Choice_id:contest:rank:rule:choice:party), this one %d", canvass.ErrSyntax, len(parts))
	}
	n := len(parts)
	rank, err := strconv.Atoi(strings.TrimSpace(parts[n-4]))
	if err != nil || rank < 1 || rank > 1<<20 {
		return header{}, fmt.Errorf("%w: rank %q", canvass.ErrNotNumber, parts[n-4])
	}
	return header{
		id:      parts[0],
		contest: strings.Join(parts[1:n-4], ":"),
		rank:    rank,
		rule:    parts[n-3],
		choice:  parts[n-2],
		party:   parts[n-1],
	}, nil
}

// seatsOf reads "Number of Winners N" from a vote rule (1 when it says nothing else).
func seatsOf(rule string) int {
	const p = "Number of Winners "
	if strings.HasPrefix(rule, p) {
		if n, err := strconv.Atoi(strings.TrimSpace(rule[len(p):])); err == nil && n > 0 && n < 1<<20 {
			return n
		}
	}
	return 1
}

func newReader(in io.Reader, name string, opts cvr.RankedOptions) (*Reader, error) {
	r := &Reader{name: name, id: -1, precinct: -1, style: -1, scanner: -1, box: -1}
	r.cr = csv.NewReader(in)
	r.cr.ReuseRecord = true
	hdr, err := r.cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, r.fail(0, 1, "", fmt.Errorf("%w: the file is empty", canvass.ErrTruncated))
		}
		return nil, r.fail(0, 1, "", err)
	}
	r.header = append([]string(nil), hdr...)
	if len(r.header) > 0 {
		r.header[0] = strings.TrimPrefix(r.header[0], "\ufeff")
	}
	r.cr.FieldsPerRecord = len(r.header)
	type cseen struct {
		c       *canvass.Contest
		choices map[string]int32
		ranks   int
	}
	var contests []*cseen
	byName := map[string]*cseen{}
	useCandidates := len(opts.Candidates) > 0
	var heads []header
	var headCols []int
	for i, h := range r.header {
		switch h {
		case colBallotID:
			r.id = i
		case colPrecinct:
			r.precinct = i
		case colStyle:
			r.style = i
		case colScanner:
			r.scanner = i
		case colBox:
			r.box = i
		}
		if !strings.HasPrefix(h, "Choice_") {
			continue
		}
		hd, err := parseHeader(h)
		if err != nil {
			return nil, r.fail(0, 1, h, err)
		}
		if opts.Contest != "" && canvass.NameKey(hd.contest) != canvass.NameKey(opts.Contest) {
			continue
		}
		heads, headCols = append(heads, hd), append(headCols, i)
		if byName[canvass.NameKey(hd.contest)] == nil {
			cs := &cseen{c: &canvass.Contest{ID: hd.contest, Name: strings.TrimSpace(hd.contest), Type: canvass.Plurality, Seats: seatsOf(hd.rule)}, choices: map[string]int32{}}
			byName[canvass.NameKey(hd.contest)] = cs
			contests = append(contests, cs)
		}
	}
	if len(heads) == 0 {
		if opts.Contest != "" {
			return nil, r.fail(0, 1, "", fmt.Errorf("%w: no Choice_ column of contest %q", canvass.ErrUnknownContest, opts.Contest))
		}
		return nil, r.fail(0, 1, "", fmt.Errorf("%w: no Choice_ columns (Choice_id:contest:rank:rule:choice:party)", canvass.ErrWrongFormat))
	}
	if r.id < 0 {
		return nil, r.fail(0, 1, colBallotID, fmt.Errorf("%w: no %s column", canvass.ErrMissingField, colBallotID))
	}
	useCandidates = useCandidates && len(contests) == 1
	r.e = &canvass.Election{}
	for _, cs := range contests {
		r.e.Contests = append(r.e.Contests, cs.c)
		if useCandidates {
			for _, cand := range opts.Candidates {
				ch := int32(len(cs.c.Choices))
				cs.c.Choices = append(cs.c.Choices, &canvass.Choice{ID: cand.Name, Name: cand.Name})
				cs.choices[canvass.NameKey(cand.Name)] = ch
				for _, a := range cand.Aliases {
					cs.choices[canvass.NameKey(a)] = ch
				}
			}
		}
	}
	for k, hd := range heads {
		cx := int32(0)
		for i, cs := range contests {
			if canvass.NameKey(cs.c.ID) == canvass.NameKey(hd.contest) {
				cx = int32(i)
			}
		}
		cs := contests[cx]
		cs.ranks = max(cs.ranks, hd.rank)
		key := canvass.NameKey(hd.choice)
		ch, ok := cs.choices[key]
		switch {
		case opts.OvervoteLabel != "" && hd.choice == opts.OvervoteLabel:
			ch = canvass.NoChoice
		case ok:
		case opts.UndeclaredWriteInLabel != "" && hd.choice == opts.UndeclaredWriteInLabel:
			uwi := canvass.NameKey(cvr.UndeclaredWriteIn)
			if ch, ok = cs.choices[uwi]; !ok {
				ch = int32(len(cs.c.Choices))
				cs.c.Choices = append(cs.c.Choices, &canvass.Choice{ID: hd.id, Name: cvr.UndeclaredWriteIn, WriteIn: true})
				cs.choices[uwi] = ch
			}
			cs.choices[key] = ch
		case useCandidates:
			return nil, r.fail(0, 1, r.header[headCols[k]], fmt.Errorf("%w: choice %q of contest %q is none of the candidates", canvass.ErrUnknownChoice, hd.choice, hd.contest))
		default:
			ch = int32(len(cs.c.Choices))
			cs.c.Choices = append(cs.c.Choices, &canvass.Choice{ID: hd.id, Name: strings.TrimSpace(hd.choice), Party: hd.party})
			cs.choices[key] = ch
		}
		r.cols = append(r.cols, column{index: headCols[k], contest: cx, choice: ch, rank: int32(hd.rank)})
	}
	for i, cs := range contests {
		if cs.ranks > 1 {
			// A rank above 1 in a header makes the contest ranked, with that many ranks.
			cs.c.Type, cs.c.VoteFor = canvass.IRV, cs.ranks
			if cs.c.Seats > 1 {
				cs.c.Type = canvass.STV
			}
		} else {
			cs.c.VoteFor = cs.c.Seats
			for j := range r.cols {
				if r.cols[j].contest == int32(i) {
					r.cols[j].rank = 0
				}
			}
		}
	}
	if err := r.e.Validate(); err != nil {
		return nil, r.fail(0, 1, "", err)
	}
	return r, nil
}

// Election returns the contests and choices of the header.
func (r *Reader) Election() *canvass.Election { return r.e }

// Where names the file and the 1-based number of the row Next last returned.
func (r *Reader) Where() (string, int64) { return r.name, r.n }

// Close closes the file Open opened.
func (r *Reader) Close() error {
	if r.err == nil {
		r.err = errors.New("clearballot: reader closed")
	}
	if r.f != nil {
		err := r.f.Close()
		r.f = nil
		return err
	}
	return nil
}

func (r *Reader) fail(rec, line int64, field string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		line = int64(pe.Line)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w: %w", canvass.ErrTruncated, err)
		} else {
			err = fmt.Errorf("%w: %w", canvass.ErrSyntax, err)
		}
	}
	r.err = &cvr.ParseError{Format: FormatName, File: r.name, Record: rec, Line: line, Field: field, Err: err}
	return r.err
}

// Next returns the next ballot, or io.EOF after the last. The ballot is reused by the next call.
func (r *Reader) Next() (*canvass.Ballot, error) {
	if r.err != nil {
		return nil, r.err
	}
	row, err := r.cr.Read()
	if err == io.EOF {
		r.err = io.EOF
		return nil, io.EOF
	}
	if err != nil {
		return nil, r.fail(r.n+1, 0, "", err)
	}
	r.n++
	line, _ := r.cr.FieldPos(0)
	b := &r.b
	b.Reset()
	b.ID = strings.TrimSpace(row[r.id])
	if b.ID == "" {
		return nil, r.fail(r.n, int64(line), colBallotID, fmt.Errorf("%w: empty ballot id", canvass.ErrMissingField))
	}
	if r.precinct >= 0 {
		b.Precinct = row[r.precinct]
	}
	if r.style >= 0 {
		b.BallotType = row[r.style]
	}
	if r.scanner >= 0 {
		b.Tabulator = row[r.scanner]
	}
	if r.box >= 0 {
		b.Batch = row[r.box]
	}
	// Every ballot of the file has every contest of the header: a row of zeros is a blank
	// contest, not a missing one.
	for i := range r.e.Contests {
		b.AddContest(int32(i))
	}
	for _, c := range r.cols {
		switch strings.TrimSpace(row[c.index]) {
		case "0", "":
			continue
		case "1":
		default:
			return nil, r.fail(r.n, int64(line), r.header[c.index], fmt.Errorf("%w: %q is neither 0 nor 1", canvass.ErrSyntax, row[c.index]))
		}
		cm := &b.Contests[c.contest] // AddContest above: entry i is contest i
		m := canvass.Mark{Choice: c.choice, Rank: c.rank}
		if c.choice == canvass.NoChoice {
			m.Flags = canvass.OvervoteMark
		} else if r.e.Contests[c.contest].Choices[c.choice].WriteIn {
			m.Flags = canvass.WriteInMark
		}
		cm.Marks = append(cm.Marks, m)
	}
	return b, nil
}
