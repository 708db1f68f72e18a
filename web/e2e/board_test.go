package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/canvass-vote/canvass/demo"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/workspace"
)

// expectedRisk is the Kaplan-Markov risk of the demo's audit after its first round, every card
// read as its CVR (no discrepancy), by the formula of Stark, "Super-simple simultaneous
// single-ballot risk-limiting audits" (2010), and Lindeman & Stark, "A Gentle Introduction to
// Risk-limiting Audits" (2012): P = (1 − 1/U)^n with U = 2γ/μ, γ = 1.03905, μ the diluted
// margin. Adams County's CVRs (one per vote of its WEC ward totals): Trump 7,362, Biden 4,329
// of 11,818 ballots, so μ = 3,033/11,818 = 0.256642, U = 8.09726, and after n = 27 draws
// P = (0.876501)^27 = 0.02847 (python3: (1-1/(2*1.03905/(3033/11818)))**27 = 0.0284656),
// shown to 4 significant digits.
const expectedRisk = "0.02847"

// TestAuditBoardRecordsAndRiskUpdates: in Adams County's comparison audit, the board's first
// member opens ballot 1 of the board's list, marks the choice the paper shows (with the
// keyboard), reviews and confirms it: nothing is recorded yet (an audit.confirm entry). The
// second member, signed in on another browser, sees that reading, confirms it, and the ballot
// is recorded (an audit.record entry); the public audit page counts it. The board then records
// the round's other ballots through the API, the state administrator ends the round on the
// officials' page, and the public audit page shows the measured risk, 0.02847 (expectedRisk),
// plotted against the ballots sampled, the contest confirmed.
func TestAuditBoardRecordsAndRiskUpdates(t *testing.T) {
	s := demoSite(t)
	ctx := context.Background()
	id := s.b.Audit
	view, err := s.w.AuditBoard(ctx, workspace.Scope{Audit: id, Round: 1, Jurisdiction: demo.AuditCounty, Board: 1, Boards: 1})
	if err != nil {
		t.Fatal(err)
	}
	draws, _, err := s.w.AuditSample(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	// The paper: the demo's synthetic ballots are exactly their cast vote records.
	paper := map[string][]string{}
	for _, d := range draws {
		paper[d.Card.String()] = d.CVR["President"]
	}
	cards := len(view.Ballots)
	if len(draws) != 27 || cards != 27 || len(view.Contests) != 1 || view.Contests[0].Name != "President" {
		t.Fatalf("the demo's first round: %d draws, %d cards on the board's list, contests %v", len(draws), cards, view.Contests)
	}
	first := view.Ballots[0]
	marked := paper[first.Card.String()]
	if len(marked) != 1 {
		t.Fatalf("ballot 1 (%s) reads %q", first.Card, marked)
	}
	auditPage := fmt.Sprintf("/audits/%d", id)

	public := newTab(t, s)
	public.open(auditPage)
	if p := public.text(`label[for="round-progress"]`); p != "0 of 27 sampled cards recorded" {
		t.Errorf("before any reading, the public page says %q", p)
	}
	if r := riskShown(public); r != "1" {
		t.Errorf("before any round ended, the measured risk shown is %q", r)
	}
	public.shoot("audit-round-open")

	// The first member reads ballot 1.
	a := newTab(t, s)
	if home := a.signIn("adams-board-a"); home != "/board" {
		t.Errorf("a board member lands on %s", home)
	}
	a.shoot("board", phoneW)
	a.follow(`//main//a[normalize-space()="Go to ballot 1"]`)
	if p := a.path(); p != "/board/ballots/1" {
		t.Fatalf("the board's first ballot is at %s", p)
	}
	where := a.text("dl.ballot-where")
	if first.ImprintedID == "" || !strings.Contains(where, "Imprinted ID\n"+first.ImprintedID) || !strings.Contains(where, "Tabulator\n"+first.Tabulator) {
		t.Errorf("ballot 1 is %s, the page says %q", first.Card, where)
	}
	a.shoot("board-ballot", phoneW, desktopW)
	box := chromedp.CSS(fmt.Sprintf(`input[name="c0"][value=%q]`, marked[0]))
	if err := a.do(chromedp.Focus(box), chromedp.KeyEvent(" ")); err != nil {
		t.Fatalf("marking %s with the keyboard: %v", marked[0], err)
	}
	if !eval[bool](a, fmt.Sprintf(`document.querySelector(%q).checked`, string(box))) {
		t.Fatalf("the space bar did not mark %s", marked[0])
	}
	a.follow(`//main//button[normalize-space()="Review"]`)
	if r := a.text("main ul"); r != "President: "+marked[0] {
		t.Errorf("the review shows %q", r)
	}
	a.shoot("board-review")
	before := ledgerSize(t, s.w)
	a.follow(`//main//button[normalize-space()="Confirm this reading"]`)
	es := entriesFrom(t, s.w, before)
	if len(es) != 1 || es[0].Type != workspace.TypeAuditConfirm || es[0].Actor != "adams-board-a" {
		t.Fatalf("the first member's confirmation made %v", types(es))
	}
	public.open(auditPage)
	if p := public.text(`label[for="round-progress"]`); p != "0 of 27 sampled cards recorded" {
		t.Errorf("after one member's confirmation the public page says %q", p)
	}

	// The second member confirms the same reading.
	b := newTab(t, s)
	b.signIn("adams-board-b")
	b.open("/board/ballots/1")
	note := b.text("main div.note")
	if !strings.Contains(note, "adams-board-a read this ballot as:") || !strings.Contains(note, "President: "+marked[0]) {
		t.Errorf("the second member sees %q", note)
	}
	b.shoot("board-second-member", phoneW)
	before = ledgerSize(t, s.w)
	b.follow(`//main//button[normalize-space()="I read it the same way: confirm"]`)
	es = entriesFrom(t, s.w, before)
	if len(es) != 1 || es[0].Type != workspace.TypeAuditRecord || es[0].Actor != "adams-board-b" {
		t.Fatalf("the second member's confirmation made %v", types(es))
	}
	var rec struct {
		Card struct {
			Batch    string `json:"batch"`
			Position int64  `json:"position"`
		} `json:"card"`
		Votes map[string][]string `json:"votes"`
	}
	if err := json.Unmarshal(es[0].Body, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Card.Batch != first.Card.Batch || rec.Card.Position != first.Card.Position || strings.Join(rec.Votes["President"], ";") != marked[0] {
		t.Errorf("recorded %+v, not ballot 1 (%s) read as %s", rec, first.Card, marked[0])
	}
	b.open("/board")
	if l := b.text("main p.lead"); !strings.Contains(l, "1 of 27 ballots recorded") {
		t.Errorf("the board's page says %q", l)
	}
	public.open(auditPage)
	if p := public.text(`label[for="round-progress"]`); p != "1 of 27 sampled cards recorded" {
		t.Errorf("after the ballot is recorded the public page says %q", p)
	}
	if r := riskShown(public); r != "1" {
		t.Errorf("before the round ended, the measured risk shown is %q", r)
	}

	// The rest of the round through the API, each ballot read as its paper says.
	ma, mb := apiSignIn(t, s, "adams-board-a"), apiSignIn(t, s, "adams-board-b")
	for n := 2; n <= cards; n++ {
		rd := map[string]any{"found": true, "votes": map[string][]string{"President": paper[view.Ballots[n-1].Card.String()]}}
		for i, m := range []*apiClient{ma, mb} {
			var out struct {
				Recorded bool `json:"recorded"`
			}
			if st := m.post(fmt.Sprintf("/api/v1/board/ballots/%d/confirm", n), rd, &out); st != http.StatusOK || out.Recorded != (i == 1) {
				t.Fatalf("ballot %d, member %d: %d, recorded %v", n, i+1, st, out.Recorded)
			}
		}
	}

	// The state administrator ends the round.
	admin := newTab(t, s)
	admin.signIn("state-admin")
	admin.open(fmt.Sprintf("/admin/audits/%d", id))
	before = ledgerSize(t, s.w)
	admin.follow(`//main//button[normalize-space()="End the round: measure the risk"]`)
	if es := entriesFrom(t, s.w, before); len(es) != 1 || es[0].Type != workspace.TypeAuditRisk {
		t.Errorf("ending the round made %v", types(es))
	}
	admin.shoot("admin-audit", desktopW)

	public.open(auditPage)
	if r := riskShown(public); r != expectedRisk {
		t.Errorf("after round 1 the measured risk shown is %q, want %s", r, expectedRisk)
	}
	if c := public.text(`table[aria-describedby="contests"] tbody td:last-child`); !strings.HasPrefix(c, "Yes") {
		t.Errorf("the contest's confirmation: %q", c)
	}
	if !eval[bool](public, `document.querySelector("figure.plot svg polyline") !== null && document.querySelector("figure.plot svg line.limit") !== null`) {
		t.Error("the page has no plot of the risk and the limit")
	}
	if dot := eval[string](public, `(document.querySelector("figure.plot svg title") || {}).textContent || ""`); !strings.Contains(dot, "risk "+expectedRisk+" after 27 draws") {
		t.Errorf("the plot's point says %q", dot)
	}
	if rows := eval[int](public, `document.querySelectorAll("table[aria-describedby=sample] tbody tr").length`); rows != 27 {
		t.Errorf("the public page lists %d sampled ballots of the ended round", rows)
	}
	public.shoot("audit", phoneW, desktopW)
}

// riskShown is the measured risk in the audit page's table of contests.
func riskShown(tb *tab) string {
	return tb.text(`table[aria-describedby="contests"] tbody td.n`)
}

// entriesFrom returns the ledger's entries from seq on.
func entriesFrom(t *testing.T, w *workspace.Workspace, from uint64) []*ledger.Entry {
	t.Helper()
	es, err := w.Entries(context.Background(), from)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func types(es []*ledger.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Type+" by "+e.Actor)
	}
	return out
}

// apiClient is a signed-in client of the JSON API.
type apiClient struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func apiSignIn(t *testing.T, s *site, name string) *apiClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &apiClient{t: t, base: s.srv.URL, c: &http.Client{Jar: jar}}
	var out struct {
		CSRF string `json:"csrf"`
	}
	if st := c.post("/api/v1/session", map[string]string{"name": name, "password": s.logins[name]}, &out); st != http.StatusOK {
		t.Fatalf("signing %s in: %d", name, st)
	}
	c.csrf = out.CSRF
	return c
}

// post sends JSON and decodes the JSON answer into out.
func (c *apiClient) post(path string, in, out any) int {
	c.t.Helper()
	b, _ := json.Marshal(in)
	req, err := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(b))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		c.t.Fatalf("POST %s: %d, %v", path, resp.StatusCode, err)
	}
	return resp.StatusCode
}
