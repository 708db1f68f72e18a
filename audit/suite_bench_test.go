package audit

import "testing"

// BenchmarkSuiteSampleSize2M plans a SUITE audit of a 2,000,000-ballot contest: 1,000,000 ballots
// with CVRs (A 490,000, B 470,000) and 1,000,000 without (A 490,000, B 470,000), a margin of
// 40,000 votes (2 points of the ballots), at α = 5%. It reports the planned draws.
func BenchmarkSuiteSampleSize2M(b *testing.B) {
	h := &HybridContest{
		Contest: &Contest{Name: "2M", Ballots: 2000000, Choices: []Choice{{"A", 980000}, {"B", 940000}}},
		CVR:     Stratum{Ballots: 1000000, Votes: map[string]int64{"A": 490000, "B": 470000}},
		NoCVR:   Stratum{Ballots: 1000000, Votes: map[string]int64{"A": 490000, "B": 470000}},
	}
	var cvr, nocvr int64
	var err error
	for b.Loop() {
		cvr, nocvr, err = SuiteSampleSizes(h, 0.05)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cvr), "cvr-draws")
	b.ReportMetric(float64(nocvr), "nocvr-draws")
}

// BenchmarkSuitePValue measures one risk measurement of the same contest with a polling sample
// of 20,000 ballots.
func BenchmarkSuitePValue(b *testing.B) {
	h := &HybridContest{
		Contest: &Contest{Name: "2M", Ballots: 2000000, Choices: []Choice{{"A", 980000}, {"B", 940000}}},
		CVR:     Stratum{Ballots: 1000000, Votes: map[string]int64{"A": 490000, "B": 470000}},
		NoCVR:   Stratum{Ballots: 1000000, Votes: map[string]int64{"A": 490000, "B": 470000}},
	}
	poll := map[string]int64{"A": 9800, "B": 9400}
	for b.Loop() {
		if _, err := SuitePValue(h, 0.05, SuiteCVRSample{Draws: 20000, Discrepancies: Discrepancies{O1: 3}}, poll, 20000); err != nil {
			b.Fatal(err)
		}
	}
}
