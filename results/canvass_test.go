package results

import (
	"testing"

	canvass "github.com/canvass-vote/canvass"
)

// TestCanvassSmall reads our own long format, with a stat column and without one.
func TestCanvassSmall(t *testing.T) {
	ward1 := canvass.Unit{State: "WI", County: "Dane", Municipality: "City of Madison", Precinct: "Ward 1"}
	ward2 := ward1
	ward2.Precinct = "Ward 2"
	for _, tc := range []struct {
		path string
		want []canvass.ResultRow
	}{
		{"testdata/canvass_small.csv", []canvass.ResultRow{
			{Unit: ward1, Contest: "President", Choice: "Alice Adams", Party: "DEM", Votes: 120},
			{Unit: ward1, Contest: "President", Choice: "Bob Brown", Party: "REP", Votes: 80},
			{Unit: ward1, Contest: "President", Choice: "Alice Adams", Party: "DEM", Mode: "absentee", Votes: 70},
			{Unit: ward1, Stat: canvass.StatRegistered, Votes: 300},
			{Unit: ward1, Stat: canvass.StatBallots, Votes: 205},
			{Unit: ward1, Stat: canvass.StatBallots, Mode: "absentee", Votes: 110},
			{Unit: ward1, Contest: "U.S. House", District: "2", Choice: "Carol Cruz", Party: "DEM", Votes: 115},
			{Unit: ward2, Stat: canvass.StatRegistered, Votes: 150},
			{Unit: ward2, Contest: "President", Choice: "Alice Adams", Party: "DEM", Votes: 60},
		}},
		{"testdata/canvass_nostat.csv", []canvass.ResultRow{
			{Unit: canvass.Unit{County: "Tiny", Precinct: "Precinct 1"}, Contest: "Mayor", Choice: "Ann A", Votes: 410},
			{Unit: canvass.Unit{County: "Tiny", Precinct: "Precinct 1"}, Contest: "Mayor", Choice: "Ben B", Votes: 395},
			{Unit: canvass.Unit{County: "Tiny", Precinct: "Precinct 1"}, Stat: canvass.StatBallots, Votes: 812},
			{Unit: canvass.Unit{County: "Tiny", Precinct: "Precinct 1"}, Stat: canvass.StatRegistered, Votes: 1200},
		}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			if f, err := Sniff(tc.path); err != nil || f != "canvass" {
				t.Fatalf("Sniff = %q, %v", f, err)
			}
			got := readAll(t, tc.path, Options{})
			if len(got) != len(tc.want) {
				t.Fatalf("%d rows, want %d: %+v", len(got), len(tc.want), got)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("row %d: %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

const canvassHeader = "state,county,municipality,precinct,contest,district,choice,party,mode,stat,votes\n"

func TestCanvassBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		want          error
		record        int64
		field         string
	}{
		{"not a number", canvassHeader + "WI,Dane,,Ward 1,President,,Ann,,,,12\nWI,Dane,,Ward 1,President,,Ben,,,,twelve\n", canvass.ErrNotNumber, 3, "votes"},
		{"grouped digits", canvassHeader + "WI,Dane,,Ward 1,President,,Ann,,,,\"1,200\"\n", canvass.ErrNotNumber, 2, "votes"},
		{"negative", canvassHeader + "WI,Dane,,Ward 1,President,,Ann,,,,-1\n", ErrNegative, 2, "votes"},
		{"no count", canvassHeader + "WI,Dane,,Ward 1,President,,Ann,,,,\n", canvass.ErrMissingField, 2, "votes"},
		{"missing column", "precinct,contest,choice\nWard 1,President,Ann\n", canvass.ErrMissingField, 1, "votes"},
		{"no unit column", "contest,choice,votes\nPresident,Ann,1\n", canvass.ErrMissingField, 1, "precinct"},
		{"unknown column", "precinct,contest,choice,votes,notes\nWard 1,President,Ann,1,\n", canvass.ErrSyntax, 1, "notes"},
		{"bad stat", canvassHeader + "WI,Dane,,Ward 1,,,,,,turnout,12\n", canvass.ErrSyntax, 2, "stat"},
		{"stat with choice", canvassHeader + "WI,Dane,,Ward 1,,,Ann,,,ballots,12\n", canvass.ErrSyntax, 2, "choice"},
		{"stat with contest", canvassHeader + "WI,Dane,,Ward 1,President,,,,,ballots,12\n", canvass.ErrSyntax, 2, "contest"},
		{"no choice", canvassHeader + "WI,Dane,,Ward 1,President,,,,,,12\n", canvass.ErrMissingField, 2, "choice"},
		{"no contest", canvassHeader + "WI,Dane,,Ward 1,,,Ann,,,,12\n", canvass.ErrMissingField, 2, "contest"},
		{"no unit", canvassHeader + "WI,Dane,,,President,,Ann,,,,12\n", canvass.ErrMissingField, 2, "precinct"},
		{"truncated", canvassHeader + "WI,Dane,,Ward 1,President,,Ann,,,,12\nWI,Dane,,Ward 1,Pres", canvass.ErrTruncated, 3, "district"},
		{"empty", "", canvass.ErrTruncated, 0, ""},
		{"wrong format", "county,precinct,office,district,party,candidate,votes\nKent,P1,President,,DEM,Ann,10\n", canvass.ErrWrongFormat, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readString(t, tc.content, "bad.csv", Options{Format: "canvass"})
			wantParseError(t, err, tc.want, "bad.csv", tc.record, tc.field)
		})
	}
}
