// Package tabulate counts votes: vote-for-N plurality, approval and supermajority contests, from
// cast vote records (one ballot at a time, in constant memory per reporting unit) or from
// reported results (counts per unit). It does no I/O and keeps no global state.
//
// The counting rules, per ballot and contest, are those of the voting-system standard (VVSG 2.0
// §1.1.7 "tabulation", and the vendors' statements of votes cast):
//   - a mark counts when its source does not say otherwise (canvass.NotCounted);
//   - a contest with more counted marks than it allows (VoteFor), or that the source reports
//     overvoted, is an overvote: none of its marks count and VoteFor votes are recorded as
//     overvotes;
//   - otherwise each distinct marked choice gets one vote and the unused votes, VoteFor minus the
//     marks, are undervotes; a contest with no mark at all is also counted as blank.
//
// So for every contest, ballots × VoteFor = votes + undervotes + overvotes; the tests check it.
// Winners are never chosen by chance: a tie for the last seat is reported as a tie.
package tabulate

import (
	"cmp"
	"fmt"
	"slices"

	canvass "github.com/canvass-vote/canvass"
)

// ChoiceVotes is one line of a result table.
type ChoiceVotes struct {
	Name    string `json:"name"`
	Party   string `json:"party,omitempty"`
	WriteIn bool   `json:"write_in,omitempty"`
	Votes   int64  `json:"votes"`
}

// UnitResult is a contest's result in one reporting unit.
type UnitResult struct {
	Unit       string        `json:"unit"`
	Ballots    int64         `json:"ballots"`
	Undervotes int64         `json:"undervotes"`
	Overvotes  int64         `json:"overvotes"`
	Choices    []ChoiceVotes `json:"choices"`
}

// ContestResult is the result of one contest: totals, winners and, when asked for, units.
type ContestResult struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Source says what was counted: "cvr" (cast vote records) or "results" (reported counts).
	Source  string `json:"source,omitempty"`
	Seats   int    `json:"seats"`
	VoteFor int    `json:"vote_for"`
	// Threshold is the fraction needed to pass, for supermajority contests.
	Threshold *canvass.Threshold `json:"threshold,omitempty"`
	// Ballots counts the ballots on which the contest appears (for results files: the ballots
	// the file reports for the units that report the contest, when it reports them).
	Ballots    int64 `json:"ballots"`
	Undervotes int64 `json:"undervotes"`
	Overvotes  int64 `json:"overvotes"`
	// Blank counts ballots with no mark at all in the contest (they are also undervotes).
	Blank int64 `json:"blank"`
	// WriteIns is the sum of the votes of write-in choices.
	WriteIns int64 `json:"write_ins"`
	// Choices in descending order of votes (ties in definition order).
	Choices []ChoiceVotes `json:"choices"`
	// Winners are the choices certain to win a seat. When the last seats are tied, Winners holds
	// only those certain, and Tied holds the choices tied for the remaining seats.
	Winners []string `json:"winners"`
	Tied    []string `json:"tied,omitempty"`
	// Note explains anything a reader of the result must know (a tie, write-ins that could
	// change the outcome, a ranked contest counted by first choices).
	Note  string       `json:"note,omitempty"`
	Units []UnitResult `json:"units,omitempty"`
}

// Result is the result of every contest tabulated.
type Result struct {
	Contests []ContestResult `json:"contests"`
}

// counts is the running tally of one contest in one unit.
type counts struct {
	ballots, under, over, blank int64
	votes                       []int64
}

func newCounts(el *canvass.Election) []counts {
	cs := make([]counts, len(el.Contests))
	for i, c := range el.Contests {
		cs[i].votes = make([]int64, len(c.Choices))
	}
	return cs
}

func (c *counts) add(o *counts) {
	c.ballots += o.ballots
	c.under += o.under
	c.over += o.over
	c.blank += o.blank
	for i, v := range o.votes {
		c.votes[i] += v
	}
}

// Tally counts ballots. Create it with New, feed it with Add, read it with Result.
type Tally struct {
	el       *canvass.Election
	total    []counts
	units    map[string]int
	unitName []string
	byUnit   [][]counts
	// seen is scratch space for de-duplicating a ballot's marks per choice.
	seen []uint32
	gen  uint32
}

// New returns an empty tally for the contests of el.
func New(el *canvass.Election) *Tally {
	maxChoices := 0
	for _, c := range el.Contests {
		maxChoices = max(maxChoices, len(c.Choices))
	}
	return &Tally{el: el, total: newCounts(el), units: map[string]int{}, seen: make([]uint32, maxChoices)}
}

// Add counts one ballot. unit names the reporting unit the ballot belongs to for the per-unit
// tables ("" when none are wanted). Marks that refer to contests or choices outside the
// election are a programming error of the reader and are ignored.
func (t *Tally) Add(b *canvass.Ballot, unit string) {
	var uc []counts
	if unit != "" {
		i, ok := t.units[unit]
		if !ok {
			i = len(t.unitName)
			t.units[unit] = i
			t.unitName = append(t.unitName, unit)
			t.byUnit = append(t.byUnit, newCounts(t.el))
		}
		uc = t.byUnit[i]
	}
	for k := range b.Contests {
		cm := &b.Contests[k]
		ci := int(cm.Contest)
		if ci < 0 || ci >= len(t.el.Contests) {
			continue
		}
		t.addContest(&t.total[ci], t.el.Contests[ci], cm)
		if uc != nil {
			t.addContest(&uc[ci], t.el.Contests[ci], cm)
		}
	}
}

// addContest applies the counting rules of the package comment to one contest of one ballot.
func (t *Tally) addContest(c *counts, contest *canvass.Contest, cm *canvass.ContestMarks) {
	c.ballots++
	voteFor := int64(contest.VoteFor)
	ranked := contest.Type.Ranked()
	if ranked {
		// A ranked contest is counted here by first choices only (round one of the count).
		voteFor = 1
	}
	// Distinct counted choices, using a generation counter instead of clearing seen.
	t.gen++
	if t.gen == 0 {
		clear(t.seen)
		t.gen = 1
	}
	var n int64
	for _, m := range cm.Marks {
		if m.Flags&canvass.NotCounted != 0 || m.Choice < 0 || int(m.Choice) >= len(c.votes) {
			continue
		}
		if ranked && m.Rank != 1 {
			continue
		}
		if t.seen[m.Choice] != t.gen {
			t.seen[m.Choice] = t.gen
			n++
		}
	}
	switch {
	case cm.Overvoted || n > voteFor:
		c.over += voteFor
	default:
		if n == 0 {
			c.blank++
		}
		c.under += voteFor - n
		for _, m := range cm.Marks {
			if m.Choice >= 0 && int(m.Choice) < len(c.votes) && t.seen[m.Choice] == t.gen {
				c.votes[m.Choice]++
				t.seen[m.Choice] = 0 // count each choice once
			}
		}
	}
}

// Merge adds the counts of o, a tally of the same election, into t.
func (t *Tally) Merge(o *Tally) {
	for i := range t.total {
		t.total[i].add(&o.total[i])
	}
	for j, name := range o.unitName {
		i, ok := t.units[name]
		if !ok {
			i = len(t.unitName)
			t.units[name] = i
			t.unitName = append(t.unitName, name)
			t.byUnit = append(t.byUnit, newCounts(t.el))
		}
		for k := range t.byUnit[i] {
			t.byUnit[i][k].add(&o.byUnit[j][k])
		}
	}
}

// Result returns the tables of every contest, with units in the order first seen.
func (t *Tally) Result() *Result {
	res := &Result{}
	for ci, contest := range t.el.Contests {
		cr := contestResult(contest, &t.total[ci])
		for ui, name := range t.unitName {
			uc := &t.byUnit[ui][ci]
			if uc.ballots == 0 {
				continue
			}
			cr.Units = append(cr.Units, UnitResult{
				Unit: name, Ballots: uc.ballots, Undervotes: uc.under, Overvotes: uc.over,
				Choices: choiceTable(contest, uc.votes),
			})
		}
		res.Contests = append(res.Contests, cr)
	}
	return res
}

// choiceTable lists a contest's choices with their votes, most votes first, ties in the order
// of the definition.
func choiceTable(contest *canvass.Contest, votes []int64) []ChoiceVotes {
	out := make([]ChoiceVotes, len(contest.Choices))
	for i, ch := range contest.Choices {
		out[i] = ChoiceVotes{Name: ch.Name, Party: ch.Party, WriteIn: ch.WriteIn, Votes: votes[i]}
	}
	slices.SortStableFunc(out, func(a, b ChoiceVotes) int { return cmp.Compare(b.Votes, a.Votes) })
	return out
}

func contestResult(contest *canvass.Contest, c *counts) ContestResult {
	cr := ContestResult{
		Name: contest.Name, Type: string(contest.Type), Seats: contest.Seats, VoteFor: contest.VoteFor,
		Ballots: c.ballots, Undervotes: c.under, Overvotes: c.over, Blank: c.blank,
		Choices: choiceTable(contest, c.votes),
	}
	for _, ch := range cr.Choices {
		if ch.WriteIn {
			cr.WriteIns += ch.Votes
		}
	}
	switch contest.Type {
	case canvass.Supermajority:
		th := contest.Threshold
		cr.Threshold = &th
		decideSupermajority(&cr, contest, c.votes)
	case canvass.IRV, canvass.STV:
		cr.Note = "ranked contest: the table shows first choices only (round one); the ranked count is not done here"
	default:
		decidePlurality(&cr)
	}
	return cr
}

// decidePlurality picks the Seats choices with the most votes. Write-in lines are not eligible
// (they aggregate unresolved names), but a note says when they could change the outcome. A tie
// for the last seat is reported in Tied, never broken.
func decidePlurality(cr *ContestResult) {
	var eligible []ChoiceVotes
	var writeIns int64
	for _, ch := range cr.Choices {
		if ch.WriteIn {
			writeIns += ch.Votes
			continue
		}
		eligible = append(eligible, ch)
	}
	seats := cr.Seats
	if seats > len(eligible) {
		seats = len(eligible)
	}
	if seats == 0 || eligible[0].Votes == 0 {
		return
	}
	cut := eligible[seats-1].Votes
	if cut == 0 {
		cr.Note = "no votes for enough choices to fill the seats"
	}
	var above, at []string
	for _, ch := range eligible {
		switch {
		case ch.Votes > cut:
			above = append(above, ch.Name)
		case ch.Votes == cut:
			at = append(at, ch.Name)
		}
	}
	if len(above)+len(at) == seats {
		cr.Winners = append(above, at...)
	} else {
		cr.Winners = above
		cr.Tied = at
		cr.Note = fmt.Sprintf("tie: %d choices with %d votes for %d remaining seat(s); the law's tie-break procedure decides", len(at), cut, seats-len(above))
	}
	if writeIns > 0 && len(eligible) > seats {
		// Could the write-in votes, if they all went to one name, reach the last winner?
		if writeIns >= cut {
			cr.Note = join(cr.Note, fmt.Sprintf("write-in votes (%d) are at least the last winner's votes (%d): resolve write-ins before certifying", writeIns, cut))
		}
	}
}

// decideSupermajority: the first choice (the "Yes" of a measure) wins when its votes are at least
// Threshold of the votes cast in the contest: yes × Den ≥ Num × (yes + no + ...). Integer
// arithmetic, no rounding.
func decideSupermajority(cr *ContestResult, contest *canvass.Contest, votes []int64) {
	if len(contest.Choices) < 2 || contest.Threshold.Den <= 0 {
		cr.Note = "supermajority contest needs two choices and a threshold"
		return
	}
	var total int64
	for _, v := range votes {
		total += v
	}
	if total == 0 {
		return
	}
	yes := votes[0]
	if yes*contest.Threshold.Den >= contest.Threshold.Num*total {
		cr.Winners = []string{contest.Choices[0].Name}
	} else {
		cr.Winners = []string{contest.Choices[1].Name}
	}
	cr.Note = fmt.Sprintf("%s needs %d/%d of %d votes: %d", contest.Choices[0].Name, contest.Threshold.Num, contest.Threshold.Den, total, yes)
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
