package canvass

import (
	"errors"
	"strings"
	"testing"
)

func TestUnitAt(t *testing.T) {
	u := Unit{State: "WI", County: "ADAMS", Municipality: "Town of ADAMS", Precinct: "Town of ADAMS Wards 1-3"}
	for _, tc := range []struct {
		l    Level
		want string
	}{
		{LevelState, "WI"},
		{LevelCounty, "WI / ADAMS"},
		{LevelMunicipality, "WI / ADAMS / Town of ADAMS"},
		{LevelPrecinct, "WI / ADAMS / Town of ADAMS / Town of ADAMS Wards 1-3"},
		{LevelBatch, ""},
	} {
		if got := u.At(tc.l); got != tc.want {
			t.Errorf("At(%s) = %q, want %q", tc.l, got, tc.want)
		}
	}
	if got := (Unit{County: "Wayne", Precinct: "AVCB 1"}).At(LevelPrecinct); got != "Wayne / AVCB 1" {
		t.Errorf("missing levels are skipped: got %q", got)
	}
}

func TestNameKey(t *testing.T) {
	// County names in the WEC ward report carry a trailing space.
	if NameKey("ADAMS ") != NameKey("adams") || NameKey("Joseph  R. Biden") != "joseph r. biden" {
		t.Error("NameKey does not fold space and case")
	}
}

func TestValidate(t *testing.T) {
	ok := &Election{Contests: []*Contest{{Name: "Mayor", Seats: 1, VoteFor: 1}}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []*Election{
		{Contests: []*Contest{{Name: "Mayor", Seats: 1, VoteFor: 1}, {Name: "mayor ", Seats: 1, VoteFor: 1}}},
		{Contests: []*Contest{{Name: "Mayor", Seats: 1, VoteFor: 0}}},
		{Contests: []*Contest{{Name: "", Seats: 1, VoteFor: 1}}},
	} {
		if bad.Validate() == nil {
			t.Errorf("accepted %+v", bad.Contests)
		}
	}
}

func TestBallotReuse(t *testing.T) {
	var b Ballot
	cm := b.AddContest(3)
	cm.Marks = append(cm.Marks, Mark{Choice: 1}, Mark{Choice: 2})
	cm.Overvoted = true
	keep := b.Clone()
	b.Reset()
	cm = b.AddContest(4)
	if len(cm.Marks) != 0 || cm.Overvoted || cm.Contest != 4 || len(b.Contests) != 1 {
		t.Errorf("reused entry not cleared: %+v", cm)
	}
	cm.Marks = append(cm.Marks, Mark{Choice: 9})
	if keep.Contests[0].Contest != 3 || len(keep.Contests[0].Marks) != 2 || keep.Contests[0].Marks[0].Choice != 1 {
		t.Errorf("clone shares memory with the reused ballot: %+v", keep.Contests[0])
	}
}

func TestParseErrorMessage(t *testing.T) {
	err := error(&ParseError{Format: "dominion", File: "CvrExport_3.json", Record: 17, Field: "Sessions[].Original.Cards[].Contests[].Id", Err: ErrUnknownContest})
	want := "dominion: CvrExport_3.json: record 17: field Sessions[].Original.Cards[].Contests[].Id: unknown contest"
	if err.Error() != want {
		t.Errorf("got %q\nwant %q", err.Error(), want)
	}
	if !errors.Is(err, ErrUnknownContest) {
		t.Error("ParseError does not unwrap")
	}
	if s := (&ParseError{File: "a.csv", Line: 4, Record: 3, Err: ErrNotNumber}).Error(); !strings.Contains(s, "record 3 (line 4)") {
		t.Errorf("line not shown: %q", s)
	}
}

// The 50 states and DC: 51 codes (U.S. Postal Service Publication 28, Appendix B).
func TestStateCode(t *testing.T) {
	for in, want := range map[string]string{"Wisconsin": "WI", "wi": "WI", " NEW  york ": "NY", "District of Columbia": "DC", "Guam": "", "": ""} {
		if got := StateCode(in); got != want {
			t.Errorf("StateCode(%q) = %q, want %q", in, got, want)
		}
	}
	if len(stateCodes) != 2*51+2 {
		t.Errorf("%d keys, want 104 (51 codes, 51 names, two spellings of Washington DC)", len(stateCodes))
	}
	if StateName("ga") != "Georgia" || StateName("xx") != "" {
		t.Errorf("StateName: %q %q", StateName("ga"), StateName("xx"))
	}
}
