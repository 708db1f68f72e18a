package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/reconcile"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/tabulate"
	"github.com/canvass-vote/canvass/workspace"
)

// Versions of the workspace for the memo: the ledger's size changes with every entry; the
// imports' version only when a file is imported or replaced, which is all a tabulation
// depends on.
func (s *server) ledgerVersion(ctx context.Context) (string, error) {
	n, err := s.w.LedgerSize(ctx)
	return strconv.FormatUint(n, 10), err
}

func (s *server) importsVersion(ctx context.Context) (string, error) {
	fs, err := s.w.Files(ctx)
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%d:%d:%d;", f.ID, f.Entry, f.Replaced)
	}
	return b.String(), err
}

// tabulation is the workspace's tabulation grouped by level, kept until the next import.
func (s *server) tabulation(ctx context.Context, level canvass.Level) (*tabulate.Result, error) {
	v, err := s.importsVersion(ctx)
	if err != nil {
		return nil, err
	}
	res, err := s.memo.get("tabulation "+string(level), v, func() (any, error) {
		return s.w.Tabulate(context.WithoutCancel(ctx), workspace.TabulateOptions{By: level})
	})
	if err != nil {
		return nil, err
	}
	return res.(*tabulate.Result), nil
}

// ledgerMemo computes a value once per ledger size.
func (s *server) ledgerMemo(ctx context.Context, key string, compute func(ctx context.Context) (any, error)) (any, error) {
	v, err := s.ledgerVersion(ctx)
	if err != nil {
		return nil, err
	}
	return s.memo.get(key, v, func() (any, error) { return compute(context.WithoutCancel(ctx)) })
}

// Pagination: every list of the API (and the long lists of pages) takes limit and cursor and
// answers next_cursor when more follow. A cursor is opaque to clients; it holds the offset of
// the next item in the list's fixed order.
type pager struct {
	offset, limit int
}

func (q *req) pager(def, most int) (pager, error) {
	p := pager{limit: def}
	if l := q.r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return p, badRequest("limit %q: a whole number from 1 to %d", l, most)
		}
		p.limit = min(n, most)
	}
	if c := q.r.URL.Query().Get("cursor"); c != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(c, "o"))
		if err != nil || n < 0 || !strings.HasPrefix(c, "o") {
			return p, badRequest("cursor %q: pass the next_cursor of the previous page", c)
		}
		p.offset = n
	}
	return p, nil
}

// window returns the bounds of the page in a list of n items and the cursor of the next page.
func (p pager) window(n int) (lo, hi int, next string) {
	lo = min(p.offset, n)
	hi = min(lo+p.limit, n)
	if hi < n {
		next = "o" + strconv.Itoa(hi)
	}
	return lo, hi, next
}

// list answers a page of items, limit def (at most most) from the request's cursor, as
// {"items": […], "next_cursor": "…", "total": n} with extra's keys beside them.
func list[T any](q *req, items []T, def, most int, extra map[string]any) error {
	shown, next, err := pageOf(q, items, def, most)
	if err != nil {
		return err
	}
	out := map[string]any{"items": shown, "total": len(items)}
	if next != "" {
		out["next_cursor"] = next
	}
	for k, v := range extra {
		out[k] = v
	}
	q.json(http.StatusOK, out)
	return nil
}

// pageOf returns the page of items the request's limit and cursor ask for, and the cursor of
// the next page ("" on the last).
func pageOf[T any](q *req, items []T, def, most int) ([]T, string, error) {
	p, err := q.pager(def, most)
	if err != nil {
		return nil, "", err
	}
	lo, hi, next := p.window(len(items))
	return items[lo:hi], next, nil
}

// contestView is a contest's result at one unit, for pages and the API.
type contestView struct {
	Name    string                  `json:"name"`
	Source  string                  `json:"source"`
	Type    string                  `json:"type"`
	Seats   int                     `json:"seats"`
	Winners []string                `json:"winners"`
	Tied    []string                `json:"tied,omitempty"`
	Note    string                  `json:"note,omitempty"`
	Unit    string                  `json:"unit,omitempty"`
	Level   string                  `json:"level"`
	Totals  unitView                `json:"totals"`
	Parent  string                  `json:"parent,omitempty"`
	Path    []crumb                 `json:"path"`
	Child   string                  `json:"child_level,omitempty"`
	Units   []unitView              `json:"units,omitempty"`
	Columns []string                `json:"-"`
	Others  bool                    `json:"-"`
	Sources []string                `json:"-"`
	Result  *tabulate.ContestResult `json:"-"`
}

// crumb is a step of the drill-down path.
type crumb struct {
	Name  string `json:"name"`
	Unit  string `json:"unit"`
	Level string `json:"level"`
}

// unitView is the result in one unit.
type unitView struct {
	Unit    string       `json:"unit,omitempty"`
	Name    string       `json:"name,omitempty"`
	Ballots int64        `json:"ballots"`
	Votes   int64        `json:"votes"`
	Choices []choiceView `json:"choices"`
	Leader  string       `json:"leader,omitempty"`
	Cells   []int64      `json:"-"`
	Other   int64        `json:"-"`
}

type choiceView struct {
	Name    string  `json:"name"`
	Party   string  `json:"party,omitempty"`
	WriteIn bool    `json:"write_in,omitempty"`
	Votes   int64   `json:"votes"`
	Share   float64 `json:"share"`
	Winner  bool    `json:"winner,omitempty"`
}

func makeUnit(unit, name string, ballots int64, chs []tabulate.ChoiceVotes, winners []string) unitView {
	u := unitView{Unit: unit, Name: name, Ballots: ballots, Choices: make([]choiceView, 0, len(chs))}
	won := map[string]bool{}
	for _, w := range winners {
		won[w] = true
	}
	for _, c := range chs {
		u.Votes += c.Votes
	}
	var best int64 = -1
	for _, c := range chs {
		share := 0.0
		if u.Votes > 0 {
			share = float64(c.Votes) / float64(u.Votes)
		}
		u.Choices = append(u.Choices, choiceView{Name: c.Name, Party: c.Party, WriteIn: c.WriteIn, Votes: c.Votes, Share: share, Winner: won[c.Name]})
		if c.Votes > best {
			best, u.Leader = c.Votes, c.Name
		} else if c.Votes == best {
			u.Leader = ""
		}
	}
	sort.SliceStable(u.Choices, func(i, j int) bool { return u.Choices[i].Votes > u.Choices[j].Votes })
	return u
}

// findContest picks a contest by name and source from a tabulation.
func findContest(res *tabulate.Result, name, source string) (*tabulate.ContestResult, []string) {
	var found *tabulate.ContestResult
	var sources []string
	for i := range res.Contests {
		c := &res.Contests[i]
		if canvass.NameKey(c.Name) != canvass.NameKey(name) {
			continue
		}
		sources = append(sources, c.Source)
		if found == nil && (source == "" || c.Source == source) {
			found = c
		}
	}
	return found, sources
}

// lastPart is a unit's own name: the last part of "WI / ADAMS / Town of ADAMS / Wards 1-3".
func lastPart(unit string) string {
	if i := strings.LastIndex(unit, " / "); i >= 0 {
		return unit[i+3:]
	}
	return unit
}

// contestAt builds a contest's view at a unit ("" for the whole contest) with its units one
// level down: the counties of the contest, the wards (precincts) of a county. Views are kept
// until the next import.
func (s *server) contestAt(ctx context.Context, name, source, unit string) (*contestView, error) {
	v, err := s.importsVersion(ctx)
	if err != nil {
		return nil, err
	}
	key := "contest\x00" + canvass.NameKey(name) + "\x00" + source + "\x00" + unit
	cv, err := s.memo.get(key, v, func() (any, error) { return s.buildContestAt(context.WithoutCancel(ctx), name, source, unit) })
	if err != nil {
		return nil, err
	}
	return cv.(*contestView), nil
}

func (s *server) buildContestAt(ctx context.Context, name, source, unit string) (*contestView, error) {
	state, err := s.tabulation(ctx, canvass.LevelState)
	if err != nil {
		return nil, err
	}
	c, sources := findContest(state, name, source)
	if c == nil {
		return nil, &httpError{status: http.StatusNotFound, msg: fmt.Sprintf("no contest %q", name)}
	}
	v := &contestView{Name: c.Name, Source: c.Source, Type: c.Type, Seats: c.Seats, Winners: c.Winners, Tied: c.Tied, Note: c.Note, Sources: sources, Result: c,
		Path: []crumb{{Name: "All", Level: string(canvass.LevelState)}}}
	if v.Winners == nil {
		v.Winners = []string{}
	}
	// The columns of unit tables: the leading choices statewide, the rest as others.
	for i, ch := range c.Choices {
		if i < 4 {
			v.Columns = append(v.Columns, ch.Name)
		} else {
			v.Others = true
		}
	}
	counties, err := s.tabulation(ctx, canvass.LevelCounty)
	if err != nil {
		return nil, err
	}
	precincts, err := s.tabulation(ctx, canvass.LevelPrecinct)
	if err != nil {
		return nil, err
	}
	cc, _ := findContest(counties, c.Name, c.Source)
	pc, _ := findContest(precincts, c.Name, c.Source)
	var parent []tabulate.UnitResult
	var children []tabulate.UnitResult
	var prefix string
	switch {
	case unit == "":
		v.Level, v.Totals = string(canvass.LevelState), makeUnit("", "", c.Ballots, c.Choices, c.Winners)
		if cc != nil {
			children, v.Child = cc.Units, string(canvass.LevelCounty)
		}
	case cc != nil && hasUnit(cc.Units, unit):
		v.Level, v.Unit, parent = string(canvass.LevelCounty), unit, cc.Units
		if pc != nil {
			children, v.Child, prefix = pc.Units, string(canvass.LevelPrecinct), unit+" / "
		}
	case pc != nil && hasUnit(pc.Units, unit):
		v.Level, v.Unit, parent = string(canvass.LevelPrecinct), unit, pc.Units
		if cc != nil {
			for _, u := range cc.Units {
				if strings.HasPrefix(unit, u.Unit+" / ") {
					v.Parent = u.Unit
					v.Path = append(v.Path, crumb{Name: lastPart(u.Unit), Unit: u.Unit, Level: string(canvass.LevelCounty)})
				}
			}
		}
	default:
		return nil, &httpError{status: http.StatusNotFound, msg: fmt.Sprintf("contest %q has no unit %q", c.Name, unit)}
	}
	for _, u := range parent {
		if u.Unit == unit {
			v.Totals = makeUnit(u.Unit, lastPart(u.Unit), u.Ballots, u.Choices, nil)
		}
	}
	if unit != "" {
		v.Path = append(v.Path, crumb{Name: lastPart(unit), Unit: unit, Level: v.Level})
	}
	for _, u := range children {
		if prefix != "" && !strings.HasPrefix(u.Unit, prefix) {
			continue
		}
		uv := makeUnit(u.Unit, strings.TrimPrefix(u.Unit, prefix), u.Ballots, u.Choices, nil)
		if prefix == "" {
			uv.Name = lastPart(u.Unit)
		}
		byName := map[string]int64{}
		for _, ch := range u.Choices {
			byName[ch.Name] = ch.Votes
		}
		var shown int64
		for _, col := range v.Columns {
			uv.Cells = append(uv.Cells, byName[col])
			shown += byName[col]
		}
		uv.Other = uv.Votes - shown
		v.Units = append(v.Units, uv)
	}
	return v, nil
}

func hasUnit(us []tabulate.UnitResult, unit string) bool {
	for _, u := range us {
		if u.Unit == unit {
			return true
		}
	}
	return false
}

// contestSummaries are the contests at the state level, for the home page and the API.
func (s *server) contestSummaries(ctx context.Context) ([]contestView, error) {
	res, err := s.tabulation(ctx, canvass.LevelState)
	if err != nil {
		return nil, err
	}
	out := make([]contestView, 0, len(res.Contests))
	for i := range res.Contests {
		c := &res.Contests[i]
		w := c.Winners
		if w == nil {
			w = []string{}
		}
		out = append(out, contestView{Name: c.Name, Source: c.Source, Type: c.Type, Seats: c.Seats, Winners: w, Tied: c.Tied, Note: c.Note,
			Level: string(canvass.LevelState), Totals: makeUnit("", "", c.Ballots, c.Choices, c.Winners), Path: []crumb{}})
	}
	return out, nil
}

func (q *req) homePage() error {
	cs, err := q.s.contestSummaries(q.r.Context())
	if err != nil {
		return err
	}
	certs, err := q.s.w.Certifications(q.r.Context())
	if err != nil {
		return err
	}
	certified := map[string]uint64{}
	for _, c := range certs {
		if c.AmendedBy == 0 {
			certified[canvass.NameKey(c.Body.Contest)] = c.Seq
		}
	}
	return q.page("home", map[string]any{"Contests": cs, "Certified": certified})
}

func (q *req) resultsPage() error {
	qs := q.r.URL.Query()
	if qs.Get("contest") == "" {
		return q.redirect("/")
	}
	v, err := q.s.contestAt(q.r.Context(), qs.Get("contest"), qs.Get("source"), qs.Get("unit"))
	if err != nil {
		return err
	}
	shown, next, err := pageOf(q, v.Units, 1000, 5000)
	if err != nil {
		return err
	}
	return q.page("results", map[string]any{"C": v, "Units": shown, "Next": next, "Total": len(v.Units)})
}

func (q *req) apiContests() error {
	cs, err := q.s.contestSummaries(q.r.Context())
	if err != nil {
		return err
	}
	return list(q, cs, 100, 1000, nil)
}

func (q *req) apiResults() error {
	qs := q.r.URL.Query()
	if qs.Get("contest") == "" {
		return badRequest("name the contest: ?contest=…")
	}
	v, err := q.s.contestAt(q.r.Context(), qs.Get("contest"), qs.Get("source"), qs.Get("unit"))
	if err != nil {
		return err
	}
	units := v.Units
	if units == nil {
		units = []unitView{}
	}
	head := *v
	head.Units = nil
	return list(q, units, 500, 5000, map[string]any{"contest": head})
}

// turnoutView is the reconciliation of the results at one level.
type turnoutView struct {
	Level    string             `json:"level"`
	Units    []turnoutUnit      `json:"units"`
	Findings []findingView      `json:"findings"`
	Counts   map[string]int     `json:"counts"`
	Sources  []workspace.Source `json:"sources"`
}

type turnoutUnit struct {
	Unit string `json:"unit"`
	// Registered and Ballots are absent when the imported files do not give them.
	Registered *int64 `json:"registered,omitempty"`
	Ballots    *int64 `json:"ballots,omitempty"`
	// Turnout is Ballots / Registered (reconcile.Turnout), absent when either is not known.
	Turnout float64 `json:"turnout,omitempty"`
}

type findingView struct {
	Rule         string           `json:"rule"`
	Severity     string           `json:"severity"`
	Unit         string           `json:"unit"`
	Contest      string           `json:"contest,omitempty"`
	Message      string           `json:"message"`
	Numbers      map[string]int64 `json:"numbers,omitempty"`
	Explanations []string         `json:"explanations,omitempty"`
}

func (s *server) turnout(ctx context.Context, level canvass.Level) (*turnoutView, error) {
	v, err := s.ledgerMemo(ctx, "turnout "+string(level), func(ctx context.Context) (any, error) {
		rec, err := s.w.Reconciliation(ctx, workspace.ReconcileOptions{Level: level})
		if err != nil {
			return nil, err
		}
		out := &turnoutView{Level: string(rec.Level), Units: []turnoutUnit{}, Findings: []findingView{}, Counts: map[string]int{}, Sources: rec.Sources}
		known := func(n int64) *int64 {
			if n == reconcile.Unknown {
				return nil
			}
			return &n
		}
		for i := range rec.Units {
			u := &rec.Units[i]
			reg := u.Registered
			if reg == reconcile.Unknown {
				reg = u.RegisteredElectionDay
			}
			out.Units = append(out.Units, turnoutUnit{Unit: u.Unit.String(), Registered: known(reg), Ballots: known(u.Ballots), Turnout: reconcile.Turnout(u)})
		}
		for _, f := range rec.Findings {
			out.Findings = append(out.Findings, findingOf(f))
			out.Counts[string(f.Severity)]++
		}
		// Errors first, then warnings, then the rest, each in the engine's order.
		rank := map[string]int{string(reconcile.Error): 0, string(reconcile.Warning): 1}
		sort.SliceStable(out.Findings, func(i, j int) bool {
			ri, ok := rank[out.Findings[i].Severity]
			if !ok {
				ri = 2
			}
			rj, ok := rank[out.Findings[j].Severity]
			if !ok {
				rj = 2
			}
			return ri < rj
		})
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*turnoutView), nil
}

func findingOf(f reconcile.Finding) findingView {
	return findingView{Rule: f.Rule, Severity: string(f.Severity), Unit: f.Unit.String(), Contest: f.Contest, Message: f.Message, Numbers: f.Numbers, Explanations: f.Explanations}
}

func (q *req) turnoutLevel() (canvass.Level, error) {
	switch l := q.r.URL.Query().Get("level"); l {
	case "", "county":
		return canvass.LevelCounty, nil
	case "municipality", "precinct":
		return canvass.Level(l), nil
	default:
		return "", badRequest("level %q: county, municipality or precinct", l)
	}
}

func (q *req) turnoutPage() error {
	level, err := q.turnoutLevel()
	if err != nil {
		return err
	}
	v, err := q.s.turnout(q.r.Context(), level)
	if err != nil {
		return err
	}
	shown, next, err := pageOf(q, v.Findings, 500, 5000)
	if err != nil {
		return err
	}
	return q.page("turnout", map[string]any{"T": v, "Findings": shown, "Next": next})
}

func (q *req) apiTurnout() error {
	level, err := q.turnoutLevel()
	if err != nil {
		return err
	}
	v, err := q.s.turnout(q.r.Context(), level)
	if err != nil {
		return err
	}
	extra := map[string]any{"level": v.Level, "counts": v.Counts, "sources": v.Sources}
	switch q.r.URL.Query().Get("list") {
	case "", "units":
		return list(q, v.Units, 500, 5000, extra)
	case "findings":
		return list(q, v.Findings, 500, 5000, extra)
	default:
		return badRequest("list %q: units or findings", q.r.URL.Query().Get("list"))
	}
}

// Audits, for the public: everything but the open round's sample. The cards of a round are
// published when the round ends; until then the public (and so an audit board member reading
// this page) sees only how many cards are recorded, and no card's CVR.

type auditSummary struct {
	ID        uint64                   `json:"id"`
	Kind      string                   `json:"kind"`
	Method    string                   `json:"method"`
	RiskLimit string                   `json:"risk_limit"`
	Status    string                   `json:"status"`
	Contests  []workspace.ContestAudit `json:"contests"`
	Rounds    int                      `json:"rounds"`
}

func (s *server) auditSummaries(ctx context.Context) ([]auditSummary, error) {
	v, err := s.ledgerMemo(ctx, "audits", func(ctx context.Context) (any, error) {
		ids, err := s.w.Audits(ctx)
		if err != nil {
			return nil, err
		}
		out := []auditSummary{}
		for _, id := range ids {
			st, err := s.w.AuditStatus(ctx, id)
			if err != nil {
				return nil, err
			}
			out = append(out, auditSummary{ID: id, Kind: st.Kind, Method: st.Method, RiskLimit: st.Risk, Status: st.Status, Contests: st.Contests, Rounds: len(st.Rounds)})
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]auditSummary), nil
}

// publicAudit is an audit's report as the public sees it.
type publicAudit struct {
	ID              uint64                         `json:"id"`
	Kind            string                         `json:"kind"`
	Method          string                         `json:"method"`
	RiskLimit       float64                        `json:"risk_limit"`
	Seed            string                         `json:"seed"`
	WithReplacement bool                           `json:"with_replacement"`
	Population      int64                          `json:"population"`
	Status          string                         `json:"status"`
	Contests        []workspace.AuditReportContest `json:"contests"`
	Rounds          []workspace.RoundView          `json:"rounds"`
	// Sample lists the cards of ended rounds.
	Sample []workspace.AuditReportCard `json:"sample"`
	// Open is the open round's progress: its draws and how many cards are recorded.
	Open *openRound `json:"open_round,omitempty"`
	Plot *plot      `json:"-"`
}

type openRound struct {
	Round    int   `json:"round"`
	Draws    int64 `json:"draws"`
	Cards    int   `json:"cards"`
	Recorded int   `json:"recorded"`
}

func (s *server) publicAudit(ctx context.Context, id uint64) (*publicAudit, error) {
	v, err := s.ledgerMemo(ctx, "audit "+strconv.FormatUint(id, 10), func(ctx context.Context) (any, error) {
		rep, err := s.w.AuditReport(ctx, id)
		if err != nil {
			return nil, err
		}
		pa := &publicAudit{ID: rep.ID, Kind: rep.Kind, Method: rep.Method, RiskLimit: rep.RiskLimit, Seed: rep.Seed, WithReplacement: rep.WithReplacement,
			Population: rep.Population, Status: rep.Status, Contests: rep.Contests, Rounds: rep.Rounds, Sample: []workspace.AuditReportCard{}}
		ended := map[int]bool{}
		for _, r := range rep.Rounds {
			ended[r.Number] = r.Ended
		}
		open := map[string]bool{}
		for _, c := range rep.Sample {
			if ended[c.Round] {
				if c.Found == "" {
					c.CVR = nil // a card an abandoned round never recorded
				}
				pa.Sample = append(pa.Sample, c)
				continue
			}
			if pa.Open == nil {
				pa.Open = &openRound{Round: c.Round}
			}
			pa.Open.Draws++
			if !open[c.Card] {
				open[c.Card] = true
				pa.Open.Cards++
				if c.Found != "" {
					pa.Open.Recorded++
				}
			}
		}
		pa.Plot = riskPlot(pa)
		return pa, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*publicAudit), nil
}

func (q *req) auditID() (uint64, error) {
	id, err := strconv.ParseUint(q.r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, &httpError{status: http.StatusNotFound, msg: "no such audit"}
	}
	ids, err := q.s.w.Audits(q.r.Context())
	if err != nil {
		return 0, err
	}
	for _, x := range ids {
		if x == id {
			return id, nil
		}
	}
	return 0, &httpError{status: http.StatusNotFound, msg: fmt.Sprintf("no audit %d", id)}
}

func (q *req) auditsPage() error {
	as, err := q.s.auditSummaries(q.r.Context())
	if err != nil {
		return err
	}
	return q.page("audits", map[string]any{"Audits": as})
}

func (q *req) auditPage() error {
	id, err := q.auditID()
	if err != nil {
		return err
	}
	pa, err := q.s.publicAudit(q.r.Context(), id)
	if err != nil {
		return err
	}
	shown, next, err := pageOf(q, pa.Sample, 500, 5000)
	if err != nil {
		return err
	}
	return q.page("audit", map[string]any{"A": pa, "Sample": shown, "Next": next})
}

func (q *req) apiAudits() error {
	as, err := q.s.auditSummaries(q.r.Context())
	if err != nil {
		return err
	}
	return list(q, as, 100, 1000, nil)
}

// apiAudit answers the audit with its sample (of ended rounds) as the paginated items.
func (q *req) apiAudit() error {
	id, err := q.auditID()
	if err != nil {
		return err
	}
	pa, err := q.s.publicAudit(q.r.Context(), id)
	if err != nil {
		return err
	}
	head := *pa
	head.Sample = nil
	return list(q, pa.Sample, 500, 5000, map[string]any{"audit": head})
}

// plot is the SVG plot of measured risk (log scale) against the cards sampled.
type plot struct {
	W, H, Left, Top, Right, Bottom float64
	XTicks                         []tick
	YTicks                         []tick
	Limit                          float64 // y of the risk limit
	LimitLabel                     string
	Series                         []series
	Empty                          bool
}

type tick struct {
	Pos   float64
	Label string
}

type series struct {
	Name   string
	Shape  string // circle, square, triangle, diamond: no series is told by colour alone
	Class  string
	Points string
	Dots   []point
	// Legend is the polygon of the legend's mark (shapes other than the circle).
	Legend string
}

type point struct {
	X, Y  float64
	Label string
	// Poly is the polygon of the mark (shapes other than the circle).
	Poly string
}

// marker is the polygon of a mark of the shape centred at x, y.
func marker(shape string, x, y float64) string {
	var pts [][2]float64
	switch shape {
	case "square":
		pts = [][2]float64{{-4.5, -4.5}, {4.5, -4.5}, {4.5, 4.5}, {-4.5, 4.5}}
	case "triangle":
		pts = [][2]float64{{0, -6}, {5.5, 4.5}, {-5.5, 4.5}}
	case "diamond":
		pts = [][2]float64{{0, -6}, {6, 0}, {0, 6}, {-6, 0}}
	default:
		return ""
	}
	var b strings.Builder
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", x+p[0], y+p[1])
	}
	return b.String()
}

var shapes = []string{"circle", "square", "triangle", "diamond"}

func riskPlot(pa *publicAudit) *plot {
	p := &plot{W: 640, H: 320, Left: 64, Top: 16, Right: 624, Bottom: 272}
	var maxX int64 = 1
	minRisk := pa.RiskLimit
	for _, r := range pa.Rounds {
		maxX = max(maxX, r.Size)
		for _, v := range r.Risk {
			if v > 0 {
				minRisk = math.Min(minRisk, v)
			}
		}
	}
	// The y axis runs from 1 down to the decade below the smallest risk and the limit.
	lo := math.Pow(10, math.Floor(math.Log10(math.Max(minRisk, 1e-12))))
	if lo >= 1 {
		lo = 0.01
	}
	decades := -math.Log10(lo)
	y := func(r float64) float64 {
		r = math.Max(r, lo)
		return p.Top + (p.Bottom-p.Top)*(-math.Log10(r))/decades
	}
	x := func(n int64) float64 { return p.Left + (p.Right-p.Left)*float64(n)/float64(maxX) }
	for d := 0; d <= int(decades+0.5); d++ {
		v := math.Pow(10, -float64(d))
		p.YTicks = append(p.YTicks, tick{Pos: y(v), Label: strconv.FormatFloat(v, 'g', -1, 64)})
	}
	for i := 0; i <= 4; i++ {
		n := maxX * int64(i) / 4
		p.XTicks = append(p.XTicks, tick{Pos: x(n), Label: strconv.FormatInt(n, 10)})
	}
	p.Limit = y(pa.RiskLimit)
	p.LimitLabel = "risk limit " + strconv.FormatFloat(pa.RiskLimit*100, 'g', -1, 64) + "%"
	p.Empty = true
	for i, c := range pa.Contests {
		s := series{Name: c.Name, Shape: shapes[i%len(shapes)], Class: "s" + strconv.Itoa(i%len(shapes))}
		s.Legend = marker(s.Shape, 20, 8)
		pts := []string{fmt.Sprintf("%.1f,%.1f", x(0), y(1))}
		for _, r := range pa.Rounds {
			v, ok := r.Risk[c.Name]
			if !ok || !r.Ended {
				continue
			}
			p.Empty = false
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(r.Size), y(v)))
			s.Dots = append(s.Dots, point{X: x(r.Size), Y: y(v), Label: fmt.Sprintf("%s: risk %.4g after %d draws (round %d)", c.Name, v, r.Size, r.Number), Poly: marker(s.Shape, x(r.Size), y(v))})
		}
		s.Points = strings.Join(pts, " ")
		p.Series = append(p.Series, s)
	}
	return p
}

// Recounts (package recount's comparison, through the workspace).

func (q *req) recountPage() error {
	ids, err := q.s.w.Recounts(q.r.Context())
	if err != nil {
		return err
	}
	data := map[string]any{"IDs": ids}
	if len(ids) > 0 {
		id := ids[len(ids)-1]
		if s := q.r.URL.Query().Get("id"); s != "" {
			if id, err = strconv.ParseUint(s, 10, 64); err != nil {
				return badRequest("id %q", s)
			}
		}
		rep, err := q.s.recount(q.r.Context(), id)
		if err != nil {
			return err
		}
		data["R"] = rep
	}
	return q.page("recount", data)
}

func (s *server) recount(ctx context.Context, id uint64) (*workspace.RecountReport, error) {
	ids, err := s.w.Recounts(ctx)
	if err != nil {
		return nil, err
	}
	for _, x := range ids {
		if x == id {
			return s.w.RecountReport(ctx, id)
		}
	}
	return nil, &httpError{status: http.StatusNotFound, msg: fmt.Sprintf("no recount %d", id)}
}

func (q *req) apiRecounts() error {
	ids, err := q.s.w.Recounts(q.r.Context())
	if err != nil {
		return err
	}
	if ids == nil {
		ids = []uint64{}
	}
	return list(q, ids, 100, 1000, nil)
}

func (q *req) apiRecount() error {
	id, err := strconv.ParseUint(q.r.PathValue("id"), 10, 64)
	if err != nil {
		return errNotFound
	}
	rep, err := q.s.recount(q.r.Context(), id)
	if err != nil {
		return err
	}
	q.json(http.StatusOK, rep)
	return nil
}

// The verify page and the current checkpoint.

type checkpointView struct {
	Origin string `json:"origin"`
	LogKey string `json:"log_key"`
	// Size and Note are the latest signed checkpoint (none before the first publication).
	Size      uint64 `json:"size,omitempty"`
	Note      string `json:"checkpoint,omitempty"`
	Published string `json:"published,omitempty"`
}

func (s *server) checkpoint(ctx context.Context) (*checkpointView, error) {
	info, err := s.w.LogInfo(ctx)
	if err != nil {
		return nil, err
	}
	v := &checkpointView{Origin: info.Origin, LogKey: info.LogKey, Published: s.opts.PublishedURL}
	err = s.w.Store.View(ctx, func(tx store.Tx) error {
		cps, err := tx.Checkpoints()
		if err != nil || len(cps) == 0 {
			return err
		}
		last := cps[len(cps)-1]
		v.Size, v.Note = last.Size, string(last.Note)
		return nil
	})
	return v, err
}

func (q *req) verifyPage() error {
	v, err := q.s.checkpoint(q.r.Context())
	if err != nil {
		return err
	}
	if v.Published == "" && q.s.opts.Published != "" {
		scheme := "http"
		if q.s.opts.SecureCookies || q.r.TLS != nil {
			scheme = "https"
		}
		v.Published = scheme + "://" + q.r.Host + "/log/"
	}
	certs, err := q.s.w.Certifications(q.r.Context())
	if err != nil {
		return err
	}
	return q.page("verify", map[string]any{"V": v, "Certs": certs})
}

func (q *req) apiCheckpoint() error {
	v, err := q.s.checkpoint(q.r.Context())
	if err != nil {
		return err
	}
	q.json(http.StatusOK, v)
	return nil
}

type certView struct {
	Entry     uint64   `json:"entry"`
	Type      string   `json:"type"`
	Contest   string   `json:"contest"`
	Winners   []string `json:"winners"`
	Signers   []string `json:"signers"`
	AmendedBy uint64   `json:"amended_by,omitempty"`
	Note      string   `json:"signed_statement"`
}

func (q *req) apiCertifications() error {
	certs, err := q.s.w.Certifications(q.r.Context())
	if err != nil {
		return err
	}
	out := []certView{}
	for _, c := range certs {
		cv := certView{Entry: c.Seq, Type: c.Type, Contest: c.Body.Contest, Winners: c.Body.Winners, AmendedBy: c.AmendedBy, Note: c.Body.Note}
		for _, sg := range c.Body.Signers {
			cv.Signers = append(cv.Signers, sg.Name)
		}
		out = append(out, cv)
	}
	return list(q, out, 100, 1000, nil)
}

// publishedLog serves the folder written by 'canvass publish' (Options.Published) at /log/,
// so that 'canvass verify' can check the record from this server.
func (q *req) publishedLog() error {
	if q.s.opts.Published == "" {
		return &httpError{status: http.StatusNotFound, msg: "this server does not serve the published record; see the verify page for where it is published"}
	}
	q.rw.Header().Set("Cache-Control", "no-cache")
	http.StripPrefix("/log/", http.FileServer(http.Dir(q.s.opts.Published))).ServeHTTP(q.rw, q.r)
	return nil
}
