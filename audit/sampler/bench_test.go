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

// BenchmarkSampleManifest5M is BenchmarkSample5M through SampleManifest: 10,000 batches of
// 500 ballots, ids written from the manifest with a cursor per goroutine.
func BenchmarkSampleManifest5M(b *testing.B) {
	bs := make([]Batch, 10_000)
	for k := range bs {
		bs[k] = Batch{Name: "Batch " + strconv.Itoa(10_000 + k + 1)[1:], Ballots: 500}
	}
	m, err := ManifestFromCounts(bs)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		d, err := SampleManifest("32549826738291057463", m, 500, true, BatchName)
		if err != nil || len(d) != 500 {
			b.Fatal(len(d), err)
		}
	}
	b.ReportMetric(float64(m.Total)*float64(b.N)/b.Elapsed().Seconds(), "ballots/s")
}
