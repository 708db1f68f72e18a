package rcv

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strconv"
	"strings"
)

// Report is RCTab's detailed JSON report of one tabulation (or of one pass, or of one precinct
// or batch slice). Decimal numbers are strings, as RCTab writes them.
type Report struct {
	// Pass is the pass (1-based) of a multi-pass IRV tabulation, 0 otherwise. Slice is
	// "precinct" or "batch" for a slice report, with SliceID naming it.
	Pass           int    `json:"-"`
	Slice, SliceID string `json:"-"`

	Config            ReportConfig  `json:"config"`
	JSONFormatVersion string        `json:"jsonFormatVersion"`
	Results           []RoundResult `json:"results"`
	Summary           Summary       `json:"summary"`
}

// ReportConfig is the report's config block.
type ReportConfig struct {
	Contest, Date, GeneratedBy, Jurisdiction, Office string
	// Precinct or Batch names the slice of a slice report.
	Precinct, Batch string
}

// RoundResult is one round: the tally of each candidate, who was elected or eliminated with
// the votes transferred from them, the inactive ballots by reason and the threshold.
type RoundResult struct {
	Round           int
	Tally           map[string]string
	TallyResults    []Action
	InactiveBallots map[string]string
	Threshold       string
}

// Action is one candidate elected or eliminated in a round, and where their votes went
// (candidate names, "exhausted", "residual surplus").
type Action struct {
	Elected, Eliminated string
	Transfers           map[string]string
}

// Summary is the report's summary block.
type Summary struct {
	FinalThreshold  string
	NumCandidates   int
	NumWinners      int
	TotalNumBallots string
	Undervotes      int64
}

// GeneratedBy is the report's config.generatedBy.
const GeneratedBy = "canvass rcv (RCTab 2.0.0 rules)"

func (p *pass) reports(passNo int) []*Report {
	out := []*Report{p.report(p.all, "", "")}
	out[0].Pass = passNo
	for i, id := range p.c.precincts {
		r := p.report(p.pAcc[i], "precinct", id)
		r.Pass = passNo
		out = append(out, r)
	}
	for i, id := range p.c.batches {
		r := p.report(p.bAcc[i], "batch", id)
		r.Pass = passNo
		out = append(out, r)
	}
	return out
}

func (p *pass) units(v *big.Int) string {
	q, m := new(big.Int).QuoRem(v, p.unit, new(big.Int))
	if m.Sign() == 0 {
		return q.String()
	}
	return new(big.Rat).SetFrac(v, p.unit).FloatString(p.r.DecimalPlaces)
}

func ratString(x *big.Rat) string {
	if x.IsInt() {
		return x.Num().String()
	}
	s := x.FloatString(60)
	return strings.TrimRight(s, "0")
}

func (p *pass) name(c int32) string {
	switch c {
	case toExhausted:
		return "exhausted"
	case toResidual:
		return "residual surplus"
	}
	return p.c.names[c]
}

func (p *pass) report(a *acc, slice, id string) *Report {
	cfg := p.c.cfg
	r := &Report{Slice: slice, SliceID: id, JSONFormatVersion: "1", Config: ReportConfig{
		Contest: cfg.Output.ContestName, Date: cfg.Output.ContestDate, GeneratedBy: GeneratedBy,
		Jurisdiction: cfg.Output.ContestJurisdiction, Office: cfg.Output.ContestOffice}}
	switch slice {
	case "precinct":
		r.Config.Precinct = id
	case "batch":
		r.Config.Batch = id
	}
	for i, s := range a.rounds {
		round := i + 1
		rr := RoundResult{Round: round, Tally: map[string]string{}, Threshold: ratString(p.thresholds[round]),
			InactiveBallots: map[string]string{
				"exhaustedChoices": p.units(s.inactive[exhausted]),
				"overvotes":        p.units(s.inactive[overvote]),
				"repeatedRankings": p.units(s.inactive[repeated]),
				"skippedRankings":  p.units(s.inactive[skipped]),
			}}
		if p.usesSurpluses() && round == len(a.rounds) {
			rr.InactiveBallots["finalRoundSurplus"] = p.units(s.inactive[finalSurplus])
		}
		for c, v := range s.tally {
			rr.Tally[p.c.names[c]] = p.units(v)
		}
		add := func(c int32, elected bool) {
			act := Action{Transfers: map[string]string{}}
			if elected {
				act.Elected = p.c.names[c]
			} else {
				act.Eliminated = p.c.names[c]
			}
			for to, v := range a.transfers[round+1][c] {
				act.Transfers[p.name(to)] = p.units(v)
			}
			rr.TallyResults = append(rr.TallyResults, act)
		}
		won := append([]int32(nil), p.wonRound[round]...)
		p.sortByName(won)
		for _, c := range won {
			add(c, true)
		}
		for _, c := range p.elimRound[round] {
			add(c, false)
		}
		r.Results = append(r.Results, rr)
	}
	total := new(big.Int)
	if len(a.rounds) > 0 {
		for _, v := range a.rounds[0].tally {
			total.Add(total, v)
		}
		for _, v := range a.rounds[0].inactive {
			total.Add(total, v)
		}
		u := new(big.Int).Quo(a.rounds[0].inactive[undervote], p.unit)
		r.Summary.Undervotes = u.Int64()
	}
	r.Summary.TotalNumBallots = p.units(total)
	r.Summary.FinalThreshold = ratString(p.thresholds[len(p.thresholds)-1])
	r.Summary.NumCandidates = len(p.c.names)
	r.Summary.NumWinners = p.nWinners
	return r
}

// tree renders the report as RCTab's JSON object tree.
func (r *Report) tree() map[string]any {
	cfg := map[string]any{"contest": r.Config.Contest, "date": r.Config.Date, "generatedBy": r.Config.GeneratedBy,
		"jurisdiction": r.Config.Jurisdiction, "office": r.Config.Office}
	if r.Config.Precinct != "" {
		cfg["precinct"] = r.Config.Precinct
	}
	if r.Config.Batch != "" {
		cfg["batch"] = r.Config.Batch
	}
	strs := func(m map[string]string) map[string]any {
		o := map[string]any{}
		for k, v := range m {
			o[k] = v
		}
		return o
	}
	results := []any{}
	for _, rr := range r.Results {
		actions := []any{}
		for _, a := range rr.TallyResults {
			o := map[string]any{"transfers": strs(a.Transfers)}
			if a.Elected != "" {
				o["elected"] = a.Elected
			} else {
				o["eliminated"] = a.Eliminated
			}
			actions = append(actions, o)
		}
		results = append(results, map[string]any{"round": rr.Round, "tally": strs(rr.Tally), "tallyResults": actions,
			"inactiveBallots": strs(rr.InactiveBallots), "threshold": rr.Threshold})
	}
	return map[string]any{"config": cfg, "jsonFormatVersion": r.JSONFormatVersion, "results": results,
		"summary": map[string]any{"finalThreshold": r.Summary.FinalThreshold, "numCandidates": r.Summary.NumCandidates,
			"numWinners": r.Summary.NumWinners, "totalNumBallots": r.Summary.TotalNumBallots, "undervotes": r.Summary.Undervotes}}
}

// WriteJSON writes the report as RCTab does: keys sorted, Jackson's default pretty printer
// (`"key" : value`, two-space indent, arrays as `[ {` … `}, {` … `} ]`).
func (r *Report) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriter(w)
	writeValue(bw, r.tree(), 0)
	return bw.Flush()
}

func writeValue(w *bufio.Writer, v any, depth int) {
	ind := strings.Repeat("  ", depth+1)
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 {
			w.WriteString("{ }")
			return
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		w.WriteString("{\n")
		for i, k := range keys {
			if i > 0 {
				w.WriteString(",\n")
			}
			w.WriteString(ind)
			writeString(w, k)
			w.WriteString(" : ")
			writeValue(w, v[k], depth+1)
		}
		w.WriteString("\n" + strings.Repeat("  ", depth) + "}")
	case []any:
		if len(v) == 0 {
			w.WriteString("[ ]")
			return
		}
		w.WriteString("[ ")
		for i, e := range v {
			if i > 0 {
				w.WriteString(", ")
			}
			writeValue(w, e, depth)
		}
		w.WriteString(" ]")
	case string:
		writeString(w, v)
	case int:
		w.WriteString(strconv.Itoa(v))
	case int64:
		w.WriteString(strconv.FormatInt(v, 10))
	}
}

func writeString(w *bufio.Writer, s string) {
	b, _ := json.Marshal(s)
	w.Write(b)
}

// Compare compares two detailed reports (RCTab's JSON) and returns their differences. Numbers
// and numeric strings are compared as exact decimals ("3" equals "3.0000"); tallyResults are
// matched by candidate, not by order; config.generatedBy is ignored.
func Compare(got, want []byte) []string {
	var g, w any
	if err := decode(got, &g); err != nil {
		return []string{"got: " + err.Error()}
	}
	if err := decode(want, &w); err != nil {
		return []string{"want: " + err.Error()}
	}
	var diffs []string
	compareValue("", g, w, &diffs)
	return diffs
}

func decode(b []byte, v *any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

func asRat(v any) (*big.Rat, bool) {
	var s string
	switch v := v.(type) {
	case json.Number:
		s = string(v)
	case string:
		s = v
	default:
		return nil, false
	}
	if s == "" {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

func actionKey(v any) string {
	m, _ := v.(map[string]any)
	if e, ok := m["elected"].(string); ok {
		return "elected " + e
	}
	if e, ok := m["eliminated"].(string); ok {
		return "eliminated " + e
	}
	return fmt.Sprint(v)
}

func compareValue(path string, g, w any, diffs *[]string) {
	if len(*diffs) > 50 {
		return
	}
	if gr, ok := asRat(g); ok {
		if wr, ok := asRat(w); ok {
			if gr.Cmp(wr) != 0 {
				*diffs = append(*diffs, fmt.Sprintf("%s: got %v, want %v", path, g, w))
			}
			return
		}
	}
	switch wv := w.(type) {
	case map[string]any:
		gv, ok := g.(map[string]any)
		if !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: got %v, want an object", path, g))
			return
		}
		for k, x := range wv {
			if k == "generatedBy" {
				continue
			}
			y, ok := gv[k]
			if !ok {
				*diffs = append(*diffs, fmt.Sprintf("%s.%s: missing (want %v)", path, k, x))
				continue
			}
			compareValue(path+"."+k, y, x, diffs)
		}
		for k, y := range gv {
			if _, ok := wv[k]; !ok && k != "generatedBy" {
				*diffs = append(*diffs, fmt.Sprintf("%s.%s: unexpected %v", path, k, y))
			}
		}
	case []any:
		gv, ok := g.([]any)
		if !ok || len(gv) != len(wv) {
			*diffs = append(*diffs, fmt.Sprintf("%s: got %d elements, want %d", path, len(gv), len(wv)))
			return
		}
		if strings.HasSuffix(path, "tallyResults") {
			gm := map[string]any{}
			for _, x := range gv {
				gm[actionKey(x)] = x
			}
			for _, x := range wv {
				k := actionKey(x)
				y, ok := gm[k]
				if !ok {
					*diffs = append(*diffs, fmt.Sprintf("%s: missing %s", path, k))
					continue
				}
				compareValue(path+"["+k+"]", y, x, diffs)
			}
			return
		}
		for i := range wv {
			compareValue(fmt.Sprintf("%s[%d]", path, i), gv[i], wv[i], diffs)
		}
	default:
		if fmt.Sprint(g) != fmt.Sprint(w) {
			*diffs = append(*diffs, fmt.Sprintf("%s: got %v, want %v", path, g, w))
		}
	}
}
