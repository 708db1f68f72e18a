package workspace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/recount"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/tabulate"
)

// Ledger entry types of recounts.
const (
	// TypeRecountStart opens a recount of chosen jurisdictions: it fixes the canvass counts of
	// every unit of the contest (RecountStartBody).
	TypeRecountStart = "recount.start"
	// TypeRecountEntry records recount counts of units, by hand, from a results file or
	// re-tabulated from cast vote records (RecountEntryBody).
	TypeRecountEntry = "recount.entry"
	// TypeRecountFinish closes a recount with its outcome (RecountFinishBody).
	TypeRecountFinish = "recount.finish"
)

// RecountOptions open a recount.
type RecountOptions struct {
	// Contest is the contest recounted (by name).
	Contest string
	// Source is "results" or "cvr", needed only when the contest is counted from both.
	Source string
	// Level is the level of the units the recount reports (default county; state compares
	// the contest's totals as one unit).
	Level canvass.Level
	// Jurisdictions names the jurisdictions recounted: every unit of the contest at Level that
	// lies in one of them is recounted ("Milwaukee", "Dane County", "WI / Dane").
	Jurisdictions []string
	// State is the state whose recount rules apply (postal code or name). When the units name
	// their state, only that state's units are compared.
	State string
	// Reason records who asked for the recount and why.
	Reason string
}

// RecountUnit is one unit's counts, in the order of RecountStartBody.Choices.
type RecountUnit struct {
	Unit string `json:"unit"`
	// Recount is set, in a start entry, for the units the recount must report.
	Recount bool    `json:"recount,omitempty"`
	Votes   []int64 `json:"votes"`
}

// RecountStartBody is the body of a recount.start entry.
type RecountStartBody struct {
	Contest       string   `json:"contest"`
	Source        string   `json:"source"`
	Level         string   `json:"level"`
	State         string   `json:"state,omitempty"`
	Jurisdictions []string `json:"jurisdictions"`
	Reason        string   `json:"reason,omitempty"`
	// Certification is the certification (or amendment) of the contest in force when the
	// recount opened; absent when the contest was not certified.
	Certification *uint64  `json:"certification,omitempty"`
	Winners       int      `json:"winners"`
	Choices       []string `json:"choices"`
	// Units holds the canvass counts of every unit of the contest (of State, when set), or,
	// when there are more than inlineUnits, UnitsFile names the kept file that holds them (the
	// canonical JSON of the list).
	Units     []RecountUnit   `json:"units,omitempty"`
	UnitsFile *ledger.FileRef `json:"units_file,omitempty"`
}

// ChoiceMapping maps a choice as a recount source names it to the contest's choice ("" for a
// choice not compared, such as a write-in line the canvass does not report).
type ChoiceMapping struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// RecountEntryBody is the body of a recount.entry entry.
type RecountEntryBody struct {
	Recount uint64 `json:"recount"`
	// Source is "hand", "results" or "cvr".
	Source       string                 `json:"source"`
	File         *ledger.FileRef        `json:"file,omitempty"`
	Format       string                 `json:"format,omitempty"`
	Results      *ledger.ResultsOptions `json:"results,omitempty"`
	Jurisdiction string                 `json:"jurisdiction,omitempty"`
	Choices      []ChoiceMapping        `json:"choices,omitempty"`
	// Units holds the recount counts entered, in the order of the start's units (or
	// UnitsFile, as in RecountStartBody).
	Units     []RecountUnit   `json:"units,omitempty"`
	UnitsFile *ledger.FileRef `json:"units_file,omitempty"`
	// Outside counts the units of the file that are in the contest but not recounted.
	Outside int `json:"outside,omitempty"`
	// NotCompared lists the source's choices mapped to "" with their votes over the units
	// entered.
	NotCompared []NamedVotes `json:"not_compared,omitempty"`
	Note        string       `json:"note,omitempty"`
}

// NamedVotes is a choice's votes.
type NamedVotes struct {
	Name  string `json:"name"`
	Votes int64  `json:"votes"`
}

// RecountFinishBody is the body of a recount.finish entry: the outcome as the recount found it.
type RecountFinishBody struct {
	Recount        uint64   `json:"recount"`
	Entries        []uint64 `json:"entries"`
	MarginBefore   int64    `json:"margin_before"`
	MarginAfter    int64    `json:"margin_after"`
	CanvassWinners []string `json:"canvass_winners"`
	RecountWinners []string `json:"recount_winners"`
	OutcomeChanged bool     `json:"outcome_changed"`
	Note           string   `json:"note,omitempty"`
}

// Errors of the recount workflow.
var (
	// ErrNotInContest is wrapped by the error for a recount entry naming a unit or a choice
	// the contest does not have.
	ErrNotInContest = errors.New("not in the contest")
	// ErrNotRecounted is wrapped by the error for an entry by hand for a unit of the contest
	// outside the recounted jurisdictions.
	ErrNotRecounted = errors.New("not in the recounted jurisdictions")
	// ErrRecountClosed is returned for an entry into a finished recount.
	ErrRecountClosed = errors.New("the recount is finished")
)

// inlineUnits is the most units a recount entry lists in its body; more go to a kept file, so
// that an entry stays within the log's 64 KiB.
const inlineUnits = 64

// putUnits sets units inline, or keeps them as a file named name and refers to it.
func putUnits(keep *keeper, name string, units []RecountUnit, inline *[]RecountUnit, file **ledger.FileRef) error {
	if len(units) <= inlineUnits {
		*inline = units
		return nil
	}
	ref, err := keepJSON(keep, name, units)
	*file = ref
	return err
}

// getUnits returns the units of a body: inline, or read from the kept file.
func getUnits(open func(string) (io.ReadCloser, error), inline []RecountUnit, file *ledger.FileRef) ([]RecountUnit, error) {
	if file == nil {
		return inline, nil
	}
	var units []RecountUnit
	err := readJSON(open, file, &units)
	return units, err
}

// keepJSON keeps the canonical JSON of v as a file of the workspace (published with the
// log), for a list too long for a ledger entry, and returns its reference.
func keepJSON(keep *keeper, name string, v any) (*ledger.FileRef, error) {
	b, err := ledger.Canonical(v)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(b)
	sum := hex.EncodeToString(h[:])
	if err := keep.bytes(sum, b); err != nil {
		return nil, err
	}
	return &ledger.FileRef{Name: name, SHA256: sum, Size: int64(len(b))}, nil
}

// readJSON decodes a file kept by keepJSON.
func readJSON(open func(string) (io.ReadCloser, error), ref *ledger.FileRef, v any) error {
	rc, err := open(ref.SHA256)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := json.NewDecoder(rc).Decode(v); err != nil {
		return fmt.Errorf("files/%s (%s): %w", ref.SHA256, ref.Name, err)
	}
	return nil
}

// unitsOf returns the units of a contest's result at level; at the state level, the contest's
// totals as one unit named by the state (the tabulation keeps no state tables).
func unitsOf(c *tabulate.ContestResult, level canvass.Level, state string) []tabulate.UnitResult {
	if level != canvass.LevelState {
		return c.Units
	}
	if state == "" {
		state = "all"
	}
	return []tabulate.UnitResult{{Unit: state, Ballots: c.Ballots, Choices: c.Choices}}
}

// levelDepth is the number of unit-name parts below the state at level l.
func levelDepth(l canvass.Level) int {
	switch l {
	case canvass.LevelCounty:
		return 1
	case canvass.LevelMunicipality:
		return 2
	case canvass.LevelPrecinct, canvass.LevelBatch, canvass.LevelTabulator:
		return 3
	}
	return 0
}

// unitKey folds a unit's name for matching between sources: each " / " part by NameKey; when
// the name has a part more than the level's depth, the first part is the state, written as its
// postal code ("Wisconsin" and "WI" agree); and a county part loses a trailing " county" or
// " parish" ("Milwaukee County" and "MILWAUKEE " agree).
func unitKey(name string, depth int) (key, state string) {
	parts := strings.Split(name, " / ")
	for i := range parts {
		parts[i] = canvass.NameKey(parts[i])
	}
	county := 0
	if len(parts) > depth && depth > 0 {
		state = canvass.StateCode(parts[0])
		if state == "" {
			state = parts[0]
		}
		parts[0] = strings.ToLower(state)
		county = 1
	}
	if county < len(parts) && depth > 0 {
		c := parts[county]
		for _, suf := range []string{" county", " parish"} {
			if strings.HasSuffix(c, suf) && len(c) > len(suf) {
				c = strings.TrimSuffix(c, suf)
			}
		}
		parts[county] = c
	}
	return strings.Join(parts, " / "), state
}

// jurisdictionKey folds a jurisdiction's name as unitKey folds units: "Dane County", "DANE"
// and "Wisconsin / Dane" give "dane", "dane" and "wi / dane".
func jurisdictionKey(j string) string {
	parts := strings.Split(j, " / ")
	for i := range parts {
		parts[i] = canvass.NameKey(parts[i])
	}
	if len(parts) > 1 {
		if c := canvass.StateCode(parts[0]); c != "" {
			parts[0] = strings.ToLower(c)
		}
	}
	for i, p := range parts {
		for _, suf := range []string{" county", " parish"} {
			if strings.HasSuffix(p, suf) && len(p) > len(suf) {
				parts[i] = strings.TrimSuffix(p, suf)
			}
		}
	}
	return strings.Join(parts, " / ")
}

// inJurisdiction reports whether the unit key lies in the jurisdiction (a key of its own):
// the jurisdiction is a leading run of the unit's parts, or one of its parts after the state.
func inJurisdiction(unit, jur string, hasState bool) bool {
	if unit == jur || strings.HasPrefix(unit, jur+" / ") {
		return true
	}
	parts := strings.Split(unit, " / ")
	if hasState {
		parts = parts[1:]
	}
	jp := strings.Split(jur, " / ")
	for i := 0; i+len(jp) <= len(parts); i++ {
		if strings.Join(parts[i:i+len(jp)], " / ") == jur {
			return true
		}
	}
	return false
}

// RecountStart opens a recount of opts.Jurisdictions against the canvass: the workspace's
// counts of the contest per unit at opts.Level, recorded in the start entry. The recount's id
// is that entry's number.
func (w *Workspace) RecountStart(ctx context.Context, opts RecountOptions) (uint64, error) {
	if len(opts.Jurisdictions) == 0 {
		return 0, errors.New("recount: name at least one jurisdiction to recount")
	}
	level := opts.Level
	if level == "" {
		level = canvass.LevelCounty
	}
	state := ""
	if opts.State != "" {
		if state = canvass.StateCode(opts.State); state == "" {
			return 0, fmt.Errorf("recount: state %q: not a state's name or postal code", opts.State)
		}
	}
	var id uint64
	keep := &keeper{dir: filepath.Join(w.Dir, FilesDir)}
	err := w.Store.Update(ctx, func(tx store.Tx) error {
		c, err := pickContest(tx, opts.Contest, opts.Source, level)
		if err != nil {
			return fmt.Errorf("recount: %w", err)
		}
		body := RecountStartBody{Contest: c.Name, Source: c.Source, Level: string(level), State: state,
			Jurisdictions: opts.Jurisdictions, Reason: opts.Reason, Winners: c.Seats}
		if body.Winners < 1 {
			body.Winners = 1
		}
		if cert := inForce(tx, c.Name, c.Source); cert != nil {
			body.Certification = cert
		}
		choices := make([]string, len(c.Choices))
		at := map[string]int{}
		for i, ch := range c.Choices {
			choices[i] = ch.Name
			at[ch.Name] = i
		}
		sort.Strings(choices)
		for i, n := range choices {
			at[n] = i
		}
		body.Choices = choices
		depth := levelDepth(level)
		var units []RecountUnit
		jkeys := make([]string, len(opts.Jurisdictions))
		found := make([]bool, len(opts.Jurisdictions))
		for i, j := range opts.Jurisdictions {
			jkeys[i] = jurisdictionKey(j)
		}
		for _, u := range unitsOf(c, level, state) {
			key, ust := unitKey(u.Unit, depth)
			if state != "" && ust != "" && ust != state {
				continue
			}
			ru := RecountUnit{Unit: u.Unit, Votes: make([]int64, len(choices))}
			for _, ch := range u.Choices {
				ru.Votes[at[ch.Name]] += ch.Votes
			}
			for i, j := range jkeys {
				if inJurisdiction(key, j, ust != "") {
					ru.Recount, found[i] = true, true
				}
			}
			units = append(units, ru)
		}
		for i, ok := range found {
			if !ok {
				return fmt.Errorf("recount: jurisdiction %q has no unit of contest %q at level %s%s", opts.Jurisdictions[i], c.Name, level, stateNote(state))
			}
		}
		if err := putUnits(keep, "recount-canvass.json", units, &body.Units, &body.UnitsFile); err != nil {
			return err
		}
		id, _, err = w.append(tx, w.now(), TypeRecountStart, body)
		return err
	})
	if err != nil {
		keep.undo()
	}
	return id, err
}

func stateNote(state string) string {
	if state == "" {
		return ""
	}
	return " in " + state
}

// inForce returns the certification or amendment of the contest not amended since, if any.
func inForce(tx store.Tx, contest, source string) *uint64 {
	certs, err := certificationsTx(tx)
	if err != nil {
		return nil
	}
	var out *uint64
	for _, c := range certs {
		if canvass.NameKey(c.Body.Contest) == canvass.NameKey(contest) && c.AmendedBy == 0 {
			seq := c.Seq
			out = &seq
		}
	}
	return out
}

// RecountEntry enters recount counts. Exactly one of Units (by hand), File (a results file,
// or with CVR set a cast vote record source, re-tabulated) gives them.
type RecountEntry struct {
	// Recount is the recount's id (0: the only open recount).
	Recount uint64
	// Units holds counts entered by hand: unit → choice → votes. Every choice of the contest
	// must be given for each unit.
	Units map[string]map[string]int64
	// File is a results file (or, with CVR, a CVR source) whose counts of the contest, per
	// unit at the recount's level, are the recount's for the recounted units it covers.
	File string
	CVR  bool
	// Format of the file ("" sniffs); Results options for a results file; Jurisdiction of a
	// CVR source's ballots.
	Format       string
	Results      results.Options
	Jurisdiction string
	// Choices maps the file's choice names to the contest's ("" for not compared; the key
	// "*" maps every choice not listed). Choices with the contest's names need no mapping.
	Choices map[string]string
	Note    string
}

// recountState is a recount read back from the ledger.
type recountState struct {
	id       uint64
	start    RecountStartBody
	entries  []uint64
	units    map[string]int // unit key → index in start.Units
	counts   map[int][]int64
	entered  map[int]uint64 // unit index → entry that last gave it
	finished *RecountFinishBody
	finishAt uint64
}

func (w *Workspace) loadRecount(tx store.Tx, id uint64) (*recountState, error) {
	if id == 0 {
		var open []uint64
		closed := map[uint64]bool{}
		if err := entriesOf(tx, TypeRecountFinish, func(e *ledger.Entry, _ []byte) error {
			var b RecountFinishBody
			if err := e.DecodeBody(&b); err != nil {
				return err
			}
			closed[b.Recount] = true
			return nil
		}); err != nil {
			return nil, err
		}
		var all []uint64
		if err := tx.EntriesOfType(TypeRecountStart, func(seq uint64, _ []byte) error {
			all = append(all, seq)
			if !closed[seq] {
				open = append(open, seq)
			}
			return nil
		}); err != nil {
			return nil, err
		}
		switch {
		case len(open) == 1:
			id = open[0]
		case len(all) > 0 && len(open) == 0:
			id = all[len(all)-1]
		case len(all) == 0:
			return nil, errors.New("recount: no recount in this workspace; open one with 'canvass recount start'")
		default:
			return nil, fmt.Errorf("recount: %d recounts are open (%v); name one with --recount", len(open), open)
		}
	}
	var s *recountState
	err := tx.Entries(id, id+1, func(_ uint64, data []byte) error {
		e, err := ledger.Decode(data)
		if err != nil {
			return err
		}
		if e.Type != TypeRecountStart {
			return fmt.Errorf("recount: entry %d is a %s entry, not a recount", id, e.Type)
		}
		s = &recountState{id: id, units: map[string]int{}, counts: map[int][]int64{}, entered: map[int]uint64{}}
		return e.DecodeBody(&s.start)
	})
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, fmt.Errorf("recount: there is no entry %d", id)
	}
	if s.start.Units, err = getUnits(w.openKept, s.start.Units, s.start.UnitsFile); err != nil {
		return nil, err
	}
	depth := levelDepth(canvass.Level(s.start.Level))
	for i, u := range s.start.Units {
		k, _ := unitKey(u.Unit, depth)
		s.units[k] = i
	}
	err = entriesOf(tx, TypeRecountEntry, func(e *ledger.Entry, _ []byte) error {
		var b RecountEntryBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		if b.Recount != id {
			return nil
		}
		s.entries = append(s.entries, e.Seq)
		units, err := getUnits(w.openKept, b.Units, b.UnitsFile)
		if err != nil {
			return err
		}
		for _, u := range units {
			k, _ := unitKey(u.Unit, depth)
			i, ok := s.units[k]
			if !ok || len(u.Votes) != len(s.start.Choices) {
				return fmt.Errorf("recount entry %d: unit %q does not fit recount %d", e.Seq, u.Unit, id)
			}
			s.counts[i], s.entered[i] = u.Votes, e.Seq
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = entriesOf(tx, TypeRecountFinish, func(e *ledger.Entry, _ []byte) error {
		var b RecountFinishBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		if b.Recount == id {
			s.finished, s.finishAt = &b, e.Seq
		}
		return nil
	})
	return s, err
}

// choiceIndex finds a contest choice by name (NameKey).
func (s *recountState) choiceIndex(name string) int {
	k := canvass.NameKey(name)
	for i, c := range s.start.Choices {
		if canvass.NameKey(c) == k {
			return i
		}
	}
	return -1
}

// RecountEnter records recount counts (RecountEntry) in one ledger entry, and returns its
// number. Every unit must be a unit of the contest and every choice one of its choices (or
// mapped); by hand, every unit must also be recounted. On any error nothing is recorded.
func (w *Workspace) RecountEnter(ctx context.Context, in RecountEntry) (uint64, error) {
	set := 0
	for _, b := range []bool{len(in.Units) > 0, in.File != ""} {
		if b {
			set++
		}
	}
	if set != 1 {
		return 0, errors.New("recount: enter counts either by hand (units) or from one file")
	}
	keep := &keeper{dir: filepath.Join(w.Dir, FilesDir)}
	var ref *ledger.FileRef
	if in.File != "" {
		sum, size, err := hashPath(in.File, keep)
		if err != nil {
			return 0, err
		}
		ref = &ledger.FileRef{Name: filepath.Base(filepath.Clean(in.File)), SHA256: sum, Size: size}
	}
	var seq uint64
	err := w.Store.Update(ctx, func(tx store.Tx) error {
		s, err := w.loadRecount(tx, in.Recount)
		if err != nil {
			return err
		}
		if s.finished != nil {
			return fmt.Errorf("recount %d: %w (entry %d)", s.id, ErrRecountClosed, s.finishAt)
		}
		body := RecountEntryBody{Recount: s.id, Note: in.Note}
		var got map[int][]int64
		if in.File == "" {
			body.Source = "hand"
			got, err = s.byHand(in.Units)
		} else {
			body.File = ref
			got, err = s.fromFile(in, &body)
		}
		if err != nil {
			return err
		}
		idx := make([]int, 0, len(got))
		for i := range got {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		units := make([]RecountUnit, 0, len(idx))
		for _, i := range idx {
			units = append(units, RecountUnit{Unit: s.start.Units[i].Unit, Votes: got[i]})
		}
		if err := putUnits(keep, "recount-counts.json", units, &body.Units, &body.UnitsFile); err != nil {
			return err
		}
		seq, _, err = w.append(tx, w.now(), TypeRecountEntry, body)
		return err
	})
	if err != nil {
		keep.undo()
		return 0, err
	}
	return seq, nil
}

func (s *recountState) byHand(units map[string]map[string]int64) (map[int][]int64, error) {
	depth := levelDepth(canvass.Level(s.start.Level))
	names := make([]string, 0, len(units))
	for u := range units {
		names = append(names, u)
	}
	sort.Strings(names)
	got := map[int][]int64{}
	for _, u := range names {
		k, _ := unitKey(u, depth)
		i, ok := s.units[k]
		if !ok {
			return nil, fmt.Errorf("recount %d: unit %q: %w %q (at level %s)", s.id, u, ErrNotInContest, s.start.Contest, s.start.Level)
		}
		if !s.start.Units[i].Recount {
			return nil, fmt.Errorf("recount %d: unit %q: %w (%s)", s.id, u, ErrNotRecounted, strings.Join(s.start.Jurisdictions, ", "))
		}
		if _, dup := got[i]; dup {
			return nil, fmt.Errorf("recount %d: unit %q given twice", s.id, u)
		}
		votes := make([]int64, len(s.start.Choices))
		given := make([]bool, len(votes))
		for ch, n := range units[u] {
			j := s.choiceIndex(ch)
			if j < 0 {
				return nil, fmt.Errorf("recount %d: unit %q: choice %q: %w %q (its choices: %s)", s.id, u, ch, ErrNotInContest, s.start.Contest, strings.Join(s.start.Choices, ", "))
			}
			if n < 0 {
				return nil, fmt.Errorf("recount %d: unit %q: choice %q: %d votes is negative", s.id, u, ch, n)
			}
			if given[j] {
				return nil, fmt.Errorf("recount %d: unit %q: choice %q given twice", s.id, u, ch)
			}
			votes[j], given[j] = n, true
		}
		for j, ok := range given {
			if !ok {
				return nil, fmt.Errorf("recount %d: unit %q: no count for %q; enter every choice of the contest (0 when none)", s.id, u, s.start.Choices[j])
			}
		}
		got[i] = votes
	}
	return got, nil
}

// fromFile tabulates a results file or CVR source at the recount's level and takes the
// recounted units' counts from it.
func (s *recountState) fromFile(in RecountEntry, body *RecountEntryBody) (map[int][]int64, error) {
	level := canvass.Level(s.start.Level)
	opts := TabulateOptions{By: level, CVRFormat: in.Format, Jurisdiction: in.Jurisdiction, Results: in.Results}
	var res *tabulate.Result
	var err error
	if in.CVR {
		body.Source, body.Format, body.Jurisdiction = "cvr", in.Format, in.Jurisdiction
		res, err = TabulateFiles([]string{in.File}, nil, opts)
	} else {
		if opts.Results, err = in.Results.Resolve(in.File); err != nil {
			return nil, err
		}
		ropts := opts.Results
		body.Source, body.Format = "results", ropts.Format
		body.Results = resultsBody(ropts)
		res, err = TabulateFiles(nil, []string{in.File}, opts)
	}
	if err != nil {
		return nil, err
	}
	var c *tabulate.ContestResult
	for i := range res.Contests {
		if canvass.NameKey(res.Contests[i].Name) == canvass.NameKey(s.start.Contest) {
			c = &res.Contests[i]
		}
	}
	if c == nil && len(res.Contests) == 1 {
		c = &res.Contests[0]
	}
	if c == nil {
		return nil, fmt.Errorf("%s: no contest %q among its %d contests", in.File, s.start.Contest, len(res.Contests))
	}
	// The mapping of the file's choices.
	mapped := make(map[string]int, len(c.Choices)) // file choice → contest choice index, -1 not compared
	froms := make([]string, 0, len(in.Choices))
	for f := range in.Choices {
		froms = append(froms, f)
	}
	sort.Strings(froms)
	for _, f := range froms {
		body.Choices = append(body.Choices, ChoiceMapping{From: f, To: in.Choices[f]})
	}
	notCompared := map[string]int64{}
	for _, ch := range c.Choices {
		to, ok := in.Choices[ch.Name]
		if !ok {
			to, ok = in.Choices["*"]
			if !ok || s.choiceIndex(ch.Name) >= 0 {
				to = ch.Name
			}
		}
		if to == "" {
			mapped[ch.Name] = -1
			continue
		}
		j := s.choiceIndex(to)
		if j < 0 {
			return nil, fmt.Errorf("%s: choice %q: %w %q (its choices: %s); map it with --choice %q=CHOICE, or to \"\" to leave it out", in.File, ch.Name, ErrNotInContest, s.start.Contest, strings.Join(s.start.Choices, ", "), ch.Name)
		}
		mapped[ch.Name] = j
	}
	depth := levelDepth(level)
	got := map[int][]int64{}
	for _, u := range unitsOf(c, level, s.start.State) {
		k, _ := unitKey(u.Unit, depth)
		i, ok := s.units[k]
		if !ok {
			return nil, fmt.Errorf("%s: unit %q: %w %q (at level %s); check the file's unit names against the canvass", in.File, u.Unit, ErrNotInContest, s.start.Contest, level)
		}
		if !s.start.Units[i].Recount {
			body.Outside++
			continue
		}
		if got[i] != nil {
			return nil, fmt.Errorf("%s: units %q and another fold to the same unit of the canvass, %q", in.File, u.Unit, s.start.Units[i].Unit)
		}
		votes := make([]int64, len(s.start.Choices))
		for _, ch := range u.Choices {
			if j := mapped[ch.Name]; j >= 0 {
				votes[j] += ch.Votes
			} else {
				notCompared[ch.Name] += ch.Votes
			}
		}
		got[i] = votes
	}
	if len(got) == 0 {
		return nil, fmt.Errorf("%s: none of its %d units is recounted (%s)", in.File, len(c.Units), strings.Join(s.start.Jurisdictions, ", "))
	}
	names := make([]string, 0, len(notCompared))
	for n := range notCompared {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		body.NotCompared = append(body.NotCompared, NamedVotes{Name: n, Votes: notCompared[n]})
	}
	return got, nil
}

// RecountReport is a recount's state and its comparison with the canvass.
type RecountReport struct {
	ID            uint64   `json:"id"`
	Contest       string   `json:"contest"`
	Level         string   `json:"level"`
	State         string   `json:"state,omitempty"`
	Jurisdictions []string `json:"jurisdictions"`
	Reason        string   `json:"reason,omitempty"`
	Certification *uint64  `json:"certification,omitempty"`
	// Recounted is the number of units the recount must report; Entered how many it has;
	// Missing names the others.
	Recounted int      `json:"recounted"`
	Entered   int      `json:"entered"`
	Missing   []string `json:"missing,omitempty"`
	Entries   []uint64 `json:"entries"`
	// Comparison compares every unit of the contest (units not recounted keep their canvass
	// counts) and only the recounted units (Recount).
	Comparison *recount.Report `json:"comparison"`
	// Rules are the state's recount rules and what they allowed at the canvass margin.
	Rules *recount.StateRules  `json:"rules,omitempty"`
	Reach *recount.Eligibility `json:"reach,omitempty"`
	// Margin and Total are the canvass margin and the total Reach divided it by (the state's
	// statute says which: every vote for the office, or the two leaders' — Arizona).
	Margin   int64              `json:"margin"`
	Total    int64              `json:"total"`
	Finished *RecountFinishBody `json:"finished,omitempty"`
	// FinishedAt is the finish entry.
	FinishedAt uint64 `json:"finished_at,omitempty"`
}

func (s *recountState) report() (*RecountReport, error) {
	st := s.start
	rep := &RecountReport{ID: s.id, Contest: st.Contest, Level: st.Level, State: st.State, Jurisdictions: st.Jurisdictions,
		Reason: st.Reason, Certification: st.Certification, Entries: s.entries, Finished: s.finished, FinishedAt: s.finishAt}
	canv, rec := recount.Counts{}, recount.Counts{}
	units := make([]string, len(st.Units))
	for i, u := range st.Units {
		units[i] = u.Unit
		canv[u.Unit] = votesByName(st.Choices, u.Votes)
		if u.Recount {
			rep.Recounted++
			if v, ok := s.counts[i]; ok {
				rep.Entered++
				rec[u.Unit] = votesByName(st.Choices, v)
			} else {
				rep.Missing = append(rep.Missing, u.Unit)
			}
		}
	}
	cmp, err := recount.Compare(st.Contest, canv, rec, units, st.Winners)
	if err != nil {
		return nil, err
	}
	rep.Comparison = cmp
	rep.Margin = cmp.Margin.Before
	for _, t := range cmp.Totals {
		rep.Total += t.Canvass
	}
	if st.State != "" {
		if r, ok := recount.Rules(st.State); ok {
			var top2 int64
			for i := 0; i < len(cmp.Totals) && i < 2; i++ {
				top2 += cmp.Totals[i].Canvass
			}
			rep.Total = r.Divisor(top2, rep.Total)
			e := recount.Reach(st.State, rep.Margin, rep.Total)
			rep.Rules, rep.Reach = &r, &e
		}
	}
	return rep, nil
}

func votesByName(choices []string, votes []int64) map[string]int64 {
	m := make(map[string]int64, len(choices))
	for j, c := range choices {
		m[c] = votes[j]
	}
	return m
}

// RecountReport reports a recount (id 0: the only open one, else the last).
func (w *Workspace) RecountReport(ctx context.Context, id uint64) (*RecountReport, error) {
	var rep *RecountReport
	err := w.Store.View(ctx, func(tx store.Tx) error {
		s, err := w.loadRecount(tx, id)
		if err != nil {
			return err
		}
		rep, err = s.report()
		return err
	})
	return rep, err
}

// Recounts lists the ids of the workspace's recounts.
func (w *Workspace) Recounts(ctx context.Context) ([]uint64, error) {
	return w.entrySeqs(ctx, TypeRecountStart)
}

// entrySeqs lists the numbers of the ledger's entries of one type.
func (w *Workspace) entrySeqs(ctx context.Context, typ string) ([]uint64, error) {
	var ids []uint64
	err := w.Store.View(ctx, func(tx store.Tx) error {
		var err error
		ids, err = seqsOf(tx, typ)
		return err
	})
	return ids, err
}

// seqsOf lists the numbers of the entries of one type.
func seqsOf(tx store.Tx, typ string) ([]uint64, error) {
	var ids []uint64
	err := tx.EntriesOfType(typ, func(seq uint64, _ []byte) error {
		ids = append(ids, seq)
		return nil
	})
	return ids, err
}

// RecountFinish closes a recount whose recounted units are all entered, recording the
// outcome it found. No entry is accepted after it.
func (w *Workspace) RecountFinish(ctx context.Context, id uint64, note string) (*RecountReport, error) {
	var rep *RecountReport
	err := w.Store.Update(ctx, func(tx store.Tx) error {
		s, err := w.loadRecount(tx, id)
		if err != nil {
			return err
		}
		if s.finished != nil {
			return fmt.Errorf("recount %d: %w (entry %d)", s.id, ErrRecountClosed, s.finishAt)
		}
		if rep, err = s.report(); err != nil {
			return err
		}
		if len(rep.Missing) > 0 {
			return fmt.Errorf("recount %d: %d of %d recounted units have no count yet (%s); enter them first", s.id, len(rep.Missing), rep.Recounted, clip(strings.Join(rep.Missing, "; ")))
		}
		c := rep.Comparison
		body := RecountFinishBody{Recount: s.id, Entries: s.entries, MarginBefore: c.Margin.Before, MarginAfter: c.Margin.After,
			CanvassWinners: c.CanvassWinners, RecountWinners: c.RecountWinners, OutcomeChanged: c.OutcomeChanged, Note: note}
		seq, _, err := w.append(tx, w.now(), TypeRecountFinish, body)
		rep.Finished, rep.FinishedAt = &body, seq
		return err
	})
	return rep, err
}

// replayRecount re-runs a recount entry from the published log.
func (r *replayer) replayRecount(e *ledger.Entry) error {
	switch e.Type {
	case TypeRecountStart:
		var b RecountStartBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		if err := r.checkDerived(b.UnitsFile); err != nil {
			return err
		}
		_, err := r.w.RecountStart(r.ctx, RecountOptions{Contest: b.Contest, Source: b.Source, Level: canvass.Level(b.Level),
			Jurisdictions: b.Jurisdictions, State: b.State, Reason: b.Reason})
		return err
	case TypeRecountEntry:
		var b RecountEntryBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		in := RecountEntry{Recount: b.Recount, Note: b.Note}
		if err := r.checkDerived(b.UnitsFile); err != nil {
			return err
		}
		if b.File == nil {
			var start RecountStartBody
			if b.Recount >= uint64(len(r.decoded)) || r.decoded[b.Recount] == nil || r.decoded[b.Recount].Type != TypeRecountStart {
				return fmt.Errorf("names entry %d as its recount, which is not a recount.start entry", b.Recount)
			}
			if err := r.decoded[b.Recount].DecodeBody(&start); err != nil {
				return err
			}
			units, err := getUnits(r.open, b.Units, b.UnitsFile)
			if err != nil {
				return err
			}
			in.Units = map[string]map[string]int64{}
			for _, u := range units {
				in.Units[u.Unit] = votesByName(start.Choices, u.Votes)
			}
		} else {
			path, cleanup, err := r.fetch("recount file", *b.File)
			if err != nil {
				return err
			}
			defer cleanup()
			in.File, in.CVR, in.Format, in.Jurisdiction = path, b.Source == "cvr", b.Format, b.Jurisdiction
			if b.Source == "results" {
				in.Results = resultsOptions(b.Format, b.Results)
			}
			if len(b.Choices) > 0 {
				in.Choices = map[string]string{}
				for _, m := range b.Choices {
					in.Choices[m.From] = m.To
				}
			}
		}
		_, err := r.w.RecountEnter(r.ctx, in)
		return err
	case TypeRecountFinish:
		var b RecountFinishBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		_, err := r.w.RecountFinish(r.ctx, b.Recount, b.Note)
		return err
	}
	return fmt.Errorf("unknown recount entry type %q", e.Type)
}

// checkDerived checks a published file that a replayed entry makes again (a list of units
// kept as a file): it must be published, with the recorded hash.
func (r *replayer) checkDerived(ref *ledger.FileRef) error {
	if ref == nil {
		return nil
	}
	_, cleanup, err := r.fetch("units file", *ref)
	if err != nil {
		return err
	}
	cleanup()
	return nil
}
