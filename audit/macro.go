package audit

import (
	"errors"
	"fmt"
	"math"
)

// Batch-level comparison audits by MACRO, the "maximum across-contest relative overstatement" of
// Stark, "Risk-limiting post-election audits: P-values from common probability inequalities",
// IEEE TIFS 4(4), 2009 (below "Stark 2009"), sampling batches with probability proportional to an
// error bound (PPEB, Aslam, Popa & Rivest 2008) and measuring risk by the Kaplan-Markov "taint"
// method (Stark 2009, "Kaplan-Markov"), as Arlo (votingworks/arlo server/audit_math/macro.py) does.

// Batch is one batch of ballots in a batch comparison audit of a contest: its reported votes per
// choice, the votes the audit board counted by hand (nil until the batch is audited) and the
// number of ballot cards in the batch that contain the contest.
type Batch struct {
	Name     string
	Reported map[string]int64
	Audited  map[string]int64 // nil if not yet audited
	Ballots  int64
}

// MacroBatch is one batch of a MACRO audit of several contests: its Batch for each contest it
// contains, by contest name (a contest not in the map is not on the batch's ballots).
type MacroBatch struct {
	Name     string
	Contests map[string]Batch
}

// ErrMacro is wrapped by errors about the batches of a MACRO audit.
var ErrMacro = errors.New("audit: batch comparison")

// macroPair is a (reported winner, reported loser) pair with its contest-wide reported margin
// V_wℓ.
type macroPair struct {
	w, l string
	v    int64
}

type macroContest struct {
	c     *Contest
	pairs []macroPair
}

func newMacroContest(c *Contest) (macroContest, error) {
	ps, err := c.Pairs()
	if err != nil {
		return macroContest{}, err
	}
	mc := macroContest{c: c, pairs: make([]macroPair, len(ps))}
	for i, p := range ps {
		mc.pairs[i] = macroPair{p[0].Name, p[1].Name, p[0].Votes - p[1].Votes}
	}
	return mc, nil
}

// bound is u_p for one contest: the largest relative overstatement batch b can hold,
// max over pairs of (v_wp − v_ℓp + b_p)/V_wℓ (Stark 2009, MACRO; Arlo macro.compute_max_error):
// every ballot of the batch could turn out to be a vote for ℓ. A pair with V_wℓ ≤ 0 gives +∞.
func (mc macroContest) bound(b Batch) float64 {
	u := 0.0
	for _, p := range mc.pairs {
		if p.v <= 0 {
			return math.Inf(1)
		}
		u = max(u, float64(b.Reported[p.w]-b.Reported[p.l]+b.Ballots)/float64(p.v))
	}
	return u
}

// error is e_p for one contest: max over pairs of ((v_wp − v_ℓp) − (a_wp − a_ℓp))/V_wℓ, the
// relative overstatement of the pair's margin (Stark 2009, MACRO; Arlo macro.compute_error),
// counted as 0 when it is negative (an understatement), as Arlo does. A batch not audited counts
// as its bound (the worst case, as a ballot that cannot be found does).
func (mc macroContest) error(b Batch) float64 {
	if b.Audited == nil {
		return mc.bound(b)
	}
	e := 0.0
	for _, p := range mc.pairs {
		d := (b.Reported[p.w] - b.Reported[p.l]) - (b.Audited[p.w] - b.Audited[p.l])
		if d <= 0 {
			continue
		}
		if p.v <= 0 {
			return math.Inf(1)
		}
		e = max(e, float64(d)/float64(p.v))
	}
	return e
}

// check reports votes for choices the contest does not have, and negative counts.
func (mc macroContest) check(name string, b Batch) error {
	for _, m := range []map[string]int64{b.Reported, b.Audited} {
		for ch, v := range m {
			known := false
			for _, x := range mc.c.Choices {
				if x.Name == ch {
					known = true
					break
				}
			}
			if !known {
				return fmt.Errorf("%w: batch %q has votes for %q, which contest %q does not have", ErrUnknownChoice, name, ch, mc.c.Name)
			}
			if v < 0 {
				return fmt.Errorf("%w: batch %q has %d votes for %q in contest %q", ErrMacro, name, v, ch, mc.c.Name)
			}
		}
	}
	var votes int64
	for _, v := range b.Reported {
		votes += v
	}
	w := int64(max(mc.c.Winners, 1))
	if b.Ballots < 0 || votes > b.Ballots*w {
		return fmt.Errorf("%w: batch %q reports %d votes on %d ballots in contest %q (vote for %d)", ErrMacro, name, votes, b.Ballots, mc.c.Name, w)
	}
	return nil
}

// macroAudit is the contests and batches of one MACRO audit.
type macroAudit struct {
	cs  []macroContest
	n   int
	get func(i, k int) (Batch, bool) // batch i's record for contest k
	nm  func(i int) string
}

func newMacroAudit(cs []*Contest, n int, get func(i, k int) (Batch, bool), nm func(i int) string) (*macroAudit, error) {
	if len(cs) == 0 {
		return nil, fmt.Errorf("%w: no contests", ErrMacro)
	}
	a := &macroAudit{n: n, get: get, nm: nm}
	for _, c := range cs {
		mc, err := newMacroContest(c)
		if err != nil {
			return nil, err
		}
		a.cs = append(a.cs, mc)
	}
	for i := 0; i < n; i++ {
		for k, mc := range a.cs {
			if b, ok := get(i, k); ok {
				if err := mc.check(nm(i), b); err != nil {
					return nil, err
				}
			}
		}
	}
	return a, nil
}

// bound is u_p of batch i: the maximum over the contests (Stark 2009, MACRO).
func (a *macroAudit) bound(i int) float64 {
	u := 0.0
	for k, mc := range a.cs {
		if b, ok := a.get(i, k); ok {
			u = max(u, mc.bound(b))
		}
	}
	return u
}

// error is e_p of batch i: the maximum over the contests.
func (a *macroAudit) error(i int) float64 {
	e := 0.0
	for k, mc := range a.cs {
		if b, ok := a.get(i, k); ok {
			e = max(e, mc.error(b))
		}
	}
	return e
}

// audited reports whether batch i has been counted by hand for every contest on it.
func (a *macroAudit) audited(i int) bool {
	for k := range a.cs {
		if b, ok := a.get(i, k); ok && b.Audited == nil {
			return false
		}
	}
	return true
}

// taint is τ_p = e_p/u_p ∈ [0, 1] (Stark 2009, MACRO); 0 for a batch that cannot hold error.
func taint(e, u float64) float64 {
	switch {
	case e <= 0:
		return 0
	case math.IsInf(u, 1) || math.IsInf(e, 1) || e >= u:
		return 1 // e > u only if the hand count found more ballots than the batch reports
	}
	return e / u
}

func (a *macroAudit) totalBound() float64 {
	var total float64
	for i := 0; i < a.n; i++ {
		total += a.bound(i)
	}
	return total
}

// pValue is the Kaplan-Markov MACRO p-value of the draws (Stark 2009, the Kaplan-Markov bound):
//
//	P_k = Π_{j ≤ k} (1 − 1/U)/(1 − τ_{p_j}),   U = Σ_p u_p,
//
// minimised over the prefixes k: the product is a nonnegative supermartingale when the outcome
// is wrong, so by Ville's inequality the chance that any prefix reaches α is at most α (the
// sequential form SHANGRLA's kaplan_markov reports). U counts every batch at its bound, audited
// or not, as Arlo's compute_risk does. A sample that covers every batch is a full hand count:
// the p-value is 0 if the hand counts confirm every reported winner over every reported loser,
// else 1.
func (a *macroAudit) pValue(sample []int) (float64, error) {
	seen := make([]bool, a.n)
	distinct := 0
	for _, i := range sample {
		if i < 0 || i >= a.n {
			return 0, fmt.Errorf("%w: draw of batch %d of %d", ErrMacro, i, a.n)
		}
		if !seen[i] {
			seen[i] = true
			distinct++
		}
	}
	if distinct == a.n && a.n > 0 {
		return a.handCount(), nil
	}
	U := a.totalBound()
	if math.IsInf(U, 1) || U <= 0 {
		// A tie (V_wℓ ≤ 0) cannot be confirmed short of a full count; U = 0 means no batch can
		// hold any error, which also means no ballots: nothing to confirm.
		return 1, nil
	}
	if U < 1 {
		// All the error the batches could hold cannot overturn the outcome (Stark 2009: U < 1
		// needs no audit). At U = 1 the first draw with taint below 1 gives 0 below.
		return 0, nil
	}
	step := math.Log1p(-1 / U)
	logP, best := 0.0, 0.0
	for _, i := range sample {
		t := taint(a.error(i), a.bound(i))
		if t >= 1 {
			logP = math.Inf(1)
			continue
		}
		logP += step - math.Log1p(-t)
		best = min(best, logP)
	}
	return math.Exp(best), nil
}

// handCount decides a full hand count: 1 unless the audited votes of every batch make every
// reported winner beat every reported loser in every contest.
func (a *macroAudit) handCount() float64 {
	for k, mc := range a.cs {
		tot := map[string]int64{}
		for i := 0; i < a.n; i++ {
			b, ok := a.get(i, k)
			if !ok {
				continue
			}
			if b.Audited == nil {
				return 1
			}
			for ch, v := range b.Audited {
				tot[ch] += v
			}
		}
		for _, p := range mc.pairs {
			if tot[p.w] <= tot[p.l] {
				return 1
			}
		}
	}
	return 0
}

// sampleSize is Arlo's macro.get_sample_sizes: U with the batches already audited counted at
// their observed error e_p instead of their bound, and n = ⌈ln α / ln(1 − 1/U)⌉, the draws after
// which the Kaplan-Markov p-value of Stark 2009 with zero taint reaches α, at most the number of
// batches.
func (a *macroAudit) sampleSize(alpha float64) (int64, error) {
	if err := CheckRiskLimit(alpha); err != nil {
		return 0, err
	}
	var U float64
	left := 0
	for i := 0; i < a.n; i++ {
		if a.audited(i) {
			U += a.error(i)
		} else {
			U += a.bound(i)
			left++
		}
	}
	switch {
	case left == 0:
		return 0, fmt.Errorf("%w: every batch has already been counted by hand", ErrMacro)
	case math.IsInf(U, 1):
		return int64(a.n), nil // a tie: count every batch
	case U <= 1:
		return 1, nil
	}
	n := math.Ceil(math.Log(alpha) / math.Log1p(-1/U))
	return min(int64(n), int64(a.n)), nil
}

func (a *macroAudit) weights() []float64 {
	w := make([]float64, a.n)
	var total float64
	infs := 0
	for i := range w {
		w[i] = a.bound(i)
		if math.IsInf(w[i], 1) {
			infs++
		} else {
			total += w[i]
		}
	}
	for i := range w {
		switch {
		case infs > 0:
			if math.IsInf(w[i], 1) {
				w[i] = 1 / float64(infs)
			} else {
				w[i] = 0
			}
		case total > 0:
			w[i] /= total
		default:
			w[i] = 1 / float64(a.n)
		}
	}
	return w
}

func singleMacro(c *Contest, batches []Batch) (*macroAudit, error) {
	return newMacroAudit([]*Contest{c}, len(batches),
		func(i, _ int) (Batch, bool) { return batches[i], true },
		func(i int) string { return batches[i].Name })
}

func multiMacro(cs []*Contest, batches []MacroBatch) (*macroAudit, error) {
	return newMacroAudit(cs, len(batches),
		func(i, k int) (Batch, bool) { b, ok := batches[i].Contests[cs[k].Name]; return b, ok },
		func(i int) string { return batches[i].Name })
}

// MacroErrorBound is u_p, the largest relative overstatement batch b can hold in contest c:
// max over (reported winner w, reported loser ℓ) of (v_wp − v_ℓp + b_p)/V_wℓ, with v the batch's
// reported votes, b_p its ballots and V_wℓ the contest's reported margin of w over ℓ (Stark 2009
// eq. (7); Arlo macro.compute_max_error). +Inf for a tied contest; 0 if c has nothing to audit.
func MacroErrorBound(c *Contest, b Batch) float64 {
	mc, err := newMacroContest(c)
	if err != nil {
		return 0
	}
	return mc.bound(b)
}

// MacroTaint is τ_p = e_p/u_p ∈ [0, 1], where e_p is the batch's relative overstatement
// max over pairs of ((v_wp − v_ℓp) − (a_wp − a_ℓp))/V_wℓ (a the audited votes), counted as 0
// when negative (Stark 2009, MACRO; Arlo macro.compute_error). A batch not yet audited
// (Audited nil) has taint 1, the worst case; a batch that can hold no error has taint 0.
func MacroTaint(c *Contest, b Batch) float64 {
	mc, err := newMacroContest(c)
	if err != nil {
		return 0
	}
	return taint(mc.error(b), mc.bound(b))
}

// MacroPValue is the Kaplan-Markov MACRO p-value of contest c after drawing the batches at
// indices sample (in draw order, with repeats) and auditing them (Stark 2009, the Kaplan-Markov bound):
//
//	P = min over k of Π_{j ≤ k} (1 − 1/U)/(1 − τ_{p_j}),   U = Σ_p u_p,
//
// capped at 1: the minimum over prefixes is the sequential p-value (Ville's inequality), so P ≤ α
// exactly when Arlo's macro.compute_risk, which stops at the first draw that reaches α, confirms.
// If the drawn batches include every batch it is a full hand count: 0 if the hand counts
// confirm the reported outcome, else 1. A tie gives 1.
func MacroPValue(c *Contest, batches []Batch, sample []int) (float64, error) {
	a, err := singleMacro(c, batches)
	if err != nil {
		return 0, err
	}
	return a.pValue(sample)
}

// MacroSampleSize is the number of batches to draw (with replacement, PPEB) for the MACRO
// p-value of c to reach alpha if the drawn batches show no error, as Arlo's
// macro.get_sample_sizes plans it: n = ⌈ln α / ln(1 − 1/U)⌉ (the Kaplan-Markov bound of Stark
// 2009 with zero taint), where U sums the bounds u_p of the batches not yet audited and the observed errors e_p
// of the audited ones, at most the number of batches. A tie needs every batch; U ≤ 1 needs one.
// It is an error if every batch has been audited.
func MacroSampleSize(c *Contest, batches []Batch, alpha float64) (int64, error) {
	a, err := singleMacro(c, batches)
	if err != nil {
		return 0, err
	}
	return a.sampleSize(alpha)
}

// PPEBWeights are the probabilities with which each draw picks each batch: u_p/U, proportional
// to the error bound (Stark 2009, MACRO; Aslam, Popa & Rivest 2008). If U = 0 they are
// uniform; in a tie (infinite bounds) the draws pick among the batches with infinite bound.
// Nil if c has nothing to audit.
func PPEBWeights(c *Contest, batches []Batch) []float64 {
	a, err := singleMacro(c, batches)
	if err != nil || len(batches) == 0 {
		return nil
	}
	return a.weights()
}

// MacroErrorBoundContests is u_p of a batch in an audit of several contests: the maximum of
// MacroErrorBound over the contests on the batch (Stark 2009, MACRO).
func MacroErrorBoundContests(cs []*Contest, b MacroBatch) float64 {
	a, err := multiMacro(cs, []MacroBatch{b})
	if err != nil {
		return 0
	}
	return a.bound(0)
}

// MacroTaintContests is τ_p = e_p/u_p of a batch in an audit of several contests, with e_p and
// u_p the maxima over the contests on the batch (the "maximum across-contest relative
// overstatement" of Stark 2009).
func MacroTaintContests(cs []*Contest, b MacroBatch) float64 {
	a, err := multiMacro(cs, []MacroBatch{b})
	if err != nil {
		return 0
	}
	return taint(a.error(0), a.bound(0))
}

// MacroPValueContests is MacroPValue for an audit of several contests at once: one p-value for
// the hypothesis that any of the outcomes is wrong (Stark 2009, MACRO).
func MacroPValueContests(cs []*Contest, batches []MacroBatch, sample []int) (float64, error) {
	a, err := multiMacro(cs, batches)
	if err != nil {
		return 0, err
	}
	return a.pValue(sample)
}

// MacroSampleSizeContests is MacroSampleSize for an audit of several contests at once.
func MacroSampleSizeContests(cs []*Contest, batches []MacroBatch, alpha float64) (int64, error) {
	a, err := multiMacro(cs, batches)
	if err != nil {
		return 0, err
	}
	return a.sampleSize(alpha)
}

// PPEBWeightsContests is PPEBWeights for an audit of several contests at once.
func PPEBWeightsContests(cs []*Contest, batches []MacroBatch) []float64 {
	a, err := multiMacro(cs, batches)
	if err != nil || len(batches) == 0 {
		return nil
	}
	return a.weights()
}
