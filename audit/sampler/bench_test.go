package sampler

import (
	"strconv"
	"testing"
)

// arloID5M writes the Arlo id of ballot i of a 5,000,000-ballot manifest of 10,000 batches
// of 500 ballots named "Batch 00001", …: ('Batch 00001', 1), ('Batch 00001', 2), ….
func arloID5M(dst []byte, i int) []byte {
	const perBatch = 500
	dst = append(dst, "('Batch "...)
	b := i/perBatch + 1
	for d := 10000; d > 0; d /= 10 {
		dst = append(dst, byte('0'+b/d%10))
	}
	dst = append(dst, "', "...)
	dst = strconv.AppendInt(dst, int64(i%perBatch+1), 10)
	return append(dst, ')')
}

// BenchmarkSample5M draws 500 ballots with and without replacement from a 5,000,000-ballot
// manifest with Arlo's ids, the acceptance benchmark (target: under 1.4 s per op).
func BenchmarkSample5M(b *testing.B) {
	const count, n = 5_000_000, 500
	for _, repl := range []bool{false, true} {
		name := "without"
		if repl {
			name = "with"
		}
		b.Run(name+"Replacement", func(b *testing.B) {
			for b.Loop() {
				d, err := SampleFunc("32549826738291057463", count, arloID5M, n, repl)
				if err != nil || len(d) != n {
					b.Fatal(len(d), err)
				}
			}
			b.ReportMetric(float64(count)*float64(b.N)/b.Elapsed().Seconds(), "ballots/s")
		})
	}
}
