package cdf

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// FuzzCDF feeds arbitrary bytes to the reader: it must never panic, every error must be a
// *canvass.ParseError, and every ballot it returns must refer to the Election's contests and
// choices. Seeds: the hand-made fixtures, two public RCTab CDF files (RCTab's 160 KB exports
// with round snapshots are left to the unit tests: large seeds slow every execution) and a
// small synthetic report in both key orders.
func FuzzCDF(f *testing.F) {
	seeds := []string{
		filepath.Join("testdata", "handmade.json"),
		filepath.Join("testdata", "election_last.json"),
		filepath.Join("testdata", "nist_example_1.json"),
		filepath.Join(rctab, "_shared_cdf_json", "cdf_json_file1_cvr.json"),
		filepath.Join(rctab, "test_set_8_multi_cdf", "test_set_8_multi_cdf_cvr_1.json"),
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(synthetic(f, 3, 5, false))
	f.Add(synthetic(f, 3, 5, true))
	f.Add([]byte(`{"@type":"CVR.CastVoteRecordReport","Election":[{"@id":"e","Contest":[{"@id":"c","ContestSelection":[{"@id":"s"}]}]}],"GpUnit":[],"ReportingDevice":[],"CVR":[{"CVRSnapshot":[{"@id":"x","Type":"original","CVRContest":[{"ContestId":"c","CVRContestSelection":[{"ContestSelectionId":"s","SelectionPosition":[{"HasIndication":"yes","NumberVotes":1,"Rank":2}]}]}]}]}]}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), "fuzz.json", cvr.Options{})
		if err != nil {
			var pe *canvass.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("open: %v (%T) is not a ParseError", err, err)
			}
			return
		}
		defer r.Close()
		e := r.Election()
		for n := 0; n < 10000; n++ {
			b, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var pe *canvass.ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("record %d: %v (%T) is not a ParseError", n+1, err, err)
				}
				return
			}
			if b.ID == "" {
				t.Fatalf("record %d: empty ballot id", n+1)
			}
			for _, cm := range b.Contests {
				if int(cm.Contest) >= len(e.Contests) || cm.Contest < 0 {
					t.Fatalf("record %d: contest index %d of %d", n+1, cm.Contest, len(e.Contests))
				}
				c := e.Contests[cm.Contest]
				for _, m := range cm.Marks {
					if m.Choice < 0 || int(m.Choice) >= len(c.Choices) {
						t.Fatalf("record %d: choice index %d of %d", n+1, m.Choice, len(c.Choices))
					}
					if c.Type.Ranked() != (m.Rank > 0) {
						t.Fatalf("record %d: rank %d in a %s contest", n+1, m.Rank, c.Type)
					}
				}
			}
		}
	})
}
