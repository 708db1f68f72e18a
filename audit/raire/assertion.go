package raire

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"strings"
)

// Type is the kind of an assertion.
type Type string

// The two kinds of assertion (raire-rs's names).
const (
	// NEB is "not eliminated before": Winner is not eliminated before Loser, because
	// Winner's first preferences outnumber the ballots that rank Loser above Winner (or rank
	// Loser and not Winner). RAIRE calls it WO (winner-only).
	NEB Type = "NEB"
	// NEN is "not eliminated next": when exactly Continuing remain, Winner has more votes
	// than Loser, so Winner is not the candidate eliminated next. RAIRE calls it IRV(w, ℓ, S).
	NEN Type = "NEN"
)

// Assertion is one assertion about the count, candidates by index.
type Assertion struct {
	Type          Type
	Winner, Loser int
	// Continuing is NEN's set of continuing candidates, in increasing order (nil for NEB).
	Continuing []int
}

// Scored is an assertion with the tallies it compares, its margin and its difficulty.
type Scored struct {
	Assertion
	// WinnerTally and LoserTally are the tallies the assertion compares: for NEB, Winner's
	// first preferences and the ballots ranking Loser above Winner; for NEN, the two
	// candidates' votes when only Continuing remain.
	WinnerTally, LoserTally int64
	// Margin is WinnerTally − LoserTally, in ballots.
	Margin int64
	// Difficulty is the model's estimate of the effort to audit the assertion.
	Difficulty float64
}

// Describe says what the assertion asserts, with candidate names.
func (a Assertion) Describe(candidates []string) string {
	w, l := names(candidates, []int{a.Winner})[0], names(candidates, []int{a.Loser})[0]
	if a.Type == NEB {
		return fmt.Sprintf("%s is not eliminated before %s", w, l)
	}
	return fmt.Sprintf("%s is not eliminated next when {%s} remain: %s has more votes than %s", w, joinNames(candidates, a.Continuing), w, l)
}

// String is the assertion with indices, as "NEB 2>1" or "NEN 0>3 {0,2,3}".
func (a Assertion) String() string {
	if a.Type == NEB {
		return fmt.Sprintf("NEB %d>%d", a.Winner, a.Loser)
	}
	parts := make([]string, len(a.Continuing))
	for i, c := range a.Continuing {
		parts[i] = fmt.Sprint(c)
	}
	return fmt.Sprintf("NEN %d>%d {%s}", a.Winner, a.Loser, strings.Join(parts, ","))
}

// key is an assertion in comparable form: NEN's continuing set as a bit mask.
type key struct {
	neb  bool
	w, l uint8
	s    uint64
}

func (k key) assertion() Assertion {
	if k.neb {
		return Assertion{Type: NEB, Winner: int(k.w), Loser: int(k.l)}
	}
	return Assertion{Type: NEN, Winner: int(k.w), Loser: int(k.l), Continuing: members(k.s)}
}

func keyOf(a Assertion, n int) (key, error) {
	if a.Winner < 0 || a.Winner >= n || a.Loser < 0 || a.Loser >= n || a.Winner == a.Loser {
		return key{}, fmt.Errorf("%w: assertion %s with %d candidates", ErrInput, a, n)
	}
	k := key{neb: a.Type == NEB, w: uint8(a.Winner), l: uint8(a.Loser)}
	switch a.Type {
	case NEB:
	case NEN:
		for _, c := range a.Continuing {
			if c < 0 || c >= n {
				return key{}, fmt.Errorf("%w: assertion %s with %d candidates", ErrInput, a, n)
			}
			k.s |= 1 << c
		}
		if k.s>>a.Winner&1 == 0 || k.s>>a.Loser&1 == 0 {
			return key{}, fmt.Errorf("%w: assertion %s: its winner and loser must be continuing", ErrInput, a)
		}
	default:
		return key{}, fmt.Errorf("%w: assertion type %q", ErrInput, a.Type)
	}
	return k, nil
}

// effect is what an assertion says about the elimination orders that end with a suffix.
type effect int8

const (
	allowed   effect = iota // every order with this suffix satisfies the assertion
	ruledOut                // no order with this suffix does
	undecided               // some do, some do not: look at longer suffixes
)

// effect of the assertion on an elimination-order suffix: suffix[len−1] is the last candidate
// standing (the winner of the order), suffix[0] the earliest eliminated of those listed; the
// candidates not listed were eliminated before all of them.
func (k key) effect(suffix []uint8) effect {
	if k.neb {
		// Whichever of the two appears last in the order outlasted the other.
		for i := len(suffix) - 1; i >= 0; i-- {
			switch suffix[i] {
			case k.w:
				return allowed
			case k.l:
				return ruledOut
			}
		}
		return undecided
	}
	size := bits.OnesCount64(k.s)
	tail := suffix
	if len(tail) > size {
		tail = tail[len(tail)-size:]
	}
	for _, c := range tail {
		if k.s>>c&1 == 0 {
			return allowed // the continuing set at that point is not S
		}
	}
	if len(tail) == size {
		if tail[0] == k.w {
			return ruledOut // w is the one eliminated when S remain
		}
		return allowed
	}
	for _, c := range tail {
		if c == k.w {
			return allowed // w outlasts whoever is eliminated when S remain
		}
	}
	return undecided
}

// score returns an assertion's tallies.
func (t *tallies) score(k key, scratch []int64) (w, l int64) {
	if k.neb {
		return t.first[k.w], t.before[k.l][k.w]
	}
	t.restricted(k.s, scratch)
	return scratch[k.w], scratch[k.l]
}

// Score computes an assertion's tallies, margin and difficulty in a contest under a model.
func Score(c *Contest, a Assertion, m Model) (Scored, error) {
	if err := m.Validate(); err != nil {
		return Scored{}, err
	}
	t, err := newTallies(c)
	if err != nil {
		return Scored{}, err
	}
	k, err := keyOf(a, t.n)
	if err != nil {
		return Scored{}, err
	}
	w, l := t.score(k, make([]int64, t.n))
	return Scored{Assertion: k.assertion(), WinnerTally: w, LoserTally: l, Margin: w - l, Difficulty: m.Difficulty(w, l)}, nil
}

// sortAssertions orders assertions as raire-rs lists them: NEBs first, by winner then loser;
// then NENs by the size of the continuing set, winner, loser and the set (lexicographically,
// as lists of candidates).
func sortAssertions(ks []key) {
	slices.SortStableFunc(ks, func(a, b key) int {
		if a.neb != b.neb {
			if a.neb {
				return -1
			}
			return 1
		}
		if !a.neb {
			if c := cmp.Compare(bits.OnesCount64(a.s), bits.OnesCount64(b.s)); c != 0 {
				return c
			}
		}
		if c := cmp.Compare(a.w, b.w); c != 0 {
			return c
		}
		if c := cmp.Compare(a.l, b.l); c != 0 {
			return c
		}
		// Sets of one size: the one holding the smallest candidate in only one of them comes
		// first.
		d := a.s ^ b.s
		if d == 0 {
			return 0
		}
		if a.s&(d&-d) != 0 {
			return -1
		}
		return 1
	})
}
