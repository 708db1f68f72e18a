package rankcsv

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

func marksString(c *canvass.Contest, b *canvass.Ballot) string {
	var parts []string
	for _, m := range b.Contests[0].Marks {
		parts = append(parts, fmt.Sprintf("%d:%s", m.Rank, c.Choices[m.Choice].Name))
	}
	return strings.Join(parts, " ")
}

// TestRows checks rows of RCTab's cases against their cells, read by hand.
func TestRows(t *testing.T) {
	tests := []struct {
		config            string
		row               int64
		id, precinct, bat string
		marks             string
	}{
		// Record 2: R_3QEQ85E7gV2DuyG,p1,b1,,2,1,, under Response ID,precinct_id,batch_id,
		// Lettuce,Broccoli,Cucumber,Cauliflower,Write-In.
		{"generic_csv_test", 2, "R_3QEQ85E7gV2DuyG", "p1", "b1", "1:Cucumber 2:Broccoli"},
		// Record 4: R_22G3akvxq7ggl01,p1,b1,3,5,2,1,4; Write-In is the undeclared write-in
		// label.
		{"generic_csv_test", 4, "R_22G3akvxq7ggl01", "p1", "b1", "1:Cauliflower 2:Cucumber 3:Lettuce 4:Undeclared Write-ins 5:Broccoli"},
		// Record 2: R_3QEQ85E7gV2DuyG,,2,1,, under (blank),Lettuce,Broccoli,Cucumber,
		// Cauliflower,Write-In; no id column configured, so a file-row id.
		{"csv_missing_header_test", 2, "csv_missing_header_test_cvr.csv-1", "", "", "1:Cucumber 2:Broccoli"},
		// Record 2: 1,1,2,3,4 under id,Candidate A,Candidate B,Candidate C,Candidate D.
		{"max_ranking_enforcement", 2, "max_ranking_enforcement_cvr.csv-1", "", "", "1:Candidate A 2:Candidate B 3:Candidate C 4:Candidate D"},
		// Record 6, the last, without a line end: 5,1,2,3,.
		{"max_ranking_enforcement", 6, "max_ranking_enforcement_cvr.csv-5", "", "", "1:Candidate A 2:Candidate B 3:Candidate C"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%d", tc.config, tc.row), func(t *testing.T) {
			cfg := readConfig(t, filepath.Join(rctabDir, tc.config, tc.config+"_config.json"))
			s := cfg.CVRFileSources[0]
			r, err := Open(filepath.Join(rctabDir, tc.config, s.FilePath), cfg.Options(s))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for {
				b, err := r.Next()
				if err != nil {
					t.Fatalf("record %d not reached: %v", tc.row, err)
				}
				if _, at := r.Where(); at != tc.row {
					continue
				}
				if got := marksString(r.Election().Contests[0], b); got != tc.marks {
					t.Errorf("marks %q, want %q", got, tc.marks)
				}
				if b.ID != tc.id || b.Precinct != tc.precinct || b.Batch != tc.bat {
					t.Errorf("id %q precinct %q batch %q", b.ID, b.Precinct, b.Batch)
				}
				return
			}
		})
	}
}

var smallOptions = cvr.RankedOptions{
	Contest:                "Mayor",
	Candidates:             []cvr.RankedCandidate{{Name: "Ann"}, {Name: "Bo", Aliases: []string{"B"}}},
	FirstVoteColumn:        2,
	FirstVoteRow:           2,
	IDColumn:               1,
	UndeclaredWriteInLabel: "Write-In",
}

// TestErrors checks that bad input is refused with a ParseError naming file, record and
// column.
func TestErrors(t *testing.T) {
	tests := []struct {
		name, text string
		row        int64
		field      string
		err        error
	}{
		{"unknown candidate", "id,Ann,Dee\n1,1,2\n", 1, `column 3 "Dee"`, canvass.ErrUnknownChoice},
		{"blank candidate header", "id,Ann,,Bo\n1,1,2,3\n", 1, "column 3", canvass.ErrMissingField},
		{"not a number", "id,Ann,B\n1,1,2\n2,x,1\n", 3, `column 2 "Ann"`, canvass.ErrSyntax},
		{"rank 0", "id,Ann,B\n1,0,1\n", 2, `column 2 "Ann"`, canvass.ErrSyntax},
		{"rank beyond the columns", "id,Ann,B\n1,3,1\n", 2, `column 2 "Ann"`, canvass.ErrSyntax},
		{"extra field", "id,Ann,B\n1,1,2,3\n", 2, "column 4", canvass.ErrSyntax},
		{"empty id", "id,Ann,B\n,1,2\n", 2, `column 1 "id"`, canvass.ErrMissingField},
		{"quote", "id,Ann,B\n1,\"1,2\n", 2, "", canvass.ErrSyntax},
		{"empty file", "", 1, "", canvass.ErrTruncated},
		{"no vote column", "id\n1\n", 1, "column 2", canvass.ErrMissingField},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "cvr.csv")
			os.WriteFile(p, []byte(tc.text), 0o644)
			_, _, err := readAll(t, p, smallOptions)
			var pe *canvass.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want a ParseError", err, err)
			}
			if pe.File != p || pe.Record != tc.row || pe.Field != tc.field || !errors.Is(err, tc.err) || pe.Format != FormatName {
				t.Errorf("%v: record %d field %q; want record %d field %q, %v", err, pe.Record, pe.Field, tc.row, tc.field, tc.err)
			}
		})
	}
}

// TestSkipRows checks that rows between the header and the first vote row are not ballots,
// and that a byte order mark and blank cells are read.
func TestSkipRows(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cvr.csv")
	os.WriteFile(p, []byte("\xEF\xBB\xBFid,Ann,B,Write-In\nnote,,,\n7, 2 ,,1\n8,1,1,\n"), 0o644)
	opts := smallOptions
	opts.FirstVoteRow = 3
	r, err := Open(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := r.Election().Contests[0]
	// Record 3: 7, 2 ,,1 → Write-In first, Ann second. Record 4: 8,1,1, → Ann and Bo both
	// first (an overvote the engine judges).
	for _, want := range []string{"3 7 1:Undeclared Write-ins 2:Ann", "4 8 1:Ann 1:Bo"} {
		b, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		_, row := r.Where()
		if got := fmt.Sprintf("%d %s %s", row, b.ID, marksString(c, b)); got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the last ballot: %v", err)
	}
	if c.VoteFor != 3 || len(c.Choices) != 3 {
		t.Errorf("vote for %d, %d choices", c.VoteFor, len(c.Choices))
	}
}
