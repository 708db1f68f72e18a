package rcv

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// casesDir holds RCTab's regression cases (README.md there; Mozilla Public License 2.0).
var casesDir = filepath.Join("..", "testdata", "rcv", "rctab")

var unsafeChars = regexp.MustCompile(`[^a-zA-Z0-9_\-.]`)

// expectedFiles maps each report Tabulate returns to its expected file in the case folder
// ("" when RCTab's suite keeps no file for it).
func expectedFile(dir, name string, r *Report) string {
	switch {
	case r.Slice != "":
		folder := "Tabulate by Precinct"
		if r.Slice == "batch" {
			folder = "Tabulate by Batch"
		}
		return filepath.Join(dir, folder, fmt.Sprintf("%s_expected_%s_%s_detailed_report.json", name, unsafeChars.ReplaceAllString(r.SliceID, "_"), r.Slice))
	case r.Pass > 0:
		return filepath.Join(dir, fmt.Sprintf("%s_%d_expected_detailed_report.json", name, r.Pass))
	}
	return filepath.Join(dir, name+"_expected_detailed_report.json")
}

// runCase tabulates the configuration name (name_config.json in dir) and compares every
// report that has an expected file; it returns the number of reports compared and the
// differences.
func runCase(dir, name string) (int, []string, error) {
	cfg, err := LoadConfig(filepath.Join(dir, name+"_config.json"))
	if err != nil {
		return 0, nil, err
	}
	ballots, err := LoadBallots(cfg)
	if err != nil {
		return 0, nil, err
	}
	reps, err := Tabulate(cfg, ballots)
	if err != nil {
		return 0, nil, err
	}
	compared := 0
	var diffs []string
	for _, r := range reps {
		want, err := os.ReadFile(expectedFile(dir, name, r))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return compared, diffs, err
		}
		var buf bytes.Buffer
		if err := r.WriteJSON(&buf); err != nil {
			return compared, diffs, err
		}
		compared++
		for _, d := range Compare(buf.Bytes(), want) {
			diffs = append(diffs, filepath.Base(expectedFile(dir, name, r))+d)
		}
	}
	return compared, diffs, nil
}

// TestRCTabRefused checks that configs RCTab refuses are refused, naming the fields.
func TestRCTabRefused(t *testing.T) {
	for name, fields := range map[string][]string{
		"invalid_params_test":  {"tabulatorVersion", "cvrFileSources", "rules.tiebreakMode", "rules.overvoteRule", "rules.decimalPlacesForVoteArithmetic", "rules.maxSkippedRanksAllowed", "rules.maxRankingsAllowed"},
		"invalid_sources_test": {"cvrFileSources[0].filePath"},
		// Dominion precincts come from PrecinctManifest.json, which this case lacks.
		"tabulate_by_precinct_without_precincts": {"outputSettings.tabulateByPrecinct"},
	} {
		_, err := LoadConfig(filepath.Join(casesDir, name, name+"_config.json"))
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Fatalf("%s: got %v, want a ConfigError", name, err)
		}
		for _, f := range fields {
			if !strings.Contains(err.Error(), f) {
				t.Errorf("%s: error does not name %s: %v", name, f, err)
			}
		}
	}
}

// TestRCTabRefusedCVR checks that a CVR RCTab refuses is refused: max_ranking_enforcement's
// first ballot ranks 4 candidates where maxRankingsAllowed is 3.
func TestRCTabRefusedCVR(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join(casesDir, "max_ranking_enforcement", "max_ranking_enforcement_config.json"))
	if err != nil {
		t.Fatal(err)
	}
	ballots, err := LoadBallots(cfg)
	if err == nil {
		_, err = Tabulate(cfg, ballots)
	}
	if err == nil || !strings.Contains(err.Error(), "rank 4 exceeds rules.maxRankingsAllowed (3)") {
		t.Fatalf("got %v, want the rank 4 > maxRankingsAllowed 3 refusal", err)
	}
}
