package rcv

import (
	"errors"
	"fmt"
	"hash/maphash"
	"math/big"
	"math/bits"
	"sort"
)

// status is a ballot's state in a round (RCTab's StatusForRound).
type status int

const (
	active       status = iota
	undervote           // ranked no candidate (or, at its last rank, skipped too many)
	overvote            // exhausted by an overvote
	skipped             // exhausted by skipping too many ranks
	exhausted           // no continuing candidate left
	repeated            // exhausted by ranking a candidate twice
	finalSurplus        // a winner's surplus with nowhere to go once every seat is filled
	numStatuses
)

// Special transfer targets of a report.
const (
	toExhausted int32 = -1
	toResidual  int32 = -2
)

// prank is one rank of a shape: its candidates are contest.cands[c0:c1].
type prank struct {
	rank     int32
	c0, c1   int32 // candidate indices in contest.cands; ovLabel for an overvote label
	overvote bool
}

// shape is a distinct ranking (with its slices) and how many ballots have it. Its ranks are
// contest.ranks[r0:r1]: flat arrays of small records keep the walk over shapes cache-friendly.
type shape struct {
	r0, r1   int32
	maxRank  int32
	precinct int32 // index into precinct ids, -1 for none
	batch    int32
	weight   int64
}

// contest is the compressed input shared by the passes of a tabulation.
type contest struct {
	cfg       *Config
	names     []string // candidate names; UndeclaredWriteIn last when enabled
	idx       map[string]int32
	uwi       int32
	declared  int // candidates of the config (excluded ones too), without undeclared write-ins
	shapes    []shape
	ranks     []prank // the ranks of every shape
	cands     []int32 // the candidates of every rank
	precincts []string
	batches   []string
}

// compress maps ballots to distinct rankings with weights.
func compress(cfg *Config, ballots []Ballot) (*contest, error) {
	c := &contest{cfg: cfg, idx: map[string]int32{}, uwi: -1, declared: len(cfg.Candidates)}
	for _, cand := range cfg.Candidates {
		c.idx[cand.Name] = int32(len(c.names))
		c.names = append(c.names, cand.Name)
	}
	if cfg.UndeclaredWriteInsEnabled() {
		c.uwi = int32(len(c.names))
		c.idx[UndeclaredWriteIn] = c.uwi
		c.names = append(c.names, UndeclaredWriteIn)
	}
	ovLabel := int32(len(c.names))
	byPrecinct, byBatch := cfg.Output.TabulateByPrecinct, cfg.Output.TabulateByBatch
	pIdx, bIdx := map[string]int32{}, map[string]int32{}
	slice := func(m map[string]int32, list *[]string, id string) int32 {
		if id == "" {
			return -1
		}
		i, ok := m[id]
		if !ok {
			i = int32(len(*list))
			m[id] = i
			*list = append(*list, id)
		}
		return i
	}
	// RCTab refuses a CVR that ranks beyond maxRankingsAllowed ("max" is the number of declared
	// candidates).
	maxRank := cfg.Rules.MaxRankings
	if maxRank == 0 {
		maxRank = c.declared
	}
	// A ranking of at most packRanks ranks of one known candidate each (the common case) is
	// packed exactly into a uint64: the number of ranks, then per rank its number and its
	// candidate's index. Any other ballot (overvotes, slices, long rankings, unknown names) is
	// grouped by a hash of its ranking; each hash heads a chain (next) of the distinct shapes
	// that share it, told apart by sameShape.
	rankBits := bits.Len(uint(maxRank))
	packW := rankBits + bits.Len(uint(len(c.names)))
	packRanks := min(15, (64-4)/packW)
	packable := !byPrecinct && !byBatch && packW <= 60
	exact := make(map[uint64]int32, len(ballots)/8)
	seed := maphash.MakeSeed()
	hashed := map[uint64]int32{}
	var next []int32
	ar := &shaper{ovLabel: ovLabel, maxRank: maxRank}
ballots:
	for bi := range ballots {
		b := &ballots[bi]
		if packable {
			if key, ok := packKey(b, c.idx, packRanks, maxRank, rankBits, packW); ok {
				if i, ok := exact[key]; ok {
					c.shapes[i].weight++
					continue
				}
				s, err := ar.shape(c, b)
				if err != nil {
					return nil, err
				}
				exact[key] = int32(len(c.shapes))
				next = append(next, -1)
				c.shapes = append(c.shapes, s)
				continue
			}
		}
		h := b.hashKey(seed, byPrecinct, byBatch)
		head, ok := hashed[h]
		if ok {
			for i := head; i >= 0; i = next[i] {
				if c.sameShape(&c.shapes[i], b, byPrecinct, byBatch) {
					c.shapes[i].weight++
					continue ballots
				}
			}
		} else {
			head = -1
		}
		s, err := ar.shape(c, b)
		if err != nil {
			return nil, err
		}
		if byPrecinct {
			s.precinct = slice(pIdx, &c.precincts, b.Precinct)
		}
		if byBatch {
			s.batch = slice(bIdx, &c.batches, b.Batch)
		}
		hashed[h] = int32(len(c.shapes))
		next = append(next, head)
		c.shapes = append(c.shapes, s)
	}
	return c, nil
}

// packKey packs a ranking of at most maxRanks ranks, each naming one candidate of idx, into a
// uint64 that identifies it exactly: 4 bits of rank count, then per rank w bits (rankBits of
// rank number, the rest the candidate index). ok is false for any other ballot.
func packKey(b *Ballot, idx map[string]int32, maxRanks, maxRank, rankBits, w int) (key uint64, ok bool) {
	if len(b.Ranks) > maxRanks {
		return 0, false
	}
	key = uint64(len(b.Ranks))
	shift := 4
	for k := range b.Ranks {
		r := &b.Ranks[k]
		if r.Overvote || len(r.Candidates) != 1 || r.Rank < 1 || r.Rank > maxRank {
			return 0, false
		}
		i, found := idx[r.Candidates[0]]
		if !found {
			return 0, false
		}
		key |= (uint64(r.Rank) | uint64(i)<<rankBits) << shift
		shift += w
	}
	return key, true
}

// shaper makes shapes, checking ballots' ranks as RCTab does.
type shaper struct {
	ovLabel int32
	maxRank int
}

// shape makes the shape (weight 1, no slices) of ballot b, appending its ranks to c.ranks.
func (sh *shaper) shape(c *contest, b *Ballot) (shape, error) {
	s := shape{weight: 1, precinct: -1, batch: -1, r0: int32(len(c.ranks))}
	prev := 0
	for _, r := range b.Ranks {
		if r.Rank > sh.maxRank {
			// RCTab refuses a CVR that ranks beyond maxRankingsAllowed.
			return s, fmt.Errorf("rcv: ballot %s: rank %d exceeds rules.maxRankingsAllowed (%d): RCTab refuses such a CVR; raise maxRankingsAllowed or correct the CVR", b.ID, r.Rank, sh.maxRank)
		}
		if r.Rank <= prev {
			return s, fmt.Errorf("rcv: ballot %s: ranks out of order (%d after %d)", b.ID, r.Rank, prev)
		}
		prev = r.Rank
		pr := prank{rank: int32(r.Rank), overvote: r.Overvote, c0: int32(len(c.cands))}
		if r.Overvote {
			if len(r.Candidates) > 0 {
				return s, fmt.Errorf("rcv: ballot %s: rank %d has an overvote label and candidates", b.ID, r.Rank)
			}
			c.cands = append(c.cands, sh.ovLabel)
		}
		for _, name := range r.Candidates {
			i, ok := c.idx[name]
			if !ok {
				return s, fmt.Errorf("rcv: ballot %s: candidate %q is not in the config", b.ID, name)
			}
			c.cands = append(c.cands, i)
		}
		pr.c1 = int32(len(c.cands))
		c.ranks = append(c.ranks, pr)
		s.maxRank = int32(r.Rank)
	}
	s.r1 = int32(len(c.ranks))
	return s, nil
}

// sameShape reports whether ballot b has shape s's ranking (and slices, when tabulated).
func (c *contest) sameShape(s *shape, b *Ballot, byPrecinct, byBatch bool) bool {
	if int(s.r1-s.r0) != len(b.Ranks) ||
		(byPrecinct && !sameSlice(c.precincts, s.precinct, b.Precinct)) ||
		(byBatch && !sameSlice(c.batches, s.batch, b.Batch)) {
		return false
	}
	for k, pr := range c.ranks[s.r0:s.r1] {
		r := &b.Ranks[k]
		if int(pr.rank) != r.Rank || pr.overvote != r.Overvote {
			return false
		}
		if r.Overvote {
			if len(r.Candidates) != 0 {
				return false
			}
			continue
		}
		if int(pr.c1-pr.c0) != len(r.Candidates) {
			return false
		}
		for j, ci := range c.cands[pr.c0:pr.c1] {
			if c.names[ci] != r.Candidates[j] {
				return false
			}
		}
	}
	return true
}

func sameSlice(ids []string, i int32, id string) bool {
	if i < 0 {
		return id == ""
	}
	return ids[i] == id
}

// acc accumulates the counts of the whole contest or of one slice.
type acc struct {
	tally       []*big.Int
	inactive    [numStatuses]*big.Int
	transfers   map[int]map[int32]map[int32]*big.Int // round → from → to → value
	winnerAlloc map[int32]*big.Int
	rounds      []snapshot

	lastRound int
	lastFrom  int32
	lastTo    map[int32]*big.Int // transfers[lastRound][lastFrom]
}

type snapshot struct {
	tally    map[int32]*big.Int
	inactive [numStatuses]*big.Int
}

func newAcc(n int) *acc {
	a := &acc{tally: make([]*big.Int, n), transfers: map[int]map[int32]map[int32]*big.Int{}, winnerAlloc: map[int32]*big.Int{}}
	for i := range a.tally {
		a.tally[i] = new(big.Int)
	}
	for i := range a.inactive {
		a.inactive[i] = new(big.Int)
	}
	return a
}

func (a *acc) transfer(round int, from, to int32, v *big.Int) {
	// A round moves the ballots of one candidate after another, so the (round, from) map of the
	// previous call is nearly always the one needed.
	f := a.lastTo
	if f == nil || a.lastRound != round || a.lastFrom != from {
		r := a.transfers[round]
		if r == nil {
			r = map[int32]map[int32]*big.Int{}
			a.transfers[round] = r
		}
		f = r[from]
		if f == nil {
			f = map[int32]*big.Int{}
			r[from] = f
		}
		a.lastRound, a.lastFrom, a.lastTo = round, from, f
	}
	t := f[to]
	if t == nil {
		t = new(big.Int)
		f[to] = t
	}
	t.Add(t, v)
}

// ballotState is the state of one shape's ballots in a pass.
type ballotState struct {
	// Held by value, not by pointer: walk reads them for every shape it moves, and one
	// indirection less is one cache miss less per shape.
	ftv       big.Int // value of each ballot, in units of 10^-decimals
	val       big.Int // weight × ftv
	recipient int32
	status    status
}

// pass is one tabulation (one per winner for multi-pass IRV).
type pass struct {
	c        *contest
	r        *Rules
	nWinners int
	excluded []bool
	unit     *big.Int
	st       []ballotState
	byCand   [][]int32
	all      *acc
	pAcc     []*acc
	bAcc     []*acc

	round      int
	thresholds []*big.Rat // by round, from 1
	elim       map[int32]int
	won        map[int32]int
	elimRound  map[int][]int32
	wonRound   map[int][]int32
	rnd        *JavaRandom
	perm       []string
	seen       []bool
}

// Tabulate runs the contest's tabulation as RCTab does and returns its reports: one for the
// contest (one per pass, in order, for multi-pass IRV), followed by one per precinct and per
// batch when the config tabulates by precinct or batch.
func Tabulate(cfg *Config, ballots []Ballot) ([]*Report, error) {
	c, err := compress(cfg, ballots)
	if err != nil {
		return nil, err
	}
	if (cfg.Output.TabulateByPrecinct && len(c.precincts) == 0) || (cfg.Output.TabulateByBatch && len(c.batches) == 0) {
		return nil, errors.New("rcv: \"tabulate by precinct\" or \"by batch\" is enabled, but the CVRs don't list precincts or batches")
	}
	excluded := make([]bool, len(c.names))
	for i, cand := range cfg.Candidates {
		excluded[i] = cand.Excluded
	}
	if cfg.Rules.WinnerMode != MultiPassIRV {
		p := newPass(c, cfg.Rules.NumberOfWinners, excluded)
		if err := p.run(); err != nil {
			return nil, err
		}
		return p.reports(0), nil
	}
	var out []*Report
	for i := 0; i < cfg.Rules.NumberOfWinners; i++ {
		p := newPass(c, 1, excluded)
		if err := p.run(); err != nil {
			return nil, fmt.Errorf("pass %d: %w", i+1, err)
		}
		out = append(out, p.reports(i+1)...)
		excluded = append([]bool(nil), excluded...)
		for w := range p.won {
			excluded[w] = true
		}
	}
	return out, nil
}

func newPass(c *contest, nWinners int, excluded []bool) *pass {
	n := len(c.names)
	p := &pass{c: c, r: &c.cfg.Rules, nWinners: nWinners, excluded: excluded,
		unit: new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(c.cfg.Rules.DecimalPlaces)), nil),
		st:   make([]ballotState, len(c.shapes)), byCand: make([][]int32, n), all: newAcc(n),
		thresholds: []*big.Rat{nil}, elim: map[int32]int{}, won: map[int32]int{},
		elimRound: map[int][]int32{}, wonRound: map[int][]int32{}, seen: make([]bool, n+1)}
	for i := range p.st {
		st := &p.st[i]
		st.recipient = toExhausted
		st.ftv.Set(p.unit)
		st.val.SetInt64(c.shapes[i].weight)
		st.val.Mul(&st.val, p.unit)
	}
	for range c.precincts {
		p.pAcc = append(p.pAcc, newAcc(n))
	}
	for range c.batches {
		p.bAcc = append(p.bAcc, newAcc(n))
	}
	for _, cand := range c.cfg.Candidates {
		p.perm = append(p.perm, cand.Name)
	}
	switch p.r.Tiebreak {
	case TiebreakRandom, TiebreakPreviousRoundsThenRandom:
		p.rnd = NewJavaRandom(p.r.RandomSeed)
	case TiebreakGeneratePermutation:
		sort.Strings(p.perm)
		NewJavaRandom(p.r.RandomSeed).Shuffle(p.perm)
	}
	return p
}

// accs returns the accumulators a shape's ballots count in: the contest's and its slices'.
func (p *pass) accs(i int, f func(a *acc)) {
	f(p.all)
	s := &p.c.shapes[i]
	if s.precinct >= 0 {
		f(p.pAcc[s.precinct])
	}
	if s.batch >= 0 {
		f(p.bAcc[s.batch])
	}
}

func (p *pass) numCandidates() int {
	n := len(p.c.names)
	for _, e := range p.excluded {
		if e {
			n--
		}
	}
	return n
}

// usesSurpluses reports whether winners' surpluses are transferred (multi-seat, not bottoms-up).
func (p *pass) usesSurpluses() bool {
	return p.nWinners > 1 && p.r.WinnerMode != BottomsUp && p.r.WinnerMode != BottomsUpPercentage
}

func (p *pass) continuing(c int32) bool {
	if c < 0 || int(c) >= len(p.c.names) || p.excluded[c] {
		return false
	}
	if _, ok := p.won[c]; ok {
		return p.r.ContinueUntilTwo
	}
	_, gone := p.elim[c]
	return !gone
}

// record moves shape i's ballots to candidate to (or makes them inactive with st), recording
// the transfer from their previous recipient.
func (p *pass) record(i int, to int32, st status) {
	b := &p.st[i]
	from := b.recipient
	if b.ftv.Sign() > 0 && from >= 0 {
		p.accs(i, func(a *acc) { a.transfer(p.round, from, to, &b.val) })
	}
	b.recipient = to
	if _, won := p.won[from]; to < 0 && won && p.usesSurpluses() && len(p.won) >= p.nWinners {
		st = finalSurplus
	}
	if to < 0 {
		b.status = st
		p.accs(i, func(a *acc) { a.inactive[st].Add(a.inactive[st], &b.val) })
		return
	}
	p.accs(i, func(a *acc) { a.tally[to].Add(a.tally[to], &b.val) })
	p.byCand[to] = append(p.byCand[to], int32(i))
}

// walk finds the ballots' next continuing candidate in rank order, applying the rules in
// RCTab's order at each rank: skipped ranks, repeated candidates, overvotes, then the
// candidates.
func (p *pass) walk(i int) error {
	s := &p.c.shapes[i]
	if s.r1 == s.r0 {
		p.record(i, toExhausted, undervote)
		return nil
	}
	if from := p.st[i].recipient; from >= 0 && p.usesSurpluses() && len(p.won) >= p.nWinners {
		if _, won := p.won[from]; won {
			// Every seat is filled: RCTab 2.0.0 transfers the last winners' surpluses to no one
			// (not even a candidate still continuing); they are final-round surplus.
			p.record(i, toExhausted, finalSurplus)
			return nil
		}
	}
	last := 0
	if p.r.ExhaustOnDuplicate {
		for j := range p.seen {
			p.seen[j] = false
		}
	}
	for _, rk := range p.c.ranks[s.r0:s.r1] {
		cands := p.c.cands[rk.c0:rk.c1]
		if p.r.MaxSkippedRanks >= 0 && int(rk.rank)-last > p.r.MaxSkippedRanks+1 {
			p.record(i, toExhausted, skipped)
			return nil
		}
		last = int(rk.rank)
		if p.r.ExhaustOnDuplicate {
			dup := false
			for _, c := range cands {
				if p.seen[c] {
					dup = true
					break
				}
				p.seen[c] = true
			}
			if dup {
				p.record(i, toExhausted, repeated)
				return nil
			}
		}
		decision := status(active) // active: no overvote
		skip := false
		switch {
		case rk.overvote:
			switch p.r.Overvote {
			case OvervoteExhaustImmediately:
				decision = overvote
			case OvervoteAlwaysSkip:
				skip = true
			default:
				return errors.New("rcv: an overvote label needs overvoteRule alwaysSkipToNextRank or exhaustImmediately")
			}
		case len(cands) <= 1:
		case p.r.Overvote == OvervoteExhaustImmediately:
			decision = overvote
		case p.r.Overvote == OvervoteAlwaysSkip:
			skip = true
		default:
			n := 0
			for _, c := range cands {
				if p.continuing(c) {
					n++
				}
			}
			if n >= 2 {
				decision = overvote
			}
		}
		if decision == overvote {
			p.record(i, toExhausted, overvote)
			return nil
		}
		if skip {
			if rk.rank == s.maxRank {
				p.record(i, toExhausted, exhausted)
			}
			continue
		}
		for _, c := range cands {
			if p.continuing(c) {
				p.record(i, c, active)
				return nil
			}
		}
		if rk.rank == s.maxRank {
			// RCTab 2.0.0 counts a ballot that runs out of rankings as exhausted, however many
			// ranks it left blank after its last (its expected reports show no such undervotes).
			p.record(i, toExhausted, exhausted)
		}
	}
	return nil
}

func (p *pass) shouldContinue() bool {
	switch {
	case p.r.StopAfterRound > 0 && p.round >= p.r.StopAfterRound:
		return false
	case p.r.ContinueUntilTwo:
		return len(p.elim)+len(p.won)+1 < p.numCandidates() || len(p.elimRound[p.round]) > 0
	case p.r.WinnerMode == BottomsUpPercentage:
		return len(p.won) == 0
	case len(p.won) < p.nWinners:
		// With more seats than candidates every candidate wins and the count stops: RCTab 2.0.0
		// shows no extra round for surpluses that have no continuing candidate to go to.
		return p.round == 0 || p.anyContinuing()
	default:
		// Every seat is filled: a multi-seat count shows one more round with the last winners'
		// surpluses (as final-round surplus), unless it is bottoms-up.
		return p.nWinners > 1 && len(p.wonRound[p.round]) > 0 && p.r.WinnerMode != BottomsUp
	}
}

func (p *pass) anyContinuing() bool {
	for c := range p.c.names {
		if p.continuing(int32(c)) {
			return true
		}
	}
	return false
}

func (p *pass) rat(units *big.Int) *big.Rat { return new(big.Rat).SetFrac(units, p.unit) }

// truncRat truncates x toward zero to d decimal places (BigDecimal RoundingMode.DOWN).
func truncRat(x *big.Rat, d int) *big.Rat {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d)), nil)
	num := new(big.Int).Mul(x.Num(), scale)
	num.Quo(num, x.Denom())
	return new(big.Rat).SetFrac(num, scale)
}

// upRat rounds x away from zero to d decimal places (RoundingMode.UP).
func upRat(x *big.Rat, d int) *big.Rat {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d)), nil)
	num := new(big.Int).Mul(x.Num(), scale)
	q, m := new(big.Int).QuoRem(num, x.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	} else if m.Sign() < 0 {
		q.Sub(q, big.NewInt(1))
	}
	return new(big.Rat).SetFrac(q, scale)
}

// threshold is RCTab's winning threshold for a round with activeUnits active votes: the
// Droop quota floor(votes/(seats+1)) + 10^-decimals (decimals = 0 unless non-integer), or with
// hareQuota ceil(votes/seats) at decimals, or with bottoms-up by percentage votes × pct%
// (pct/100 truncated to decimalPlaces); never below minimumVoteThreshold.
func (p *pass) threshold(activeUnits *big.Int) *big.Rat {
	votes := p.rat(activeUnits)
	var t *big.Rat
	if p.r.WinnerMode == BottomsUpPercentage {
		pct := truncRat(new(big.Rat).Quo(p.r.BottomsUpPercentage, big.NewRat(100, 1)), p.r.DecimalPlaces)
		t = new(big.Rat).Mul(votes, pct)
	} else {
		div := int64(p.nWinners + 1)
		if p.r.HareQuota {
			div = int64(p.nWinners)
		}
		decimals := 0
		if p.r.NonIntegerWinningThreshold {
			decimals = p.r.DecimalPlaces
		}
		q := new(big.Rat).Quo(votes, big.NewRat(div, 1))
		if p.r.HareQuota {
			t = upRat(q, decimals)
		} else {
			aug := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil))
			t = new(big.Rat).Add(truncRat(q, decimals), aug)
		}
	}
	if min := big.NewRat(p.r.MinimumVoteThreshold, 1); min.Sign() > 0 && min.Cmp(t) > 0 {
		t = min
	}
	return t
}

// group is the candidates with one tally, in name order.
type group struct {
	v     *big.Int
	cands []int32
}

func (p *pass) groups(tally map[int32]*big.Int, among []int32) []group {
	var gs []group
	for _, c := range among {
		v := tally[c]
		k := sort.Search(len(gs), func(i int) bool { return gs[i].v.Cmp(v) >= 0 })
		if k < len(gs) && gs[k].v.Cmp(v) == 0 {
			gs[k].cands = append(gs[k].cands, c)
			continue
		}
		gs = append(gs, group{})
		copy(gs[k+1:], gs[k:])
		gs[k] = group{v: v, cands: []int32{c}}
	}
	for _, g := range gs {
		p.sortByName(g.cands)
	}
	return gs
}

func (p *pass) sortByName(cs []int32) {
	sort.Slice(cs, func(i, j int) bool { return p.c.names[cs[i]] < p.c.names[cs[j]] })
}

// tiebreak picks the winner (or loser) among tied candidates by the config's tiebreakMode.
func (p *pass) tiebreak(winner bool, tied []int32) (int32, error) {
	tied = append([]int32(nil), tied...)
	p.sortByName(tied)
	switch p.r.Tiebreak {
	case TiebreakRandom:
		return tied[p.rnd.randomIndex(len(tied))], nil
	case TiebreakUseCandidateOrder, TiebreakGeneratePermutation:
		for k := range p.perm {
			name := p.perm[k]
			if !winner {
				name = p.perm[len(p.perm)-1-k]
			}
			for _, c := range tied {
				if p.c.names[c] == name {
					return c, nil
				}
			}
		}
		return 0, fmt.Errorf("rcv: round %d: tied candidates are not in the tiebreak permutation", p.round)
	case TiebreakPreviousRoundsThenRandom, TiebreakPreviousRoundsThenAsk:
		contention := tied
		for rr := p.round - 1; rr > 0 && len(contention) > 1; rr-- {
			// RCTab groups the contenders through a HashSet, whose order the random fallback keeps.
			names := make([]string, len(contention))
			for k, c := range contention {
				names[k] = p.c.names[c]
			}
			tally := p.all.rounds[rr-1].tally
			var best *big.Int
			var next []int32
			for _, name := range javaHashSetOrder(names) {
				c := p.c.idx[name]
				v := tally[c]
				cmp := 0
				if best != nil {
					cmp = v.Cmp(best)
					if !winner {
						cmp = -cmp
					}
				}
				switch {
				case best == nil || cmp > 0:
					best, next = v, []int32{c}
				case cmp == 0:
					next = append(next, c)
				}
			}
			contention = next
		}
		if len(contention) == 1 {
			return contention[0], nil
		}
		if p.r.Tiebreak == TiebreakPreviousRoundsThenAsk {
			return 0, errInteractive
		}
		return contention[p.rnd.randomIndex(len(contention))], nil
	default:
		return 0, errInteractive
	}
}

func (p *pass) run() error {
	n := int32(len(p.c.names))
	for p.shouldContinue() {
		p.round++
		if p.round == 1 {
			for i := range p.st {
				if err := p.walk(i); err != nil {
					return err
				}
			}
		} else {
			for c := int32(0); c < n; c++ {
				if len(p.byCand[c]) == 0 || p.continuing(c) {
					continue
				}
				list := p.byCand[c]
				p.byCand[c] = nil
				for _, i := range list {
					if err := p.walk(int(i)); err != nil {
						return err
					}
				}
			}
		}
		var cont []int32
		for c := int32(0); c < n; c++ {
			if p.continuing(c) {
				cont = append(cont, c)
			}
		}
		snap := func(a *acc) {
			s := snapshot{tally: map[int32]*big.Int{}}
			for _, c := range cont {
				s.tally[c] = new(big.Int).Set(a.tally[c])
			}
			for k := range s.inactive {
				s.inactive[k] = new(big.Int).Set(a.inactive[k])
			}
			a.rounds = append(a.rounds, s)
		}
		p.eachAcc(snap)
		tally := p.all.rounds[p.round-1].tally
		activeUnits := new(big.Int)
		for _, c := range cont {
			activeUnits.Add(activeUnits, tally[c])
		}
		recompute := p.round == 1
		// Once the winner is known (continueUntilTwoCandidatesRemain goes on), RCTab 2.0.0 keeps
		// the threshold of the round that elected it.
		if p.nWinners <= 1 && !p.r.FirstRoundDeterminesThreshold && len(p.won) == 0 {
			recompute = true
		}
		thr := p.thresholds[len(p.thresholds)-1]
		if recompute {
			thr = p.threshold(activeUnits)
		}
		p.thresholds = append(p.thresholds, thr)

		gs := p.groups(tally, cont)
		winners, err := p.identifyWinners(tally, gs, cont, thr)
		if err != nil {
			return err
		}
		if len(winners) > 0 {
			for _, w := range winners {
				p.won[w] = p.round
			}
			p.wonRound[p.round] = winners
			if p.nWinners > 1 && p.r.WinnerMode != BottomsUp {
				for _, w := range winners {
					p.surplus(w, tally[w], thr)
				}
			}
		} else if len(p.won) < p.nWinners ||
			(p.r.ContinueUntilTwo && len(p.elim) < p.numCandidates()-2) ||
			p.r.WinnerMode == BottomsUpPercentage {
			out, err := p.eliminate(tally, gs, thr)
			if err != nil {
				return err
			}
			if len(out) == 0 {
				return fmt.Errorf("rcv: round %d: failed to eliminate any candidates", p.round)
			}
			for _, c := range out {
				p.elim[c] = p.round
			}
			p.elimRound[p.round] = out
		}
		if p.nWinners > 1 {
			p.updateWinnerTallies(thr)
		}
	}
	return nil
}

func (p *pass) eachAcc(f func(a *acc)) {
	f(p.all)
	for _, a := range p.pAcc {
		f(a)
	}
	for _, a := range p.bAcc {
		f(a)
	}
}

func (p *pass) identifyWinners(tally map[int32]*big.Int, gs []group, cont []int32, thr *big.Rat) ([]int32, error) {
	if p.c.uwi >= 0 {
		if v, ok := tally[p.c.uwi]; ok && v.Sign() != 0 {
			return nil, nil
		}
	}
	var sel []int32
	if p.r.WinnerMode == BottomsUpPercentage {
		meet := 0
		for _, c := range cont {
			if p.rat(tally[c]).Cmp(thr) > 0 {
				meet++
			}
		}
		if meet == len(cont) {
			sel = append(sel, cont...)
		}
		return sel, nil
	}
	unfilled := p.nWinners - len(p.won)
	if unfilled > 0 {
		switch {
		case len(cont) <= unfilled:
			// As many seats as continuing candidates (or more): everyone wins.
			sel = append(sel, cont...)
		case p.r.FirstRoundDeterminesThreshold && len(cont)-1 == p.nWinners:
			sel = append(sel, gs[len(gs)-1].cands...)
		case p.r.WinnerMode != BottomsUp:
			for _, g := range gs {
				if p.rat(g.v).Cmp(thr) >= 0 {
					for _, c := range g.cands {
						if c != p.c.uwi {
							sel = append(sel, c)
						}
					}
				}
			}
		}
	}
	multi := len(sel) > 1 && (p.r.WinnerMode == MultiWinnerOnePerRound || p.r.FirstRoundDeterminesThreshold)
	none := p.nWinners == 1 && len(sel) == 0 && len(cont) == 2 && unfilled == 1
	if none {
		min := big.NewRat(p.r.MinimumVoteThreshold, 1)
		for _, g := range gs {
			if p.rat(g.v).Cmp(min) < 0 {
				none = false
			}
		}
	}
	if (multi || none) && len(gs) > 0 {
		top := gs[len(gs)-1].cands
		if len(top) == 1 {
			return []int32{top[0]}, nil
		}
		w, err := p.tiebreak(true, top)
		if err != nil {
			return nil, err
		}
		return []int32{w}, nil
	}
	return sel, nil
}

// surplus records winner w's ballots' new values: each keeps ftv − trunc(ftv × f) for w, where
// f = trunc((votes − threshold)/votes) at decimalPlaces, and goes on with trunc(ftv × f).
func (p *pass) surplus(w int32, votesUnits *big.Int, thr *big.Rat) {
	votes := p.rat(votesUnits)
	extra := new(big.Rat).Sub(votes, thr)
	frac := new(big.Int) // surplus fraction in units
	if extra.Sign() > 0 {
		f := new(big.Rat).Quo(extra, votes)
		num := new(big.Int).Mul(f.Num(), p.unit)
		frac.Quo(num, f.Denom())
	}
	for _, i := range p.byCand[w] {
		b := &p.st[i]
		if b.recipient != w {
			continue
		}
		next := new(big.Int).Mul(&b.ftv, frac)
		next.Quo(next, p.unit)
		alloc := new(big.Int).Sub(&b.ftv, next)
		alloc.Mul(alloc, big.NewInt(p.c.shapes[i].weight))
		p.accs(int(i), func(a *acc) {
			if a.winnerAlloc[w] == nil {
				a.winnerAlloc[w] = new(big.Int)
			}
			a.winnerAlloc[w].Add(a.winnerAlloc[w], alloc)
		})
		b.ftv.Set(next)
		b.val.Mul(next, big.NewInt(p.c.shapes[i].weight))
	}
}

// updateWinnerTallies shows earlier winners in this round's tally: winners of the previous
// round with the value their ballots kept (any residual above the threshold, lost to
// truncation, is reported as "residual surplus" and the tally set to the threshold), older
// winners as in the previous round.
func (p *pass) updateWinnerTallies(thr *big.Rat) {
	for w, r := range p.won {
		if r == p.round {
			continue
		}
		p.eachAcc(func(a *acc) {
			cur := a.rounds[p.round-1].tally
			if r == p.round-1 {
				v := new(big.Int)
				if a.winnerAlloc[w] != nil {
					v.Set(a.winnerAlloc[w])
				}
				cur[w] = v
			} else {
				cur[w] = new(big.Int).Set(a.rounds[p.round-2].tally[w])
			}
		})
		if r == p.round-1 {
			cur := p.all.rounds[p.round-1].tally
			res := new(big.Rat).Sub(p.rat(cur[w]), thr)
			if res.Sign() > 0 {
				resUnits := new(big.Int).Sub(cur[w], ratUnits(thr, p.unit))
				p.all.transfer(p.round, w, toResidual, resUnits)
				cur[w] = ratUnits(thr, p.unit)
			}
		}
	}
}

// ratUnits converts x to units of 1/unit (x is a multiple of 1/unit where it is used).
func ratUnits(x *big.Rat, unit *big.Int) *big.Int {
	n := new(big.Int).Mul(x.Num(), unit)
	return n.Quo(n, x.Denom())
}

func (p *pass) eliminate(tally map[int32]*big.Int, gs []group, thr *big.Rat) ([]int32, error) {
	if len(gs) == 0 {
		return nil, fmt.Errorf("rcv: round %d: no continuing candidate left to eliminate (more seats than candidates?)", p.round)
	}
	if u := p.c.uwi; u >= 0 && p.continuing(u) && tally[u].Sign() > 0 {
		return []int32{u}, nil
	}
	if min := p.r.MinimumVoteThreshold; min > 0 {
		m := big.NewRat(min, 1)
		var out []int32
		for _, g := range gs {
			if p.rat(g.v).Cmp(m) >= 0 {
				break
			}
			out = append(out, g.cands...)
		}
		if len(out) > 0 && len(out) == p.c.declared {
			return nil, errors.New("rcv: tabulation can't proceed because all declared candidates are below the minimum vote threshold")
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	if p.r.CutoffElimination && p.r.WinnerMode == BottomsUpPercentage {
		if out := p.cutoff(gs, thr); len(out) > 0 {
			return out, nil
		}
	}
	if p.r.BatchElimination {
		if out := p.batch(gs); len(out) > 1 {
			return out, nil
		}
	}
	low := gs[0].cands
	if len(low) == 1 {
		return []int32{low[0]}, nil
	}
	l, err := p.tiebreak(false, low)
	if err != nil {
		return nil, err
	}
	return []int32{l}, nil
}

// cutoff is cutoff elimination (bottoms-up by percentage): every candidate whose tally is
// below the threshold goes at once, in tally then name order. It eliminates no one when that
// would leave no candidate, so the regular rule picks the single lowest instead.
func (p *pass) cutoff(gs []group, thr *big.Rat) []int32 {
	var out []int32
	n := 0
	for _, g := range gs {
		n += len(g.cands)
		if p.rat(g.v).Cmp(thr) < 0 {
			out = append(out, g.cands...)
		}
	}
	if len(out) == n {
		return nil
	}
	return out
}

// batch is RCTab's batch elimination: walking tallies from the lowest, everyone seen so far is
// eliminated whenever their running total is below the next tally (they could not overtake
// it); with continueUntilTwoCandidatesRemain the last batch is undone if it would leave one.
func (p *pass) batch(gs []group) []int32 {
	running := new(big.Int)
	var seen, elim, prev []int32
	done := map[int32]bool{}
	for _, g := range gs {
		next := append([]int32(nil), elim...)
		if running.Cmp(g.v) < 0 {
			for _, c := range seen {
				if !done[c] {
					done[c] = true
					next = append(next, c)
				}
			}
		}
		running.Add(running, new(big.Int).Mul(g.v, big.NewInt(int64(len(g.cands)))))
		seen = append(seen, g.cands...)
		if len(next) > len(elim) {
			prev, elim = elim, next
		}
	}
	if p.r.ContinueUntilTwo && len(elim)+len(p.elim) == p.numCandidates()-1 {
		elim = prev
	}
	return elim
}
