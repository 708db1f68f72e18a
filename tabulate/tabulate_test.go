package tabulate

import (
	"slices"
	"testing"

	canvass "github.com/canvass-vote/canvass"
)

func contest(name string, typ canvass.ContestType, seats, voteFor int, choices ...string) *canvass.Contest {
	c := &canvass.Contest{Name: name, Type: typ, Seats: seats, VoteFor: voteFor}
	for _, ch := range choices {
		c.Choices = append(c.Choices, &canvass.Choice{Name: ch, WriteIn: ch == "Write-in"})
	}
	return c
}

// ballot builds a one-contest ballot marking the given choice indices.
func ballot(contest int32, choices ...int32) *canvass.Ballot {
	b := &canvass.Ballot{}
	cm := b.AddContest(contest)
	for _, c := range choices {
		cm.Marks = append(cm.Marks, canvass.Mark{Choice: c})
	}
	return b
}

func votes(cr ContestResult) map[string]int64 {
	m := map[string]int64{}
	for _, c := range cr.Choices {
		m[c.Name] = c.Votes
	}
	return m
}

// checkIdentity asserts ballots × VoteFor = votes + undervotes + overvotes.
func checkIdentity(t *testing.T, cr ContestResult) {
	t.Helper()
	var sum int64
	for _, c := range cr.Choices {
		sum += c.Votes
	}
	if cr.Ballots*int64(cr.VoteFor) != sum+cr.Undervotes+cr.Overvotes {
		t.Errorf("%s: %d ballots × %d ≠ %d votes + %d under + %d over", cr.Name, cr.Ballots, cr.VoteFor, sum, cr.Undervotes, cr.Overvotes)
	}
}

func TestPluralityVoteFor1(t *testing.T) {
	// Hand-made: 10 ballots. A×4, B×3, Write-in×1, one overvote (A+B), one blank.
	// Expected by hand: A 4, B 3, Write-in 1; overvotes 1, undervotes 1, blank 1; winner A.
	el := &canvass.Election{Contests: []*canvass.Contest{contest("Mayor", canvass.Plurality, 1, 1, "A", "B", "Write-in")}}
	tl := New(el)
	for _, b := range []*canvass.Ballot{
		ballot(0, 0), ballot(0, 0), ballot(0, 0), ballot(0, 0),
		ballot(0, 1), ballot(0, 1), ballot(0, 1),
		ballot(0, 2), ballot(0, 0, 1), ballot(0),
	} {
		tl.Add(b, "")
	}
	cr := tl.Result().Contests[0]
	want := map[string]int64{"A": 4, "B": 3, "Write-in": 1}
	if got := votes(cr); !mapsEqual(got, want) {
		t.Errorf("votes %v, want %v", got, want)
	}
	if cr.Ballots != 10 || cr.Overvotes != 1 || cr.Undervotes != 1 || cr.Blank != 1 || cr.WriteIns != 1 {
		t.Errorf("ballots %d over %d under %d blank %d writeins %d; want 10 1 1 1 1", cr.Ballots, cr.Overvotes, cr.Undervotes, cr.Blank, cr.WriteIns)
	}
	if !slices.Equal(cr.Winners, []string{"A"}) || cr.Tied != nil {
		t.Errorf("winners %v tied %v", cr.Winners, cr.Tied)
	}
	if cr.Choices[0].Name != "A" || cr.Choices[1].Name != "B" {
		t.Errorf("choices not sorted by votes: %+v", cr.Choices)
	}
	checkIdentity(t, cr)
}

func TestPluralityVoteFor2(t *testing.T) {
	// vote for 2 of A, B, C: {A,B}, {A}, {A,B,C} (overvote), {} (blank), {C, C} (a choice
	// marked twice counts once).
	// By hand: A 2, B 1, C 1; overvotes 2 (one ballot × 2); undervotes 0+1+2+1 = 4; blank 1.
	// 5 ballots × 2 = 10 = 4 votes + 4 under + 2 over.
	el := &canvass.Election{Contests: []*canvass.Contest{contest("Council", canvass.Plurality, 2, 2, "A", "B", "C")}}
	tl := New(el)
	for _, b := range []*canvass.Ballot{ballot(0, 0, 1), ballot(0, 0), ballot(0, 0, 1, 2), ballot(0), ballot(0, 2, 2)} {
		tl.Add(b, "")
	}
	cr := tl.Result().Contests[0]
	if got, want := votes(cr), map[string]int64{"A": 2, "B": 1, "C": 1}; !mapsEqual(got, want) {
		t.Errorf("votes %v, want %v", got, want)
	}
	if cr.Overvotes != 2 || cr.Undervotes != 4 || cr.Blank != 1 {
		t.Errorf("over %d under %d blank %d; want 2 4 1", cr.Overvotes, cr.Undervotes, cr.Blank)
	}
	// A is certain; B and C tie for the second seat.
	if !slices.Equal(cr.Winners, []string{"A"}) || !slices.Equal(cr.Tied, []string{"B", "C"}) {
		t.Errorf("winners %v tied %v; want [A] [B C]", cr.Winners, cr.Tied)
	}
	checkIdentity(t, cr)
}

func TestTieIsNeverBroken(t *testing.T) {
	el := &canvass.Election{Contests: []*canvass.Contest{contest("Clerk", canvass.Plurality, 1, 1, "A", "B")}}
	tl := New(el)
	tl.Add(ballot(0, 0), "")
	tl.Add(ballot(0, 1), "")
	cr := tl.Result().Contests[0]
	if len(cr.Winners) != 0 || !slices.Equal(cr.Tied, []string{"A", "B"}) || cr.Note == "" {
		t.Errorf("winners %v tied %v note %q", cr.Winners, cr.Tied, cr.Note)
	}
}

func TestSourceFlags(t *testing.T) {
	// A Dominion-style overvote: marks with IsVote=false and the contest flagged; a hesitation
	// mark that is not counted next to a real vote.
	el := &canvass.Election{Contests: []*canvass.Contest{contest("P", canvass.Plurality, 1, 1, "A", "B")}}
	tl := New(el)
	b := &canvass.Ballot{}
	cm := b.AddContest(0)
	cm.Overvoted = true
	cm.Marks = []canvass.Mark{{Choice: 0, Flags: canvass.NotCounted}, {Choice: 1, Flags: canvass.NotCounted}}
	tl.Add(b, "")
	b2 := ballot(0, 1)
	b2.Contests[0].Marks = append(b2.Contests[0].Marks, canvass.Mark{Choice: 0, Flags: canvass.NotCounted})
	tl.Add(b2, "")
	cr := tl.Result().Contests[0]
	if got, want := votes(cr), map[string]int64{"A": 0, "B": 1}; !mapsEqual(got, want) || cr.Overvotes != 1 || cr.Undervotes != 0 {
		t.Errorf("votes %v over %d under %d; want B 1, over 1, under 0", got, cr.Overvotes, cr.Undervotes)
	}
}

func TestApproval(t *testing.T) {
	// Approval among 3, 1 seat: {A,B}, {A,B,C}, {B} → A 2, B 3, C 1; B wins; no overvotes.
	el := &canvass.Election{Contests: []*canvass.Contest{contest("Q", canvass.Approval, 1, 3, "A", "B", "C")}}
	tl := New(el)
	for _, b := range []*canvass.Ballot{ballot(0, 0, 1), ballot(0, 0, 1, 2), ballot(0, 1)} {
		tl.Add(b, "")
	}
	cr := tl.Result().Contests[0]
	if got, want := votes(cr), map[string]int64{"A": 2, "B": 3, "C": 1}; !mapsEqual(got, want) || cr.Overvotes != 0 || !slices.Equal(cr.Winners, []string{"B"}) {
		t.Errorf("votes %v over %d winners %v", got, cr.Overvotes, cr.Winners)
	}
	checkIdentity(t, cr)
}

func TestSupermajority(t *testing.T) {
	for _, tc := range []struct {
		yes, no int
		want    string
	}{
		{6, 3, "Yes"}, // 6/9 = 2/3 exactly: passes (at least two-thirds)
		{5, 3, "No"},  // 5/8 < 2/3
		{7, 3, "Yes"},
	} {
		c := contest("Measure A", canvass.Supermajority, 1, 1, "Yes", "No")
		c.Threshold = canvass.Threshold{Num: 2, Den: 3}
		tl := New(&canvass.Election{Contests: []*canvass.Contest{c}})
		for range tc.yes {
			tl.Add(ballot(0, 0), "")
		}
		for range tc.no {
			tl.Add(ballot(0, 1), "")
		}
		cr := tl.Result().Contests[0]
		if !slices.Equal(cr.Winners, []string{tc.want}) {
			t.Errorf("yes %d no %d: winners %v, want %s", tc.yes, tc.no, cr.Winners, tc.want)
		}
	}
}

func TestUnitsAndMerge(t *testing.T) {
	el := &canvass.Election{Contests: []*canvass.Contest{contest("P", canvass.Plurality, 1, 1, "A", "B")}}
	a, b := New(el), New(el)
	a.Add(ballot(0, 0), "Ward 1")
	a.Add(ballot(0, 1), "Ward 2")
	b.Add(ballot(0, 0), "Ward 1")
	b.Add(ballot(0, 0), "Ward 3")
	a.Merge(b)
	cr := a.Result().Contests[0]
	if got := votes(cr); got["A"] != 3 || got["B"] != 1 {
		t.Errorf("merged totals %v", got)
	}
	if len(cr.Units) != 3 || cr.Units[0].Unit != "Ward 1" || cr.Units[0].Ballots != 2 || cr.Units[0].Choices[0].Votes != 2 {
		t.Errorf("units %+v", cr.Units)
	}
}

func TestRowTally(t *testing.T) {
	// Two counties, three precincts; a mode breakdown row must not be double counted.
	u := func(county, pct string) canvass.Unit { return canvass.Unit{State: "WI", County: county, Precinct: pct} }
	rows := []canvass.ResultRow{
		{Unit: u("Adams", "W1"), Contest: "President", Choice: "Biden", Votes: 10},
		{Unit: u("Adams", "W1"), Contest: "President", Choice: "Trump", Votes: 20},
		{Unit: u("Adams", "W1"), Contest: "President", Choice: "Trump", Mode: "absentee", Votes: 5},
		{Unit: u("Adams", "W1"), Stat: canvass.StatBallots, Votes: 31},
		{Unit: u("Adams", "W2"), Contest: "President", Choice: "Biden", Votes: 7},
		{Unit: u("Dane", "W1"), Contest: "President", Choice: "Biden", Votes: 100},
		{Unit: u("Dane", "W1"), Contest: "President", Choice: "SCATTERING", Votes: 1},
		{Unit: u("Dane", "W1"), Contest: "President", Choice: "Blank/Undervote", Votes: 4},
		{Unit: u("Dane", "W1"), Contest: "President", Choice: "Overvote", Votes: 2},
	}
	tl := NewRowTally(canvass.LevelCounty)
	for i := range rows {
		tl.Add(&rows[i])
	}
	cr := tl.Result().Contests[0]
	if got := votes(cr); got["Biden"] != 117 || got["Trump"] != 20 || got["SCATTERING"] != 1 {
		t.Errorf("totals %v", got)
	}
	if cr.Ballots != 31 || cr.WriteIns != 1 || !slices.Equal(cr.Winners, []string{"Biden"}) || cr.Undervotes != 4 || cr.Overvotes != 2 || len(cr.Choices) != 3 {
		t.Errorf("ballots %d writeins %d winners %v under %d over %d choices %d", cr.Ballots, cr.WriteIns, cr.Winners, cr.Undervotes, cr.Overvotes, len(cr.Choices))
	}
	if dane := cr.Units[1]; dane.Undervotes != 4 || dane.Overvotes != 2 {
		t.Errorf("Dane unit under %d over %d, want 4 and 2", dane.Undervotes, dane.Overvotes)
	}
	if len(cr.Units) != 2 || cr.Units[0].Unit != "WI / Adams" || votes(ContestResult{Choices: cr.Units[0].Choices})["Biden"] != 17 {
		t.Errorf("units %+v", cr.Units)
	}
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestRankedOvervoteMarkNoChoice: an ES&S ranked ballot whose second rank is an overvote
// label (a mark with no choice, canvass.NoChoice) counts its first choice and nothing else.
// By hand: 2 ballots, both A first; the second's rank 2 is the overvote mark: A 2, B 0.
func TestRankedOvervoteMarkNoChoice(t *testing.T) {
	el := &canvass.Election{Contests: []*canvass.Contest{contest("Mayor", canvass.IRV, 1, 3, "A", "B")}}
	tl := New(el)
	a := &canvass.Ballot{}
	a.AddContest(0).Marks = []canvass.Mark{{Choice: 0, Rank: 1}}
	tl.Add(a, "")
	b := &canvass.Ballot{}
	cm := b.AddContest(0)
	cm.Marks = []canvass.Mark{{Choice: 0, Rank: 1}, {Choice: canvass.NoChoice, Rank: 2, Flags: canvass.OvervoteMark}}
	tl.Add(b, "")
	if got := votes(tl.Result().Contests[0]); got["A"] != 2 || got["B"] != 0 {
		t.Errorf("votes %v", got)
	}
}
