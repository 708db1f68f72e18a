// Package electoral allocates electoral votes from certified popular-vote results and asks what
// it would have taken to change them: each unit's winner and each candidate's electoral votes
// against the majority of the whole number of electors (270 of 538), ties and the Twelfth
// Amendment's contingent election, faithless electors, uncalled and pending units; what-ifs
// (flip a unit, set it pending, change its counts) with the difference they make; per-unit
// margins and the votes that would flip each unit; the tipping-point unit; the smallest number
// of changed votes, over every combination of units, that would tie or reverse the outcome (an
// exact knapsack over electoral votes); and whether each unit's margin was within its state's
// recount thresholds (package recount).
//
// A unit is a body of electors chosen by one popular vote: a state, the District of Columbia,
// and, in states that allocate by congressional district (Maine and Nebraska), the state at large
// (2 electors) and each district (1 elector) separately.
//
// The package does no I/O beyond parsing the io.Readers given to its readers (ReadApportionment,
// ReadStates, ReadDistricts, ReadCounties, Load) and keeps no global state. docs/ELECTORAL.md
// states the definitions and formulas.
package electoral

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	canvass "github.com/canvass-vote/canvass"
)

// TotalElectors is the number of electors since the 1964 election: 435 representatives, 100
// senators and 3 for the District of Columbia (Twenty-third Amendment).
const TotalElectors = 538

// MaxElectors bounds Election.Electors, far above any apportionment, so that the
// smallest-flip search (time and bits in proportion to units × electors) stays small whatever
// the input.
const MaxElectors = 10000

// DC is the postal code of the District of Columbia, which appoints electors (Twenty-third
// Amendment) but is not a state: it has no delegation in the House's contingent election.
const DC = "DC"

// Unit is a body of electors chosen by one popular vote.
type Unit struct {
	// ID names the unit: the postal code for a state or DC ("WI"), also for a state's
	// at-large electors when it allocates by district ("ME"); "ME-2" for a district.
	ID string `json:"id"`
	// State is the postal code of the unit's state ("ME" for ME-2); Name the state's name as
	// the apportionment writes it.
	State string `json:"state"`
	Name  string `json:"name"`
	// District is the congressional district number, 0 for a statewide unit.
	District int `json:"district,omitempty"`
	// AtLarge marks the statewide electors of a state that also allocates by district.
	AtLarge bool `json:"at_large,omitempty"`
	// Electors is the unit's number of electors.
	Electors int `json:"electors"`
}

// Vote is a candidate's votes in one unit.
type Vote struct {
	Candidate string `json:"candidate"`
	Votes     int64  `json:"votes"`
}

// Count is the popular vote of one unit.
type Count struct {
	// Unit is the unit's ID once the counts are assembled into an Election; as a reader
	// returns it, the unit or state as the file writes it ("WISCONSIN", "ME-1").
	Unit string `json:"unit"`
	// Votes are the named candidates' votes, in the file's order.
	Votes []Vote `json:"votes"`
	// Other is the votes for candidates the file does not name (the FEC's "all_others").
	Other int64 `json:"other,omitempty"`
	// Total is every vote for the office: the sum of Votes and Other.
	Total int64 `json:"total"`
	// Blank counts ballots with no valid vote for the office where the file reports them
	// (Maine's "Blank" rows); they are not votes and are not in Total.
	Blank int64 `json:"blank,omitempty"`
}

// Faithless is an elector of a unit who did not vote for the candidate who won the unit.
type Faithless struct {
	// Unit is the unit's ID.
	Unit string `json:"unit"`
	// Elector names the elector (optional).
	Elector string `json:"elector,omitempty"`
	// VotedFor is the person the elector voted for; empty when the vote was not cast or was
	// invalidated (it then counts for no one).
	VotedFor string `json:"voted_for,omitempty"`
}

// Election is the input to Allocate: the apportionment, one count per unit, and the units'
// marks.
type Election struct {
	// Units is the apportionment, in report order.
	Units []Unit `json:"units"`
	// Electors is the whole number of electors appointed, which Units must sum to; 0 means
	// TotalElectors.
	Electors int `json:"electors,omitempty"`
	// Counts holds one count per unit (Count.Unit is the unit's ID).
	Counts []Count `json:"counts"`
	// Pending lists units whose results are not certified: shown, not counted.
	Pending []string `json:"pending,omitempty"`
	// Uncalled lists units that no one has won yet for another reason (a court case, a
	// tie to be broken by lot): shown, not counted. A unit whose two leaders are tied is
	// uncalled without being listed.
	Uncalled []string `json:"uncalled,omitempty"`
	// Faithless lists the faithless electors.
	Faithless []Faithless `json:"faithless,omitempty"`
}

// ErrBadInput is wrapped by every error about an Election's contents (a unit without results,
// an apportionment that does not sum, an unknown unit in a what-if).
var ErrBadInput = errors.New("electoral: bad input")

func badf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadInput}, args...)...)
}

// electors returns the whole number of electors.
func (e *Election) electors() int {
	if e.Electors == 0 {
		return TotalElectors
	}
	return e.Electors
}

// unitIndex returns the index of each unit by ID (upper-case).
func (e *Election) unitIndex() map[string]int {
	m := make(map[string]int, len(e.Units))
	for i, u := range e.Units {
		m[strings.ToUpper(u.ID)] = i
	}
	return m
}

// maxCount bounds every count, far above any electorate, so that sums over units and the
// 128-bit products of margins stay exact.
const maxCount = 1 << 40

// Validate checks the apportionment and the counts: unit IDs unique; each state's units
// consistent (a statewide unit has at least 3 electors, as every state and DC have; an
// at-large unit exactly 2, the senators' electors, with at least one district; a district
// exactly 1); the electors summing to the whole number; one count per unit with non-negative
// votes that sum to its total; faithless electors and marks naming known units. Each error
// names the unit.
func (e *Election) Validate() error {
	if n := e.electors(); n < 1 || n > MaxElectors {
		return badf("%d electors in all: not between 1 and %d", n, MaxElectors)
	}
	idx := map[string]int{}
	type stateInfo struct {
		statewide, atLarge, districts, electors int
		name                                    string
	}
	states := map[string]*stateInfo{}
	var order []string
	sum := 0
	for i, u := range e.Units {
		id := strings.ToUpper(u.ID)
		if id == "" {
			return badf("unit %d (%s): no ID", i+1, u.Name)
		}
		if _, dup := idx[id]; dup {
			return badf("unit %s appears twice in the apportionment", u.ID)
		}
		idx[id] = i
		s := states[u.State]
		if s == nil {
			s = &stateInfo{name: u.Name}
			states[u.State] = s
			order = append(order, u.State)
		}
		switch {
		case u.District > 0:
			s.districts++
			if u.Electors != 1 {
				return badf("unit %s: a congressional district chooses 1 elector, not %d", u.ID, u.Electors)
			}
		case u.AtLarge:
			s.atLarge++
			if u.Electors != 2 {
				return badf("unit %s: a state's at-large electors are 2 (its senators'), not %d", u.ID, u.Electors)
			}
		default:
			s.statewide++
			if u.Electors < 3 {
				return badf("unit %s: %d electors; every state and DC have at least 3", u.ID, u.Electors)
			}
		}
		if u.Electors > MaxElectors {
			return badf("unit %s: %d electors", u.ID, u.Electors)
		}
		s.electors += u.Electors
		sum += u.Electors
	}
	for _, st := range order {
		s := states[st]
		switch {
		case s.statewide > 1 || s.atLarge > 1:
			return badf("state %s (%s): more than one statewide unit", st, s.name)
		case s.statewide == 1 && (s.atLarge > 0 || s.districts > 0):
			return badf("state %s (%s): a statewide unit and district units; write the statewide one as at-large", st, s.name)
		case s.atLarge == 1 && s.districts == 0:
			return badf("state %s (%s): at-large electors but no district units", st, s.name)
		case s.districts > 0 && s.atLarge == 0:
			return badf("state %s (%s): district units but no at-large unit", st, s.name)
		}
	}
	if want := e.electors(); sum != want {
		return badf("the apportionment's %d units sum to %d electors, not %d (%+d)", len(e.Units), sum, want, sum-want)
	}
	seen := make([]bool, len(e.Units))
	for _, c := range e.Counts {
		i, ok := idx[strings.ToUpper(c.Unit)]
		if !ok {
			return badf("results for unit %q, which is not in the apportionment", c.Unit)
		}
		if seen[i] {
			return badf("unit %s: two sets of results", e.Units[i].ID)
		}
		seen[i] = true
		if err := c.check(); err != nil {
			return badf("unit %s: %v", e.Units[i].ID, err)
		}
	}
	for i, u := range e.Units {
		if !seen[i] {
			what := "statewide"
			if u.District > 0 {
				what = "district"
			}
			return badf("unit %s (%s): no %s results", u.ID, u.Name, what)
		}
	}
	for _, l := range [][]string{e.Pending, e.Uncalled} {
		for _, id := range l {
			if _, ok := idx[strings.ToUpper(id)]; !ok {
				return badf("unit %q is not in the apportionment", id)
			}
		}
	}
	nf := map[int]int{}
	for _, f := range e.Faithless {
		i, ok := idx[strings.ToUpper(f.Unit)]
		if !ok {
			return badf("faithless elector of unit %q, which is not in the apportionment", f.Unit)
		}
		nf[i]++
		if nf[i] > e.Units[i].Electors {
			return badf("unit %s: %d faithless electors of %d", e.Units[i].ID, nf[i], e.Units[i].Electors)
		}
	}
	return nil
}

// check verifies a count's invariants.
func (c *Count) check() error {
	names := map[string]bool{}
	sum := c.Other
	if c.Other < 0 || c.Other > maxCount || c.Blank < 0 || c.Blank > maxCount {
		return fmt.Errorf("negative or impossible count")
	}
	for _, v := range c.Votes {
		k := canvass.NameKey(v.Candidate)
		if k == "" {
			return fmt.Errorf("a candidate without a name")
		}
		if names[k] {
			return fmt.Errorf("candidate %q listed twice", v.Candidate)
		}
		names[k] = true
		if v.Votes < 0 || v.Votes > maxCount {
			return fmt.Errorf("candidate %q: %d votes", v.Candidate, v.Votes)
		}
		sum += v.Votes
	}
	if sum != c.Total {
		return fmt.Errorf("the votes sum to %d, not the total %d", sum, c.Total)
	}
	return nil
}

// Clone returns a deep copy of e.
func (e *Election) Clone() *Election {
	c := *e
	c.Units = append([]Unit(nil), e.Units...)
	c.Counts = make([]Count, len(e.Counts))
	for i, n := range e.Counts {
		n.Votes = append([]Vote(nil), n.Votes...)
		c.Counts[i] = n
	}
	c.Pending = append([]string(nil), e.Pending...)
	c.Uncalled = append([]string(nil), e.Uncalled...)
	c.Faithless = append([]Faithless(nil), e.Faithless...)
	return &c
}

// ranked returns the count's votes ordered by votes, most first, ties by name, so that the
// leader and runner-up are well defined.
func ranked(c Count) []Vote {
	vs := append([]Vote(nil), c.Votes...)
	sort.SliceStable(vs, func(i, j int) bool {
		if vs[i].Votes != vs[j].Votes {
			return vs[i].Votes > vs[j].Votes
		}
		return canvass.NameKey(vs[i].Candidate) < canvass.NameKey(vs[j].Candidate)
	})
	return vs
}
