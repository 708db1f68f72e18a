package recount

import (
	"strings"
	"testing"
)

// fecState returns the 2020 presidential row of state (upper-case name) of the FEC table:
// biden, trump, all_others, total.
func fecState(t *testing.T, name string) (biden, trump, total int64) {
	t.Helper()
	for _, r := range readCSV(t, stateFile)[1:] {
		if r[0] == name {
			return atoi(t, r[1]), atoi(t, r[2]), atoi(t, r[4])
		}
	}
	t.Fatalf("no row %s", name)
	return
}

// TestReach2020 applies the table to the 2020 presidential results of the FEC's table 2
// (testdata/us2020/national/state_president_2020_fec_table2.csv). Each row by hand:
//
//	WISCONSIN,1630866,1610184,56991,3298041: margin 20682; 20682*100 = 2,068,200 <= 3,298,041
//	  (0.63%, inside 1%: may petition); 20682*400 = 8,272,800 > 3,298,041 (outside 0.25%: the
//	  petitioner pays).
//	GEORGIA,2473633,2461854,64473,4999960: margin 11779; 11779*200 = 2,355,800 <= 4,999,960
//	  (0.236%, inside 0.5%: may request; no fee).
//	ARIZONA,1672143,1661686,53497,3387326: margin 10457 of the two leaders' 3,333,829;
//	  10457*200 = 2,091,400 <= 3,333,829 (0.31%): automatic under today's 1/200 — under the
//	  1/1000 of 2020 it was not (10,457,000 > 3,333,829), and none was held.
//	PENNSYLVANIA,3458229,3377674,101073,6936976: margin 80555; 80555*200 = 16,111,000 >
//	  6,936,976 (1.16%): no automatic recount, and no candidate request in the table.
//	MICHIGAN,2804040,2649852,85410,5539302: margin 154188 > 2,000: not automatic; a petition
//	  is possible at any margin, at the petitioner's cost.
//	NEVADA,703486,669890,32000,1405376: margin 33596: any defeated candidate may demand one and
//	  pays.
func TestReach2020(t *testing.T) {
	for _, tc := range []struct {
		state, name string
		twoParty    bool // Arizona divides by the votes of the two leaders
		want        Eligibility
	}{
		{"WI", "WISCONSIN", false, Eligibility{Requestable: true, WhoPays: PaysPetitioner, Rule: "Wis. Stat. § 9.01(1)(a)"}},
		{"GA", "GEORGIA", false, Eligibility{Requestable: true, WhoPays: PaysGovernment, Rule: "O.C.G.A. § 21-2-495(c)"}},
		{"AZ", "ARIZONA", true, Eligibility{Automatic: true, WhoPays: PaysGovernment, Rule: "A.R.S. § 16-661(A)"}},
		{"PA", "PENNSYLVANIA", false, Eligibility{Rule: "25 P.S. § 3154(g)"}},
		{"MI", "MICHIGAN", false, Eligibility{Requestable: true, WhoPays: PaysPetitioner, Rule: "MCL 168.879–168.880a (deposits: MCL 168.881)"}},
		{"NV", "NEVADA", false, Eligibility{Requestable: true, WhoPays: PaysPetitioner, Rule: "NRS 293.403 (costs: NRS 293.405)"}},
	} {
		b, tr, total := fecState(t, tc.name)
		margin := b - tr
		if tc.twoParty {
			total = b + tr
		}
		if got := Reach(tc.state, margin, total); got != tc.want {
			t.Errorf("%s: margin %d of %d: %+v, want %+v", tc.state, margin, total, got, tc.want)
		}
	}
	// The state's name works as well as its code.
	if Reach("wisconsin", 20682, 3298041) != Reach("WI", 20682, 3298041) {
		t.Error("Reach by name differs from Reach by code")
	}
}

// TestReachBoundaries checks each threshold at its edge, by hand.
func TestReachBoundaries(t *testing.T) {
	type want struct {
		auto, req bool
		pays      string
	}
	for _, tc := range []struct {
		state         string
		margin, total int64
		want          want
	}{
		// Wisconsin, more than 4,000 votes: 1% of 1,000,000 = 10,000; 0.25% = 2,500.
		{"WI", 10000, 1000000, want{false, true, PaysPetitioner}},
		{"WI", 10001, 1000000, want{false, false, ""}},
		{"WI", 2500, 1000000, want{false, true, PaysGovernment}},
		{"WI", 2501, 1000000, want{false, true, PaysPetitioner}},
		// 4,001 votes: 1% is 40.01, so 40 is inside and 41 outside; 0.25% is 10.0025.
		{"WI", 41, 4001, want{false, false, ""}},
		{"WI", 10, 4001, want{false, true, PaysGovernment}},
		// 4,000 or fewer votes: petition at 40 votes or fewer; no fee below 10 votes.
		{"WI", 40, 4000, want{false, true, PaysPetitioner}},
		{"WI", 41, 4000, want{false, false, ""}},
		{"WI", 9, 4000, want{false, true, PaysGovernment}},
		{"WI", 10, 4000, want{false, true, PaysPetitioner}},
		// Georgia: 0.5% of 1,000,000 = 5,000.
		{"GA", 5000, 1000000, want{false, true, PaysGovernment}},
		{"GA", 5001, 1000000, want{false, false, ""}},
		// Arizona: 0.5% of the two leaders' 1,000,000 = 5,000.
		{"AZ", 5000, 1000000, want{true, false, PaysGovernment}},
		{"AZ", 5001, 1000000, want{false, false, ""}},
		// Pennsylvania: 0.5% of 1,000,000 = 5,000.
		{"PA", 5000, 1000000, want{true, false, PaysGovernment}},
		{"PA", 5001, 1000000, want{false, false, ""}},
		// Michigan: 2,000 votes, whatever the total.
		{"MI", 2000, 5000000, want{true, true, PaysGovernment}},
		{"MI", 2001, 5000000, want{false, true, PaysPetitioner}},
		// Nevada: always on request, at the petitioner's cost.
		{"NV", 0, 1, want{false, true, PaysPetitioner}},
		// Unknown state, bad numbers.
		{"ZZ", 1, 100, want{}},
		{"WI", -1, 100, want{}},
		{"WI", 0, 0, want{}},
		// No overflow: 1% of 2^62 votes.
		{"WI", 1 << 62 / 100, 1 << 62, want{false, true, PaysPetitioner}},
	} {
		e := Reach(tc.state, tc.margin, tc.total)
		if got := (want{e.Automatic, e.Requestable, e.WhoPays}); got != tc.want {
			t.Errorf("%s margin %d of %d: %+v, want %+v", tc.state, tc.margin, tc.total, got, tc.want)
		}
	}
}

// TestRulesTable checks the table's shape and the facts the brief names.
func TestRulesTable(t *testing.T) {
	if got := strings.Join(States(), ","); got != "AZ,GA,MI,NV,PA,WI" {
		t.Errorf("states %s", got)
	}
	for _, s := range States() {
		r, ok := Rules(s)
		if !ok || r.Citation == "" || r.Summary == "" || r.Total == "" {
			t.Errorf("%s: %+v", s, r)
		}
		for _, ts := range [][]Threshold{r.Automatic, r.Request, r.GovernmentPays} {
			for _, th := range ts {
				if th.Share.Den < 0 || th.Share.Num < 0 || (th.Share.Den == 0 && th.Votes == 0) {
					t.Errorf("%s: threshold %+v", s, th)
				}
			}
		}
	}
	az, _ := Rules("arizona")
	if az.Automatic[0].Share != (Fraction{1, 200}) || !strings.Contains(az.History, "2022") || !strings.Contains(az.History, "1/1000") {
		t.Errorf("Arizona %+v", az)
	}
	wi, _ := Rules("WI")
	if wi.Request[0].Share != (Fraction{1, 100}) || wi.GovernmentPays[0].Share != (Fraction{1, 400}) {
		t.Errorf("Wisconsin %+v", wi)
	}
	if _, ok := Rules("Ohio"); ok {
		t.Error("Ohio is not in the table")
	}
}

// TestDivisor: Arizona's statute divides by the two leaders' votes (A.R.S. § 16-661(A)),
// Wisconsin's by every vote for the office (Wis. Stat. § 9.01). Arizona 2020 (FEC table 2):
// Biden 1,672,143 + Trump 1,661,686 = 3,333,829 of 3,387,326 votes.
func TestDivisor(t *testing.T) {
	az, _ := Rules("AZ")
	wi, _ := Rules("WI")
	if d := az.Divisor(3333829, 3387326); d != 3333829 {
		t.Errorf("Arizona divides by %d", d)
	}
	if d := wi.Divisor(3240738, 3298041); d != 3298041 {
		t.Errorf("Wisconsin divides by %d", d)
	}
	for _, s := range States() {
		r, _ := Rules(s)
		if r.TwoLeaders != (s == "AZ") {
			t.Errorf("%s: TwoLeaders %v (its total: %q)", s, r.TwoLeaders, r.Total)
		}
	}
}
