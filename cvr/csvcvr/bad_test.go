package csvcvr

import (
	"errors"
	"io"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// badInputs are the malformed files of TestBadInput and seeds of FuzzReader. Record is the
// 1-based data row (0 for the header or the file), line the line of the file, field the column
// header; all worked out by counting in the text.
var badInputs = []struct {
	name   string
	text   string
	err    error
	record int64
	line   int64
	field  string
	// ballots is how many ballots Next returns before the error.
	ballots int
}{
	// The file as a whole.
	{"empty file", "", canvass.ErrTruncated, 0, 0, "", 0},
	{"comments only", "# a note\n# another\n", canvass.ErrTruncated, 0, 0, "", 0},
	{"missing BallotID", "Precinct,President: Alice\n", canvass.ErrMissingField, 0, 1, "BallotID", 0},
	{"missing BallotID after comments", "# n\nRecord,President: Alice\n", canvass.ErrMissingField, 0, 2, "BallotID", 0},
	{"no contest column", "BallotID,Precinct\n1,p\n", canvass.ErrMissingField, 0, 1, "Contest: Choice", 0},

	// The header.
	{"unknown column", "BallotID,Notes,President: Alice\n", canvass.ErrSyntax, 0, 1, "Notes", 0},
	{"empty column header", "BallotID,President: Alice,\n1,1,\n", canvass.ErrSyntax, 0, 1, "column 3", 0},
	{"empty choice", "BallotID,President:\n", canvass.ErrSyntax, 0, 1, "President:", 0},
	{"empty contest", "BallotID,\" : Alice\"\n", canvass.ErrSyntax, 0, 1, ": Alice", 0},
	{"empty contest with options", "BallotID,[vote for 1]: Alice\n", canvass.ErrSyntax, 0, 1, "[vote for 1]: Alice", 0},
	{"duplicate contest and choice", "BallotID,President: Alice,President: Bob,president :  ALICE\n", canvass.ErrSyntax, 0, 1, "president :  ALICE", 0},
	{"duplicate metadata column", "BallotID,Precinct,precinct,P: A\n", canvass.ErrSyntax, 0, 1, "precinct", 0},
	{"duplicate BallotID column", "BallotID,Ballot ID,P: A\n", canvass.ErrSyntax, 0, 1, "Ballot ID", 0},
	{"unknown option", "BallotID,P [vote 1]: A\n", canvass.ErrSyntax, 0, 1, "P [vote 1]: A", 0},
	{"option not a number", "BallotID,P [vote for two]: A\n", canvass.ErrNotNumber, 0, 1, "P [vote for two]: A", 0},
	{"option zero", "BallotID,P [ranked 0]: A\n", canvass.ErrSyntax, 0, 1, "P [ranked 0]: A", 0},
	{"option too large", "BallotID,P [vote for 5000]: A\n", canvass.ErrSyntax, 0, 1, "P [vote for 5000]: A", 0},
	{"options disagree", "BallotID,P [vote for 1]: A,P [vote for 2]: B\n", canvass.ErrSyntax, 0, 1, "P [vote for 2]: B", 0},
	{"two kinds", "BallotID,\"P [approval, ranked 3]: A\"\n", canvass.ErrSyntax, 0, 1, "P [approval, ranked 3]: A", 0},
	{"seats twice", "BallotID,\"P [vote for 2, seats 1, seats 2]: A\"\n", canvass.ErrSyntax, 0, 1, "P [vote for 2, seats 1, seats 2]: A", 0},
	{"seats alone", "BallotID,P [seats 2]: A,P: B\n", canvass.ErrSyntax, 0, 1, "P [seats 2]: A", 0},
	{"seats of a measure", "BallotID,\"M [2/3, seats 2]: Yes\",M: No\n", canvass.ErrSyntax, 0, 1, "M [2/3, seats 2]: Yes", 0},
	{"threshold above 1", "BallotID,M [3/2]: Yes,M: No\n", canvass.ErrSyntax, 0, 1, "M [3/2]: Yes", 0},
	{"threshold not a number", "BallotID,M [2/x]: Yes,M: No\n", canvass.ErrNotNumber, 0, 1, "M [2/x]: Yes", 0},
	{"measure with one choice", "BallotID,M [2/3]: Yes\n", canvass.ErrSyntax, 0, 1, "M [2/3]: Yes", 0},
	{"options not at the end", "BallotID,P [vote for 1] Race: A\n", canvass.ErrSyntax, 0, 1, "P [vote for 1] Race: A", 0},
	{"unopened bracket", "BallotID,P vote for 1]: A\n", canvass.ErrSyntax, 0, 1, "P vote for 1]: A", 0},
	{"quote in header", "BallotID,\"P: A\n1,1\n", canvass.ErrSyntax, 0, 1, "", 0},

	// Rows.
	{"too few fields", "BallotID,P: A,P: B\n1,1,0\n2,1\n", canvass.ErrSyntax, 2, 3, "P: B", 1},
	{"too many fields", "BallotID,P: A,P: B\n1,1,0,0\n", canvass.ErrSyntax, 1, 2, "", 0},
	{"too few after a quoted line break", "BallotID,Precinct,P: A\n1,\"Ward\n1\",1\n2,x\n", canvass.ErrSyntax, 2, 4, "P: A", 1},
	{"too many after comments", "# c\n# d\nBallotID,P: A\n1,1\n2,1,0\n", canvass.ErrSyntax, 2, 5, "", 1},
	{"empty ballot id", "BallotID,P: A\n1,1\n \t,1\n", canvass.ErrMissingField, 2, 3, "BallotID", 1},
	{"bare quote", "BallotID,P: A\n1,a\"b\n", canvass.ErrSyntax, 1, 2, "", 0},
	{"unclosed quote", "BallotID,P: A\n1,1\n2,\"1\n3,1\n", canvass.ErrSyntax, 2, 3, "", 1},

	// Cells.
	{"cell x", "BallotID,P: A\n1,x\n", canvass.ErrSyntax, 1, 2, "P: A", 0},
	{"cell 2 in a plurality contest", "BallotID,P [vote for 2]: A,P: B\n1,2,0\n", canvass.ErrSyntax, 1, 2, "P [vote for 2]: A", 0},
	{"cell 11", "BallotID,P: A\n1,11\n", canvass.ErrSyntax, 1, 2, "P: A", 0},
	{"cell 1A outside a ranked contest", "BallotID,P: A\n1,1A\n", canvass.ErrSyntax, 1, 2, "P: A", 0},
	{"cell -1", "BallotID,P: A\n1,-1\n", canvass.ErrSyntax, 1, 2, "P: A", 0},
	{"cell X in the second contest", "BallotID,P: A,Q: B\n1,1,1\n2,0,X\n", canvass.ErrSyntax, 2, 3, "Q: B", 1},
	{"cell on a later line of its row", "BallotID,Precinct,P: A\n1,\"a\nb\",x\n", canvass.ErrSyntax, 1, 3, "P: A", 0},
	{"rank above the ranks", "BallotID,M [ranked 2]: A,M: B\n1,1,3\n", canvass.ErrSyntax, 1, 2, "M: B", 0},
	{"rank with a bad suffix", "BallotID,M [ranked 2]: A,M: B\n1,1X,0\n", canvass.ErrSyntax, 1, 2, "M [ranked 2]: A", 0},
	{"rank 0A", "BallotID,M [ranked 2]: A,M: B\n1,0A,1\n", canvass.ErrSyntax, 1, 2, "M [ranked 2]: A", 0},
	{"letter alone in a ranked contest", "BallotID,M [ranked 2]: A,M: B\n1,A,1\n", canvass.ErrSyntax, 1, 2, "M [ranked 2]: A", 0},
	{"rank with two suffixes", "BallotID,M [ranked 2]: A,M: B\n1,1AN,0\n", canvass.ErrSyntax, 1, 2, "M [ranked 2]: A", 0},
	{"negative rank", "BallotID,M [ranked 2]: A,M: B\n1,-1,0\n", canvass.ErrSyntax, 1, 2, "M [ranked 2]: A", 0},
	{"huge rank", "BallotID,M [ranked 2]: A,M: B\n1,99999999999999999999999,0\n", canvass.ErrSyntax, 1, 2, "M [ranked 2]: A", 0},
}

func TestBadInput(t *testing.T) {
	for _, tc := range badInputs {
		t.Run(tc.name, func(t *testing.T) {
			n, err := readString(tc.text)
			if err == nil {
				t.Fatal("no error")
			}
			var pe *canvass.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *canvass.ParseError", err, err)
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("error %v does not wrap %v", err, tc.err)
			}
			if pe.Format != FormatName || pe.File != "bad.csv" || pe.Record != tc.record || pe.Line != tc.line || pe.Field != tc.field {
				t.Errorf("error %v: format %q file %q record %d line %d field %q; want csv bad.csv %d %d %q",
					err, pe.Format, pe.File, pe.Record, pe.Line, pe.Field, tc.record, tc.line, tc.field)
			}
			if !strings.HasPrefix(err.Error(), "csv: bad.csv") {
				t.Errorf("error %q does not start with the format and file", err)
			}
			if n != tc.ballots {
				t.Errorf("%d ballots before the error, want %d", n, tc.ballots)
			}
		})
	}
}

// TestErrorIsFinal: after an error Next keeps returning it (cvr.Reader: errors are final),
// even though encoding/csv could go on to the next row.
func TestErrorIsFinal(t *testing.T) {
	r, err := NewReader(strings.NewReader("BallotID,P: A\n1,x\n2,1\n"), "bad.csv", cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err1 := r.Next()
	_, err2 := r.Next()
	if err1 == nil || err2 != err1 {
		t.Errorf("second Next = %v, want the first error %v", err2, err1)
	}
	if _, err := r.Next(); err == io.EOF {
		t.Error("Next went on to io.EOF after an error")
	}
}
