// Package recount compares a canvass with a recount of the same contest: per reporting unit and
// per choice the canvass count, the recount count and the change; the change in the margin
// between each pair of choices, per unit and overall; and whether the outcome changes. It also
// holds a table of state recount rules (Rules, Reach) with the statute each rule comes from.
//
// The package does no I/O: callers read the canvass and the recount with the results package
// (or any other reader) and pass the counts as maps.
package recount

import (
	"errors"
	"fmt"
	"sort"

	canvass "github.com/canvass-vote/canvass"
)

// Counts is the votes per reporting unit and per choice: Counts[unit][choice]. Unit and choice
// names are matched with canvass.NameKey (case, surrounding and repeated space ignored), so
// "MILWAUKEE " and "Milwaukee" are the same unit.
type Counts = map[string]map[string]int64

// ChoiceChange is one choice's canvass count, recount count and the difference.
type ChoiceChange struct {
	Name    string `json:"name"`
	Canvass int64  `json:"canvass"`
	Recount int64  `json:"recount"`
	// Change is Recount - Canvass.
	Change int64 `json:"change"`
}

// PairChange is the margin of choice A over choice B before and after the recount. A is ranked
// above B in the canvass.
type PairChange struct {
	A string `json:"a"`
	B string `json:"b"`
	// Before is A's canvass votes minus B's; After the same from the recount.
	Before int64 `json:"before"`
	After  int64 `json:"after"`
	// Change is After - Before: positive when A gained on B.
	Change int64 `json:"change"`
}

// UnitChange is one reporting unit's comparison.
type UnitChange struct {
	Unit string `json:"unit"`
	// Recounted is false for a unit the recount does not report; its recount counts are then
	// the canvass counts.
	Recounted bool `json:"recounted"`
	// Choices lists every choice of the contest in the order of Report.Totals.
	Choices []ChoiceChange `json:"choices"`
	// MarginChange is the change in the unit of the margin of the last canvass winner over the
	// canvass runner-up (Report.Margin.A over Report.Margin.B); 0 without a runner-up.
	MarginChange int64 `json:"margin_change"`
	// Margins is, for each canvass winner in rank order, its margin over the runner-up in this
	// unit; empty without a runner-up.
	Margins []PairChange `json:"margins,omitempty"`
}

// Report is the comparison of a canvass and a recount of one contest.
type Report struct {
	Contest string `json:"contest"`
	// Winners is the number of seats.
	Winners int          `json:"winners"`
	Units   []UnitChange `json:"units"`
	// Totals is every choice over the units compared, ranked by canvass votes (most first,
	// ties by name).
	Totals []ChoiceChange `json:"totals"`
	// Pairs is the margin of every choice over every choice ranked below it in the canvass,
	// overall: for n choices n(n-1)/2 pairs, in rank order.
	Pairs []PairChange `json:"pairs"`
	// Margin is the margin of the last canvass winner over the canvass runner-up, overall; its
	// A and B are empty when there is no runner-up (no more choices than seats).
	Margin PairChange `json:"margin"`
	// CanvassWinners and RecountWinners are the top Winners choices by each count (a tie at the
	// boundary is listed in name order; see TieBefore, TieAfter).
	CanvassWinners []string `json:"canvass_winners"`
	RecountWinners []string `json:"recount_winners"`
	// OutcomeChanged is true when, by the recount, some canvass loser has more votes than some
	// canvass winner.
	OutcomeChanged bool `json:"outcome_changed"`
	// TieBefore and TieAfter are true when the last winner and the first loser have equal
	// votes in the canvass, or in the recount: the count alone does not decide the outcome.
	TieBefore bool `json:"tie_before"`
	TieAfter  bool `json:"tie_after"`
}

// ErrNotInCanvass is wrapped by the error Compare returns for a recount entry (a unit, or a
// choice) that the canvass does not have.
var ErrNotInCanvass = errors.New("not in the canvass")

// Compare compares the canvass and the recount of contest. units lists the reporting units to
// compare, in the order of the report; nil means every unit of the canvass, in name order.
// Totals are over the units compared. A unit of the canvass that the recount does not report
// keeps its canvass counts (Recounted false). winners is the number of seats (at least 1).
//
// Every unit the recount reports must be a unit of the canvass (and one of units), and every
// choice it reports must be a choice of the canvass; otherwise Compare returns no report and an
// error that names the unit (wrapping ErrNotInCanvass). Negative counts are an error too.
func Compare(contest string, canvassCounts, recountCounts Counts, units []string, winners int) (*Report, error) {
	if winners < 1 {
		return nil, fmt.Errorf("recount: contest %q: %d winners; give at least 1", contest, winners)
	}
	cv, err := foldUnits(canvassCounts, "canvass")
	if err != nil {
		return nil, fmt.Errorf("recount: contest %q: %w", contest, err)
	}
	rc, err := foldUnits(recountCounts, "recount")
	if err != nil {
		return nil, fmt.Errorf("recount: contest %q: %w", contest, err)
	}

	// The units compared.
	var keys []string
	if units == nil {
		for k := range cv {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return cv[keys[i]].name < cv[keys[j]].name })
	} else {
		seen := make(map[string]bool, len(units))
		for _, u := range units {
			k := canvass.NameKey(u)
			if _, ok := cv[k]; !ok {
				return nil, fmt.Errorf("recount: contest %q: unit %q of the units compared: %w", contest, u, ErrNotInCanvass)
			}
			if seen[k] {
				return nil, fmt.Errorf("recount: contest %q: unit %q listed twice", contest, u)
			}
			seen[k] = true
			keys = append(keys, k)
		}
	}
	compared := make(map[string]bool, len(keys))
	for _, k := range keys {
		compared[k] = true
	}

	// The choices: every choice named in the canvass (of any unit compared).
	choiceName := map[string]string{}
	for _, k := range keys {
		for ck, c := range cv[k].counts {
			if _, ok := choiceName[ck]; !ok || c.name < choiceName[ck] {
				choiceName[ck] = c.name
			}
		}
	}
	// Every recount entry must be in the canvass.
	for k, u := range rc {
		if _, ok := cv[k]; !ok {
			return nil, fmt.Errorf("recount: contest %q: recount unit %q: %w; check the unit's name", contest, u.name, ErrNotInCanvass)
		}
		if !compared[k] {
			return nil, fmt.Errorf("recount: contest %q: recount unit %q is not among the units compared", contest, u.name)
		}
		for ck, c := range u.counts {
			if _, ok := choiceName[ck]; !ok {
				return nil, fmt.Errorf("recount: contest %q: recount unit %q: choice %q: %w; check the choice's name", contest, u.name, c.name, ErrNotInCanvass)
			}
		}
	}

	// Totals, then the rank order of the choices by canvass votes.
	ckeys := make([]string, 0, len(choiceName))
	for ck := range choiceName {
		ckeys = append(ckeys, ck)
	}
	before := make(map[string]int64, len(ckeys))
	after := make(map[string]int64, len(ckeys))
	for _, k := range keys {
		u := cv[k]
		r, ok := rc[k]
		for ck := range choiceName {
			c := u.counts[ck].votes
			before[ck] += c
			if ok {
				after[ck] += r.counts[ck].votes
			} else {
				after[ck] += c
			}
		}
	}
	rank(ckeys, before, choiceName)
	rep := &Report{Contest: contest, Winners: winners, Units: make([]UnitChange, len(keys))}
	for _, ck := range ckeys {
		rep.Totals = append(rep.Totals, change(choiceName[ck], before[ck], after[ck]))
	}
	for i := range rep.Totals {
		for j := i + 1; j < len(rep.Totals); j++ {
			rep.Pairs = append(rep.Pairs, pair(rep.Totals[i], rep.Totals[j]))
		}
	}
	runnerUp := -1
	if len(ckeys) > winners {
		runnerUp = winners
		rep.Margin = pair(rep.Totals[winners-1], rep.Totals[winners])
	}

	// Per unit.
	for i, k := range keys {
		u := cv[k]
		r, ok := rc[k]
		uc := UnitChange{Unit: u.name, Recounted: ok, Choices: make([]ChoiceChange, len(ckeys))}
		for j, ck := range ckeys {
			c := u.counts[ck].votes
			a := c
			if ok {
				a = r.counts[ck].votes
			}
			uc.Choices[j] = change(choiceName[ck], c, a)
		}
		if runnerUp >= 0 {
			uc.Margins = make([]PairChange, winners)
			for w := 0; w < winners; w++ {
				uc.Margins[w] = pair(uc.Choices[w], uc.Choices[runnerUp])
			}
			uc.MarginChange = uc.Margins[winners-1].Change
		}
		rep.Units[i] = uc
	}

	// The outcome.
	n := winners
	if n > len(ckeys) {
		n = len(ckeys)
	}
	for _, ck := range ckeys[:n] {
		rep.CanvassWinners = append(rep.CanvassWinners, choiceName[ck])
	}
	byRecount := append([]string(nil), ckeys...)
	rank(byRecount, after, choiceName)
	for _, ck := range byRecount[:n] {
		rep.RecountWinners = append(rep.RecountWinners, choiceName[ck])
	}
	if runnerUp >= 0 {
		rep.TieBefore = before[ckeys[winners-1]] == before[ckeys[winners]]
		minWinner, maxLoser := after[ckeys[0]], after[ckeys[winners]]
		for _, ck := range ckeys[:winners] {
			minWinner = min(minWinner, after[ck])
		}
		for _, ck := range ckeys[winners:] {
			maxLoser = max(maxLoser, after[ck])
		}
		rep.OutcomeChanged = maxLoser > minWinner
		rep.TieAfter = after[byRecount[winners-1]] == after[byRecount[winners]]
	}
	return rep, nil
}

// rank sorts choice keys by votes, most first, ties by display name.
func rank(ckeys []string, votes map[string]int64, name map[string]string) {
	sort.Slice(ckeys, func(i, j int) bool {
		a, b := ckeys[i], ckeys[j]
		if votes[a] != votes[b] {
			return votes[a] > votes[b]
		}
		return name[a] < name[b]
	})
}

func change(name string, before, after int64) ChoiceChange {
	return ChoiceChange{Name: name, Canvass: before, Recount: after, Change: after - before}
}

func pair(a, b ChoiceChange) PairChange {
	p := PairChange{A: a.Name, B: b.Name, Before: a.Canvass - b.Canvass, After: a.Recount - b.Recount}
	p.Change = p.After - p.Before
	return p
}

type namedCount struct {
	name  string
	votes int64
}

type foldedUnit struct {
	name   string
	counts map[string]namedCount
}

// foldUnits keys units and choices by canvass.NameKey, refusing two names that fold together
// and negative counts.
func foldUnits(c Counts, what string) (map[string]foldedUnit, error) {
	out := make(map[string]foldedUnit, len(c))
	for u, choices := range c {
		k := canvass.NameKey(u)
		if prev, ok := out[k]; ok {
			return nil, fmt.Errorf("%s units %q and %q are the same unit; merge them", what, prev.name, u)
		}
		fu := foldedUnit{name: u, counts: make(map[string]namedCount, len(choices))}
		for ch, v := range choices {
			if v < 0 {
				return nil, fmt.Errorf("%s unit %q: choice %q: negative count %d", what, u, ch, v)
			}
			ck := canvass.NameKey(ch)
			if prev, ok := fu.counts[ck]; ok {
				return nil, fmt.Errorf("%s unit %q: choices %q and %q are the same choice; merge them", what, u, prev.name, ch)
			}
			fu.counts[ck] = namedCount{name: ch, votes: v}
		}
		out[k] = fu
	}
	return out, nil
}
