package audit

import (
	"fmt"
	"math"
)

// MinervaRound is one round of a Minerva audit: the number of ballots drawn in the round and
// the votes found in them (this round only, not cumulative).
type MinervaRound struct {
	Size  int64
	Votes map[string]int64
}

// Minerva (Zagórski, McClearn, Morin, Vora et al., "Minerva: the curious case of ballot-polling
// audits", 2021, sec. 3) is a round-by-round ballot-polling audit. For each (winner, loser)
// pair it looks only at the ballots for the two, with cumulative two-way round sizes
// n_1 < n_2 < … and cumulative winner counts k_1, k_2, …. Let f⁰_j and f¹_j be the
// distributions of k_j under the null (winner share 1/2) and the alternative (the reported
// two-way share s), each built by convolving the previous round's with Binomial(n_j − n_{j−1})
// after removing the mass at or above the previous round's stopping threshold k_min (the
// audit has stopped there). The risk of round j is the tail ratio
//
//	R_j(k) = Σ_{k' ≥ k} f⁰_j(k') / Σ_{k' ≥ k} f¹_j(k')
//
// and k_min,j is the smallest k with R_j(k) ≤ α (sec. 3, the Minerva stopping condition
// α·σ_j(k) ≥ τ_j(k)). These are the values Athena and Arlo's minerva.py compute.
type minervaPair struct {
	winner, loser string
	s             float64 // two-way reported share of the winner
	pair          int64   // reported votes for the two: scales two-way sizes to ballots
}

func minervaPairs(c *Contest) ([]minervaPair, error) {
	if c.Supermajority() {
		return nil, fmt.Errorf("%w %q: Minerva here audits plurality contests only", ErrBadContest, c.Name)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	pairs, err := c.Pairs()
	if err != nil {
		return nil, err
	}
	out := make([]minervaPair, 0, len(pairs))
	for _, p := range pairs {
		w, l := p[0].Votes, p[1].Votes
		out = append(out, minervaPair{winner: p[0].Name, loser: p[1].Name, s: float64(w) / float64(w+l), pair: w + l})
	}
	return out, nil
}

// binomialPMF returns P(K = k), k = 0 … n, for K ~ Binomial(n, p): the value at the mode from
// log-gamma, the rest by the ratio P(k+1)/P(k) = (n−k)p/((k+1)(1−p)) outwards from it (terms
// below the float64 range become 0).
func binomialPMF(n int64, p float64) []float64 {
	f := make([]float64, n+1)
	if p <= 0 || p >= 1 {
		for k := range f {
			f[k] = math.Exp(logBinomialPMF(int64(k), n, p))
		}
		return f
	}
	mode := min(int64(math.Floor(float64(n+1)*p)), n)
	f[mode] = math.Exp(logBinomialPMF(mode, n, p))
	r := p / (1 - p)
	for k := mode; k < n; k++ {
		f[k+1] = f[k] * float64(n-k) / float64(k+1) * r
	}
	for k := mode; k > 0; k-- {
		f[k-1] = f[k] * float64(k) / (float64(n-k+1) * r)
	}
	return f
}

func convolve(a, b []float64) []float64 {
	out := make([]float64, len(a)+len(b)-1)
	for i, x := range a {
		if x == 0 {
			continue
		}
		for j, y := range b {
			out[i+j] += x * y
		}
	}
	return out
}

// upperTails returns T[k] = Σ_{k' ≥ k} f[k'], with T[len(f)] = 0.
func upperTails(f []float64) []float64 {
	t := make([]float64, len(f)+1)
	for k := len(f) - 1; k >= 0; k-- {
		t[k] = t[k+1] + f[k]
	}
	return t
}

// minervaKmin is the smallest k with α·T1[k] ≥ T0[k] and T1[k] > 0, or −1 if there is none.
func minervaKmin(t0, t1 []float64, alpha float64) int64 {
	for k := 0; k < len(t0)-1; k++ {
		if t1[k] > 0 && alpha*t1[k] >= t0[k] {
			return int64(k)
		}
	}
	return -1
}

// minervaState is the pair of (unnormalized) distributions after some rounds.
type minervaState struct {
	f0, f1 []float64
	n      int64
}

// advance moves the state to cumulative two-way size n and returns the tails of the new round.
func (st *minervaState) advance(n int64, s float64) (t0, t1 []float64) {
	if st.f0 == nil {
		st.f0, st.f1 = []float64{1}, []float64{1}
	}
	if d := n - st.n; d > 0 {
		st.f0 = convolve(st.f0, binomialPMF(d, 0.5))
		st.f1 = convolve(st.f1, binomialPMF(d, s))
	}
	st.n = n
	return upperTails(st.f0), upperTails(st.f1)
}

// stop removes the mass at and above kmin (the audit stopped there).
func (st *minervaState) stop(kmin int64) {
	if kmin < 0 {
		return
	}
	for k := kmin; k < int64(len(st.f0)); k++ {
		st.f0[k], st.f1[k] = 0, 0
	}
}

// MinervaKmins returns Minerva's stopping thresholds k_min,j for cumulative two-way round
// sizes (the ballots for the winner or the loser), reported two-way winner share s and risk
// limit alpha; −1 where no number of winner votes would stop the audit in that round.
func MinervaKmins(s float64, sizes []int64, alpha float64) ([]int64, error) {
	if err := CheckRiskLimit(alpha); err != nil {
		return nil, err
	}
	if !(s > 0.5 && s <= 1) {
		return nil, fmt.Errorf("%w: Minerva needs a winner share in (1/2, 1], not %v", ErrAlphaInput, s)
	}
	var st minervaState
	out := make([]int64, len(sizes))
	for j, n := range sizes {
		if n <= st.n && j > 0 || n <= 0 {
			return nil, fmt.Errorf("%w: round sizes must increase from 1: %v", ErrAlphaInput, sizes)
		}
		t0, t1 := st.advance(n, s)
		out[j] = minervaKmin(t0, t1, alpha)
		st.stop(out[j])
	}
	return out, nil
}

// pairRounds returns the pair's cumulative two-way sizes and winner counts per round.
func (m minervaPair) pairRounds(rounds []MinervaRound) (ns, ks []int64) {
	var n, k int64
	for _, r := range rounds {
		w, l := r.Votes[m.winner], r.Votes[m.loser]
		n += w + l
		k += w
		ns = append(ns, n)
		ks = append(ks, k)
	}
	return ns, ks
}

func checkMinervaRounds(rounds []MinervaRound) error {
	for i, r := range rounds {
		var sum int64
		for name, v := range r.Votes {
			if v < 0 {
				return fmt.Errorf("%w: round %d: %d votes for %s", ErrAlphaInput, i+1, v, name)
			}
			sum += v
		}
		if r.Size <= 0 {
			return fmt.Errorf("%w: round %d has size %d", ErrAlphaInput, i+1, r.Size)
		}
		_ = sum // a vote-for-N card carries several votes, so sum may exceed Size
	}
	return nil
}

// MinervaPValue returns the Minerva risk after the given rounds: for each (winner, loser) pair
// the tail ratio R_j(k_j) of the last round, with the earlier rounds' stopping regions
// (thresholds at alpha) removed from both distributions; the risk is the largest over pairs.
// Rounds in which a pair got no ballots add nothing to its sample but still apply its
// threshold.
func MinervaPValue(c *Contest, rounds []MinervaRound, alpha float64) (float64, error) {
	if err := CheckRiskLimit(alpha); err != nil {
		return 0, err
	}
	if len(rounds) == 0 {
		return 0, fmt.Errorf("%w: no rounds", ErrAlphaInput)
	}
	if err := checkMinervaRounds(rounds); err != nil {
		return 0, err
	}
	pairs, err := minervaPairs(c)
	if err != nil {
		return 0, err
	}
	risk := 0.0
	for _, m := range pairs {
		ns, ks := m.pairRounds(rounds)
		var st minervaState
		var p float64
		for j := range ns {
			t0, t1 := st.advance(ns[j], m.s)
			if j == len(ns)-1 {
				switch {
				case t0[ks[j]] == 0:
					p = 0
				case t1[ks[j]] == 0:
					p = 1
				default:
					p = math.Min(1, t0[ks[j]]/t1[ks[j]])
				}
				break
			}
			st.stop(minervaKmin(t0, t1, alpha))
		}
		risk = math.Max(risk, p)
	}
	return risk, nil
}

// minervaScan is how many round sizes MinervaSampleSize tries one by one before searching.
const minervaScan = 2000

// MinervaSampleSize returns the cumulative number of ballots to have drawn at the end of the
// next round so that, if the reported outcome is right, the round stops the audit with
// probability at least quantile, given the rounds already drawn (prior; nil before the first
// round). For each pair, with n_prev the two-way sample so far and k_prev its winner votes, it
// finds the smallest two-way size n > n_prev with P(k_prev + Binomial(n − n_prev, s) ≥ k_min(n))
// ≥ quantile — the first such n within minervaScan sizes of n_prev (the stopping probability is
// a sawtooth in n, so a larger n can fall below the quantile again), beyond that a size found
// by galloping and bisection as Athena's binary search finds one —
// and scales it to ballots by Ballots/(V_w + V_ℓ) as Athena's find_next_round_size does. The
// result is the largest over pairs, at most c.Ballots.
func MinervaSampleSize(c *Contest, alpha, quantile float64, prior []MinervaRound) (int64, error) {
	if err := CheckRiskLimit(alpha); err != nil {
		return 0, err
	}
	if !(quantile > 0 && quantile < 1) {
		return 0, fmt.Errorf("%w: quantile %v is not in (0, 1)", ErrAlphaInput, quantile)
	}
	if err := checkMinervaRounds(prior); err != nil {
		return 0, err
	}
	pairs, err := minervaPairs(c)
	if err != nil {
		return 0, err
	}
	var drawn int64
	for _, r := range prior {
		drawn += r.Size
	}
	var size int64
	for _, m := range pairs {
		ns, ks := m.pairRounds(prior)
		var st minervaState
		for j := range ns {
			t0, t1 := st.advance(ns[j], m.s)
			st.stop(minervaKmin(t0, t1, alpha))
		}
		var nPrev, kPrev int64
		if len(ns) > 0 {
			nPrev, kPrev = ns[len(ns)-1], ks[len(ks)-1]
		}
		limit := m.pair // at most every ballot for the two
		// stops reports whether a round ending at two-way size n stops with probability q.
		stops := func(n int64) bool {
			trial := minervaState{f0: st.f0, f1: st.f1, n: st.n}
			t0, t1 := trial.advance(n, m.s)
			kmin := minervaKmin(t0, t1, alpha)
			if kmin < 0 {
				return false
			}
			// P(k_prev + X ≥ kmin), X ~ Binomial(n − n_prev, s).
			need := kmin - kPrev
			if need <= 0 {
				return true
			}
			return upperTails(binomialPMF(n-nPrev, m.s))[min(need, n-nPrev+1)] >= quantile
		}
		found := int64(-1)
		// The first size that reaches the quantile, scanning one by one up to minervaScan sizes
		// past n_prev; beyond that (each trial costs O(n)), a galloping search and a bisection
		// find a size n with stops(n) and not stops(n − 1), as Athena's binary search does.
		for n := nPrev + 1; n <= min(limit, nPrev+minervaScan); n++ {
			if stops(n) {
				found = n
				break
			}
		}
		if found < 0 && nPrev+minervaScan < limit {
			lo, step := nPrev+minervaScan, int64(minervaScan)
			hi := int64(-1)
			for n := lo + step; ; n = min(limit, lo+step) {
				if stops(n) {
					hi = n
					break
				}
				if n == limit {
					break
				}
				lo, step = n, step*2
			}
			if hi > 0 {
				for hi-lo > 1 {
					mid := lo + (hi-lo)/2
					if stops(mid) {
						hi = mid
					} else {
						lo = mid
					}
				}
				found = hi
			}
		}
		if found < 0 {
			return c.Ballots, nil
		}
		scaled := drawn + int64(math.Ceil(float64(found-nPrev)*float64(c.Ballots)/float64(m.pair)))
		size = max(size, scaled)
	}
	return min(size, c.Ballots), nil
}
