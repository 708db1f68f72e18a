package reconcile

import (
	"errors"
	"strings"
	"testing"
	"time"

	canvass "github.com/canvass-vote/canvass"
)

func fig(p string, reg, ballots int64) UnitFigures {
	f := NewFigures(Unit{"Test County", "Town", p})
	f.Registered, f.Ballots = reg, ballots
	return f
}

func rules(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Severity)+":"+f.Rule)
	}
	return out
}

func TestRules(t *testing.T) {
	election := time.Date(2020, 11, 3, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		f    func() UnitFigures
		opts Options
		want string
		nums map[string]int64
	}{
		{"in order", func() UnitFigures { return fig("1", 100, 60) }, Options{}, "", nil},
		// 101 ballots, 100 registered: 1 over.
		{"turnout over 100%", func() UnitFigures { return fig("1", 100, 101) }, Options{}, "warning:turnout",
			map[string]int64{"ballots": 101, "registered": 100, "excess": 1}},
		{"no registration", func() UnitFigures { return fig("1", 0, 5) }, Options{}, "warning:no_registration",
			map[string]int64{"ballots": 5, "registered": 0}},
		// Election-day registration 90 < 95 ballots (the Nov-1 list of 100 is fine).
		{"above election-day registration", func() UnitFigures {
			f := fig("1", 100, 95)
			f.RegisteredElectionDay = 90
			return f
		}, Options{}, "error:turnout_election_day", map[string]int64{"ballots": 95, "registered_election_day": 90, "excess": 5}},
		// 500 ballots, 310 in the poll book, 187 absentee received: out of balance by +3.
		{"out of balance", func() UnitFigures {
			f := fig("1", 1000, 500)
			f.PollBook, f.AbsenteeReceived = 310, 187
			return f
		}, Options{}, "warning:out_of_balance", map[string]int64{"ballots": 500, "poll_book": 310, "absentee_received": 187, "imbalance": 3}},
		{"in balance", func() UnitFigures {
			f := fig("1", 1000, 500)
			f.PollBook, f.AbsenteeReceived = 313, 187
			return f
		}, Options{}, "", nil},
		// 100 ballots, vote for 2: at most 200 votes; 201 is an overvote error.
		{"votes exceed ballots", func() UnitFigures {
			f := fig("1", 1000, 100)
			f.VotesByContest = map[string]int64{"Council": 201}
			f.VoteFor = map[string]int64{"Council": 2}
			return f
		}, Options{}, "error:votes_exceed_ballots", map[string]int64{"ballots": 100, "vote_for": 2, "votes": 201, "undervotes": -1}},
		// 100 ballots × 1 − 97 votes = 3 undervotes.
		{"undervotes", func() UnitFigures {
			f := fig("1", 1000, 100)
			f.VotesByContest = map[string]int64{"President": 97}
			return f
		}, Options{Undervotes: true}, "info:undervotes", map[string]int64{"ballots": 100, "vote_for": 1, "votes": 97, "undervotes": 3}},
		{"modes", func() UnitFigures {
			f := fig("1", 1000, 100)
			f.BallotsElectionDay, f.BallotsAbsentee = 40, 59
			return f
		}, Options{}, "error:ballot_modes", map[string]int64{"ballots": 100, "election_day": 40, "absentee": 59, "difference": 1}},
		// 101 ballots against a VAP estimate of 100: above 100% of an estimate is a warning.
		{"estimate", func() UnitFigures {
			f := fig("1", -1, 101)
			f.VAP = 100
			return f
		}, Options{}, "warning:turnout_estimate", map[string]int64{"ballots": 101, "vap": 100}},
		{"combined", func() UnitFigures { return fig("1", 100, 60) },
			Options{CombinedBallots: map[string]int64{Unit{"Test County", "Town", "1"}.Key(): 61}}, "warning:combined_total",
			map[string]int64{"members_ballots": 60, "reported": 61, "difference": -1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.opts.ElectionDay = election
			fs := Check([]UnitFigures{c.f()}, nil, c.opts)
			got := strings.Join(rules(fs), ",")
			if got != c.want {
				t.Fatalf("findings %q, want %q", got, c.want)
			}
			if len(fs) == 1 {
				for k, v := range c.nums {
					if fs[0].Numbers[k] != v {
						t.Errorf("%s = %d, want %d", k, fs[0].Numbers[k], v)
					}
				}
				if len(fs[0].Numbers) != len(c.nums) {
					t.Errorf("numbers %v, want %v", fs[0].Numbers, c.nums)
				}
			}
		})
	}
}

func TestTurnoutExplanations(t *testing.T) {
	f := fig("1", 100, 101)
	f.RegisteredDate = time.Date(2020, 10, 1, 0, 0, 0, 0, time.UTC)
	fs := Check([]UnitFigures{f}, nil, Options{ElectionDay: time.Date(2020, 11, 3, 0, 0, 0, 0, time.UTC), SameDayRegistration: true})
	e := strings.Join(fs[0].Explanations, "|")
	if !strings.Contains(e, ExplainSameDay) || !strings.Contains(e, ExplainListDate) {
		t.Errorf("explanations %v", fs[0].Explanations)
	}
	// Without same-day registration and with a list of election day, neither applies.
	f.RegisteredDate = time.Date(2020, 11, 3, 0, 0, 0, 0, time.UTC)
	fs = Check([]UnitFigures{f}, nil, Options{ElectionDay: time.Date(2020, 11, 3, 0, 0, 0, 0, time.UTC)})
	e = strings.Join(fs[0].Explanations, "|")
	if strings.Contains(e, ExplainSameDay) || strings.Contains(e, ExplainListDate) {
		t.Errorf("explanations %v", fs[0].Explanations)
	}
}

func TestJoinCountingBoard(t *testing.T) {
	// Two precincts of 100 and 50 registered with 30 and 10 election-day ballots, and a counting
	// board with 0 registered and 80 absentee ballots: alone, the board is "no registration";
	// joined, (30+10+80)/150 = 80%.
	p1, p2, cb := fig("P1", 100, 30), fig("P2", 50, 10), fig("CB", 0, 80)
	m := NewMapping()
	for _, p := range []UnitFigures{p1, p2} {
		if err := m.Add(p.Unit, cb.Unit); err != nil {
			t.Fatal(err)
		}
	}
	figs := []UnitFigures{p1, cb, p2}
	if got := strings.Join(rules(Check(figs, nil, Options{})), ","); got != "warning:no_registration" {
		t.Errorf("alone: %s", got)
	}
	j := Join(figs, m)
	if len(j) != 1 || j[0].Unit != cb.Unit || j[0].Registered != 150 || j[0].Ballots != 120 || len(j[0].Members) != 3 {
		t.Fatalf("joined %+v", j)
	}
	if fs := Check(figs, m, Options{}); len(fs) != 0 {
		t.Errorf("joined: %v", rules(fs))
	}
	if h := Highest(j, 5); len(h) != 1 || h[0].Turnout != 0.8 {
		t.Errorf("highest %+v", h)
	}
}

func TestMappingTwice(t *testing.T) {
	in := "member,group\nPrecinct 1,AVCB 1\nPrecinct 2,AVCB 1\nPrecinct 1,AVCB 2\n"
	_, err := ReadMapping(strings.NewReader(in), "map.csv", Unit{Municipality: "City"})
	var pe *canvass.ParseError
	if !errors.As(err, &pe) || !errors.Is(err, ErrMappedTwice) || pe.Record != 4 || pe.Field != "member" || pe.File != "map.csv" {
		t.Fatalf("err %v", err)
	}
	if !strings.Contains(err.Error(), "City / Precinct 1 is already mapped to City / AVCB 1") {
		t.Errorf("message %q", err)
	}
	// The Detroit layout: precinct 7 twice.
	_, err = ReadMapping(strings.NewReader("E-Day Precinct,ACVB Precinct,SD\r\n7,1\r\n7,2\r\n"), "d.csv", Unit{})
	if !errors.Is(err, ErrMappedTwice) || !errors.As(err, &pe) || pe.Record != 3 || pe.Field != "E-Day Precinct" {
		t.Errorf("detroit: %v", err)
	}
	// A group used as a member.
	if _, err := ReadMapping(strings.NewReader("member,group\nA,B\nB,C\n"), "m.csv", Unit{}); err == nil {
		t.Error("a group mapped as a member: no error")
	}
}

func TestRegistrationUnknownUnit(t *testing.T) {
	in := "unit,registered,date\nTown / 1,100,2020-10-01\nTown / 2,50,\nTown / 9,10,\n"
	regs, err := ReadRegistration(strings.NewReader(in), "reg.csv", time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC), Unit{Jurisdiction: "Test County"})
	if err != nil {
		t.Fatal(err)
	}
	if len(regs) != 3 || regs[0].Registered != 100 || regs[0].Date.Day() != 1 || regs[0].Date.Month() != 10 || regs[1].Date.Month() != 11 {
		t.Fatalf("%+v", regs)
	}
	figs := []UnitFigures{fig("1", -1, 60), fig("2", -1, 40)}
	err = ApplyRegistration(figs, regs)
	if !errors.Is(err, ErrUnknownUnit) || !strings.Contains(err.Error(), "Test County / Town / 9") {
		t.Fatalf("err %v", err)
	}
	if err := ApplyRegistration(figs, regs[:2]); err != nil || figs[0].Registered != 100 || figs[1].Registered != 50 {
		t.Fatalf("%v %+v", err, figs)
	}
	// Bad counts and dates name the record and the field.
	for _, c := range []struct{ in, field string }{
		{"unit,registered\nA,x\n", "registered"},
		{"unit,registered\nA,-3\n", "registered"},
		{"unit,registered,date\nA,3,11/01/2020\n", "date"},
		{"unit,registered\n,3\n", "unit"},
		{"unit,registered\nA,1\na,2\n", "unit"},
		{"unit\nA\n", "registered"},
	} {
		_, err := ReadRegistration(strings.NewReader(c.in), "r.csv", time.Time{}, Unit{})
		var pe *canvass.ParseError
		if !errors.As(err, &pe) || pe.Field != c.field {
			t.Errorf("%q: %v, want field %s", c.in, err, c.field)
		}
	}
}

func TestCompareTotals(t *testing.T) {
	u := canvass.Unit{State: "MI", County: "Wayne", Municipality: "Detroit", Precinct: "1"}
	un := []canvass.ResultRow{{Unit: u, Contest: "President", Choice: "A", Votes: 100}, {Unit: u, Contest: "President", Choice: "B", Votes: 50}, {Unit: u, Contest: "President", Choice: "C", Votes: 5}}
	off := []canvass.ResultRow{{Unit: u, Contest: "President", Choice: "A", Votes: 100}, {Unit: u, Contest: "President", Choice: "B", Votes: 53}, {Unit: u, Contest: "President", Choice: "D", Votes: 1}}
	fs := CompareTotals(un, off)
	// B: 50 -> 53 (+3); C only on election night; D only in the canvass.
	if len(fs) != 3 || fs[0].Choice != "B" || fs[0].Numbers["difference"] != 3 || fs[1].Choice != "C" || fs[1].Numbers["unofficial"] != 5 || fs[2].Choice != "D" || fs[2].Numbers["canvass"] != 1 {
		t.Fatalf("%+v", fs)
	}
}

func TestCompareManifest(t *testing.T) {
	fs := CompareManifest(map[string]int64{"b1": 100, "b2": 99, "b4": 3}, map[string]int64{"b1": 100, "b2": 100, "b3": 7})
	// b2: 99 CVRs against 100; b3 has no CVRs; b4 is not in the manifest.
	if got := strings.Join(rules(fs), ","); got != "error:cvr_manifest,error:cvr_manifest,error:cvr_manifest" {
		t.Fatal(got)
	}
	if fs[0].Unit.Precinct != "b2" || fs[0].Numbers["difference"] != -1 || fs[1].Unit.Precinct != "b3" || fs[2].Unit.Precinct != "b4" {
		t.Errorf("%+v", fs)
	}
	fs = Check(nil, nil, Options{CVRCounts: map[string]int64{"x": 1}, Manifest: map[string]int64{"x": 2}})
	if len(fs) != 1 || fs[0].Rule != RuleManifest {
		t.Errorf("Check: %+v", fs)
	}
}

func TestParseUnit(t *testing.T) {
	w := Unit{"J", "M", ""}
	for in, want := range map[string]Unit{"P": {"J", "M", "P"}, "N / P": {"J", "N", "P"}, "A/B/C": {"A", "B", "C"}} {
		if u, err := ParseUnit(in, w); err != nil || u != want {
			t.Errorf("%q: %+v %v", in, u, err)
		}
	}
	for _, in := range []string{"", "a//b", "a/b/c/d"} {
		if _, err := ParseUnit(in, w); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
	if (Unit{"ADAMS ", "", ""}).Key() != (Unit{"Adams", "", ""}).Key() {
		t.Error("keys differ by case and space")
	}
}

func TestHugeCounts(t *testing.T) {
	// 2^41 registered voters is no electorate: the reader refuses it rather than let sums wrap.
	_, err := ReadRegistration(strings.NewReader("unit,registered\nA,2199023255552\n"), "r.csv", time.Time{}, Unit{})
	if !errors.Is(err, canvass.ErrNotNumber) {
		t.Errorf("err %v", err)
	}
	// Ballots 2^40 × vote-for 2^40 saturates: votes 5 are then an undervote, not an overvote.
	f := fig("1", -1, 1<<40)
	f.VotesByContest = map[string]int64{"C": 5}
	f.VoteFor = map[string]int64{"C": 1 << 40}
	if fs := Check([]UnitFigures{f}, nil, Options{}); len(fs) != 0 {
		t.Errorf("%v", rules(fs))
	}
}
