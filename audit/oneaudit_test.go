package audit

import (
	"math"
	"testing"
)

// ONEAudit with no CVRs at all (Stark 2023 sec. 3): one batch of 1000 cards reported 600 A /
// 400 B, Ā = 0.6, v = 0.2, u = 1: B = (1 − 0.6 + A)/1.8, so an A vote gives 1.4/1.8 = 0.7778,
// a B vote 0.4/1.8 = 0.2222, a blank 0.9/1.8 = 1/2. If the truth is 500/500 the mean of B is
// (0.7778 + 0.2222)/2 = 1/2 exactly: the null is met, as ONEAudit sec. 3 proves in general.
func TestOneAuditNoCVRs(t *testing.T) {
	a := Assorter{Winner: "A", Loser: "B", Upper: 1}
	bm, err := a.BatchMean(OneAuditBatch{Cards: 1000, Votes: map[string]int64{"A": 600, "B": 400}})
	if err != nil {
		t.Fatal(err)
	}
	if !near(bm, 0.6, 1e-15) {
		t.Fatalf("batch mean %v", bm)
	}
	a.Mean = bm
	va, vb, vn := a.OneAuditValue(bm, []string{"A"}), a.OneAuditValue(bm, []string{"B"}), a.OneAuditValue(bm, nil)
	if !near(va, 1.4/1.8, 1e-15) || !near(vb, 0.4/1.8, 1e-15) || !near(vn, 0.5, 1e-15) {
		t.Errorf("values %v %v %v", va, vb, vn)
	}
	if !near((va+vb)/2, 0.5, 1e-15) {
		t.Errorf("tied truth: mean B = %v, want 1/2", (va+vb)/2)
	}
}

// Mixed: 1000 cards with CVRs (550 A, 450 B, all correct) and a batch of 1000 without CVRs
// reported 500/500 (batch mean 1/2). Ā = (550 + 500)/2000 = 0.525, v = 0.05. A CVR card
// without error: B = 1/1.95 = 0.512821; a batch card: (1 − 0.5 + A)/1.95 → 1.5/1.95 = 0.769231
// for A, 0.5/1.95 = 0.256410 for B. With the truth as reported the population mean of B is
// (1000·0.512821 + 500·0.769231 + 500·0.256410)/2000 = 1/1.95 = 0.512821.
//
// ALPHA on that population, with replacement and a fixed η = 0.512821 (FixedEta, N = 0),
// u_B = 2/1.95: each no-error draw multiplies T by (x·η/t + (u−x)(u−η)/(u−t))/u with
// x = η = 1/1.95, t = 1/2: factor = (0.512821²/0.5 + 0.512821²/0.525641)/1.025641 = 1.000625,
// so n = ceil(ln 20/ln 1.000625) = 4792 draws.
func TestOneAuditMixed(t *testing.T) {
	a := Assorter{Winner: "A", Loser: "B", Upper: 1, Mean: 0.525}
	bm, err := a.BatchMean(OneAuditBatch{Cards: 1000, Votes: map[string]int64{"A": 500, "B": 500}})
	if err != nil {
		t.Fatal(err)
	}
	noErr := a.OneAuditValue(a.Assort([]string{"A"}), []string{"A"})
	ba, bb := a.OneAuditValue(bm, []string{"A"}), a.OneAuditValue(bm, []string{"B"})
	if !near(noErr, 1/1.95, 1e-15) || !near(ba, 1.5/1.95, 1e-15) || !near(bb, 0.5/1.95, 1e-15) {
		t.Errorf("values %v %v %v", noErr, ba, bb)
	}
	if mean := (1000*noErr + 500*ba + 500*bb) / 2000; !near(mean, 1/1.95, 1e-15) {
		t.Errorf("population mean %v, want 1/1.95", mean)
	}
	if !near(a.ComparisonUpper(), 2/1.95, 1e-15) {
		t.Errorf("upper %v", a.ComparisonUpper())
	}
	x, u := 1/1.95, 2/1.95
	factor := (x*x/0.5 + (u-x)*(u-x)/(u-0.5)) / u
	want := int(math.Ceil(math.Log(20) / math.Log(factor)))
	al := Alpha{T: 0.5, U: u, Estimator: FixedEta{Eta0: x}}
	got, err := al.SampleSize(x, 0.05, 100000)
	if err != nil {
		t.Fatal(err)
	}
	if got != want || want != 4792 {
		t.Errorf("sample size %d, want %d (factor %v)", got, want, factor)
	}
	// The ONEAudit ALPHA test confirms a sample of no-error CVR cards and correct batch cards.
	test := a.OneAuditAlpha(2000, 1/1.95)
	if !near(test.U, u, 1e-15) {
		t.Errorf("OneAuditAlpha upper %v", test.U)
	}
	if _, err := a.BatchMean(OneAuditBatch{Cards: 0}); err == nil {
		t.Error("empty batch accepted")
	}
}
