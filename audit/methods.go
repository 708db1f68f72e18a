package audit

import (
	"fmt"
	"math"
)

// The methods the audit workflow can run, by name. Each adapts one risk-measuring function of
// this package to the workflow's Method interface.

func init() {
	methods["bravo"] = bravoMethod{}
	methods["minerva"] = minervaMethod{}
	methods["kaplan-markov"] = kaplanMarkov{}
	methods["macro"] = macroMethod{}
	methods["oneaudit"] = oneAuditMethod{}
	methods["alpha-comparison"] = alphaMethod{kind: Comparison}
	methods["alpha"] = alphaMethod{kind: Polling}
}

// kaplanMarkov is the super-simple / Kaplan-Markov ballot-level comparison (Stark 2010).
type kaplanMarkov struct{}

func (kaplanMarkov) Kind() Kind { return Comparison }

func (kaplanMarkov) counts(c *Contest, obs []Observation) (Discrepancies, int64, error) {
	var d Discrepancies
	var n int64
	for _, o := range obs {
		if o.Record == nil {
			continue
		}
		e, err := BallotDiscrepancy(c, o.Draw.CVR[c.Name], o.Votes(c.Name), o.Record.Found)
		if err != nil {
			return d, n, err
		}
		d.Add(e)
		n++
	}
	return d, n, nil
}

func (k kaplanMarkov) Risk(c *Contest, obs []Observation, alpha float64) (float64, error) {
	mu, err := c.DilutedMargin()
	if err != nil {
		return 1, err
	}
	d, n, err := k.counts(c, obs)
	if err != nil {
		return 1, err
	}
	return KaplanMarkovComparisonPValue(n, mu, DefaultGamma, d), nil
}

func (k kaplanMarkov) NextSize(c *Contest, obs []Observation, alpha, _ float64) (int64, error) {
	d, n, err := k.counts(c, obs)
	if err != nil {
		return 0, err
	}
	return ComparisonSampleSizes(c, alpha, DefaultGamma, d, n)
}

// alphaMethod is ALPHA (Stark 2023) with the shrink-truncate estimator, on SHANGRLA's assorters
// (polling) or overstatement assorters (comparison); the risk is the largest over the
// contest's assertions.
type alphaMethod struct{ kind Kind }

func (m alphaMethod) Kind() Kind { return m.kind }

// values returns, per assertion, the ALPHA test and the assorter values of the draws so far.
func (m alphaMethod) values(c *Contest, obs []Observation) ([]Alpha, [][]float64, []float64, error) {
	as, err := ContestAssorters(c)
	if err != nil {
		return nil, nil, nil, err
	}
	tests := make([]Alpha, len(as))
	xs := make([][]float64, len(as))
	typical := make([]float64, len(as))
	for i, a := range as {
		u, mean := a.Upper, a.Mean
		if m.kind == Comparison {
			u = a.ComparisonUpper()
			mean = a.comparisonFromOverstatement(0)
		}
		tests[i] = Alpha{N: c.Ballots, T: 0.5, U: u, Estimator: DefaultShrinkTrunc(0.5, u, mean)}
		if m.kind == Comparison {
			tests[i].Estimator = FixedEta{Eta0: ComparisonEta(a)}
		}
		typical[i] = mean
		for _, o := range obs {
			if o.Record == nil {
				continue
			}
			var x float64
			switch {
			case m.kind == Comparison && !o.Record.Found:
				x = a.comparisonFromOverstatement(a.Upper) // worst case: the card counted fully for the loser
			case m.kind == Comparison:
				x = a.Comparison(o.Draw.CVR[c.Name], o.Votes(c.Name))
			default:
				x = a.Assort(o.Votes(c.Name)) // not found reads as no vote: 1/2 (Arlo treats it so too)
				if !o.Record.Found {
					x = 0
				}
			}
			xs[i] = append(xs[i], x)
		}
	}
	return tests, xs, typical, nil
}

func (m alphaMethod) Risk(c *Contest, obs []Observation, _ float64) (float64, error) {
	return alphaRisk(m.values, c, obs)
}

func (m alphaMethod) NextSize(c *Contest, obs []Observation, alpha, _ float64) (int64, error) {
	return alphaNextSize(m.values, c, obs, alpha)
}

// assertionValues gives, for each assertion of a contest, its ALPHA test, the values of the
// draws so far and the value of a typical draw if the reported outcome is right.
type assertionValues func(c *Contest, obs []Observation) ([]Alpha, [][]float64, []float64, error)

// alphaRisk is the largest over assertions of the running ALPHA p-value after the draws.
func alphaRisk(values assertionValues, c *Contest, obs []Observation) (float64, error) {
	tests, xs, _, err := values(c, obs)
	if err != nil {
		return 1, err
	}
	return maxFinalP(tests, xs)
}

// alphaNextSize is constantSequenceSize over the assertions.
func alphaNextSize(values assertionValues, c *Contest, obs []Observation, alpha float64) (int64, error) {
	tests, xs, typical, err := values(c, obs)
	if err != nil {
		return 0, err
	}
	return constantSequenceSize(c, tests, xs, typical, alpha)
}

// constantSequenceSize asks, for each assertion, how many more draws like the reported outcome
// (each equal to typical[i]: SHANGRLA's sample-size estimate with a constant sequence) would
// take its risk to the limit after the draws so far, and takes the largest. The running
// p-value never increases as draws are added, and the p-value after m draws is the m-th of
// the p-values of any longer sequence (ALPHA's alternative and null mean for a draw depend
// only on the draws before it), so one pass over the draws so far followed by every card
// left finds the count.
func constantSequenceSize(c *Contest, tests []Alpha, xs [][]float64, typical []float64, alpha float64) (int64, error) {
	var size int64
	for i, t := range tests {
		done := int64(len(xs[i]))
		limit := c.Ballots - done
		if t.N == 0 || limit <= 0 {
			limit = max(limit, 1<<20)
		}
		x := append(append([]float64(nil), xs[i]...), make([]float64, limit)...)
		for j := done; j < int64(len(x)); j++ {
			x[j] = typical[i]
		}
		ps, err := t.PValues(x)
		if err != nil {
			return 0, err
		}
		k := limit // the risk stays above the limit however many cards are drawn
		for j := max(done, 1); j <= int64(len(ps)); j++ {
			if ps[j-1] <= alpha {
				k = j - done
				break
			}
		}
		size = max(size, done+k)
	}
	return size, nil
}

// pollingTally counts the votes read on the drawn cards (each draw counts, with replacement
// too). A card that cannot be found counts as the worst case for the reported winners: a vote
// for every reported loser (each pairwise test sees a vote for its loser). from/to select
// draws by round (0 for all).
func pollingTally(c *Contest, obs []Observation, round int) (map[string]int64, int64) {
	cs, w := c.Ranked()
	tally := map[string]int64{}
	var n int64
	for _, o := range obs {
		if o.Record == nil || (round > 0 && o.Round != round) {
			continue
		}
		n++
		if !o.Record.Found {
			for _, l := range cs[w:] {
				tally[l.Name]++
			}
			continue
		}
		votes := o.Votes(c.Name)
		if len(votes) > w {
			continue // an overvote counts for no one
		}
		for _, v := range votes {
			tally[v]++
		}
	}
	return tally, n
}

// bravoMethod is BRAVO (Lindeman, Stark, Yates 2012), measured at the end of each round.
type bravoMethod struct{}

func (bravoMethod) Kind() Kind { return Polling }

func (bravoMethod) Risk(c *Contest, obs []Observation, alpha float64) (float64, error) {
	tally, _ := pollingTally(c, obs, 0)
	return BravoPValue(c, knownOnly(c, tally), alpha)
}

func (bravoMethod) NextSize(c *Contest, obs []Observation, alpha, quantile float64) (int64, error) {
	tally, n := pollingTally(c, obs, 0)
	sizes, err := BravoSampleSizes(c, alpha, knownOnly(c, tally), n, []float64{quantile})
	if err != nil {
		return 0, err
	}
	return sizes[quantile], nil
}

// knownOnly drops votes for names that are not choices of the contest (write-ins the
// audit does not count).
func knownOnly(c *Contest, tally map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for _, ch := range c.Choices {
		if n := tally[ch.Name]; n > 0 {
			out[ch.Name] = n
		}
	}
	return out
}

// minervaMethod is Minerva (Zagórski et al. 2021), round by round.
type minervaMethod struct{}

func (minervaMethod) Kind() Kind { return Polling }

func (minervaMethod) rounds(c *Contest, obs []Observation) []MinervaRound {
	last := 0
	for _, o := range obs {
		last = max(last, o.Round)
	}
	var out []MinervaRound
	for r := 1; r <= last; r++ {
		tally, n := pollingTally(c, obs, r)
		if n > 0 {
			out = append(out, MinervaRound{Size: n, Votes: knownOnly(c, tally)})
		}
	}
	return out
}

func (m minervaMethod) Risk(c *Contest, obs []Observation, alpha float64) (float64, error) {
	rounds := m.rounds(c, obs)
	if len(rounds) == 0 {
		return 1, nil
	}
	return MinervaPValue(c, rounds, alpha)
}

func (m minervaMethod) NextSize(c *Contest, obs []Observation, alpha, quantile float64) (int64, error) {
	return MinervaSampleSize(c, alpha, quantile, m.rounds(c, obs))
}

// ComparisonEta is the fixed alternative ALPHA uses on a comparison assorter: η = x₀ + 0.8(u − x₀),
// with x₀ = 1/(2 − v/u) the value of a card without error and u the assorter's upper bound.
// Shrinking towards the sample mean, as for polling, would bet almost nothing: with error-free
// CVRs every draw equals x₀, barely above the null mean 1/2 (ALPHA sec. 4.2 discusses why
// comparison audits want an aggressive alternative). With this η a card without error
// multiplies the test statistic by about 1 + μ/2 (μ the diluted margin), close to the
// super-simple method's growth, and a two-vote overstatement divides it by about five.
func ComparisonEta(a Assorter) float64 {
	x0 := a.Comparison(nil, nil)
	return x0 + 0.8*(a.ComparisonUpper()-x0)
}

// macroMethod is MACRO batch comparison (Stark 2009) over the audit's batches, drawn with
// probability proportional to their error bounds (PPEB, with replacement).
type macroMethod struct{ batches []MacroBatch }

func (macroMethod) Kind() Kind { return BatchKind }

// state returns the contest's batches with the hand tallies recorded so far, and the drawn
// batches' indices. A batch drawn but not found keeps no tally: it counts as entirely wrong.
func (m macroMethod) state(c *Contest, obs []Observation) ([]Batch, []int, error) {
	index := make(map[string]int, len(m.batches))
	bs := make([]Batch, len(m.batches))
	for i, b := range m.batches {
		index[b.Name] = i
		bs[i] = b.Contests[c.Name]
		bs[i].Name = b.Name
		bs[i].Audited = nil
	}
	var sample []int
	for _, o := range obs {
		i, ok := index[o.Draw.Card.Batch]
		if !ok {
			return nil, nil, fmt.Errorf("audit: drawn batch %q is not in the population", o.Draw.Card.Batch)
		}
		sample = append(sample, i)
		if o.Record != nil && o.Record.Found {
			t := o.Record.Tally[c.Name]
			if t == nil {
				t = map[string]int64{}
			}
			bs[i].Audited = t
		}
	}
	return bs, sample, nil
}

func (m macroMethod) Risk(c *Contest, obs []Observation, _ float64) (float64, error) {
	bs, sample, err := m.state(c, obs)
	if err != nil {
		return 1, err
	}
	if len(sample) == 0 {
		return 1, nil
	}
	return MacroPValue(c, bs, sample)
}

func (m macroMethod) NextSize(c *Contest, obs []Observation, alpha, _ float64) (int64, error) {
	bs, sample, err := m.state(c, obs)
	if err != nil {
		return 0, err
	}
	n, err := MacroSampleSize(c, bs, alpha)
	if err != nil {
		return int64(len(sample)) + 1, nil // every batch counted: one more draw measures it
	}
	return int64(len(sample)) + n, nil
}

// oneAuditMethod is ONEAudit (Stark 2023) with ALPHA: one sample from cards with CVRs and cards
// in batches without; a card without a CVR is compared with its batch's mean (the
// overstatement-net-equivalent CVR). A card not found reads as a vote for the loser.
type oneAuditMethod struct{}

func (oneAuditMethod) Kind() Kind { return Hybrid }

func (oneAuditMethod) values(c *Contest, obs []Observation) ([]Alpha, [][]float64, []float64, error) {
	as, err := ContestAssorters(c)
	if err != nil {
		return nil, nil, nil, err
	}
	tests := make([]Alpha, len(as))
	xs := make([][]float64, len(as))
	typical := make([]float64, len(as))
	for i, a := range as {
		x0 := a.Comparison(nil, nil)
		// The fixed alternative of alpha-comparison (ComparisonEta): the values are the same
		// overstatement assorter's, with batch means for the missing CVRs.
		tests[i] = Alpha{N: c.Ballots, T: 0.5, U: a.ComparisonUpper(), Estimator: FixedEta{Eta0: ComparisonEta(a)}}
		typical[i] = x0
		for _, o := range obs {
			if o.Record == nil {
				continue
			}
			var cvr float64
			if b := o.Draw.Batch; b != nil {
				cvr, err = a.BatchMean(OneAuditBatch{Cards: b.Cards, Votes: b.Votes[c.Name]})
				if err != nil {
					return nil, nil, nil, err
				}
			} else {
				cvr = a.Assort(o.Draw.CVR[c.Name])
			}
			mvr := o.Votes(c.Name)
			if !o.Record.Found {
				mvr = []string{a.Loser}
				if a.Share > 0 {
					mvr = []string{""} // a vote for someone else: 0 for a supermajority assorter
				}
			}
			xs[i] = append(xs[i], a.OneAuditValue(cvr, mvr))
		}
	}
	return tests, xs, typical, nil
}

func (m oneAuditMethod) Risk(c *Contest, obs []Observation, _ float64) (float64, error) {
	return alphaRisk(m.values, c, obs)
}

func (m oneAuditMethod) NextSize(c *Contest, obs []Observation, alpha, _ float64) (int64, error) {
	return alphaNextSize(m.values, c, obs, alpha)
}

// maxFinalP is the largest over assertions of the running p-value after the draws.
func maxFinalP(tests []Alpha, xs [][]float64) (float64, error) {
	risk := 0.0
	for i, t := range tests {
		p := 1.0
		if len(xs[i]) > 0 {
			ps, err := t.PValues(xs[i])
			if err != nil {
				return 1, err
			}
			p = ps[len(ps)-1]
		}
		risk = math.Max(risk, p)
	}
	return risk, nil
}
