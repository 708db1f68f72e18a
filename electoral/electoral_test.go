package electoral

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
)

// small builds an Election of statewide units from "ID:electors:A=votes,B=votes" specs; the
// whole number of electors is their sum.
func small(t *testing.T, specs ...string) *Election {
	t.Helper()
	e := &Election{}
	for _, s := range specs {
		p := strings.Split(s, ":")
		var n int
		for _, c := range p[1] {
			n = n*10 + int(c-'0')
		}
		e.Units = append(e.Units, Unit{ID: p[0], State: p[0], Name: p[0], Electors: n})
		e.Electors += n
		c := Count{Unit: p[0]}
		for _, kv := range strings.Split(p[2], ",") {
			k, v, _ := strings.Cut(kv, "=")
			var x int64
			for _, d := range v {
				x = x*10 + int64(d-'0')
			}
			c.Votes = append(c.Votes, Vote{Candidate: k, Votes: x})
			c.Total += x
		}
		e.Counts = append(e.Counts, c)
	}
	return e
}

func allocate(t *testing.T, e *Election) *Allocation {
	t.Helper()
	a, err := Allocate(e)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestUnitMargins: unit X, A 60, B 50, C 5: margin 10; switching floor(10/2)+1 = 6 gives A 54,
// B 56 (switching 5 gives 55–55, a tie, not a flip); adding 11 gives B 61 > 60. Unit Y, A 61,
// B 50: margin 11; switching 6 gives 55 < 56; adding 12 gives 62 > 61.
func TestUnitMargins(t *testing.T) {
	a := allocate(t, small(t, "X:3:A=60,B=50,C=5", "Y:3:A=61,B=50", "Z:3:B=7"))
	for _, tc := range []struct {
		id                   string
		margin, switch_, add int64
	}{
		{"X", 10, 6, 11},
		{"Y", 11, 6, 12},
		{"Z", 7, 0, 0}, // one candidate: no runner-up to flip to
	} {
		r, _ := a.Find(tc.id)
		if r.Margin != tc.margin || r.ToSwitch != tc.switch_ || r.ToAdd != tc.add {
			t.Errorf("%s: margin %d switch %d add %d, want %d %d %d", tc.id, r.Margin, r.ToSwitch, r.ToAdd, tc.margin, tc.switch_, tc.add)
		}
	}
	// The tie: switching 5 in X leaves it uncalled.
	e := small(t, "X:3:A=55,B=55,C=5", "Y:3:A=61,B=50")
	a = allocate(t, e)
	if r, _ := a.Find("X"); r.Status != Uncalled || r.Winner != "" || a.Uncalled != 3 || a.Counted != 3 {
		t.Errorf("tied unit: %+v", r)
	}
	// 3 of 6 counted, 3 uncalled: A has 3 < 4 needed: undecided.
	if a.Outcome.Kind != Undecided || a.Needed != 4 {
		t.Errorf("outcome %+v", a.Outcome)
	}
}

// TestFaithless: 2016's Washington: 4 of its 12 electors did not vote for Clinton (3 for Colin
// Powell, 1 for Faith Spotted Eagle). Here a 3-unit election: X (12) won by A with 4 faithless
// electors (3 Powell, 1 Spotted Eagle), Y (6) and Z (5) by B. A gets 12−4 = 8, B 11, Powell 3,
// Spotted Eagle 1: 23 electors, 12 needed, no majority: the House chooses among B, A and Powell.
func TestFaithless(t *testing.T) {
	e := small(t, "X:12:A=100,B=90", "Y:6:B=100,A=1", "Z:5:B=100,A=99")
	e.Faithless = []Faithless{{Unit: "x", VotedFor: "Colin Powell"}, {Unit: "X", VotedFor: "Colin Powell"},
		{Unit: "X", VotedFor: "Colin Powell"}, {Unit: "X", Elector: "R. Satiacum", VotedFor: "Faith Spotted Eagle"}}
	a := allocate(t, e)
	got := map[string]int{}
	for _, x := range a.Totals {
		got[x.Candidate] = x.Electors
	}
	want := map[string]int{"A": 8, "B": 11, "Colin Powell": 3, "Faith Spotted Eagle": 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("totals %v, want %v", got, want)
	}
	x, _ := a.Find("X")
	if !reflect.DeepEqual(x.Awarded, []Award{{"A", 8}, {"Colin Powell", 3}, {"Faith Spotted Eagle", 1}}) || len(x.Faithless) != 4 {
		t.Errorf("X: %+v", x)
	}
	o := a.Outcome
	if o.Kind != NoMajority || o.Contingent == nil || !reflect.DeepEqual(o.Contingent.Candidates, []string{"B", "A", "Colin Powell"}) {
		t.Fatalf("outcome %+v %+v", o, o.Contingent)
	}
	// 3 states (no DC here): 2 delegations needed; 6 senators, 4 needed.
	if c := o.Contingent; c.Delegations != 3 || c.DelegationsNeeded != 2 || c.Senators != 6 || c.SenatorsNeeded != 4 {
		t.Errorf("contingent %+v", c)
	}
	// A faithless elector who voted for "b" votes for B; one who cast no vote counts for no one.
	e.Faithless = []Faithless{{Unit: "X", VotedFor: "b"}, {Unit: "X"}}
	a = allocate(t, e)
	if a.ElectorsOf("B") != 12 || a.ElectorsOf("A") != 10 {
		t.Errorf("A %d, B %d; want 10, 12", a.ElectorsOf("A"), a.ElectorsOf("B"))
	}
	// The tipping point of B (12 of 23, 12 needed): Y (99/101 = 98%) gives 1+6 = 7 (1 from the
	// faithless elector of X), Z (1/199) 7+5 = 12: Z.
	tp, ok := Tipping(a)
	if !ok || tp.Unit != "Z" || tp.Before != 7 || tp.After != 12 || !reflect.DeepEqual(tp.Order, []string{"Y", "Z"}) {
		t.Errorf("tipping point %+v", tp)
	}
}

// TestOutcomes: a 269–269 tie in small (3+3) and the statement of the Twelfth Amendment.
func TestOutcomes(t *testing.T) {
	a := allocate(t, small(t, "X:3:A=10,B=9", "Y:3:B=10,A=9"))
	if a.Outcome.Kind != Tie || !strings.Contains(a.Outcome.Statement, "3–3") ||
		!strings.Contains(a.Outcome.Statement, "House of Representatives") || !strings.Contains(a.Outcome.Statement, "Vice President") {
		t.Errorf("%+v", a.Outcome)
	}
	if _, ok := Tipping(a); ok {
		t.Error("a tipping point without a majority")
	}
	// A tie already: the smallest tie flip changes nothing. A and B have 3 electoral votes
	// and 19 popular votes each, so A (by name) is the leader and a win for B moves A's unit
	// X (margin 1): 1 switched vote, or 2 added.
	f, ok := SmallestFlip(a, TargetTie, Switched)
	if !ok || !f.Reachable || f.Votes != 0 || len(f.Units) != 0 {
		t.Errorf("tie flip %+v", f)
	}
	f, _ = SmallestFlip(a, TargetWin, Added)
	if f.From != "A" || f.To != "B" || f.Votes != 2 || !reflect.DeepEqual(f.Units, []FlipUnit{{"X", 3, 2}}) {
		t.Errorf("win flip %+v", f)
	}
	// An odd difference cannot be tied by flips: 6–3 moves 1.5 units.
	a = allocate(t, small(t, "X:3:A=10,B=9", "Y:3:A=10,B=9", "Z:3:B=10,A=9"))
	if f, _ := SmallestFlip(a, TargetTie, Switched); f.Reachable || !strings.Contains(f.String(), "not reachable") {
		t.Errorf("odd tie %+v", f)
	}
	// Pending: not counted.
	e := small(t, "X:3:A=10,B=9", "Y:3:A=10,B=9", "Z:3:B=10,A=9")
	e.Pending = []string{"y"}
	a = allocate(t, e)
	if r, _ := a.Find("Y"); r.Status != Pending || a.Pending != 3 || a.ElectorsOf("A") != 3 || a.Outcome.Kind != Undecided {
		t.Errorf("pending: %+v %+v", r, a.Outcome)
	}
	// Uncalled by the user.
	e.Pending, e.Uncalled = nil, []string{"Z"}
	a = allocate(t, e)
	if a.Outcome.Kind != Majority || a.Outcome.Winner != "A" || a.Uncalled != 3 {
		t.Errorf("uncalled: %+v", a.Outcome)
	}
}

// TestApply: vote changes, flips and their errors.
func TestApply(t *testing.T) {
	e := small(t, "X:3:Ann Lee=10,Bo Tan=9,Cy=1", "Y:3:Bo Tan=10,Ann Lee=9", "Z:3:Bo Tan=5,Ann Lee=5")
	s := Scenario{Votes: []VoteChange{{"x", "tan", 20}}}
	after, err := e.Apply(s)
	if err != nil {
		t.Fatal(err)
	}
	// X: Bo Tan 20 (was 9), total 10+20+1 = 31.
	if c := after.Counts[0]; c.Votes[1].Votes != 20 || c.Total != 31 {
		t.Errorf("X after: %+v", c)
	}
	if e.Counts[0].Votes[1].Votes != 9 || e.Counts[0].Total != 20 {
		t.Error("Apply changed its receiver")
	}
	d := Compare(allocate(t, e), allocate(t, after))
	if len(d.Changed) != 1 || d.Changed[0] != (UnitChange{"X", 3, "Ann Lee", "Bo Tan", 1, 10}) || !d.OutcomeChanged {
		t.Errorf("diff %+v", d)
	}
	for _, tc := range []struct {
		s    Scenario
		want string
	}{
		{Scenario{Flip: []string{"Q"}}, `unit "Q" is not in the apportionment`},
		{Scenario{Flip: []string{"Z"}}, "unit Z: no runner-up"},
		{Scenario{Votes: []VoteChange{{"X", "Dee", 1}}}, `unit X has no candidate "Dee" (it has Ann Lee, Bo Tan, Cy)`},
		{Scenario{Votes: []VoteChange{{"X", "Cy", -1}}}, "unit X: -1 votes"},
		{Scenario{Pending: []string{"W"}}, `unit "W" is not in the apportionment`},
		{Scenario{Faithless: []Faithless{{Unit: "Y"}, {Unit: "Y"}, {Unit: "Y"}, {Unit: "Y"}}}, "unit Y: 4 faithless electors of 3"},
	} {
		after, err := e.Apply(tc.s)
		if err == nil {
			_, err = Allocate(after)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrBadInput) {
			t.Errorf("%+v: %v, want %q", tc.s, err, tc.want)
		}
	}
	// MatchCandidate: a last name shared by two candidates matches neither.
	if MatchCandidate([]Vote{{"Al Smith", 1}, {"Jo Smith", 1}}, "smith") != -1 {
		t.Error("ambiguous last name matched")
	}
}

func TestParseFlags(t *testing.T) {
	v, err := ParseVoteChange("WI: Trump = 1,640,000")
	if err != nil || v != (VoteChange{"WI", "Trump", 1640000}) {
		t.Errorf("%+v %v", v, err)
	}
	for _, s := range []string{"WI", "WI:Trump", "WI:=3", ":T=3", "WI:T=x", "WI:T=-1"} {
		if _, err := ParseVoteChange(s); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
	f, err := ParseFaithless("WA:Colin Powell")
	if err != nil || f != (Faithless{Unit: "WA", VotedFor: "Colin Powell"}) {
		t.Errorf("%+v %v", f, err)
	}
	if f, err := ParseFaithless("TX:"); err != nil || f.VotedFor != "" {
		t.Errorf("%+v %v", f, err)
	}
	if _, err := ParseFaithless("TX"); err == nil {
		t.Error("no error")
	}
}

// read2020 returns the 2020 file name with edit applied to its text.
func read2020(t *testing.T, name string, edit func(string) string) Source {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, name))
	if err != nil {
		t.Fatal(err)
	}
	s := edit(string(b))
	if s == string(b) {
		t.Fatalf("%s: the edit changed nothing", name)
	}
	return Source{Name: name, R: strings.NewReader(s)}
}

// dropLines returns a function that removes the lines containing sub (the files end lines with
// CRLF or LF).
func dropLines(sub string) func(string) string {
	return func(s string) string {
		var out []string
		for _, l := range strings.SplitAfter(s, "\n") {
			if !strings.Contains(l, sub) {
				out = append(out, l)
			}
		}
		return strings.Join(out, "")
	}
}

// TestBadInput: the certified files with one row changed give an error naming the unit (or, for
// the readers, the file, record and field).
func TestBadInput(t *testing.T) {
	const (
		app = "electoral_votes_2020_apportionment.csv"
		fec = "state_president_2020_fec_table2.csv"
		dis = "me_ne_districts_2020.csv"
	)
	for _, tc := range []struct {
		name           string
		app, fec, dis  func(string) string
		want           string
		record         int64
		field, file    string
		parse, invalid bool
	}{
		{name: "electors 11 in WI: 539", app: func(s string) string { return strings.Replace(s, "WI,statewide,10", "WI,statewide,11", 1) },
			want: "the apportionment's 56 units sum to 539 electors, not 538 (+1)"},
		{name: "electors 1 in WI", app: func(s string) string { return strings.Replace(s, "WI,statewide,10", "WI,statewide,1", 1) },
			want: "unit WI: 1 electors; every state and DC have at least 3"},
		{name: "Wisconsin dropped from the apportionment", app: dropLines("Wisconsin,WI,statewide,10"),
			want: `statewide results for "WISCONSIN", which is not a state in the apportionment`},
		{name: "two electors for NE-2", app: func(s string) string { return strings.Replace(s, "NE,CD-2,1", "NE,CD-2,2", 1) },
			want: "unit NE-2: a congressional district chooses 1 elector, not 2"},
		{name: "Wisconsin without results", fec: dropLines("WISCONSIN,1630866,1610184,56991,3298041"),
			want: "unit WI (Wisconsin): no statewide results"},
		{name: "NE-2 without results", dis: dropLines(",NE-2,"), want: "unit NE-2 (Nebraska): no district results"},
		{name: "a district the apportionment lacks", dis: func(s string) string { return strings.Replace(s, "NE,NE-3,", "NE,NE-4,", 4) },
			want: `district results for "NE-4", which is not a district in the apportionment`},
		{name: "not a number", app: func(s string) string { return strings.Replace(s, "AK,statewide,3", "AK,statewide,three", 1) },
			parse: true, file: app, record: 3, field: "electoral_votes", want: `"three" is not a count`},
		{name: "unknown unit", app: func(s string) string { return strings.Replace(s, "ME,CD-2,1", "ME,north,1", 1) },
			parse: true, file: app, record: 23, field: "unit", want: `unit "north" is not statewide`},
		{name: "total not the sum", fec: func(s string) string {
			return strings.Replace(s, "ALASKA,153778,189951,15801,359530", "ALASKA,153778,189951,15801,359531", 1)
		},
			parse: true, file: fec, record: 3, field: "total", want: "total 359531 is not the sum of the votes, 359530"},
		{name: "state twice", fec: func(s string) string { return strings.Replace(s, "ALASKA,", "ALABAMA,", 1) },
			parse: true, file: fec, record: 3, field: "state", want: "ALABAMA listed twice"},
		{name: "negative votes", dis: func(s string) string { return strings.Replace(s, "ME-2,Joe Biden,168696", "ME-2,Joe Biden,-168696", 1) },
			parse: true, file: dis, record: 9, field: "votes", want: `"-168696" is not a count`},
		{name: "candidate twice", dis: func(s string) string { return strings.Replace(s, "ME-1,Jo Jorgensen", "ME-1,Howie Hawkins", 1) },
			parse: true, file: dis, record: 5, field: "candidate", want: "Howie Hawkins listed twice in ME-1"},
		{name: "missing column", fec: func(s string) string { return strings.Replace(s, "state,", "name,", 1) },
			parse: true, file: fec, record: 1, field: "state", want: `the header has no "state" column`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Files{Apportionment: open(t, app), States: open(t, fec), Districts: open(t, dis)}
			if tc.app != nil {
				f.Apportionment = read2020(t, app, tc.app)
			}
			if tc.fec != nil {
				f.States = read2020(t, fec, tc.fec)
			}
			if tc.dis != nil {
				f.Districts = read2020(t, dis, tc.dis)
			}
			e, err := Load(f, names2020)
			if err == nil {
				_, err = Allocate(e)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			var pe *canvass.ParseError
			if tc.parse != errors.As(err, &pe) {
				t.Fatalf("%v: ParseError %v, want %v", err, !tc.parse, tc.parse)
			}
			if tc.parse && (pe.File != tc.file || pe.Record != tc.record || pe.Field != tc.field) {
				t.Errorf("%v: file %q record %d field %q; want %q %d %q", err, pe.File, pe.Record, pe.Field, tc.file, tc.record, tc.field)
			}
			if !tc.parse && !errors.Is(err, ErrBadInput) {
				t.Errorf("%v does not wrap ErrBadInput", err)
			}
		})
	}
}

// TestValidate: the apportionment's rules, by hand.
func TestValidate(t *testing.T) {
	base := func() *Election {
		return &Election{Electors: 8, Units: []Unit{
			{ID: "AA", State: "AA", Name: "A", Electors: 3},
			{ID: "BB", State: "BB", Name: "B", AtLarge: true, Electors: 2},
			{ID: "BB-1", State: "BB", Name: "B", District: 1, Electors: 1},
			{ID: "BB-2", State: "BB", Name: "B", District: 2, Electors: 1},
			{ID: "DC", State: "DC", Name: "D", Electors: 1},
		}}
	}
	withCounts := func(e *Election) *Election {
		for _, u := range e.Units {
			e.Counts = append(e.Counts, Count{Unit: u.ID, Votes: []Vote{{"x", 1}}, Total: 1})
		}
		return e
	}
	e := withCounts(base())
	if err := e.Validate(); err == nil || !strings.Contains(err.Error(), "unit DC: 1 electors") {
		t.Errorf("DC with 1: %v", err)
	}
	e = base()
	e.Units[4].Electors, e.Electors = 3, 10
	if err := withCounts(e).Validate(); err != nil {
		t.Errorf("valid: %v", err)
	}
	for _, tc := range []struct {
		edit func(e *Election)
		want string
	}{
		{func(e *Election) { e.Units = e.Units[:2] }, "state BB (B): at-large electors but no district units"},
		{func(e *Election) { e.Units[1].AtLarge = false; e.Units[1].Electors = 3 }, "state BB (B): a statewide unit and district units"},
		{func(e *Election) { e.Units[3].ID = "BB-1" }, "unit BB-1 appears twice"},
		{func(e *Election) { e.Counts[0].Total = 2 }, "unit AA: the votes sum to 1, not the total 2"},
		{func(e *Election) { e.Counts[0].Votes = append(e.Counts[0].Votes, Vote{"X", 0}) }, `unit AA: candidate "X" listed twice`},
		{func(e *Election) { e.Counts = e.Counts[1:] }, "unit AA (A): no statewide results"},
		{func(e *Election) { e.Counts[1].Unit = "AA" }, "unit AA: two sets of results"},
	} {
		e := base()
		e.Units[4].Electors, e.Electors = 3, 10
		e = withCounts(e)
		tc.edit(e)
		if err := e.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
}

// TestRecountTotals: every state in recount's table divides by a total this package knows:
// the two leaders' votes, or every vote for the office (or needs none).
func TestRecountTotals(t *testing.T) {
	for _, st := range []string{"AZ", "GA", "MI", "NV", "PA", "WI"} {
		u := Unit{ID: st, State: st}
		r := reach(u, 10, 100, 150)
		if !r.OnFile {
			t.Errorf("%s: not on file", st)
		}
		want := int64(150)
		if st == "AZ" {
			want = 100
		}
		if r.Divisor != want {
			t.Errorf("%s: divisor %d, want %d", st, r.Divisor, want)
		}
	}
	if r := reach(Unit{ID: "ZZ-1", State: "WI", District: 1}, 10, 100, 150); r.Note == "" {
		t.Error("district without a note")
	}
}

// TestReaders: the layouts the readers accept besides the 2020 files', by hand.
func TestReaders(t *testing.T) {
	us, err := ReadApportionment(strings.NewReader("state,state_po,unit,electoral_votes\r\n"+
		"Maine,me,At-Large,2\nMaine,ME,District 1,1\nMaine,ME,me-02,1\nDelaware,DE,,3\n"), "a.csv")
	want := []Unit{
		{ID: "ME", State: "ME", Name: "Maine", AtLarge: true, Electors: 2},
		{ID: "ME-1", State: "ME", Name: "Maine", District: 1, Electors: 1},
		{ID: "ME-2", State: "ME", Name: "Maine", District: 2, Electors: 1},
		{ID: "DE", State: "DE", Name: "Delaware", Electors: 3},
	}
	if err != nil || !reflect.DeepEqual(us, want) {
		t.Errorf("apportionment %+v %v", us, err)
	}
	for _, bad := range []string{
		"state,state_po,unit,electoral_votes\nMaine,ME,NE-1,1\n",                  // another state's district
		"state,state_po,unit,electoral_votes\nMaine,ME,CD-1,1\nMaine,ME,ME-1,1\n", // twice
		"state,state_po,unit,electoral_votes\nMaine,ME,,2\nMain,ME,CD-1,1\n",      // two names
		"state,state_po,electoral_votes\nMaine,ME,539\n",
	} {
		if _, err := ReadApportionment(strings.NewReader(bad), "a.csv"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}

	// Without a total the total is the sum; without others, others are the rest.
	cs, err := ReadStates(strings.NewReader("state,a,b\nX,1,2\n"), "s.csv")
	if err != nil || !reflect.DeepEqual(cs, []Count{{Unit: "X", Votes: []Vote{{"a", 1}, {"b", 2}}, Total: 3}}) {
		t.Errorf("states %+v %v", cs, err)
	}
	cs, err = ReadStates(strings.NewReader("state,a,b,total\nX,1,2,10\n"), "s.csv")
	if err != nil || cs[0].Other != 7 || cs[0].Total != 10 {
		t.Errorf("states %+v %v", cs, err)
	}

	// CD-n with state_po; Blank rows apart.
	cs, err = ReadDistricts(strings.NewReader("state_po,unit,candidate,votes\nNE,CD-2,A,5\nNE,CD-2,blank,3\nNE,CD-2,B,\"1,000\"\n"), "d.csv")
	if err != nil || !reflect.DeepEqual(cs, []Count{{Unit: "NE-2", Votes: []Vote{{"A", 5}, {"B", 1000}}, Total: 1005, Blank: 3}}) {
		t.Errorf("districts %+v %v", cs, err)
	}
	if _, err := ReadDistricts(strings.NewReader("unit,candidate,votes\nCD-2,A,5\n"), "d.csv"); err == nil {
		t.Error("CD-2 without a state: no error")
	}

	// Counties summed by state: X = (1+4, 2+5), total 3+12 = 15, others 15−12 = 3.
	cs, err = ReadCounties(strings.NewReader("state_name,county,votes_dem,votes_gop,total_votes\nX,p,1,2,3\nY,q,1,1,2\nX,r,4,5,12\n"), "c.csv")
	if err != nil || !reflect.DeepEqual(cs[0], Count{Unit: "X", Votes: []Vote{{"dem", 5}, {"gop", 7}}, Other: 3, Total: 15}) || len(cs) != 2 {
		t.Errorf("counties %+v %v", cs, err)
	}
	if _, err := ReadCounties(strings.NewReader("state_name,votes_dem,total_votes\nX,5,4\n"), "c.csv"); err == nil {
		t.Error("total below the votes: no error")
	}

	// Names: labels any case.
	n := Names{}
	n.Set(" Biden ", "Joe Biden ")
	if n.Name("BIDEN") != "Joe Biden" || n.Name("Jo Jorgensen") != "Jo Jorgensen" {
		t.Error("Names")
	}
}
