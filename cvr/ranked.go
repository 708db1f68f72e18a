package cvr

import (
	"fmt"
	"strings"

	canvass "github.com/canvass-vote/canvass"
)

// RankedOptions configure the readers of ranked-choice CVR layouts (ES&S, generic CSV, Clear
// Ballot, Hart, CDF XML) for one contest: the settings of one RCTab cvrFileSource. Column and
// row numbers are 1-based, as RCTab's configuration writes them; 0 means "none".
type RankedOptions struct {
	// Contest selects the contest in files that hold several (name or id); "" for the only one.
	Contest string
	// Candidates are the names a file may use, each with its aliases (codes); readers of
	// layouts without a candidate list (ES&S, generic CSV) define the election from them.
	Candidates []RankedCandidate

	FirstVoteColumn int // the column of the first rank
	FirstVoteRow    int // the first row of ballots (after headers)
	IDColumn        int // the ballot id, 0 to number ballots by row
	PrecinctColumn  int
	BatchColumn     int

	// OvervoteDelimiter separates several candidates in one cell (an overvote at that rank).
	OvervoteDelimiter string
	// OvervoteLabel is the cell text for an overvote whose candidates are not given: the
	// reader emits a canvass.Mark with Choice canvass.NoChoice and Flags canvass.OvervoteMark.
	OvervoteLabel string
	// UndervoteLabel is the cell text of a skipped rank (as is an empty cell).
	UndervoteLabel string
	// UndeclaredWriteInLabel is the cell text of a write-in not declared as a candidate; the
	// reader maps it to the choice UndeclaredWriteIn.
	UndeclaredWriteInLabel string
	// TreatBlankAsUndeclaredWriteIn reads an empty cell as an undeclared write-in.
	TreatBlankAsUndeclaredWriteIn bool
}

// RankedCandidate is a candidate of a ranked contest with the other names (codes) files use.
type RankedCandidate struct {
	Name    string
	Aliases []string
}

// UndeclaredWriteIn is the choice name readers give undeclared write-ins (RCTab's
// "Undeclared Write-ins").
const UndeclaredWriteIn = "Undeclared Write-ins"

// DefaultRankedContest is the contest's name when RankedOptions.Contest is empty.
const DefaultRankedContest = "Ranked contest"

// ChoiceMap maps each candidate's name and aliases, and the undeclared write-in label, to its
// choice in the election RankedElection makes (names trimmed of spaces, compared exactly);
// uwi is the choice of undeclared write-ins. A name or alias that names two candidates is an
// error.
func (opts RankedOptions) ChoiceMap() (m map[string]int32, uwi int32, err error) {
	m = map[string]int32{}
	uwi = int32(len(opts.Candidates))
	add := func(name string, c int32) error {
		name = strings.TrimSpace(name)
		if name == "" {
			return fmt.Errorf("%w: candidate %d has an empty name or alias", canvass.ErrMissingField, c+1)
		}
		if prev, dup := m[name]; dup && prev != c {
			return fmt.Errorf("%w: %q names two candidates (%d and %d); a name or alias must be unique", canvass.ErrSyntax, name, prev+1, c+1)
		}
		m[name] = c
		return nil
	}
	for i, c := range opts.Candidates {
		if err := add(c.Name, int32(i)); err != nil {
			return nil, 0, err
		}
		for _, a := range c.Aliases {
			if err := add(a, int32(i)); err != nil {
				return nil, 0, err
			}
		}
	}
	if l := strings.TrimSpace(opts.UndeclaredWriteInLabel); l != "" {
		if c, dup := m[l]; dup {
			return nil, 0, fmt.Errorf("%w: the undeclared write-in label %q is also candidate %d", canvass.ErrSyntax, l, c+1)
		}
		m[l] = uwi
	}
	return m, uwi, nil
}

// RankedElection is the election of one ranked contest (ranks ranks) with the configured
// candidates, then undeclared write-ins, as the readers of layouts without a candidate list
// define it.
func (opts RankedOptions) RankedElection(ranks int) *canvass.Election {
	name := opts.Contest
	if name == "" {
		name = DefaultRankedContest
	}
	c := &canvass.Contest{ID: name, Name: name, Type: canvass.IRV, Seats: 1, VoteFor: ranks}
	for _, cand := range opts.Candidates {
		c.Choices = append(c.Choices, &canvass.Choice{ID: cand.Name, Name: cand.Name})
	}
	c.Choices = append(c.Choices, &canvass.Choice{ID: UndeclaredWriteIn, Name: UndeclaredWriteIn, WriteIn: true})
	return &canvass.Election{Name: name, Contests: []*canvass.Contest{c}}
}
