package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/workspace"

	_ "github.com/canvass-vote/canvass/cvr/csvcvr"
	_ "github.com/canvass-vote/canvass/cvr/dominion"
)

// The fixtures are public records: the Wisconsin Elections Commission's ward-by-ward report of
// the 2020 presidential election (after the recount), and a sample of San Francisco's
// November 2020 Dominion CVR export (123 cards in 2 batches), audited by comparison.
const (
	wecCSV  = "../testdata/us2020/wi/wec_wardbyward_president_by_assembly_district_after_recount.csv"
	sfDir   = "../testdata/cvr/dominion-kuriwaki"
	alcona  = "../testdata/us2020/mi/openelections_precinct/20201103__mi__general__alcona__precinct.csv"
	seed20  = "31415926535897932384"
	sfJur   = "San Francisco"
	biden   = "Joseph R. Biden / Kamala D. Harris"
	trump   = "Donald J. Trump / Michael R. Pence"
	sfBoard = "San Francisco Audit Board "
)

// fixture is a workspace with the Wisconsin results, the San Francisco CVRs, a comparison
// audit of San Francisco's presidential contest in its first round, and accounts of every
// role (password "password for NAME").
type fixture struct {
	w       *workspace.Workspace
	audit   uint64
	contest string
}

var shared struct {
	once sync.Once
	dir  string
	f    *fixture
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.f != nil {
		shared.f.w.Close()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// sharedFixture is built once; tests that change it touch only their own parts (a board of
// their own, refused requests that change nothing). Each test serves it with its own server,
// so that sign-in limits and idle times are its own.
func sharedFixture(t *testing.T) *fixture {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "canvass-web-test-*")
		if shared.err == nil {
			shared.f, shared.err = buildFixture(shared.dir, true)
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.f
}

func buildFixture(dir string, withWisconsin bool) (*fixture, error) {
	ctx := context.Background()
	w, err := workspace.Init(ctx, filepath.Join(dir, "ws"), "clerk", workspace.InitOptions{Origin: "elections.example.gov/2020-general"})
	if err != nil {
		return nil, err
	}
	f := &fixture{w: w}
	if withWisconsin {
		if _, err := w.ImportResults(ctx, wecCSV, workspace.ImportOptions{Results: results.Options{Format: "wec"}}); err != nil {
			return nil, err
		}
	}
	sf := filepath.Join(dir, "sf")
	if err := os.MkdirAll(sf, 0o755); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(sfDir)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if n := e.Name(); strings.HasSuffix(n, ".json") && n != "CvrExport_AZ-999.json" {
			b, err := os.ReadFile(filepath.Join(sfDir, n))
			if err != nil {
				return nil, err
			}
			if err := os.WriteFile(filepath.Join(sf, n), b, 0o644); err != nil {
				return nil, err
			}
		}
	}
	if _, err := w.ImportCVR(ctx, sf, workspace.ImportOptions{Jurisdiction: sfJur}); err != nil {
		return nil, err
	}
	res, err := w.Tabulate(ctx, workspace.TabulateOptions{})
	if err != nil {
		return nil, err
	}
	for _, c := range res.Contests {
		if c.Source == "cvr" && strings.HasPrefix(strings.ToLower(c.Name), "president") {
			f.contest = c.Name
		}
	}
	v, err := w.AuditStart(ctx, workspace.AuditOptions{Contests: []string{f.contest}, Config: audit.Config{Kind: audit.Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: seed20}})
	if err != nil {
		return nil, err
	}
	f.audit = v.ID
	board := func(n int) workspace.Scope {
		return workspace.Scope{Audit: v.ID, Round: 1, Jurisdiction: sfJur, Board: n, Boards: 2}
	}
	for _, na := range []workspace.NewAccount{
		{Name: "clerk", Role: workspace.RoleStateAdmin},
		{Name: "dane", Role: workspace.RoleJurisdictionAdmin, Scope: workspace.Scope{Jurisdictions: []string{"Dane"}}},
		{Name: "sf", Role: workspace.RoleJurisdictionAdmin, Scope: workspace.Scope{Jurisdictions: []string{sfJur}}},
		{Name: "sf-b1-ann", Role: workspace.RoleAuditBoard, Scope: board(1)},
		{Name: "sf-b1-bob", Role: workspace.RoleAuditBoard, Scope: board(1)},
		{Name: "sf-b2-cy", Role: workspace.RoleAuditBoard, Scope: board(2)},
		{Name: "sf-b2-dee", Role: workspace.RoleAuditBoard, Scope: board(2)},
	} {
		// A cheap hash (RFC 9106's cost is for production: a tenth to half a second each).
		if na.PasswordHash, err = workspace.HashPasswordWith("password for "+na.Name, workspace.Argon2Params{Time: 1, Memory: 64, Threads: 1}); err != nil {
			return nil, err
		}
		if _, err := w.CreateAccount(ctx, na); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// serve starts a server over the fixture's workspace.
func serve(t *testing.T, f *fixture, opts Options) *httptest.Server {
	t.Helper()
	if opts.TempDir == "" {
		opts.TempDir = t.TempDir()
	}
	srv := httptest.NewServer(New(f.w, opts))
	t.Cleanup(srv.Close)
	return srv
}

// client is a browser: a cookie jar, no redirects followed, and the CSRF token of its session.
type client struct {
	t    *testing.T
	srv  *httptest.Server
	http *http.Client
	csrf string
}

func newClient(t *testing.T, srv *httptest.Server) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, srv: srv, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signIn signs in through the API as name.
func signIn(t *testing.T, srv *httptest.Server, name string) *client {
	t.Helper()
	c := newClient(t, srv)
	st, body := c.json("POST", "/api/v1/session", map[string]string{"name": name, "password": "password for " + name})
	if st != http.StatusOK {
		t.Fatalf("sign in %s: %d %v", name, st, body)
	}
	c.csrf = body["csrf"].(string)
	return c
}

// do sends a request; header values override the defaults.
func (c *client) do(method, path string, body io.Reader, header map[string]string) *http.Response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// json sends JSON (with the session's CSRF token) and decodes the JSON answer.
func (c *client) json(method, path string, in any) (int, map[string]any) {
	c.t.Helper()
	var body io.Reader
	h := map[string]string{"Accept": "application/json"}
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
		h["Content-Type"] = "application/json"
	}
	if c.csrf != "" {
		h["X-CSRF-Token"] = c.csrf
	}
	resp := c.do(method, path, body, h)
	text := readAll(c.t, resp)
	var out map[string]any
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		c.t.Fatalf("%s %s: %d, not JSON: %.300s", method, path, resp.StatusCode, text)
	}
	return resp.StatusCode, out
}

// form posts an URL-encoded form with the session's CSRF token.
func (c *client) form(path string, v url.Values) (*http.Response, string) {
	c.t.Helper()
	v = url.Values(maps.Clone(v))
	if c.csrf != "" && v.Get("csrf") == "" {
		v.Set("csrf", c.csrf)
	}
	resp := c.do("POST", path, strings.NewReader(v.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	return resp, readAll(c.t, resp)
}

// upload posts a multipart form: the CSRF field first (as the pages' forms do), the fields,
// then the file.
func (c *client) upload(path string, fields map[string]string, fileField, fileName string, content []byte, header map[string]string, csrfField bool) (int, string) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if csrfField {
		mw.WriteField("csrf", c.csrf)
	}
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if fileField != "" {
		fw, _ := mw.CreateFormFile(fileField, fileName)
		fw.Write(content)
	}
	mw.Close()
	h := map[string]string{"Content-Type": mw.FormDataContentType()}
	for k, v := range header {
		h[k] = v
	}
	resp := c.do("POST", path, &buf, h)
	return resp.StatusCode, readAll(c.t, resp)
}

// ledgerSize is the number of ledger entries.
func ledgerSize(t *testing.T, w *workspace.Workspace) uint64 {
	t.Helper()
	n, err := w.LedgerSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// entries returns the ledger entries from seq on.
func entries(t *testing.T, w *workspace.Workspace, from uint64) []*ledger.Entry {
	t.Helper()
	es, err := w.Entries(context.Background(), from)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestPublicResults: the public results of Wisconsin's 2020 presidential election, drilled
// down from the state to a county and a ward, agree with the official figures: the WEC's
// statewide totals after the recount (Biden 1,630,866, Trump 1,610,184), Adams County as the
// compiled county results give it (testdata/us2020/national/county_presidential_results_2020.csv:
// Trump 7,362, Biden 4,329, 11,818 votes), and the WEC's row for the Town of Adams, Wards 1-3
// (Biden 263, Trump 465). The 72 counties page by page with cursors, each once.
func TestPublicResults(t *testing.T) {
	f := sharedFixture(t)
	c := newClient(t, serve(t, f, Options{}))
	st, body := c.json("GET", "/api/v1/results?contest=President&source=results&limit=10", nil)
	if st != http.StatusOK {
		t.Fatalf("%d %v", st, body)
	}
	votes := func(u map[string]any) map[string]int64 {
		out := map[string]int64{}
		for _, ch := range u["choices"].([]any) {
			m := ch.(map[string]any)
			out[m["name"].(string)] = int64(m["votes"].(float64))
		}
		return out
	}
	con := body["contest"].(map[string]any)
	if v := votes(con["totals"].(map[string]any)); v[biden] != 1630866 || v[trump] != 1610184 {
		t.Errorf("statewide %v", v)
	}
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		items := body["items"].([]any)
		for _, it := range items {
			u := it.(map[string]any)["unit"].(string)
			if seen[u] {
				t.Errorf("county %s twice", u)
			}
			seen[u] = true
		}
		next, _ := body["next_cursor"].(string)
		if next == "" || pages > 10 {
			break
		}
		if next == cursor {
			t.Fatal("the cursor does not advance")
		}
		cursor = next
		_, body = c.json("GET", "/api/v1/results?contest=President&source=results&limit=10&cursor="+next, nil)
	}
	if len(seen) != 72 || int(body["total"].(float64)) != 72 {
		t.Errorf("%d counties seen, total %v", len(seen), body["total"])
	}
	_, body = c.json("GET", "/api/v1/results?"+url.Values{"contest": {"President"}, "source": {"results"}, "unit": {"WI / ADAMS"}}.Encode(), nil)
	adams := body["contest"].(map[string]any)
	if v := votes(adams["totals"].(map[string]any)); v[trump] != 7362 || v[biden] != 4329 || int64(adams["totals"].(map[string]any)["votes"].(float64)) != 11818 {
		t.Errorf("Adams County %v", v)
	}
	var ward string
	for _, it := range body["items"].([]any) {
		if u := it.(map[string]any)["unit"].(string); strings.HasSuffix(u, "Town of ADAMS Wards 1-3") {
			ward = u
		}
	}
	if ward == "" {
		t.Fatalf("no Town of ADAMS Wards 1-3 among Adams County's units: %v", body["items"])
	}
	_, body = c.json("GET", "/api/v1/results?"+url.Values{"contest": {"President"}, "source": {"results"}, "unit": {ward}}.Encode(), nil)
	if v := votes(body["contest"].(map[string]any)["totals"].(map[string]any)); v[biden] != 263 || v[trump] != 465 {
		t.Errorf("%s: %v", ward, v)
	}
	// The pages: the state's figures, a link to the county, the county's link to the ward,
	// and the path back.
	page := readAll(t, c.do("GET", "/results?contest=President&source=results", nil, nil))
	if !strings.Contains(page, "1,630,866") || !strings.Contains(page, `unit=WI&#43;%2F&#43;ADAMS"`) || !strings.Contains(page, "✓ Winner") {
		t.Errorf("state page lacks the total, the county link or the winner")
	}
	page = readAll(t, c.do("GET", "/results?"+url.Values{"contest": {"President"}, "source": {"results"}, "unit": {"WI / ADAMS"}}.Encode(), nil, nil))
	if !strings.Contains(page, "7,362") || !strings.Contains(page, "Town of ADAMS Wards 1-3") || !strings.Contains(page, `aria-current="page">ADAMS<`) {
		t.Errorf("county page lacks Adams' figures, its wards or its place in the path")
	}
	if resp := c.do("GET", "/results?contest=President&unit=nowhere", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown unit: %d", resp.StatusCode)
	}
}

// policy is the access rule stated independently of the route table: who may reach a route.
func policy(method, path string) []string {
	state := workspace.RoleStateAdmin
	switch {
	case path == "/logout" || path == "/account" || path == "/account/password" || path == "/api/v1/account/password" ||
		path == "/api/v1/session" && method != "POST":
		return []string{signedIn}
	case strings.HasPrefix(path, "/board") || strings.HasPrefix(path, "/api/v1/board"):
		return []string{workspace.RoleAuditBoard}
	case path == "/admin/audits/new" || path == "/admin/certify" || strings.HasPrefix(path, "/admin/recounts") ||
		method == "POST" && strings.HasPrefix(path, "/api/v1/recounts") || strings.HasSuffix(path, "/end-round") || strings.HasSuffix(path, "/escalate") ||
		method == "POST" && (path == "/admin/audits" || path == "/api/v1/audits" || path == "/api/v1/certifications"):
		return []string{state}
	case strings.HasPrefix(path, "/admin") || path == "/api/v1/files" || path == "/api/v1/imports" || strings.HasPrefix(path, "/api/v1/accounts") ||
		strings.HasSuffix(path, "/retrieval"):
		return []string{state, workspace.RoleJurisdictionAdmin}
	}
	if method == "GET" || path == "/login" || path == "/api/v1/session" {
		return []string{anyone}
	}
	return nil
}

// TestRouteSecurity: the route table agrees with the access policy stated above, and every
// route refuses every role it must not serve: 401 for the public, 403 for a signed-in account
// of another role, with the request's CSRF token valid so that only authorization refuses it,
// and nothing written to the ledger.
func TestRouteSecurity(t *testing.T) {
	f := sharedFixture(t)
	srv := serve(t, f, Options{})
	clients := map[string]*client{
		"":                              newClient(t, srv),
		workspace.RoleStateAdmin:        signIn(t, srv, "clerk"),
		workspace.RoleJurisdictionAdmin: signIn(t, srv, "dane"),
		workspace.RoleAuditBoard:        signIn(t, srv, "sf-b1-ann"),
	}
	concrete := strings.NewReplacer("{$}", "", "{id}", fmt.Sprint(f.audit), "{n}", "1", "{name}", "sf-b2-cy")
	before := ledgerSize(t, f.w)
	refusals := 0 // the route × role pairs refused
	for _, rt := range Routes() {
		want := policy(rt.Method, strings.ReplaceAll(rt.Path, "{$}", ""))
		if fmt.Sprint(want) != fmt.Sprint(rt.Roles) {
			t.Errorf("%s %s: the table lets %v reach it, the policy %v", rt.Method, rt.Path, rt.Roles, want)
		}
		path := concrete.Replace(rt.Path)
		for role, c := range clients {
			allowed := false
			for _, r := range want {
				allowed = allowed || r == anyone || r == role || r == signedIn && role != ""
			}
			if allowed {
				continue
			}
			h := map[string]string{"Accept": "application/json", "Content-Type": "application/json"}
			if c.csrf != "" {
				h["X-CSRF-Token"] = c.csrf
			}
			resp := c.do(rt.Method, path, strings.NewReader("{}"), h)
			readAll(t, resp)
			wantStatus := http.StatusForbidden
			if role == "" {
				wantStatus = http.StatusUnauthorized
			}
			if resp.StatusCode != wantStatus {
				t.Errorf("%s %s as %q: %d, want %d", rt.Method, path, role, resp.StatusCode, wantStatus)
			}
			refusals++
		}
	}
	if refusals == 0 {
		t.Error("no refusal tested")
	}
	if after := ledgerSize(t, f.w); after != before {
		t.Errorf("refused requests wrote %d ledger entries", after-before)
	}
	// Unknown paths are 404 for everyone.
	if resp := clients[""].do("GET", "/admin/nothing/here", nil, nil); resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
}

// TestCSRF: a state-changing request of a signed-in session is refused without the session's
// token, with a wrong one, or with another session's; pages' forms carry it in a field, the
// API in the X-CSRF-Token header, multipart forms before their first file.
func TestCSRF(t *testing.T) {
	f := sharedFixture(t)
	srv := serve(t, f, Options{})
	clerk := signIn(t, srv, "clerk")
	other := signIn(t, srv, "sf")
	before := ledgerSize(t, f.w)
	path := fmt.Sprintf("/api/v1/audits/%d/escalate", f.audit)
	for name, tok := range map[string]string{"no token": "", "a wrong token": "x" + clerk.csrf[1:], "another session's token": other.csrf} {
		h := map[string]string{"Content-Type": "application/json", "Accept": "application/json"}
		if tok != "" {
			h["X-CSRF-Token"] = tok
		}
		resp := clerk.do("POST", path, strings.NewReader(`{"reason":"test"}`), h)
		body := readAll(t, resp)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "security token") {
			t.Errorf("API with %s: %d %s", name, resp.StatusCode, body)
		}
		v := url.Values{"reason": {"test"}}
		if tok != "" {
			v.Set("csrf", tok)
		}
		resp = clerk.do("POST", fmt.Sprintf("/admin/audits/%d/escalate", f.audit), strings.NewReader(v.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		if body := readAll(t, resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "security token") {
			t.Errorf("form with %s: %d", name, resp.StatusCode)
		}
	}
	// A multipart upload whose file comes before any token is refused before it is stored.
	wec, _ := os.ReadFile(wecCSV)
	saved := clerk.csrf
	clerk.csrf = ""
	if st, body := clerk.upload("/admin/imports", map[string]string{"kind": "results"}, "file", "wec.csv", wec, nil, false); st != http.StatusForbidden {
		t.Errorf("multipart without a token: %d %.200s", st, body)
	}
	clerk.csrf = other.csrf
	if st, _ := clerk.upload("/admin/imports", map[string]string{"kind": "results"}, "file", "wec.csv", wec, nil, true); st != http.StatusForbidden {
		t.Errorf("multipart with another session's token: %d", st)
	}
	clerk.csrf = saved
	if after := ledgerSize(t, f.w); after != before {
		t.Errorf("refused requests wrote %d entries", after-before)
	}
	// With the right token the request goes through to the workspace (which refuses to
	// escalate without a reason: 400, not 403).
	if st, body := clerk.json("POST", path, map[string]string{"reason": ""}); st != http.StatusBadRequest {
		t.Errorf("with the token: %d %v", st, body)
	}
}

// TestJurisdictionScope: Dane County's administrator cannot import another jurisdiction's
// CVRs or results, see another jurisdiction's retrieval list, nor manage its audit boards;
// San Francisco's administrator sees its own list.
func TestJurisdictionScope(t *testing.T) {
	f := sharedFixture(t)
	srv := serve(t, f, Options{})
	dane := signIn(t, srv, "dane")
	before := ledgerSize(t, f.w)
	// CVRs of San Francisco.
	cvr, _ := os.ReadFile(filepath.Join(sfDir, "CvrExport_42.json"))
	if st, body := dane.upload("/api/v1/imports", map[string]string{"kind": "cvr", "jurisdiction": sfJur}, "file", "CvrExport_42.json", cvr, nil, true); st != http.StatusForbidden {
		t.Errorf("Dane importing San Francisco's CVRs: %d %.300s", st, body)
	}
	// Results of Alcona County, Michigan: the first row's county is not Dane.
	mi, _ := os.ReadFile(alcona)
	st, body := dane.upload("/api/v1/imports", map[string]string{"kind": "results", "format": "openelections"}, "file", "alcona.csv", mi, map[string]string{"Accept": "application/json"}, true)
	if st != http.StatusForbidden || !strings.Contains(body, `"field":"county"`) || !strings.Contains(body, `"record":2`) || !strings.Contains(body, `"file":"alcona.csv"`) {
		t.Errorf("Dane importing Alcona's results: %d %s", st, body)
	}
	// Unit data is the state's.
	if st, _ := dane.upload("/api/v1/imports", map[string]string{"kind": "registration", "format": "registration"}, "file", "reg.csv", []byte("unit,registered\nDane,1\n"), nil, true); st != http.StatusForbidden {
		t.Errorf("Dane importing unit data: %d", st)
	}
	// San Francisco's retrieval list.
	if st, _ := dane.json("GET", fmt.Sprintf("/api/v1/audits/%d/retrieval?jurisdiction=%s", f.audit, url.QueryEscape(sfJur)), nil); st != http.StatusForbidden {
		t.Errorf("Dane reading San Francisco's list: %d", st)
	}
	if st, body := dane.json("GET", fmt.Sprintf("/api/v1/audits/%d/retrieval", f.audit), nil); st != http.StatusOK || body["total"].(float64) != 0 {
		t.Errorf("Dane's own part of the list: %d %v", st, body["total"])
	}
	if resp := dane.do("GET", fmt.Sprintf("/admin/audits/%d/retrieval.csv?jurisdiction=%s", f.audit, url.QueryEscape(sfJur)), nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("Dane downloading San Francisco's list: %d", resp.StatusCode)
	}
	// San Francisco's audit boards.
	if st, _ := dane.json("POST", "/api/v1/accounts", map[string]any{"name": "sf-b3-eve", "role": workspace.RoleAuditBoard, "password": "password for eve",
		"scope": map[string]any{"audit": f.audit, "round": 1, "jurisdiction": sfJur, "board": 1, "boards": 2}}); st != http.StatusForbidden {
		t.Errorf("Dane creating a San Francisco board: %d", st)
	}
	if st, _ := dane.json("POST", "/api/v1/accounts", map[string]any{"name": "dane2", "role": workspace.RoleStateAdmin, "password": "password for dane2"}); st != http.StatusForbidden {
		t.Errorf("Dane creating a state administrator: %d", st)
	}
	if st, _ := dane.json("POST", "/api/v1/accounts/sf-b1-ann/disabled", map[string]bool{"disabled": true}); st != http.StatusForbidden {
		t.Errorf("Dane disabling a San Francisco board member: %d", st)
	}
	if st, body := dane.json("GET", "/api/v1/accounts", nil); st != http.StatusOK || body["total"].(float64) != 1 {
		t.Errorf("Dane sees accounts %v", body["items"])
	}
	if after := ledgerSize(t, f.w); after != before {
		t.Errorf("refused requests wrote %d entries", after-before)
	}
	sf := signIn(t, srv, "sf")
	st, list := sf.json("GET", fmt.Sprintf("/api/v1/audits/%d/retrieval", f.audit), nil)
	draws, _, _ := f.w.AuditSample(context.Background(), f.audit)
	cards := map[audit.Card]bool{}
	for _, d := range draws {
		cards[d.Card] = true
	}
	if st != http.StatusOK || int(list["total"].(float64)) != len(cards) {
		t.Errorf("San Francisco's list: %d, %v rows for %d cards", st, list["total"], len(cards))
	}
}

// TestSessionFixation: a session id planted before sign-in is never the session after it; the
// pre-session cookie of the sign-in form is not a session; signing in again ends the session
// held before; the cookies are HttpOnly and SameSite=Strict (and Secure, with the __Host-
// prefix, when served over TLS).
func TestSessionFixation(t *testing.T) {
	f := sharedFixture(t)
	srv := serve(t, f, Options{})
	c := newClient(t, srv)
	u, _ := url.Parse(srv.URL)
	planted := "attacker-chosen-session-id"
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "canvass-session", Value: planted, Path: "/"}})
	page := readAll(t, c.do("GET", "/login", nil, nil))
	var pre string
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "canvass-pre" {
			pre = ck.Value
		}
	}
	form := between(page, `name="form" value="`, `"`)
	if pre == "" || form == "" || form == pre {
		t.Fatalf("sign-in form: pre-session %q, form token %q", pre, form)
	}
	resp, _ := c.form("/login", url.Values{"form": {form}, "name": {"clerk"}, "password": {"password for clerk"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin" {
		t.Fatalf("sign in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var sess *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "canvass-session" {
			sess = ck
		}
	}
	if sess == nil || sess.Value == planted || sess.Value == pre || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Secure {
		t.Fatalf("session cookie %+v", sess)
	}
	if resp := c.do("GET", "/admin", nil, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("the new session: %d", resp.StatusCode)
	}
	for name, v := range map[string]string{"planted": planted, "pre-session": pre} {
		a := newClient(t, srv)
		a.http.Jar.SetCookies(u, []*http.Cookie{{Name: "canvass-session", Value: v, Path: "/"}})
		if resp := a.do("GET", "/admin", nil, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("the %s id after sign-in: %d", name, resp.StatusCode)
		}
	}
	// Signing in again from the same browser replaces the session.
	first := sess.Value
	st, _ := c.json("POST", "/api/v1/session", map[string]string{"name": "clerk", "password": "password for clerk"})
	if st != http.StatusOK {
		t.Fatal(st)
	}
	old := newClient(t, srv)
	old.http.Jar.SetCookies(u, []*http.Cookie{{Name: "canvass-session", Value: first, Path: "/"}})
	if resp := old.do("GET", "/admin", nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the session before the second sign-in: %d", resp.StatusCode)
	}
	// A sign-in form without its pre-session (a login CSRF) is refused.
	d := newClient(t, srv)
	if resp, _ := d.form("/login", url.Values{"form": {form}, "name": {"clerk"}, "password": {"password for clerk"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in form without its cookie: %d", resp.StatusCode)
	}
	// Over TLS the cookies are Secure and __Host- prefixed.
	rec := httptest.NewRecorder()
	body, _ := json.Marshal(map[string]string{"name": "clerk", "password": "password for clerk"})
	req := httptest.NewRequest("POST", "/api/v1/session", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	New(f.w, Options{SecureCookies: true}).ServeHTTP(rec, req)
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != "__Host-canvass-session" || !cookies[0].Secure || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode || cookies[0].Path != "/" {
		t.Errorf("secure cookies %+v", cookies)
	}
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	j := strings.Index(s, b)
	if j < 0 {
		return ""
	}
	return s[:j]
}

// TestBruteForce: after 5 wrong passwords an account is locked: the right password is refused
// (429, Retry-After 30) without being checked, until 30 seconds have passed; a 6th wrong
// password after that locks it for 60. A client address that fails 20 times is locked for
// every account. Failures write nothing to the ledger. Sessions idle 30 minutes end.
func TestBruteForce(t *testing.T) {
	f := sharedFixture(t)
	now := time.Date(2020, 11, 20, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	srv := serve(t, f, Options{Now: clock})
	c := newClient(t, srv)
	try := func(name, pw string) (int, *http.Response) {
		b, _ := json.Marshal(map[string]string{"name": name, "password": pw})
		resp := c.do("POST", "/api/v1/session", bytes.NewReader(b), map[string]string{"Content-Type": "application/json"})
		readAll(t, resp)
		return resp.StatusCode, resp
	}
	before := ledgerSize(t, f.w)
	for i := 1; i <= 5; i++ {
		if st, _ := try("sf", fmt.Sprintf("guess %d", i)); st != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, st)
		}
	}
	if after := ledgerSize(t, f.w); after != before {
		t.Errorf("failed sign-ins wrote %d entries", after-before)
	}
	st, resp := try("sf", "password for sf")
	if st != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "30" {
		t.Errorf("the right password while locked: %d, Retry-After %q", st, resp.Header.Get("Retry-After"))
	}
	now = now.Add(29 * time.Second)
	if st, _ := try("sf", "password for sf"); st != http.StatusTooManyRequests {
		t.Errorf("after 29 s: %d", st)
	}
	now = now.Add(2 * time.Second)
	if st, _ := try("sf", "guess 6"); st != http.StatusUnauthorized {
		t.Errorf("after 31 s, a 6th guess: %d", st)
	}
	if st, resp := try("sf", "password for sf"); st != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "60" {
		t.Errorf("after a 6th failure: %d, Retry-After %q", st, resp.Header.Get("Retry-After"))
	}
	now = now.Add(61 * time.Second)
	if st, _ := try("sf", "password for sf"); st != http.StatusOK {
		t.Errorf("after the lock-out: %d", st)
	}
	// The 20th failure from one address (6 above, 14 here spread over accounts, at most 4
	// each) locks the address, for an account that has had none too.
	c = newClient(t, srv)
	for i := 1; i <= 14; i++ {
		name := []string{"clerk", "dane", "sf-b1-ann", "sf-b1-bob"}[(i-1)/4]
		if st, _ := try(name, "x"); st != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, st)
		}
	}
	if st, _ := try("sf-b2-dee", "password for sf-b2-dee"); st != http.StatusTooManyRequests {
		t.Errorf("a locked address signing in: %d", st)
	}
	now = now.Add(31 * time.Second)
	// The idle timeout: a session unused for 30 minutes ends.
	s := signIn(t, srv, "clerk")
	if st, _ := s.json("GET", "/api/v1/session", nil); st != http.StatusOK {
		t.Errorf("a fresh session: %d", st)
	}
	now = now.Add(29 * time.Minute)
	if st, _ := s.json("GET", "/api/v1/session", nil); st != http.StatusOK {
		t.Errorf("after 29 idle minutes: %d", st)
	}
	now = now.Add(31 * time.Minute)
	if st, _ := s.json("GET", "/api/v1/session", nil); st != http.StatusUnauthorized {
		t.Errorf("after 31 idle minutes: %d", st)
	}
}

// walk calls fn with every key of a decoded JSON value.
func walk(v any, fn func(k string, v any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, y := range x {
			fn(k, y)
			walk(y, fn)
		}
	case []any:
		for _, y := range x {
			walk(y, fn)
		}
	}
}

// TestBlindComparison: an audit board sees its own ballots only, and nothing that tells what a
// ballot's cast vote record says: no answer to it carries a CVR, its ballot pages are the same
// page but for where the ballot is, and the public audit page hides the open round's cards.
func TestBlindComparison(t *testing.T) {
	f := sharedFixture(t)
	srv := serve(t, f, Options{})
	cy := signIn(t, srv, "sf-b2-cy")
	ann := signIn(t, srv, "sf-b1-ann")
	cards := func(c *client) map[string]bool {
		st, body := c.json("GET", "/api/v1/board", nil)
		if st != http.StatusOK {
			t.Fatalf("board: %d %v", st, body)
		}
		out := map[string]bool{}
		walk(body, func(k string, v any) {
			if k == "cvr" || k == "CVR" {
				t.Errorf("the board's list carries a CVR: %v", v)
			}
		})
		for _, it := range body["items"].([]any) {
			b := it.(map[string]any)
			out[fmt.Sprint(b["jurisdiction"], "/", b["tabulator"], "/", b["batch"], "/", b["position"])] = true
		}
		return out
	}
	b1, b2 := cards(ann), cards(cy)
	if len(b1) == 0 || len(b2) == 0 {
		t.Fatalf("boards with %d and %d ballots", len(b1), len(b2))
	}
	for k := range b2 {
		if b1[k] {
			t.Errorf("%s is on both boards' lists", k)
		}
	}
	// The sample's CVRs, from the San Francisco export: find two of board 2's ballots whose
	// presidential votes differ.
	draws, _, _ := f.w.AuditSample(context.Background(), f.audit)
	cvr := map[string]string{}
	for _, d := range draws {
		cvr[d.Card.String()] = strings.Join(d.CVR[f.contest], ",")
	}
	_, body := cy.json("GET", "/api/v1/board", nil)
	items := body["items"].([]any)
	var pages []string
	var votes []string
	for i := range items {
		n := i + 1
		st, one := cy.json("GET", fmt.Sprintf("/api/v1/board/ballots/%d", n), nil)
		if st != http.StatusOK {
			t.Fatalf("ballot %d: %d", n, st)
		}
		walk(one, func(k string, v any) {
			if k == "cvr" || k == "CVR" || k == "pending" {
				t.Errorf("ballot %d's answer carries %s: %v", n, k, v)
			}
		})
		b := one["ballot"].(map[string]any)
		card := audit.Card{Jurisdiction: sfJur, Batch: b["tabulator"].(string) + " / " + b["batch"].(string), Position: int64(b["position"].(float64))}
		page := readAll(t, cy.do("GET", fmt.Sprintf("/board/ballots/%d", n), nil, nil))
		if strings.Contains(page, " checked") && strings.Count(page, " checked") != 1 { // the "found: yes" radio only
			t.Errorf("ballot %d's page checks a choice", n)
		}
		// Take away what says where the ballot is and which of the list it is.
		i := strings.Index(page, `<dl class="ballot-where">`)
		j := strings.Index(page, `</dl>`)
		page = page[:i] + page[j:]
		page = strings.NewReplacer(fmt.Sprintf("Ballot %d of", n), "", fmt.Sprintf("/board/ballots/%d", n), "", fmt.Sprintf("Ballot %d ·", n), "").Replace(page)
		pages = append(pages, page)
		votes = append(votes, cvr[card.String()])
	}
	differ := false
	for i := range pages {
		if pages[i] != pages[0] {
			t.Errorf("ballot pages 1 and %d differ beyond where the ballot is", i+1)
		}
		differ = differ || votes[i] != votes[0]
	}
	if !differ {
		t.Errorf("board 2's ballots all have the same CVR votes %q: the test shows nothing", votes[0])
	}
	// Board 2 cannot name a ballot beyond its list.
	if st, _ := cy.json("GET", fmt.Sprintf("/api/v1/board/ballots/%d", len(items)+1), nil); st != http.StatusNotFound {
		t.Errorf("beyond the board's list: %d", st)
	}
	// The public sees the open round's progress, not its cards.
	pub := newClient(t, srv)
	st, a := pub.json("GET", fmt.Sprintf("/api/v1/audits/%d", f.audit), nil)
	if st != http.StatusOK || a["total"].(float64) != 0 || a["audit"].(map[string]any)["open_round"] == nil {
		t.Errorf("public audit during round 1: %d %v", st, a)
	}
	walk(a, func(k string, v any) {
		if k == "cvr" && v != nil {
			t.Errorf("the public audit shows a CVR during the round: %v", v)
		}
	})
}

// TestTwoMemberConfirmation: a reading is recorded only when a second member of the board
// confirms the same reading: the first confirmation is an audit.confirm entry; the second
// member's matching confirmation is the audit.record entry. Readings are entered as the San
// Francisco CVRs give them (no discrepancy), and once against them (one discrepancy).
func TestTwoMemberConfirmation(t *testing.T) {
	f := sharedFixture(t)
	srv := serve(t, f, Options{})
	ann := signIn(t, srv, "sf-b1-ann")
	bob := signIn(t, srv, "sf-b1-bob")
	ctx := context.Background()
	draws, _, _ := f.w.AuditSample(ctx, f.audit)
	cvr := map[string][]string{}
	for _, d := range draws {
		cvr[d.Card.String()] = d.CVR[f.contest]
	}
	_, board := ann.json("GET", "/api/v1/board", nil)
	items := board["items"].([]any)
	if len(items) < 2 {
		t.Fatalf("board 1 has %d ballots", len(items))
	}
	contests := board["board"].(map[string]any)["contests"].([]any)
	choices := contests[0].(map[string]any)["choices"].([]any)
	cardOf := func(n int) string {
		b := items[n-1].(map[string]any)
		return audit.Card{Jurisdiction: sfJur, Batch: b["tabulator"].(string) + " / " + b["batch"].(string), Position: int64(b["position"].(float64))}.String()
	}
	start := ledgerSize(t, f.w)
	missing0 := status(t, f).Missing

	// Ballot 1 through the pages: ann reviews and confirms; bob confirms the same.
	form := url.Values{"step": {"review"}, "found": {"yes"}, "c0": cvr[cardOf(1)]}
	resp, page := ann.form("/board/ballots/1", form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Confirm this reading") {
		t.Fatalf("review: %d", resp.StatusCode)
	}
	form.Set("step", "confirm")
	if resp, _ := ann.form("/board/ballots/1", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ann confirms: %d", resp.StatusCode)
	}
	if resp, _ := ann.form("/board/ballots/1", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ann confirms again: %d", resp.StatusCode)
	}
	es := entries(t, f.w, start)
	if len(es) != 1 || es[0].Type != workspace.TypeAuditConfirm || es[0].Actor != "sf-b1-ann" {
		t.Fatalf("after ann's confirmations: %d entries", len(es))
	}
	if status(t, f).Missing != missing0 {
		t.Error("one member's confirmation recorded the ballot")
	}
	page = readAll(t, bob.do("GET", "/board/ballots/1", nil, nil))
	if !strings.Contains(page, "sf-b1-ann</strong> read this ballot") {
		t.Error("bob does not see ann's reading to confirm")
	}
	if resp, _ := bob.form("/board/ballots/1", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("bob confirms: %d", resp.StatusCode)
	}
	es = entries(t, f.w, start)
	if len(es) != 2 || es[1].Type != workspace.TypeAuditRecord || es[1].Actor != "sf-b1-bob" || !strings.Contains(string(es[1].Body), `"board":"`+sfBoard+`1"`) {
		t.Fatalf("after bob's confirmation: %v", es)
	}
	st := status(t, f)
	if st.Missing != missing0-1 || st.Contests[0].Discrepancies != 0 {
		t.Errorf("after ballot 1: %d missing (was %d), %d discrepancies", st.Missing, missing0, st.Contests[0].Discrepancies)
	}
	// Ballot 2 through the API: bob reads it otherwise than ann; ann confirms bob's reading.
	other := []any{}
	for _, ch := range choices {
		if !contains(cvr[cardOf(2)], ch.(string)) {
			other = []any{ch}
			break
		}
	}
	right := map[string]any{"found": true, "votes": map[string]any{f.contest: cvr[cardOf(2)]}}
	wrong := map[string]any{"found": true, "votes": map[string]any{f.contest: other}}
	if s, out := ann.json("POST", "/api/v1/board/ballots/2/confirm", right); s != http.StatusOK || out["recorded"] != false {
		t.Fatalf("ann: %d %v", s, out)
	}
	if s, out := bob.json("POST", "/api/v1/board/ballots/2/confirm", wrong); s != http.StatusOK || out["recorded"] != false {
		t.Fatalf("bob reading otherwise: %d %v", s, out)
	}
	if s, out := ann.json("POST", "/api/v1/board/ballots/2/confirm", wrong); s != http.StatusOK || out["recorded"] != true {
		t.Fatalf("ann confirming bob's reading: %d %v", s, out)
	}
	st = status(t, f)
	if st.Missing != missing0-2 || st.Contests[0].Discrepancies != 1 {
		t.Errorf("after ballot 2: %d missing, %d discrepancies; want %d, 1", st.Missing, st.Contests[0].Discrepancies, missing0-2)
	}
	// A recorded ballot takes no more confirmations; a choice not in the contest is refused.
	if s, _ := bob.json("POST", "/api/v1/board/ballots/2/confirm", right); s != http.StatusConflict {
		t.Errorf("confirming a recorded ballot: %d", s)
	}
	bad := map[string]any{"found": true, "votes": map[string]any{f.contest: []string{"Nobody"}}}
	if s, _ := bob.json("POST", "/api/v1/board/ballots/3/confirm", bad); s != http.StatusBadRequest {
		t.Errorf("an unknown choice: %d", s)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func status(t *testing.T, f *fixture) *workspace.AuditView {
	t.Helper()
	v, err := f.w.AuditStatus(context.Background(), f.audit)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestUploadBadRecord: a WEC ward report whose 3rd ward (file row 4, Town of COLBURN Ward 1,
// 44 votes for Biden) reads "4x4" is refused with the record, the field and the file named as
// uploaded; nothing is imported (the ledger, the results and the kept files are as before).
// The same file with the record right imports.
func TestUploadBadRecord(t *testing.T) {
	f := sharedFixture(t)
	srv := serve(t, f, Options{})
	clerk := signIn(t, srv, "clerk")
	wec, err := os.ReadFile(wecCSV)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(wec), "\n")
	if !strings.HasPrefix(lines[3], "ADAMS ,Town of COLBURN,Town of COLBURN Ward 1,") || !strings.Contains(lines[3], ",44,97,") {
		t.Fatalf("row 4 is %q", lines[3])
	}
	lines[3] = strings.Replace(lines[3], ",44,97,", ",4x4,97,", 1)
	bad := []byte(strings.Join(lines, ""))
	kept := func() int {
		ents, _ := os.ReadDir(filepath.Join(f.w.Dir, workspace.FilesDir))
		return len(ents)
	}
	before, keptBefore := ledgerSize(t, f.w), kept()
	var rows0 int64
	f.w.Store.View(context.Background(), func(tx store.Tx) error { rows0, _ = tx.CountResults(); return nil })
	st, body := clerk.upload("/api/v1/imports", map[string]string{"kind": "results", "format": "wec"}, "file", "wec-ward-report.csv", bad, map[string]string{"Accept": "application/json"}, true)
	var out struct {
		Error    string    `json:"error"`
		Problems []problem `json:"problems"`
	}
	json.Unmarshal([]byte(body), &out)
	if st != http.StatusUnprocessableEntity || len(out.Problems) != 1 {
		t.Fatalf("%d %s", st, body)
	}
	p := out.Problems[0]
	if p.File != "wec-ward-report.csv" || p.Record != 4 || p.Field != biden || !strings.Contains(p.Message, "4x4") {
		t.Errorf("problem %+v", p)
	}
	if strings.Contains(body, shared.dir) || strings.Contains(body, os.TempDir()) {
		t.Errorf("the answer shows the server's paths: %s", body)
	}
	var rows1 int64
	f.w.Store.View(context.Background(), func(tx store.Tx) error { rows1, _ = tx.CountResults(); return nil })
	if after := ledgerSize(t, f.w); after != before || rows1 != rows0 || kept() != keptBefore {
		t.Errorf("a refused import changed the workspace: %d entries, %d rows, %d kept files", after-before, rows1-rows0, kept()-keptBefore)
	}
	// The page (no script): the same report as a table.
	st, page := clerk.upload("/admin/imports", map[string]string{"kind": "results", "format": "wec"}, "file", "wec-ward-report.csv", bad, nil, true)
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, "<td>wec-ward-report.csv</td><td class=\"n\">4</td>") {
		t.Errorf("the page's report: %d", st)
	}
	// The file already imported is a conflict, not a failure.
	if st, _ := clerk.upload("/api/v1/imports", map[string]string{"kind": "results", "format": "wec"}, "file", "wec.csv", wec, map[string]string{"Accept": "application/json"}, true); st != http.StatusConflict {
		t.Errorf("the same file again: %d", st)
	}
}

// TestUploadAndRiskOnThePublicPage: in a workspace of its own, a state administrator uploads
// Alcona County's OpenElections precinct results (the county's official figures as compiled in
// testdata/us2020/national: Trump 4,848, Biden 2,142), audit boards record every card of the
// first round as the CVRs read, the round ends through the API, and the public audit page then
// plots the measured risk and lists the round's cards.
func TestUploadAndRiskOnThePublicPage(t *testing.T) {
	f, err := buildFixture(t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.w.Close()
	srv := serve(t, f, Options{})
	clerk := signIn(t, srv, "clerk")
	mi, _ := os.ReadFile(alcona)
	st, body := clerk.upload("/api/v1/imports", map[string]string{"kind": "results", "format": "openelections"}, "file", filepath.Base(alcona), mi, map[string]string{"Accept": "application/json"}, true)
	if st != http.StatusCreated || !strings.Contains(body, `"name":"`+filepath.Base(alcona)+`"`) {
		t.Fatalf("upload: %d %s", st, body)
	}
	_, res := clerk.json("GET", "/api/v1/results?contest=President&source=results", nil)
	v := map[string]float64{}
	for _, ch := range res["contest"].(map[string]any)["totals"].(map[string]any)["choices"].([]any) {
		m := ch.(map[string]any)
		v[m["name"].(string)] = m["votes"].(float64)
	}
	if v["Donald J. Trump"] != 4848 || v["Joseph R. Biden"] != 2142 {
		t.Errorf("Alcona: %v", v)
	}
	// Every card of round 1 read as its CVR says, by both members of its board.
	ctx := context.Background()
	draws, _, _ := f.w.AuditSample(ctx, f.audit)
	cvr := map[string][]string{}
	for _, d := range draws {
		cvr[d.Card.String()] = d.CVR[f.contest]
	}
	for _, pair := range [][2]string{{"sf-b1-ann", "sf-b1-bob"}, {"sf-b2-cy", "sf-b2-dee"}} {
		a, b := signIn(t, srv, pair[0]), signIn(t, srv, pair[1])
		_, board := a.json("GET", "/api/v1/board", nil)
		for i, it := range board["items"].([]any) {
			x := it.(map[string]any)
			card := audit.Card{Jurisdiction: sfJur, Batch: x["tabulator"].(string) + " / " + x["batch"].(string), Position: int64(x["position"].(float64))}.String()
			rd := map[string]any{"found": true, "votes": map[string]any{f.contest: cvr[card]}}
			for _, c := range []*client{a, b} {
				if s, out := c.json("POST", fmt.Sprintf("/api/v1/board/ballots/%d/confirm", i+1), rd); s != http.StatusOK {
					t.Fatalf("%s ballot %d: %d %v", pair[0], i+1, s, out)
				}
			}
		}
	}
	pub := newClient(t, srv)
	page := readAll(t, pub.do("GET", fmt.Sprintf("/audits/%d", f.audit), nil, nil))
	if strings.Contains(page, "<polyline") || !strings.Contains(page, "Round 1 in progress") {
		t.Errorf("before the round ends, the page plots a risk or hides the round's progress")
	}
	if st, out := clerk.json("POST", fmt.Sprintf("/api/v1/audits/%d/end-round", f.audit), nil); st != http.StatusOK {
		t.Fatalf("end round: %d %v", st, out)
	}
	sv := status(t, f)
	page = readAll(t, pub.do("GET", fmt.Sprintf("/audits/%d", f.audit), nil, nil))
	if !strings.Contains(page, "<polyline") || !strings.Contains(page, `class="limit"`) || !strings.Contains(page, fmt.Sprintf("risk %.4g after %d draws (round 1)", sv.Contests[0].Risk, sv.Rounds[0].Size)) {
		t.Errorf("after the round the page lacks the plot of risk %.4g after %d draws", sv.Contests[0].Risk, sv.Rounds[0].Size)
	}
	_, a := pub.json("GET", fmt.Sprintf("/api/v1/audits/%d?limit=1000", f.audit), nil)
	if int(a["total"].(float64)) != len(draws) {
		t.Errorf("the public sample after round 1: %v of %d draws", a["total"], len(draws))
	}
}

// TestVerifyPage: the verify page shows the log's key and, once published, the signed
// checkpoint's text and the command that checks it.
func TestVerifyPage(t *testing.T) {
	f, err := buildFixture(t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.w.Close()
	pubDir := filepath.Join(t.TempDir(), "public")
	srv := serve(t, f, Options{Published: pubDir})
	c := newClient(t, srv)
	info, _ := f.w.LogInfo(context.Background())
	page := readAll(t, c.do("GET", "/verify", nil, nil))
	if !strings.Contains(page, strings.ReplaceAll(info.LogKey, "+", "&#43;")) || !strings.Contains(page, "No checkpoint has been signed yet") {
		t.Error("before publication: no key, or a checkpoint")
	}
	rep, err := f.w.Publish(context.Background(), pubDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	page = readAll(t, c.do("GET", "/verify", nil, nil))
	cp, _ := os.ReadFile(filepath.Join(pubDir, "checkpoint"))
	want := strings.ReplaceAll(string(cp), "+", "&#43;")
	if !strings.Contains(page, want) || !strings.Contains(page, "canvass verify "+srv.URL+"/log/ --key") {
		t.Errorf("the page lacks the checkpoint of %d entries or the command", rep.Checkpoint.Size)
	}
	resp := c.do("GET", "/log/checkpoint", nil, nil)
	if body := readAll(t, resp); resp.StatusCode != http.StatusOK || body != string(cp) {
		t.Errorf("/log/checkpoint: %d", resp.StatusCode)
	}
	fetch, err := ledger.NewHTTP(srv.URL + "/log/")
	if err != nil {
		t.Fatal(err)
	}
	vrep, err := workspace.Verify(context.Background(), fetch, workspace.VerifyOptions{Key: info.LogKey})
	if err != nil || !vrep.OK() {
		t.Errorf("verify over HTTP: %v %+v", err, vrep)
	}
}

// TestPagesRender: every page of the route table renders for a role that may see it, with the
// navigation, a main landmark and no template error; the pages of a signed-in account carry
// its CSRF token in their forms.
func TestPagesRender(t *testing.T) {
	f := sharedFixture(t)
	srv := serve(t, f, Options{})
	as := map[string]*client{
		anyone:                          newClient(t, srv),
		workspace.RoleStateAdmin:        signIn(t, srv, "clerk"),
		workspace.RoleJurisdictionAdmin: signIn(t, srv, "sf"),
		workspace.RoleAuditBoard:        signIn(t, srv, "sf-b2-dee"),
	}
	as[signedIn] = as[workspace.RoleJurisdictionAdmin]
	concrete := strings.NewReplacer("{$}", "", "{id}", fmt.Sprint(f.audit), "{n}", "1")
	pages := 0
	for _, rt := range Routes() {
		// A recount's page needs a recount: TestRecountWorkflow renders it.
		if rt.Method != "GET" || strings.HasPrefix(rt.Path, "/api/") || rt.Path == "/log/" || strings.HasSuffix(rt.Path, ".csv") || rt.Path == "/admin/recounts/{id}" {
			continue
		}
		for _, role := range rt.Roles {
			c := as[role]
			path := concrete.Replace(rt.Path)
			if path == "/results" {
				path += "?contest=President"
			}
			resp := c.do("GET", path, nil, nil)
			body := readAll(t, resp)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<main id="main"`) || !strings.Contains(body, `href="/verify"`) || !strings.HasSuffix(strings.TrimSpace(body), "</html>") {
				t.Errorf("%s as %s: %d %.300s", path, role, resp.StatusCode, body)
			}
			if c.csrf != "" && strings.Contains(body, `method="post"`) && !strings.Contains(body, `name="csrf" value="`+c.csrf+`"`) {
				t.Errorf("%s as %s: a form without the session's token", path, role)
			}
			pages++
		}
	}
	if pages < 15 {
		t.Errorf("%d pages rendered", pages)
	}
	// The retrieval list as CSV, for San Francisco's administrator.
	resp := as[workspace.RoleJurisdictionAdmin].do("GET", fmt.Sprintf("/admin/audits/%d/retrieval.csv?jurisdiction=%s", f.audit, url.QueryEscape(sfJur)), nil, nil)
	if body := readAll(t, resp); resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "Jurisdiction,") || !strings.Contains(body, "Audit Board 2") {
		t.Errorf("retrieval CSV: %d %.200s", resp.StatusCode, body)
	}
}

// TestRecountPage: a recount of Wisconsin's presidential contest in Milwaukee and Dane
// counties, started in the workspace, shows on the public page with the canvass margin of the
// WEC's figures, 1,630,866 − 1,610,184 = 20,682 votes out of 3,298,041, and what Wisconsin's
// law allows at that margin (a recount on request).
func TestRecountPage(t *testing.T) {
	f := sharedFixture(t)
	id, err := f.w.RecountStart(context.Background(), workspace.RecountOptions{Contest: "President", Source: "results", State: "WI",
		Jurisdictions: []string{"Milwaukee", "Dane"}, Reason: "petition of the Trump campaign, 2020-11-18"})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, serve(t, f, Options{}))
	page := readAll(t, c.do("GET", fmt.Sprintf("/recount?id=%d", id), nil, nil))
	for _, want := range []string{"In progress: 0 of 2 units entered", "20,682 votes out of 3,298,041", "a defeated candidate may request it", "petition of the Trump campaign"} {
		if !strings.Contains(page, want) {
			t.Errorf("the recount page lacks %q", want)
		}
	}
	st, rep := c.json("GET", fmt.Sprintf("/api/v1/recounts/%d", id), nil)
	if st != http.StatusOK || rep["margin"].(float64) != 20682 || rep["recounted"].(float64) != 2 {
		t.Errorf("recount API: %d margin %v recounted %v", st, rep["margin"], rep["recounted"])
	}
	if st, _ := c.json("GET", "/api/v1/recounts/999999", nil); st != http.StatusNotFound {
		t.Errorf("an unknown recount: %d", st)
	}
}

// TestElectoralPage: the electoral-vote page gives the certified 2020 outcome (Biden 306,
// Trump 232 of 538; 270 a majority), the FEC's popular vote for Biden (81,283,501), Wisconsin
// as the tipping point (Biden by 20,682), and tiles that mark the split states by initials:
// Maine 3 + 1 (Trump won the 2nd district), Nebraska 4 + 1 (Biden won the 2nd).
func TestElectoralPage(t *testing.T) {
	f := sharedFixture(t)
	c := newClient(t, serve(t, f, Options{}))
	page := readAll(t, c.do("GET", "/electoral", nil, nil))
	for _, want := range []string{
		`<th scope="row">Joe Biden</th><td class="n">306</td><td class="n">81,283,501</td>`,
		`<th scope="row">Donald Trump</th><td class="n">232</td>`,
		"270 electors are a majority",
		"<p>Wisconsin (WI): adding Joe Biden's states", "led there by 20,682 of",
		`class="code">ME</text>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the electoral page lacks %q", want)
		}
	}
	tileOf := func(code string) string {
		i := strings.Index(page, `class="code">`+code+`</text>`)
		if i < 0 {
			return ""
		}
		return between(page[i:], `class="mark">`, `</text>`)
	}
	if me, ne, wi := tileOf("ME"), tileOf("NE"), tileOf("WI"); me != "B&#43;T" || ne != "T&#43;B" || wi != "B" {
		t.Errorf("tiles ME %q, NE %q, WI %q; want B+T, T+B, B", me, ne, wi)
	}
	st, body := c.json("GET", "/api/v1/electoral?limit=5", nil)
	if st != http.StatusOK || len(body["items"].([]any)) != 5 || body["next_cursor"] != "o5" {
		t.Errorf("API: %d %v", st, body["next_cursor"])
	}
}

// TestTurnout: Wayne County, Michigan, from its statement of votes (1,115 precincts): registered
// voters 1,406,355 and ballots 878,102 in the county (the sums of the file's registered_voters
// and ballots_cast_total columns), 62.4% turnout; the City of Dearborn 70,805 and 44,998.
func TestTurnout(t *testing.T) {
	ctx := context.Background()
	w, err := workspace.Init(ctx, t.TempDir(), "clerk", workspace.InitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.ImportResults(ctx, "../testdata/us2020/mi/wayne_2020_president_precinct_with_registration.csv",
		workspace.ImportOptions{Results: results.Options{Format: "wide", State: "MI", County: "Wayne", Contest: "President"}}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, serve(t, &fixture{w: w}, Options{}))
	find := func(level, suffix string) map[string]any {
		st, body := c.json("GET", "/api/v1/turnout?limit=5000&level="+level, nil)
		if st != http.StatusOK {
			t.Fatalf("%s: %d %v", level, st, body)
		}
		for _, it := range body["items"].([]any) {
			u := it.(map[string]any)
			if strings.HasSuffix(u["unit"].(string), suffix) {
				return u
			}
		}
		t.Fatalf("%s: no unit ending %q in %v", level, suffix, body["items"])
		return nil
	}
	if u := find("county", "Wayne"); u["registered"] != 1406355.0 || u["ballots"] != 878102.0 {
		t.Errorf("Wayne County: %v", u)
	}
	if u := find("municipality", "City of Dearborn"); u["registered"] != 70805.0 || u["ballots"] != 44998.0 {
		t.Errorf("Dearborn: %v", u)
	}
	page := readAll(t, c.do("GET", "/turnout", nil, nil))
	if !strings.Contains(page, `<td class="n">1,406,355</td><td class="n">878,102</td><td class="n">62.4%</td>`) {
		t.Error("the turnout page lacks Wayne County's row")
	}
}

// TestBoardRanksAnIRVContest: an audit board reads an instant-runoff contest as a ranking. The
// contest, by hand: 200 cards, 120 Alice > Bob, 50 Bob > Alice, 30 Chuan > Bob; Alice has a
// majority of first choices. Its assertions: NEB Alice > Bob (Alice's 120 first preferences
// against the 50 + 30 cards ranking Bob above Alice or without her: margin 40, diluted 0.2)
// and NEB Alice > Chuan (120 against 30: margin 90). A Kaplan-Markov audit plans 34 draws for
// μ = 0.2 (as TestAuditComparisonConfirms in workspace, by hand).
//
// The ballot page asks for each candidate's rank, with a label per box; ranks entered in any
// order are read as the ranking (two candidates at one rank, an overvote, end it); a second
// member's reading is the same only if it ranks the same candidates in the same order; the
// audit record keeps the rank order. The public audit page lists the assertions with their
// margins, difficulties and, after the round, their risks.
func TestBoardRanksAnIRVContest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w, err := workspace.Init(ctx, filepath.Join(dir, "ws"), "clerk", workspace.InitOptions{Origin: "elections.example.gov/irv"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var b strings.Builder
	b.WriteString("BallotID,Tabulator,Batch,Mayor [ranked 3]: Alice,Mayor: Bob,Mayor: Chuan\n")
	for i := 0; i < 200; i++ {
		ranks := "1,2,0"
		switch k := (i * 37) % 200; {
		case k < 50:
			ranks = "2,1,0"
		case k < 80:
			ranks = "0,2,1"
		}
		fmt.Fprintf(&b, "%d,T1,%d,%s\n", i+1, 1+i/100, ranks)
	}
	cvrs := filepath.Join(dir, "cvrs.csv")
	os.WriteFile(cvrs, []byte(b.String()), 0o644)
	if _, err := w.ImportCVR(ctx, cvrs, workspace.ImportOptions{Format: "csv", Jurisdiction: "Dane"}); err != nil {
		t.Fatal(err)
	}
	v, err := w.AuditStart(ctx, workspace.AuditOptions{Contests: []string{"Mayor"}, Config: audit.Config{Kind: audit.Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: seed20}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Rounds[0].Size != 34 || v.Contests[0].IRV == nil || len(v.Contests[0].IRV.Assertions) != 2 {
		t.Fatalf("audit %+v", v)
	}
	for _, name := range []string{"ann", "bob"} {
		na := workspace.NewAccount{Name: name, Role: workspace.RoleAuditBoard, Scope: workspace.Scope{Audit: v.ID, Round: 1, Jurisdiction: "Dane", Board: 1, Boards: 1}}
		if na.PasswordHash, err = workspace.HashPasswordWith("password for "+name, workspace.Argon2Params{Time: 1, Memory: 64, Threads: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.CreateAccount(ctx, na); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{w: w, audit: v.ID, contest: "Mayor"}
	srv := serve(t, f, Options{})
	ann, bob := signIn(t, srv, "ann"), signIn(t, srv, "bob")
	draws, _, _ := w.AuditSample(ctx, v.ID)
	cvr := map[string][]string{}
	for _, d := range draws {
		cvr[d.Card.String()] = d.CVR["Mayor"]
	}
	_, board := ann.json("GET", "/api/v1/board", nil)
	items := board["items"].([]any)
	cardOf := func(n int) string {
		x := items[n-1].(map[string]any)
		return audit.Card{Jurisdiction: "Dane", Batch: x["tabulator"].(string) + " / " + x["batch"].(string), Position: int64(x["position"].(float64))}.String()
	}
	// The first ballot whose CVR ranks Alice, then Bob.
	n := 0
	for i := range items {
		if r := cvr[cardOf(i+1)]; len(r) == 2 && r[0] == "Alice" && r[1] == "Bob" {
			n = i + 1
			break
		}
	}
	if n == 0 {
		t.Fatal("no sampled card ranks Alice > Bob")
	}
	path := fmt.Sprintf("/board/ballots/%d", n)
	page := readAll(t, ann.do("GET", path, nil, nil))
	for _, want := range []string{`<label for="r0.0">Rank of Alice</label>`, `id="r0.2" name="r0.2"`, `aria-describedby="rank-hint-0"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the ballot page lacks %s", want)
		}
	}
	_, one := ann.json("GET", fmt.Sprintf("/api/v1/board/ballots/%d", n), nil)
	if r, _ := one["ranked"].([]any); len(r) != 1 || r[0] != "Mayor" {
		t.Errorf("the API's ballot: ranked %v", one["ranked"])
	}
	// Ranks as the voter marked them: Bob 2, Alice 1 (in the form's order: Alice, Bob, Chuan).
	resp, page := ann.form(path, url.Values{"step": {"review"}, "found": {"yes"}, "r0.0": {"1"}, "r0.1": {"2"}, "r0.2": {""}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<strong>1. Alice, 2. Bob</strong>") {
		t.Fatalf("review: %d\n%s", resp.StatusCode, page)
	}
	// An overvote at rank 2 ends the ranking after Alice.
	if _, page := ann.form(path, url.Values{"step": {"review"}, "found": {"yes"}, "r0.0": {"1"}, "r0.1": {"2"}, "r0.2": {"2"}}); !strings.Contains(page, "<strong>1. Alice</strong>") {
		t.Errorf("an overvote at rank 2:\n%s", page)
	}
	if resp, _ := ann.form(path, url.Values{"step": {"review"}, "found": {"yes"}, "r0.0": {"x"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a rank that is not a number: %d", resp.StatusCode)
	}
	// ann confirms (the review page's hidden reading: the ranking in order).
	if resp, _ := ann.form(path, url.Values{"step": {"confirm"}, "found": {"yes"}, "c0": {"Alice", "Bob"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ann confirms: %d", resp.StatusCode)
	}
	if page := readAll(t, bob.do("GET", path, nil, nil)); !strings.Contains(page, "Mayor: 1. Alice, 2. Bob") {
		t.Errorf("bob does not see ann's ranking")
	}
	start := ledgerSize(t, w)
	// bob reads the same candidates in the other order: not the same reading.
	if s, out := bob.json("POST", fmt.Sprintf("/api/v1/board/ballots/%d/confirm", n), map[string]any{"found": true, "votes": map[string]any{"Mayor": []string{"Bob", "Alice"}}}); s != http.StatusOK || out["recorded"] != false {
		t.Fatalf("bob, another order: %d %v", s, out)
	}
	if s, out := bob.json("POST", fmt.Sprintf("/api/v1/board/ballots/%d/confirm", n), map[string]any{"found": true, "votes": map[string]any{"Mayor": []string{"Alice", "Bob"}}}); s != http.StatusOK || out["recorded"] != false {
		t.Fatalf("bob, ann's order after his own: %d %v", s, out)
	}
	if s, out := ann.json("POST", fmt.Sprintf("/api/v1/board/ballots/%d/confirm", n), map[string]any{"found": true, "votes": map[string]any{"Mayor": []string{"Alice", "Bob"}}}); s != http.StatusOK || out["recorded"] != true {
		t.Fatalf("ann confirms bob's: %d %v", s, out)
	}
	es := entries(t, w, start)
	if last := es[len(es)-1]; last.Type != workspace.TypeAuditRecord || !strings.Contains(string(last.Body), `"votes":{"Mayor":["Alice","Bob"]}`) {
		t.Errorf("the record: %s %s", last.Type, last.Body)
	}
	// The other cards as their CVRs say; the round ends.
	var recs []audit.Record
	seen := map[audit.Card]bool{}
	for _, d := range draws {
		if !seen[d.Card] && d.Card.String() != cardOf(n) {
			seen[d.Card] = true
			recs = append(recs, audit.Record{Card: d.Card, Found: true, Votes: map[string][]string{"Mayor": d.CVR["Mayor"]}, Board: "Dane Audit Board 1"})
		}
	}
	if _, err := w.AuditRecord(ctx, v.ID, recs); err != nil {
		t.Fatal(err)
	}
	if v, err = w.AuditEndRound(ctx, v.ID); err != nil || v.Status != string(audit.Confirmed) {
		t.Fatalf("end of round: %v %+v", err, v)
	}
	page = readAll(t, newClient(t, srv).do("GET", fmt.Sprintf("/audits/%d", v.ID), nil, nil))
	for _, a := range v.Contests[0].IRV.Assertions {
		row := fmt.Sprintf(`<tr><th scope="row">NEB Alice &gt; %s</th><td>NEB</td><td>Alice</td><td>%s</td><td></td><td class="n">%d</td>`, a.Loser, a.Loser, a.Margin)
		if !strings.Contains(page, row) || !strings.Contains(page, fmt.Sprintf(`<td class="n">%.4g</td><td><strong>Yes</strong></td></tr>`, a.Risk)) {
			t.Errorf("the public page lacks %s with risk %.4g", row, a.Risk)
		}
	}
	margins := map[string]int64{}
	for _, a := range v.Contests[0].IRV.Assertions {
		margins[a.Label] = a.Margin
	}
	if margins["NEB Alice > Bob"] != 40 || margins["NEB Alice > Chuan"] != 90 {
		t.Errorf("assertions %v", margins)
	}
}

// TestPopulationChangedIsAConflict: an error wrapping workspace.ErrPopulationChanged (a CVR
// import after an audit started) is answered 409 with its message, not 500.
func TestPopulationChangedIsAConflict(t *testing.T) {
	rw := httptest.NewRecorder()
	q := &req{s: &server{}, rw: rw, r: httptest.NewRequest("GET", "/api/v1/board", nil), api: true}
	q.fail(fmt.Errorf("audit 7: %w since the audit started", workspace.ErrPopulationChanged))
	if rw.Code != http.StatusConflict || !strings.Contains(rw.Body.String(), "population changed") {
		t.Errorf("%d %s", rw.Code, rw.Body.String())
	}
}

// TestRecountWorkflow: a state administrator runs Wisconsin's 2020 recount of Milwaukee and
// Dane counties through the web. The canvass is the national county file (Biden's and
// Trump's columns renamed to the WEC's names); the recount is the WEC's ward report after the
// recount, summed by county. By hand (as in workspace/recount_test.go TestRecountWisconsin):
// Dane 181,385 → 181,327 (−58), Milwaukee 182,913 → 183,045 (+132), so Wisconsin's margin
// 1,630,673 − 1,610,065 = 20,608 becomes 20,682 (+74). A hand entry for Adams County, outside
// the recounted jurisdictions, is refused with 422 and writes nothing; the public and a
// jurisdiction administrator are refused the new routes.
func TestRecountWorkflow(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w, err := workspace.Init(ctx, filepath.Join(dir, "ws"), "clerk", workspace.InitOptions{Origin: "elections.example.gov/2020-recount"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	const contest = "President (county canvass)"
	if _, err := w.ImportResults(ctx, "../testdata/us2020/national/county_presidential_results_2020.csv", workspace.ImportOptions{Results: results.Options{
		Format: "wide", Contest: contest, Skip: []string{"diff", "per_gop", "per_dem", "per_point_diff"},
		Rename: map[string]string{"votes_dem": biden, "votes_gop": trump}}}); err != nil {
		t.Fatal(err)
	}
	for _, na := range []workspace.NewAccount{
		{Name: "clerk", Role: workspace.RoleStateAdmin},
		{Name: "dane", Role: workspace.RoleJurisdictionAdmin, Scope: workspace.Scope{Jurisdictions: []string{"Dane"}}},
	} {
		if na.PasswordHash, err = workspace.HashPasswordWith("password for "+na.Name, workspace.Argon2Params{Time: 1, Memory: 64, Threads: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.CreateAccount(ctx, na); err != nil {
			t.Fatal(err)
		}
	}
	srv := serve(t, &fixture{w: w}, Options{})
	clerk := signIn(t, srv, "clerk")

	// The public and a jurisdiction administrator are refused (an audit board too: TestRouteSecurity
	// tries every role on every new route); nothing is written.
	refused := map[string]*client{"the public": newClient(t, srv), "a jurisdiction administrator": signIn(t, srv, "dane")}
	before := ledgerSize(t, w)
	start := map[string]any{"contest": contest, "jurisdictions": []string{"Milwaukee", "Dane"}, "level": "county", "state": "WI", "reason": "petition of the Trump campaign, 2020-11-18"}
	for name, c := range refused {
		want := http.StatusForbidden
		if c.csrf == "" {
			want = http.StatusUnauthorized
		}
		if st, body := c.json("POST", "/api/v1/recounts", start); st != want {
			t.Errorf("%s starting a recount: %d %v, want %d", name, st, body, want)
		}
		if resp := c.do("GET", "/admin/recounts", nil, nil); resp.StatusCode != want {
			t.Errorf("%s on the recounts page: %d, want %d", name, resp.StatusCode, want)
		}
	}
	if after := ledgerSize(t, w); after != before {
		t.Fatalf("refused requests wrote %d entries", after-before)
	}

	// Start through the page's form.
	resp, body := clerk.form("/admin/recounts", url.Values{"contest": {contest}, "jurisdictions": {"Milwaukee\nDane"}, "level": {"county"}, "state": {"WI"}, "reason": {"petition of the Trump campaign, 2020-11-18"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d %.300s", resp.StatusCode, body)
	}
	loc := resp.Header.Get("Location")
	id := strings.TrimPrefix(loc, "/admin/recounts/")
	page := readAll(t, clerk.do("GET", loc, nil, nil))
	for _, want := range []string{"0 of 2 units entered", "Milwaukee, Dane", biden, trump, "/recount?id=" + id, `name="csrf" value="` + clerk.csrf + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the recount's page lacks %q", want)
		}
	}
	if page := readAll(t, clerk.do("GET", "/admin/recounts", nil, nil)); !strings.Contains(page, contest) || !strings.Contains(page, "0 of 2") {
		t.Errorf("the recounts page does not list the recount")
	}

	// A hand entry outside the recounted jurisdictions: 422, nothing written.
	before = ledgerSize(t, w)
	st, out := clerk.json("POST", "/api/v1/recounts/"+id+"/entries", map[string]any{"units": map[string]map[string]int64{"Wisconsin / Adams County": {biden: 4329, trump: 7362}}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(out["error"]), "not in the recounted jurisdictions") {
		t.Errorf("a unit not recounted: %d %v", st, out)
	}
	resp, body = clerk.form("/admin/recounts/"+id+"/entries", url.Values{"unit": {"WI / Dane"}, "choice": {biden, trump}, "votes": {"260121", "many"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a count that is not a number: %d %.200s", resp.StatusCode, body)
	}
	if after := ledgerSize(t, w); after != before {
		t.Errorf("refused entries wrote %d entries", after-before)
	}

	// The WEC report after the recount, uploaded with the mapping "*=" (the other candidates
	// not compared), then the finish.
	wec, err := os.ReadFile(wecCSV)
	if err != nil {
		t.Fatal(err)
	}
	if st, body := clerk.upload("/admin/recounts/"+id+"/entries", map[string]string{"kind": "results", "format": "wec", "choices": "*="}, "file", "wec.csv", wec, nil, true); st != http.StatusSeeOther {
		t.Fatalf("upload: %d %.300s", st, body)
	}
	st, out = clerk.json("POST", "/api/v1/recounts/"+id+"/finish", map[string]string{"note": "the Elections Commission's canvass after the recount"})
	if st != http.StatusOK {
		t.Fatalf("finish: %d %v", st, out)
	}
	if st, out := clerk.json("POST", "/api/v1/recounts/"+id+"/finish", nil); st != http.StatusConflict {
		t.Errorf("finishing twice: %d %v", st, out)
	}
	if st, out := clerk.json("POST", "/api/v1/recounts/"+id+"/entries", map[string]any{"units": map[string]map[string]int64{"WI / Dane": {biden: 1, trump: 2}}}); st != http.StatusConflict {
		t.Errorf("an entry after the finish: %d %v", st, out)
	}

	// The public JSON.
	st, rep := newClient(t, srv).json("GET", "/api/v1/recounts/"+id, nil)
	if st != http.StatusOK {
		t.Fatalf("public recount: %d %v", st, rep)
	}
	var r workspace.RecountReport
	b, _ := json.Marshal(rep)
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.Entered != 2 || r.Finished == nil || r.Comparison == nil {
		t.Fatalf("entered %d, finished %v", r.Entered, r.Finished)
	}
	if m := r.Comparison.Margin; m.A != biden || m.Before != 20608 || m.After != 20682 || m.Change != 74 || r.Comparison.OutcomeChanged {
		t.Errorf("margin %+v, outcome changed %v; want %s 20608 → 20682 (+74)", m, r.Comparison.OutcomeChanged, biden)
	}
	if f := r.Finished; f.MarginBefore != 20608 || f.MarginAfter != 20682 {
		t.Errorf("finish entry: %+v", f)
	}
}
