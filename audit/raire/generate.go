package raire

import (
	"container/heap"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"sort"
	"time"
)

// Trim chooses how redundant assertions are removed after the search (raire-rs's
// TrimAlgorithm; its AssertionTrimmingAlgorithm.md explains the trade-off).
type Trim string

// The trimming options.
const (
	// TrimNone keeps every assertion the search took.
	TrimNone Trim = "None"
	// MinimizeTree (the default) builds the tree of elimination-order suffixes, stopping each
	// branch at the first node an assertion rules out, and keeps only the assertions that
	// tree needs: the smallest tree for a person to check, perhaps more assertions.
	MinimizeTree Trim = "MinimizeTree"
	// MinimizeAssertions goes on past ruled-out nodes while assertions still bear on them,
	// so an assertion whose work its others do anyway can be dropped: fewer assertions,
	// perhaps a larger tree (and perhaps more time than the search itself).
	MinimizeAssertions Trim = "MinimizeAssertions"
)

// Options are the inputs of Generate besides the contest.
type Options struct {
	// Winner is the reported winner's name; "" takes the count's winner (as raire-rs does
	// without a winner). A reported winner who did not win the count is an error
	// (WrongWinner), so the audit never proves someone other than the announced winner.
	Winner string
	// Model scores assertions; the search minimises the largest difficulty.
	Model Model
	// Trim is the trimming option; "" is MinimizeTree.
	Trim Trim
	// TimeLimit bounds the whole call (0: none); WorkLimit bounds the number of steps (nodes
	// of the search and of the trimming trees, counts of the ballots; 0: none), which unlike
	// time is the same on every machine.
	TimeLimit time.Duration
	WorkLimit int64
	// DifficultyEstimate is raire-rs's difficulty_estimate: the search does not try to make
	// the hardest assertion easier than this, which may save time (0: as easy as possible).
	DifficultyEstimate float64
}

// Stage is the work and time one stage of Generate took (raire-rs's time_to_… fields).
type Stage struct {
	Work    int64
	Elapsed time.Duration
}

// Result is a set of assertions that together imply the reported winner won.
type Result struct {
	Candidates []string
	// Assertions, in raire-rs's order (NEBs, then NENs by the size of their continuing set).
	Assertions []Scored
	// Difficulty is the largest difficulty of the assertions; Margin the smallest margin.
	Difficulty float64
	Margin     int64
	// Winner is the reported winner's index.
	Winner int
	// EliminationOrder is the count's elimination order, first eliminated first, the winner
	// last.
	EliminationOrder []int
	Model            Model
	Trim             Trim
	// Ballots is the number of ballots with a ranking.
	Ballots int64
	// DetermineWinners, FindAssertions and TrimAssertions are the stages' work and time.
	DetermineWinners, FindAssertions, TrimAssertions Stage
	// Restarted is true when the search ran long and the assertions were read from the
	// optimum instead (see Generate).
	Restarted bool
}

// Generate finds assertions that imply the reported winner won the contest, minimising the
// difficulty of the hardest one under the model (RAIRE sec. 5, Algorithm 1).
//
// The search walks the tree of elimination-order suffixes: the roots are the orders in which
// another candidate c wins ([c]); the children of a suffix π are [c′] ++ π for every c′ not in
// π (c′ eliminated just before the candidates of π). For each suffix it finds the easiest
// assertion that rules it out (find best audit: an NEB between its first candidate and the
// others, or the NEN in which its first candidate beats the weakest of the others) and keeps,
// for each node, the easier of that and its ancestors' best. It repeatedly takes the node
// whose best assertion is hardest; if that is no harder than the lower bound LB (the
// hardest assertion some complete order already forced), the assertion is taken and every
// node it covers leaves the frontier; otherwise the node is expanded. A complete order
// (every candidate listed) must be ruled out: its best assertion is taken and LB raised to
// its difficulty, or, if none has a positive margin, the contest cannot be audited with
// assertions (ErrFullHandCount). Before expanding a node the first time the search "dives"
// along the count's own elimination order to a complete order (RAIRE's diving heuristic, as
// raire-rs does), which raises LB early.
//
// Before the search, optimum computes the value LB must end at by dynamic programming over
// sets of candidates (a suffix's own best assertion depends only on its first candidate and
// the set of the others), which checks the search. On contests with many nearly tied
// candidates the search can expand a great many suffixes, in every order, before LB reaches
// that value; when it has used twice the work of the optimum (and 5,000 steps more), the
// assertions are read from the optimum instead (Result.Restarted): the hardest is as easy,
// the easier ones may differ from the search's.
//
// Redundant assertions are then removed (Trim), and the set left is proved to imply the
// winner (as Proves does) before it is returned. A *Error says why no assertions were found.
func Generate(c *Contest, opts Options) (*Result, error) { return generate(c, opts, false) }

// generate is Generate; extractOnly skips the search and reads the assertions from the
// optimum, as Generate does when the search runs long (for tests).
func generate(c *Contest, opts Options, extractOnly bool) (*Result, error) {
	if err := opts.Model.Validate(); err != nil {
		return nil, err
	}
	switch opts.Trim {
	case "":
		opts.Trim = MinimizeTree
	case TrimNone, MinimizeTree, MinimizeAssertions:
	default:
		return nil, fmt.Errorf("%w: trimming %q (use %s, %s or %s)", ErrInput, opts.Trim, TrimNone, MinimizeTree, MinimizeAssertions)
	}
	if opts.TimeLimit < 0 || opts.WorkLimit < 0 || opts.DifficultyEstimate < 0 || math.IsNaN(opts.DifficultyEstimate) {
		return nil, fmt.Errorf("%w: negative limit", ErrInput)
	}
	t, err := newTallies(c)
	if err != nil {
		return nil, err
	}
	if t.total > opts.Model.Ballots {
		return nil, fmt.Errorf("%w: %d ballots rank a candidate but the model has only %d auditable ballots", ErrInput, t.total, opts.Model.Ballots)
	}
	b := &budget{start: time.Now(), limit: opts.WorkLimit, kind: TimeoutCheckingWinner}
	if opts.TimeLimit > 0 {
		b.deadline = b.start.Add(opts.TimeLimit)
	}
	g := newGen(t, opts.Model, b, c.Candidates)
	res := &Result{Candidates: append([]string(nil), c.Candidates...), Model: opts.Model, Trim: opts.Trim, Ballots: t.total}

	// Stage 1: the count, and the reported winner against it.
	mark := func(s *Stage, since time.Time, work0 int64) { s.Work, s.Elapsed = b.work-work0, time.Since(since) }
	winners, order, err := t.count(b)
	if err != nil {
		return nil, g.fail(err, nil)
	}
	mark(&res.DetermineWinners, b.start, 0)
	res.EliminationOrder = order
	if opts.Winner != "" {
		w, ok := c.Index(opts.Winner)
		if !ok {
			return nil, fmt.Errorf("%w: the reported winner %q is not a candidate", ErrInput, opts.Winner)
		}
		if winners>>w&1 == 0 {
			return nil, g.errorOf(WrongWinner, members(winners))
		}
	}
	if bits.OnesCount64(winners) != 1 {
		return nil, g.errorOf(TiedWinners, members(winners))
	}
	g.winner = bits.TrailingZeros64(winners)
	res.Winner = g.winner

	// Stage 2: the search.
	since, work0 := time.Now(), b.work
	b.kind = TimeoutFindingAssertions
	g.nebDiff = make([][]float64, t.n)
	for w := range g.nebDiff {
		g.nebDiff[w] = make([]float64, t.n)
		for l := range g.nebDiff[w] {
			g.nebDiff[w][l] = math.Inf(1)
			if w != l {
				g.nebDiff[w][l] = g.m.Difficulty(t.first[w], t.before[l][w])
			}
		}
	}
	g.bound = opts.DifficultyEstimate
	opt, err := g.optimum(order)
	if err != nil {
		return nil, g.fail(err, nil)
	}
	// RAIRE's search, as raire-rs runs it, unless it runs long: on a contest with many
	// nearly tied candidates its lower bound can stay below the optimum while it expands a
	// great many suffixes, in every order, that the optimum settles at once. Then the
	// assertions are read from the optimum instead (extract): the hardest is as easy as the
	// search's would be, the easier ones may differ.
	g.cap = b.work + 2*(b.work-work0) + 5000
	err = errCap
	if !extractOnly {
		err = g.search(order)
	}
	if errors.Is(err, errCap) {
		g.cap, g.bound = 0, opt
		res.Restarted = true
		err = g.extract(opt)
	}
	if err != nil {
		return nil, g.fail(err, nil)
	}
	if g.bound != opt {
		return nil, g.errorOf(InternalError, nil)
	}
	mark(&res.FindAssertions, since, work0)

	// Stage 3: trimming, and the proof that the assertions left imply the winner.
	since, work0 = time.Now(), b.work
	b.kind = TimeoutTrimmingAssertions
	keys := g.taken
	sortAssertions(keys)
	// Assertions read from the optimum already stop every branch at its first ruled-out
	// suffix, which is the tree MinimizeTree keeps; only MinimizeAssertions goes further.
	if opts.Trim == MinimizeAssertions || (opts.Trim == MinimizeTree && !res.Restarted) {
		if keys, err = g.trim(keys, opts.Trim == MinimizeAssertions); err != nil {
			return nil, g.fail(err, nil)
		}
	}
	if err := g.check(keys); err != nil {
		return nil, g.fail(err, nil)
	}
	mark(&res.TrimAssertions, since, work0)

	for i, k := range keys {
		w, l := t.score(k, g.scratch)
		s := Scored{Assertion: k.assertion(), WinnerTally: w, LoserTally: l, Margin: w - l, Difficulty: g.m.Difficulty(w, l)}
		res.Assertions = append(res.Assertions, s)
		if i == 0 || s.Difficulty > res.Difficulty {
			res.Difficulty = s.Difficulty
		}
		if i == 0 || s.Margin < res.Margin {
			res.Margin = s.Margin
		}
	}
	return res, nil
}

// gen is the state of one Generate call.
type gen struct {
	t       *tallies
	m       Model
	b       *budget
	cands   []string
	winner  int
	nebDiff [][]float64 // nebDiff[w][ℓ]: difficulty of NEB(w, ℓ)
	scratch []int64
	// buffers of ownAll
	base, gain []int64
	moved      [][]int64
	owns       []best

	bound    float64 // LB
	frontier frontier
	seq      uint64
	taken    []key
	have     map[key]bool
	covers   map[string]bool // suffixes whose orders are all ruled out
	cap      int64           // the plain search's share of the work (0: none)
}

func newGen(t *tallies, m Model, b *budget, cands []string) *gen {
	g := &gen{t: t, m: m, b: b, cands: cands, scratch: make([]int64, t.n), base: make([]int64, t.n), gain: make([]int64, t.n),
		moved: make([][]int64, t.n), owns: make([]best, t.n)}
	for i := range g.moved {
		g.moved[i] = make([]int64, t.n)
	}
	return g
}

// errCap stops the plain search when it has used its share of the work.
var errCap = errors.New("raire: the plain search ran long")

func (g *gen) errorOf(kind ErrorKind, cands []int) *Error {
	return &Error{Kind: kind, Candidates: cands, Names: names(g.cands, cands), Elapsed: time.Since(g.b.start)}
}

// fail turns a spent budget into the stage's timeout error.
func (g *gen) fail(err error, cands []int) error {
	if errors.Is(err, errBudget) {
		e := g.errorOf(g.b.kind, cands)
		if g.b.kind == TimeoutFindingAssertions {
			e.Difficulty = g.bound
		}
		return e
	}
	return err
}

// best is the easiest assertion known to rule out a node, with its difficulty.
type best struct {
	k    key
	diff float64
}

// node is a suffix π of an elimination order (π[len−1] wins), with the best assertion that
// rules out it or one of its ancestors (the suffixes of π, ancestor: its last anc entries).
type node struct {
	pi   []uint8
	best best
	anc  int
	dive int // the child already made by a dive, or −1
	seq  uint64
}

// frontier is a max-heap on difficulty; among equals, the newest node first (depth first).
type frontier []*node

func (f frontier) Len() int { return len(f) }
func (f frontier) Less(i, j int) bool {
	if f[i].best.diff != f[j].best.diff {
		return f[i].best.diff > f[j].best.diff
	}
	return f[i].seq > f[j].seq
}
func (f frontier) Swap(i, j int) { f[i], f[j] = f[j], f[i] }
func (f *frontier) Push(x any)   { *f = append(*f, x.(*node)) }
func (f *frontier) Pop() any {
	old := *f
	x := old[len(old)-1]
	old[len(old)-1] = nil
	*f = old[:len(old)-1]
	return x
}

// findBest is RAIRE's find best audit for the suffix π with c = π[0]: NEB(c, c′) for c′
// later in π, NEB(c″, c) for c″ not in π (eliminated before c, which it must outlast), and
// NEN(c, c′, set(π)) against the weakest c′ of π.
func (g *gen) findBest(pi []uint8) best { return g.own(pi[0], setOf(pi[1:]), pi[1:]) }

// own is findBest for the suffix [c] ++ (the candidates of rest, in some order): it depends
// only on c and the set rest. order lists rest's candidates for breaking ties between
// equally weak losers (raire-rs takes the last in the suffix's order); nil takes them in
// index order.
func (g *gen) own(c uint8, rest uint64, order []uint8) best {
	out := g.ownNEB(c, rest)
	if rest != 0 {
		s := rest | 1<<c
		g.t.restricted(s, g.scratch)
		if nen := g.ownNEN(c, rest, order, g.scratch[c], func(x int) int64 { return g.scratch[x] }); nen.diff < out.diff {
			out = nen
		}
	}
	return out
}

// ownAll sets out[y] to own(y, rest) for every y not in rest, counting the ballots once for
// all of them (tallies.children).
func (g *gen) ownAll(rest uint64, order []uint8, out []best) {
	base, gain, moved := g.base, g.gain, g.moved
	if rest != 0 {
		g.t.children(rest, base, gain, moved)
	}
	for y := range g.t.n {
		if rest>>y&1 != 0 {
			continue
		}
		out[y] = g.ownNEB(uint8(y), rest)
		if rest == 0 {
			continue
		}
		row := moved[y]
		if nen := g.ownNEN(uint8(y), rest, order, gain[y], func(x int) int64 { return base[x] - row[x] }); nen.diff < out[y].diff {
			out[y] = nen
		}
	}
}

// ownNEB is the easiest NEB that rules out [c] ++ rest: NEB(c, c′) for c′ in rest, NEB(c″, c)
// for c″ not in it.
func (g *gen) ownNEB(c uint8, rest uint64) best {
	out := best{diff: math.Inf(1)}
	for alt := range g.t.n {
		if alt == int(c) {
			continue
		}
		k := key{neb: true, w: uint8(alt), l: c}
		if rest>>alt&1 != 0 {
			k.w, k.l = c, uint8(alt)
		}
		if d := g.nebDiff[k.w][k.l]; d < out.diff {
			out = best{k, d}
		}
	}
	return out
}

// ownNEN is NEN(c, ℓ, rest ∪ {c}) against the weakest ℓ of rest, given c's tally and the
// others' over that set.
func (g *gen) ownNEN(c uint8, rest uint64, order []uint8, tc int64, tally func(x int) int64) best {
	loser, lt := -1, int64(math.MaxInt64)
	if order == nil {
		for x := rest; x != 0; x &= x - 1 {
			if y := bits.TrailingZeros64(x); tally(y) <= lt {
				loser, lt = y, tally(y)
			}
		}
	} else {
		for _, x := range order {
			if v := tally(int(x)); v <= lt {
				loser, lt = int(x), v
			}
		}
	}
	return best{key{w: c, l: uint8(loser), s: rest | 1<<c}, g.m.Difficulty(tc, lt)}
}

// extend makes the child [c] ++ π of a node; own is its own best assertion if known.
func (g *gen) extend(parent *node, c int, own *best) (*node, error) {
	if err := g.b.step(); err != nil {
		return nil, err
	}
	if g.cap > 0 && g.b.work > g.cap {
		return nil, errCap
	}
	pi := make([]uint8, 1, len(parent.pi)+1)
	pi[0] = uint8(c)
	pi = append(pi, parent.pi...)
	g.seq++
	n := &node{pi: pi, best: parent.best, anc: parent.anc, dive: -1, seq: g.seq}
	var a best
	if own != nil {
		a = *own
	} else {
		a = g.findBest(pi)
	}
	if a.diff < parent.best.diff {
		n.best, n.anc = a, len(pi)
	}
	return n, nil
}

func (g *gen) push(n *node) { heap.Push(&g.frontier, n) }

// take adds a node's best assertion (once), and records that every order extending the
// ancestor it was found for is ruled out. RAIRE removes those orders from the frontier at once
// (its line 15); here a node is dropped when it is popped, or not pushed at all, if one of its
// suffixes is covered: the same nodes go, without a pass over the frontier for every
// assertion taken.
func (g *gen) take(n *node) {
	g.covers[string(n.pi[len(n.pi)-n.anc:])] = true
	if g.have[n.best.k] {
		return
	}
	g.have[n.best.k] = true
	g.taken = append(g.taken, n.best.k)
}

// covered reports whether an assertion taken rules out every order ending with pi.
func (g *gen) covered(pi []uint8) bool {
	for k := 1; k <= len(pi); k++ {
		if g.covers[string(pi[len(pi)-k:])] {
			return true
		}
	}
	return false
}

// complete handles a node that lists every candidate: an order that must be ruled out.
func (g *gen) complete(n *node) error {
	if math.IsInf(n.best.diff, 1) {
		order := make([]int, len(n.pi))
		for i, c := range n.pi {
			order[i] = int(c)
		}
		return g.errorOf(CouldNotRuleOut, order)
	}
	g.bound = max(g.bound, n.best.diff)
	g.take(n)
	return nil
}

func has(pi []uint8, c int) bool {
	for _, x := range pi {
		if int(x) == c {
			return true
		}
	}
	return false
}

func (g *gen) search(order []int) error {
	g.have, g.covers = map[key]bool{}, map[string]bool{}
	for c := range g.t.n {
		if c == g.winner {
			continue
		}
		pi := []uint8{uint8(c)}
		g.seq++
		g.push(&node{pi: pi, best: g.findBest(pi), anc: 1, dive: -1, seq: g.seq})
	}
	for g.frontier.Len() > 0 {
		n := heap.Pop(&g.frontier).(*node)
		if g.covered(n.pi) {
			continue
		}
		if n.best.diff <= g.bound {
			g.take(n)
			continue
		}
		if n.dive < 0 {
			// Dive along the count's elimination order, from its winner down.
			var last *node
			for i := len(order) - 1; i >= 0; i-- {
				c := order[i]
				if has(n.pi, c) {
					continue
				}
				from := n
				if last != nil {
					from = last
				}
				from.dive = c
				child, err := g.extend(from, c, nil)
				if err != nil {
					return err
				}
				if last != nil {
					g.push(last)
				}
				if g.covered(child.pi) {
					last = nil
					break
				}
				if child.best.diff <= g.bound {
					g.take(child)
					last = nil
					break
				}
				last = child
			}
			if last != nil {
				if err := g.complete(last); err != nil {
					return err
				}
			}
		}
		g.ownAll(setOf(n.pi), n.pi, g.owns)
		for c := range g.t.n {
			if has(n.pi, c) || c == n.dive {
				continue
			}
			child, err := g.extend(n, c, &g.owns[c])
			if err != nil {
				return err
			}
			if g.covered(child.pi) {
				continue
			}
			if len(child.pi) == g.t.n {
				if err := g.complete(child); err != nil {
					return err
				}
			} else {
				g.push(child)
			}
		}
	}
	return nil
}

// optimum is the smallest difficulty the hardest assertion can have (at least the difficulty
// estimate): the value RAIRE's lower bound ends at, computed by dynamic programming over sets
// of candidates. A suffix [y] ++ π is ruled out at cost min(own(y, set(π)), the cost of its
// children), a node listing every candidate at cost own, and the contest at the largest cost
// of its roots; every one of these depends on π only through its set (see own), so each set
// is costed once. Three cuts keep it small, as RAIRE's bound does its search: a cost no larger
// than the bound found so far (started at the best of the dives along the count's own order,
// each a lower bound) is not refined; children are costed in decreasing order of own, and
// the rest skipped once own is no larger than the maximum so far; and a set's cost is only
// needed up to its parent's own (a "ceiling"), so it stops there. An order that no assertion
// rules out is CouldNotRuleOut.
func (g *gen) optimum(order []int) (float64, error) {
	full := uint64(1)<<g.t.n - 1
	if g.t.n == 64 {
		full = math.MaxUint64
	}
	lb := g.bound
	// Dives: a complete order must be ruled out by the own assertion of one of its suffixes,
	// so the easiest of those is a lower bound of the optimum.
	for c := range g.t.n {
		if c == g.winner {
			continue
		}
		s := uint64(1) << c
		easiest := g.own(uint8(c), 0, nil).diff
		for i := len(order) - 1; i >= 0 && easiest > lb; i-- {
			if y := order[i]; s>>y&1 == 0 {
				easiest = min(easiest, g.own(uint8(y), s, nil).diff)
				s |= 1 << y
			}
		}
		if s == full && !math.IsInf(easiest, 1) {
			lb = max(lb, easiest)
		}
	}
	memo := map[uint64]cost{}
	var set func(s uint64, ceil float64) (float64, error)
	set = func(s uint64, ceil float64) (float64, error) {
		if e, ok := memo[s]; ok {
			switch {
			case e.v >= e.ceil:
				if ceil <= e.v {
					return e.v, nil
				}
			default:
				return e.v, nil
			}
		}
		if err := g.b.step(); err != nil {
			return 0, err
		}
		owns := make([]best, g.t.n)
		g.ownAll(s, nil, owns)
		ys := make([]int, 0, g.t.n)
		for y := range g.t.n {
			if s>>y&1 == 0 {
				ys = append(ys, y)
			}
		}
		sort.SliceStable(ys, func(i, j int) bool { return owns[ys[i]].diff > owns[ys[j]].diff })
		v := 0.0
		for _, y := range ys {
			d := owns[y].diff
			if d <= max(v, lb) {
				v = max(v, d)
				break
			}
			x := d
			if s|1<<y != full {
				c, err := set(s|1<<y, d)
				if err != nil {
					return 0, err
				}
				x = min(d, c)
			}
			v = max(v, x)
			if v >= ceil {
				break
			}
		}
		memo[s] = cost{v, ceil, lb}
		return v, nil
	}
	for c := range g.t.n {
		if c == g.winner {
			continue
		}
		d := g.own(uint8(c), 0, nil).diff
		if d <= lb {
			continue
		}
		v := d
		if g.t.n > 1 && uint64(1)<<c != full {
			x, err := set(1<<c, d)
			if err != nil {
				return 0, err
			}
			v = min(d, x)
		}
		if math.IsInf(v, 1) {
			return 0, g.unruled(c, memo)
		}
		lb = max(lb, v)
	}
	return lb, nil
}

// cost is a set's cost in optimum's memo: exact if lb < v < ceil; at least v if v ≥ ceil;
// at most v if v ≤ lb (lb and ceil as they were when it was computed).
type cost struct{ v, ceil, lb float64 }

// unruled follows, from the root [c], suffixes whose cost is +∞ down to a complete order no
// assertion rules out.
func (g *gen) unruled(c int, memo map[uint64]cost) error {
	full := uint64(1)<<g.t.n - 1
	if g.t.n == 64 {
		full = math.MaxUint64
	}
	order := []int{c}
	s := uint64(1) << c
	for s != full {
		next := -1
		for y := range g.t.n {
			if s>>y&1 == 0 && math.IsInf(g.own(uint8(y), s, nil).diff, 1) && (s|1<<y == full || math.IsInf(memo[s|1<<y].v, 1)) {
				next = y
				break
			}
		}
		if next < 0 {
			return g.errorOf(InternalError, order)
		}
		order = append([]int{next}, order...)
		s |= 1 << next
	}
	return g.errorOf(CouldNotRuleOut, order)
}

// extract chooses assertions from the optimum opt: every suffix with an assertion of its own
// no harder than opt takes one (see reuse); the others are ruled out through their children. As in optimum,
// the children of every suffix with the same set are the same, so each set is visited once.
func (g *gen) extract(opt float64) error {
	full := uint64(1)<<g.t.n - 1
	if g.t.n == 64 {
		full = math.MaxUint64
	}
	g.have = map[key]bool{}
	g.taken = nil
	done := map[uint64]bool{}
	owns := make([]best, g.t.n)
	var visit func(s uint64, roots bool) error
	visit = func(s uint64, roots bool) error {
		if done[s] {
			return nil
		}
		done[s] = true
		if err := g.b.step(); err != nil {
			return err
		}
		g.ownAll(s, nil, owns)
		var next []uint64
		for y := range g.t.n {
			if s>>y&1 != 0 || (roots && y == g.winner) {
				continue
			}
			switch b := g.reuse(uint8(y), s, owns[y], opt); {
			case b.diff <= opt:
				if !g.have[b.k] {
					g.have[b.k] = true
					g.taken = append(g.taken, b.k)
				}
			case s|1<<y == full:
				return g.errorOf(InternalError, members(s|1<<y))
			default:
				next = append(next, s|1<<y)
			}
		}
		for _, t := range next {
			if err := visit(t, false); err != nil {
				return err
			}
		}
		return nil
	}
	return visit(0, true)
}

// reuse picks, for the suffix [y] ++ rest, an assertion no harder than opt that rules it out,
// preferring one already taken, then an NEB (an NEB rules out suffixes of many sets, an NEN
// those of one), then own, its easiest.
func (g *gen) reuse(y uint8, rest uint64, own best, opt float64) best {
	if own.diff > opt {
		return own
	}
	if g.have[own.k] {
		return own
	}
	neb := best{diff: math.Inf(1)}
	for alt := range g.t.n {
		if alt == int(y) {
			continue
		}
		k := key{neb: true, w: uint8(alt), l: y}
		if rest>>alt&1 != 0 {
			k.w, k.l = y, uint8(alt)
		}
		d := g.nebDiff[k.w][k.l]
		if d > opt {
			continue
		}
		if g.have[k] {
			return best{k, d}
		}
		if d < neb.diff {
			neb = best{k, d}
		}
	}
	if neb.diff <= opt {
		return neb
	}
	return own
}
