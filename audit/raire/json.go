package raire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// The JSON of raire-rs (its RaireProblem input and RaireSolution output), so that a contest
// can be given to both implementations and their answers compared.

type jsonAssertion struct {
	Type       Type  `json:"type"`
	Winner     int   `json:"winner"`
	Loser      int   `json:"loser"`
	Continuing []int `json:"continuing,omitempty"`
}

type jsonScored struct {
	Assertion  jsonAssertion `json:"assertion"`
	Margin     int64         `json:"margin"`
	Difficulty float64       `json:"difficulty"`
}

type jsonTime struct {
	Work    int64   `json:"work"`
	Seconds float64 `json:"seconds"`
}

type jsonOk struct {
	Assertions             []jsonScored `json:"assertions"`
	Difficulty             float64      `json:"difficulty"`
	Margin                 int64        `json:"margin"`
	Winner                 int          `json:"winner"`
	NumCandidates          int          `json:"num_candidates"`
	TimeToDetermineWinners jsonTime     `json:"time_to_determine_winners"`
	TimeToFindAssertions   jsonTime     `json:"time_to_find_assertions"`
	TimeToTrimAssertions   jsonTime     `json:"time_to_trim_assertions"`
}

func stageJSON(s Stage) jsonTime { return jsonTime{Work: s.Work, Seconds: s.Elapsed.Seconds()} }

// WriteJSON writes a result, or the *Error that stopped Generate, as raire-rs writes its
// solution: {"metadata": …, "solution": {"Ok": {"assertions": [{"assertion": {"type", "winner",
// "loser", "continuing"}, "margin", "difficulty"}, …], "difficulty", "margin", "winner",
// "num_candidates", "time_to_…": {"work", "seconds"}}}} or {"Err": …} (serde's form of the
// error: "Name", or {"Name": value}). Candidates are indices; metadata (any JSON value; nil
// gives {"candidates": [names]}) names them. Other errors are returned, not written.
func WriteJSON(w io.Writer, metadata any, res *Result, genErr error) error {
	var solution any
	switch {
	case genErr != nil:
		var e *Error
		if !errors.As(genErr, &e) {
			return genErr
		}
		var v any = string(e.Kind)
		switch e.Kind {
		case TiedWinners, WrongWinner, CouldNotRuleOut:
			v = map[string]any{string(e.Kind): nonNil(e.Candidates)}
		case TimeoutFindingAssertions:
			v = map[string]any{string(e.Kind): e.Difficulty}
		}
		solution = map[string]any{"Err": v}
		if metadata == nil {
			metadata = map[string]any{}
		}
	case res == nil:
		return fmt.Errorf("%w: no result to write", ErrInput)
	default:
		ok := jsonOk{Assertions: []jsonScored{}, Difficulty: res.Difficulty, Margin: res.Margin, Winner: res.Winner,
			NumCandidates: len(res.Candidates), TimeToDetermineWinners: stageJSON(res.DetermineWinners),
			TimeToFindAssertions: stageJSON(res.FindAssertions), TimeToTrimAssertions: stageJSON(res.TrimAssertions)}
		for _, a := range res.Assertions {
			ok.Assertions = append(ok.Assertions, jsonScored{Assertion: jsonAssertion{a.Type, a.Winner, a.Loser, a.Continuing}, Margin: a.Margin, Difficulty: a.Difficulty})
		}
		solution = map[string]any{"Ok": ok}
		if metadata == nil {
			metadata = map[string]any{"candidates": res.Candidates}
		}
	}
	b, err := json.MarshalIndent(struct {
		Metadata any `json:"metadata"`
		Solution any `json:"solution"`
	}{metadata, solution}, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func nonNil(x []int) []int {
	if x == nil {
		return []int{}
	}
	return x
}

// Problem is a raire-rs input (RaireProblem): a contest, its reported winner, the difficulty
// model and the options.
type Problem struct {
	// Metadata is the input's metadata, kept as it was for the output.
	Metadata json.RawMessage
	Contest  *Contest
	Options  Options
}

type jsonProblem struct {
	Metadata      json.RawMessage `json:"metadata"`
	NumCandidates *int            `json:"num_candidates"`
	Votes         []struct {
		N     int64 `json:"n"`
		Prefs []int `json:"prefs"`
	} `json:"votes"`
	Winner *int `json:"winner"`
	Audit  *struct {
		Type                  string   `json:"type"`
		TotalAuditableBallots int64    `json:"total_auditable_ballots"`
		Confidence            *float64 `json:"confidence"`
		ErrorInflationFactor  *float64 `json:"error_inflation_factor"`
	} `json:"audit"`
	TrimAlgorithm      *string  `json:"trim_algorithm"`
	DifficultyEstimate *float64 `json:"difficulty_estimate"`
	TimeLimitSeconds   *float64 `json:"time_limit_seconds"`
}

// ParseProblem reads a raire-rs problem: {"metadata": {"candidates": [names], …},
// "num_candidates": n, "votes": [{"n": count, "prefs": [indices]}], "winner": index,
// "audit": {"type": "OneOnMargin" | "OneOnMarginSq" | "BRAVO" | "MACRO" (also raire-rs's
// older "Margin", "MarginSq"), "total_auditable_ballots": N, "confidence": α,
// "error_inflation_factor": γ}, "trim_algorithm": "None" | "MinimizeTree" |
// "MinimizeAssertions", "difficulty_estimate": d, "time_limit_seconds": s}. Candidates are
// named from metadata.candidates when it lists num_candidates strings, else by their indices.
func ParseProblem(data []byte) (*Problem, error) {
	var jp jsonProblem
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&jp); err != nil {
		return nil, fmt.Errorf("%w: raire problem: %v", ErrInput, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: raire problem: data after the object", ErrInput)
	}
	if jp.NumCandidates == nil || *jp.NumCandidates <= 0 || *jp.NumCandidates > MaxCandidates {
		return nil, fmt.Errorf("%w: raire problem: num_candidates must be 1 to %d", ErrInput, MaxCandidates)
	}
	n := *jp.NumCandidates
	cands := make([]string, n)
	for i := range cands {
		cands[i] = strconv.Itoa(i)
	}
	var meta struct {
		Candidates []json.RawMessage `json:"candidates"`
	}
	if len(jp.Metadata) > 0 && json.Unmarshal(jp.Metadata, &meta) == nil && len(meta.Candidates) == n {
		named := make([]string, n)
		seen := map[string]bool{}
		ok := true
		for i, raw := range meta.Candidates {
			if json.Unmarshal(raw, &named[i]) != nil || seen[named[i]] {
				ok = false
				break
			}
			seen[named[i]] = true
		}
		if ok {
			cands = named
		}
	}
	b, err := NewBuilder(cands)
	if err != nil {
		return nil, err
	}
	for i, v := range jp.Votes {
		if err := b.AddIndices(v.Prefs, v.N); err != nil {
			return nil, fmt.Errorf("raire problem: votes[%d]: %w", i, err)
		}
	}
	p := &Problem{Metadata: jp.Metadata, Contest: b.Contest()}
	if jp.Winner != nil {
		if *jp.Winner < 0 || *jp.Winner >= n {
			return nil, fmt.Errorf("%w: raire problem: winner %d of %d candidates", ErrInput, *jp.Winner, n)
		}
		p.Options.Winner = cands[*jp.Winner]
	}
	if jp.Audit == nil {
		return nil, fmt.Errorf("%w: raire problem: no audit", ErrInput)
	}
	m := Model{Ballots: jp.Audit.TotalAuditableBallots}
	switch jp.Audit.Type {
	case "OneOnMargin", "Margin":
		m.Kind = OneOnMargin
	case "OneOnMarginSq", "MarginSq":
		m.Kind = OneOnMarginSq
	case "BRAVO":
		m.Kind = BRAVO
	case "MACRO":
		m.Kind = MACRO
	default:
		return nil, fmt.Errorf("%w: raire problem: audit type %q", ErrInput, jp.Audit.Type)
	}
	if jp.Audit.Confidence != nil {
		m.RiskLimit = *jp.Audit.Confidence
	}
	if jp.Audit.ErrorInflationFactor != nil {
		m.Gamma = *jp.Audit.ErrorInflationFactor
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("raire problem: %w", err)
	}
	p.Options.Model = m
	if jp.TrimAlgorithm != nil {
		p.Options.Trim = Trim(*jp.TrimAlgorithm)
		switch p.Options.Trim {
		case TrimNone, MinimizeTree, MinimizeAssertions:
		default:
			return nil, fmt.Errorf("%w: raire problem: trim_algorithm %q", ErrInput, *jp.TrimAlgorithm)
		}
	}
	if d := jp.DifficultyEstimate; d != nil {
		if !(*d >= 0) || math.IsInf(*d, 0) {
			return nil, fmt.Errorf("%w: raire problem: difficulty_estimate %v", ErrInput, *d)
		}
		p.Options.DifficultyEstimate = *d
	}
	if s := jp.TimeLimitSeconds; s != nil {
		if !(*s > 0 && *s <= 1e6) {
			return nil, fmt.Errorf("%w: raire problem: time_limit_seconds %v (use (0, 1e6])", ErrInput, *s)
		}
		p.Options.TimeLimit = time.Duration(*s * float64(time.Second))
	}
	return p, nil
}

// Solve runs Generate on the problem.
func (p *Problem) Solve() (*Result, error) { return Generate(p.Contest, p.Options) }
