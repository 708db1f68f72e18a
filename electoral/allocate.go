package electoral

import (
	"fmt"
	"sort"
	"strings"

	canvass "github.com/canvass-vote/canvass"
)

// Status is a unit's standing in an Allocation.
type Status string

// Unit statuses.
const (
	// Called: the unit's results are certified and one candidate leads; its electors count.
	Called Status = "called"
	// Pending: the results are not certified (Election.Pending); shown, not counted.
	Pending Status = "pending"
	// Uncalled: no winner, because the two leaders are tied, no one has a vote, or the unit
	// is listed in Election.Uncalled; shown, not counted.
	Uncalled Status = "uncalled"
)

// Award is electoral votes given to a candidate by a unit.
type Award struct {
	Candidate string `json:"candidate"`
	Electors  int    `json:"electors"`
}

// UnitResult is one unit's result in an Allocation.
type UnitResult struct {
	Unit
	Status Status `json:"status"`
	// Leader and RunnerUp are the two candidates with the most votes (ties by name);
	// RunnerUp is empty when the count names one candidate.
	Leader        string `json:"leader"`
	LeaderVotes   int64  `json:"leader_votes"`
	RunnerUp      string `json:"runner_up,omitempty"`
	RunnerUpVotes int64  `json:"runner_up_votes"`
	// Votes are the candidates' votes, most first (ties by name).
	Votes []Vote `json:"votes"`
	// Total is every vote for the office in the unit.
	Total int64 `json:"total"`
	// Margin is LeaderVotes − RunnerUpVotes.
	Margin int64 `json:"margin"`
	// Winner is the Leader of a called unit, empty otherwise.
	Winner string `json:"winner,omitempty"`
	// Awarded is who the unit's electors voted for (a called unit only): the winner's share,
	// then each faithless elector's choice.
	Awarded []Award `json:"awarded,omitempty"`
	// Faithless lists the unit's faithless electors.
	Faithless []Faithless `json:"faithless,omitempty"`
	// ToSwitch is the fewest votes that, moved from the leader to the runner-up, make the
	// runner-up win outright: floor(Margin/2)+1. ToAdd is the fewest new votes for the
	// runner-up that do: Margin+1. Moving Margin/2 votes, or adding Margin, only ties the
	// unit, which leaves it uncalled. Both are 0 when there is no runner-up.
	ToSwitch int64 `json:"to_switch"`
	ToAdd    int64 `json:"to_add"`
	// Recount is whether the margin was within the state's recount thresholds.
	Recount Reach `json:"recount"`
}

// Total is a candidate's national result.
type Total struct {
	Candidate string `json:"candidate"`
	// Electors is the electoral votes from counted units (faithless electors' votes included
	// with the person they voted for).
	Electors int `json:"electors"`
	// Won lists the called units the candidate won.
	Won []string `json:"won,omitempty"`
	// Popular is the candidate's popular vote over the statewide and at-large units (district
	// units are parts of their state and are not added again).
	Popular int64 `json:"popular"`
}

// Outcome kinds.
const (
	// Majority: a candidate has a majority of the whole number of electors.
	Majority = "majority"
	// Tie: every unit counted, no majority, and the two leaders have equal electoral votes.
	Tie = "tie"
	// NoMajority: every unit counted, no majority, no tie between the leaders.
	NoMajority = "no majority"
	// Undecided: no majority yet, with pending or uncalled units left.
	Undecided = "undecided"
)

// Contingent is the Twelfth Amendment's contingent election, held when no candidate has a
// majority of the electors: the House of Representatives chooses the President from the
// candidates with the most electoral votes, at most three, each state's delegation casting one
// vote, a majority of the states needed; the Senate chooses the Vice President from the two
// vice-presidential candidates with the most electoral votes, a majority of the whole number of
// senators needed.
type Contingent struct {
	// Candidates are the (at most three) the House chooses among.
	Candidates []string `json:"candidates"`
	// Delegations is the number of states (DC has no delegation); DelegationsNeeded a
	// majority of them.
	Delegations       int `json:"delegations"`
	DelegationsNeeded int `json:"delegations_needed"`
	// Senators is twice the number of states; SenatorsNeeded a majority of them.
	Senators       int `json:"senators"`
	SenatorsNeeded int `json:"senators_needed"`
}

// Outcome is the national result.
type Outcome struct {
	Kind string `json:"kind"`
	// Winner is the candidate with a majority (Kind Majority).
	Winner string `json:"winner,omitempty"`
	// Contingent is set when the outcome goes to the House (Kind Tie or NoMajority).
	Contingent *Contingent `json:"contingent,omitempty"`
	// Statement says it in words.
	Statement string `json:"statement"`
}

// Allocation is the electoral vote of an Election.
type Allocation struct {
	Units []UnitResult `json:"units"`
	// Totals lists every candidate with electoral or popular votes: most electoral votes
	// first, then most popular votes.
	Totals []Total `json:"totals"`
	// Electors is the whole number appointed; Needed a majority of it: Electors/2+1.
	Electors int `json:"electors"`
	Needed   int `json:"needed"`
	// Counted, Pending and Uncalled are the electors of the units so marked.
	Counted  int `json:"counted"`
	Pending  int `json:"pending"`
	Uncalled int `json:"uncalled"`
	// Popular is every vote for the office over the statewide and at-large units.
	Popular int64   `json:"popular"`
	Outcome Outcome `json:"outcome"`
}

// Allocate validates e and allocates its electors: each unit goes to its leader when it is
// called; a called unit's faithless electors vote for whom they voted for, the rest for the
// winner. The outcome is a majority of the whole number of electors (Twelfth Amendment), else a
// tie or no majority (a contingent election), else undecided while units are pending or
// uncalled.
func Allocate(e *Election) (*Allocation, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	idx := e.unitIndex()
	counts := make([]Count, len(e.Units))
	for _, c := range e.Counts {
		counts[idx[strings.ToUpper(c.Unit)]] = c
	}
	pending := marked(idx, e.Pending)
	uncalled := marked(idx, e.Uncalled)
	// A faithless elector's choice is written as a candidate's name when it matches one
	// (MatchCandidate: "Biden" is "Joe Biden").
	var known []Vote
	seen := map[string]bool{}
	for _, c := range e.Counts {
		for _, v := range c.Votes {
			if k := canvass.NameKey(v.Candidate); !seen[k] {
				seen[k] = true
				known = append(known, v)
			}
		}
	}
	faithless := map[int][]Faithless{}
	for _, f := range e.Faithless {
		i := idx[strings.ToUpper(f.Unit)]
		f.Unit = e.Units[i].ID
		if j := MatchCandidate(known, f.VotedFor); f.VotedFor != "" && j >= 0 {
			f.VotedFor = known[j].Candidate
		}
		faithless[i] = append(faithless[i], f)
	}

	a := &Allocation{Electors: e.electors()}
	a.Needed = a.Electors/2 + 1
	tot := newTotals()
	for i, u := range e.Units {
		c := counts[i]
		r := UnitResult{Unit: u, Total: c.Total, Faithless: faithless[i]}
		vs := ranked(c)
		// One spelling per candidate (the first seen), so that the results compare names
		// with ==.
		for j := range vs {
			vs[j].Candidate = tot.get(vs[j].Candidate).Candidate
		}
		for j := range r.Faithless {
			if r.Faithless[j].VotedFor != "" {
				r.Faithless[j].VotedFor = tot.get(r.Faithless[j].VotedFor).Candidate
			}
		}
		r.Votes = vs
		if len(vs) > 0 {
			r.Leader, r.LeaderVotes = vs[0].Candidate, vs[0].Votes
		}
		if len(vs) > 1 {
			r.RunnerUp, r.RunnerUpVotes = vs[1].Candidate, vs[1].Votes
			r.Margin = r.LeaderVotes - r.RunnerUpVotes
			r.ToSwitch = r.Margin/2 + 1
			r.ToAdd = r.Margin + 1
			r.Recount = reach(u, r.Margin, r.LeaderVotes+r.RunnerUpVotes, c.Total)
		} else {
			r.Margin = r.LeaderVotes
			r.Recount = reach(u, -1, 0, 0)
		}
		switch {
		case pending[i]:
			r.Status = Pending
			a.Pending += u.Electors
		case uncalled[i] || r.LeaderVotes == 0 || r.RunnerUp != "" && r.Margin == 0:
			r.Status = Uncalled
			a.Uncalled += u.Electors
		default:
			r.Status = Called
			r.Winner = r.Leader
			a.Counted += u.Electors
			r.Awarded = award(r.Winner, u.Electors, r.Faithless)
			for _, aw := range r.Awarded {
				tot.get(aw.Candidate).Electors += aw.Electors
			}
			w := tot.get(r.Winner)
			w.Won = append(w.Won, u.ID)
		}
		if u.District == 0 {
			for _, v := range c.Votes {
				tot.get(v.Candidate).Popular += v.Votes
			}
			a.Popular += c.Total
		}
		a.Units = append(a.Units, r)
	}
	a.Totals = tot.sorted()
	a.Outcome = outcome(a, e.Units)
	return a, nil
}

// marked returns the unit indices listed in ids.
func marked(idx map[string]int, ids []string) map[int]bool {
	m := map[int]bool{}
	for _, id := range ids {
		m[idx[strings.ToUpper(id)]] = true
	}
	return m
}

// award gives a called unit's electors (names spelled one way, as Allocate makes them): each faithless elector's vote to whom it names (none
// when empty), the rest to the winner; the winner first, then the others in order of votes.
func award(winner string, electors int, fs []Faithless) []Award {
	out := []Award{{Candidate: winner, Electors: electors - len(fs)}}
	for _, f := range fs {
		if f.VotedFor == "" {
			continue
		}
		found := false
		for j := range out {
			if out[j].Candidate == f.VotedFor {
				out[j].Electors++
				found = true
				break
			}
		}
		if !found {
			out = append(out, Award{Candidate: f.VotedFor, Electors: 1})
		}
	}
	if out[0].Electors == 0 {
		out = out[1:]
	}
	return out
}

// totals gathers candidates' national results by canvass.NameKey, keeping the first spelling.
type totals struct {
	by    map[string]*Total
	order []*Total
}

func newTotals() *totals { return &totals{by: map[string]*Total{}} }

func (t *totals) get(name string) *Total {
	k := canvass.NameKey(name)
	if x, ok := t.by[k]; ok {
		return x
	}
	x := &Total{Candidate: name}
	t.by[k] = x
	t.order = append(t.order, x)
	return x
}

// sorted returns the candidates with electoral or popular votes, most electoral votes first,
// then most popular votes, then by name.
func (t *totals) sorted() []Total {
	var out []Total
	for _, x := range t.order {
		if x.Electors > 0 || x.Popular > 0 {
			out = append(out, *x)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return totalLess(out[i], out[j]) })
	return out
}

func totalLess(a, b Total) bool {
	if a.Electors != b.Electors {
		return a.Electors > b.Electors
	}
	if a.Popular != b.Popular {
		return a.Popular > b.Popular
	}
	return canvass.NameKey(a.Candidate) < canvass.NameKey(b.Candidate)
}

// outcome decides the national result from the totals.
func outcome(a *Allocation, units []Unit) Outcome {
	t := a.Totals
	elec := func(i int) int {
		if i < len(t) {
			return t[i].Electors
		}
		return 0
	}
	if len(t) > 0 && t[0].Electors >= a.Needed {
		return Outcome{Kind: Majority, Winner: t[0].Candidate, Statement: fmt.Sprintf(
			"%s has %d of the %d electoral votes, a majority (%d needed).", t[0].Candidate, t[0].Electors, a.Electors, a.Needed)}
	}
	if open := a.Pending + a.Uncalled; open > 0 {
		s := fmt.Sprintf("No candidate has %d electoral votes yet", a.Needed)
		if len(t) > 0 {
			s = fmt.Sprintf("No candidate has %d electoral votes yet (%s leads with %d)", a.Needed, t[0].Candidate, t[0].Electors)
		}
		return Outcome{Kind: Undecided, Statement: fmt.Sprintf("%s; %d are pending and %d uncalled.", s, a.Pending, a.Uncalled)}
	}
	o := Outcome{Kind: NoMajority, Contingent: contingent(t, units)}
	c := o.Contingent
	house := fmt.Sprintf("Under the Twelfth Amendment the House of Representatives chooses the President from the "+
		"candidates with the most electoral votes, at most three (%s), each state's delegation casting one vote: "+
		"%d of the %d states are needed. The Senate chooses the Vice President from the two vice-presidential "+
		"candidates with the most electoral votes: %d of the %d senators are needed.",
		strings.Join(c.Candidates, ", "), c.DelegationsNeeded, c.Delegations, c.SenatorsNeeded, c.Senators)
	if len(t) > 1 && elec(0) == elec(1) {
		o.Kind = Tie
		o.Statement = fmt.Sprintf("%d–%d: %s and %s are tied and no candidate has a majority of the %d electors (%d needed). %s",
			elec(0), elec(1), t[0].Candidate, t[1].Candidate, a.Electors, a.Needed, house)
		return o
	}
	o.Statement = fmt.Sprintf("No candidate has a majority of the %d electors (%d needed). %s", a.Electors, a.Needed, house)
	return o
}

// contingent describes the House's contingent election: the (at most) three candidates with
// the most electoral votes, and majorities of the states and of the senators.
func contingent(t []Total, units []Unit) *Contingent {
	c := &Contingent{}
	for i := 0; i < len(t) && i < 3 && t[i].Electors > 0; i++ {
		c.Candidates = append(c.Candidates, t[i].Candidate)
	}
	states := map[string]bool{}
	for _, u := range units {
		if strings.ToUpper(u.State) != DC {
			states[strings.ToUpper(u.State)] = true
		}
	}
	c.Delegations = len(states)
	c.DelegationsNeeded = c.Delegations/2 + 1
	c.Senators = 2 * c.Delegations
	c.SenatorsNeeded = c.Senators/2 + 1
	return c
}

// Find returns the result of the unit with ID id (any case).
func (a *Allocation) Find(id string) (*UnitResult, bool) {
	for i := range a.Units {
		if strings.EqualFold(a.Units[i].ID, id) {
			return &a.Units[i], true
		}
	}
	return nil, false
}

// ElectorsOf returns the candidate's electoral votes (0 for a candidate without any).
func (a *Allocation) ElectorsOf(candidate string) int {
	for _, t := range a.Totals {
		if canvass.NameKey(t.Candidate) == canvass.NameKey(candidate) {
			return t.Electors
		}
	}
	return 0
}
