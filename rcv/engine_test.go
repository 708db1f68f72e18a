package rcv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/canvass-vote/canvass/cvr"
	_ "github.com/canvass-vote/canvass/cvr/cdf"
	"github.com/canvass-vote/canvass/cvr/dominion"
	"github.com/canvass-vote/canvass/cvr/ess"
)

// casesDir holds RCTab's regression cases (README.md there; Mozilla Public License 2.0).
var casesDir = filepath.Join("..", "..", "shared", "data", "rcv", "rctab")

// readBallots reads every source of a case's config with the canvass readers (CDF, ES&S,
// Dominion) into engine ballots.
func readBallots(cfg *Config) ([]Ballot, error) {
	var out []Ballot
	for i, s := range cfg.Sources {
		var r cvr.Reader
		var err error
		switch s.Provider {
		case "cdf":
			r, err = cvr.Open(s.Path, "cdf", cvr.Options{})
		case "dominion":
			r, err = dominion.Open(s.Path, cvr.Options{})
		case "ess":
			o := cvr.RankedOptions{Contest: cfg.Output.ContestName,
				FirstVoteColumn: s.FirstVoteColumnIndex, FirstVoteRow: s.FirstVoteRowIndex,
				IDColumn: s.IDColumnIndex, PrecinctColumn: s.PrecinctColumnIndex, BatchColumn: s.BatchColumnIndex,
				OvervoteDelimiter: s.OvervoteDelimiter, OvervoteLabel: s.OvervoteLabel, UndervoteLabel: s.SkippedRankLabel,
				UndeclaredWriteInLabel: s.UndeclaredWriteInLabel, TreatBlankAsUndeclaredWriteIn: s.TreatBlankAsUndeclaredWriteIn}
			for _, c := range cfg.Candidates {
				aliases := c.Aliases
				if c.Code != "" {
					aliases = append([]string{c.Code}, aliases...)
				}
				o.Candidates = append(o.Candidates, cvr.RankedCandidate{Name: c.Name, Aliases: aliases})
			}
			r, err = ess.Open(s.Path, o)
		default:
			return nil, fmt.Errorf("source %d: provider %s has no reader here", i, s.Provider)
		}
		if err != nil {
			return nil, err
		}
		el := r.Election()
		contest := -1
		for ci, c := range el.Contests {
			if s.ContestID == "" || c.ID == s.ContestID || c.Name == s.ContestID {
				contest = ci
				break
			}
		}
		if contest < 0 {
			r.Close()
			return nil, fmt.Errorf("source %d: contest %q not found", i, s.ContestID)
		}
		for {
			b, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				r.Close()
				return nil, err
			}
			has := false
			for _, cm := range b.Contests {
				if int(cm.Contest) == contest {
					has = true
				}
			}
			if !has {
				continue
			}
			eb, err := FromCanvass(el, contest, b, cfg.CandidateName)
			if err != nil {
				r.Close()
				return nil, err
			}
			out = append(out, eb)
		}
		r.Close()
	}
	return out, nil
}

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

// runCase tabulates a case and compares every report that has an expected file; it returns
// the number of reports compared and the differences.
func runCase(name string) (int, []string, error) {
	dir := filepath.Join(casesDir, name)
	cfg, err := LoadConfig(filepath.Join(dir, name+"_config.json"))
	if err != nil {
		return 0, nil, err
	}
	ballots, err := readBallots(cfg)
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

// matching lists the cases whose every expected report (the contest's, each pass's, each
// precinct's or batch's that RCTab's suite keeps) this engine reproduces exactly.
var matching = []string{
	"2013_minneapolis_mayor",
	"2013_minneapolis_mayor_scale",
	"2013_minneapolis_park",
	"2013_minneapolis_park_bottoms_up",
	"2013_minneapolis_park_hare",
	"2013_minneapolis_park_sequential",
	"2015_portland_mayor_codes",
	"2017_minneapolis_mayor",
	"aliases_cdf_json",
	"aliases_ess_xlsx",
	"batch_example",
	"continue_tabulation_test",
	"continue_until_two_threshold_freeze",
	"continue_until_two_with_batch_elimination_test",
	"dominion_multi_file",
	"duplicate_test",
	"excluded_test",
	"exhaust_if_multiple_continuing",
	"first_round_determines_threshold_test",
	"first_round_determines_threshold_tiebreaker_test",
	"minneapolis_multi_seat_threshold",
	"missing_precinct_example",
	"more_winners_than_candidates",
	"multi_seat_bottoms_up_with_cutoff_eliminate",
	"multi_seat_bottoms_up_with_static_threshold",
	"multi_seat_uwi_test",
	"precinct_example",
	"sequential_with_batch",
	"sequential_with_continue_until_two",
	"skip_to_next_test",
	"stop_tabulation_early_test",
	"test_set_0_skipped_first_choice",
	"test_set_1_exhaust_at_overvote",
	"test_set_2_overvote_skip_to_next",
	"test_set_3_skipped_choice_exhaust",
	"test_set_4_skipped_choice_next",
	"test_set_5_two_skipped_choice_exhaust",
	"test_set_6_duplicate_exhaust",
	"test_set_7_duplicate_skip_to_next",
	"test_set_8_multi_cdf",
	"test_set_allow_only_one_winner_per_round",
	"test_set_multi_winner_whole_threshold",
	"test_set_overvote_delimiter",
	"test_set_treat_blank_as_undeclared_write_in",
	"tiebreak_generate_permutation_test",
	"tiebreak_seed_test",
	"tiebreak_use_permutation_in_config_test",
	"uwi_cannot_win_test",
}

// TestRCTabCases tabulates each matching case and compares every report with RCTab's.
func TestRCTabCases(t *testing.T) {
	for _, name := range matching {
		if testing.Short() && strings.Contains(name, "scale") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			n, diffs, err := runCase(name)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Fatal("no expected report compared")
			}
			for _, d := range diffs {
				t.Error(d)
			}
		})
	}
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

// TestSurvey logs the state of every case (run with -run Survey -v).
func TestSurvey(t *testing.T) {
	if !testing.Verbose() {
		return
	}
	entries, _ := os.ReadDir(casesDir)
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || strings.HasPrefix(name, "_") {
			continue
		}
		n, diffs, err := runCase(name)
		switch {
		case err != nil:
			t.Logf("ERR   %s: %v", name, err)
		case n == 0:
			t.Logf("NONE  %s", name)
		case len(diffs) > 0:
			t.Logf("DIFF  %s (%d reports): %d diffs, first %s", name, n, len(diffs), diffs[0])
		default:
			t.Logf("MATCH %s (%d reports)", name, n)
		}
	}
}
