package raire

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrInput is wrapped by errors about a contest, model or option RAIRE cannot use.
var ErrInput = errors.New("raire: input")

// ErrFullHandCount is matched (errors.Is) by an *Error whose contest cannot be audited with
// assertions at all: the reported outcome rests on a tie, or on an elimination order that no
// assertion with a positive margin rules out. A sample can never confirm such an outcome;
// only a full hand count can.
var ErrFullHandCount = errors.New("raire: the contest is too close to audit with assertions: only a full hand count can confirm its outcome")

// ErrorKind says why RAIRE found no assertions. The names are raire-rs's (RaireError), so the
// JSON of an error is the reference's.
type ErrorKind string

// The kinds of Error.
const (
	// TiedWinners: the count has several possible winners depending on how ties are broken.
	TiedWinners ErrorKind = "TiedWinners"
	// WrongWinner: the reported winner is not the winner of the count of these ballots.
	WrongWinner ErrorKind = "WrongWinner"
	// CouldNotRuleOut: an elimination order ending with another winner cannot be ruled out
	// by any assertion with a positive margin.
	CouldNotRuleOut ErrorKind = "CouldNotRuleOut"
	// TimeoutCheckingWinner, TimeoutFindingAssertions, TimeoutTrimmingAssertions: the time
	// or work limit ran out in that stage.
	TimeoutCheckingWinner     ErrorKind = "TimeoutCheckingWinner"
	TimeoutFindingAssertions  ErrorKind = "TimeoutFindingAssertions"
	TimeoutTrimmingAssertions ErrorKind = "TimeoutTrimmingAssertions"
	// InternalError: the assertions found do not prove the winner (a bug; please report it).
	InternalError ErrorKind = "InternalError"
)

// Error is why Generate found no assertions.
type Error struct {
	Kind ErrorKind
	// Candidates are the tied winners (TiedWinners), the count's winners (WrongWinner) or the
	// elimination order not ruled out, first eliminated first (CouldNotRuleOut), as indices.
	Candidates []int
	// Names are Candidates' names.
	Names []string
	// Difficulty is, for TimeoutFindingAssertions, the lower bound on the difficulty reached
	// when the search stopped.
	Difficulty float64
	// Elapsed is the time spent before a timeout.
	Elapsed time.Duration
}

func (e *Error) Error() string {
	list := strings.Join(e.Names, ", ")
	switch e.Kind {
	case TiedWinners:
		return fmt.Sprintf("raire: %s are tied: the winner depends on how ties are broken, which no sample can check; count every ballot by hand", list)
	case WrongWinner:
		return fmt.Sprintf("raire: the reported winner did not win the count of these ballots (the count elects %s); check the reported winner and the CVRs", list)
	case CouldNotRuleOut:
		return fmt.Sprintf("raire: no assertion with a positive margin rules out the elimination order %s (the count is too close there); count every ballot by hand", list)
	case TimeoutCheckingWinner:
		return fmt.Sprintf("raire: the count's ties took more than the time limit to resolve (%v); raise the limit", e.Elapsed.Round(time.Millisecond))
	case TimeoutFindingAssertions:
		return fmt.Sprintf("raire: the search for assertions took more than the time limit (%v; difficulty at least %g so far); raise the limit", e.Elapsed.Round(time.Millisecond), e.Difficulty)
	case TimeoutTrimmingAssertions:
		return fmt.Sprintf("raire: removing redundant assertions took more than the time limit (%v); raise the limit or trim less", e.Elapsed.Round(time.Millisecond))
	}
	return fmt.Sprintf("raire: %s %s", e.Kind, list)
}

// HandCount reports whether the error means that only a full hand count can confirm the
// outcome (TiedWinners, CouldNotRuleOut).
func (e *Error) HandCount() bool { return e.Kind == TiedWinners || e.Kind == CouldNotRuleOut }

// Is makes errors.Is(err, ErrFullHandCount) true when HandCount is.
func (e *Error) Is(target error) bool { return target == ErrFullHandCount && e.HandCount() }

// budget is the time and work limit of one Generate call (raire-rs's TimeOut): every unit of
// work (a node of the search or of a tree, a count of the ballots) is one step.
type budget struct {
	start    time.Time
	deadline time.Time // zero: none
	limit    int64     // 0: none
	work     int64
	kind     ErrorKind // the error a step returns when the budget is spent
}

var errBudget = errors.New("raire: budget spent")

func (b *budget) step() error {
	b.work++
	if b.limit > 0 && b.work > b.limit {
		return errBudget
	}
	if !b.deadline.IsZero() && b.work&63 == 0 && time.Now().After(b.deadline) {
		return errBudget
	}
	return nil
}
