package cdf

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/canvass-vote/canvass/cvr"
)

// benchBallots is the size of the synthetic report the benchmarks read: large enough that the
// definitions and the reader's setup are noise (about 150 MB would be needed to beat the disk
// cache in a file benchmark; reading from memory measures the parser).
const benchBallots = 100_000

func synthetic(b testing.TB, ballots, contests int, electionLast bool) []byte {
	b.Helper()
	var buf bytes.Buffer
	if err := writeSynthetic(&buf, ballots, contests, 1, electionLast); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// benchRead reads data n times and reports bytes/s and ballots/s.
func benchRead(b *testing.B, data []byte, wantBallots int, which Snapshot) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), "synthetic.json", cvr.Options{})
		if err != nil {
			b.Fatal(err)
		}
		r.SetSnapshot(which)
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
		r.Close()
		if got != wantBallots {
			b.Fatalf("read %d ballots, want %d", got, wantBallots)
		}
		n += got
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ballots/s")
}

// BenchmarkRead is the target of the issue: compact synthetic CDF JSON, 5 contests a ballot,
// definitions first (one pass). Run with -cpu 1 for the one-core figure.
func BenchmarkRead(b *testing.B) {
	benchRead(b, synthetic(b, benchBallots, 5, false), benchBallots, Current)
}

// BenchmarkReadElectionLast reads the same ballots with the CVR array before the definitions:
// the two-pass path (a Skip of the CVR array, then the stream).
func BenchmarkReadElectionLast(b *testing.B) {
	benchRead(b, synthetic(b, benchBallots, 5, true), benchBallots, Current)
}

// BenchmarkOpenFile reads the Election-last synthetic report from a file through Open, as the
// CLI does: a first pass skips the CVR array, then Open seeks back to it (on Linux the file is
// memory-mapped and both passes scan it in place).
func BenchmarkOpenFile(b *testing.B) {
	benchOpenFile(b, true)
}

// BenchmarkOpenFileOnePass reads the synthetic report with the definitions first (the layout
// of "canvass gen cdf") from a file through Open: one pass, memory-mapped on Linux. Compare
// with BenchmarkRead, the same bytes through the scanner's buffer.
func BenchmarkOpenFileOnePass(b *testing.B) {
	benchOpenFile(b, false)
}

func benchOpenFile(b *testing.B, electionLast bool) {
	path := filepath.Join(b.TempDir(), "synthetic.json")
	data := synthetic(b, benchBallots, 5, electionLast)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		r, err := Open(path, cvr.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
			n++
		}
		r.Close()
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ballots/s")
}

// BenchmarkReadRCTab reads RCTab's CDF export of test set 8 (24 CVRs with four snapshots each,
// the Election after the CVRs, no VoteVariation): small-file overhead, including the rank scan.
func BenchmarkReadRCTab(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "cvr", "rctab", "test_set_8_multi_cdf", "test_set_8_multi_cdf_expected_cdf_cvr.json"))
	if err != nil {
		b.Fatal(err)
	}
	benchRead(b, data, 24, Original)
}
