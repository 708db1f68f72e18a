// Package csvtable reads a small CSV file with a header row whole, for the readers of unit
// tables (reconcile, electoral): columns by canvass.NameKey, fields trimmed, counts checked,
// and every error a *canvass.ParseError naming the file, the record (the header is record 1),
// the line and the field.
package csvtable

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	canvass "github.com/canvass-vote/canvass"
)

// Table is a CSV file read whole.
type Table struct {
	Format, File string
	Header       []string
	// Col maps each header name, folded by canvass.NameKey, to its column.
	Col     map[string]int
	Records [][]string
	// Lines holds the line each record starts on.
	Lines []int64
}

// Read reads a CSV file with a header row (a leading byte-order mark is dropped; blank lines
// are skipped). A header naming a column twice is an error.
func Read(r io.Reader, format, file string) (*Table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	t := &Table{Format: format, File: file, Col: map[string]int{}}
	for n := int64(1); ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			line := int64(0)
			if errors.As(err, &pe) {
				line = int64(pe.Line)
			}
			return nil, &canvass.ParseError{Format: format, File: file, Record: n, Line: line, Err: fmt.Errorf("%w: %v", canvass.ErrSyntax, err)}
		}
		line, _ := cr.FieldPos(0)
		if t.Header == nil {
			if len(rec) > 0 {
				rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
			}
			t.Header = rec
			for i, h := range rec {
				k := canvass.NameKey(h)
				if _, dup := t.Col[k]; dup && k != "" {
					return nil, t.Err(-1, h, fmt.Errorf("%w: column %q appears twice", canvass.ErrSyntax, h))
				}
				t.Col[k] = i
			}
			continue
		}
		t.Records = append(t.Records, rec)
		t.Lines = append(t.Lines, int64(line))
	}
	if t.Header == nil {
		return nil, &canvass.ParseError{Format: format, File: file, Err: fmt.Errorf("%w: no header row", canvass.ErrTruncated)}
	}
	return t, nil
}

// Err is an error in data record i (0-based; -1 for the header) and field.
func (t *Table) Err(i int, field string, err error) error {
	if i < 0 {
		return &canvass.ParseError{Format: t.Format, File: t.File, Record: 1, Field: field, Err: err}
	}
	return &canvass.ParseError{Format: t.Format, File: t.File, Record: int64(i) + 2, Line: t.Lines[i], Field: field, Err: err}
}

// Column returns the column named name, or -1; when required, a missing one is an error.
func (t *Table) Column(name string, required bool) (int, error) {
	j, ok := t.Col[canvass.NameKey(name)]
	if !ok {
		if required {
			return -1, t.Err(-1, name, fmt.Errorf("%w: the header has no %q column (it has %s)", canvass.ErrMissingField, name, strings.Join(t.Header, ",")))
		}
		return -1, nil
	}
	return j, nil
}

// Need returns the column of each name, or an error naming the first missing.
func (t *Table) Need(names ...string) ([]int, error) {
	out := make([]int, len(names))
	for i, n := range names {
		j, err := t.Column(n, true)
		if err != nil {
			return nil, err
		}
		out[i] = j
	}
	return out, nil
}

// Cell returns the trimmed field of record i at column c, "" when the record is short.
func (t *Table) Cell(i, c int) string {
	if c < 0 || c >= len(t.Records[i]) {
		return ""
	}
	return strings.TrimSpace(t.Records[i][c])
}

// Text returns a field that must not be empty.
func (t *Table) Text(i, c int) (string, error) {
	s := t.Cell(i, c)
	if s == "" {
		return "", t.Err(i, t.Header[c], fmt.Errorf("%w: empty", canvass.ErrMissingField))
	}
	return s, nil
}

// MaxCount bounds the counts Count accepts, far above any electorate, so that sums and
// products of counts (ballots × vote-for) stay within int64.
const MaxCount = 1 << 40

// Count returns a count in [0, MaxCount] (thousands separators allowed). An empty field is an
// error, or -1 when optional.
func (t *Table) Count(i, c int, optional bool) (int64, error) {
	s := t.Cell(i, c)
	if s == "" {
		if optional {
			return -1, nil
		}
		return 0, t.Err(i, t.Header[c], fmt.Errorf("%w: empty", canvass.ErrMissingField))
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	if err != nil || n < 0 {
		return 0, t.Err(i, t.Header[c], fmt.Errorf("%w: %q is not a count", canvass.ErrNotNumber, s))
	}
	if n > MaxCount {
		return 0, t.Err(i, t.Header[c], fmt.Errorf("%w: %d is larger than any electorate (at most %d)", canvass.ErrNotNumber, n, int64(MaxCount)))
	}
	return n, nil
}
