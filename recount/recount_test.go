package recount

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/results"
)

const (
	countyFile = "../testdata/us2020/national/county_presidential_results_2020.csv"
	wecFile    = "../testdata/us2020/wi/wec_wardbyward_president_by_assembly_district_after_recount.csv"
	arloFile   = "../testdata/us2020/ga/arlo_audit_report_2020-11-19.csv"
	stateFile  = "../testdata/us2020/national/state_president_2020_fec_table2.csv"

	wecBiden = "Joseph R. Biden / Kamala D. Harris"
	wecTrump = "Donald J. Trump / Michael R. Pence"
)

// readCSV reads a whole CSV file.
func readCSV(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func atoi(t testing.TB, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// wisconsinCanvass reads the Wisconsin rows of the county file (the county canvass before the
// recount) as Biden, Trump and Other (total_votes - votes_gop - votes_dem) per county, named
// as the WEC report names them ("Milwaukee County" → "MILWAUKEE"; NameKey folds the case).
func wisconsinCanvass(t testing.TB) Counts {
	recs := readCSV(t, countyFile)
	out := Counts{}
	for _, r := range recs[1:] {
		if r[0] != "Wisconsin" {
			continue
		}
		gop, dem, total := atoi(t, r[3]), atoi(t, r[4]), atoi(t, r[5])
		out[strings.TrimSuffix(r[2], " County")] = map[string]int64{"Biden": dem, "Trump": gop, "Other": total - gop - dem}
	}
	return out
}

// wisconsinRecount sums the WEC report after the recount per county, with the same three
// choices.
func wisconsinRecount(t testing.TB) Counts {
	r, err := results.Open(wecFile, results.Options{Format: "wec"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := Counts{}
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if row.Stat != "" || row.Mode != "" {
			continue
		}
		county := row.Unit.County // carries a trailing space: "MILWAUKEE "
		if out[county] == nil {
			out[county] = map[string]int64{"Biden": 0, "Trump": 0, "Other": 0}
		}
		switch row.Choice {
		case wecBiden:
			out[county]["Biden"] += row.Votes
		case wecTrump:
			out[county]["Trump"] += row.Votes
		default:
			out[county]["Other"] += row.Votes
		}
	}
	return out
}

func unitByName(rep *Report, name string) *UnitChange {
	for i := range rep.Units {
		if canvass.NameKey(rep.Units[i].Unit) == canvass.NameKey(name) {
			return &rep.Units[i]
		}
	}
	return nil
}

func choice(cs []ChoiceChange, name string) ChoiceChange {
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	return ChoiceChange{Name: "missing " + name}
}

// TestWisconsinRecount compares the county canvass with the Elections Commission's report
// after the 2020 recount of Milwaukee and Dane counties, for all 72 counties.
//
// By hand from the files (county file rows; WEC rows summed per county with python3's csv):
//
//	Wisconsin,55025,Dane County,78800,260185,344791,...       (gop, dem, total)
//	Wisconsin,55079,Milwaukee County,134357,317270,458971,...
//	WEC after the recount: DANE  Biden 260121 Trump 78794 all 344728
//	                       MILWAUKEE Biden 317527 Trump 134482 all 459723
//	Dane:      Biden -64, Trump -6, Other (344728-260121-78794=5813) - (344791-260185-78800=5806) = +7;
//	           Biden-Trump margin 181385 → 181327, change -58
//	Milwaukee: Biden +257, Trump +125, Other 7714 - 7344 = +370; margin 182913 → 183045, change +132
//	The other 70 counties are equal in both files.
//	Statewide: Biden 1630673 → 1630866, Trump 1610065 → 1610184, all 3297352 → 3298041;
//	           margin 20608 → 20682, change +74.
//
// The published result of the recount is a net gain of 87 for Biden (+132 in Milwaukee, -45
// in Dane). The data gives +74: Milwaukee agrees (+132), Dane gives -58, so the county file's
// Dane row is not exactly Dane's canvass as certified before the recount.
func TestWisconsinRecount(t *testing.T) {
	rep, err := Compare("President", wisconsinCanvass(t), wisconsinRecount(t), nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Units) != 72 {
		t.Fatalf("%d units, want 72", len(rep.Units))
	}
	for _, tc := range []struct {
		county                     string
		biden, trump, other, delta int64
		margin                     int64
	}{
		{"Dane", -64, -6, 7, -58, 181385},
		{"Milwaukee", 257, 125, 370, 132, 182913},
		{"Waukesha", 0, 0, 0, 0, 0},
	} {
		u := unitByName(rep, tc.county)
		if u == nil {
			t.Fatalf("no unit %s", tc.county)
		}
		if !u.Recounted {
			t.Errorf("%s: not recounted", tc.county)
		}
		if b, tr, o := choice(u.Choices, "Biden").Change, choice(u.Choices, "Trump").Change, choice(u.Choices, "Other").Change; b != tc.biden || tr != tc.trump || o != tc.other {
			t.Errorf("%s: changes Biden %d Trump %d Other %d, want %d %d %d", tc.county, b, tr, o, tc.biden, tc.trump, tc.other)
		}
		if u.MarginChange != tc.delta {
			t.Errorf("%s: margin change %d, want %d", tc.county, u.MarginChange, tc.delta)
		}
		if tc.margin != 0 && (len(u.Margins) != 1 || u.Margins[0].Before != tc.margin || u.Margins[0].A != "Biden" || u.Margins[0].B != "Trump") {
			t.Errorf("%s: margins %+v, want Biden over Trump by %d before", tc.county, u.Margins, tc.margin)
		}
	}
	changed := 0
	for _, u := range rep.Units {
		if u.MarginChange != 0 {
			changed++
		}
	}
	if changed != 2 {
		t.Errorf("%d counties with a margin change, want 2 (Dane, Milwaukee)", changed)
	}
	want := []ChoiceChange{
		{"Biden", 1630673, 1630866, 193},
		{"Trump", 1610065, 1610184, 119},
		{"Other", 3297352 - 1630673 - 1610065, 3298041 - 1630866 - 1610184, 56991 - 56614},
	}
	for i, w := range want {
		if i >= len(rep.Totals) || rep.Totals[i] != w {
			t.Errorf("totals[%d] = %+v, want %+v", i, rep.Totals, w)
		}
	}
	if m := rep.Margin; m != (PairChange{"Biden", "Trump", 20608, 20682, 74}) {
		t.Errorf("margin %+v, want Biden over Trump 20608 → 20682 (+74)", m)
	}
	if rep.OutcomeChanged || rep.TieBefore || rep.TieAfter || rep.CanvassWinners[0] != "Biden" || rep.RecountWinners[0] != "Biden" {
		t.Errorf("outcome %v ties %v %v winners %v %v", rep.OutcomeChanged, rep.TieBefore, rep.TieAfter, rep.CanvassWinners, rep.RecountWinners)
	}
	// Pairs: 3 choices, 3 pairs; Trump over Other changes by 119 - 377 = -258.
	if len(rep.Pairs) != 3 || rep.Pairs[2] != (PairChange{"Trump", "Other", 1610065 - 56614, 1610184 - 56991, -258}) {
		t.Errorf("pairs %+v", rep.Pairs)
	}
}

// TestWisconsinRecountOnly compares only the two recounted counties, in the order given.
// By hand (see TestWisconsinRecount): margin before 181385 + 182913 = 364298, after
// 181327 + 183045 = 364372, change -58 + 132 = +74.
func TestWisconsinRecountOnly(t *testing.T) {
	cv, rc := wisconsinCanvass(t), wisconsinRecount(t)
	for k := range rc {
		if canvass.NameKey(k) != "milwaukee" && canvass.NameKey(k) != "dane" {
			delete(rc, k)
		}
	}
	rep, err := Compare("President", cv, rc, []string{"Milwaukee", "Dane"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Units) != 2 || rep.Units[0].Unit != "Milwaukee" || rep.Units[1].Unit != "Dane" {
		t.Fatalf("units %+v", rep.Units)
	}
	if m := rep.Margin; m != (PairChange{"Biden", "Trump", 364298, 364372, 74}) {
		t.Errorf("margin %+v", m)
	}
	// A recount of a county outside the units compared is refused.
	if _, err := Compare("President", cv, wisconsinRecount(t), []string{"Milwaukee", "Dane"}, 1); err == nil {
		t.Error("recount of counties outside the units compared: no error")
	}
}

// TestGeorgiaHandCount compares the machine count of Georgia's 2020 presidential contest (the
// CONTESTS section's Tabulated Votes) with the full hand count of the risk-limiting audit (the
// sum of the BATCH RESULTS rows per candidate), statewide.
//
// By hand from the file: CONTESTS row
//
//	President of the United States,...,Donald J. Trump: 2461468; Joseph R. Biden: 2474248;
//	Jo Jorgensen: 62131; Invalid Write-In: 0; Valid Write-iin: 0; Blank/Undervote: 0; Overvote: 0
//
// and the 41,881 BATCH RESULTS rows summed per column (python3 csv), which equal the ROUNDS
// row's Audited Votes: Trump 2462857, Biden 2475141, Jorgensen 62587, Invalid Write-In 9086,
// Valid Write-iin 2983, Blank/Undervote 132554, Overvote 563. Changes: Trump +1389, Biden +893,
// Jorgensen +456; Biden's margin over Trump 12780 → 12284, change -496.
func TestGeorgiaHandCount(t *testing.T) {
	f, err := os.Open(arloFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := results.ReadArloReport(f, arloFile)
	if err != nil {
		t.Fatal(err)
	}
	machine := map[string]int64{}
	for _, cv := range rep.Contests[0].TabulatedVotes {
		machine[cv.Choice] = cv.Votes
	}
	hand := map[string]int64{}
	for _, b := range rep.BatchResults.Batches {
		for i, v := range b.Votes {
			if v == results.NotReported {
				t.Fatalf("batch %s %s: no count for %s", b.Jurisdiction, b.Name, rep.BatchResults.Choices[i])
			}
			hand[rep.BatchResults.Choices[i]] += v
		}
	}
	r, err := Compare(rep.Contests[0].Name, Counts{"Georgia": machine}, Counts{"Georgia": hand}, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []ChoiceChange{
		{"Joseph R. Biden", 2474248, 2475141, 893},
		{"Donald J. Trump", 2461468, 2462857, 1389},
		{"Jo Jorgensen", 62131, 62587, 456},
		{"Invalid Write-In", 0, 9086, 9086},
		{"Valid Write-iin", 0, 2983, 2983},
		{"Blank/Undervote", 0, 132554, 132554},
		{"Overvote", 0, 563, 563},
	} {
		if got := choice(r.Totals, w.Name); got != w {
			t.Errorf("%s: %+v, want %+v", w.Name, got, w)
		}
	}
	if r.Totals[0].Name != "Joseph R. Biden" || r.Totals[1].Name != "Donald J. Trump" {
		t.Errorf("rank %v", r.Totals)
	}
	if r.Margin != (PairChange{"Joseph R. Biden", "Donald J. Trump", 12780, 12284, -496}) {
		t.Errorf("margin %+v", r.Margin)
	}
	if r.OutcomeChanged || r.Units[0].MarginChange != -496 {
		t.Errorf("outcome changed %v, unit margin change %d", r.OutcomeChanged, r.Units[0].MarginChange)
	}
}

// TestCompareSmall is a case worked by hand: two seats, three candidates, two precincts.
//
//	canvass  P1: A 100 B 90 C 85   P2: A 50 B 40 C 44    totals A 150 B 130 C 129
//	recount  P1: A  99 B 90 C 86   P2: (not recounted)   totals A 149 B 130 C 130
//
// Winners A and B; runner-up C. B over C: 1 → 0 (tie after, outcome not changed); in P1, A over
// C changes by -1 - 1 = -2 and B over C by 0 - 1 = -1.
func TestCompareSmall(t *testing.T) {
	cv := Counts{"P1": {"A": 100, "B": 90, "C": 85}, "P2": {"A": 50, "B": 40, "C": 44}}
	rc := Counts{"p1 ": {"a": 99, "B": 90, "C": 86}}
	rep, err := Compare("Council", cv, rc, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	u := rep.Units[0]
	if u.Unit != "P1" || !u.Recounted || rep.Units[1].Recounted {
		t.Fatalf("units %+v", rep.Units)
	}
	if len(u.Margins) != 2 || u.Margins[0] != (PairChange{"A", "C", 15, 13, -2}) || u.Margins[1] != (PairChange{"B", "C", 5, 4, -1}) || u.MarginChange != -1 {
		t.Errorf("P1 margins %+v change %d", u.Margins, u.MarginChange)
	}
	if rep.Margin != (PairChange{"B", "C", 1, 0, -1}) || rep.OutcomeChanged || rep.TieBefore || !rep.TieAfter {
		t.Errorf("margin %+v changed %v ties %v %v", rep.Margin, rep.OutcomeChanged, rep.TieBefore, rep.TieAfter)
	}
	// One more vote for C in P1 changes the outcome: C 131 > B 130.
	rc["p1 "]["C"] = 87
	rep, err = Compare("Council", cv, rc, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OutcomeChanged || rep.TieAfter || strings.Join(rep.RecountWinners, ",") != "A,C" || strings.Join(rep.CanvassWinners, ",") != "A,B" {
		t.Errorf("changed %v tie %v winners %v → %v", rep.OutcomeChanged, rep.TieAfter, rep.CanvassWinners, rep.RecountWinners)
	}
}

// TestCompareBadInput: recount entries the canvass does not have, and other bad input, are
// errors with no report.
func TestCompareBadInput(t *testing.T) {
	cv := Counts{"Ward 1": {"A": 10, "B": 5}}
	for _, tc := range []struct {
		name    string
		rc      Counts
		units   []string
		winners int
		want    string
		notIn   bool
	}{
		{"unknown unit", Counts{"Ward 9": {"A": 1}}, nil, 1, `"Ward 9"`, true},
		{"unknown choice", Counts{"Ward 1": {"A": 10, "Z": 1}}, nil, 1, `"Ward 1": choice "Z"`, true},
		{"unknown unit listed", Counts{}, []string{"Ward 2"}, 1, `"Ward 2"`, true},
		{"unit listed twice", Counts{}, []string{"Ward 1", "ward 1"}, 1, "twice", false},
		{"negative", Counts{"Ward 1": {"A": -1}}, nil, 1, "negative", false},
		{"no winners", Counts{}, nil, 0, "winners", false},
		{"folded twice", Counts{"Ward 1": {"A": 1, " a": 2}}, nil, 1, "same choice", false},
	} {
		rep, err := Compare("Mayor", cv, tc.rc, tc.units, tc.winners)
		if err == nil || rep != nil {
			t.Errorf("%s: report %v, error %v", tc.name, rep, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || errors.Is(err, ErrNotInCanvass) != tc.notIn {
			t.Errorf("%s: error %q, want it to contain %q (not in canvass: %v)", tc.name, err, tc.want, tc.notIn)
		}
	}
}

// TestCompareNoRunnerUp: one choice, one seat: no margin, no outcome change.
func TestCompareNoRunnerUp(t *testing.T) {
	rep, err := Compare("Sheriff", Counts{"C": {"Only": 7}}, Counts{"C": {"Only": 9}}, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Margin != (PairChange{}) || rep.OutcomeChanged || len(rep.Pairs) != 0 || rep.Totals[0] != (ChoiceChange{"Only", 7, 9, 2}) {
		t.Errorf("%+v", rep)
	}
}
