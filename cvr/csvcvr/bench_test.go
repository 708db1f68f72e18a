package csvcvr

import (
	"bytes"
	"io"
	"testing"

	"github.com/canvass-vote/canvass/cvr"
)

// benchBallots is the size of the synthetic file the benchmark reads: 100,000 ballots of 5
// contests (about 8 MB), read from memory so that the parser is measured, not the disk.
const benchBallots = 100_000

// BenchmarkRead reads WriteSynthetic(100000 ballots, 5 contests) and reports bytes/s and
// ballots/s. Run with -cpu 1 for the one-core figure.
func BenchmarkRead(b *testing.B) {
	var buf bytes.Buffer
	if err := WriteSynthetic(&buf, benchBallots, 5, 1); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), "synthetic.csv", cvr.Options{})
		if err != nil {
			b.Fatal(err)
		}
		got := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			got++
		}
		if got != benchBallots {
			b.Fatalf("read %d ballots, want %d", got, benchBallots)
		}
		n += got
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ballots/s")
}

// BenchmarkWriteSynthetic measures the generator the benchmarks and the CLI use.
func BenchmarkWriteSynthetic(b *testing.B) {
	var buf bytes.Buffer
	if err := WriteSynthetic(&buf, benchBallots, 5, 1); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	n := 0
	for b.Loop() {
		buf.Reset()
		if err := WriteSynthetic(&buf, benchBallots, 5, 1); err != nil {
			b.Fatal(err)
		}
		n += benchBallots
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ballots/s")
}
