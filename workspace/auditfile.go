package workspace

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/audit"
)

// ReadAuditRecords reads audit-board records from CSV, one row per card and contest:
//
//	jurisdiction,batch,position,contest,votes,board
//
// or, for a batch-comparison audit (a header with a choice column), one row per batch,
// contest and choice with the hand tally:
//
//	batch,contest,choice,votes,board
//
// (votes NOT FOUND, with the contest and choice empty, for a batch that could not be found).
//
// batch is the batch as the retrieval list names it ("tabulator / batch" when the batch has a
// tabulator); votes holds the choices the board read, separated by ';' (empty for none), or
// NOT FOUND when the card could not be found; jurisdiction and board may be empty. For an
// instant-runoff contest votes is the card's ranking, most preferred first, in the order
// written ("Frey;Dehn;Hodges"), read as the count reads a ballot: it stops at an overvote (two
// candidates at one rank) and lists a candidate ranked twice once (workspace.IRVReading turns
// ranks into it). Rows of one card are joined. Errors are *canvass.ParseError naming the file,
// the row and the field.
func ReadAuditRecords(r io.Reader, name string) ([]audit.Record, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	perr := func(rec int64, field string, err error) error {
		return &canvass.ParseError{Format: "audit records", File: name, Record: rec, Field: field, Err: err}
	}
	head, err := cr.Read()
	if err == io.EOF {
		return nil, perr(1, "header", fmt.Errorf("%w: empty file", canvass.ErrMissingField))
	}
	if err != nil {
		return nil, perr(1, "header", fmt.Errorf("%w: %v", canvass.ErrSyntax, err))
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	if _, ok := col["choice"]; ok {
		return readBatchTallies(cr, col, perr)
	}
	if err := requireColumns(col, perr, "jurisdiction, batch, position, contest, votes, board", "batch", "position", "contest", "votes"); err != nil {
		return nil, err
	}
	get := getter(col)
	var out []audit.Record
	idx := map[audit.Card]int{}
	err = eachRow(cr, perr, func(rec int64, row []string) error {
		card := audit.Card{Jurisdiction: get(row, "jurisdiction"), Batch: get(row, "batch")}
		if card.Batch == "" {
			return perr(rec, "batch", fmt.Errorf("%w: empty", canvass.ErrMissingField))
		}
		pos, err := strconv.ParseInt(get(row, "position"), 10, 64)
		if err != nil || pos < 1 {
			return perr(rec, "position", fmt.Errorf("%w: %q is not a position (1, 2, ...)", canvass.ErrNotNumber, get(row, "position")))
		}
		card.Position = pos
		contest := get(row, "contest")
		votes := get(row, "votes")
		found := !strings.EqualFold(votes, "not found")
		if contest == "" && found {
			return perr(rec, "contest", fmt.Errorf("%w: empty", canvass.ErrMissingField))
		}
		i, seen := idx[card]
		if !seen {
			i = len(out)
			idx[card] = i
			out = append(out, audit.Record{Card: card, Found: found, Votes: map[string][]string{}, Board: get(row, "board")})
		}
		r := &out[i]
		if r.Found != found {
			return perr(rec, "votes", fmt.Errorf("%w: %s is both found and NOT FOUND", canvass.ErrSyntax, card))
		}
		if !found {
			return nil
		}
		if _, dup := r.Votes[contest]; dup {
			return perr(rec, "contest", fmt.Errorf("%w: %s has two rows for %q", canvass.ErrDuplicateID, card, contest))
		}
		var vs []string
		for _, v := range strings.Split(votes, ";") {
			if v = strings.TrimSpace(v); v != "" {
				vs = append(vs, v)
			}
		}
		r.Votes[contest] = vs
		return nil
	})
	return out, err
}

// readBatchTallies reads the hand tallies of batches (see ReadAuditRecords).
func readBatchTallies(cr *csv.Reader, col map[string]int, perr func(int64, string, error) error) ([]audit.Record, error) {
	if err := requireColumns(col, perr, "batch, contest, choice, votes, board", "batch", "contest", "choice", "votes"); err != nil {
		return nil, err
	}
	get := getter(col)
	var out []audit.Record
	idx := map[string]int{}
	err := eachRow(cr, perr, func(rec int64, row []string) error {
		batch := get(row, "batch")
		if batch == "" {
			return perr(rec, "batch", fmt.Errorf("%w: empty", canvass.ErrMissingField))
		}
		votes := get(row, "votes")
		found := !strings.EqualFold(votes, "not found")
		i, seen := idx[batch]
		if !seen {
			i = len(out)
			idx[batch] = i
			out = append(out, audit.Record{Card: audit.Card{Batch: batch}, Found: found, Tally: map[string]map[string]int64{}, Board: get(row, "board")})
		}
		r := &out[i]
		if r.Found != found {
			return perr(rec, "votes", fmt.Errorf("%w: batch %s is both found and NOT FOUND", canvass.ErrSyntax, batch))
		}
		if !found {
			return nil
		}
		contest, choice := get(row, "contest"), get(row, "choice")
		if contest == "" || choice == "" {
			return perr(rec, "contest", fmt.Errorf("%w: a tally row names its contest and choice", canvass.ErrMissingField))
		}
		n, err := strconv.ParseInt(votes, 10, 64)
		if err != nil || n < 0 {
			return perr(rec, "votes", fmt.Errorf("%w: %q is not a vote count", canvass.ErrNotNumber, votes))
		}
		if r.Tally[contest] == nil {
			r.Tally[contest] = map[string]int64{}
		}
		if _, dup := r.Tally[contest][choice]; dup {
			return perr(rec, "choice", fmt.Errorf("%w: batch %s has two rows for %s in %q", canvass.ErrDuplicateID, batch, choice, contest))
		}
		r.Tally[contest][choice] = n
		return nil
	})
	return out, err
}

// eachRow calls fn with each data row of cr and its record number (the header is record 1),
// until the end or an error (a CSV error becomes perr's, naming the record).
func eachRow(cr *csv.Reader, perr func(int64, string, error) error, fn func(rec int64, row []string) error) error {
	for rec := int64(2); ; rec++ {
		row, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return perr(rec, "", fmt.Errorf("%w: %v", canvass.ErrSyntax, pe.Err))
			}
			return perr(rec, "", err)
		}
		if err := fn(rec, row); err != nil {
			return err
		}
	}
}

// requireColumns refuses a header without one of the needed columns, naming the columns the
// file should have.
func requireColumns(col map[string]int, perr func(int64, string, error) error, all string, need ...string) error {
	for _, n := range need {
		if _, ok := col[n]; !ok {
			return perr(1, n, fmt.Errorf("%w: the header has no %q column (columns: %s)", canvass.ErrMissingField, n, all))
		}
	}
	return nil
}

// getter returns the trimmed value of a named column of a row ("" when absent).
func getter(col map[string]int) func(row []string, c string) string {
	return func(row []string, c string) string {
		if i, ok := col[c]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
}
