package csvcvr

import (
	"fmt"
	"strconv"
	"strings"

	canvass "github.com/canvass-vote/canvass"
)

// Metadata columns, in the order of the fields of canvass.Ballot they fill.
const (
	metaBallotID = iota
	metaPrecinct
	metaBallotType
	metaTabulator
	metaBatch
	metaCountingGroup
	nMeta
)

// metaNames are the canonical spellings of the metadata columns (docs/formats/csv.md §Header).
var metaNames = [nMeta]string{"BallotID", "Precinct", "BallotType", "Tabulator", "Batch", "CountingGroup"}

// metaKey folds a header for matching a metadata column: lower case without spaces,
// underscores and hyphens, so that "Ballot ID", "ballot_id" and "BallotID" are one column.
func metaKey(h string) string {
	var b strings.Builder
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c == ' ' || c == '_' || c == '-' || c == '\t':
		case 'A' <= c && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// metaIndex returns which metadata column h names, or -1.
func metaIndex(h string) int {
	if strings.Contains(h, ": ") {
		return -1 // a contest column, even if its contest were called "Batch"
	}
	k := metaKey(h)
	for i, n := range metaNames {
		if k == strings.ToLower(n) {
			return i
		}
	}
	return -1
}

// contestOptions are the options of a contest column, "Council [vote for 3]: Ann Lee"
// (docs/formats/csv.md §Contest options). Zero fields were not given.
type contestOptions struct {
	kind      canvass.ContestType // Plurality (vote for N), Approval, IRV (ranked N) or Supermajority; "" if not given
	n         int                 // N of "vote for N" or "ranked N"
	seats     int
	threshold canvass.Threshold
}

// maxOption bounds the numbers in options: no ballot has more ranks or seats, and it keeps a
// typo such as "vote for 11111111111" from becoming an absurd contest.
const maxOption = 1000

// splitColumn splits a contest column header at its last ": " into the contest part (name and
// options) and the choice name, both trimmed. ok is false when h has no ": ".
func splitColumn(h string) (contest, choice string, ok bool) {
	i := strings.LastIndex(h, ": ")
	if i < 0 {
		return "", "", false
	}
	return strings.TrimSpace(h[:i]), strings.TrimSpace(h[i+2:]), true
}

// parseContest splits the contest part of a column header into the contest name and its
// options: "Measure A [2/3]" gives "Measure A" and a 2/3 supermajority.
func parseContest(s string) (string, contestOptions, error) {
	var o contestOptions
	if !strings.HasSuffix(s, "]") {
		if strings.ContainsAny(s, "[]") {
			return "", o, fmt.Errorf("%w: contest %q: options go in one [...] at the end of the contest name", canvass.ErrSyntax, s)
		}
		return s, o, nil
	}
	open := strings.LastIndexByte(s, '[')
	if open < 0 {
		return "", o, fmt.Errorf("%w: contest %q: ']' without '['", canvass.ErrSyntax, s)
	}
	name := strings.TrimSpace(s[:open])
	if strings.ContainsAny(name, "[]") {
		return "", o, fmt.Errorf("%w: contest %q: options go in one [...] at the end of the contest name", canvass.ErrSyntax, s)
	}
	for _, opt := range strings.Split(s[open+1:len(s)-1], ",") {
		if err := o.add(strings.Fields(strings.ToLower(opt))); err != nil {
			return "", o, fmt.Errorf("contest %q: option %q: %w", name, strings.TrimSpace(opt), err)
		}
	}
	return name, o, nil
}

var errOption = fmt.Errorf("%w: want \"vote for N\", \"approval\", \"ranked N\", \"seats N\" or a fraction such as \"2/3\"", canvass.ErrSyntax)

// add applies one option, given as its lower-case words.
func (o *contestOptions) add(words []string) error {
	setKind := func(k canvass.ContestType) error {
		if o.kind != "" {
			return fmt.Errorf("%w: a contest has one of vote for N, approval, ranked N or a fraction", canvass.ErrSyntax)
		}
		o.kind = k
		return nil
	}
	switch {
	case len(words) == 3 && words[0] == "vote" && words[1] == "for":
		n, err := optionNumber(words[2])
		if err != nil {
			return err
		}
		o.n = n
		return setKind(canvass.Plurality)
	case len(words) == 1 && words[0] == "approval":
		return setKind(canvass.Approval)
	case len(words) == 2 && words[0] == "ranked":
		n, err := optionNumber(words[1])
		if err != nil {
			return err
		}
		o.n = n
		return setKind(canvass.IRV)
	case len(words) == 2 && words[0] == "seats":
		if o.seats != 0 {
			return fmt.Errorf("%w: seats given twice", canvass.ErrSyntax)
		}
		n, err := optionNumber(words[1])
		if err != nil {
			return err
		}
		o.seats = n
		return nil
	case len(words) == 1 && strings.Contains(words[0], "/"):
		num, den, _ := strings.Cut(words[0], "/")
		a, err := optionNumber(num)
		if err != nil {
			return err
		}
		b, err := optionNumber(den)
		if err != nil {
			return err
		}
		if a > b {
			return fmt.Errorf("%w: threshold %d/%d is above 1", canvass.ErrSyntax, a, b)
		}
		o.threshold = canvass.Threshold{Num: int64(a), Den: int64(b)}
		return setKind(canvass.Supermajority)
	}
	return errOption
}

// optionNumber parses a positive count of an option.
func optionNumber(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", canvass.ErrNotNumber, s)
	}
	if n < 1 || n > maxOption {
		return 0, fmt.Errorf("%w: %d is not between 1 and %d", canvass.ErrSyntax, n, maxOption)
	}
	return n, nil
}

// merge combines the options of another column of the same contest: a contest's columns may
// each carry its options, or only one of them may, but they may not disagree.
func (o *contestOptions) merge(p contestOptions) error {
	if p == (contestOptions{}) {
		return nil
	}
	if *o == (contestOptions{}) {
		*o = p
		return nil
	}
	if *o != p {
		return fmt.Errorf("%w: options differ from those of an earlier column of the contest", canvass.ErrSyntax)
	}
	return nil
}

// apply sets the type, vote-for, seats and threshold of c, which has all its choices, from o
// (docs/formats/csv.md §Contest options).
func (o *contestOptions) apply(c *canvass.Contest) error {
	c.Type, c.VoteFor, c.Seats = canvass.Plurality, 1, 1
	switch o.kind {
	case "":
		if o.seats != 0 {
			return fmt.Errorf("%w: seats needs vote for N, approval or ranked N", canvass.ErrSyntax)
		}
	case canvass.Plurality:
		c.VoteFor, c.Seats = o.n, o.n
	case canvass.Approval:
		c.Type, c.VoteFor = canvass.Approval, len(c.Choices)
	case canvass.IRV:
		c.Type, c.VoteFor = canvass.IRV, o.n
	case canvass.Supermajority:
		if o.seats != 0 {
			return fmt.Errorf("%w: a supermajority question has no seats option", canvass.ErrSyntax)
		}
		if len(c.Choices) < 2 {
			return fmt.Errorf("%w: a supermajority question needs two choices or more, the one that needs the threshold first", canvass.ErrSyntax)
		}
		c.Type, c.Threshold = canvass.Supermajority, o.threshold
	}
	if o.seats != 0 {
		c.Seats = o.seats
		if c.Type == canvass.IRV && c.Seats > 1 {
			c.Type = canvass.STV
		}
	}
	return nil
}

// isWriteIn reports whether a choice name is a write-in line: "Write-in", "Write-in 2", or a
// name ending in "(write-in)" (docs/formats/csv.md §Write-ins), in any case.
func isWriteIn(name string) bool {
	k := canvass.NameKey(name)
	if k == "write-in" || strings.HasSuffix(k, "(write-in)") {
		return true
	}
	rest, ok := strings.CutPrefix(k, "write-in ")
	if !ok || rest == "" {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if rest[i] < '0' || rest[i] > '9' {
			return false
		}
	}
	return true
}
