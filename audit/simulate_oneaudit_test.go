package audit

import (
	"math/rand/v2"
	"testing"
)

// ONEAudit simulated like the other methods: a contest of 10,000 cards, 6,000 with CVRs and
// 4,000 without in 40 batches of 100 (each reported A 55, B 45). The CVR cards report A 3,100,
// B 2,900; overall reported A 5,300, B 4,700. Truth: the batches really hold A 44, B 56 each,
// so A has 3,100 + 1,760 = 4,860 and B 2,900 + 2,240 = 5,140: the reported winner lost.
// 2,000 audits, cards drawn without replacement, ALPHA on the ONEAudit assorter; at most
// α·2000 + 3√(α·2000) = 130 may confirm at α = 0.05.
func TestSimulateOneAuditWrongOutcome(t *testing.T) {
	c := &Contest{Name: "sim", Ballots: 10000, Choices: []Choice{{"A", 5300}, {"B", 4700}}}
	as, err := ContestAssorters(c)
	if err != nil {
		t.Fatal(err)
	}
	a := as[0]
	batchMean, err := a.BatchMean(OneAuditBatch{Cards: 100, Votes: map[string]int64{"A": 55, "B": 45}})
	if err != nil || batchMean != 0.55 {
		t.Fatalf("batch mean %v, %v; want 1/2 + 10/200 = 0.55", batchMean, err)
	}
	type card struct {
		cvr float64
		mvr string
	}
	pop := make([]card, 0, 10000)
	for i := 0; i < 6000; i++ { // CVR cards, read as recorded
		v := "A"
		if i >= 3100 {
			v = "B"
		}
		pop = append(pop, card{a.Assort([]string{v}), v})
	}
	for b := 0; b < 40; b++ {
		for i := 0; i < 100; i++ {
			v := "A"
			if i >= 44 {
				v = "B"
			}
			pop = append(pop, card{batchMean, v})
		}
	}
	x0 := a.OneAuditValue(a.Mean, []string{"A"}) // a typical value, for the estimator's start
	confirmed := 0
	const cap = 3000
	for seed := uint64(1); seed <= simAudits; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		perm := r.Perm(len(pop))[:cap]
		x := make([]float64, cap)
		for i, j := range perm {
			x[i] = a.OneAuditValue(pop[j].cvr, []string{pop[j].mvr})
		}
		ps, err := a.OneAuditAlpha(10000, x0).PValues(x)
		if err != nil {
			t.Fatal(err)
		}
		if ps[len(ps)-1] <= simAlpha {
			confirmed++
		}
	}
	if confirmed > simAllowed() {
		t.Errorf("the wrong outcome was confirmed by %d of %d ONEAudit audits; at most %d allowed", confirmed, simAudits, simAllowed())
	}
	t.Logf("wrong outcome confirmed by %d of %d ONEAudit audits", confirmed, simAudits)
}
