package audit

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

// arloMacroContests are the contests of Arlo's server/tests/audit_math/test_macro.py
// (macro_contests).
func arloMacroContests() []*Contest {
	two := func(name string, w, l, ballots int64) *Contest {
		return &Contest{Name: name, Ballots: ballots, Choices: []Choice{{"winner", w}, {"loser", l}}}
	}
	return []*Contest{
		two("Contest A", 60000, 54000, 120000),
		two("Contest B", 30000, 24000, 60000),
		two("Contest C", 18000, 12600, 36000),
	}
}

// arloMacroBatches is the batches fixture of test_macro.py: "Batch i" (400 ballots) and
// "Batch i AV" (200 ballots) for i < 200 have Contest A (200:180 and 100:90); those with i < 100
// also Contest B (200:160, 100:80); those with i < 30 or 100 ≤ i < 130 also Contest C
// (200:140, 100:70).
func arloMacroBatches() []MacroBatch {
	var out []MacroBatch
	for i := 0; i < 200; i++ {
		for _, av := range []bool{false, true} {
			name, k := fmt.Sprintf("Batch %d", i), int64(2)
			if av {
				name, k = name+" AV", 1
			}
			b := MacroBatch{Name: name, Contests: map[string]Batch{
				"Contest A": {Name: name, Reported: map[string]int64{"winner": 100 * k, "loser": 90 * k}, Ballots: 200 * k},
			}}
			if i < 100 {
				b.Contests["Contest B"] = Batch{Name: name, Reported: map[string]int64{"winner": 100 * k, "loser": 80 * k}, Ballots: 200 * k}
			}
			if i < 30 || (i >= 100 && i < 130) {
				b.Contests["Contest C"] = Batch{Name: name, Reported: map[string]int64{"winner": 100 * k, "loser": 70 * k}, Ballots: 200 * k}
			}
			out = append(out, b)
		}
	}
	return out
}

// batchesFor is one contest's view of the multi-contest batches (a batch without the contest
// has no votes and no ballots for it).
func batchesFor(c *Contest, mbs []MacroBatch) []Batch {
	out := make([]Batch, len(mbs))
	for i, mb := range mbs {
		b, ok := mb.Contests[c.Name]
		if !ok {
			b = Batch{Name: mb.Name, Reported: map[string]int64{}}
		}
		out[i] = b
	}
	return out
}

func batchIndex(mbs []MacroBatch, name string) int {
	for i, b := range mbs {
		if b.Name == name {
			return i
		}
	}
	panic("no batch " + name)
}

// Arlo test_macro.py test_max_error: u_p to 0.001.
func TestMacroErrorBoundArlo(t *testing.T) {
	want := map[string][2]float64{ // whole batch, AV batch
		"Contest A": {0.0700, 0.035},
		"Contest B": {0.0733, 0.0367},
		"Contest C": {0.0852, 0.0426},
	}
	mbs := arloMacroBatches()
	for _, c := range arloMacroContests() {
		for i, b := range batchesFor(c, mbs) {
			var w float64
			if _, ok := mbs[i].Contests[c.Name]; ok {
				w = want[c.Name][i%2]
			}
			if got := MacroErrorBound(c, b); math.Abs(got-w) >= 0.001 {
				t.Fatalf("%s %s: u_p = %v; want %v", c.Name, b.Name, got, w)
			}
		}
	}
	// Hand-computed: Contest A, Batch 0: (200 − 180 + 400)/6000 = 0.07 exactly; the maximum over
	// the three contests is Contest C's (200 − 140 + 400)/5400 = 0.085185….
	cs := arloMacroContests()
	if got := MacroErrorBound(cs[0], batchesFor(cs[0], mbs)[0]); math.Abs(got-0.07) > 1e-15 {
		t.Errorf("u_p = %v; want 0.07", got)
	}
	if got := MacroErrorBoundContests(cs, mbs[0]); math.Abs(got-460.0/5400) > 1e-15 {
		t.Errorf("MACRO u_p = %v; want 460/5400", got)
	}
}

// Arlo test_macro.py test_get_sample_sizes: first round (no batch audited) 29, 15, 10; after 31
// clean batches ("Batch 0" … "Batch 30") 26, 12, 7; after batches "Batch 100" … "Batch 105"
// show Contest A at 190:190 (and Contest C correct) 25, 12, 6. And
// test_get_sizes_extra_contests: a contest "test2" (400:100 of 500 ballots) on "Batch 0" …
// "Batch 9" (40:10 of 50 ballots each) needs 3.
func TestMacroSampleSizeArlo(t *testing.T) {
	cs := arloMacroContests()
	mbs := arloMacroBatches()
	check := func(round string, want []int64) {
		t.Helper()
		for k, c := range cs {
			got, err := MacroSampleSize(c, batchesFor(c, mbs), 0.25)
			if err != nil || got != want[k] {
				t.Errorf("%s %s: %d, %v; want %d", round, c.Name, got, err, want[k])
			}
		}
	}
	check("first round", []int64{29, 15, 10})
	for i := 0; i < 31; i++ {
		b := mbs[batchIndex(mbs, fmt.Sprintf("Batch %d", i))]
		for name, cb := range b.Contests {
			cb.Audited = cb.Reported // correct
			b.Contests[name] = cb
		}
	}
	check("second round", []int64{26, 12, 7})
	for i := 100; i < 106; i++ {
		b := mbs[batchIndex(mbs, fmt.Sprintf("Batch %d", i))]
		for name, cb := range b.Contests {
			cb.Audited = cb.Reported
			if name == "Contest A" {
				cb.Audited = map[string]int64{"winner": 190, "loser": 190}
			}
			b.Contests[name] = cb
		}
	}
	check("third round", []int64{25, 12, 6})

	test2 := &Contest{Name: "test2", Ballots: 500, Choices: []Choice{{"cand1", 400}, {"cand2", 100}}}
	var bs []Batch
	for _, mb := range arloMacroBatches() {
		b := Batch{Name: mb.Name, Reported: map[string]int64{}}
		var i int
		if _, err := fmt.Sscanf(mb.Name, "Batch %d", &i); err == nil && i < 10 && mb.Name[len(mb.Name)-2:] != "AV" {
			b = Batch{Name: mb.Name, Reported: map[string]int64{"cand1": 40, "cand2": 10}, Ballots: 50}
		}
		bs = append(bs, b)
	}
	if got, err := MacroSampleSize(test2, bs, 0.25); got != 3 || err != nil {
		t.Errorf("test2: %d, %v; want 3", got, err)
	}
}

// Arlo test_macro.py test_compute_risk: 31 clean draws ("Batch 0" … "Batch 30") then six with
// Contest A at 190:190 ("Batch 100" … "Batch 105"); Arlo stops at the first draw whose p-value is
// at most α = 0.25 and asserts p = 0.247688222 to 0.01 and that the audit confirms. Contest A's
// U is 21 (hand-computed: 200·0.07 + 200·0.035), so Arlo stops at draw 29 with
// (20/21)^29 = 0.24268…; Contest B's U is 11, draw 15, (10/11)^15 = 0.23939…; Contest C's U is
// 23/3, draw 10, (20/23)^10 = 0.24718…. Our p-value, the minimum over the prefixes, is the same
// at those draws and at most α over the whole sample.
func TestMacroPValueArlo(t *testing.T) {
	cs := arloMacroContests()
	mbs := arloMacroBatches()
	var sample []int
	for i := 0; i < 31; i++ {
		j := batchIndex(mbs, fmt.Sprintf("Batch %d", i))
		for name, cb := range mbs[j].Contests {
			cb.Audited = cb.Reported
			mbs[j].Contests[name] = cb
		}
		sample = append(sample, j)
	}
	for i := 100; i < 106; i++ {
		j := batchIndex(mbs, fmt.Sprintf("Batch %d", i))
		for name, cb := range mbs[j].Contests {
			cb.Audited = cb.Reported
			if name == "Contest A" {
				cb.Audited = map[string]int64{"winner": 190, "loser": 190}
			}
			mbs[j].Contests[name] = cb
		}
		sample = append(sample, j)
	}
	stop := []int{29, 15, 10}
	exact := []float64{math.Pow(20.0/21, 29), math.Pow(10.0/11, 15), math.Pow(20.0/23, 10)}
	for k, c := range cs {
		bs := batchesFor(c, mbs)
		p, err := MacroPValue(c, bs, sample[:stop[k]])
		if err != nil || math.Abs(p-0.247688222) >= 0.01 || math.Abs(p-exact[k]) > 1e-12 {
			t.Errorf("%s: p after %d draws = %v, %v; Arlo 0.247688222, exact %v", c.Name, stop[k], p, err, exact[k])
		}
		if p2, err := MacroPValue(c, bs, sample[:stop[k]-1]); err != nil || p2 <= 0.25 {
			t.Errorf("%s: p after %d draws = %v, %v; want above α", c.Name, stop[k]-1, p2, err)
		}
		pAll, err := MacroPValue(c, bs, sample)
		if err != nil || pAll > 0.25 {
			t.Errorf("%s: p after all draws = %v, %v; want at most 0.25", c.Name, pAll, err)
		}
	}
	// The taint of the 190:190 batches in Contest A: e_p = 20/6000, u_p = 420/6000, τ = 1/21.
	j := batchIndex(mbs, "Batch 100")
	if tau := MacroTaint(cs[0], mbs[j].Contests["Contest A"]); math.Abs(tau-1.0/21) > 1e-15 {
		t.Errorf("taint %v; want 1/21", tau)
	}
	// Across the three contests: e_p = 20/6000 (A; B absent, C clean), u_p = 460/5400 (C).
	if tau := MacroTaintContests(cs, mbs[j]); math.Abs(tau-(20.0/6000)/(460.0/5400)) > 1e-15 {
		t.Errorf("MACRO taint %v", tau)
	}
	// The MACRO p-value over all three contests: U = Σ_p max_c u_p (hand-computed below), and
	// every draw before the tainted ones is clean.
	var U float64
	for _, mb := range mbs {
		U += MacroErrorBoundContests(cs, mb)
	}
	pm, err := MacroPValueContests(cs, mbs, sample[:5])
	if err != nil || math.Abs(pm-math.Pow(1-1/U, 5)) > 1e-12 {
		t.Errorf("MACRO p after 5 clean draws %v, %v; want %v", pm, err, math.Pow(1-1/U, 5))
	}
	if n, err := MacroSampleSizeContests(cs, arloMacroBatches(), 0.25); err != nil || n != int64(math.Ceil(math.Log(0.25)/math.Log(1-1/U))) {
		t.Errorf("MACRO sample size %d, %v", n, err)
	}
}

// Arlo test_macro.py test_worst_case (a 1000:0 contest, two 500:0 batches, the drawn one
// audited 0:500: taint 1, p = 1, not confirmed), test_full_recount (every batch audited and
// correct: p = 0; planning another round is an error, "All ballots have already been counted!")
// and test_close_contest (200:198 of 400 in batches 100:0, 100:0, 0:100, 0:98: the plan is all
// 4 batches; one correct draw leaves p above α; the full count confirms).
func TestMacroEdgeCasesArlo(t *testing.T) {
	c := &Contest{Name: "test1", Ballots: 1000, Choices: []Choice{{"winner", 1000}, {"loser", 0}}}
	bs := []Batch{
		{Name: "Batch 1", Reported: map[string]int64{"winner": 500, "loser": 0}, Audited: map[string]int64{"winner": 0, "loser": 500}, Ballots: 500},
		{Name: "Batch 2", Reported: map[string]int64{"winner": 500, "loser": 0}, Ballots: 500},
	}
	if tau := MacroTaint(c, bs[0]); tau != 1 {
		t.Errorf("worst case taint %v; want 1", tau)
	}
	if p, err := MacroPValue(c, bs, []int{0}); p != 1 || err != nil {
		t.Errorf("worst case p = %v, %v; want 1", p, err)
	}

	cs := arloMacroContests()
	mbs := arloMacroBatches()
	var all []int
	for i := range mbs {
		for name, cb := range mbs[i].Contests {
			cb.Audited = cb.Reported
			mbs[i].Contests[name] = cb
		}
		all = append(all, i)
	}
	for _, c := range cs {
		bs := batchesFor(c, mbs)
		for i := range bs {
			if bs[i].Audited == nil {
				bs[i].Audited = map[string]int64{}
			}
		}
		if p, err := MacroPValue(c, bs, all); p != 0 || err != nil {
			t.Errorf("%s full recount p = %v, %v; want 0", c.Name, p, err)
		}
		if _, err := MacroSampleSize(c, bs, 0.25); !errors.Is(err, ErrMacro) {
			t.Errorf("%s full recount sample size error %v", c.Name, err)
		}
	}

	close := &Contest{Name: "Tied Contest", Ballots: 400, Choices: []Choice{{"winner", 200}, {"loser", 198}}}
	cb := []Batch{
		{Name: "1", Reported: map[string]int64{"winner": 100, "loser": 0}, Ballots: 100},
		{Name: "2", Reported: map[string]int64{"winner": 100, "loser": 0}, Ballots: 100},
		{Name: "3", Reported: map[string]int64{"winner": 0, "loser": 100}, Ballots: 100},
		{Name: "4", Reported: map[string]int64{"winner": 0, "loser": 98}, Ballots: 100},
	}
	if n, err := MacroSampleSize(close, cb, 0.25); n != 4 || err != nil {
		t.Errorf("close contest plan %d, %v; want 4", n, err)
	}
	cb[0].Audited = cb[0].Reported
	// Hand-computed: U = 100 + 100 + 0 + 1 = 201, so p = 200/201.
	if p, err := MacroPValue(close, cb, []int{0}); math.Abs(p-200.0/201) > 1e-15 || err != nil {
		t.Errorf("close contest p = %v, %v; want 200/201", p, err)
	}
	for i := range cb {
		cb[i].Audited = cb[i].Reported
	}
	if p, err := MacroPValue(close, cb, []int{0, 1, 2, 3}); p != 0 || err != nil {
		t.Errorf("close contest full count p = %v, %v; want 0", p, err)
	}
	// The same full count finding the loser ahead does not confirm.
	cb[3].Audited = map[string]int64{"winner": 0, "loser": 100}
	cb[2].Audited = map[string]int64{"winner": 0, "loser": 100}
	cb[1].Audited = map[string]int64{"winner": 99, "loser": 1}
	if p, err := MacroPValue(close, cb, []int{0, 1, 2, 3}); p != 1 || err != nil {
		t.Errorf("overturned full count p = %v, %v; want 1", p, err)
	}
}

// Arlo test_macro.py test_tied_contest: a tie plans every batch and one draw confirms nothing.
func TestMacroTieArlo(t *testing.T) {
	c := &Contest{Name: "Tied Contest", Ballots: 100000, Choices: []Choice{{"winner", 50000}, {"loser", 50000}}}
	bs := make([]Batch, 100)
	for i := range bs {
		bs[i] = Batch{Name: fmt.Sprint(i), Reported: map[string]int64{"winner": 500, "loser": 500}, Ballots: 1000}
	}
	if n, err := MacroSampleSize(c, bs, 0.25); n != 100 || err != nil {
		t.Errorf("tie plan %d, %v; want 100", n, err)
	}
	bs[0].Audited = bs[0].Reported
	if p, err := MacroPValue(c, bs, []int{0}); p <= 0.25 || err != nil {
		t.Errorf("tie p = %v, %v; want above α", p, err)
	}
	w := PPEBWeights(c, bs)
	if len(w) != 100 || math.Abs(w[7]-0.01) > 1e-15 {
		t.Errorf("tie weights %v", w[:3])
	}
}

// PPEB: hand-computed for Contest A of test_macro.py: U = 21; a whole batch has weight
// 0.07/21 = 1/300 and an AV batch 0.035/21 = 1/600.
func TestPPEBWeights(t *testing.T) {
	c := arloMacroContests()[0]
	bs := batchesFor(c, arloMacroBatches())
	w := PPEBWeights(c, bs)
	var sum float64
	for _, x := range w {
		sum += x
	}
	if math.Abs(w[0]-1.0/300) > 1e-15 || math.Abs(w[1]-1.0/600) > 1e-15 || math.Abs(sum-1) > 1e-12 {
		t.Errorf("weights %v %v sum %v", w[0], w[1], sum)
	}
	// A contest missing from a batch gives it weight 0 in that contest's audit.
	cC := arloMacroContests()[2]
	wC := PPEBWeights(cC, batchesFor(cC, arloMacroBatches()))
	if wC[2*50] != 0 || wC[0] == 0 {
		t.Errorf("Contest C weights %v %v", wC[100], wC[0])
	}
	// Multi-contest weights are max_c u_p over its sum.
	cs := arloMacroContests()
	mbs := arloMacroBatches()
	wm := PPEBWeightsContests(cs, mbs)
	var U float64
	for _, mb := range mbs {
		U += MacroErrorBoundContests(cs, mb)
	}
	if math.Abs(wm[0]-(460.0/5400)/U) > 1e-15 {
		t.Errorf("multi weights %v", wm[0])
	}
}

func TestMacroErrors(t *testing.T) {
	c := arloMacroContests()[0]
	bs := []Batch{{Name: "x", Reported: map[string]int64{"winner": 5, "nobody": 1}, Ballots: 10}}
	if _, err := MacroPValue(c, bs, nil); !errors.Is(err, ErrUnknownChoice) {
		t.Errorf("unknown choice: %v", err)
	}
	bs = []Batch{{Name: "x", Reported: map[string]int64{"winner": 50}, Ballots: 10}}
	if _, err := MacroSampleSize(c, bs, 0.1); !errors.Is(err, ErrMacro) {
		t.Errorf("more votes than ballots: %v", err)
	}
	bs = []Batch{{Name: "x", Reported: map[string]int64{"winner": 5}, Ballots: 10}}
	if _, err := MacroPValue(c, bs, []int{1}); !errors.Is(err, ErrMacro) {
		t.Errorf("draw out of range: %v", err)
	}
	if _, err := MacroSampleSize(c, bs, 0.7); !errors.Is(err, ErrRiskLimit) {
		t.Errorf("risk limit: %v", err)
	}
	if _, err := MacroPValueContests(nil, nil, nil); !errors.Is(err, ErrMacro) {
		t.Errorf("no contests: %v", err)
	}
	// An unaudited drawn batch counts as its bound: taint 1.
	if tau := MacroTaint(c, bs[0]); tau != 1 {
		t.Errorf("unaudited taint %v", tau)
	}
	// An understatement counts as no error.
	b := Batch{Name: "u", Reported: map[string]int64{"winner": 5, "loser": 5}, Audited: map[string]int64{"winner": 8, "loser": 2}, Ballots: 10}
	if tau := MacroTaint(c, b); tau != 0 {
		t.Errorf("understatement taint %v", tau)
	}
}

func BenchmarkMacroSampleSize(b *testing.B) {
	c := arloMacroContests()[0]
	bs := batchesFor(c, arloMacroBatches())
	for b.Loop() {
		if _, err := MacroSampleSize(c, bs, 0.1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(bs)), "batches")
}
