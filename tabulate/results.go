package tabulate

import (
	"strings"

	canvass "github.com/canvass-vote/canvass"
)

// RowTally sums reported results (counts per reporting unit) into contest tables, at one level
// of the unit hierarchy. Only total rows are summed (ResultRow.Mode ""); vote-mode breakdowns
// are parts of those totals. Statistic rows (ballots cast) give each contest's Ballots for the
// units that report it.
type RowTally struct {
	level    canvass.Level
	el       canvass.Election
	contests map[string]int // contest key -> index
	choices  []map[string]int
	total    []counts
	units    map[string]int
	unitName []string
	byUnit   [][]counts // per unit, per contest; grown as contests appear
	// ballots per unit at the finest level, to credit contests with ballots.
	ballots   map[string]int64
	unitFine  map[string]string // fine unit key -> unit name at level
	contestIn []map[string]bool // fine units that report each contest
}

// NewRowTally returns an empty tally that groups by level (state, county, municipality,
// precinct; batch groups like precinct, as results files carry batches in the precinct field).
func NewRowTally(level canvass.Level) *RowTally {
	if level == canvass.LevelBatch {
		level = canvass.LevelPrecinct
	}
	return &RowTally{level: level, contests: map[string]int{}, units: map[string]int{},
		ballots: map[string]int64{}, unitFine: map[string]string{}}
}

// ContestName is the name under which a row's contest is tabulated: the contest, qualified by
// its district when it has one ("U.S. House District 3").
func ContestName(r *canvass.ResultRow) string {
	if r.District == "" {
		return r.Contest
	}
	return r.Contest + " District " + r.District
}

// Add counts one row.
func (t *RowTally) Add(r *canvass.ResultRow) {
	if r.Mode != "" {
		return
	}
	fine := r.Unit.At(canvass.LevelPrecinct)
	if _, ok := t.unitFine[fine]; !ok {
		t.unitFine[fine] = r.Unit.At(t.level)
	}
	if r.Stat != "" {
		if r.Stat == canvass.StatBallots {
			t.ballots[fine] += r.Votes
		}
		return
	}
	name := ContestName(r)
	pseudo := pseudoChoice(r.Choice)
	key := canvass.NameKey(name)
	ci, ok := t.contests[key]
	if !ok {
		ci = len(t.el.Contests)
		t.contests[key] = ci
		t.el.Contests = append(t.el.Contests, &canvass.Contest{Name: name, Type: canvass.Plurality, Seats: 1, VoteFor: 1})
		t.choices = append(t.choices, map[string]int{})
		t.total = append(t.total, counts{})
		t.contestIn = append(t.contestIn, map[string]bool{})
	}
	contest := t.el.Contests[ci]
	t.contestIn[ci][fine] = true
	if pseudo != notPseudo {
		t.addPseudo(ci, fine, pseudo, r.Votes)
		return
	}
	chKey := canvass.NameKey(r.Choice)
	chi, ok := t.choices[ci][chKey]
	if !ok {
		chi = len(contest.Choices)
		t.choices[ci][chKey] = chi
		contest.Choices = append(contest.Choices, &canvass.Choice{Name: r.Choice, Party: r.Party, WriteIn: isWriteInName(r.Choice)})
	}
	grow(&t.total[ci], chi)
	t.total[ci].votes[chi] += r.Votes
	if t.level == canvass.LevelState {
		return
	}
	ui := t.unitIndex(t.unitFine[fine])
	for len(t.byUnit[ui]) <= ci {
		t.byUnit[ui] = append(t.byUnit[ui], counts{})
	}
	uc := &t.byUnit[ui][ci]
	grow(uc, chi)
	uc.votes[chi] += r.Votes
}

// pseudo-choices: lines of results files that are not candidates but the unit's undervotes or
// overvotes ("Blank/Undervote" and "Overvote" in Arlo reports, "Under Votes" in OpenElections).
const (
	notPseudo = iota
	pseudoUnder
	pseudoOver
)

func pseudoChoice(name string) int {
	switch strings.ReplaceAll(canvass.NameKey(name), " ", "") {
	case "undervote", "undervotes", "blank/undervote", "blankvotes", "blank":
		return pseudoUnder
	case "overvote", "overvotes":
		return pseudoOver
	}
	return notPseudo
}

func (t *RowTally) addPseudo(ci int, fine string, kind int, n int64) {
	add := func(c *counts) {
		if kind == pseudoUnder {
			c.under += n
		} else {
			c.over += n
		}
	}
	add(&t.total[ci])
	if t.level == canvass.LevelState {
		return
	}
	ui := t.unitIndex(t.unitFine[fine])
	for len(t.byUnit[ui]) <= ci {
		t.byUnit[ui] = append(t.byUnit[ui], counts{})
	}
	add(&t.byUnit[ui][ci])
}

func (t *RowTally) unitIndex(name string) int {
	ui, ok := t.units[name]
	if !ok {
		ui = len(t.unitName)
		t.units[name] = ui
		t.unitName = append(t.unitName, name)
		t.byUnit = append(t.byUnit, nil)
	}
	return ui
}

func grow(c *counts, i int) {
	for len(c.votes) <= i {
		c.votes = append(c.votes, 0)
	}
}

// isWriteInName recognizes the write-in lines of results files: "Write-in", "Write-ins",
// "Unresolved Write-In", "Kanye West (write-in)", Wisconsin's "SCATTERING".
func isWriteInName(name string) bool {
	k := canvass.NameKey(name)
	return k == "scattering" || strings.Contains(k, "write-in") || strings.Contains(k, "writein")
}

// Result returns the contest tables, units in the order first seen.
func (t *RowTally) Result() *Result {
	res := &Result{}
	for ci, contest := range t.el.Contests {
		tot := t.total[ci]
		tot.votes = append([]int64(nil), tot.votes...)
		grow(&tot, len(contest.Choices)-1)
		// Ballots: those reported for the units that report this contest.
		unitBallots := map[string]int64{}
		for fine := range t.contestIn[ci] {
			tot.ballots += t.ballots[fine]
			unitBallots[t.unitFine[fine]] += t.ballots[fine]
		}
		cr := contestResult(contest, &tot)
		for ui, name := range t.unitName {
			if ci >= len(t.byUnit[ui]) {
				continue
			}
			uc := t.byUnit[ui][ci]
			if uc.votes == nil && uc.under == 0 && uc.over == 0 {
				continue
			}
			uc.votes = append([]int64(nil), uc.votes...)
			grow(&uc, len(contest.Choices)-1)
			cr.Units = append(cr.Units, UnitResult{Unit: name, Ballots: unitBallots[name], Undervotes: uc.under, Overvotes: uc.over, Choices: choiceTable(contest, uc.votes)})
		}
		res.Contests = append(res.Contests, cr)
	}
	return res
}
