package workspace

import (
	"context"
	"fmt"
	"sort"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/reconcile"
	"github.com/canvass-vote/canvass/store"
)

// The questions Check answers.
const (
	// QuestionTurnout: what was the turnout, which units were highest, did any exceed 100%?
	QuestionTurnout = "turnout"
	// QuestionBallotsVsVoters: were there more ballots (or votes) than voters — registered,
	// and by the census's estimates of the voting-age population?
	QuestionBallotsVsVoters = "ballots-vs-voters"
	// QuestionBalance: do the ballots balance with the poll books, the modes, the combined
	// reports, the votes and the manifests?
	QuestionBalance = "balance"
	// QuestionRecountImpact: what did the recounts change, against the margin?
	QuestionRecountImpact = "recount-impact"
)

// Questions lists what Check answers.
func Questions() []string {
	return []string{QuestionTurnout, QuestionBallotsVsVoters, QuestionBalance, QuestionRecountImpact}
}

// CheckOptions ask a question about a part of the election.
type CheckOptions struct {
	Question string
	// Unit limits the answer to the units within it ("Wayne / City of Detroit", "Milwaukee");
	// "" is everything.
	Unit string
	// Top is how many of the highest-turnout units to list (default 10).
	Top int
	ReconcileOptions
}

// UnitTurnout is one unit's ballots against its voters.
type UnitTurnout struct {
	Unit string `json:"unit"`
	// Members is the number of units joined into this one (0 when alone).
	Members    int    `json:"members,omitempty"`
	Ballots    int64  `json:"ballots"`
	Registered int64  `json:"registered"`
	ListDate   string `json:"list_date,omitempty"`
	// Turnout is Ballots / Registered (0 when unknown).
	Turnout float64 `json:"turnout"`
	// VAP and CVAP are census estimates (-1 when not imported).
	VAP  int64 `json:"vap"`
	CVAP int64 `json:"cvap"`
	// Explanations are the legitimate explanations the law allows for a turnout above 100%.
	Explanations []string `json:"explanations,omitempty"`
}

// TurnoutTable is the turnout of the units of one table (the results, or a ward table).
type TurnoutTable struct {
	Source string `json:"source"`
	Units  int    `json:"units"`
	// Totals over the units (registered over those that report it).
	Ballots    int64 `json:"ballots"`
	Registered int64 `json:"registered"`
	VAP        int64 `json:"vap,omitempty"`
	CVAP       int64 `json:"cvap,omitempty"`
	// BallotsAreVotes: the table reports no ballots, and the votes of its contest with most
	// votes (divided by its vote-for) stand in; they are a lower bound of the ballots cast.
	BallotsAreVotes bool          `json:"ballots_are_votes,omitempty"`
	NoRegistration  int           `json:"no_registration,omitempty"`
	Highest         []UnitTurnout `json:"highest"`
	Over100         []UnitTurnout `json:"over_100"`
	// OverEstimate lists units whose ballots exceed an estimate (VAP or CVAP).
	OverEstimate []UnitTurnout `json:"over_estimate,omitempty"`
}

// RecountImpact is what one recount changed.
type RecountImpact struct {
	Recount       uint64   `json:"recount"`
	Contest       string   `json:"contest"`
	Jurisdictions []string `json:"jurisdictions"`
	Finished      bool     `json:"finished"`
	Entered       int      `json:"entered"`
	Recounted     int      `json:"recounted"`
	Leader        string   `json:"leader"`
	Runner        string   `json:"runner_up"`
	MarginBefore  int64    `json:"margin_before"`
	MarginAfter   int64    `json:"margin_after"`
	MarginChange  int64    `json:"margin_change"`
	// VotesChanged is the sum over units and choices of the absolute changes.
	VotesChanged   int64 `json:"votes_changed"`
	OutcomeChanged bool  `json:"outcome_changed"`
	// LargestUnit is the unit whose margin changed most, and by how much.
	LargestUnit   string `json:"largest_unit,omitempty"`
	LargestChange int64  `json:"largest_change,omitempty"`
}

// Answer is the answer to a question, with its numbers and the files it rests on.
type Answer struct {
	Question string `json:"question"`
	Scope    string `json:"scope"`
	Level    string `json:"level"`
	// Summary answers in words.
	Summary  []string            `json:"summary"`
	Tables   []TurnoutTable      `json:"tables,omitempty"`
	Findings []reconcile.Finding `json:"findings,omitempty"`
	Recounts []RecountImpact     `json:"recounts,omitempty"`
	Sources  []Source            `json:"sources"`
}

// scopeKey folds a scope or a unit for matching: parts by NameKey, a first part's trailing
// " county" dropped.
func scopeParts(parts []string) []string {
	out := make([]string, 0, len(parts))
	for i, p := range parts {
		k := canvass.NameKey(p)
		if i == 0 {
			k = strings.TrimSuffix(k, " county")
		}
		if k != "" {
			out = append(out, k)
		}
	}
	return out
}

func inScope(u reconcile.Unit, scope []string) bool {
	up := scopeParts([]string{u.Jurisdiction, u.Municipality, u.Precinct})
	if len(scope) > len(up) {
		return false
	}
	for i, s := range scope {
		if up[i] != s {
			return false
		}
	}
	return true
}

// Check answers a question about the election from the workspace's data.
func (w *Workspace) Check(ctx context.Context, opts CheckOptions) (*Answer, error) {
	known := false
	for _, q := range Questions() {
		known = known || q == opts.Question
	}
	if !known {
		return nil, fmt.Errorf("check: unknown question %q (ask one of %s)", opts.Question, strings.Join(Questions(), ", "))
	}
	if opts.Top <= 0 {
		opts.Top = 10
	}
	var ans *Answer
	err := w.Store.View(ctx, func(tx store.Tx) error {
		rec, err := w.reconciliation(tx, opts.ReconcileOptions)
		if err != nil {
			return err
		}
		ans = &Answer{Question: opts.Question, Scope: opts.Unit, Level: string(rec.Level), Sources: rec.Sources}
		if ans.Scope == "" {
			ans.Scope = "all units"
		}
		var scope []string
		if opts.Unit != "" {
			scope = scopeParts(strings.Split(opts.Unit, "/"))
		}
		switch opts.Question {
		case QuestionTurnout, QuestionBallotsVsVoters:
			why := map[string][]string{}
			for _, f := range rec.Findings {
				if f.Rule == reconcile.RuleTurnout || f.Rule == reconcile.RuleTurnoutElectionDay || f.Rule == reconcile.RuleNoRegistration {
					why[f.Unit.Key()] = append(why[f.Unit.Key()], f.Explanations...)
				}
			}
			for _, t := range []struct {
				name string
				figs []reconcile.UnitFigures
			}{{"results", rec.Units}, {"ward tables", rec.Wards}} {
				if tab := turnoutTable(t.name, t.figs, scope, opts.Top, why); tab != nil {
					ans.Tables = append(ans.Tables, *tab)
				}
			}
			if len(ans.Tables) == 0 {
				return fmt.Errorf("check: no unit within %q at level %s", opts.Unit, rec.Level)
			}
			ans.Summary = turnoutSummary(ans, opts.Question == QuestionBallotsVsVoters)
		case QuestionBalance:
			rules := map[string]bool{reconcile.RuleOutOfBalance: true, reconcile.RuleModes: true, reconcile.RuleCombined: true,
				reconcile.RuleOvervote: true, reconcile.RuleManifest: true, reconcile.RuleUnofficial: true}
			pollBooks := false
			for _, u := range append(append([]reconcile.UnitFigures{}, rec.Units...), rec.Wards...) {
				if inScope(u.Unit, scope) && u.PollBook >= 0 {
					pollBooks = true
				}
			}
			for _, f := range rec.Findings {
				if rules[f.Rule] && inScope(f.Unit, scope) {
					ans.Findings = append(ans.Findings, f)
				}
			}
			ans.Summary = balanceSummary(ans, pollBooks)
		case QuestionRecountImpact:
			ids, err := seqsOf(tx, TypeRecountStart)
			if err != nil {
				return err
			}
			for _, id := range ids {
				s, err := w.loadRecount(tx, id)
				if err != nil {
					return err
				}
				r, err := s.report()
				if err != nil {
					return err
				}
				if opts.Unit != "" && !recountInScope(r, opts.Unit) {
					continue
				}
				ans.Recounts = append(ans.Recounts, impactOf(r))
			}
			ans.Summary = recountSummary(ans)
		}
		return nil
	})
	return ans, err
}

func recountInScope(r *RecountReport, unit string) bool {
	k := jurisdictionKey(unit)
	for _, j := range r.Jurisdictions {
		if jurisdictionKey(j) == k {
			return true
		}
	}
	return false
}

func impactOf(r *RecountReport) RecountImpact {
	c := r.Comparison
	im := RecountImpact{Recount: r.ID, Contest: r.Contest, Jurisdictions: r.Jurisdictions, Finished: r.Finished != nil,
		Entered: r.Entered, Recounted: r.Recounted, Leader: c.Margin.A, Runner: c.Margin.B,
		MarginBefore: c.Margin.Before, MarginAfter: c.Margin.After, MarginChange: c.Margin.Change, OutcomeChanged: c.OutcomeChanged}
	for _, u := range c.Units {
		for _, ch := range u.Choices {
			im.VotesChanged += abs64(ch.Change)
		}
		if u.Recounted && (im.LargestUnit == "" || abs64(u.MarginChange) > abs64(im.LargestChange)) {
			im.LargestUnit, im.LargestChange = u.Unit, u.MarginChange
		}
	}
	return im
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// standIn is a unit's ballots, or when unknown the votes of its contest with most votes over
// its vote-for (a lower bound of the ballots).
func standIn(f *reconcile.UnitFigures) (int64, bool) {
	if f.Ballots >= 0 {
		return f.Ballots, false
	}
	var best int64 = -1
	for c, v := range f.VotesByContest {
		n := int64(1)
		if vf := f.VoteFor[c]; vf > 1 {
			n = vf
		}
		if v/n > best {
			best = v / n
		}
	}
	return best, best >= 0
}

func turnoutTable(name string, figs []reconcile.UnitFigures, scope []string, top int, why map[string][]string) *TurnoutTable {
	t := &TurnoutTable{Source: name, Highest: []UnitTurnout{}, Over100: []UnitTurnout{}}
	var rows []UnitTurnout
	for i := range figs {
		f := &figs[i]
		if !inScope(f.Unit, scope) {
			continue
		}
		b, votes := standIn(f)
		if b < 0 {
			continue
		}
		t.Units++
		t.Ballots += b
		t.BallotsAreVotes = t.BallotsAreVotes || votes
		u := UnitTurnout{Unit: f.Unit.String(), Members: len(f.Members), Ballots: b, Registered: f.Registered, VAP: f.VAP, CVAP: f.CVAP}
		if !f.RegisteredDate.IsZero() {
			u.ListDate = f.RegisteredDate.Format("2006-01-02")
		}
		if f.Registered > 0 {
			t.Registered += f.Registered
			u.Turnout = float64(b) / float64(f.Registered)
		} else if b > 0 {
			t.NoRegistration++
		}
		if f.VAP > 0 {
			t.VAP += f.VAP
		}
		if f.CVAP > 0 {
			t.CVAP += f.CVAP
		}
		u.Explanations = uniq(why[f.Unit.Key()])
		if f.Registered > 0 && b > f.Registered {
			t.Over100 = append(t.Over100, u)
		}
		if f.VAP > 0 && b > f.VAP || f.CVAP > 0 && b > f.CVAP {
			t.OverEstimate = append(t.OverEstimate, u)
		}
		if f.Registered > 0 {
			rows = append(rows, u)
		}
	}
	if t.Units == 0 {
		return nil
	}
	sort.SliceStable(rows, func(i, j int) bool {
		// Compare b_i/r_i > b_j/r_j exactly: b_i·r_j > b_j·r_i.
		return rows[i].Ballots*rows[j].Registered > rows[j].Ballots*rows[i].Registered
	})
	if len(rows) > top {
		rows = rows[:top]
	}
	t.Highest = rows
	return t
}

func pct(a, b int64) string {
	if b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f%%", 100*float64(a)/float64(b))
}

func turnoutSummary(a *Answer, estimates bool) []string {
	var out []string
	for _, t := range a.Tables {
		what := "ballots"
		if t.BallotsAreVotes {
			what = "votes (the files report no ballots; votes are a lower bound of ballots cast)"
		}
		s := fmt.Sprintf("%s, %s: %d units, %d %s against %d registered voters (%s)", a.Scope, t.Source, t.Units, t.Ballots, what, t.Registered, pct(t.Ballots, t.Registered))
		if t.NoRegistration > 0 {
			s += fmt.Sprintf("; %d units report ballots but no registered voters (counting boards or combined wards: map them to the units they serve)", t.NoRegistration)
		}
		out = append(out, s+".")
		if len(t.Over100) == 0 {
			out = append(out, fmt.Sprintf("No unit has more %s than registered voters.", strings.Fields(what)[0]))
		} else {
			names := make([]string, 0, len(t.Over100))
			for _, u := range t.Over100 {
				names = append(names, fmt.Sprintf("%s (%d of %d)", u.Unit, u.Ballots, u.Registered))
			}
			out = append(out, fmt.Sprintf("%d units exceed 100%% of their registration list: %s. The law allows: %s", len(t.Over100), strings.Join(names, "; "), strings.Join(dedupe(t.Over100), "; ")))
		}
		if len(t.Highest) > 0 {
			h := t.Highest[0]
			out = append(out, fmt.Sprintf("Highest: %s, %d of %d (%s).", h.Unit, h.Ballots, h.Registered, pct(h.Ballots, h.Registered)))
		}
		if estimates {
			if t.VAP > 0 || t.CVAP > 0 {
				out = append(out, fmt.Sprintf("Against census estimates (American Community Survey, with margins of error): %s of the voting-age population (%d), %s of the citizen voting-age population (%d); %d units exceed an estimate.",
					pct(t.Ballots, t.VAP), t.VAP, pct(t.Ballots, t.CVAP), t.CVAP, len(t.OverEstimate)))
			} else {
				out = append(out, "No population estimates are imported for these units (import them with 'canvass import units --format county-estimates').")
			}
		}
	}
	return out
}

func dedupe(us []UnitTurnout) []string {
	var all []string
	for _, u := range us {
		all = append(all, u.Explanations...)
	}
	return uniq(all)
}

// uniq keeps the first of each string, in order.
func uniq(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func balanceSummary(a *Answer, pollBooks bool) []string {
	var out []string
	if !pollBooks {
		out = append(out, "The imported data has no poll-book counts for these units, so the Michigan balance test (ballots = voters checked in + absentee ballots received) cannot be run; import the poll-book figures to run it.")
	}
	by := map[string]int{}
	for _, f := range a.Findings {
		by[f.Rule]++
	}
	if len(a.Findings) == 0 {
		out = append(out, fmt.Sprintf("%s: no imbalance found by the rules that could run.", a.Scope))
		return out
	}
	rules := make([]string, 0, len(by))
	for r := range by {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	parts := make([]string, len(rules))
	for i, r := range rules {
		parts[i] = fmt.Sprintf("%s %d", r, by[r])
	}
	out = append(out, fmt.Sprintf("%s: %d findings (%s); each names its numbers and the explanations the law allows.", a.Scope, len(a.Findings), strings.Join(parts, ", ")))
	return out
}

func recountSummary(a *Answer) []string {
	if len(a.Recounts) == 0 {
		return []string{"No recount of these units is recorded in the workspace."}
	}
	var out []string
	for _, r := range a.Recounts {
		s := fmt.Sprintf("Recount %d of %s (%s): %d of %d units entered", r.Recount, r.Contest, strings.Join(r.Jurisdictions, ", "), r.Entered, r.Recounted)
		if r.Finished {
			s += ", finished"
		}
		s += fmt.Sprintf(". The margin of %s over %s went from %d to %d (%+d, %s of the margin); %d votes changed in all",
			r.Leader, r.Runner, r.MarginBefore, r.MarginAfter, r.MarginChange, pct(abs64(r.MarginChange), abs64(r.MarginBefore)), r.VotesChanged)
		if r.LargestUnit != "" {
			s += fmt.Sprintf("; the largest change was %s (%+d)", r.LargestUnit, r.LargestChange)
		}
		if r.OutcomeChanged {
			s += ". The outcome CHANGED."
		} else {
			s += ". The outcome did not change."
		}
		out = append(out, s)
	}
	return out
}
