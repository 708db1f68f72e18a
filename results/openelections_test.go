package results

import (
	"encoding/csv"
	"os"
	"strconv"
	"testing"

	canvass "github.com/canvass-vote/canvass"
)

// TestOpenElectionsMichigan reads the OpenElections precinct files of two Michigan counties.
// The expected figures were computed independently with python3's csv.DictReader over the
// files (sum of votes, election_day and absentee per candidate where office == "President";
// sum of votes where office is "Registered Voters" or "Ballots Cast"). The Trump and Biden
// totals agree with the county results in testdata/us2020/national/
// county_presidential_results_2020.csv (Alcona 4,848 / 2,142; Kent 165,741 / 187,915), which
// TestOpenElectionsCrossCheck reads.
func TestOpenElectionsMichigan(t *testing.T) {
	for _, tc := range []struct {
		path       string
		precincts  int
		rows       int
		president  map[string]int64
		modes      map[string]map[string]int64 // mode → candidate → votes
		registered int64
		ballots    map[string]int64 // mode → ballots cast
	}{
		{
			path: oeAlcona, precincts: 12, rows: 216,
			president: map[string]int64{"Donald J. Trump": 4848, "Joseph R. Biden": 2142, "Jo Jorgensen": 50,
				"Don Blankenship": 12, "Howie Hawkins": 11, "Rocky De La Fuente": 0},
			registered: 9897, ballots: map[string]int64{"": 7102},
		},
		{
			// 7,369 records: each gives its total, and its election_day and absentee cells
			// unless empty (the 252 Registered Voters rows leave them empty): 7,369 + 2×7,117.
			path: oeKent, precincts: 252, rows: 7369 + 2*7117,
			president: map[string]int64{"Joseph R. Biden": 187915, "Donald J. Trump": 165741, "Jo Jorgensen": 5495,
				"Write-ins": 1192, "Howie Hawkins": 957, "Don Blankenship": 490, "Rocky De La Fuente": 241},
			modes: map[string]map[string]int64{
				"election_day": {"Joseph R. Biden": 55382, "Donald J. Trump": 89379, "Write-ins": 549},
				"absentee":     {"Joseph R. Biden": 132533, "Donald J. Trump": 76362, "Write-ins": 643},
			},
			registered: 501117, ballots: map[string]int64{"": 363695, "election_day": 149409, "absentee": 214286},
		},
	} {
		t.Run(tc.path, func(t *testing.T) {
			if f, err := Sniff(tc.path); err != nil || f != "openelections" {
				t.Fatalf("Sniff = %q, %v", f, err)
			}
			rows := readAll(t, tc.path, Options{})
			if len(rows) != tc.rows {
				t.Errorf("%d rows, want %d", len(rows), tc.rows)
			}
			got := tally(rows, votesFor("President"), byChoice)
			for c, want := range tc.president {
				if v, ok := got[c]; !ok || v != want {
					t.Errorf("President %s: %d (present %v), want %d", c, v, ok, want)
				}
			}
			for mode, m := range tc.modes {
				gm := tally(rows, func(r *canvass.ResultRow) bool { return r.Contest == "President" && r.Mode == mode }, byChoice)
				for c, want := range m {
					if gm[c] != want {
						t.Errorf("President %s %s: %d, want %d", mode, c, gm[c], want)
					}
				}
			}
			if reg := tally(rows, statRows(canvass.StatRegistered, ""), byAll)[""]; reg != tc.registered {
				t.Errorf("registered %d, want %d", reg, tc.registered)
			}
			for mode, want := range tc.ballots {
				if b := tally(rows, statRows(canvass.StatBallots, mode), byAll)[""]; b != want {
					t.Errorf("ballots cast (mode %q) %d, want %d", mode, b, want)
				}
			}
			if n := distinct(rows, func(r *canvass.ResultRow) string { return r.Unit.At(canvass.LevelPrecinct) }); n != tc.precincts {
				t.Errorf("%d precincts, want %d", n, tc.precincts)
			}
			if rows[0].Unit.State != "MI" {
				t.Errorf("state %q, want MI from the file name", rows[0].Unit.State)
			}
		})
	}
}

// TestOpenElectionsCrossCheck compares the presidential totals of the two counties with the
// county-level results compiled from other sources (votes_gop, votes_dem).
func TestOpenElectionsCrossCheck(t *testing.T) {
	f, err := os.Open(countyCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	county := map[string][2]int64{}
	for _, r := range recs[1:] {
		if r[0] == "Michigan" {
			gop, _ := strconv.ParseInt(r[3], 10, 64)
			dem, _ := strconv.ParseInt(r[4], 10, 64)
			county[r[2]] = [2]int64{gop, dem}
		}
	}
	for path, name := range map[string]string{oeAlcona: "Alcona County", oeKent: "Kent County"} {
		want, ok := county[name]
		if !ok {
			t.Fatalf("%s not in %s", name, countyCSV)
		}
		got := tally(readAll(t, path, Options{}), votesFor("President"), byChoice)
		if got["Donald J. Trump"] != want[0] || got["Joseph R. Biden"] != want[1] {
			t.Errorf("%s: Trump %d Biden %d; county results %d %d", name, got["Donald J. Trump"], got["Joseph R. Biden"], want[0], want[1])
		}
	}
}

// TestOpenElectionsSmall reads a hand-made file with a byte order mark, CRLF line ends, its
// own column order, a provisional mode column, NA cells, grouped digits ("1,100"), a
// straight-party row naming only the party, and a Ballots Cast Blank row (skipped). Totals by
// hand: Ann 400+1100 = 1500 (absentee 200+650 = 850, election day 190+450 = 640, provisional
// 10), Ben 290+680 = 970, Write-ins 5+0 = 5; registered 1000+2500 = 3500; ballots 700+1800 =
// 2500 (absentee 300+1000 = 1300). Rows: 31 (each record's non-empty count cells).
func TestOpenElectionsSmall(t *testing.T) {
	rows := readAll(t, "testdata/20181106__oh__general__tiny__precinct.csv", Options{State: "ZZ"})
	if len(rows) != 31 {
		t.Errorf("%d rows, want 31", len(rows))
	}
	for _, tc := range []struct {
		mode   string
		choice string
		want   int64
	}{
		{"", "Ann A", 1500}, {"", "Ben B", 970}, {"", "Write-ins", 5},
		{"absentee", "Ann A", 850}, {"election_day", "Ann A", 640}, {"provisional", "Ann A", 10},
		{"provisional", "Write-ins", 0},
	} {
		got := tally(rows, func(r *canvass.ResultRow) bool { return r.Contest == "President" && r.Mode == tc.mode }, byChoice)
		if got[tc.choice] != tc.want {
			t.Errorf("%s %q: %d, want %d", tc.choice, tc.mode, got[tc.choice], tc.want)
		}
	}
	if reg := tally(rows, statRows(canvass.StatRegistered, ""), byAll)[""]; reg != 3500 {
		t.Errorf("registered %d, want 3500", reg)
	}
	if b := tally(rows, statRows(canvass.StatBallots, ""), byAll)[""]; b != 2500 {
		t.Errorf("ballots %d, want 2500", b)
	}
	if b := tally(rows, statRows(canvass.StatBallots, "absentee"), byAll)[""]; b != 1300 {
		t.Errorf("absentee ballots %d, want 1300", b)
	}
	var straight, house *canvass.ResultRow
	for i := range rows {
		switch rows[i].Contest {
		case "Straight Party":
			straight = &rows[i]
		case "U.S. House":
			house = &rows[i]
		}
	}
	if straight == nil || straight.Choice != "DEM" || straight.Votes != 120 || straight.Mode != "" {
		t.Errorf("straight-party row %+v, want choice DEM 120", straight)
	}
	wantHouse := canvass.ResultRow{Unit: canvass.Unit{State: "OH", County: "Tiny", Precinct: "Alpha Township, Precinct 1"},
		Contest: "U.S. House", District: "2", Choice: "Cy C", Party: "REP", Votes: 350}
	if house == nil || *house != wantHouse {
		t.Errorf("house row %+v, want %+v (state from the file name, not Options)", house, wantHouse)
	}
	// Without a dated file name the state is Options.State.
	rows, err := readString(t, "county,precinct,office,district,party,candidate,votes\nTiny,P1,Mayor,,,Ann,3\n", "mayor.csv", Options{Format: "openelections", State: "ZZ"})
	if err != nil || len(rows) != 1 || rows[0].Unit.State != "ZZ" {
		t.Errorf("rows %+v, %v; want one row in state ZZ", rows, err)
	}
}

const oeHeader = "county,precinct,office,district,party,candidate,votes,election_day,absentee\n"

func TestOpenElectionsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		want          error
		record        int64
		field         string
	}{
		{"not a number", oeHeader + "Kent,P1,President,,DEM,Ann,10,4,6\nKent,P1,President,,REP,Ben,9,4,x\n", canvass.ErrNotNumber, 3, "absentee"},
		{"percentage", oeHeader + "Kent,P1,President,,,Turnout Pct,0.7211,,\n", canvass.ErrNotNumber, 2, "votes"},
		{"bad grouping", oeHeader + "Kent,P1,President,,DEM,Ann,\"10,00\",,\n", canvass.ErrNotNumber, 2, "votes"},
		{"negative", oeHeader + "Kent,P1,President,,DEM,Ann,-10,,\n", ErrNegative, 2, "votes"},
		{"missing column", "county,precinct,district,party,candidate,votes\nKent,P1,,DEM,Ann,10\n", canvass.ErrMissingField, 1, "office"},
		{"no candidate", oeHeader + "Kent,P1,Board Member,,,,0,,\n", canvass.ErrMissingField, 2, "candidate"},
		{"no office", oeHeader + "Kent,P1,,,DEM,Ann,10,,\n", canvass.ErrMissingField, 2, "office"},
		{"no precinct", oeHeader + "Kent,,President,,DEM,Ann,10,,\n", canvass.ErrMissingField, 2, "precinct"},
		{"truncated", oeHeader + "Kent,P1,President,,DEM,Ann,10,4,6\nKent,P1,Presid", canvass.ErrTruncated, 3, "district"},
		{"garbled", oeHeader + "Kent,\"P1,President,,DEM,Ann,10,4,6\n", canvass.ErrSyntax, 2, "character 36"},
		{"empty", "\n\n", canvass.ErrTruncated, 0, ""},
		{"wrong format", "state,county,municipality,precinct,contest,district,choice,party,mode,votes\n", canvass.ErrWrongFormat, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readString(t, tc.content, "bad.csv", Options{Format: "openelections"})
			wantParseError(t, err, tc.want, "bad.csv", tc.record, tc.field)
		})
	}
}
