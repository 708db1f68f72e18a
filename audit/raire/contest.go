// Package raire generates the assertions of a risk-limiting audit of an instant-runoff (IRV)
// contest and gives their SHANGRLA assorters.
//
// RAIRE (Blom, Stuckey, Teague, "RAIRE: Risk-Limiting Audits for Instant Runoff Voting",
// arXiv:1903.08804, 2019; below "RAIRE") reduces the question "did the reported winner win this
// IRV count?" to a few pairwise comparisons of tallies, each of which a sample can test like a
// plurality contest:
//
//   - NEB(w, ℓ), "w is not eliminated before ℓ" (RAIRE's WO, winner-only): w's first
//     preferences outnumber the ballots on which ℓ is ranked above w (or ℓ is ranked and w is
//     not). Then ℓ is still continuing whenever w is eliminated, so w outlasts ℓ.
//   - NEN(w, ℓ, S), "w is not eliminated next when exactly S remain" (RAIRE's IRV(w, ℓ, S)):
//     among ballots counted for their first candidate in S, w has more than ℓ, so w is not the
//     one eliminated when S are the continuing candidates.
//
// Generate searches the tree of elimination-order suffixes (RAIRE sec. 5, Algorithm 1, with
// its "diving" search order) for a set of assertions that rules out every elimination order
// in which someone other than the reported winner wins, choosing the set whose hardest
// assertion is as easy to audit as possible under a difficulty Model; it then removes
// redundant assertions as raire-rs (Andrew Conway's Rust implementation, the reference used
// by Democracy Developers) does. Its JSON (WriteJSON) mirrors raire-rs's output so results can
// be compared with the reference.
//
// Each assertion is then audited by a SHANGRLA assorter (Stark, "Sets of Half-Average Nulls
// Generate Risk-Limiting Audits: SHANGRLA", 2020, sec. 2.4; Blom et al., "Assertion-based
// approaches to auditing complex elections, with application to party-list proportional
// elections", 2021): Assorter maps a card's ranking to a plurality-style vote for the
// assertion's winner, its loser or neither, so the plurality assorter, the comparison
// (overstatement) assorter and the ALPHA and Kaplan-Markov risk functions of package audit
// apply unchanged, and one sample of cards serves IRV and plurality contests alike.
//
// Like the rest of package audit this package does no I/O beyond the writers it is given.
package raire

import (
	"fmt"
	"math"
	"math/bits"
	"strings"
)

// MaxCandidates is the largest number of candidates a contest may have (the search keeps sets
// of candidates in 64-bit words).
const MaxCandidates = 64

// Vote is one distinct ranking and the number of ballots that have it.
type Vote struct {
	// N is the number of ballots with this ranking.
	N int64
	// Prefs are candidate indices, most preferred first, each at most once: the ranking as
	// the count reads it (overvotes, skipped ranks and repeated candidates already resolved
	// by the contest's rules).
	Prefs []int
}

// Contest is an IRV contest as RAIRE sees it: its candidates and its ballots, compressed into
// distinct rankings with their counts (Builder does the compression).
type Contest struct {
	Candidates []string
	Votes      []Vote
}

// Builder compresses ballots into a Contest: identical rankings become one Vote.
type Builder struct {
	c     Contest
	index map[string]int
	seen  map[string]int // ranking key → index in c.Votes
	key   []byte
	prefs []int
	mark  []bool
}

// NewBuilder starts a contest with the given candidates (distinct names, at most
// MaxCandidates).
func NewBuilder(candidates []string) (*Builder, error) {
	if len(candidates) == 0 || len(candidates) > MaxCandidates {
		return nil, fmt.Errorf("%w: %d candidates (RAIRE takes 1 to %d)", ErrInput, len(candidates), MaxCandidates)
	}
	b := &Builder{index: make(map[string]int, len(candidates)), seen: map[string]int{}, mark: make([]bool, len(candidates))}
	for i, c := range candidates {
		if _, dup := b.index[c]; dup {
			return nil, fmt.Errorf("%w: candidate %q listed twice", ErrInput, c)
		}
		b.index[c] = i
	}
	b.c.Candidates = append([]string(nil), candidates...)
	return b, nil
}

// Add counts n ballots with the ranking (candidate names, most preferred first). A candidate
// ranked again is skipped (the first ranking counts); an unknown name is an error; an empty
// ranking counts for no one and is not kept.
func (b *Builder) Add(ranking []string, n int64) error {
	b.prefs = b.prefs[:0]
	for _, name := range ranking {
		i, ok := b.index[name]
		if !ok {
			return fmt.Errorf("%w: %q is not a candidate", ErrInput, name)
		}
		b.prefs = append(b.prefs, i)
	}
	return b.AddIndices(b.prefs, n)
}

// AddIndices is Add with candidate indices.
func (b *Builder) AddIndices(prefs []int, n int64) error {
	if n < 0 {
		return fmt.Errorf("%w: %d ballots", ErrInput, n)
	}
	b.key = b.key[:0]
	for i := range b.mark {
		b.mark[i] = false
	}
	for _, p := range prefs {
		if p < 0 || p >= len(b.mark) {
			return fmt.Errorf("%w: candidate %d of %d", ErrInput, p, len(b.mark))
		}
		if b.mark[p] {
			continue
		}
		b.mark[p] = true
		b.key = append(b.key, byte(p))
	}
	if len(b.key) == 0 || n == 0 {
		return nil
	}
	if i, ok := b.seen[string(b.key)]; ok {
		if b.c.Votes[i].N > math.MaxInt64-n {
			return fmt.Errorf("%w: ballot count overflows", ErrInput)
		}
		b.c.Votes[i].N += n
		return nil
	}
	v := Vote{N: n, Prefs: make([]int, len(b.key))}
	for i, k := range b.key {
		v.Prefs[i] = int(k)
	}
	b.seen[string(b.key)] = len(b.c.Votes)
	b.c.Votes = append(b.c.Votes, v)
	return nil
}

// Contest returns the contest built so far (the builder must not be used afterwards).
func (b *Builder) Contest() *Contest { return &b.c }

// Index returns a candidate's index.
func (c *Contest) Index(name string) (int, bool) {
	for i, n := range c.Candidates {
		if n == name {
			return i, true
		}
	}
	return -1, false
}

// Ballots is the number of ballots with a ranking (the sum of the votes' counts).
func (c *Contest) Ballots() int64 {
	var t int64
	for _, v := range c.Votes {
		t += v.N
	}
	return t
}

// tallies is the contest flattened for the search: every ranking's candidates in one array.
type tallies struct {
	n      int
	prefs  []uint8 // the rankings, one after another
	start  []int32 // ranking i is prefs[start[i]:start[i+1]]
	weight []int64
	total  int64
	first  []int64   // first preferences
	before [][]int64 // before[a][b]: ballots ranking a above b (or a and not b)
}

func newTallies(c *Contest) (*tallies, error) {
	n := len(c.Candidates)
	if n == 0 || n > MaxCandidates {
		return nil, fmt.Errorf("%w: %d candidates (RAIRE takes 1 to %d)", ErrInput, n, MaxCandidates)
	}
	t := &tallies{n: n, first: make([]int64, n), before: make([][]int64, n), start: make([]int32, 0, len(c.Votes)+1)}
	for i := range t.before {
		t.before[i] = make([]int64, n)
	}
	seen := make([]bool, n)
	for _, v := range c.Votes {
		if v.N < 0 {
			return nil, fmt.Errorf("%w: a ranking with %d ballots", ErrInput, v.N)
		}
		if v.N == 0 || len(v.Prefs) == 0 {
			continue
		}
		if t.total > math.MaxInt64-v.N {
			return nil, fmt.Errorf("%w: ballot count overflows", ErrInput)
		}
		t.total += v.N
		t.start = append(t.start, int32(len(t.prefs)))
		t.weight = append(t.weight, v.N)
		for i := range seen {
			seen[i] = false
		}
		for _, p := range v.Prefs {
			if p < 0 || p >= n {
				return nil, fmt.Errorf("%w: candidate %d of %d in a ranking", ErrInput, p, n)
			}
			if seen[p] {
				continue // ranked again: the first ranking counts
			}
			seen[p] = true
			t.prefs = append(t.prefs, uint8(p))
			// p is above every candidate not yet seen on this ballot.
			row := t.before[p]
			for q := range n {
				if !seen[q] {
					row[q] += v.N
				}
			}
		}
		t.first[t.prefs[t.start[len(t.start)-1]]] += v.N
	}
	t.start = append(t.start, int32(len(t.prefs)))
	return t, nil
}

// restricted sets out[c] to the ballots whose first-ranked candidate among the continuing
// set (a bit mask) is c; the others are left at zero.
func (t *tallies) restricted(continuing uint64, out []int64) {
	for i := range out {
		out[i] = 0
	}
	for i, w := range t.weight {
		for _, p := range t.prefs[t.start[i]:t.start[i+1]] {
			if continuing>>p&1 != 0 {
				out[p] += w
				break
			}
		}
	}
}

// count runs the IRV count: the candidates who win with some resolution of the ties, and one
// elimination order (first eliminated first, the winner last; ties broken towards the lowest
// index). Eliminating several candidates with no votes at once changes nothing (no ballots
// move), so they are eliminated together. b may stop the count (ties can multiply the counts
// to run).
func (t *tallies) count(b *budget) (winners uint64, order []int, err error) {
	all := uint64(1)<<t.n - 1
	if t.n == 64 {
		all = math.MaxUint64
	}
	memo := map[uint64]uint64{}
	tally := make([]int64, t.n)
	var rec func(s uint64) (uint64, error)
	rec = func(s uint64) (uint64, error) {
		if bits.OnesCount64(s) == 1 {
			return s, nil
		}
		if w, ok := memo[s]; ok {
			return w, nil
		}
		if err := b.step(); err != nil {
			return 0, err
		}
		t.restricted(s, tally)
		lowest, tied := lowestTied(s, tally)
		var w uint64
		switch {
		case tied == s:
			w = s // everyone tied: anyone may win
		case lowest == 0:
			r, err := rec(s &^ tied)
			if err != nil {
				return 0, err
			}
			w = r
		default:
			for x := tied; x != 0; x &= x - 1 {
				r, err := rec(s &^ (x & -x))
				if err != nil {
					return 0, err
				}
				w |= r
			}
		}
		memo[s] = w
		return w, nil
	}
	winners, err = rec(all)
	if err != nil {
		return 0, nil, err
	}
	for s := all; s != 0; {
		if bits.OnesCount64(s) == 1 {
			order = append(order, bits.TrailingZeros64(s))
			break
		}
		t.restricted(s, tally)
		_, tied := lowestTied(s, tally)
		c := bits.TrailingZeros64(tied)
		order = append(order, c)
		s &^= 1 << c
	}
	return winners, order, nil
}

// lowestTied returns the lowest tally among the continuing set s and the candidates that have
// it.
func lowestTied(s uint64, tally []int64) (int64, uint64) {
	lowest := int64(math.MaxInt64)
	var tied uint64
	for x := s; x != 0; x &= x - 1 {
		c := bits.TrailingZeros64(x)
		switch {
		case tally[c] < lowest:
			lowest, tied = tally[c], 1<<c
		case tally[c] == lowest:
			tied |= 1 << c
		}
	}
	return lowest, tied
}

// members lists the candidates of a set in increasing order.
func members(s uint64) []int {
	out := make([]int, 0, bits.OnesCount64(s))
	for x := s; x != 0; x &= x - 1 {
		out = append(out, bits.TrailingZeros64(x))
	}
	return out
}

// names maps candidate indices to names.
func names(cands []string, idx []int) []string {
	out := make([]string, len(idx))
	for i, c := range idx {
		if c >= 0 && c < len(cands) {
			out[i] = cands[c]
		} else {
			out[i] = fmt.Sprint(c)
		}
	}
	return out
}

func joinNames(cands []string, idx []int) string { return strings.Join(names(cands, idx), ", ") }

// children computes, in one pass over the ballots, the tallies of every set s ∪ {y}, y not
// in s: when y joins the continuing set s, a ballot goes to y if it ranks y above all of s,
// and otherwise stays with its first candidate in s. So with base the tallies over s,
// gain[y] is y's tally over s ∪ {y} and base[x] − moved[y][x] the tally of x ∈ s. moved must
// be n×n; every output is overwritten.
func (t *tallies) children(s uint64, base, gain []int64, moved [][]int64) {
	for i := range base {
		base[i], gain[i] = 0, 0
		for j := range moved[i] {
			moved[i][j] = 0
		}
	}
	for i, w := range t.weight {
		prefs := t.prefs[t.start[i]:t.start[i+1]]
		first := -1
		for _, p := range prefs {
			if s>>p&1 != 0 {
				first = int(p)
				base[first] += w
				break
			}
		}
		for _, p := range prefs {
			if int(p) == first {
				break
			}
			gain[p] += w
			if first >= 0 {
				moved[p][first] += w
			}
		}
	}
}
