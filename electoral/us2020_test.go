package electoral

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// The certified 2020 files, as in testdata/us2020/national (testdata/README.md).
var dataDir = filepath.Join("..", "testdata", "us2020", "national")

// names2020 maps the labels of the 2020 files to the candidates (the FEC heads its columns
// "biden", "trump"; the county file "votes_dem", "votes_gop").
var names2020 = Names{"biden": "Joe Biden", "dem": "Joe Biden", "trump": "Donald Trump", "gop": "Donald Trump"}

const (
	biden = "Joe Biden"
	trump = "Donald Trump"
)

func open(t testing.TB, name string) Source {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return Source{Name: name, R: bytes.NewReader(b)}
}

// load2020 reads the certified 2020 election: statewide results from the FEC's table 2, or
// (counties) the county file summed by state; Maine's and Nebraska's districts either way.
func load2020(t testing.TB, counties bool) *Election {
	t.Helper()
	f := Files{
		Apportionment: open(t, "electoral_votes_2020_apportionment.csv"),
		Districts:     open(t, "me_ne_districts_2020.csv"),
	}
	if counties {
		f.Counties = open(t, "county_presidential_results_2020.csv")
	} else {
		f.States = open(t, "state_president_2020_fec_table2.csv")
	}
	e, err := Load(f, names2020)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func analyze(t testing.TB, e *Election) *Report {
	t.Helper()
	r, err := Analyze(e)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// winners returns each unit's standing (winner, or status).
func winners(a *Allocation) map[string]string {
	m := map[string]string{}
	for _, r := range a.Units {
		m[r.ID] = standing(r)
	}
	return m
}

// TestNational2020 allocates the certified 2020 results. By hand, from the files' rows:
//
// The apportionment (electoral_votes_2020_apportionment.csv) has 56 rows: 48 states and DC
// "statewide", "Maine,ME,statewide (at-large),2", "Maine,ME,CD-1,1", "Maine,ME,CD-2,1",
// "Nebraska,NE,statewide (at-large),2" and "Nebraska,NE,CD-1..3,1"; they sum to 538.
//
// Joining it with state_president_2020_fec_table2.csv (biden > trump in the row: Biden;
// otherwise Trump), with awk:
//
//	awk -F, 'NR==FNR{if(FNR>1&&$3~/^statewide/)ev[toupper($1)]=$4;next}
//	  FNR>1{s[$2>$3?"B":"T"]+=ev[$1]}END{print s["B"],s["T"]}' apportionment fec
//
// gives Biden 304 electoral votes in 26 statewide units (25 states and DC, Maine at large:
// "MAINE,435072,360737,...") and Trump 229 in 25 (Nebraska at large: "NEBRASKA,374583,
// 556846,..."). The districts (me_ne_districts_2020.csv, Biden row against Trump row):
// ME-1 266376 > 164045 Biden; ME-2 168696 < 196692 Trump; NE-1 132261 < 180290 Trump;
// NE-2 176468 > 154377 Biden; NE-3 65854 < 222179 Trump. So Biden 304+2 = 306 and Trump
// 229+3 = 232; 306+232 = 538, 306 ≥ 270.
//
// The popular vote over the 51 statewide rows is Biden 81,283,501 and Trump 74,223,975, the
// FEC's national totals, of 158,429,631 in all (with awk, the sums of the biden, trump and
// total columns: awk -F, 'NR>1{b+=$2;t+=$3;s+=$5}END{print b,t,s}').
func TestNational2020(t *testing.T) {
	r := analyze(t, load2020(t, false))
	a := r.Allocation
	if len(a.Units) != 56 || a.Electors != 538 || a.Needed != 270 || a.Counted != 538 || a.Pending != 0 || a.Uncalled != 0 {
		t.Fatalf("units %d, electors %d, needed %d, counted %d, pending %d, uncalled %d",
			len(a.Units), a.Electors, a.Needed, a.Counted, a.Pending, a.Uncalled)
	}
	if len(a.Totals) != 2 {
		t.Fatalf("totals %+v", a.Totals)
	}
	b, tr := a.Totals[0], a.Totals[1]
	if b.Candidate != biden || b.Electors != 306 || len(b.Won) != 28 || b.Popular != 81283501 {
		t.Errorf("Biden: %+v", b)
	}
	if tr.Candidate != trump || tr.Electors != 232 || len(tr.Won) != 28 || tr.Popular != 74223975 {
		t.Errorf("Trump: %+v", tr)
	}
	if a.Popular != 158429631 {
		t.Errorf("popular vote %d, want 158,429,631", a.Popular)
	}
	if a.Outcome.Kind != Majority || a.Outcome.Winner != biden {
		t.Errorf("outcome %+v", a.Outcome)
	}
	w := winners(a)
	for id, want := range map[string]string{"ME": biden, "ME-1": biden, "ME-2": trump, "NE": trump,
		"NE-1": trump, "NE-2": biden, "NE-3": trump, "WI": biden, "NC": trump, "DC": biden} {
		if w[id] != want {
			t.Errorf("%s won by %q, want %q", id, w[id], want)
		}
	}
	// ME-1: "Blank,4869" is not a vote; its total is 266376+164045+7343+4654+649+45 = 443112.
	me1, _ := a.Find("ME-1")
	if me1.Total != 443112 || me1.Margin != 102331 {
		t.Errorf("ME-1: total %d margin %d", me1.Total, me1.Margin)
	}
}

// TestFlipWisconsin2020: "WISCONSIN,1630866,1610184,56991,3298041" is Biden's by 20682; flipped,
// its 10 electors (apportionment row "Wisconsin,WI,statewide,10") move: Biden 306−10 = 296,
// Trump 232+10 = 242, and Biden still has a majority (296 ≥ 270). Only WI changes hands.
func TestFlipWisconsin2020(t *testing.T) {
	e := load2020(t, false)
	base := analyze(t, e)
	wi, err := e.WhatIf(Scenario{Flip: []string{"wi"}}, base)
	if err != nil {
		t.Fatal(err)
	}
	a := wi.Report.Allocation
	if a.ElectorsOf(biden) != 296 || a.ElectorsOf(trump) != 242 {
		t.Errorf("after flipping WI: Biden %d, Trump %d; want 296, 242", a.ElectorsOf(biden), a.ElectorsOf(trump))
	}
	want := []UnitChange{{Unit: "WI", Electors: 10, Before: biden, After: trump, MarginBefore: 20682, MarginAfter: 20682}}
	if !reflect.DeepEqual(wi.Diff.Changed, want) {
		t.Errorf("changed %+v, want %+v", wi.Diff.Changed, want)
	}
	wantTotals := []TotalChange{{biden, 306, 296}, {trump, 232, 242}}
	if !reflect.DeepEqual(wi.Diff.Totals, wantTotals) {
		t.Errorf("totals %+v, want %+v", wi.Diff.Totals, wantTotals)
	}
	if wi.Diff.OutcomeChanged || wi.Diff.After.Winner != biden {
		t.Errorf("outcome %+v", wi.Diff)
	}
	// The flipped unit's votes are exchanged: Trump 1630866, Biden 1610184.
	r, _ := a.Find("WI")
	if r.Winner != trump || r.LeaderVotes != 1630866 || r.RunnerUpVotes != 1610184 {
		t.Errorf("WI after the flip: %+v", r)
	}
	// The base election is unchanged.
	if e.Counts[len(e.Counts)-1].Unit == "" || base.Allocation.ElectorsOf(biden) != 306 {
		t.Error("WhatIf changed its base")
	}

	// Flipping AZ, GA and WI as well: 11 ("Arizona,AZ,statewide,11") + 16 ("Georgia,GA,
	// statewide,16") + 10 = 37 move; 306−37 = 269 = 232+37: a tie, and the Twelfth
	// Amendment's contingent election (50 states, 26 needed; 100 senators, 51 needed).
	tie, err := e.WhatIf(Scenario{Flip: []string{"WI", "AZ", "GA"}}, base)
	if err != nil {
		t.Fatal(err)
	}
	o := tie.Report.Allocation.Outcome
	if o.Kind != Tie || o.Contingent == nil || o.Contingent.Delegations != 50 || o.Contingent.DelegationsNeeded != 26 ||
		o.Contingent.SenatorsNeeded != 51 || !reflect.DeepEqual(o.Contingent.Candidates, []string{biden, trump}) {
		t.Errorf("AZ, GA, WI flipped: %+v %+v", o, o.Contingent)
	}
	if !tie.Diff.OutcomeChanged || len(tie.Diff.Changed) != 3 || tie.Report.TippingPoint != nil {
		t.Errorf("diff %+v", tie.Diff)
	}

	// Georgia pending: its 16 are not counted; Biden 290 ≥ 270 still wins (the news of
	// November 2020 reported 290 before Georgia was called).
	ga, err := e.WhatIf(Scenario{Pending: []string{"GA"}}, base)
	if err != nil {
		t.Fatal(err)
	}
	a = ga.Report.Allocation
	if a.ElectorsOf(biden) != 290 || a.Pending != 16 || a.Outcome.Winner != biden {
		t.Errorf("GA pending: Biden %d, pending %d, %+v", a.ElectorsOf(biden), a.Pending, a.Outcome)
	}
	// Pending GA and PA (20): Biden 270 exactly; pending also AZ (11): 259, undecided.
	ga, err = e.WhatIf(Scenario{Pending: []string{"GA", "PA", "AZ"}}, base)
	if err != nil {
		t.Fatal(err)
	}
	if a := ga.Report.Allocation; a.ElectorsOf(biden) != 259 || a.Outcome.Kind != Undecided {
		t.Errorf("GA, PA, AZ pending: %d %+v", a.ElectorsOf(biden), a.Outcome)
	}
}

// TestTippingPoint2020: Biden's units by his margin over Trump as a share of the unit's votes,
// from the FEC rows (margin/total): GEORGIA 11779/4999960 = 0.236%, ARIZONA 10457/3387326 =
// 0.309%, WISCONSIN 20682/3298041 = 0.627%, PENNSYLVANIA 80555/6936976 = 1.161%, then NEVADA
// 2.39%, MICHIGAN 2.78%, ...; the districts are wider (NE-2 22091/339666 = 6.50%, ME-1
// 102331/443112 = 23.1%). Widest first, every unit but GA, AZ and WI gives 306−16−11−10 = 269;
// Wisconsin's 10 make 279 ≥ 270: Wisconsin is the tipping point.
func TestTippingPoint2020(t *testing.T) {
	r := analyze(t, load2020(t, false))
	tp := r.TippingPoint
	if tp == nil {
		t.Fatal("no tipping point")
	}
	if tp.Candidate != biden || tp.Unit != "WI" || tp.Margin != 20682 || tp.Total != 3298041 ||
		tp.Before != 269 || tp.After != 279 || len(tp.Order) != 26 {
		t.Errorf("tipping point %+v", tp)
	}
	if n := len(tp.Order); tp.Order[0] != "DC" || tp.Order[n-2] != "PA" || tp.Order[n-1] != "WI" {
		t.Errorf("order %v", tp.Order)
	}
}

// TestSmallestFlip2020: the fewest changed votes to a 269–269 tie and to a Trump win, over every
// combination of Biden's units. From the FEC rows and the district rows, Biden's margins m and
// the costs floor(m/2)+1 (switched) and m+1 (added) of his closest units:
//
//	AZ 11 EV  m 10457 (1672143−1661686)  switch  5229  add 10458
//	GA 16 EV  m 11779 (2473633−2461854)  switch  5890  add 11780
//	WI 10 EV  m 20682 (1630866−1610184)  switch 10342  add 20683
//	NE-2 1 EV m 22091 (176468−154377)    switch 11046  add 22092
//	NV  6 EV  m 33596 (703486−669890)    switch 16799  add 33597
//	NH  4 EV  m 59277 (424937−365660)    switch 29639  add 59278
//	PA 20 EV  m 80555 (3458229−3377674)  switch 40278  add 80556
//
// (every other unit of Biden's costs more than 50,000 switched votes). A tie moves exactly
// (306−232)/2 = 37 electoral votes: AZ+GA+WI = 37 for 5229+5890+10342 = 21,461 switched
// (10458+11780+20683 = 42,921 added); any other set of 37 costs more (one with NV costs at
// least 16799+5229 > 21461, and so on). A Trump win moves at least 270−232 = 38: without GA the
// units under 32,507 carry 11+10+1+6+4 = 32 < 38, so GA is in, and the cheapest 22 more are
// AZ+WI+NE-2: 21461+11046 = 32,507 switched (42921+22092 = 65,013 added).
func TestSmallestFlip2020(t *testing.T) {
	r := analyze(t, load2020(t, false))
	want := []Flip{
		{Model: Switched, Target: TargetTie, From: biden, To: trump, Reachable: true, Votes: 21461, Electors: 37, FromAfter: 269, ToAfter: 269,
			Units: []FlipUnit{{"AZ", 11, 5229}, {"GA", 16, 5890}, {"WI", 10, 10342}}},
		{Model: Added, Target: TargetTie, From: biden, To: trump, Reachable: true, Votes: 42921, Electors: 37, FromAfter: 269, ToAfter: 269,
			Units: []FlipUnit{{"AZ", 11, 10458}, {"GA", 16, 11780}, {"WI", 10, 20683}}},
		{Model: Switched, Target: TargetWin, From: biden, To: trump, Reachable: true, Votes: 32507, Electors: 38, FromAfter: 268, ToAfter: 270,
			Units: []FlipUnit{{"AZ", 11, 5229}, {"GA", 16, 5890}, {"NE-2", 1, 11046}, {"WI", 10, 10342}}},
		{Model: Added, Target: TargetWin, From: biden, To: trump, Reachable: true, Votes: 65013, Electors: 38, FromAfter: 268, ToAfter: 270,
			Units: []FlipUnit{{"AZ", 11, 10458}, {"GA", 16, 11780}, {"NE-2", 1, 22092}, {"WI", 10, 20683}}},
	}
	if !reflect.DeepEqual(r.Flips, want) {
		t.Errorf("flips\n got %+v\nwant %+v", r.Flips, want)
	}
	// The per-unit margins agree with the table.
	for id, w := range map[string][2]int64{"AZ": {5229, 10458}, "GA": {5890, 11780}, "NE-2": {11046, 22092}, "PA": {40278, 80556}} {
		u, _ := r.Allocation.Find(id)
		if u.ToSwitch != w[0] || u.ToAdd != w[1] {
			t.Errorf("%s: switch %d add %d, want %v", id, u.ToSwitch, u.ToAdd, w)
		}
	}
	// Applying the switched win by hand gives Trump 270: the flip is real, not only counted.
	e := load2020(t, false)
	var s Scenario
	for _, u := range want[2].Units {
		res, _ := r.Allocation.Find(u.Unit)
		s.Votes = append(s.Votes,
			VoteChange{u.Unit, biden, res.LeaderVotes - u.Votes},
			VoteChange{u.Unit, trump, res.RunnerUpVotes + u.Votes})
	}
	after, err := e.Apply(s)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Allocate(after)
	if err != nil {
		t.Fatal(err)
	}
	if a.Outcome.Winner != trump || a.ElectorsOf(trump) != 270 {
		t.Errorf("after switching the votes: %+v", a.Outcome)
	}
}

// TestRecountReach2020: the FEC rows against package recount's table (recount/rules_test.go
// derives each by hand): WI 20682 of 3298041 = 0.63% ≤ 1%, a petition at the petitioner's cost;
// GA 11779 of 4999960 = 0.24% ≤ 0.5%, requestable, no fee; AZ 10457 of the two leaders'
// 3333829 = 0.31% ≤ 0.5%, automatic under today's statute; PA 80555 of 6936976 = 1.16% > 0.5%,
// none; MI and NV at any margin, at the petitioner's cost; Ohio has no rules on file.
func TestRecountReach2020(t *testing.T) {
	a := analyze(t, load2020(t, false)).Allocation
	for _, tc := range []struct {
		id        string
		auto, req bool
		pays      string
		divisor   int64
	}{
		{"WI", false, true, "petitioner", 3298041},
		{"GA", false, true, "government", 4999960},
		{"AZ", true, false, "government", 3333829},
		{"PA", false, false, "", 6936976},
		{"MI", false, true, "petitioner", 5539302},
		{"NV", false, true, "petitioner", 1405376},
	} {
		r, _ := a.Find(tc.id)
		c := r.Recount
		if !c.OnFile || c.Automatic != tc.auto || c.Requestable != tc.req || c.WhoPays != tc.pays || c.Divisor != tc.divisor || c.Rule == "" {
			t.Errorf("%s: %+v", tc.id, c)
		}
	}
	oh, _ := a.Find("OH")
	if oh.Recount.OnFile || oh.Recount.Note != "no recount rules on file for OH" {
		t.Errorf("OH: %+v", oh.Recount)
	}
}

// TestCounties2020: the county file summed by state gives the same winner in every unit, and
// the same totals, 306–232. Its Wisconsin rows are the canvass before the recount: Biden
// 1,630,673 and Trump 1,610,065 (awk sums of votes_dem and votes_gop over the 72 "Wisconsin"
// rows), a margin of 20,608 against the FEC's 20,682 after it. Maine's at large comes from its
// counties (430,473 to 359,899), its districts from the district file.
func TestCounties2020(t *testing.T) {
	fec := analyze(t, load2020(t, false)).Allocation
	cty := analyze(t, load2020(t, true)).Allocation
	if !reflect.DeepEqual(winners(fec), winners(cty)) {
		t.Errorf("the allocations differ:\n fec %v\n counties %v", winners(fec), winners(cty))
	}
	if cty.ElectorsOf(biden) != 306 || cty.ElectorsOf(trump) != 232 {
		t.Errorf("counties: %+v", cty.Totals)
	}
	wi, _ := cty.Find("WI")
	if wi.LeaderVotes != 1630673 || wi.RunnerUpVotes != 1610065 || wi.Margin != 20608 {
		t.Errorf("WI from counties: %+v", wi)
	}
	me, _ := cty.Find("ME")
	if me.LeaderVotes != 430473 || me.RunnerUpVotes != 359899 {
		t.Errorf("ME from counties: %+v", me)
	}
}
