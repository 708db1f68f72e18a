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
// batch is the batch as the retrieval list names it ("tabulator / batch" when the batch has a
// tabulator); votes holds the choices the board read, separated by ';' (empty for none), or
// NOT FOUND when the card could not be found; jurisdiction and board may be empty. Rows of one
// card are joined. Errors are *canvass.ParseError naming the file, the row and the field.
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
	for _, need := range []string{"batch", "position", "contest", "votes"} {
		if _, ok := col[need]; !ok {
			return nil, perr(1, need, fmt.Errorf("%w: the header has no %q column (columns: jurisdiction, batch, position, contest, votes, board)", canvass.ErrMissingField, need))
		}
	}
	get := func(row []string, c string) string {
		if i, ok := col[c]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	var out []audit.Record
	idx := map[audit.Card]int{}
	for rec := int64(2); ; rec++ {
		row, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, perr(rec, "", fmt.Errorf("%w: %v", canvass.ErrSyntax, pe.Err))
			}
			return nil, perr(rec, "", err)
		}
		card := audit.Card{Jurisdiction: get(row, "jurisdiction"), Batch: get(row, "batch")}
		if card.Batch == "" {
			return nil, perr(rec, "batch", fmt.Errorf("%w: empty", canvass.ErrMissingField))
		}
		pos, err := strconv.ParseInt(get(row, "position"), 10, 64)
		if err != nil || pos < 1 {
			return nil, perr(rec, "position", fmt.Errorf("%w: %q is not a position (1, 2, ...)", canvass.ErrNotNumber, get(row, "position")))
		}
		card.Position = pos
		contest := get(row, "contest")
		votes := get(row, "votes")
		found := !strings.EqualFold(votes, "not found")
		if contest == "" && found {
			return nil, perr(rec, "contest", fmt.Errorf("%w: empty", canvass.ErrMissingField))
		}
		i, seen := idx[card]
		if !seen {
			i = len(out)
			idx[card] = i
			out = append(out, audit.Record{Card: card, Found: found, Votes: map[string][]string{}, Board: get(row, "board")})
		}
		r := &out[i]
		if r.Found != found {
			return nil, perr(rec, "votes", fmt.Errorf("%w: %s is both found and NOT FOUND", canvass.ErrSyntax, card))
		}
		if !found {
			continue
		}
		if _, dup := r.Votes[contest]; dup {
			return nil, perr(rec, "contest", fmt.Errorf("%w: %s has two rows for %q", canvass.ErrDuplicateID, card, contest))
		}
		var vs []string
		for _, v := range strings.Split(votes, ";") {
			if v = strings.TrimSpace(v); v != "" {
				vs = append(vs, v)
			}
		}
		r.Votes[contest] = vs
	}
}
