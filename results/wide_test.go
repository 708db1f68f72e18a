package results

import (
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
)

// TestWideWayne reads Wayne County's official results of 11/19/2020 as one wide table. The
// figures are the sums of its columns (python3 csv module): ballots_cast_total 878,102 (=
// 311,408 election day + 566,694 absentee counting boards), registered_voters 1,406,355,
// biden_dem 597,170, trump_rep 264,553; 1,115 units with 53 distinct municipality names. Trump and Biden
// agree with the Wayne County row of testdata/us2020/national/county_presidential_results_2020.csv.
func TestWideWayne(t *testing.T) {
	if f, err := Sniff(wayneCSV); err != nil || f != "wide" {
		t.Fatalf("Sniff = %q, %v", f, err)
	}
	rows := readAll(t, wayneCSV, Options{State: "MI", County: "Wayne", Contest: "President"})
	got := tally(rows, votesFor("President"), byChoice)
	for c, want := range map[string]int64{"biden_dem": 597170, "trump_rep": 264553, "jorgensen_lib": 6567, "unresolved_writein": 1635} {
		if got[c] != want {
			t.Errorf("%s: %d, want %d", c, got[c], want)
		}
	}
	if _, ok := got["total_votes_president"]; ok {
		t.Error("total_votes_president read as a choice")
	}
	if len(got) != 7 {
		t.Errorf("%d choices, want 7: %v", len(got), got)
	}
	for _, tc := range []struct {
		stat, mode string
		want       int64
	}{
		{canvass.StatBallots, "", 878102},
		{canvass.StatBallots, "election_day", 311408},
		{canvass.StatBallots, "av_counting_board", 566694},
		{canvass.StatRegistered, "", 1406355},
	} {
		if n := tally(rows, statRows(tc.stat, tc.mode), byAll)[""]; n != tc.want {
			t.Errorf("%s %q: %d, want %d", tc.stat, tc.mode, n, tc.want)
		}
	}
	if n := distinct(rows, func(r *canvass.ResultRow) string { return r.Unit.At(canvass.LevelPrecinct) }); n != 1115 {
		t.Errorf("%d units, want 1115", n)
	}
	if n := distinct(rows, func(r *canvass.ResultRow) string { return r.Unit.Municipality }); n != 53 {
		t.Errorf("%d municipalities, want 53", n)
	}
	want := canvass.ResultRow{Unit: canvass.Unit{State: "MI", County: "Wayne", Municipality: "City of Detroit", Precinct: "Precinct 1"},
		Stat: canvass.StatRegistered, Votes: 752}
	if rows[0] != want {
		t.Errorf("first row %+v, want %+v", rows[0], want)
	}
}

// TestWideSmall: a hand-made wide file with a ward column, grouped digits, an absentee
// ballots column, a total to skip and empty cells. By hand: Ann 500+350 = 850, Ben 290+240 =
// 530, Write-in 5; registered 1200+900 = 2100; ballots 800+600 = 1400, absentee 500; rows 6+4.
func TestWideSmall(t *testing.T) {
	rows := readAll(t, "testdata/wide_small.csv", Options{Format: "wide", State: "MI", Contest: "President"})
	if len(rows) != 10 {
		t.Errorf("%d rows, want 10", len(rows))
	}
	got := tally(rows, votesFor("President"), byChoice)
	if got["Ann A"] != 850 || got["Ben B"] != 530 || got["Write-in"] != 5 || len(got) != 3 {
		t.Errorf("choices %v, want Ann A 850, Ben B 530, Write-in 5", got)
	}
	for _, tc := range []struct {
		stat, mode string
		want       int64
	}{{canvass.StatRegistered, "", 2100}, {canvass.StatBallots, "", 1400}, {canvass.StatBallots, "absentee", 500}} {
		if n := tally(rows, statRows(tc.stat, tc.mode), byAll)[""]; n != tc.want {
			t.Errorf("%s %q: %d, want %d", tc.stat, tc.mode, n, tc.want)
		}
	}
	if u := rows[0].Unit; u != (canvass.Unit{State: "MI", County: "Ingham", Municipality: "City of East Lansing", Precinct: "Ward 1"}) {
		t.Errorf("unit %+v", u)
	}
}

const wideHeader = "municipality,precinct,registered_voters,ballots_cast,Ann,Ben\n"

func TestWideBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		opts          Options
		want          error
		record        int64
		field         string
	}{
		{"not a number", wideHeader + "Town,P1,100,80,40,39\nTown,P2,100,80,forty,39\n", Options{}, canvass.ErrNotNumber, 3, "Ann"},
		{"negative", wideHeader + "Town,P1,-100,80,40,39\n", Options{}, ErrNegative, 2, "registered_voters"},
		{"no contest", wideHeader, Options{Contest: ""}, canvass.ErrMissingField, 1, "Options.Contest"},
		{"two precinct columns", "precinct,ward,Ann\nP1,W1,3\n", Options{}, canvass.ErrSyntax, 1, "ward"},
		{"two ballots totals", "precinct,ballots_cast,ballots_cast_total,Ann\nP1,3,3,3\n", Options{}, canvass.ErrSyntax, 1, "ballots_cast_total"},
		{"no unit", wideHeader + "Town,,100,80,40,39\n", Options{}, canvass.ErrMissingField, 2, "precinct"},
		{"extra field", wideHeader + "Town,P1,100,80,40,39,7\n", Options{}, canvass.ErrSyntax, 2, "column 7"},
		{"truncated", wideHeader + "Town,P1,100,80,40,39\nTown,P2,10", Options{}, canvass.ErrTruncated, 3, "ballots_cast"},
		{"empty", "", Options{}, canvass.ErrTruncated, 0, ""},
		{"long format", "county,precinct,office,district,party,candidate,votes\n", Options{}, canvass.ErrWrongFormat, 1, ""},
		{"no unit column", "name,muni,ward_id,ballots\n", Options{}, canvass.ErrWrongFormat, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Format = "wide"
			if tc.name != "no contest" {
				opts.Contest = "President"
			}
			_, err := readString(t, tc.content, "bad.csv", opts)
			wantParseError(t, err, tc.want, "bad.csv", tc.record, tc.field)
		})
	}
}

// TestWideSkip reads the national county file (3,152 counties) as a wide table, passing over
// its derived columns. Rows of the file:
//
//	Wisconsin,55025,Dane County,78800,260185,344791,-181385,0.2285...,0.7546...,-0.5260...
//	Wisconsin,55079,Milwaukee County,134357,317270,458971,-182913,...
//
// so Dane has votes_gop 78,800 and votes_dem 260,185; each county gives two rows (total_votes
// and county_fips are passed over by the wide layout itself).
func TestWideSkip(t *testing.T) {
	const file = "../testdata/us2020/national/county_presidential_results_2020.csv"
	rows := readAll(t, file, Options{Format: "wide", Contest: "President", Skip: []string{"diff", "per_gop", "per_dem", "per_point_diff"}})
	if len(rows) != 2*3152 {
		t.Errorf("%d rows, want %d", len(rows), 2*3152)
	}
	dane := map[string]int64{}
	for _, r := range rows {
		if r.Unit.State == "Wisconsin" && r.Unit.County == "Dane County" {
			dane[r.Choice] = r.Votes
		}
	}
	if dane["votes_gop"] != 78800 || dane["votes_dem"] != 260185 || len(dane) != 2 {
		t.Errorf("Dane County: %v", dane)
	}
	// Without Skip the percentages are read as counts and refused, naming the column.
	if _, err := ReadAll(file, Options{Format: "wide", Contest: "President"}); err == nil || !strings.Contains(err.Error(), "per_gop") && !strings.Contains(err.Error(), "diff") {
		t.Errorf("without Skip: %v", err)
	}
	// A column to skip that the header lacks is an error naming it.
	if _, err := ReadAll(file, Options{Format: "wide", Contest: "President", Skip: []string{"diff", "margin"}}); err == nil || !strings.Contains(err.Error(), "margin") {
		t.Errorf("unknown skip column: %v", err)
	}
}

// TestWideRename names Wayne County's choice columns (biden_dem 597,170 and trump_rep 264,553,
// as in TestWideWayne) after their candidates; a column the header lacks is refused.
func TestWideRename(t *testing.T) {
	rows := readAll(t, wayneCSV, Options{State: "MI", County: "Wayne", Contest: "President",
		Rename: map[string]string{"biden_dem": "Joseph R. Biden / Kamala D. Harris", "Trump_Rep": "Donald J. Trump / Michael R. Pence"}})
	got := tally(rows, votesFor("President"), byChoice)
	if got["Joseph R. Biden / Kamala D. Harris"] != 597170 || got["Donald J. Trump / Michael R. Pence"] != 264553 || got["biden_dem"] != 0 {
		t.Errorf("renamed: %v", got)
	}
	if _, err := ReadAll(wayneCSV, Options{Format: "wide", Contest: "President", Rename: map[string]string{"harris_dem": "X"}}); err == nil || !strings.Contains(err.Error(), "harris_dem") {
		t.Errorf("renaming a missing column: %v", err)
	}
	if _, err := ReadAll(wayneCSV, Options{Format: "wide", Contest: "President", Rename: map[string]string{"biden_dem": "Trump", "trump_rep": "trump"}}); err == nil {
		t.Error("two columns renamed to one choice were accepted")
	}
}

// TestResolve: "" and "auto" are sniffed (the WEC ward report is "wec"); a named format is
// kept as given, even where sniffing would say otherwise.
func TestResolve(t *testing.T) {
	for _, f := range []string{"", "auto"} {
		if o, err := (Options{Format: f, Contest: "President"}).Resolve(wecCSV); err != nil || o.Format != "wec" || o.Contest != "President" {
			t.Errorf("%q: %+v %v", f, o, err)
		}
	}
	if o, err := (Options{Format: "wide"}).Resolve(wecCSV); err != nil || o.Format != "wide" {
		t.Errorf("named: %+v %v", o, err)
	}
}
