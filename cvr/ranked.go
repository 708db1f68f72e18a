package cvr

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
