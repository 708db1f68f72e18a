package electoral

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// randomElection is a small election drawn from rng: 1 to maxUnits statewide units of 3 to 12
// electors, candidates A and B (and C in a third of the units) with 0 to 59 votes each (so
// some units are tied and uncalled), one unit in ten pending and one in eight with a faithless
// elector (voting for A, B, C, someone else or no one).
func randomElection(rng *rand.Rand, maxUnits int) *Election {
	e := &Election{}
	n := 1 + rng.IntN(maxUnits)
	for i := range n {
		id := fmt.Sprintf("U%02d", i)
		u := Unit{ID: id, State: id, Name: id, Electors: 3 + rng.IntN(10)}
		e.Units = append(e.Units, u)
		e.Electors += u.Electors
		c := Count{Unit: id}
		cands := []string{"A", "B"}
		if rng.IntN(3) == 0 {
			cands = append(cands, "C")
		}
		for _, k := range cands {
			v := int64(rng.IntN(60))
			c.Votes = append(c.Votes, Vote{Candidate: k, Votes: v})
			c.Total += v
		}
		e.Counts = append(e.Counts, c)
		if rng.IntN(10) == 0 {
			e.Pending = append(e.Pending, id)
		}
		if rng.IntN(8) == 0 {
			who := []string{"A", "B", "C", "Z", ""}[rng.IntN(5)]
			e.Faithless = append(e.Faithless, Faithless{Unit: id, VotedFor: who})
		}
	}
	return e
}

// leadsAll reports whether to has strictly more votes than every other candidate of c.
func leadsAll(c Count, to string) bool {
	var tv int64
	for _, v := range c.Votes {
		if v.Candidate == to {
			tv = v.Votes
		}
	}
	for _, v := range c.Votes {
		if v.Candidate != to && v.Votes >= tv {
			return false
		}
	}
	return true
}

// bruteCosts finds, by trying every number, the fewest votes switched from the winner to to
// (s) and added for to (a) that make to lead every other candidate of c.
func bruteCosts(c Count, winner, to string) (s, a int64) {
	at := func(name string) int {
		for i, v := range c.Votes {
			if v.Candidate == name {
				return i
			}
		}
		return -1
	}
	w, t := at(winner), at(to)
	if t < 0 {
		c.Votes = append(append([]Vote(nil), c.Votes...), Vote{Candidate: to})
		t = len(c.Votes) - 1
	}
	for s = 0; ; s++ {
		x := Count{Votes: append([]Vote(nil), c.Votes...)}
		x.Votes[w].Votes -= s
		x.Votes[t].Votes += s
		if leadsAll(x, to) {
			break
		}
	}
	for a = 0; ; a++ {
		x := Count{Votes: append([]Vote(nil), c.Votes...)}
		x.Votes[t].Votes += a
		if leadsAll(x, to) {
			break
		}
	}
	return s, a
}

// TestSmallestFlipBruteForce checks SmallestFlip against brute force on 300 random elections of
// at most 12 units (fixed seeds): every subset of the leader's called units is flipped by
// changing its votes (the fewest switched votes, found by trying every number) and the changed
// election is allocated again; the least total over the subsets that reach the target (equal
// electoral votes; a majority for the other candidate) must be SmallestFlip's, for both cost
// models, and SmallestFlip's own units must cost what it says.
func TestSmallestFlipBruteForce(t *testing.T) {
	checked := 0
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 2020))
		e := randomElection(rng, 12)
		a, err := Allocate(e)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if len(a.Totals) < 2 {
			continue
		}
		from, to := a.Totals[0].Candidate, a.Totals[1].Candidate
		var items []int // indices of from's called units
		var sw, ad []int64
		for i, r := range a.Units {
			if r.Status == Called && r.Winner == from {
				items = append(items, i)
				s, x := bruteCosts(e.Counts[i], from, to)
				sw = append(sw, s)
				ad = append(ad, x)
			}
		}
		best := map[string]int64{} // target/model → least cost; absent: unreachable
		for mask := 0; mask < 1<<len(items); mask++ {
			after := e.Clone()
			var cs, ca int64
			for j, i := range items {
				if mask&(1<<j) == 0 {
					continue
				}
				c := &after.Counts[i]
				if MatchCandidate(c.Votes, to) < 0 {
					c.Votes = append(c.Votes, Vote{Candidate: to})
				}
				c.Votes[MatchCandidate(c.Votes, from)].Votes -= sw[j]
				c.Votes[MatchCandidate(c.Votes, to)].Votes += sw[j]
				cs += sw[j]
				ca += ad[j]
			}
			b, err := Allocate(after)
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			reached := map[string]bool{
				TargetTie: b.ElectorsOf(from) == b.ElectorsOf(to),
				TargetWin: b.ElectorsOf(to) >= b.Needed,
			}
			for tg, ok := range reached {
				if !ok {
					continue
				}
				for m, c := range map[CostModel]int64{Switched: cs, Added: ca} {
					k := tg + "/" + string(m)
					if old, seen := best[k]; !seen || c < old {
						best[k] = c
					}
				}
			}
		}
		for _, tg := range []string{TargetTie, TargetWin} {
			for _, m := range []CostModel{Switched, Added} {
				f, ok := SmallestFlip(a, tg, m)
				if !ok {
					t.Fatalf("seed %d: no answer", seed)
				}
				want, reachable := best[tg+"/"+string(m)]
				if f.Reachable != reachable || f.Votes != want {
					t.Errorf("seed %d, %s/%s: got %v (reachable %v), brute force %d (reachable %v)", seed, tg, m, f.Votes, f.Reachable, want, reachable)
				}
				var sum int64
				for _, u := range f.Units {
					sum += u.Votes
				}
				if sum != f.Votes {
					t.Errorf("seed %d: units cost %d, flip says %d", seed, sum, f.Votes)
				}
				checked++
			}
		}
	}
	if checked < 800 {
		t.Errorf("only %d cases checked", checked)
	}
}
