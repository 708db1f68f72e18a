package canvass

import (
	"errors"
	"fmt"
	"strings"
)

// ParseError is an error in an input file: which file, which record (1-based; 0 for the file
// as a whole, such as a missing manifest), which field, and what is wrong. It follows
// encoding/csv.ParseError. CVR readers (package cvr) and results readers (package results)
// both return it.
type ParseError struct {
	Format string // "dominion", "cdf", "csv", ...
	File   string // base name or path of the file
	Record int64  // 1-based record (ballot, row, session) number; 0 when not about one record
	Line   int64  // line number when the format has lines; 0 otherwise
	Field  string // the field or column, e.g. "Sessions[].Original.Cards[].Contests[].Id"
	Err    error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	if e.Format != "" {
		b.WriteString(e.Format)
		b.WriteString(": ")
	}
	b.WriteString(e.File)
	if e.Record > 0 {
		fmt.Fprintf(&b, ": record %d", e.Record)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, " (line %d)", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %s", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Errors that readers wrap in a ParseError, so that callers and tests can tell them apart.
var (
	ErrTruncated      = errors.New("file ends early (truncated?)")
	ErrSyntax         = errors.New("syntax error")
	ErrUnknownContest = errors.New("unknown contest")
	ErrUnknownChoice  = errors.New("unknown choice")
	ErrDuplicateID    = errors.New("duplicate ballot id")
	ErrNotNumber      = errors.New("not a number")
	ErrMissingField   = errors.New("missing field")
	ErrWrongFormat    = errors.New("not a file of this format")
)
