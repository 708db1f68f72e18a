// Package rcv tabulates ranked-choice contests as RCTab (the open-source Ranked Choice Voting
// Tabulator) does: it reads RCTab's JSON configuration (LoadConfig), takes ballots as ranked
// candidate names (Ballot, FromCanvass), applies RCTab's rules round by round (Tabulate) and
// writes RCTab's detailed JSON report (Report.WriteJSON). The meaning of every configuration
// field is RCTab's config_file_documentation.txt; the rules follow RCTab's Tabulator.
//
// Vote arithmetic is exact decimal (math/big), truncated to decimalPlacesForVoteArithmetic
// where RCTab truncates.
package rcv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// TiebreakMode is RCTab's rules.tiebreakMode.
type TiebreakMode string

// The tiebreak modes of RCTab.
const (
	TiebreakRandom                   TiebreakMode = "random"
	TiebreakInteractive              TiebreakMode = "stopCountingAndAsk"
	TiebreakPreviousRoundsThenRandom TiebreakMode = "previousRoundCountsThenRandom"
	TiebreakPreviousRoundsThenAsk    TiebreakMode = "previousRoundCountsThenAsk"
	TiebreakUseCandidateOrder        TiebreakMode = "useCandidateOrder"
	TiebreakGeneratePermutation      TiebreakMode = "generatePermutation"
)

// OvervoteRule is RCTab's rules.overvoteRule.
type OvervoteRule string

// The overvote rules of RCTab.
const (
	OvervoteAlwaysSkip         OvervoteRule = "alwaysSkipToNextRank"
	OvervoteExhaustImmediately OvervoteRule = "exhaustImmediately"
	OvervoteExhaustIfMultiple  OvervoteRule = "exhaustIfMultipleContinuing"
)

// WinnerMode is RCTab's rules.winnerElectionMode.
type WinnerMode string

// The winner election modes of RCTab.
const (
	SingleWinnerMajority    WinnerMode = "singleWinnerMajority"
	MultiWinnerOnePerRound  WinnerMode = "multiWinnerAllowOnlyOneWinnerPerRound"
	MultiWinnerManyPerRound WinnerMode = "multiWinnerAllowMultipleWinnersPerRound"
	BottomsUp               WinnerMode = "bottomsUp"
	BottomsUpPercentage     WinnerMode = "bottomsUpUsingPercentageThreshold"
	MultiPassIRV            WinnerMode = "multiPassIrv"
)

// UndeclaredWriteIn is RCTab's name for undeclared write-ins (cvr.UndeclaredWriteIn).
const UndeclaredWriteIn = "Undeclared Write-ins"

// Config is an RCTab contest configuration.
type Config struct {
	// Path is the file read; Dir is its folder, against which source paths are resolved.
	Path, Dir        string
	TabulatorVersion string
	Output           OutputSettings
	Sources          []Source
	Candidates       []Candidate
	Rules            Rules
}

// OutputSettings is RCTab's outputSettings block.
type OutputSettings struct {
	ContestName, OutputDirectory, ContestDate, ContestJurisdiction, ContestOffice string
	TabulateByPrecinct, TabulateByBatch, GenerateCdfJSON                          bool
}

// Source is one of RCTab's cvrFileSources. Column and row indices are 1-based, 0 when unset.
type Source struct {
	FilePath  string // as written
	Path      string // resolved against Config.Dir
	Provider  string
	ContestID string

	FirstVoteColumnIndex, FirstVoteRowIndex, IDColumnIndex, BatchColumnIndex, PrecinctColumnIndex int

	OvervoteDelimiter, OvervoteLabel, SkippedRankLabel, UndeclaredWriteInLabel string
	TreatBlankAsUndeclaredWriteIn                                              bool
}

// Candidate is a declared candidate with the other names (aliases, code) files may use.
type Candidate struct {
	Name     string
	Code     string
	Aliases  []string
	Excluded bool
}

// Rules is RCTab's rules block, parsed.
type Rules struct {
	Tiebreak   TiebreakMode
	Overvote   OvervoteRule
	WinnerMode WinnerMode
	// RandomSeed is set when HasRandomSeed.
	RandomSeed    int64
	HasRandomSeed bool
	// NumberOfWinners is 0 only for bottomsUpUsingPercentageThreshold.
	NumberOfWinners int
	DecimalPlaces   int
	// MinimumVoteThreshold is 0 when unset.
	MinimumVoteThreshold int64
	// MaxSkippedRanks is -1 for "unlimited".
	MaxSkippedRanks int
	// MaxRankings is 0 for "max" (the number of declared candidates).
	MaxRankings int
	// StopAfterRound is 0 when unset.
	StopAfterRound int
	// BottomsUpPercentage is the percentage (0–100) for bottomsUpUsingPercentageThreshold.
	BottomsUpPercentage *big.Rat

	NonIntegerWinningThreshold, HareQuota, BatchElimination, ContinueUntilTwo,
	ExhaustOnDuplicate, FirstRoundDeterminesThreshold, TreatBlankAsUndeclaredWriteIn bool
	// CutoffElimination (rules.cutoffElimination, bottomsUpUsingPercentageThreshold only)
	// eliminates in one round every candidate whose tally is below the percentage threshold.
	CutoffElimination bool
	Description       string
}

// scalar is a JSON scalar as RCTab writes it: "3", 3, "" or true; Text holds it as text.
type scalar struct {
	Text string
	Set  bool
}

func (s *scalar) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	s.Set = true
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &s.Text)
	}
	if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		return fmt.Errorf("want a string, number or boolean, got %s", b)
	}
	s.Text = string(b)
	return nil
}

type rawConfig struct {
	TabulatorVersion scalar              `json:"tabulatorVersion"`
	OutputSettings   map[string]scalar   `json:"outputSettings"`
	CVRFileSources   []map[string]scalar `json:"cvrFileSources"`
	Candidates       []struct {
		Name     scalar   `json:"name"`
		Code     scalar   `json:"code"`
		Aliases  []string `json:"aliases"`
		Excluded scalar   `json:"excluded"`
	} `json:"candidates"`
	Rules map[string]scalar `json:"rules"`
}

// ConfigError lists everything wrong with a configuration, each problem naming its field.
type ConfigError struct {
	Path     string
	Problems []string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("rcv: config %s is invalid (see RCTab's config_file_documentation.txt): %s", e.Path, strings.Join(e.Problems, "; "))
}

// LoadConfig reads and validates the RCTab configuration at path. Source paths are resolved
// against the config's folder. A configuration RCTab refuses is refused with a *ConfigError
// naming every faulty field.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rcv: %w", err)
	}
	return ParseConfig(data, path)
}

// ParseConfig parses and validates an RCTab configuration read from path.
func ParseConfig(data []byte, path string) (*Config, error) {
	var raw rawConfig
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("rcv: config %s: not RCTab JSON: %w", path, err)
	}
	c := &Config{Path: path, Dir: filepath.Dir(path), TabulatorVersion: raw.TabulatorVersion.Text}
	v := &validator{}
	if !raw.TabulatorVersion.Set || strings.TrimSpace(raw.TabulatorVersion.Text) == "" {
		v.add("tabulatorVersion is required")
	}
	o := raw.OutputSettings
	c.Output = OutputSettings{
		ContestName:         o["contestName"].Text,
		OutputDirectory:     o["outputDirectory"].Text,
		ContestDate:         o["contestDate"].Text,
		ContestJurisdiction: o["contestJurisdiction"].Text,
		ContestOffice:       o["contestOffice"].Text,
		TabulateByPrecinct:  v.boolean("outputSettings.tabulateByPrecinct", o["tabulateByPrecinct"]),
		TabulateByBatch:     v.boolean("outputSettings.tabulateByBatch", o["tabulateByBatch"]),
		GenerateCdfJSON:     v.boolean("outputSettings.generateCdfJson", o["generateCdfJson"]),
	}
	if strings.TrimSpace(c.Output.ContestName) == "" {
		v.add("outputSettings.contestName is required")
	}
	if len(raw.CVRFileSources) == 0 {
		v.add("cvrFileSources must contain at least 1 cast vote record file")
	}
	seenPath := map[string]bool{}
	for i, s := range raw.CVRFileSources {
		f := func(k string) string { return fmt.Sprintf("cvrFileSources[%d].%s", i, k) }
		src := Source{
			FilePath:                      s["filePath"].Text,
			Provider:                      s["provider"].Text,
			ContestID:                     s["contestId"].Text,
			FirstVoteColumnIndex:          v.index(f("firstVoteColumnIndex"), s["firstVoteColumnIndex"], 1000),
			FirstVoteRowIndex:             v.index(f("firstVoteRowIndex"), s["firstVoteRowIndex"], 100000),
			IDColumnIndex:                 v.index(f("idColumnIndex"), s["idColumnIndex"], 1000),
			BatchColumnIndex:              v.index(f("batchColumnIndex"), s["batchColumnIndex"], 1000),
			PrecinctColumnIndex:           v.index(f("precinctColumnIndex"), s["precinctColumnIndex"], 1000),
			OvervoteDelimiter:             s["overvoteDelimiter"].Text,
			OvervoteLabel:                 s["overvoteLabel"].Text,
			SkippedRankLabel:              s["skippedRankLabel"].Text,
			UndeclaredWriteInLabel:        s["undeclaredWriteInLabel"].Text,
			TreatBlankAsUndeclaredWriteIn: v.boolean(f("treatBlankAsUndeclaredWriteIn"), s["treatBlankAsUndeclaredWriteIn"]),
		}
		if strings.TrimSpace(src.FilePath) == "" {
			v.add(f("filePath") + " is required")
		} else {
			src.Path = src.FilePath
			if !filepath.IsAbs(src.Path) {
				src.Path = filepath.Join(c.Dir, filepath.FromSlash(src.FilePath))
			}
			if seenPath[src.Path] {
				v.add(f("filePath") + " duplicates another source: " + src.FilePath)
			}
			seenPath[src.Path] = true
			if _, err := os.Stat(src.Path); err != nil {
				v.add(f("filePath") + ": cast vote record file not found: " + src.FilePath)
			}
		}
		switch src.Provider {
		case "cdf", "clearBallot", "dominion", "ess", "hart", "genericCsv":
		default:
			v.add(fmt.Sprintf("%s %q is not a provider RCTab knows (cdf, clearBallot, dominion, ess, hart, genericCsv)", f("provider"), src.Provider))
		}
		if src.Provider == "ess" || src.Provider == "genericCsv" {
			if src.FirstVoteColumnIndex == 0 {
				v.add(f("firstVoteColumnIndex") + " is required for provider " + src.Provider)
			}
			if src.FirstVoteRowIndex == 0 {
				v.add(f("firstVoteRowIndex") + " is required for provider " + src.Provider)
			}
		}
		c.Sources = append(c.Sources, src)
	}
	seenName := map[string]bool{}
	for i, rc := range raw.Candidates {
		cand := Candidate{Name: rc.Name.Text, Code: rc.Code.Text, Aliases: rc.Aliases,
			Excluded: v.boolean(fmt.Sprintf("candidates[%d].excluded", i), rc.Excluded)}
		if strings.TrimSpace(cand.Name) == "" {
			v.add(fmt.Sprintf("candidates[%d].name is required", i))
		}
		for _, n := range append([]string{cand.Name}, cand.Aliases...) {
			if seenName[n] {
				v.add(fmt.Sprintf("candidates[%d]: duplicate candidate name or alias %q", i, n))
			}
			seenName[n] = true
			if strings.EqualFold(n, "exhausted") || strings.EqualFold(n, "residual surplus") {
				v.add(fmt.Sprintf("candidates[%d]: %q is a reserved term", i, n))
			}
		}
		c.Candidates = append(c.Candidates, cand)
	}
	declared, excluded := len(c.Candidates), 0
	for _, cand := range c.Candidates {
		if cand.Excluded {
			excluded++
		}
	}
	if declared < 1 {
		v.add("candidates must contain at least 1 declared candidate")
	} else if excluded == declared {
		v.add("candidates must contain at least 1 non-excluded candidate")
	}
	c.Rules = v.rules(raw.Rules)
	if c.Rules.Overvote != "" && c.Rules.Overvote != OvervoteAlwaysSkip && c.Rules.Overvote != OvervoteExhaustImmediately {
		for i, s := range c.Sources {
			if s.OvervoteLabel != "" {
				v.add(fmt.Sprintf("cvrFileSources[%d].overvoteLabel is set, so rules.overvoteRule must be alwaysSkipToNextRank or exhaustImmediately", i))
			}
			if s.Provider == "ess" && s.OvervoteDelimiter == "" && c.Rules.Overvote == OvervoteExhaustIfMultiple {
				v.add(fmt.Sprintf("cvrFileSources[%d].overvoteDelimiter is required for an ES&S source when rules.overvoteRule is exhaustIfMultipleContinuing", i))
			}
		}
	}
	for i, s := range c.Sources {
		if s.Provider == "cdf" && c.Output.TabulateByPrecinct {
			v.add(fmt.Sprintf("outputSettings.tabulateByPrecinct may not be used with CDF files (cvrFileSources[%d])", i))
		}
		if s.Provider == "ess" && c.Output.TabulateByPrecinct && s.PrecinctColumnIndex == 0 {
			v.add(fmt.Sprintf("cvrFileSources[%d].precinctColumnIndex is required when tabulateByPrecinct is enabled", i))
		}
		// RCTab names a Dominion ballot's precinct from PrecinctManifest.json (its PrecinctId);
		// precinct portions are not precincts. Without that manifest the CVRs list no precincts,
		// and RCTab refuses to tabulate by precinct.
		if s.Provider == "dominion" && c.Output.TabulateByPrecinct && s.Path != "" {
			dir := s.Path
			if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
				dir = filepath.Dir(dir)
			}
			if _, err := os.Stat(filepath.Join(dir, "PrecinctManifest.json")); err != nil {
				v.add(fmt.Sprintf("outputSettings.tabulateByPrecinct is enabled, but the Dominion CVRs of cvrFileSources[%d] list no precincts (no PrecinctManifest.json in %s): turn it off", i, s.FilePath))
			}
		}
	}
	if len(v.problems) > 0 {
		return nil, &ConfigError{Path: path, Problems: v.problems}
	}
	return c, nil
}

type validator struct{ problems []string }

func (v *validator) add(p string) { v.problems = append(v.problems, p) }

func (v *validator) boolean(field string, s scalar) bool {
	switch strings.ToLower(strings.TrimSpace(s.Text)) {
	case "", "false":
		return false
	case "true":
		return true
	}
	v.add(fmt.Sprintf("%s must be true or false, not %q", field, s.Text))
	return false
}

// integer parses an optional integer field within [lo, hi]; unset is 0 and ok=false.
func (v *validator) integer(field string, s scalar, lo, hi int64, required bool) (int64, bool) {
	t := strings.TrimSpace(s.Text)
	if t == "" {
		if required {
			v.add(fmt.Sprintf("%s is required: an integer from %d to %d", field, lo, hi))
		}
		return 0, false
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < lo || n > hi {
		v.add(fmt.Sprintf("%s must be an integer from %d to %d, not %q", field, lo, hi, t))
		return 0, false
	}
	return n, true
}

func (v *validator) index(field string, s scalar, hi int64) int {
	n, _ := v.integer(field, s, 1, hi, false)
	return int(n)
}

func (v *validator) rules(r map[string]scalar) Rules {
	var out Rules
	out.Description = r["rulesDescription"].Text
	out.Tiebreak = TiebreakMode(r["tiebreakMode"].Text)
	switch out.Tiebreak {
	case TiebreakRandom, TiebreakInteractive, TiebreakPreviousRoundsThenRandom, TiebreakPreviousRoundsThenAsk,
		TiebreakUseCandidateOrder, TiebreakGeneratePermutation:
	default:
		v.add(fmt.Sprintf("rules.tiebreakMode %q is invalid", out.Tiebreak))
	}
	seed, ok := v.integer("rules.randomSeed", r["randomSeed"], -140737488355328, 140737488355327, false)
	out.RandomSeed, out.HasRandomSeed = seed, ok
	if (out.Tiebreak == TiebreakRandom || out.Tiebreak == TiebreakPreviousRoundsThenRandom || out.Tiebreak == TiebreakGeneratePermutation) && !ok {
		v.add("rules.randomSeed is required when tiebreakMode involves a random element")
	}
	out.Overvote = OvervoteRule(r["overvoteRule"].Text)
	switch out.Overvote {
	case OvervoteAlwaysSkip, OvervoteExhaustImmediately, OvervoteExhaustIfMultiple:
	default:
		v.add(fmt.Sprintf("rules.overvoteRule %q is invalid", out.Overvote))
	}
	out.WinnerMode = WinnerMode(r["winnerElectionMode"].Text)
	switch out.WinnerMode {
	case SingleWinnerMajority, MultiWinnerOnePerRound, MultiWinnerManyPerRound, BottomsUp, BottomsUpPercentage, MultiPassIRV:
	default:
		v.add(fmt.Sprintf("rules.winnerElectionMode %q is invalid", out.WinnerMode))
	}
	switch t := strings.TrimSpace(r["maxRankingsAllowed"].Text); {
	case strings.EqualFold(t, "max"):
		out.MaxRankings = 0
	default:
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 {
			v.add(fmt.Sprintf("rules.maxRankingsAllowed must be \"max\" or an integer ≥ 1, not %q", t))
		}
		out.MaxRankings = n
	}
	switch t := strings.TrimSpace(r["maxSkippedRanksAllowed"].Text); {
	case strings.EqualFold(t, "unlimited"):
		out.MaxSkippedRanks = -1
	default:
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			v.add(fmt.Sprintf("rules.maxSkippedRanksAllowed must be \"unlimited\" or an integer ≥ 0, not %q", t))
		}
		out.MaxSkippedRanks = n
	}
	nw, nwOK := v.integer("rules.numberOfWinners", r["numberOfWinners"], 0, 1<<31-1, true)
	out.NumberOfWinners = int(nw)
	dp, _ := v.integer("rules.decimalPlacesForVoteArithmetic", r["decimalPlacesForVoteArithmetic"], 1, 20, true)
	out.DecimalPlaces = int(dp)
	out.MinimumVoteThreshold, _ = v.integer("rules.minimumVoteThreshold", r["minimumVoteThreshold"], 0, 1000000, false)
	if pct, ok := v.integer("rules.multiSeatBottomsUpPercentageThreshold", r["multiSeatBottomsUpPercentageThreshold"], 1, 100, false); ok {
		out.BottomsUpPercentage = new(big.Rat).SetInt64(pct)
	}
	stop, _ := v.integer("rules.stopTabulationEarlyAfterRound", r["stopTabulationEarlyAfterRound"], 1, 1<<31-1, false)
	out.StopAfterRound = int(stop)
	out.NonIntegerWinningThreshold = v.boolean("rules.nonIntegerWinningThreshold", r["nonIntegerWinningThreshold"])
	out.HareQuota = v.boolean("rules.hareQuota", r["hareQuota"])
	out.BatchElimination = v.boolean("rules.batchElimination", r["batchElimination"])
	out.ContinueUntilTwo = v.boolean("rules.continueUntilTwoCandidatesRemain", r["continueUntilTwoCandidatesRemain"])
	out.ExhaustOnDuplicate = v.boolean("rules.exhaustOnDuplicateCandidate", r["exhaustOnDuplicateCandidate"])
	out.FirstRoundDeterminesThreshold = v.boolean("rules.doesFirstRoundDetermineThreshold", r["doesFirstRoundDetermineThreshold"])
	out.TreatBlankAsUndeclaredWriteIn = v.boolean("rules.treatBlankAsUndeclaredWriteIn", r["treatBlankAsUndeclaredWriteIn"])
	out.CutoffElimination = v.boolean("rules.cutoffElimination", r["cutoffElimination"])

	if nwOK {
		switch {
		case nw > 0 && out.WinnerMode == BottomsUpPercentage:
			v.add("rules.numberOfWinners must be 0 when winnerElectionMode is bottomsUpUsingPercentageThreshold")
		case nw > 1 && out.WinnerMode != MultiPassIRV:
			if out.ContinueUntilTwo {
				v.add("rules.continueUntilTwoCandidatesRemain can't be true in a multi-seat contest unless winnerElectionMode is multiPassIrv")
			}
			if out.BatchElimination {
				v.add("rules.batchElimination can't be true in a multi-seat contest unless winnerElectionMode is multiPassIrv")
			}
		case nw == 1 && out.WinnerMode != SingleWinnerMajority && out.WinnerMode != "":
			v.add(fmt.Sprintf("rules.winnerElectionMode can't be %q in a single-seat contest", out.WinnerMode))
		case nw == 0:
			if out.WinnerMode != BottomsUpPercentage {
				v.add("rules.numberOfWinners is 0, so winnerElectionMode must be bottomsUpUsingPercentageThreshold")
			}
			if out.BottomsUpPercentage == nil {
				v.add("rules.multiSeatBottomsUpPercentageThreshold is required when numberOfWinners is 0")
			}
		}
	}
	if out.CutoffElimination && out.WinnerMode != BottomsUpPercentage {
		v.add("rules.cutoffElimination can only be true when winnerElectionMode is bottomsUpUsingPercentageThreshold")
	}
	if out.WinnerMode == BottomsUpPercentage && out.BatchElimination {
		v.add("rules.batchElimination can't be true when winnerElectionMode is bottomsUpUsingPercentageThreshold")
	}
	if out.WinnerMode != MultiWinnerOnePerRound && out.WinnerMode != MultiWinnerManyPerRound {
		if out.NonIntegerWinningThreshold {
			v.add(fmt.Sprintf("rules.nonIntegerWinningThreshold can't be true when winnerElectionMode is %q", out.WinnerMode))
		}
		if out.HareQuota {
			v.add(fmt.Sprintf("rules.hareQuota can't be true when winnerElectionMode is %q", out.WinnerMode))
		}
	}
	if out.NonIntegerWinningThreshold && out.HareQuota {
		v.add("rules.nonIntegerWinningThreshold and rules.hareQuota can't both be true")
	}
	return out
}

// UndeclaredWriteInsEnabled reports whether any source reads undeclared write-ins (an
// undeclaredWriteInLabel or treatBlankAsUndeclaredWriteIn), which makes "Undeclared Write-ins"
// a candidate of the contest.
func (c *Config) UndeclaredWriteInsEnabled() bool {
	for _, s := range c.Sources {
		if s.UndeclaredWriteInLabel != "" || s.TreatBlankAsUndeclaredWriteIn {
			return true
		}
	}
	return false
}

// CandidateName maps a name, alias or code a file uses to the config's candidate name.
func (c *Config) CandidateName(s string) (string, bool) {
	for _, cand := range c.Candidates {
		if s == cand.Name || (cand.Code != "" && s == cand.Code) {
			return cand.Name, true
		}
		for _, a := range cand.Aliases {
			if s == a {
				return cand.Name, true
			}
		}
	}
	if s == UndeclaredWriteIn && c.UndeclaredWriteInsEnabled() {
		return s, true
	}
	return "", false
}

// errInteractive is returned when a tie needs an operator's answer.
var errInteractive = errors.New("rcv: interactive tiebreak (tiebreakMode stopCountingAndAsk or previousRoundCountsThenAsk) cannot be answered here: choose a non-interactive tiebreakMode")
