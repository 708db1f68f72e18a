package electoral

import (
	"fmt"
	"math"
	"math/bits"
	"sort"
	"strings"
)

// TippingPoint is the unit that gives the national winner a majority when the winner's units
// are taken in order of the winner's margin, widest first.
type TippingPoint struct {
	// Candidate is the national winner; Unit the tipping-point unit.
	Candidate string `json:"candidate"`
	Unit      string `json:"unit"`
	// Margin is the winner's lead over the runner-up in the unit, of Total votes; Share is
	// Margin/Total (for display; the order is computed exactly).
	Margin int64   `json:"margin"`
	Total  int64   `json:"total"`
	Share  float64 `json:"share"`
	// Before is the winner's electoral votes from the units with wider margins (and from
	// faithless electors of other units); After adds the tipping-point unit's.
	Before int `json:"before"`
	After  int `json:"after"`
	// Order lists the winner's units in the order taken, up to the tipping point.
	Order []string `json:"order"`
}

// Tipping returns the tipping point of a, or false when no candidate has a majority.
//
// The winner's called units are ordered by the winner's margin share, Margin/Total (the lead
// over the unit's runner-up, divided by every vote for the office in the unit), widest first,
// equal shares by unit ID; the shares are compared exactly, as 128-bit cross products. The
// winner's electoral votes are added up in that order, starting from the votes faithless
// electors of other units gave the winner; the tipping point is the unit whose electors first
// bring the sum to a majority (Allocation.Needed). It is the winner's closest unit that the
// winner needed: flipping it and every closer unit of the winner's takes the majority away.
func Tipping(a *Allocation) (TippingPoint, bool) {
	if a.Outcome.Kind != Majority {
		return TippingPoint{}, false
	}
	w := a.Outcome.Winner
	own := 0
	var units []*UnitResult
	for i := range a.Units {
		r := &a.Units[i]
		if r.Status == Called && r.Winner == w {
			units = append(units, r)
			own += awardedTo(r, w)
		}
	}
	sort.SliceStable(units, func(i, j int) bool {
		x, y := units[i], units[j]
		// x.Margin/x.Total > y.Margin/y.Total  ⇔  x.Margin*y.Total > y.Margin*x.Total.
		if c := cmp128(x.Margin, y.Total, y.Margin, x.Total); c != 0 {
			return c > 0
		}
		return x.ID < y.ID
	})
	tp := TippingPoint{Candidate: w, Before: a.ElectorsOf(w) - own}
	for _, r := range units {
		tp.Order = append(tp.Order, r.ID)
		after := tp.Before + awardedTo(r, w)
		if after >= a.Needed {
			tp.Unit, tp.Margin, tp.Total, tp.After = r.ID, r.Margin, r.Total, after
			if r.Total > 0 {
				tp.Share = float64(r.Margin) / float64(r.Total)
			}
			return tp, true
		}
		tp.Before = after
	}
	// The faithless votes alone made the majority; no unit tips it.
	return TippingPoint{}, false
}

// awardedTo returns the electors r gave to candidate (spelled as in the Allocation).
func awardedTo(r *UnitResult, candidate string) int {
	for _, aw := range r.Awarded {
		if aw.Candidate == candidate {
			return aw.Electors
		}
	}
	return 0
}

// cmp128 compares a*b with c*d for non-negative a, b, c, d: -1, 0 or +1.
func cmp128(a, b, c, d int64) int {
	h1, l1 := bits.Mul64(uint64(a), uint64(b))
	h2, l2 := bits.Mul64(uint64(c), uint64(d))
	switch {
	case h1 != h2:
		if h1 < h2 {
			return -1
		}
		return 1
	case l1 != l2:
		if l1 < l2 {
			return -1
		}
		return 1
	}
	return 0
}

// CostModel says how votes change in the smallest-flip search.
type CostModel string

// Cost models.
const (
	// Switched: voters who voted for the winner vote for the other candidate instead; each
	// switched vote counts once and narrows the margin by two.
	Switched CostModel = "switched"
	// Added: new votes for the other candidate (voters who did not vote, or ballots not
	// counted); each narrows the margin by one.
	Added CostModel = "added"
)

// Targets of the smallest-flip search.
const (
	// TargetTie: the two leading candidates end with equal electoral votes (269–269).
	TargetTie = "tie"
	// TargetWin: the other candidate ends with a majority.
	TargetWin = "win"
)

// FlipUnit is a unit in a smallest flip: its ID, the electors that change hands and the votes
// that must change.
type FlipUnit struct {
	Unit     string `json:"unit"`
	Electors int    `json:"electors"`
	Votes    int64  `json:"votes"`
}

// Flip is the smallest total number of changed votes that reaches Target under Model.
type Flip struct {
	Model  CostModel `json:"model"`
	Target string    `json:"target"`
	// From is the candidate with the most electoral votes, To the one with the next most;
	// units move from From to To.
	From string `json:"from"`
	To   string `json:"to"`
	// Reachable is false when no combination of From's units reaches the target (a tie needs
	// an even difference in electoral votes); the rest is then empty.
	Reachable bool       `json:"reachable"`
	Units     []FlipUnit `json:"units,omitempty"`
	Votes     int64      `json:"votes"`
	Electors  int        `json:"electors"`
	// FromAfter and ToAfter are the two candidates' electoral votes after the flip.
	FromAfter int `json:"from_after"`
	ToAfter   int `json:"to_after"`
}

// flipCost returns the fewest votes that make candidate to win unit r outright from its
// winner w, with vote counts vs (r.Votes):
//
//	switched: s = max(floor((W−T)/2) + 1, C − T + 1)
//	added:    a = W − T + 1
//
// where W, T and C are the votes of the winner, of to, and of the best third candidate. After
// s switched votes the winner has W−s and to has T+s, and T+s > W−s ⇔ s > (W−T)/2; to must also
// pass the third candidate, T+s > C. Added votes only raise T, and W is the most votes.
func flipCost(r *UnitResult, to string, model CostModel) int64 {
	var w, t, c int64
	for _, v := range r.Votes {
		switch v.Candidate {
		case r.Winner:
			w = v.Votes
		case to:
			t = v.Votes
		default:
			c = max(c, v.Votes)
		}
	}
	if model == Added {
		return w - t + 1
	}
	return max((w-t)/2+1, c-t+1)
}

// SmallestFlip returns the smallest total number of votes that, changed in some combination of
// the units the leading candidate won, reaches target (TargetTie or TargetWin) under model.
//
// Only counted units that F won move, each from the leader F (most electoral votes) to the
// candidate with the next most, T, carrying its electors pledged to the winner (its faithless
// electors vote as they did). With F and T holding E_F and E_T electoral votes and the moved units carrying e of
// them: a tie is E_F − e = E_T + e, so e = (E_F − E_T)/2 exactly; a win is E_T + e ≥ Needed. A
// unit's cost is flipCost's. Unit costs are independent, so the search is a 0/1 knapsack over
// electoral votes: best_i[e] = min(best_{i−1}[e], best_{i−1}[e−w_i] + c_i), the least cost of
// moving exactly e electoral votes with the first i units, in O(units × electors) time (56 ×
// 539 steps for the United States) and one bit per step to recover the units. It returns false
// when a has fewer than two candidates with votes, or an unknown target or model.
func SmallestFlip(a *Allocation, target string, model CostModel) (Flip, bool) {
	if len(a.Totals) < 2 || (target != TargetTie && target != TargetWin) || (model != Switched && model != Added) {
		return Flip{}, false
	}
	from, to := a.Totals[0], a.Totals[1]
	f := Flip{Model: model, Target: target, From: from.Candidate, To: to.Candidate}
	var items []*UnitResult
	var weights []int
	var costs []int64
	sum := 0
	for i := range a.Units {
		r := &a.Units[i]
		if r.Status != Called || r.Winner != from.Candidate {
			continue
		}
		// The electors pledged to the winner move; the faithless vote as they did.
		w := r.Electors - len(r.Faithless)
		if w == 0 {
			continue
		}
		items = append(items, r)
		weights = append(weights, w)
		costs = append(costs, flipCost(r, to.Candidate, model))
		sum += w
	}
	best, take := knapsack(weights, costs)
	lo, hi := 0, -1 // the range of e that reaches the target
	switch target {
	case TargetTie:
		if d := from.Electors - to.Electors; d%2 == 0 && d/2 <= sum {
			lo, hi = d/2, d/2
		}
	case TargetWin:
		lo, hi = max(0, a.Needed-to.Electors), sum
	}
	e := -1
	for x := lo; x <= hi; x++ {
		if best[x] != inf && (e < 0 || best[x] < best[e]) {
			e = x
		}
	}
	if e < 0 {
		return f, true
	}
	f.Reachable, f.Votes, f.Electors = true, best[e], e
	f.FromAfter, f.ToAfter = from.Electors-e, to.Electors+e
	for i := len(items) - 1; i >= 0; i-- {
		if take[i][e/64]&(1<<(e%64)) != 0 {
			f.Units = append(f.Units, FlipUnit{Unit: items[i].ID, Electors: weights[i], Votes: costs[i]})
			e -= weights[i]
		}
	}
	sort.Slice(f.Units, func(i, j int) bool { return f.Units[i].Unit < f.Units[j].Unit })
	return f, true
}

const inf = math.MaxInt64

// knapsack solves the 0/1 knapsack for every exact weight: best[e] is the least total cost of
// a subset of the items whose weights sum to e (inf when none does), for e from 0 to the sum of
// the weights. take[i] is a bit set over e: bit e is set when the best subset of the first i+1
// items weighing e holds item i, so a subset is recovered from the last item back. One row of
// costs is updated in place, e descending, so that each item is taken at most once.
func knapsack(weights []int, costs []int64) (best []int64, take [][]uint64) {
	sum := 0
	for _, w := range weights {
		sum += w
	}
	best = make([]int64, sum+1)
	for e := 1; e <= sum; e++ {
		best[e] = inf
	}
	words := sum/64 + 1
	bits := make([]uint64, len(weights)*words)
	take = make([][]uint64, len(weights))
	for i, w := range weights {
		take[i] = bits[i*words : (i+1)*words]
		for e := sum; e >= w; e-- {
			if best[e-w] != inf && best[e-w]+costs[i] < best[e] {
				best[e] = best[e-w] + costs[i]
				take[i][e/64] |= 1 << (e % 64)
			}
		}
	}
	return best, take
}

// SmallestFlips returns the four smallest flips of a: to a tie and to a win for the other
// candidate, with switched and with added votes.
func SmallestFlips(a *Allocation) []Flip {
	var out []Flip
	for _, t := range []string{TargetTie, TargetWin} {
		for _, m := range []CostModel{Switched, Added} {
			if f, ok := SmallestFlip(a, t, m); ok {
				out = append(out, f)
			}
		}
	}
	return out
}

// String says the flip in words.
func (f Flip) String() string {
	if !f.Reachable {
		return fmt.Sprintf("%s, %s votes: not reachable by moving %s's units to %s", f.Target, f.Model, f.From, f.To)
	}
	parts := make([]string, len(f.Units))
	for i, u := range f.Units {
		parts[i] = fmt.Sprintf("%s (%d) %d", u.Unit, u.Electors, u.Votes)
	}
	return fmt.Sprintf("%s, %s votes: %d in %s; %s %d, %s %d", f.Target, f.Model, f.Votes,
		strings.Join(parts, ", "), f.From, f.FromAfter, f.To, f.ToAfter)
}
