package workspace

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/audit/sampler"
)

// AuditReport is the full report of an audit: its settings, the reported outcomes, every
// round with its measured risks, every sampled card with what the board found, and the hand
// count if there was one.
type AuditReport struct {
	ID              uint64                    `json:"id"`
	Kind            string                    `json:"kind"`
	Method          string                    `json:"method"`
	RiskLimit       float64                   `json:"risk_limit"`
	Seed            string                    `json:"seed"`
	WithReplacement bool                      `json:"with_replacement"`
	Population      int64                     `json:"population"`
	Status          string                    `json:"status"`
	Contests        []AuditReportContest      `json:"contests"`
	Rounds          []RoundView               `json:"rounds"`
	Sample          []AuditReportCard         `json:"sample"`
	HandCount       map[string][]audit.Choice `json:"hand_count,omitempty"`
}

// AuditReportContest is a contest's reported outcome and where its audit stands. An
// instant-runoff contest's reported votes are its ranked count's last round; IRV lists the
// assertions audited, each with its margin, difficulty and measured risk.
type AuditReportContest struct {
	Name      string         `json:"name"`
	Ballots   int64          `json:"ballots"`
	Winners   int            `json:"winners"`
	Reported  []audit.Choice `json:"reported"`
	Risk      float64        `json:"risk"`
	Confirmed bool           `json:"confirmed"`
	IRV       *IRVAudit      `json:"irv,omitempty"`
}

// AuditReportCard is one draw of the sample.
type AuditReportCard struct {
	Draw   int    `json:"draw"`
	Round  int    `json:"round"`
	Ticket string `json:"ticket"`
	Card   string `json:"card"`
	// Found is "yes", "no" (not found) or "" (not yet recorded).
	Found string              `json:"found"`
	Board string              `json:"board,omitempty"`
	Votes map[string][]string `json:"votes,omitempty"`
	CVR   map[string][]string `json:"cvr,omitempty"`
}

// AuditReport builds the report of an audit.
func (w *Workspace) AuditReport(ctx context.Context, id uint64) (*AuditReport, error) {
	v, err := w.AuditStatus(ctx, id)
	if err != nil {
		return nil, err
	}
	a := v.audit
	rep := &AuditReport{ID: id, Kind: v.Kind, Method: v.Method, RiskLimit: a.Config.RiskLimit, Seed: a.Config.Seed,
		WithReplacement: a.Config.WithReplacement, Population: v.Ballots, Status: v.Status, Rounds: v.Rounds, HandCount: a.HandCount}
	for i, c := range a.Contests {
		cs, n := c.Ranked()
		rep.Contests = append(rep.Contests, AuditReportContest{Name: c.Name, Ballots: c.Ballots, Winners: n, Reported: cs,
			Risk: v.Contests[i].Risk, Confirmed: v.Contests[i].Confirmed, IRV: v.Contests[i].IRV})
	}
	round := 0
	for i, d := range a.Draws {
		for round < len(a.Rounds) && int64(i) >= a.Rounds[round].Size {
			round++
		}
		c := AuditReportCard{Draw: i + 1, Round: round + 1, Ticket: sampler.TrimTicket(d.Ticket, 18), Card: d.Card.String(), CVR: d.CVR}
		if r := a.Records[d.Card]; r != nil {
			c.Found, c.Board = "no", r.Board
			if r.Found {
				c.Found, c.Votes = "yes", r.Votes
			}
		}
		rep.Sample = append(rep.Sample, c)
	}
	return rep, nil
}

// WriteAuditReportCSV writes the report as CSV sections, each headed by a line
// "######## NAME ########" (the layout of the Arlo audit report, so the same readers work).
// An audit of an instant-runoff contest adds the sections ASSERTIONS (each assertion with its
// margin, difficulty and latest measured risk) and ASSERTION RISKS (each round's); its
// rankings are written most preferred first, joined by " > ".
func WriteAuditReportCSV(out io.Writer, rep *AuditReport) error {
	cw := csv.NewWriter(out)
	section := func(name string, header []string, rows [][]string) {
		cw.Write([]string{"######## " + name + " ########"})
		cw.Write(header)
		for _, r := range rows {
			cw.Write(r)
		}
		cw.Write([]string{})
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }
	section("AUDIT SETTINGS", []string{"Audit", "Type", "Method", "Risk Limit", "Random Seed", "With Replacement", "Population", "Status"},
		[][]string{{strconv.FormatUint(rep.ID, 10), rep.Kind, rep.Method, f(rep.RiskLimit), rep.Seed, strconv.FormatBool(rep.WithReplacement), strconv.FormatInt(rep.Population, 10), rep.Status}})
	var rows [][]string
	for _, c := range rep.Contests {
		var tally []string
		for _, ch := range c.Reported {
			tally = append(tally, fmt.Sprintf("%s: %d", ch.Name, ch.Votes))
		}
		rows = append(rows, []string{c.Name, strconv.FormatInt(c.Ballots, 10), strconv.Itoa(c.Winners), strings.Join(tally, "; "), f(c.Risk), strconv.FormatBool(c.Confirmed)})
	}
	section("CONTESTS", []string{"Contest", "Ballots", "Winners", "Reported Votes", "Measured Risk", "Confirmed"}, rows)
	rows = nil
	for _, c := range rep.Contests {
		if c.IRV == nil {
			continue
		}
		for _, a := range c.IRV.Assertions {
			rows = append(rows, []string{c.Name, a.Label, a.Type, a.Winner, a.Loser, strings.Join(a.Continuing, "; "), strconv.FormatInt(a.Margin, 10),
				f(a.DilutedMargin), f(a.Difficulty), f(a.Risk), strconv.FormatBool(a.Confirmed)})
		}
	}
	if rows != nil {
		section("ASSERTIONS", []string{"Contest", "Assertion", "Type", "Winner", "Loser", "Continuing", "Margin", "Diluted Margin", "Difficulty", "Measured Risk", "Confirmed"}, rows)
	}
	rows = nil
	for _, r := range rep.Rounds {
		var risks []string
		for _, c := range rep.Contests {
			if p, ok := r.Risk[c.Name]; ok {
				risks = append(risks, fmt.Sprintf("%s: %s", c.Name, f(p)))
			}
		}
		rows = append(rows, []string{strconv.Itoa(r.Number), strconv.FormatInt(r.Size, 10), strconv.FormatBool(r.Ended), strings.Join(risks, "; ")})
	}
	section("ROUNDS", []string{"Round", "Draws (cumulative)", "Ended", "Measured Risk"}, rows)
	rows = nil
	for _, r := range rep.Rounds {
		for _, c := range rep.Contests {
			if c.IRV == nil || r.AssertionRisk[c.Name] == nil {
				continue
			}
			for _, a := range c.IRV.Assertions {
				if p, ok := r.AssertionRisk[c.Name][a.Label]; ok {
					rows = append(rows, []string{strconv.Itoa(r.Number), c.Name, a.Label, f(p)})
				}
			}
		}
	}
	if rows != nil {
		section("ASSERTION RISKS", []string{"Round", "Contest", "Assertion", "Measured Risk"}, rows)
	}
	rows = nil
	votes := func(m map[string][]string) string {
		var parts []string
		for _, c := range rep.Contests {
			if v, ok := m[c.Name]; ok {
				sep := ", "
				if c.IRV != nil {
					sep = " > "
				}
				parts = append(parts, c.Name+": "+strings.Join(v, sep))
			}
		}
		return strings.Join(parts, "; ")
	}
	for _, s := range rep.Sample {
		rows = append(rows, []string{strconv.Itoa(s.Draw), strconv.Itoa(s.Round), s.Ticket, s.Card, s.Found, s.Board, votes(s.Votes), votes(s.CVR)})
	}
	section("SAMPLED BALLOTS", []string{"Draw", "Round", "Ticket Number", "Ballot", "Found", "Audit Board", "Audited Votes", "CVR Votes"}, rows)
	if rep.HandCount != nil {
		rows = nil
		for _, c := range rep.Contests {
			for _, ch := range rep.HandCount[c.Name] {
				rows = append(rows, []string{c.Name, ch.Name, strconv.FormatInt(ch.Votes, 10)})
			}
		}
		section("HAND COUNT", []string{"Contest", "Choice", "Votes"}, rows)
	}
	cw.Flush()
	return cw.Error()
}
