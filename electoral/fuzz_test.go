package electoral

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	canvass "github.com/canvass-vote/canvass"
)

// checkErr fails unless err is nil or a *canvass.ParseError naming the file.
func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var pe *canvass.ParseError
	if !errors.As(err, &pe) || pe.File != "fuzz.csv" || pe.Err == nil {
		t.Fatalf("not a ParseError naming the file: %v", err)
	}
}

// checkCounts fails unless every count is non-negative and sums to its total.
func checkCounts(t *testing.T, cs []Count) {
	t.Helper()
	for _, c := range cs {
		if err := c.check(); err != nil {
			t.Fatalf("%s: %v", c.Unit, err)
		}
	}
}

// seed adds the first lines of a 2020 file.
func seedFile(f *testing.F, name string, lines int) {
	b, err := os.ReadFile(filepath.Join(dataDir, name))
	if err != nil {
		f.Fatal(err)
	}
	for i, n := 0, 0; i < len(b); i++ {
		if b[i] == '\n' {
			if n++; n == lines {
				b = b[:i+1]
				break
			}
		}
	}
	f.Add(b)
}

func FuzzReadApportionment(f *testing.F) {
	seedFile(f, "electoral_votes_2020_apportionment.csv", 60)
	f.Add([]byte("state,state_po,unit,electoral_votes\nMaine,ME,at-large,2\nMaine,ME,District 1,1\nMaine,ME,ME-02,1\n"))
	f.Add([]byte("state,state_po,electoral_votes\nA,AA,3\nB,AA,3\n"))
	f.Add([]byte("state,state_po,unit,electoral_votes\nA,AA,XX-1,1\nA,AA,CD-1,1\nA,AA,,0\n"))
	f.Add([]byte("state,state,x\n"))
	f.Add([]byte("\"unterminated\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		us, err := ReadApportionment(bytes.NewReader(data), "fuzz.csv")
		checkErr(t, err)
		ids := map[string]bool{}
		for _, u := range us {
			if u.Electors < 1 || u.Electors > TotalElectors || ids[u.ID] || u.ID == "" {
				t.Fatalf("unit %+v", u)
			}
			ids[u.ID] = true
		}
	})
}

func FuzzReadStates(f *testing.F) {
	seedFile(f, "state_president_2020_fec_table2.csv", 60)
	f.Add([]byte("state,a,b\nX,1,2\n"))
	f.Add([]byte("state,a,others,total\nX,1,2,4\n"))
	f.Add([]byte("state,a,total\nX,5,4\n"))
	f.Add([]byte("state,,total\nX,5,4\n"))
	f.Add([]byte("state,total\nX,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := ReadStates(bytes.NewReader(data), "fuzz.csv")
		checkErr(t, err)
		checkCounts(t, cs)
	})
}

func FuzzReadDistricts(f *testing.F) {
	seedFile(f, "me_ne_districts_2020.csv", 30)
	f.Add([]byte("state_po,unit,candidate,votes\nME,CD-1,A,3\nME,CD-1,Blank,2\n"))
	f.Add([]byte("unit,candidate,votes\nCD-1,A,3\n"))
	f.Add([]byte("unit,candidate,votes\nX-1,A,3\nX-01,a,3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := ReadDistricts(bytes.NewReader(data), "fuzz.csv")
		checkErr(t, err)
		checkCounts(t, cs)
	})
}

func FuzzReadCounties(f *testing.F) {
	seedFile(f, "county_presidential_results_2020.csv", 30)
	f.Add([]byte("state,votes_a,votes_b,total_votes\nX,1,2,3\nX,4,5,8\n"))
	f.Add([]byte("state_name,total_votes\nX,1\n"))
	f.Add([]byte("state_name,votes_,total_votes\nX,1,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := ReadCounties(bytes.NewReader(data), "fuzz.csv")
		checkErr(t, err)
		checkCounts(t, cs)
	})
}

// FuzzAnalyze: whatever the files hold, Load and Analyze return an error or a report whose
// units' electors add up.
func FuzzAnalyze(f *testing.F) {
	f.Add([]byte("state,state_po,unit,electoral_votes\nA,AA,statewide,3\nB,BB,at-large,2\nB,BB,CD-1,1\n"),
		[]byte("state,x,y,total\nA,3,2,6\nB,1,1,2\n"), []byte("state_po,unit,candidate,votes\nBB,CD-1,x,4\nBB,CD-1,y,5\n"))
	f.Add([]byte("state,state_po,electoral_votes\nA,AA,3\n"), []byte("state,x\nAA,0\n"), []byte(""))
	f.Fuzz(func(t *testing.T, app, st, dis []byte) {
		e, err := Load(Files{
			Apportionment: Source{"fuzz.csv", bytes.NewReader(app)},
			States:        Source{"fuzz.csv", bytes.NewReader(st)},
			Districts:     Source{"fuzz.csv", bytes.NewReader(dis)},
		}, nil)
		if err != nil {
			return
		}
		e.Electors = 0
		for _, u := range e.Units {
			e.Electors += u.Electors
		}
		if e.Electors == 0 {
			return
		}
		r, err := Analyze(e)
		if err != nil {
			return
		}
		a := r.Allocation
		if a.Counted+a.Pending+a.Uncalled != a.Electors {
			t.Fatalf("%d+%d+%d electors of %d", a.Counted, a.Pending, a.Uncalled, a.Electors)
		}
		sum := 0
		for _, x := range a.Totals {
			sum += x.Electors
		}
		if sum != a.Counted {
			t.Fatalf("totals %d, counted %d", sum, a.Counted)
		}
	})
}

func FuzzParseVoteChange(f *testing.F) {
	f.Add("WI:Trump=1640000")
	f.Add("WI:T=1,000")
	f.Add("::=")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVoteChange(s)
		if err == nil && (v.Votes < 0 || v.Unit == "" || v.Candidate == "") {
			t.Fatalf("%+v", v)
		}
	})
}
