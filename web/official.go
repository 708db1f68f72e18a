package web

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/audit/sampler"
	"github.com/canvass-vote/canvass/cvr"
	"github.com/canvass-vote/canvass/reconcile"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/workspace"
)

// Officials: state administrators act on everything; jurisdiction administrators import the
// files of their jurisdictions, see their jurisdictions' retrieval lists and manage their audit
// boards' accounts. Each handler checks the scope of what it is asked to act on.

func (q *req) isState() bool { return q.role() == workspace.RoleStateAdmin }

// inScope reports whether the account may act on jurisdiction j.
func (q *req) inScope(j string) bool {
	return q.isState() || q.sess.Account.Role == workspace.RoleJurisdictionAdmin && q.sess.Account.Scope.Has(j)
}

func (q *req) outOfScope(j string) error {
	if j == "" {
		return &httpError{status: http.StatusForbidden, msg: "name one of your jurisdictions"}
	}
	return &httpError{status: http.StatusForbidden, msg: fmt.Sprintf("%q is not one of your jurisdictions", j)}
}

// fileView is an imported file, for pages and the API.
type fileView struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	SHA256       string    `json:"sha256"`
	Size         int64     `json:"size"`
	Kind         string    `json:"kind"`
	Format       string    `json:"format"`
	Jurisdiction string    `json:"jurisdiction,omitempty"`
	ImportedBy   string    `json:"imported_by"`
	ImportedAt   time.Time `json:"imported_at"`
	Records      int64     `json:"records"`
	Replaced     int64     `json:"replaces,omitempty"`
	Entry        uint64    `json:"entry"`
}

func viewFile(f store.File) fileView {
	return fileView{ID: f.ID, Name: f.Name, SHA256: f.SHA256, Size: f.Size, Kind: f.Kind, Format: f.Format, Jurisdiction: f.Jurisdiction,
		ImportedBy: f.ImportedBy, ImportedAt: f.ImportedAt, Records: f.Records, Replaced: f.Replaced, Entry: f.Entry}
}

func (s *server) files(q *req) ([]fileView, error) {
	fs, err := s.w.Files(q.r.Context())
	out := make([]fileView, 0, len(fs))
	for _, f := range fs {
		out = append(out, viewFile(f))
	}
	return out, err
}

func (q *req) adminPage() error {
	files, err := q.s.files(q)
	if err != nil {
		return err
	}
	audits, err := q.s.auditSummaries(q.r.Context())
	if err != nil {
		return err
	}
	return q.page("admin", map[string]any{"Files": files, "Audits": audits, "State": q.isState(),
		"CVRFormats": cvr.Formats(), "ResultFormats": results.Formats(),
		"UnitFormats": workspace.UnitFormats()})
}

func (q *req) apiFiles() error {
	files, err := q.s.files(q)
	if err != nil {
		return err
	}
	return list(q, files, 100, 1000, nil)
}

// importView is what an import did.
type importView struct {
	Kind     string                      `json:"kind"`
	File     *fileView                   `json:"file,omitempty"`
	Contests int                         `json:"contests,omitempty"`
	Replaced int64                       `json:"replaced,omitempty"`
	Units    *workspace.RegistrationBody `json:"units,omitempty"`
}

// importFile imports one uploaded file: CVRs (of a jurisdiction), results, or unit data
// (registration and the like; state administrators only). A file that fails imports nothing;
// the answer names the record and field at fault.
func (q *req) importFile() error {
	u, err := q.readMultipart(1, q.s.opts.MaxUpload)
	if err != nil {
		return err
	}
	defer u.cleanup()
	if len(u.files) != 1 {
		return badRequest("choose the file to import")
	}
	f := u.files[0]
	ctx := q.r.Context()
	jur := u.get("jurisdiction")
	replace := u.get("replace") == "on" || u.get("replace") == "true"
	format := u.get("format")
	out := importView{Kind: u.get("kind")}
	switch out.Kind {
	case "cvr":
		if !q.inScope(jur) {
			return q.outOfScope(jur)
		}
		rep, err := q.ws.ImportCVR(ctx, f.Path, workspace.ImportOptions{Format: format, Jurisdiction: jur, Replace: replace})
		if err != nil {
			return importError(u, err)
		}
		fv := viewFile(rep.File)
		out.File, out.Contests, out.Replaced = &fv, rep.Contests, rep.Replaced
	case "results":
		ropts := results.Options{Format: format, State: u.get("state"), County: u.get("county"), Contest: u.get("contest")}
		if !q.isState() {
			js := q.sess.Account.Scope.Jurisdictions
			if ropts.County == "" && len(js) == 1 {
				ropts.County = js[0]
			}
			if err := workspace.CheckResultsScope(f.Path, ropts, js); err != nil {
				if errors.Is(err, workspace.ErrOutOfScope) {
					return u.failure(err, http.StatusForbidden)
				}
				return importError(u, err)
			}
		}
		rep, err := q.ws.ImportResults(ctx, f.Path, workspace.ImportOptions{Replace: replace, Results: ropts})
		if err != nil {
			return importError(u, err)
		}
		fv := viewFile(rep.File)
		out.File, out.Replaced = &fv, rep.Replaced
	case "registration":
		if !q.isState() {
			return &httpError{status: http.StatusForbidden, msg: "unit data (registration, estimates, mappings) is imported by a state administrator"}
		}
		opts := workspace.RegistrationOptions{Format: format, Replace: replace, Within: reconcile.Unit{Jurisdiction: jur, Municipality: u.get("municipality")}}
		if d := u.get("date"); d != "" {
			if opts.Date, err = time.Parse("2006-01-02", d); err != nil {
				return badRequest("date %q: write it as 2020-11-03", d)
			}
		}
		body, err := q.ws.ImportRegistration(ctx, f.Path, opts)
		if err != nil {
			return importError(u, err)
		}
		out.Units = body
	default:
		return badRequest("kind %q: cvr, results or registration", out.Kind)
	}
	if q.api || wantsJSON(q.r) {
		q.json(http.StatusCreated, out)
		return nil
	}
	return q.page("imported", map[string]any{"I": out})
}

func importError(u *upload, err error) error {
	if errors.Is(err, workspace.ErrAlreadyImported) {
		return u.failure(err, http.StatusConflict)
	}
	return u.failure(err, http.StatusUnprocessableEntity)
}

// Audits.

func (q *req) newAuditPage() error {
	cs, err := q.s.contestSummaries(q.r.Context())
	if err != nil {
		return err
	}
	methods := map[string][]string{}
	for _, k := range []audit.Kind{audit.Comparison, audit.Polling, audit.BatchKind, audit.Hybrid} {
		methods[string(k)] = audit.MethodNames(k)
	}
	return q.page("newaudit", map[string]any{"Contests": cs, "Kinds": []string{"comparison", "polling", "batch", "hybrid"}, "Methods": methods})
}

// auditForm starts an audit (the fields of AuditOptions; the manifest is a file of the form).
type auditForm struct {
	Contests        []string `json:"contests"`
	Kind            string   `json:"kind"`
	Method          string   `json:"method"`
	RiskLimit       float64  `json:"risk_limit"`
	Seed            string   `json:"seed"`
	RoundSize       int64    `json:"round_size,omitempty"`
	Quantile        float64  `json:"quantile,omitempty"`
	WithReplacement bool     `json:"with_replacement,omitempty"`
	Source          string   `json:"source,omitempty"`
	CardStyle       bool     `json:"card_style,omitempty"`
}

func (q *req) startAudit() error {
	var in auditForm
	var manifest string
	if strings.HasPrefix(q.r.Header.Get("Content-Type"), "application/json") {
		if err := q.checkCSRF(q.r.Header.Get("X-CSRF-Token")); err != nil {
			return err
		}
		if err := q.decodeJSON(&in); err != nil {
			return err
		}
	} else {
		u, err := q.readMultipart(1, 1<<30)
		if err != nil {
			return err
		}
		defer u.cleanup()
		in.Contests = u.fields["contest"]
		in.Kind, in.Method, in.Seed, in.Source = u.get("kind"), u.get("method"), u.get("seed"), u.get("source")
		num := func(k string, bits int) float64 {
			f, _ := strconv.ParseFloat(u.get(k), bits)
			return f
		}
		in.RiskLimit, in.Quantile, in.RoundSize = num("risk_limit", 64), num("quantile", 64), int64(num("round_size", 64))
		in.WithReplacement, in.CardStyle = u.get("with_replacement") != "", u.get("card_style") != ""
		if len(u.files) == 1 && u.files[0].Size > 0 {
			manifest = u.files[0].Path
		}
		if in.RiskLimit == 0 && u.get("risk_limit") != "" {
			return badRequest("risk limit %q", u.get("risk_limit"))
		}
	}
	if len(in.Contests) == 0 {
		return badRequest("choose the contests to audit")
	}
	opts := workspace.AuditOptions{Contests: in.Contests, Manifest: manifest, Source: in.Source, CardStyle: in.CardStyle,
		Config: audit.Config{Kind: audit.Kind(in.Kind), Method: in.Method, RiskLimit: in.RiskLimit, Seed: in.Seed, RoundSize: in.RoundSize, Quantile: in.Quantile, WithReplacement: in.WithReplacement}}
	if opts.Quantile == 0 {
		opts.Quantile = 0.9
	}
	v, err := q.ws.AuditStart(q.r.Context(), opts)
	if err != nil {
		return unprocessable(err)
	}
	if q.api {
		q.json(http.StatusCreated, v)
		return nil
	}
	return q.redirect("/admin/audits/" + strconv.FormatUint(v.ID, 10))
}

// boardsOf is the number of boards sharing a jurisdiction's list in a round: as the board
// accounts of that round say, else 1.
func boardsOf(accts []workspace.Account, id uint64, round int, jur string) int {
	n := 1
	for _, a := range accts {
		s := a.Scope
		if a.Role == workspace.RoleAuditBoard && s.Audit == id && s.Round == round && s.Jurisdiction == jur && s.Boards > n {
			n = s.Boards
		}
	}
	return n
}

// retrievalRow is a row of a retrieval list with where its reading stands.
type retrievalRow struct {
	sampler.RetrievalRow
	Card     string `json:"card"`
	Recorded bool   `json:"recorded"`
}

// retrieval returns the open round's retrieval rows the account may see (its jurisdictions;
// one jurisdiction when jur is given), each jurisdiction's list shared among its boards.
func (q *req) retrieval(id uint64, jur string) ([]retrievalRow, int, error) {
	if jur != "" && !q.inScope(jur) {
		return nil, 0, q.outOfScope(jur)
	}
	ctx := q.r.Context()
	accts, err := q.s.w.Accounts(ctx)
	if err != nil {
		return nil, 0, err
	}
	st, err := q.s.w.AuditStatus(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	if len(st.Rounds) == 0 || st.Rounds[len(st.Rounds)-1].Ended {
		return []retrievalRow{}, 0, nil
	}
	round := st.Rounds[len(st.Rounds)-1].Number
	rep, err := q.s.w.AuditReport(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	recorded := map[string]bool{}
	for _, c := range rep.Sample {
		if c.Found != "" {
			recorded[c.Card] = true
		}
	}
	// Each jurisdiction's list is shared among its own number of boards.
	byBoards := map[int][]sampler.RetrievalRow{}
	out := []retrievalRow{}
	seen := map[string]bool{}
	rows1, _, err := q.s.w.AuditRetrievalRows(ctx, id, 1)
	if err != nil {
		return nil, 0, err
	}
	for _, r := range rows1 {
		if jur != "" && r.Jurisdiction != jur || !q.inScope(r.Jurisdiction) || seen[r.Jurisdiction] {
			continue
		}
		seen[r.Jurisdiction] = true
		n := boardsOf(accts, id, round, r.Jurisdiction)
		if byBoards[n] == nil {
			if byBoards[n], _, err = q.s.w.AuditRetrievalRows(ctx, id, n); err != nil {
				return nil, 0, err
			}
		}
		for _, x := range byBoards[n] {
			if x.Jurisdiction == r.Jurisdiction {
				card := workspace.RetrievalCard(x).String()
				out = append(out, retrievalRow{RetrievalRow: x, Card: card, Recorded: recorded[card]})
			}
		}
	}
	return out, round, nil
}

func (q *req) adminAuditPage() error {
	id, err := q.auditID()
	if err != nil {
		return err
	}
	st, err := q.s.w.AuditStatus(q.r.Context(), id)
	if err != nil {
		return err
	}
	rows, round, err := q.retrieval(id, q.r.URL.Query().Get("jurisdiction"))
	if err != nil {
		return err
	}
	accts, err := q.visibleAccounts()
	if err != nil {
		return err
	}
	var boardAccts []workspace.Account
	for _, a := range accts {
		if a.Role == workspace.RoleAuditBoard && a.Scope.Audit == id {
			boardAccts = append(boardAccts, a)
		}
	}
	jurs := map[string]bool{}
	for _, r := range rows {
		jurs[r.Jurisdiction] = true
	}
	var jl []string
	for j := range jurs {
		jl = append(jl, j)
	}
	sort.Strings(jl)
	done := 0
	for _, r := range rows {
		if r.Recorded {
			done++
		}
	}
	return q.page("adminaudit", map[string]any{"S": st, "Rows": rows, "Round": round, "Done": done, "Boards": boardAccts, "Jurisdictions": jl,
		"State": q.isState(), "CanEnd": q.isState() && st.Missing == 0 && st.Status == string(audit.InProgress)})
}

func (q *req) retrievalCSV() error {
	id, err := q.auditID()
	if err != nil {
		return err
	}
	jur := q.r.URL.Query().Get("jurisdiction")
	rows, round, err := q.retrieval(id, jur)
	if err != nil {
		return err
	}
	plain := make([]sampler.RetrievalRow, len(rows))
	for i, r := range rows {
		plain[i] = r.RetrievalRow
	}
	name := fmt.Sprintf("retrieval-audit-%d-round-%d", id, round)
	if jur != "" {
		name += "-" + workspace.SafeFileName(jur)
	}
	q.rw.Header().Set("Content-Type", "text/csv; charset=utf-8")
	q.rw.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name+".csv"))
	return sampler.WriteRetrievalCSV(q.rw, plain)
}

func (q *req) apiRetrieval() error {
	id, err := q.auditID()
	if err != nil {
		return err
	}
	rows, round, err := q.retrieval(id, q.r.URL.Query().Get("jurisdiction"))
	if err != nil {
		return err
	}
	return list(q, rows, 500, 5000, map[string]any{"round": round})
}

func (q *req) endRound() error {
	id, err := q.auditID()
	if err != nil {
		return err
	}
	v, err := q.ws.AuditEndRound(q.r.Context(), id)
	if err != nil {
		return &httpError{status: http.StatusConflict, msg: err.Error()}
	}
	if q.api {
		q.json(http.StatusOK, v)
		return nil
	}
	return q.redirect("/admin/audits/" + strconv.FormatUint(id, 10))
}

func (q *req) escalate() error {
	id, err := q.auditID()
	if err != nil {
		return err
	}
	reason := q.r.PostFormValue("reason")
	if q.api {
		var in struct {
			Reason string `json:"reason"`
		}
		if err := q.decodeJSON(&in); err != nil {
			return err
		}
		reason = in.Reason
	}
	if strings.TrimSpace(reason) == "" {
		return badRequest("say why the audit goes to a full hand count")
	}
	if err := q.ws.AuditEscalate(q.r.Context(), id, reason); err != nil {
		return &httpError{status: http.StatusConflict, msg: err.Error()}
	}
	if q.api {
		q.json(http.StatusOK, map[string]any{"escalated": id})
		return nil
	}
	return q.redirect("/admin/audits/" + strconv.FormatUint(id, 10))
}

// Certification. The board members' signing keys are uploaded with the form, used to sign the
// statement and forgotten: the server never stores them. (Signing with 'canvass certify' on
// the members' own machines keeps the keys off the server altogether.)

func (q *req) certifyPage() error {
	cs, err := q.s.contestSummaries(q.r.Context())
	if err != nil {
		return err
	}
	certs, err := q.s.w.Certifications(q.r.Context())
	if err != nil {
		return err
	}
	return q.page("certify", map[string]any{"Contests": cs, "Certs": certs})
}

func (q *req) certify() error {
	u, err := q.readMultipart(16, 4<<10)
	if err != nil {
		return err
	}
	defer u.cleanup()
	opts := workspace.CertifyOptions{Contest: u.get("contest"), Source: u.get("source"), Reason: u.get("reason")}
	if a := u.get("amends"); a != "" {
		n, err := strconv.ParseUint(a, 10, 64)
		if err != nil {
			return badRequest("amends %q: the entry of the certification amended", a)
		}
		opts.Amends = &n
	}
	for _, line := range strings.Split(u.get("overrides"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		rule, reason, ok := strings.Cut(line, "=")
		if !ok {
			return badRequest("override %q: write rule=reason", line)
		}
		if opts.Overrides == nil {
			opts.Overrides = map[string]string{}
		}
		opts.Overrides[strings.TrimSpace(rule)] = strings.TrimSpace(reason)
	}
	for _, f := range u.files {
		b, err := os.ReadFile(f.Path)
		if err != nil {
			return err
		}
		s, err := workspace.ParseSigner(string(b))
		if err != nil {
			return badRequest("%s: %v", f.Name, err)
		}
		opts.Signers = append(opts.Signers, s)
	}
	c, err := q.ws.Certify(q.r.Context(), opts)
	if err != nil {
		return unprocessable(err)
	}
	out := map[string]any{"entry": c.Seq, "type": c.Type, "contest": c.Body.Contest, "winners": c.Body.Winners, "signed_statement": c.Body.Note}
	if q.api || wantsJSON(q.r) {
		q.json(http.StatusCreated, out)
		return nil
	}
	return q.page("certified", map[string]any{"C": c})
}

// Accounts.

// visibleAccounts are the accounts an administrator manages: all for a state administrator;
// for a jurisdiction administrator, their own and their jurisdictions' audit boards.
func (q *req) visibleAccounts() ([]workspace.Account, error) {
	all, err := q.s.w.Accounts(q.r.Context())
	if err != nil {
		return nil, err
	}
	out := []workspace.Account{}
	for _, a := range all {
		if q.isState() || a.Name == q.sess.Account.Name || a.Role == workspace.RoleAuditBoard && q.inScope(a.Scope.Jurisdiction) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (q *req) accountsPage() error {
	accts, err := q.visibleAccounts()
	if err != nil {
		return err
	}
	ids, err := q.s.w.Audits(q.r.Context())
	if err != nil {
		return err
	}
	return q.page("accounts", map[string]any{"Accounts": accts, "Audits": ids, "State": q.isState(), "Roles": workspace.Roles})
}

func (q *req) apiAccounts() error {
	accts, err := q.visibleAccounts()
	if err != nil {
		return err
	}
	return list(q, accts, 100, 1000, nil)
}

// accountForm creates an account.
type accountForm struct {
	Name     string          `json:"name"`
	Role     string          `json:"role"`
	Password string          `json:"password"`
	Scope    workspace.Scope `json:"scope"`
}

func (q *req) createAccount() error {
	var in accountForm
	if q.api {
		if err := q.decodeJSON(&in); err != nil {
			return err
		}
	} else {
		f := q.r.PostFormValue
		in.Name, in.Role, in.Password = f("name"), f("role"), f("password")
		if f("password") != f("again") {
			return badRequest("the password and its repetition differ")
		}
		for _, j := range strings.FieldsFunc(f("jurisdictions"), func(r rune) bool { return r == ',' || r == '\n' }) {
			in.Scope.Jurisdictions = append(in.Scope.Jurisdictions, strings.TrimSpace(j))
		}
		atoi := func(k string) int { n, _ := strconv.Atoi(f(k)); return n }
		in.Scope.Audit, in.Scope.Round, in.Scope.Board, in.Scope.Boards = uint64(atoi("audit")), atoi("round"), atoi("board"), atoi("boards")
		in.Scope.Jurisdiction = strings.TrimSpace(f("jurisdiction"))
		if in.Role != workspace.RoleJurisdictionAdmin {
			in.Scope.Jurisdictions = nil
		}
		if in.Role != workspace.RoleAuditBoard {
			in.Scope.Audit, in.Scope.Round, in.Scope.Board, in.Scope.Boards, in.Scope.Jurisdiction = 0, 0, 0, 0, ""
		}
	}
	if !q.isState() {
		if in.Role != workspace.RoleAuditBoard {
			return &httpError{status: http.StatusForbidden, msg: "a jurisdiction administrator creates audit-board accounts only"}
		}
		if !q.inScope(in.Scope.Jurisdiction) {
			return q.outOfScope(in.Scope.Jurisdiction)
		}
	}
	a, err := q.ws.CreateAccount(q.r.Context(), workspace.NewAccount{Name: in.Name, Role: in.Role, Scope: in.Scope, Password: in.Password})
	if err != nil {
		return unprocessable(err)
	}
	if q.api {
		q.json(http.StatusCreated, a)
		return nil
	}
	return q.redirect("/admin/accounts")
}

func (q *req) disableAccount() error {
	name := q.r.PathValue("name")
	disabled := q.r.PostFormValue("disabled") != "false"
	if q.api {
		var in struct {
			Disabled bool `json:"disabled"`
		}
		if err := q.decodeJSON(&in); err != nil {
			return err
		}
		disabled = in.Disabled
	}
	if name == q.sess.Account.Name {
		return &httpError{status: http.StatusForbidden, msg: "you cannot disable your own account"}
	}
	accts, err := q.visibleAccounts()
	if err != nil {
		return err
	}
	var found bool
	for _, a := range accts {
		found = found || a.Name == name
	}
	if !found {
		return &httpError{status: http.StatusForbidden, msg: fmt.Sprintf("account %q is not one you manage", name)}
	}
	if err := q.ws.SetDisabled(q.r.Context(), name, disabled); err != nil {
		return unprocessable(err)
	}
	if q.api {
		q.json(http.StatusOK, map[string]any{"name": name, "disabled": disabled})
		return nil
	}
	return q.redirect("/admin/accounts")
}
