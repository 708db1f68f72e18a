package demo

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/audit"
	_ "github.com/canvass-vote/canvass/cvr/csvcvr" // the synthetic CVRs' format
	"github.com/canvass-vote/canvass/reconcile"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/workspace"
)

// The embedded files of the demonstration election (see README.md for where each comes from).
const (
	WisconsinCountyCanvass = "us2020/wi/wi_county_canvass_before_recount_2020.csv"
	MilwaukeeWards         = "us2020/wi/milwaukee_county_wards_registration_2020.csv"
	WisconsinEstimates     = "us2020/wi/wi_county_registered_voters_2020-10-01_and_acs2018_cvap.csv"
	Wayne                  = "us2020/mi/wayne_2020_president_precinct_with_registration.csv"
	DetroitBoards          = "us2020/mi/detroit_avcbs_by_precinct_nov2020.csv"
	GeorgiaAudit           = "us2020/ga/arlo_audit_report_2020-11-19.csv"
)

// Names of the demo's contests and jurisdictions.
const (
	// CountyCanvassContest is the Wisconsin county canvass before the recount, imported as its
	// own contest so that it is not added to the ward report's "President".
	CountyCanvassContest = "President (Wisconsin county canvass before the recount)"
	// WayneContest is Wayne County's presidential contest, kept apart from Wisconsin's.
	WayneContest = "President (Wayne County, Michigan)"
	// GeorgiaMachineContest is Georgia's machine count, which the hand count audited.
	GeorgiaMachineContest = "Presidential Electors"
	// AuditCounty is the Wisconsin county whose synthetic CVRs the demo's comparison audit
	// samples.
	AuditCounty = "ADAMS"
	// AuditSeed is the demo audit's seed (20 decimal digits, as from dice).
	AuditSeed = "31415926535897932384"
)

// The candidates as the Wisconsin ward report names them; the other files' columns are named
// so on import.
const (
	biden = "Joseph R. Biden / Kamala D. Harris"
	trump = "Donald J. Trump / Michael R. Pence"
)

// Built says what Build made.
type Built struct {
	Dir       string
	Workspace *workspace.Workspace
	// WisconsinRecount and GeorgiaHandCount are the recounts' ids; Audit the audit's.
	WisconsinRecount uint64
	GeorgiaHandCount uint64
	Audit            uint64
	// Steps lists what was done, one line each, for the terminal.
	Steps []string
	// Logins are the demo's accounts with their passwords (made anew for each demo).
	Logins []Login
}

// Login is a demo account.
type Login struct {
	Name, Password, Role, What string
}

// Build makes the demonstration workspace in dir from the embedded 2020 data:
//
//   - Wisconsin: the Elections Commission's ward report after the recount (contest President),
//     the county canvass before it, and the recount of Milwaukee and Dane entered from the
//     ward report and finished; Milwaukee's ward table and the county registration with the
//     census estimates;
//   - Michigan: Wayne County's precinct table with registration, and Detroit's counting-board
//     mapping;
//   - Georgia: the hand count of the 2020 risk-limiting audit compared, as a recount, with the
//     machine count it audited;
//   - a ballot-comparison audit of President on synthetic cast vote records of Adams County,
//     one per vote of its ward totals, started with its first round drawn.
func Build(ctx context.Context, dir, actor string) (*Built, error) {
	return BuildWith(ctx, dir, actor, "")
}

// BuildWith is Build with the workspace's database: "" for the embedded SQLite file, or a
// PostgreSQL URL (workspace.InitOptions.DB).
func BuildWith(ctx context.Context, dir, actor, db string) (*Built, error) {
	w, err := workspace.Init(ctx, dir, actor, workspace.InitOptions{Origin: "demo.canvass.example/2020-general", DB: db})
	if err != nil {
		return nil, err
	}
	b := &Built{Dir: dir, Workspace: w}
	err = b.build(ctx)
	if err != nil {
		w.Close()
		return nil, err
	}
	return b, nil
}

func (b *Built) step(format string, args ...any) {
	b.Steps = append(b.Steps, fmt.Sprintf(format, args...))
}

func (b *Built) build(ctx context.Context) error {
	w := b.Workspace
	src := filepath.Join(b.Dir, "sources")
	file := func(name string) (string, error) { return Extract(name, src) }
	paths := map[string]string{}
	for _, name := range []string{WisconsinWards, WisconsinCountyCanvass, MilwaukeeWards, WisconsinEstimates, Wayne, DetroitBoards, GeorgiaAudit} {
		p, err := file(name)
		if err != nil {
			return err
		}
		paths[name] = p
	}

	// Wisconsin.
	rep, err := w.ImportResults(ctx, paths[WisconsinWards], workspace.ImportOptions{Results: results.Options{Format: "wec"}})
	if err != nil {
		return err
	}
	b.step("Wisconsin ward report after the recount: %d result rows", rep.File.Records)
	if _, err := w.RecordTabulation(ctx, "President", "results", canvass.LevelCounty); err != nil {
		return err
	}
	if _, err := w.ImportResults(ctx, paths[WisconsinCountyCanvass], workspace.ImportOptions{Results: results.Options{Format: "wide",
		Contest: CountyCanvassContest, Skip: []string{"diff", "per_gop", "per_dem", "per_point_diff"},
		Rename: map[string]string{"votes_dem": biden, "votes_gop": trump}}}); err != nil {
		return err
	}
	if b.WisconsinRecount, err = w.RecountStart(ctx, workspace.RecountOptions{Contest: CountyCanvassContest, State: "WI",
		Jurisdictions: []string{"Milwaukee", "Dane"}, Reason: "petition of the Trump campaign, 2020-11-18; Wis. Stat. § 9.01"}); err != nil {
		return err
	}
	if _, err := w.RecountEnter(ctx, workspace.RecountEntry{File: paths[WisconsinWards], Results: results.Options{Format: "wec"},
		Choices: map[string]string{"*": ""},
		Note:    "the Elections Commission's ward report after the recount"}); err != nil {
		return err
	}
	rr, err := w.RecountFinish(ctx, b.WisconsinRecount, "county boards of canvassers, 2020-11-29")
	if err != nil {
		return err
	}
	b.step("Wisconsin recount of Milwaukee and Dane: margin %d → %d (%+d)", rr.Comparison.Margin.Before, rr.Comparison.Margin.After, rr.Comparison.Margin.Change)
	for _, u := range []struct{ name, format string }{{MilwaukeeWards, workspace.UnitsMilwaukeeWards}, {WisconsinEstimates, workspace.UnitsCountyEstimates}} {
		if _, err := w.ImportRegistration(ctx, paths[u.name], workspace.RegistrationOptions{Format: u.format}); err != nil {
			return err
		}
	}
	b.step("Wisconsin registration: Milwaukee County's ward table; county lists of 2020-10-01 with census estimates")

	// Michigan.
	if _, err := w.ImportResults(ctx, paths[Wayne], workspace.ImportOptions{Results: results.Options{Format: "wide", State: "MI", County: "Wayne",
		Contest: WayneContest, Rename: map[string]string{"biden_dem": biden, "trump_rep": trump, "jorgensen_lib": "Jo Jorgensen / Jeremy Spike Cohen",
			"blankenship_ust": "Don Blankenship / William Mohr", "hawkins_grn": "Howie Hawkins / Angela Walker", "delafuente_nlp": "Rocky De La Fuente / Darcy Richardson",
			"unresolved_writein": "Write-ins (unresolved)"}}}); err != nil {
		return err
	}
	if _, err := w.ImportRegistration(ctx, paths[DetroitBoards], workspace.RegistrationOptions{Format: workspace.UnitsMapping,
		Within: reconcile.Unit{Jurisdiction: "Wayne", Municipality: "City of Detroit"}}); err != nil {
		return err
	}
	b.step("Wayne County precinct table with registration; Detroit's 134 absentee counting boards mapped to their precincts")

	// Georgia.
	machine, err := georgiaMachineCount(paths[GeorgiaAudit], src)
	if err != nil {
		return err
	}
	if _, err := w.ImportResults(ctx, machine, workspace.ImportOptions{Results: results.Options{Format: "canvass"}}); err != nil {
		return err
	}
	if b.GeorgiaHandCount, err = w.RecountStart(ctx, workspace.RecountOptions{Contest: GeorgiaMachineContest, Level: canvass.LevelState,
		State: "GA", Jurisdictions: []string{"GA"}, Reason: "the 2020 risk-limiting audit: a full hand count of every county"}); err != nil {
		return err
	}
	if _, err := w.RecountEnter(ctx, workspace.RecountEntry{File: paths[GeorgiaAudit], Results: results.Options{Format: "arlo"},
		Note: "the hand tallies of 41,881 batches, from the audit's Arlo report"}); err != nil {
		return err
	}
	gr, err := w.RecountFinish(ctx, b.GeorgiaHandCount, "Secretary of State's audit report, 2020-11-19")
	if err != nil {
		return err
	}
	b.step("Georgia hand count against the machine count: margin %d → %d (%+d)", gr.Comparison.Margin.Before, gr.Comparison.Margin.After, gr.Comparison.Margin.Change)

	// A comparison audit on synthetic CVRs of one county.
	cvrs, n, err := wardCVRs(paths[WisconsinWards], AuditCounty, src)
	if err != nil {
		return err
	}
	if _, err := w.ImportCVR(ctx, cvrs, workspace.ImportOptions{Format: "csv", Jurisdiction: AuditCounty}); err != nil {
		return err
	}
	view, err := w.AuditStart(ctx, workspace.AuditOptions{Contests: []string{"President"}, Source: "cvr",
		Config: audit.Config{Kind: audit.Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: AuditSeed}})
	if err != nil {
		return err
	}
	b.Audit = view.ID
	b.step("Adams County: %d synthetic cast vote records, one per vote of its ward totals; comparison audit %d started (risk limit 5%%, seed %s)", n, b.Audit, AuditSeed)
	return b.accounts(ctx)
}

// accounts makes the demo's accounts, each with a new random password: a state administrator,
// Adams County's clerk, and the two members of Adams County's audit board for round 1.
func (b *Built) accounts(ctx context.Context) error {
	board := workspace.Scope{Audit: b.Audit, Round: 1, Jurisdiction: AuditCounty, Board: 1, Boards: 1}
	for _, l := range []struct {
		name, role, what string
		scope            workspace.Scope
	}{
		{"state-admin", workspace.RoleStateAdmin, "state administrator: imports, audits, recounts, certification, accounts", workspace.Scope{}},
		{"adams-clerk", workspace.RoleJurisdictionAdmin, "Adams County clerk: Adams County's imports and audit boards", workspace.Scope{Jurisdictions: []string{AuditCounty}}},
		{"adams-board-a", workspace.RoleAuditBoard, "Adams County audit board 1, round 1, first member", board},
		{"adams-board-b", workspace.RoleAuditBoard, "Adams County audit board 1, round 1, second member", board},
	} {
		pw := password()
		if _, err := b.Workspace.CreateAccount(ctx, workspace.NewAccount{Name: l.name, Role: l.role, Scope: l.scope, Password: pw}); err != nil {
			return err
		}
		b.Logins = append(b.Logins, Login{Name: l.name, Password: pw, Role: l.role, What: l.what})
	}
	return nil
}

// password is a new random password: 16 letters and digits (about 83 bits).
func password() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	var b [16]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// georgiaMachineCount writes the machine count of the Arlo report's first contest as a results
// file in canvass's long CSV (one statewide row per choice) and returns its path.
func georgiaMachineCount(report, dir string) (string, error) {
	f, err := os.Open(report)
	if err != nil {
		return "", err
	}
	defer f.Close()
	rep, err := results.ReadArloReport(f, report)
	if err != nil {
		return "", err
	}
	if len(rep.Contests) == 0 {
		return "", fmt.Errorf("%s: no contest", report)
	}
	c := rep.Contests[0]
	p := filepath.Join(dir, "us2020", "ga", "georgia_machine_count_2020.csv")
	out, err := os.Create(p)
	if err != nil {
		return "", err
	}
	cw := csv.NewWriter(out)
	cw.Write([]string{"state", "contest", "choice", "votes"})
	for _, v := range c.TabulatedVotes {
		cw.Write([]string{rep.ElectionInfo.State, GeorgiaMachineContest, v.Choice, fmt.Sprint(v.Votes)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		out.Close()
		return "", err
	}
	return p, out.Close()
}

// wardCVRs writes synthetic cast vote records of one county of the ward report, in canvass's
// generic CVR CSV: one ballot per vote of each ward's totals, batches of at most 250 ballots
// per ward, so that the CVRs tabulated by precinct give the ward totals exactly.
func wardCVRs(wardReport, county, dir string) (string, int, error) {
	r, err := results.Open(wardReport, results.Options{Format: "wec"})
	if err != nil {
		return "", 0, err
	}
	defer r.Close()
	type ward struct {
		name  string
		votes map[string]int64
	}
	var wards []*ward
	at := map[string]*ward{}
	var choices []string
	seen := map[string]bool{}
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", 0, err
		}
		if row.Stat != "" || row.Mode != "" || canvass.NameKey(row.Unit.County) != canvass.NameKey(county) {
			continue
		}
		name := strings.TrimSpace(row.Unit.Precinct)
		wd := at[name]
		if wd == nil {
			wd = &ward{name: name, votes: map[string]int64{}}
			at[name] = wd
			wards = append(wards, wd)
		}
		wd.votes[row.Choice] += row.Votes
		if !seen[row.Choice] {
			seen[row.Choice] = true
			choices = append(choices, row.Choice)
		}
	}
	if len(wards) == 0 {
		return "", 0, fmt.Errorf("%s: no ward of %s", wardReport, county)
	}
	sort.SliceStable(wards, func(i, j int) bool { return wards[i].name < wards[j].name })
	p := filepath.Join(dir, "synthetic", strings.ToLower(county)+"_cvrs.csv")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", 0, err
	}
	f, err := os.Create(p)
	if err != nil {
		return "", 0, err
	}
	cw := csv.NewWriter(f)
	fmt.Fprintf(f, "# Synthetic cast vote records of %s County, Wisconsin, 2020: one ballot per vote of the\n# Elections Commission's ward totals (canvass demo; not real ballots)\n", county)
	hdr := []string{"BallotID", "Precinct", "Tabulator", "Batch"}
	for _, c := range choices {
		hdr = append(hdr, "President: "+strings.ReplaceAll(c, ": ", " - "))
	}
	cw.Write(hdr)
	rec := make([]string, len(hdr))
	n := 0
	for wi, wd := range wards {
		k := 0
		for ci, c := range choices {
			for v := int64(0); v < wd.votes[c]; v++ {
				batch := k/250 + 1
				rec[0] = fmt.Sprintf("%d-%d-%d", wi+1, batch, k%250+1)
				rec[1], rec[2], rec[3] = wd.name, fmt.Sprintf("T%d", wi+1), fmt.Sprint(batch)
				for j := range choices {
					rec[4+j] = "0"
				}
				rec[4+ci] = "1"
				cw.Write(rec)
				k++
				n++
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		f.Close()
		return "", 0, err
	}
	return p, n, f.Close()
}
