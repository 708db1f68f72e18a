package electoral

import (
	"fmt"
	"strconv"
	"strings"

	canvass "github.com/canvass-vote/canvass"
)

// VoteChange sets a candidate's votes in a unit.
type VoteChange struct {
	Unit      string `json:"unit"`
	Candidate string `json:"candidate"`
	Votes     int64  `json:"votes"`
}

// Scenario is a what-if: changes applied to an Election, in this order: Votes, then Flip, then
// the marks (Pending, Uncalled, Faithless, which add to the Election's own).
type Scenario struct {
	// Votes sets candidates' votes; the unit's total changes by the difference. The candidate
	// is matched as in MatchCandidate.
	Votes []VoteChange `json:"votes,omitempty"`
	// Flip lists units to give to their runner-up: the leader's and the runner-up's votes are
	// exchanged, so the runner-up wins by the same margin. A state's districts are units of
	// their own: flipping "ME" flips Maine's at-large electors only.
	Flip []string `json:"flip,omitempty"`
	// Pending, Uncalled and Faithless mark units as Election's fields do.
	Pending   []string    `json:"pending,omitempty"`
	Uncalled  []string    `json:"uncalled,omitempty"`
	Faithless []Faithless `json:"faithless,omitempty"`
}

// Empty reports whether s changes nothing.
func (s Scenario) Empty() bool {
	return len(s.Votes) == 0 && len(s.Flip) == 0 && len(s.Pending) == 0 && len(s.Uncalled) == 0 && len(s.Faithless) == 0
}

// MatchCandidate returns the index in vs of the candidate called name: the one whose name is
// name (canvass.NameKey: case and spacing ignored), else the only one whose last word is
// name's ("Trump" for "Donald Trump"); -1 when none or more than one matches.
func MatchCandidate(vs []Vote, name string) int {
	k := canvass.NameKey(name)
	for i, v := range vs {
		if canvass.NameKey(v.Candidate) == k {
			return i
		}
	}
	found := -1
	for i, v := range vs {
		f := strings.Fields(canvass.NameKey(v.Candidate))
		if len(f) > 0 && f[len(f)-1] == k {
			if found >= 0 {
				return -1
			}
			found = i
		}
	}
	return found
}

// Apply returns a copy of e with s applied. An unknown unit or candidate, a negative count,
// or a flip of a unit without a runner-up or whose leaders are tied is an error naming the
// unit.
func (e *Election) Apply(s Scenario) (*Election, error) {
	out := e.Clone()
	idx := map[string]int{}
	for i, c := range out.Counts {
		idx[strings.ToUpper(c.Unit)] = i
	}
	units := out.unitIndex()
	count := func(id string) (*Count, error) {
		if _, ok := units[strings.ToUpper(id)]; !ok {
			return nil, badf("unit %q is not in the apportionment", id)
		}
		i, ok := idx[strings.ToUpper(id)]
		if !ok {
			return nil, badf("unit %s: no results", id)
		}
		return &out.Counts[i], nil
	}
	for _, v := range s.Votes {
		c, err := count(v.Unit)
		if err != nil {
			return nil, err
		}
		if v.Votes < 0 || v.Votes > maxCount {
			return nil, badf("unit %s: %d votes for %s", v.Unit, v.Votes, v.Candidate)
		}
		j := MatchCandidate(c.Votes, v.Candidate)
		if j < 0 {
			names := make([]string, len(c.Votes))
			for i, x := range c.Votes {
				names[i] = x.Candidate
			}
			return nil, badf("unit %s has no candidate %q (it has %s)", v.Unit, v.Candidate, strings.Join(names, ", "))
		}
		c.Total += v.Votes - c.Votes[j].Votes
		c.Votes[j].Votes = v.Votes
	}
	for _, id := range s.Flip {
		c, err := count(id)
		if err != nil {
			return nil, err
		}
		vs := ranked(*c)
		if len(vs) < 2 || vs[0].Votes == vs[1].Votes {
			return nil, badf("unit %s: no runner-up to flip to (the two leaders are tied or there is one candidate); change its votes instead", id)
		}
		i, j := MatchCandidate(c.Votes, vs[0].Candidate), MatchCandidate(c.Votes, vs[1].Candidate)
		c.Votes[i].Votes, c.Votes[j].Votes = c.Votes[j].Votes, c.Votes[i].Votes
	}
	out.Pending = append(out.Pending, s.Pending...)
	out.Uncalled = append(out.Uncalled, s.Uncalled...)
	out.Faithless = append(out.Faithless, s.Faithless...)
	return out, nil
}

// ParseVoteChange parses "UNIT:CANDIDATE=VOTES" ("WI:Trump=1640000"), the form of the CLI's
// --votes flag.
func ParseVoteChange(s string) (VoteChange, error) {
	unit, rest, ok := strings.Cut(s, ":")
	if !ok {
		return VoteChange{}, fmt.Errorf("%q: write UNIT:CANDIDATE=VOTES, e.g. WI:Trump=1640000", s)
	}
	cand, n, ok := strings.Cut(rest, "=")
	unit, cand, n = strings.TrimSpace(unit), strings.TrimSpace(cand), strings.TrimSpace(n)
	if !ok || unit == "" || cand == "" {
		return VoteChange{}, fmt.Errorf("%q: write UNIT:CANDIDATE=VOTES, e.g. WI:Trump=1640000", s)
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(n, ",", ""), 10, 64)
	if err != nil || v < 0 || v > maxCount {
		return VoteChange{}, fmt.Errorf("%q: %q is not a count of votes", s, n)
	}
	return VoteChange{Unit: unit, Candidate: cand, Votes: v}, nil
}

// ParseFaithless parses "UNIT:PERSON" (an elector of UNIT who voted for PERSON) or "UNIT:"
// (one who cast no valid vote), the form of the CLI's --faithless flag.
func ParseFaithless(s string) (Faithless, error) {
	unit, who, ok := strings.Cut(s, ":")
	unit = strings.TrimSpace(unit)
	if !ok || unit == "" {
		return Faithless{}, fmt.Errorf("%q: write UNIT:PERSON (or UNIT: for no vote), e.g. \"WA:Colin Powell\"", s)
	}
	return Faithless{Unit: unit, VotedFor: strings.TrimSpace(who)}, nil
}

// UnitChange is a unit whose standing changed: the winner before and after (with faithless
// electors, who each elector voted for: "Joe Biden 11, Colin Powell 1"), or the status
// ("pending", "uncalled") when there is none.
type UnitChange struct {
	Unit     string `json:"unit"`
	Electors int    `json:"electors"`
	Before   string `json:"before"`
	After    string `json:"after"`
	// MarginBefore and MarginAfter are the leader's margins.
	MarginBefore int64 `json:"margin_before"`
	MarginAfter  int64 `json:"margin_after"`
}

// TotalChange is a candidate's electoral votes before and after.
type TotalChange struct {
	Candidate string `json:"candidate"`
	Before    int    `json:"before"`
	After     int    `json:"after"`
}

// Diff is what a what-if changed.
type Diff struct {
	// Changed lists the units that changed hands or status, in apportionment order.
	Changed []UnitChange `json:"changed"`
	// Totals lists every candidate with electoral votes before or after, in the order of
	// the totals after.
	Totals []TotalChange `json:"totals"`
	// Before and After are the outcomes; OutcomeChanged says whether the kind or the winner
	// differs.
	Before         Outcome `json:"before"`
	After          Outcome `json:"after"`
	OutcomeChanged bool    `json:"outcome_changed"`
}

// standing is who holds the unit ("Joe Biden"; with faithless electors, each vote: "Joe
// Biden 11, Colin Powell 1"), or its status.
func standing(r UnitResult) string {
	if r.Status != Called {
		return string(r.Status)
	}
	if len(r.Awarded) == 1 && r.Awarded[0].Electors == r.Electors {
		return r.Winner
	}
	parts := make([]string, len(r.Awarded))
	for i, aw := range r.Awarded {
		parts[i] = fmt.Sprintf("%s %d", aw.Candidate, aw.Electors)
	}
	if len(parts) == 0 {
		return r.Winner + " 0"
	}
	return strings.Join(parts, ", ")
}

// Compare returns the difference between two allocations of the same apportionment.
func Compare(before, after *Allocation) Diff {
	d := Diff{Before: before.Outcome, After: after.Outcome}
	d.OutcomeChanged = before.Outcome.Kind != after.Outcome.Kind ||
		canvass.NameKey(before.Outcome.Winner) != canvass.NameKey(after.Outcome.Winner)
	for _, ra := range after.Units {
		rb, ok := before.Find(ra.ID)
		if !ok {
			continue
		}
		if canvass.NameKey(standing(*rb)) != canvass.NameKey(standing(ra)) {
			d.Changed = append(d.Changed, UnitChange{Unit: ra.ID, Electors: ra.Electors, Before: standing(*rb), After: standing(ra),
				MarginBefore: rb.Margin, MarginAfter: ra.Margin})
		}
	}
	seen := map[string]bool{}
	for _, t := range after.Totals {
		if b := before.ElectorsOf(t.Candidate); t.Electors > 0 || b > 0 {
			d.Totals = append(d.Totals, TotalChange{Candidate: t.Candidate, Before: b, After: t.Electors})
		}
		seen[canvass.NameKey(t.Candidate)] = true
	}
	for _, t := range before.Totals {
		if !seen[canvass.NameKey(t.Candidate)] && t.Electors > 0 {
			d.Totals = append(d.Totals, TotalChange{Candidate: t.Candidate, Before: t.Electors})
		}
	}
	return d
}
