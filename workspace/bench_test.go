package workspace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr/dominion"
	"github.com/canvass-vote/canvass/results"
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

// BenchmarkRecountReport4000 reports a recount of 4,000 precincts (three choices each) read
// back from the ledger: the start entry's canvass counts, one entry of recount counts from a
// results file, and the comparison.
func BenchmarkRecountReport4000(b *testing.B) {
	const units = 4000
	ctx := context.Background()
	dir := b.TempDir()
	write := func(name string, delta int) string {
		var sb strings.Builder
		sb.WriteString("state,county,municipality,precinct,contest,choice,votes\n")
		for i := 0; i < units; i++ {
			for j, c := range []string{"Ann", "Ben", "Cy"} {
				fmt.Fprintf(&sb, "WI,County %d,Town %d,Ward %d,Mayor,%s,%d\n", i%72, i%400, i, c, 100*(3-j)+i%7+delta*(i%3))
			}
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		return p
	}
	w, err := Init(ctx, filepath.Join(dir, "ws"), "bench", InitOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	if _, err := w.ImportResults(ctx, write("canvass.csv", 0), ImportOptions{Results: results.Options{Format: "canvass"}}); err != nil {
		b.Fatal(err)
	}
	counties := make([]string, 72)
	for i := range counties {
		counties[i] = fmt.Sprintf("County %d", i)
	}
	id, err := w.RecountStart(ctx, RecountOptions{Contest: "Mayor", Level: canvass.LevelPrecinct, State: "WI", Jurisdictions: counties})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := w.RecountEnter(ctx, RecountEntry{File: write("recount.csv", 1), Results: results.Options{Format: "canvass"}}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rep, err := w.RecountReport(ctx, id)
		if err != nil || rep.Entered != units {
			b.Fatalf("%v: %d entered", err, rep.Entered)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/units, "ns/unit")
}
