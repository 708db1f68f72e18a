package raire

import "math"

// Trimming (raire-rs's AssertionTrimmingAlgorithm.md, in our own words). The tree of
// elimination-order suffixes is built again from each root [c], c not the winner, with the
// assertions found: at each node every assertion either allows all the orders below it
// (dropped from the node's subtree), rules them all out (it "prunes" the node), or is
// undecided (kept for the children). MinimizeTree stops a branch at its first pruned node;
// MinimizeAssertions goes on below a pruned node while assertions are undecided, giving a
// pruned node a second way out: all its children pruned. Then two passes choose the
// assertions to keep: first, a leaf pruned by exactly one assertion needs that one; second,
// every pruned node not yet covered (by a kept assertion of its own, or by all of its
// children being covered) keeps the first of its assertions (the lists are in raire-rs's
// order, NEBs first). The assertions not kept are dropped.
//
// The subtree below a suffix depends only on the set of candidates in it, not on their
// order: an assertion still undecided at a suffix does not involve the order of the
// candidates already listed (an NEB undecided names neither of them; an NEN undecided has
// them all in its continuing set and not its winner), and which assertions are undecided is
// itself a matter of the set. So the children of every suffix with the same set are built
// once and shared (the tree is a DAG), which keeps contests with many nearly tied candidates,
// whose orders no assertion settles early, from costing a factorial.

// tnode is a node of the trimming tree.
type tnode struct {
	prune    []int32 // the assertions that rule this node out
	children []*tnode
	valid    bool // some order below this node survives every assertion
	covered  bool // the second pass found it covered (monotone, so kept)
	seen     bool // visited by the current pass
}

// trimmer builds the trimming tree of one assertion list.
type trimmer struct {
	g    *gen
	ks   []key
	goOn bool
	kids map[uint64][]*tnode // the children of every suffix with this set
}

func setOf(pi []uint8) uint64 {
	var s uint64
	for _, c := range pi {
		s |= 1 << c
	}
	return s
}

// node builds the node of the suffix [c] ++ parent, given the assertions undecided at parent.
func (tr *trimmer) node(parent []uint8, c uint8, relevant []int32) (*tnode, error) {
	if err := tr.g.b.step(); err != nil {
		return nil, err
	}
	suffix := make([]uint8, 1, len(parent)+1)
	suffix[0] = c
	suffix = append(suffix, parent...)
	n := &tnode{}
	var still []int32
	for _, i := range relevant {
		switch tr.ks[i].effect(suffix) {
		case ruledOut:
			n.prune = append(n.prune, i)
		case undecided:
			still = append(still, i)
		}
	}
	n.valid = len(n.prune) == 0 && len(still) == 0
	if len(still) == 0 || (len(n.prune) > 0 && !tr.goOn) {
		return n, nil
	}
	kids, err := tr.children(suffix, still)
	if err != nil {
		return nil, err
	}
	anyValid := false
	for _, k := range kids {
		anyValid = anyValid || k.valid
	}
	switch {
	case len(n.prune) == 0:
		n.valid, n.children = anyValid, kids
	case !anyValid:
		n.children = kids
	}
	// A pruned node with a valid child keeps no children: only its own assertions can rule
	// out the orders below it.
	return n, nil
}

// children returns the children of a suffix, built once per set of candidates.
func (tr *trimmer) children(suffix []uint8, still []int32) ([]*tnode, error) {
	s := setOf(suffix)
	if kids, ok := tr.kids[s]; ok {
		return kids, nil
	}
	var kids []*tnode
	for x := range tr.g.t.n {
		if s>>x&1 != 0 {
			continue
		}
		k, err := tr.node(suffix, uint8(x), still)
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	tr.kids[s] = kids
	return kids, nil
}

// trim keeps the assertions the trimming trees need, in their order.
func (g *gen) trim(ks []key, goOn bool) ([]key, error) {
	tr := &trimmer{g: g, ks: ks, goOn: goOn, kids: map[uint64][]*tnode{}}
	all := make([]int32, len(ks))
	for i := range all {
		all[i] = int32(i)
	}
	var roots []*tnode
	for c := range g.t.n {
		if c == g.winner {
			continue
		}
		r, err := tr.node(nil, uint8(c), all)
		if err != nil {
			return nil, err
		}
		if r.valid {
			return nil, g.errorOf(InternalError, []int{c})
		}
		roots = append(roots, r)
	}
	used := make([]bool, len(ks))
	var visited []*tnode
	clearSeen := func() {
		for _, n := range visited {
			n.seen = false
		}
		visited = visited[:0]
	}
	var forced func(n *tnode)
	forced = func(n *tnode) {
		if n.seen {
			return
		}
		n.seen = true
		visited = append(visited, n)
		if len(n.prune) == 0 {
			for _, ch := range n.children {
				forced(ch)
			}
			return
		}
		if len(n.children) == 0 && len(n.prune) == 1 {
			used[n.prune[0]] = true
		}
	}
	var covered func(n *tnode) bool
	covered = func(n *tnode) bool {
		if n.covered {
			return true
		}
		for _, i := range n.prune {
			if used[i] {
				n.covered = true
				return true
			}
		}
		if len(n.children) == 0 {
			return false
		}
		for _, ch := range n.children {
			if !covered(ch) {
				return false
			}
		}
		n.covered = true
		return true
	}
	var second func(n *tnode) error
	second = func(n *tnode) error {
		if n.seen {
			return nil
		}
		n.seen = true
		visited = append(visited, n)
		if err := g.b.step(); err != nil {
			return err
		}
		if len(n.prune) == 0 {
			for _, ch := range n.children {
				if err := second(ch); err != nil {
					return err
				}
			}
			return nil
		}
		if !covered(n) {
			used[n.prune[0]] = true
			n.covered = true
		}
		return nil
	}
	for _, r := range roots {
		forced(r)
	}
	clearSeen()
	for _, r := range roots {
		if err := second(r); err != nil {
			return nil, err
		}
	}
	var out []key
	for i, k := range ks {
		if used[i] {
			out = append(out, k)
		}
	}
	return out, nil
}

// prover decides whether some elimination order ending with a suffix satisfies every
// assertion. Whether an assertion rules out the suffix [y] ++ π (and not already a shorter
// suffix of it) depends only on y and the set of π: NEB(y, x) with x in π (y goes first),
// NEB(a, y) with a not in π (a went before y), or NEN(y, ·, set(π) ∪ {y}) (y goes first when
// exactly those remain). So the answer is computed once per set, with the assertions indexed
// by those three forms.
type prover struct {
	n      int
	full   uint64
	before []uint64          // before[y]: the ℓ of every NEB(y, ℓ)
	after  []uint64          // after[y]: the w of every NEB(w, y)
	nen    map[uint64]uint64 // nen[S]: the winners of the NENs with continuing set S
	memo   map[uint64]bool   // memo[T]: some order in which the candidates of T are the last survives
	b      *budget
}

func newProver(n int, ks []key, b *budget) *prover {
	p := &prover{n: n, full: uint64(1)<<n - 1, before: make([]uint64, n), after: make([]uint64, n), nen: map[uint64]uint64{}, memo: map[uint64]bool{}, b: b}
	if n == 64 {
		p.full = math.MaxUint64
	}
	for _, k := range ks {
		if k.neb {
			p.before[k.w] |= 1 << k.l
			p.after[k.l] |= 1 << k.w
		} else {
			p.nen[k.s] |= 1 << k.w
		}
	}
	return p
}

// ruled reports whether an assertion rules out [y] ++ π, set(π) = rest.
func (p *prover) ruled(y int, rest uint64) bool {
	t := rest | 1<<y
	return p.before[y]&rest != 0 || p.after[y]&^t != 0 || p.nen[t]>>y&1 != 0
}

// survives reports whether some order ending with [y] ++ π, set(π) = rest, survives.
func (p *prover) survives(y int, rest uint64) (bool, error) {
	if p.ruled(y, rest) {
		return false, nil
	}
	t := rest | 1<<y
	if t == p.full {
		return true, nil
	}
	if v, ok := p.memo[t]; ok {
		return v, nil
	}
	if err := p.b.step(); err != nil {
		return false, err
	}
	v := false
	for x := range p.n {
		if t>>x&1 != 0 {
			continue
		}
		ok, err := p.survives(x, t)
		if err != nil {
			return false, err
		}
		if ok {
			v = true
			break
		}
	}
	p.memo[t] = v
	return v, nil
}

// check proves that the assertions imply the winner: no elimination order in which another
// candidate wins survives them, and one in which the winner wins does (the count's own
// order satisfies every assertion with a positive margin). It is raire-rs's
// verify_result_does_prove_winner, run on every result.
func (g *gen) check(ks []key) error {
	p := newProver(g.t.n, ks, g.b)
	for c := range g.t.n {
		ok, err := p.survives(c, 0)
		if err != nil {
			return err
		}
		if ok != (c == g.winner) {
			return g.errorOf(InternalError, []int{c})
		}
	}
	return nil
}

// Proves reports whether the assertions together imply that the candidate winner won: every
// elimination order in which someone else wins contradicts one of them, and some order in
// which winner wins contradicts none. It needs no ballots, only the assertions: anyone can
// check a published set this way.
func Proves(numCandidates int, winner int, assertions []Assertion) (bool, error) {
	if numCandidates <= 0 || numCandidates > MaxCandidates || winner < 0 || winner >= numCandidates {
		return false, ErrInput
	}
	ks := make([]key, len(assertions))
	for i, a := range assertions {
		k, err := keyOf(a, numCandidates)
		if err != nil {
			return false, err
		}
		ks[i] = k
	}
	g := &gen{t: &tallies{n: numCandidates}, b: &budget{}, winner: winner}
	return g.check(ks) == nil, nil
}
