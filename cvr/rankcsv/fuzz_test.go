package rankcsv

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// FuzzOpen reads arbitrary bytes as a generic CSV file: no panic, every error a ParseError
// naming the file, every ballot referring to the election. Seeds: RCTab's three files and
// hand-made ones.
func FuzzOpen(f *testing.F) {
	for _, c := range []string{"generic_csv_test", "csv_missing_header_test", "max_ranking_enforcement"} {
		if data, err := os.ReadFile(filepath.Join(rctabDir, c, c+"_cvr.csv")); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"id,Ann,B,Write-In\n1,1,2,3\n2,,1,\n",
		"\xEF\xBB\xBFid,Ann,B\n1,\"1\",2\n\n3,2,1\n",
		"id,Ann,Dee\n1,1,2\n",
		"id,Ann,B\n1,1,2,3\n",
		"id\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "fuzz.csv")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		opts := smallOptions
		opts.IDColumn = 0
		opts.Candidates = append(opts.Candidates, fuzzCandidates...)
		r, err := Open(p, opts)
		if err != nil {
			checkErr(t, p, err)
			return
		}
		defer r.Close()
		el := r.Election()
		if err := el.Validate(); err != nil {
			t.Fatal(err)
		}
		for {
			b, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				checkErr(t, p, err)
				return
			}
			if err := checkBallot(el.Contests[0], b); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// fuzzCandidates are the candidates of RCTab's files, so that their seeds are read through.
var fuzzCandidates = []cvr.RankedCandidate{
	{Name: "Lettuce"}, {Name: "Broccoli"}, {Name: "Cucumber"}, {Name: "Cauliflower"},
	{Name: "Candidate A"}, {Name: "Candidate B"}, {Name: "Candidate C"}, {Name: "Candidate D"},
}

func checkErr(t *testing.T, p string, err error) {
	t.Helper()
	var pe *canvass.ParseError
	if !errors.As(err, &pe) || pe.Format != FormatName || pe.File != p || pe.Err == nil {
		t.Fatalf("error %v (%T) is not a ParseError of %s", err, err, p)
	}
	_ = err.Error()
}
