package sampler

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/canvass-vote/canvass"
)

// Batch is one line of a ballot manifest: a batch of ballots kept together, where it is, and
// how many ballots it holds.
type Batch struct {
	Jurisdiction string // county or town; "" when the manifest is for one jurisdiction
	Container    string // the box or bag the batch is in; optional
	Tabulator    string // the scanner that counted the batch; optional
	Name         string // the batch name, unique within its jurisdiction and tabulator
	Ballots      int64  // number of ballots (ballot cards) in the batch, ≥ 0
}

// Manifest is a ballot manifest: every batch of ballots in the population an audit samples
// from, in the order given. Ballot i of the population (0-based) is ballot i − (ballots of
// the batches before) + 1 of its batch. Build a Manifest with [ReadManifest] or
// [ManifestFromCounts], which also index it for [Manifest.Locate].
type Manifest struct {
	Batches []Batch
	Total   int64 // the sum of the batches' Ballots

	ends []int64 // ends[k] = ballots in Batches[:k+1]
}

// Manifest column names, matched case-insensitively after trimming spaces (and a UTF-8 byte
// order mark). Each field accepts the names listed; Batch Name and Number of Ballots are
// required, the others optional. Columns with other names are ignored.
var manifestColumns = []struct {
	field   string // the canonical name, used in documentation
	aliases []string
}{
	{"Jurisdiction", []string{"jurisdiction", "jurisdiction name", "county"}},
	{"Container", []string{"container"}},
	{"Tabulator", []string{"tabulator", "scanner"}},
	{"Batch Name", []string{"batch name", "batch", "batch id"}},
	{"Number of Ballots", []string{"number of ballots", "number of ballot cards", "ballots", "ballot count", "ballot cards"}},
}

const (
	colJurisdiction = iota
	colContainer
	colTabulator
	colName
	colBallots
	numCols
)

// ReadManifest reads a ballot manifest in CSV: a header row, then one row per batch. The
// header names the columns (case-insensitive): Batch Name (or Batch, Batch ID) and Number
// of Ballots (or Number of Ballot Cards, Ballots, Ballot Count, Ballot Cards) are required;
// Jurisdiction (or Jurisdiction Name, County), Container and Tabulator (or Scanner) are
// optional; other columns are ignored. Rows whose cells are all blank are skipped.
//
// A batch's key is its jurisdiction, tabulator and name; a key seen twice is refused, as are
// a blank batch name and a count that is not a whole number of ballots (digits only, no sign
// or separators). Errors are *canvass.ParseError with Format "manifest", File name, Record
// the row number counting the header as 1, Line, Field the column as written in the header,
// and Err wrapping canvass.ErrMissingField, ErrNotNumber, ErrDuplicateID or ErrSyntax.
//
// ReadManifest reads r as a stream, keeping only the batches.
func ReadManifest(r io.Reader, name string) (*Manifest, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	perr := func(rec int64, line int, field string, err error) error {
		return &canvass.ParseError{Format: "manifest", File: name, Record: rec, Line: int64(line), Field: field, Err: err}
	}
	csvErr := func(rec int64, err error) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return perr(rec, pe.Line, "", fmt.Errorf("%w: %v", canvass.ErrSyntax, pe.Err))
		}
		return perr(rec, 0, "", err) // an I/O error
	}

	header, err := cr.Read()
	if err == io.EOF {
		return nil, perr(1, 0, "", fmt.Errorf("%w: the file is empty; a manifest starts with a header row naming the columns Batch Name and Number of Ballots", canvass.ErrMissingField))
	}
	if err != nil {
		return nil, csvErr(1, err)
	}
	var col [numCols]int
	var title [numCols]string
	for k := range col {
		col[k] = -1
	}
	for j, h := range header {
		key := normalizeHeader(h)
		for k, c := range manifestColumns {
			for _, a := range c.aliases {
				if key != a {
					continue
				}
				if col[k] >= 0 {
					line, _ := cr.FieldPos(j)
					return nil, perr(1, line, strings.TrimSpace(h), fmt.Errorf("%w: columns %d and %d both give the %s; keep one", canvass.ErrSyntax, col[k]+1, j+1, c.field))
				}
				col[k] = j
				title[k] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
			}
		}
	}
	for _, k := range []int{colName, colBallots} {
		if col[k] < 0 {
			return nil, perr(1, 1, manifestColumns[k].field, fmt.Errorf("%w: the header has no %s column (it has %s)", canvass.ErrMissingField, manifestColumns[k].field, quoteList(header)))
		}
	}

	m := &Manifest{}
	seen := make(map[string]int64)
	for rec := int64(2); ; rec++ {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(rec, err)
		}
		blank := true
		for _, f := range row {
			if strings.TrimSpace(f) != "" {
				blank = false
				break
			}
		}
		if blank {
			continue
		}
		cell := func(k int) string {
			if col[k] < 0 || col[k] >= len(row) {
				return ""
			}
			return strings.TrimSpace(row[col[k]])
		}
		line := func(k int) int {
			if col[k] < 0 || col[k] >= len(row) {
				l, _ := cr.FieldPos(0)
				return l
			}
			l, _ := cr.FieldPos(col[k])
			return l
		}
		b := Batch{Jurisdiction: cell(colJurisdiction), Container: cell(colContainer), Tabulator: cell(colTabulator), Name: cell(colName)}
		if b.Name == "" {
			return nil, perr(rec, line(colName), title[colName], fmt.Errorf("%w: the batch has no name", canvass.ErrMissingField))
		}
		count := cell(colBallots)
		if count == "" {
			return nil, perr(rec, line(colBallots), title[colBallots], fmt.Errorf("%w: batch %q has no number of ballots", canvass.ErrMissingField, b.Name))
		}
		n, err := parseCount(count)
		if err != nil {
			return nil, perr(rec, line(colBallots), title[colBallots], fmt.Errorf("%w: batch %q: %v", canvass.ErrNotNumber, b.Name, err))
		}
		if n > math.MaxInt64-m.Total {
			return nil, perr(rec, line(colBallots), title[colBallots], fmt.Errorf("%w: the total number of ballots passes %d", canvass.ErrNotNumber, int64(math.MaxInt64)))
		}
		b.Ballots = n
		key := batchKey(b)
		if first, ok := seen[key]; ok {
			return nil, perr(rec, line(colName), title[colName], fmt.Errorf("%w: batch %s is already listed in record %d; batch names must be unique within a jurisdiction and tabulator", canvass.ErrDuplicateID, describeBatch(b), first))
		}
		seen[key] = rec
		m.Batches = append(m.Batches, b)
		m.Total += n
	}
	m.index()
	return m, nil
}

// normalizeHeader lower-cases a header cell, drops a byte order mark and folds runs of
// spaces.
func normalizeHeader(h string) string {
	return strings.ToLower(strings.Join(strings.Fields(strings.TrimPrefix(h, "\ufeff")), " "))
}

func quoteList(cells []string) string {
	q := make([]string, len(cells))
	for i, c := range cells {
		q[i] = strconv.Quote(c)
	}
	return strings.Join(q, ", ")
}

// parseCount parses a number of ballots: decimal digits only.
func parseCount(s string) (int64, error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			if s[0] == '-' {
				return 0, fmt.Errorf("%q is negative; a batch holds zero or more ballots", s)
			}
			return 0, fmt.Errorf("%q is not a whole number of ballots; write digits only", s)
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n, nil
}

// batchKey is the key under which a manifest's batches must be unique.
func batchKey(b Batch) string {
	return b.Jurisdiction + "\x00" + b.Tabulator + "\x00" + b.Name
}

// describeBatch names a batch for an error message.
func describeBatch(b Batch) string {
	s := strconv.Quote(b.Name)
	if b.Tabulator != "" {
		s += " of tabulator " + strconv.Quote(b.Tabulator)
	}
	if b.Jurisdiction != "" {
		s += " in " + strconv.Quote(b.Jurisdiction)
	}
	return s
}

// ManifestFromCounts makes a manifest from batches whose counts the caller has, for instance
// from the cast vote records of each batch. It checks the batches as [ReadManifest] does
// (names given, counts not negative, keys unique, total within int64) and returns an error
// naming the first bad batch.
func ManifestFromCounts(batches []Batch) (*Manifest, error) {
	m := &Manifest{Batches: append([]Batch(nil), batches...)}
	seen := make(map[string]int, len(batches))
	for i, b := range m.Batches {
		switch {
		case b.Name == "":
			return nil, fmt.Errorf("sampler: batch %d has no name: %w", i+1, canvass.ErrMissingField)
		case b.Ballots < 0:
			return nil, fmt.Errorf("sampler: batch %s has %d ballots: %w", describeBatch(b), b.Ballots, canvass.ErrNotNumber)
		case b.Ballots > math.MaxInt64-m.Total:
			return nil, fmt.Errorf("sampler: the total number of ballots passes %d at batch %s: %w", int64(math.MaxInt64), describeBatch(b), canvass.ErrNotNumber)
		}
		if j, ok := seen[batchKey(b)]; ok {
			return nil, fmt.Errorf("sampler: batches %d and %d are both batch %s: %w", j+1, i+1, describeBatch(b), canvass.ErrDuplicateID)
		}
		seen[batchKey(b)] = i
		m.Total += b.Ballots
	}
	m.index()
	return m, nil
}

// index computes the cumulative counts for Locate.
func (m *Manifest) index() {
	m.ends = cumulative(m.Batches)
}

func cumulative(bs []Batch) []int64 {
	ends := make([]int64, len(bs))
	var t int64
	for k, b := range bs {
		t += b.Ballots
		ends[k] = t
	}
	return ends
}

// Locate returns where ballot i (0 ≤ i < Total) of the population is: the index of its batch
// in Batches and its position in the batch, counting from 1. Batches with no ballots are
// passed over. For i out of range it returns (-1, 0). It searches the cumulative counts in
// O(log batches) time (O(batches) for a Manifest not built by this package).
func (m *Manifest) Locate(i int64) (batch int, position int64) {
	ends := m.ends
	if len(ends) != len(m.Batches) {
		ends = cumulative(m.Batches)
	}
	if i < 0 || len(ends) == 0 || i >= ends[len(ends)-1] {
		return -1, 0
	}
	k := sort.Search(len(ends), func(k int) bool { return ends[k] > i })
	return k, i - (ends[k] - m.Batches[k].Ballots) + 1
}
