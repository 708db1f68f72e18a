package reconcile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/results"
)

const us2020 = "../testdata/us2020"

func open(t *testing.T, rel string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join(us2020, rel))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

var detroit = Unit{Jurisdiction: WayneCounty, Municipality: "City of Detroit"}

func wayne(t *testing.T) ([]UnitFigures, *Mapping) {
	t.Helper()
	figs, err := ReadWayne(open(t, "mi/wayne_2020_president_precinct_with_registration.csv"), "wayne.csv")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ReadMapping(open(t, "mi/detroit_avcbs_by_precinct_nov2020.csv"), "detroit_avcbs.csv", detroit)
	if err != nil {
		t.Fatal(err)
	}
	return figs, m
}

func byKey(figs []UnitFigures) map[string]*UnitFigures {
	out := map[string]*UnitFigures{}
	for i := range figs {
		out[figs[i].Unit.Key()] = &figs[i]
	}
	return out
}

func in(u Unit, precinct string) Unit { u.Precinct = precinct; return u }

func TestWayneDetroit(t *testing.T) {
	figs, m := wayne(t)
	// The table has 1115 rows; Detroit has 503 precincts and 134 counting boards; the mapping
	// file has 503 rows (one per precinct).
	if len(figs) != 1115 || m.Len() != 503 || len(m.Groups()) != 134 {
		t.Fatalf("%d rows, %d mapped precincts, %d boards; want 1115, 503, 134", len(figs), m.Len(), len(m.Groups()))
	}
	raw := byKey(figs)
	// Precincts alone, from the rows
	//   City of Detroit,Precinct 1,752,114,0,114,...   -> 114/752
	//   City of Detroit,Precinct 490,60,25,0,25,...    -> 25/60, Detroit's highest alone
	//   City of Detroit,AVCB 72,0,0,1544,1544,...      -> no registered voters
	for _, c := range []struct {
		p           string
		reg, ballot int64
	}{{"Precinct 1", 752, 114}, {"Precinct 490", 60, 25}, {"AVCB 72", 0, 1544}} {
		f := raw[in(detroit, c.p).Key()]
		if f == nil || f.Registered != c.reg || f.Ballots != c.ballot {
			t.Errorf("%s: %+v; want %d registered, %d ballots", c.p, f, c.reg, c.ballot)
		}
	}
	// Unjoined, the 134 boards are "no registration" findings.
	n := 0
	for _, f := range Check(figs, nil, Options{}) {
		if f.Rule == RuleNoRegistration && f.Unit.Municipality == "City of Detroit" {
			n++
		}
	}
	if n != 134 {
		t.Errorf("unjoined: %d no-registration findings, want 134 (one per board)", n)
	}

	joined := Join(figs, m)
	// 1115 rows - 503 Detroit precincts joined into their 134 boards = 612 units.
	if len(joined) != 612 {
		t.Fatalf("%d joined units, want 612", len(joined))
	}
	g := byKey(joined)
	for _, c := range []struct {
		board              string
		members            int
		reg, ed, av, total int64
	}{
		// Detroit mapping rows "1,72" "2,72" "3,72" "135,72"; Wayne rows
		//   Precinct 1,752,114,0,114   Precinct 2,1140,161,0,161   Precinct 3,1212,180,0,180
		//   Precinct 135,854,149,0,149 AVCB 72,0,0,1544,1544
		// registered 752+1140+1212+854 = 3958; election day 114+161+180+149 = 604;
		// ballots 604+1544 = 2148; turnout 2148/3958 = 54.27%.
		{"AVCB 72", 4, 3958, 604, 1544, 2148},
		// "4,110" alone: Precinct 4,801,122,0,122 and AVCB 110,0,0,218,218 -> 340/801 = 42.4%.
		{"AVCB 110", 1, 801, 122, 218, 340},
		// Precincts 254,318,319,320,322 -> AVCB 1:
		//   1417+842+919+870+629 = 4677 registered; 235+125+178+155+69 = 762 election day;
		//   AVCB 1,0,0,1506,1506 -> 762+1506 = 2268 ballots (48.5%).
		{"AVCB 1", 5, 4677, 762, 1506, 2268},
	} {
		f := g[in(detroit, c.board).Key()]
		if f == nil {
			t.Fatalf("%s not joined", c.board)
		}
		// Members: the precincts and the board's own row.
		if len(f.Members) != c.members+1 || f.Registered != c.reg || f.BallotsElectionDay != c.ed || f.BallotsAbsentee != c.av || f.Ballots != c.total {
			t.Errorf("%s: %d members, reg %d, ed %d, av %d, ballots %d; want %d, %d, %d, %d, %d",
				c.board, len(f.Members), f.Registered, f.BallotsElectionDay, f.BallotsAbsentee, f.Ballots, c.members+1, c.reg, c.ed, c.av, c.total)
		}
	}
	// Citywide (sum of the 637 Detroit rows): 506305 registered, 83235 election day + 174384
	// counting board = 257619 ballots (50.88%); 256514 votes for president.
	var city UnitFigures = NewFigures(detroit)
	for i := range joined {
		if joined[i].Unit.Municipality == "City of Detroit" {
			add(&city, &joined[i])
		}
	}
	if city.Registered != 506305 || city.BallotsElectionDay != 83235 || city.BallotsAbsentee != 174384 || city.Ballots != 257619 || city.VotesByContest["President"] != 256514 {
		t.Errorf("Detroit: %+v", city)
	}
	// No joined unit exceeds 100%, and no board is left without registration; votes never
	// exceed ballots and every row's modes add up.
	for _, f := range Check(figs, m, Options{SameDayRegistration: true}) {
		t.Errorf("unexpected finding: %s %s", f.Rule, f.Message)
	}
	// Detroit's highest joined turnout: AVCB 13, 1868 ballots / 2584 registered (72.29%), then
	// AVCB 12, 1904/2651 (71.82%).
	var det []UnitFigures
	for _, f := range joined {
		if f.Unit.Municipality == "City of Detroit" {
			det = append(det, f)
		}
	}
	top := Highest(det, 2)
	if len(top) != 2 || top[0].Unit.Precinct != "AVCB 13" || top[0].Ballots != 1868 || top[0].Registered != 2584 ||
		top[1].Unit.Precinct != "AVCB 12" || top[1].Ballots != 1904 || top[1].Registered != 2651 {
		t.Errorf("Detroit's highest: %+v", top)
	}
	// Wayne County's highest after joining: Charter Township of Brownstown,Precinct 4,1655,...,1452
	// (87.73%), then Charter Township of Northville Precinct 1, 1165/1342 (86.81%).
	top = Highest(joined, 2)
	if top[0].Unit.Municipality != "Charter Township of Brownstown" || top[0].Unit.Precinct != "Precinct 4" || top[0].Ballots != 1452 || top[0].Registered != 1655 ||
		top[1].Unit.Municipality != "Charter Township of Northville" || top[1].Unit.Precinct != "Precinct 1" || top[1].Ballots != 1165 {
		t.Errorf("Wayne's highest: %+v", top)
	}
}

func milwaukee(t *testing.T) *Wards {
	t.Helper()
	w, err := ReadMilwaukeeWards(open(t, "wi/milwaukee_county_wards_registration_2020.csv"), "milwaukee_wards.csv")
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestMilwaukeeWards(t *testing.T) {
	w := milwaukee(t)
	// 570 ward rows, 144 with a "Combined in results" warning, 2 not reported.
	if len(w.Figures) != 570 || w.Mapping.Len() != 144 || len(w.NotReported) != 2 {
		t.Fatalf("%d wards, %d mapped, %d not reported; want 570, 144, 2", len(w.Figures), w.Mapping.Len(), len(w.NotReported))
	}
	election := time.Date(2020, 11, 3, 0, 0, 0, 0, time.UTC)
	opts := Options{ElectionDay: election, SameDayRegistration: true, CombinedBallots: w.Combined}
	// Ward by ward against the Nov-1 list, the only ward above 100% is
	//   City of Milwaukee - Ward 326,53000,326,...,,4,5,4  (election-day registered 4,
	//   ballots 5, Nov-1 registered 4): 125%.
	// Against election-day registration, Ward 326 again, and River Hills' three wards, whose
	// election_day_registered (25, 85, 76) is far below their ballots (169, 579, 519) and
	// Nov-1 registration (185, 635, 569): rows
	//   Village of River Hills - Ward 1,68325,1,...,25,169,185
	//   Village of River Hills - Ward 2,68325,2,...,85,579,635
	//   Village of River Hills - Ward 3,68325,3,...,76,519,569
	var over []Finding
	edr := map[string][2]int64{}
	for _, f := range Check(w.Figures, nil, opts) {
		switch f.Rule {
		case RuleTurnout:
			over = append(over, f)
		case RuleTurnoutElectionDay:
			if f.Severity != Error {
				t.Errorf("%s: severity %s", f.Message, f.Severity)
			}
			edr[f.Unit.Precinct+" "+f.Unit.Municipality] = [2]int64{f.Numbers["ballots"], f.Numbers["registered_election_day"]}
		}
	}
	ward326 := Unit{MilwaukeeCounty, "City of Milwaukee", "Ward 326"}
	if len(over) != 1 || over[0].Unit != ward326 || over[0].Severity != Warning || over[0].Numbers["ballots"] != 5 || over[0].Numbers["registered"] != 4 || over[0].Ratio != 1.25 {
		t.Fatalf("wards above 100%% of Nov-1: %+v", over)
	}
	wantEDR := map[string][2]int64{"Ward 326 City of Milwaukee": {5, 4}, "Ward 1 Village of River Hills": {169, 25},
		"Ward 2 Village of River Hills": {579, 85}, "Ward 3 Village of River Hills": {519, 76}}
	if len(edr) != len(wantEDR) {
		t.Errorf("above election-day registration: %v, want %v", edr, wantEDR)
	}
	for k, v := range wantEDR {
		if edr[k] != v {
			t.Errorf("%s: %v, want %v", k, edr[k], v)
		}
	}
	if e := strings.Join(over[0].Explanations, "|"); !strings.Contains(e, ExplainSameDay) || !strings.Contains(e, ExplainListDate) {
		t.Errorf("ward 326 explanations: %v", over[0].Explanations)
	}

	// Joined: 570 wards - 144 combined + 51 groups = 477 units.
	joined := Join(w.Figures, w.Mapping)
	if len(joined) != 477 {
		t.Errorf("%d joined units, want 477", len(joined))
	}
	g := byKey(joined)
	// Bayside Wards 1,3: rows Ward 1 (711 election day reg., 629 ballots, 721 Nov-1) and Ward 3
	// (483, 428, 490): 1057 ballots = the reported "combined results: 1057"; 1211 Nov-1 (87.3%),
	// 1194 election day (88.5%).
	b := g[Unit{MilwaukeeCounty, "Village of Bayside", "Wards 1,3"}.Key()]
	if b == nil || b.Ballots != 1057 || b.Registered != 1211 || b.RegisteredElectionDay != 1194 || len(b.Members) != 2 {
		t.Errorf("Bayside Wards 1,3: %+v", b)
	}
	// Oak Creek Wards 16-19: ward 19's row spells "City Of Oak Creek"; 812+556+460+1106 = 2934,
	// the reported combined result.
	oc := g[Unit{MilwaukeeCounty, "City of Oak Creek", "Wards 16,17,18,19"}.Key()]
	if oc == nil || oc.Ballots != 2934 || len(oc.Members) != 4 {
		t.Errorf("Oak Creek Wards 16-19: %+v", oc)
	}

	type got struct {
		rule     string
		unit     string
		a, b     int64
		severity Severity
	}
	var found []got
	for _, f := range Check(w.Figures, w.Mapping, opts) {
		switch f.Rule {
		case RuleCombined:
			found = append(found, got{f.Rule, f.Unit.String(), f.Numbers["members_ballots"], f.Numbers["reported"], f.Severity})
		case RuleTurnout, RuleTurnoutElectionDay:
			found = append(found, got{f.Rule, f.Unit.String(), f.Numbers["ballots"], f.Numbers["registered"] + f.Numbers["registered_election_day"], f.Severity})
		}
	}
	want := []got{
		// Bayside ... River Hills Wards 1,2,3: 169+579+519 = 1267 ballots, "combined results:
		// 1266"; election-day registered 25+85+76 = 186 (Nov-1: 185+635+569 = 1389), so the
		// group exceeds its election-day registration: the column is not a registration
		// count for these wards.
		{RuleTurnoutElectionDay, "Milwaukee County / Village of River Hills / Wards 1,2,3", 1267, 186, Error},
		{RuleCombined, "Milwaukee County / Village of River Hills / Wards 1,2,3", 1267, 1266, Warning},
		// Cudahy Wards 10,11,12: 1927 against 1926.
		{RuleCombined, "Milwaukee County / City of Cudahy / Wards 10,11,12", 1927, 1926, Warning},
		// St. Francis: Ward 1's warning reads "Wards 9,10,11,1" (the file's text; the
		// Elections Commission reports Ward 1 within Wards 1-4), so Wards 9,10,11,1 has
		// 459+642+519+590 = 2210 against 2209, and Wards 1,2,3,4 has only wards 2-4,
		// 420+398+444 = 1262 against 1693.
		{RuleCombined, "Milwaukee County / City of St. Francis / Wards 9,10,11,1", 2210, 2209, Warning},
		{RuleCombined, "Milwaukee County / City of St. Francis / Wards 1,2,3,4", 1262, 1693, Warning},
		// South Milwaukee Wards 9-12: 3160 against 3159; Wards 13-16: 2767 against 2766.
		{RuleCombined, "Milwaukee County / City of South Milwaukee / Wards 9,10,11,12", 3160, 3159, Warning},
		{RuleCombined, "Milwaukee County / City of South Milwaukee / Wards 13,14,15,16", 2767, 2766, Warning},
		// Milwaukee Ward 326 (alone): 5 ballots, 4 registered on both lists.
		{RuleTurnout, "Milwaukee County / City of Milwaukee / Ward 326", 5, 4, Warning},
		{RuleTurnoutElectionDay, "Milwaukee County / City of Milwaukee / Ward 326", 5, 4, Error},
	}
	if len(found) != len(want) {
		t.Fatalf("found %d, want %d:\n%+v", len(found), len(want), found)
	}
	have := map[got]bool{}
	for _, f := range found {
		have[f] = true
	}
	for _, x := range want {
		if !have[x] {
			t.Errorf("missing %+v; found %+v", x, found)
		}
	}

	// County-wide (all 570 rows): 459874 ballots, 557183 Nov-1 registered (82.54%), 549644
	// election-day registered (83.67%); City of Milwaukee (324 wards): 247679 / 317957.
	all := NewFigures(Unit{Jurisdiction: MilwaukeeCounty})
	mke := NewFigures(Unit{Jurisdiction: MilwaukeeCounty, Municipality: "City of Milwaukee"})
	nm := 0
	for i := range w.Figures {
		add(&all, &w.Figures[i])
		if w.Figures[i].Unit.Municipality == "City of Milwaukee" {
			add(&mke, &w.Figures[i])
			nm++
		}
	}
	if all.Ballots != 459874 || all.Registered != 557183 || all.RegisteredElectionDay != 549644 || nm != 324 || mke.Ballots != 247679 || mke.Registered != 317957 {
		t.Errorf("county %+v; city (%d wards) %+v", all, nm, mke)
	}
	// Highest joined: Ward 326 (5/4), then Bayside Wards 1S,3S: 31+41 = 72 ballots, 31+42 = 73
	// registered (98.6%).
	top := Highest(joined, 2)
	if top[0].Unit != ward326 || top[1].Unit.Precinct != "Wards 1S,3S" || top[1].Ballots != 72 || top[1].Registered != 73 {
		t.Errorf("highest: %+v", top)
	}
}

func TestWisconsinCounties(t *testing.T) {
	est, err := ReadCountyEstimates(open(t, "wi/wi_county_registered_voters_2020-10-01_and_acs2018_cvap.csv"), "wi_county.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(est) != 72 || !est[0].RegisteredDate.Equal(time.Date(2020, 10, 1, 0, 0, 0, 0, time.UTC)) || est[0].EstimateSource != "acs2014_2018" {
		t.Fatalf("%d counties, first %+v", len(est), est[0])
	}
	rows, err := results.ReadAll(filepath.Join(us2020, "wi/wec_wardbyward_president_by_assembly_district_after_recount.csv"), results.Options{Format: "wec"})
	if err != nil {
		t.Fatal(err)
	}
	counties := FromResults(rows, canvass.LevelCounty)
	if len(counties) != 72 {
		t.Fatalf("%d counties in the ward report", len(counties))
	}
	// The ward report has no ballots-cast column: ballots here are the votes for president,
	// a lower bound of the ballots cast.
	ballots := map[string]int64{}
	var state int64
	for _, c := range counties {
		ballots[c.Unit.Key()] = c.VotesByContest["President"]
		state += c.VotesByContest["President"]
	}
	// 3,298,041 presidential votes statewide after the recount.
	if state != 3298041 {
		t.Errorf("statewide %d votes, want 3298041", state)
	}
	for i := range est {
		b, ok := ballots[est[i].Unit.Key()]
		if !ok {
			t.Fatalf("%s: not in the ward report", est[i].Unit)
		}
		est[i].Ballots = b
	}
	fs := Check(est, nil, Options{ElectionDay: time.Date(2020, 11, 3, 0, 0, 0, 0, time.UTC), SameDayRegistration: true})
	// Every county is below 100% of its Oct-1 registration and of both estimates: the only
	// findings are 2 info estimates per county.
	if len(fs) != 144 {
		t.Errorf("%d findings, want 144", len(fs))
	}
	for _, f := range fs {
		if f.Rule != RuleEstimate || f.Severity != Info || !f.Estimate {
			t.Errorf("unexpected %s %s %s", f.Rule, f.Severity, f.Message)
		}
	}
	type c struct{ ballots, reg, vap, cvap int64 }
	// Sums of the ward report's candidate columns by county, and the estimates rows
	//   MILWAUKEE COUNTY,542452,954210,723100,677440  459723 votes: 84.75% reg., 63.58% VAP, 67.86% CVAP
	//   DANE COUNTY,381453,...,419780,394780          344728 votes: 90.37%, 82.12%, 87.32%
	//   MENOMINEE COUNTY,1726,4580,3080,3075          1590 votes: 92.12%, 51.62%, 51.71%
	//   JUNEAU COUNTY,14069,...,21085,20890           13709 votes: 97.44% (the highest), 65.02%, 65.62%
	want := map[string]c{"MILWAUKEE": {459723, 542452, 723100, 677440}, "DANE": {344728, 381453, 419780, 394780},
		"MENOMINEE": {1590, 1726, 3080, 3075}, "JUNEAU": {13709, 14069, 21085, 20890}}
	g := byKey(est)
	for name, w := range want {
		f := g[Unit{Jurisdiction: name}.Key()]
		if f == nil || f.Ballots != w.ballots || f.Registered != w.reg || f.VAP != w.vap || f.CVAP != w.cvap {
			t.Errorf("%s: %+v, want %+v", name, f, w)
		}
	}
	top := Highest(est, 1)
	if top[0].Unit.Jurisdiction != "JUNEAU" || top[0].Ballots != 13709 {
		t.Errorf("highest county: %+v", top)
	}
}

func TestKentCounty(t *testing.T) {
	rows, err := results.ReadAll(filepath.Join(us2020, "mi/openelections_precinct/20201103__mi__general__kent__precinct.csv"), results.Options{Format: "openelections"})
	if err != nil {
		t.Fatal(err)
	}
	figs := FromResults(rows, canvass.LevelPrecinct)
	// 252 precincts; the sums of the file's "Registered Voters" rows (501117) and "Ballots
	// Cast" rows (363695).
	all := NewFigures(Unit{Jurisdiction: "Kent"})
	for i := range figs {
		add(&all, &figs[i])
	}
	if len(figs) != 252 || all.Registered != 501117 || all.Ballots != 363695 {
		t.Fatalf("%d precincts, %d registered, %d ballots", len(figs), all.Registered, all.Ballots)
	}
	// No precinct above 100%, no contest with more votes than ballots (Straight Party,
	// President, U.S. Senate, U.S. House, State House).
	for _, f := range Check(figs, nil, Options{SameDayRegistration: true}) {
		t.Errorf("unexpected %s: %s", f.Rule, f.Message)
	}
	// Highest: Kent,"Byron Township, Precinct 4",Ballots Cast 1941, Registered Voters 2179 (89.1%).
	top := Highest(figs, 1)
	if top[0].Unit.Precinct != "Byron Township, Precinct 4" || top[0].Ballots != 1941 || top[0].Registered != 2179 {
		t.Errorf("highest %+v", top)
	}
}
