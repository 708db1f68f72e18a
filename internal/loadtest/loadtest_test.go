package loadtest

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/internal/pgtest"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/web"
	"github.com/canvass-vote/canvass/workspace"

	_ "github.com/canvass-vote/canvass/cvr/csvcvr"
)

// EnvLoad names the environment variable that runs the full load of docs/PERFORMANCE.md (200
// readers, 50 boards) for the duration it gives, e.g. CANVASS_LOAD=60s (make load). Without it
// the suite runs a short load: 3 seconds, 20 readers, 5 boards.
const EnvLoad = "CANVASS_LOAD"

// wecCSV is the Wisconsin Elections Commission's ward-by-ward report of the 2020 presidential
// election after the recount: the public pages' results.
const wecCSV = "../../testdata/us2020/wi/wec_wardbyward_president_by_assembly_district_after_recount.csv"

// The audited county: synthetic cast vote records (Alice 60 %, Bob 40 %) in batches of 20
// ballots, so that the retrieval list splits evenly among many boards (each board pulls whole
// batches).
const (
	loadCounty = "LOAD COUNTY"
	loadSeed   = "27182818284590452353"
)

// scale is one load's size.
type scale struct {
	readers, boards int
	ballots         int   // synthetic CVRs
	round           int64 // the audit's first round, draws
	duration        time.Duration
}

func loadScale(t *testing.T) scale {
	s := scale{readers: 20, boards: 5, ballots: 2000, round: 500, duration: 3 * time.Second}
	if v := os.Getenv(EnvLoad); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("%s=%q: give a duration such as 60s", EnvLoad, v)
		}
		s = scale{readers: 200, boards: 50, ballots: 4000, round: 2000, duration: d}
	}
	return s
}

// TestLoad runs public readers and audit boards at once against canvass serve on loopback, on
// SQLite and on PostgreSQL, and then counts: no request failed, and the ledger holds exactly
// one audit.confirm entry per first confirmation acknowledged and one audit.record entry per
// second confirmation acknowledged, no card recorded twice, every recorded card on its
// board's list.
func TestLoad(t *testing.T) {
	sc := loadScale(t)
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			dbURL := ""
			if db == "postgres" {
				dbURL = pgtest.URL(t)
			}
			f := buildFixture(t, dbURL, sc)
			srv := httptest.NewServer(web.New(f.w, web.Options{TempDir: t.TempDir()}))
			defer srv.Close()
			before := ledgerSize(t, f.w)
			rep, err := Run(context.Background(), Config{BaseURL: srv.URL, Readers: sc.readers, Targets: targets(f.audit),
				Boards: f.boards, Duration: sc.duration})
			if err != nil {
				t.Fatal(err)
			}
			logReport(t, db, sc, rep)
			if rep.Errors != 0 || rep.Requests == 0 {
				t.Errorf("%d of %d requests failed: %v", rep.Errors, rep.Requests, rep.Problems)
			}
			if rep.Recorded == 0 {
				t.Errorf("no ballot was recorded")
			}
			for _, tg := range targets(f.audit) {
				if rep.Stat(tg.Kind).N == 0 {
					t.Errorf("no %s was read", tg.Kind)
				}
			}
			checkLedger(t, f, before, rep)
		})
	}
}

// checkLedger counts the entries the run added: one audit.confirm per acknowledged first
// confirmation, one audit.record per acknowledged second one, each card recorded once and on
// the list of the board that recorded it.
func checkLedger(t *testing.T, f *fixture, before uint64, rep *Report) {
	t.Helper()
	ctx := context.Background()
	onList := map[string]string{} // card → board
	for b := 1; b <= len(f.boards); b++ {
		v, err := f.w.AuditBoard(ctx, f.scope(b))
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range v.Ballots {
			onList[x.Card.String()] = v.Board
		}
	}
	confirms, records := 0, map[string]int{}
	err := f.w.Store.View(ctx, func(tx store.Tx) error {
		return tx.Entries(before, 1<<62, func(_ uint64, data []byte) error {
			e, err := ledger.Decode(data)
			if err != nil {
				return err
			}
			var b struct {
				Audit uint64 `json:"audit"`
				Card  struct {
					Jurisdiction string `json:"jurisdiction"`
					Batch        string `json:"batch"`
					Position     int64  `json:"position"`
				} `json:"card"`
				Board string `json:"board"`
			}
			switch e.Type {
			case workspace.TypeAuditConfirm:
				confirms++
			case workspace.TypeAuditRecord:
				if err := json.Unmarshal(e.Body, &b); err != nil {
					return err
				}
				card := audit.Card{Jurisdiction: b.Card.Jurisdiction, Batch: b.Card.Batch, Position: b.Card.Position}.String()
				records[card]++
				if b.Audit != f.audit || onList[card] != b.Board {
					t.Errorf("entry %d records %s (audit %d) by %q; its list is %q's", e.Seq, card, b.Audit, b.Board, onList[card])
				}
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for card, k := range records {
		n += k
		if k != 1 {
			t.Errorf("%s recorded %d times", card, k)
		}
	}
	if n != rep.Recorded || confirms != rep.Confirmed {
		t.Errorf("the ledger has %d audit.record and %d audit.confirm entries; the server acknowledged %d and %d", n, confirms, rep.Recorded, rep.Confirmed)
	}
	t.Logf("ledger: %d audit.confirm, %d audit.record entries (%d cards), as acknowledged", confirms, n, len(records))
}

// targets are the public readers' requests: pages and API answers of the results (the state,
// a county), the contests and the audit.
func targets(id uint64) []Target {
	q := func(unit string) string {
		v := url.Values{"contest": {"President"}, "source": {"results"}}
		if unit != "" {
			v.Set("unit", unit)
		}
		return v.Encode()
	}
	return []Target{
		{Kind: "page /", Path: "/"},
		{Kind: "page /results", Path: "/results?" + q("")},
		{Kind: "page /results (county)", Path: "/results?" + q("WI / MILWAUKEE")},
		{Kind: "page /audits/{id}", Path: fmt.Sprintf("/audits/%d", id)},
		{Kind: "api /api/v1/contests", Path: "/api/v1/contests"},
		{Kind: "api /api/v1/results (county)", Path: "/api/v1/results?" + q("WI / DANE")},
		{Kind: "api /api/v1/audits/{id}", Path: fmt.Sprintf("/api/v1/audits/%d", id)},
	}
}

// logReport logs the run as the rows of docs/PERFORMANCE.md's table.
func logReport(t *testing.T, db string, sc scale, rep *Report) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d readers, %d boards, %v: %d requests (%.0f/s), %d errors; %d ballots confirmed, %d recorded (%.1f/s); %d boards finished their list\n",
		db, sc.readers, sc.boards, sc.duration, rep.Requests, float64(rep.Requests)/rep.Elapsed.Seconds(), rep.Errors,
		rep.Confirmed, rep.Recorded, float64(rep.Recorded)/rep.Elapsed.Seconds(), rep.BoardsDone)
	fmt.Fprintf(&b, "| %s | request | n | p50 ms | p95 ms | p99 ms | max ms |\n", db)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }
	for _, s := range rep.Kinds {
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s | %s |\n", db, s.Kind, s.N, ms(s.P50), ms(s.P95), ms(s.P99), ms(s.Max))
	}
	t.Log("\n" + b.String())
}

// fixture is a workspace with the Wisconsin results, the synthetic county's CVRs, a comparison
// audit of them in its first round, and the boards' accounts.
type fixture struct {
	w      *workspace.Workspace
	audit  uint64
	boards []Board
}

func (f *fixture) scope(board int) workspace.Scope {
	return workspace.Scope{Audit: f.audit, Round: 1, Jurisdiction: loadCounty, Board: board, Boards: len(f.boards)}
}

func buildFixture(t *testing.T, db string, sc scale) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	w, err := workspace.Init(ctx, filepath.Join(dir, "ws"), "clerk", workspace.InitOptions{Origin: "load.example/2020", DB: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if _, err := w.ImportResults(ctx, wecCSV, workspace.ImportOptions{Results: results.Options{Format: "wec"}}); err != nil {
		t.Fatal(err)
	}
	cvrs := filepath.Join(dir, "load_county_cvrs.csv")
	if err := writeCVRs(cvrs, sc.ballots); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ImportCVR(ctx, cvrs, workspace.ImportOptions{Format: "csv", Jurisdiction: loadCounty}); err != nil {
		t.Fatal(err)
	}
	v, err := w.AuditStart(ctx, workspace.AuditOptions{Contests: []string{"Mayor"}, Source: "cvr",
		Config: audit.Config{Kind: audit.Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: loadSeed, RoundSize: sc.round}})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{w: w, audit: v.ID, boards: make([]Board, sc.boards)}
	// A cheap hash: RFC 9106's cost is for production, a tenth to half a second each.
	cheap := workspace.Argon2Params{Time: 1, Memory: 64, Threads: 1}
	for b := range f.boards {
		for m := range 2 {
			name := fmt.Sprintf("load-b%d-%c", b+1, 'a'+m)
			na := workspace.NewAccount{Name: name, Role: workspace.RoleAuditBoard, Scope: f.scope(b + 1)}
			if na.PasswordHash, err = workspace.HashPasswordWith("password for "+name, cheap); err != nil {
				t.Fatal(err)
			}
			if _, err := w.CreateAccount(ctx, na); err != nil {
				t.Fatal(err)
			}
			f.boards[b].Members[m] = Member{Name: name, Password: "password for " + name}
		}
	}
	return f
}

// writeCVRs writes n synthetic cast vote records in canvass's CVR CSV: contest Mayor, 60 % for
// Alice and 40 % for Bob, 20 ballots a batch.
func writeCVRs(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	cw.Write([]string{"BallotID", "Precinct", "Tabulator", "Batch", "Mayor: Alice", "Mayor: Bob"})
	for i := range n {
		alice, bob := "1", "0"
		if i%5 >= 3 {
			alice, bob = "0", "1"
		}
		cw.Write([]string{fmt.Sprint(i + 1), fmt.Sprintf("Ward %d", i/2000+1), fmt.Sprintf("T%d", i/2000+1), fmt.Sprint(i/20 + 1), alice, bob})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func ledgerSize(t *testing.T, w *workspace.Workspace) uint64 {
	t.Helper()
	n, err := w.LedgerSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPercentile: nearest rank (the ⌈q·n⌉-th smallest): of 1..100 ms, p50 is 50 ms, p95 95 ms,
// p99 99 ms; of one value, every percentile is that value; of none, 0.
func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.95, 95 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := Percentile(ds, c.q); got != c.want {
			t.Errorf("p%v of 1..100 ms: %v, want %v", c.q*100, got, c.want)
		}
	}
	if got := Percentile(ds[:1], 0.99); got != time.Millisecond {
		t.Errorf("p99 of one value: %v", got)
	}
	if got := Percentile(nil, 0.5); got != 0 {
		t.Errorf("p50 of none: %v", got)
	}
}
