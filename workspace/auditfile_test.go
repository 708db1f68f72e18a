package workspace

import (
	"errors"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
)

func TestReadAuditRecords(t *testing.T) {
	in := "Jurisdiction,Batch,Position,Contest,Votes,Board\n" +
		"Dane,T1 / B7,3,President,Joseph R. Biden,Board 1\n" +
		"Dane,T1 / B7,3,Referendum,Yes,Board 1\n" +
		"Dane,T1 / B9,12,,NOT FOUND,Board 2\n" +
		"Dane,T2 / B1,1,President,,Board 2\n"
	recs, err := ReadAuditRecords(strings.NewReader(in), "board.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0].Votes["President"][0] != "Joseph R. Biden" || recs[0].Votes["Referendum"][0] != "Yes" ||
		recs[1].Found || recs[1].Card.Position != 12 || len(recs[2].Votes["President"]) != 0 || !recs[2].Found {
		t.Errorf("%+v", recs)
	}
	for _, c := range []struct{ in, field string }{
		{"batch,position,contest\n", "votes"},
		{"batch,position,contest,votes\nB1,x,President,A\n", "position"},
		{"batch,position,contest,votes\nB1,0,President,A\n", "position"},
		{"batch,position,contest,votes\nB1,2,President,A\nB1,2,President,B\n", "contest"},
		{"batch,position,contest,votes\n,2,President,A\n", "batch"},
	} {
		_, err := ReadAuditRecords(strings.NewReader(c.in), "f.csv")
		var pe *canvass.ParseError
		if !errors.As(err, &pe) || pe.Field != c.field || pe.File != "f.csv" {
			t.Errorf("%q: %v, want a ParseError on field %s", c.in, err, c.field)
		}
	}
}

func FuzzReadAuditRecords(f *testing.F) {
	f.Add("jurisdiction,batch,position,contest,votes,board\nDane,B1,1,President,A;B,1\n")
	f.Add("batch,position,contest,votes\nB1,1,,NOT FOUND\n")
	f.Add("batch,position,contest,votes\n\"B1,1\n")
	f.Fuzz(func(t *testing.T, s string) {
		recs, err := ReadAuditRecords(strings.NewReader(s), "f")
		if err != nil {
			var pe *canvass.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a ParseError", err)
			}
			return
		}
		for _, r := range recs {
			if r.Card.Position < 1 || r.Card.Batch == "" {
				t.Fatalf("accepted %+v", r)
			}
		}
	})
}
