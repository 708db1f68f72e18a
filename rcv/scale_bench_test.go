package rcv

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// scaleConfig is RCTab's 2013 Minneapolis mayor scale case (1,041,313 ballots in 13 xlsx
// files, 36 candidates). At 26 MB it is not copied into the repository: the benchmarks read it
// from the shared data folder beside it, and say so when it is absent.
var scaleConfig = filepath.Join("..", "..", "shared", "data", "rcv", "rctab", "2013_minneapolis_mayor_scale", "2013_minneapolis_mayor_scale_config.json")

func loadScale(b *testing.B) (*Config, []Ballot, bool) {
	b.Helper()
	if _, err := os.Stat(scaleConfig); err != nil {
		b.Logf("%s is absent (it lives in the shared data folder, not in the repository): nothing measured", scaleConfig)
		return nil, nil, false
	}
	cfg, err := LoadConfig(scaleConfig)
	if err != nil {
		b.Fatal(err)
	}
	ballots, err := LoadBallots(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return cfg, ballots, true
}

// BenchmarkScaleRead reads the 13 xlsx files into ballots (the ES&S reader and the mapping to
// the configuration's candidates).
func BenchmarkScaleRead(b *testing.B) {
	if _, err := os.Stat(scaleConfig); err != nil {
		b.Logf("%s is absent (it lives in the shared data folder, not in the repository): nothing measured", scaleConfig)
		return
	}
	cfg, err := LoadConfig(scaleConfig)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		bs, err := LoadBallots(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(bs)), "ballots")
	}
}

// BenchmarkScaleTabulate is the tabulation proper of the scale case: compressing 1,041,313
// ballots into distinct rankings and running the 33 rounds.
func BenchmarkScaleTabulate(b *testing.B) {
	cfg, ballots, ok := loadScale(b)
	if !ok {
		return
	}
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Tabulate(cfg, ballots); err != nil {
			b.Fatal(err)
		}
	}
}
