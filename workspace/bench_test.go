package workspace

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/canvass-vote/canvass/cvr/dominion"
)

// BenchmarkImportCVR imports a synthetic Dominion export of 20,000 ballots with 5 contests into
// a fresh workspace (hashing, parsing and one SQLite transaction), then counts it from the
// database.
func BenchmarkImportCVR(b *testing.B) {
	const ballots = 20000
	src := filepath.Join(b.TempDir(), "export")
	if err := dominion.WriteSynthetic(src, ballots, 5, 1); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("import", func(b *testing.B) {
		n := 0
		for b.Loop() {
			b.StopTimer()
			w, err := Init(ctx, b.TempDir(), "bench", InitOptions{})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := w.ImportCVR(ctx, src, ImportOptions{Format: "dominion"}); err != nil {
				b.Fatal(err)
			}
			n += ballots
			b.StopTimer()
			w.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ballots/s")
	})
	b.Run("tabulate", func(b *testing.B) {
		w, err := Init(ctx, b.TempDir(), "bench", InitOptions{})
		if err != nil {
			b.Fatal(err)
		}
		defer w.Close()
		if _, err := w.ImportCVR(ctx, src, ImportOptions{Format: "dominion"}); err != nil {
			b.Fatal(err)
		}
		n := 0
		for b.Loop() {
			if _, err := w.Tabulate(ctx, TabulateOptions{By: "precinct"}); err != nil {
				b.Fatal(err)
			}
			n += ballots
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ballots/s")
	})
}

// BenchmarkTabulateFiles is the path of "canvass tabulate --cvr": read a synthetic Dominion
// export of 100,000 ballots with 5 contests, check ballot ids for duplicates, and count.
func BenchmarkTabulateFiles(b *testing.B) {
	const ballots = 100000
	src := filepath.Join(b.TempDir(), "export")
	if err := dominion.WriteSynthetic(src, ballots, 5, 1); err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		if _, err := TabulateFiles([]string{src}, nil, TabulateOptions{CVRFormat: "dominion"}); err != nil {
			b.Fatal(err)
		}
		n += ballots
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ballots/s")
}
