// Package canvass holds the domain types shared by every stage of the pipeline: the election
// definition (Election, Contest, Choice), the normalized ballot (Ballot, ContestMarks, Mark) that
// every CVR reader produces, and reported results (ResultRow) that every results reader produces.
// It does no I/O.
//
// Vote counts are integers (int64) everywhere; nothing here is a float.
package canvass

import (
	"fmt"
	"strings"
)

// ContestType names how a contest is decided.
type ContestType string

const (
	// Plurality is vote-for-N: each voter marks up to VoteFor choices; the Seats choices with the
	// most votes win.
	Plurality ContestType = "plurality"
	// Approval lets a voter mark any number of choices; the Seats choices with the most votes win.
	Approval ContestType = "approval"
	// Supermajority is a vote-for-1 question (usually Yes/No) that passes only when the first
	// choice reaches Threshold of the votes cast for the contest.
	Supermajority ContestType = "supermajority"
	// IRV is single-winner instant-runoff voting (ranked ballots).
	IRV ContestType = "irv"
	// STV is multi-seat single transferable vote (ranked ballots).
	STV ContestType = "stv"
)

// Ranked reports whether ballots for contests of this type carry ranks.
func (t ContestType) Ranked() bool { return t == IRV || t == STV }

// Election is the definition of one election: its contests and their choices. Readers fill it
// from a vendor's manifests or a standard's Election objects; the workspace merges the
// definitions of several imports by contest and choice name.
type Election struct {
	Name     string
	Contests []*Contest
}

// ContestByName returns the contest whose name matches (case-insensitively, ignoring
// surrounding space), or nil.
func (e *Election) ContestByName(name string) *Contest {
	for _, c := range e.Contests {
		if NameKey(c.Name) == NameKey(name) {
			return c
		}
	}
	return nil
}

// Threshold is a fraction Num/Den of the votes cast in a contest, e.g. 2/3 for a supermajority.
type Threshold struct {
	Num int64 `json:"num"`
	Den int64 `json:"den"`
}

// Contest is one race or question on the ballot.
type Contest struct {
	// ID is the identifier the source file uses (a Dominion contest Id, a CDF @id, a CSV header).
	ID   string
	Name string
	Type ContestType
	// Seats is the number of winners (1 for most contests).
	Seats int
	// VoteFor is the number of marks a voter may make; more is an overvote. For approval
	// contests it is the number of choices. For ranked contests it is the number of ranks.
	VoteFor int
	// Threshold is set for supermajority contests.
	Threshold Threshold
	Choices   []*Choice
}

// ChoiceByName returns the index of the choice whose name matches, or -1.
func (c *Contest) ChoiceByName(name string) int {
	for i, ch := range c.Choices {
		if NameKey(ch.Name) == NameKey(name) {
			return i
		}
	}
	return -1
}

// Choice is a candidate, a write-in line, or an answer to a question.
type Choice struct {
	ID    string
	Name  string
	Party string
	// WriteIn marks a write-in line (resolved or not); its votes are counted as a choice of its
	// own and reported separately.
	WriteIn bool
}

// MarkFlags records how a mark was read.
type MarkFlags uint8

const (
	// Ambiguous: the scanner or an adjudicator flagged the mark as ambiguous (Dominion
	// IsAmbiguous). It still counts if Counted is not cleared.
	Ambiguous MarkFlags = 1 << iota
	// NotCounted: the mark is on the ballot but the source says it is not a vote (Dominion
	// IsVote=false, e.g. a mark in an overvoted contest, or a hesitation mark).
	NotCounted
	// WriteInMark: the mark is on a write-in line.
	WriteInMark
	// Adjudicated: the mark comes from a modified (adjudicated) interpretation.
	Adjudicated
	// OvervoteMark: the source says the voter overvoted at this rank without saying for whom
	// (an "overvote" label in a ranked CVR, as ES&S and some CSV exports write). Choice is
	// NoChoice. Ranked tabulation applies its overvote rule at that rank.
	OvervoteMark
)

// NoChoice is the Choice of a mark that names no choice (OvervoteMark).
const NoChoice int32 = -1

// Mark is one filled target: a choice (an index into Contest.Choices), its rank for ranked
// contests (1 is first choice; 0 for unranked contests), and flags.
type Mark struct {
	Choice int32
	Rank   int32
	Flags  MarkFlags
}

// ContestMarks is what one ballot says about one contest. A ballot that does not contain a
// contest has no ContestMarks for it; a ballot that contains it but has no marks has an entry
// with no Marks (a blank contest, an undervote).
type ContestMarks struct {
	// Contest is an index into Election.Contests.
	Contest int32
	Marks   []Mark
	// Overvoted is set when the source reports the contest overvoted even though it may list
	// no counted marks (Dominion reports Overvotes>0 and IsVote=false on each mark).
	Overvoted bool
}

// Ballot is one cast vote record in normalized form. Readers may reuse the Ballot (and its
// slices) they return from Next for the following call, as encoding/csv does with ReuseRecord:
// a caller that keeps a ballot must Clone it.
type Ballot struct {
	// ID is unique within an election: a vendor's record id (Dominion tabulator-batch-record,
	// a CDF UniqueId or @id, a CSV ballot id column).
	ID string
	// Where it was cast and counted; any may be empty.
	Precinct      string
	BallotType    string
	Tabulator     string
	Batch         string
	CountingGroup string
	Contests      []ContestMarks
}

// Reset empties b for reuse, keeping its allocated slices.
func (b *Ballot) Reset() {
	cs := b.Contests[:cap(b.Contests)]
	for i := range cs {
		cs[i].Marks = cs[i].Marks[:0]
		cs[i].Overvoted = false
	}
	*b = Ballot{Contests: b.Contests[:0]}
}

// AddContest appends an entry for contest index c, reusing a previous entry's mark slice.
func (b *Ballot) AddContest(c int32) *ContestMarks {
	n := len(b.Contests)
	if n < cap(b.Contests) {
		b.Contests = b.Contests[:n+1]
		cm := &b.Contests[n]
		cm.Contest, cm.Marks, cm.Overvoted = c, cm.Marks[:0], false
		return cm
	}
	b.Contests = append(b.Contests, ContestMarks{Contest: c})
	return &b.Contests[n]
}

// Clone returns a deep copy of b that the reader will not overwrite.
func (b *Ballot) Clone() *Ballot {
	c := *b
	c.Contests = make([]ContestMarks, len(b.Contests))
	for i, cm := range b.Contests {
		c.Contests[i] = cm
		c.Contests[i].Marks = append([]Mark(nil), cm.Marks...)
	}
	return &c
}

// Level is a level of the reporting-unit hierarchy.
type Level string

const (
	LevelState        Level = "state"
	LevelCounty       Level = "county"
	LevelMunicipality Level = "municipality"
	LevelPrecinct     Level = "precinct"
	LevelBatch        Level = "batch"
	LevelTabulator    Level = "tabulator"
)

// Levels lists the levels a tabulation can be grouped by, largest first.
var Levels = []Level{LevelState, LevelCounty, LevelMunicipality, LevelPrecinct, LevelBatch, LevelTabulator}

// Unit names a reporting unit by its place in the hierarchy. Empty parts are unknown.
// Precinct holds the smallest unit the source reports (a precinct, a ward or a combined
// reporting unit of wards).
type Unit struct {
	State        string `json:"state,omitempty"`
	County       string `json:"county,omitempty"`
	Municipality string `json:"municipality,omitempty"`
	Precinct     string `json:"precinct,omitempty"`
}

// At returns the name of u at level l ("" when unknown); for levels below the state it is
// qualified by the levels above, so that "Ward 1" of two towns stay apart.
func (u Unit) At(l Level) string {
	parts := []string{u.State}
	switch l {
	case LevelState:
	case LevelCounty:
		parts = append(parts, u.County)
	case LevelMunicipality:
		parts = append(parts, u.County, u.Municipality)
	case LevelPrecinct:
		parts = append(parts, u.County, u.Municipality, u.Precinct)
	default:
		return ""
	}
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " / ")
}

// ResultRow is one reported count: the votes for one choice of one contest in one reporting
// unit, optionally for one vote mode (election day, absentee, ...). Results readers produce
// these where no CVRs are public.
type ResultRow struct {
	Unit    Unit   `json:"unit"`
	Contest string `json:"contest"`
	// District qualifies the contest (e.g. "3" for Congressional District 3).
	District string `json:"district,omitempty"`
	Choice   string `json:"choice"`
	Party    string `json:"party,omitempty"`
	// Mode is the vote mode ("" for the total across modes).
	Mode string `json:"mode,omitempty"`
	// Stat, when set, makes the row a statistic of the unit rather than votes for a choice:
	// StatRegistered (registered voters) or StatBallots (ballots cast). Contest and Choice are
	// then empty and Votes holds the number.
	Stat  string `json:"stat,omitempty"`
	Votes int64  `json:"votes"`
}

// Statistics a results file may carry per unit (ResultRow.Stat).
const (
	StatRegistered = "registered"
	StatBallots    = "ballots"
	// StatPollBook is the count of voters checked in at the polls (poll book), and
	// StatAbsenteeReceived the absentee ballots received: the figures of Michigan's
	// "in balance" test.
	StatPollBook         = "poll_book"
	StatAbsenteeReceived = "absentee_received"
)

// IsStat reports whether s names a statistic of a unit (ResultRow.Stat).
func IsStat(s string) bool {
	switch s {
	case StatRegistered, StatBallots, StatPollBook, StatAbsenteeReceived:
		return true
	}
	return false
}

// NameKey folds a name for matching: trimmed, inner runs of space collapsed, lower case.
// County names in the Wisconsin ward report carry a trailing space; this keeps them equal.
func NameKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// Validate checks the invariants the engines rely on.
func (e *Election) Validate() error {
	seen := map[string]bool{}
	for i, c := range e.Contests {
		if c.Name == "" {
			return fmt.Errorf("contest %d: empty name", i)
		}
		k := NameKey(c.Name)
		if seen[k] {
			return fmt.Errorf("contest %q: defined twice", c.Name)
		}
		seen[k] = true
		if c.VoteFor < 1 {
			return fmt.Errorf("contest %q: vote-for %d < 1", c.Name, c.VoteFor)
		}
		if c.Seats < 1 {
			return fmt.Errorf("contest %q: seats %d < 1", c.Name, c.Seats)
		}
	}
	return nil
}
