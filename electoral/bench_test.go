package electoral

import "testing"

// BenchmarkSmallestFlip2020 is one smallest-flip search (a Trump win, switched votes) over the
// 56 units of 2020: a knapsack over Biden's 28 units and 306 electoral votes.
func BenchmarkSmallestFlip2020(b *testing.B) {
	a := analyze(b, load2020(b, false)).Allocation
	b.ReportAllocs()
	for b.Loop() {
		if f, ok := SmallestFlip(a, TargetWin, Switched); !ok || f.Votes != 32507 {
			b.Fatalf("%+v", f)
		}
	}
	b.ReportMetric(56, "units")
}

// BenchmarkAnalyze2020 is the whole report of 2020: the allocation of 56 units with their
// margins and recount reach, the tipping point and the four smallest flips.
func BenchmarkAnalyze2020(b *testing.B) {
	e := load2020(b, false)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Analyze(e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad2020 reads and assembles the four 2020 files (statewide results).
func BenchmarkLoad2020(b *testing.B) {
	for b.Loop() {
		load2020(b, false)
	}
}
