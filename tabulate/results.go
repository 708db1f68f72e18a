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
	chKey := canvass.NameKey(r.Choice)
	chi, ok := t.choices[ci][chKey]
	if !ok {
		chi = len(contest.Choices)
		t.choices[ci][chKey] = chi
		contest.Choices = append(contest.Choices, &canvass.Choice{Name: r.Choice, Party: r.Party, WriteIn: isWriteInName(r.Choice)})
	}
	t.contestIn[ci][fine] = true
	grow(&t.total[ci], chi)
	t.total[ci].votes[chi] += r.Votes
	if t.level == canvass.LevelState {
		return
	}
	uname := t.unitFine[fine]
	ui, ok := t.units[uname]
	if !ok {
		ui = len(t.unitName)
		t.units[uname] = ui
		t.unitName = append(t.unitName, uname)
		t.byUnit = append(t.byUnit, nil)
	}
	for len(t.byUnit[ui]) <= ci {
		t.byUnit[ui] = append(t.byUnit[ui], counts{})
	}
	uc := &t.byUnit[ui][ci]
	grow(uc, chi)
	uc.votes[chi] += r.Votes
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
		grow(&tot, len(contest.Choices)-1)
		// Ballots: those reported for the units that report this contest.
		unitBallots := map[string]int64{}
		for fine := range t.contestIn[ci] {
			tot.ballots += t.ballots[fine]
			unitBallots[t.unitFine[fine]] += t.ballots[fine]
		}
		cr := contestResult(contest, &tot)
		for ui, name := range t.unitName {
			if ci >= len(t.byUnit[ui]) || t.byUnit[ui][ci].votes == nil {
				continue
			}
			uc := t.byUnit[ui][ci]
			grow(&uc, len(contest.Choices)-1)
			cr.Units = append(cr.Units, UnitResult{Unit: name, Ballots: unitBallots[name], Choices: choiceTable(contest, uc.votes)})
		}
		res.Contests = append(res.Contests, cr)
	}
	return res
}
