package web

import (
	"slices"

	"github.com/canvass-vote/canvass/workspace"
)

// Who may reach a route besides the account roles of package workspace.
const (
	anyone   = "anyone"    // the public, signed in or not
	signedIn = "signed-in" // any account
)

var (
	public    = []string{anyone}
	accounts  = []string{signedIn}
	officials = []string{workspace.RoleStateAdmin, workspace.RoleJurisdictionAdmin}
	stateOnly = []string{workspace.RoleStateAdmin}
	boards    = []string{workspace.RoleAuditBoard}
)

// route is one entry of the route table: a method and path (a net/http ServeMux pattern), who
// may reach it, and its handler. The handler checks the scope (jurisdictions, the board) of
// what it is asked to act on.
type route struct {
	Method string
	Path   string
	Roles  []string
	// ownCSRF routes check their CSRF protection themselves: the multipart forms read their
	// token from the X-CSRF-Token header or from the form's first field, before any file
	// (readMultipart); the sign-in routes have theirs (a pre-session, or a JSON body), as a
	// browser that signs in may hold a session already.
	ownCSRF bool
	handle  func(q *req) error
}

// allows reports whether a request of role (signed in or not) may reach the route.
func (rt route) allows(role string, in bool) bool {
	return slices.Contains(rt.Roles, anyone) || in && (slices.Contains(rt.Roles, signedIn) || slices.Contains(rt.Roles, role))
}

// RouteInfo describes a route of the table, for tests and documentation.
type RouteInfo struct {
	Method string
	Path   string
	// Roles may reach it: "anyone" (the public too), "signed-in" (any account), or roles of
	// accounts (workspace.RoleStateAdmin, …).
	Roles []string
}

// Routes lists the route table.
func Routes() []RouteInfo {
	out := make([]RouteInfo, len(routes))
	for i, rt := range routes {
		out[i] = RouteInfo{Method: rt.Method, Path: rt.Path, Roles: append([]string(nil), rt.Roles...)}
	}
	return out
}

// routes is the route table: every request the server answers but static assets.
var routes []route

func init() {
	routes = []route{
		// Public pages.
		{Method: "GET", Path: "/{$}", Roles: public, handle: (*req).homePage},
		{Method: "GET", Path: "/results", Roles: public, handle: (*req).resultsPage},
		{Method: "GET", Path: "/turnout", Roles: public, handle: (*req).turnoutPage},
		{Method: "GET", Path: "/audits", Roles: public, handle: (*req).auditsPage},
		{Method: "GET", Path: "/audits/{id}", Roles: public, handle: (*req).auditPage},
		{Method: "GET", Path: "/recount", Roles: public, handle: (*req).recountPage},
		{Method: "GET", Path: "/electoral", Roles: public, handle: (*req).electoralPage},
		{Method: "GET", Path: "/verify", Roles: public, handle: (*req).verifyPage},
		{Method: "GET", Path: "/log/", Roles: public, handle: (*req).publishedLog},
		{Method: "GET", Path: "/login", Roles: public, handle: (*req).loginPage},
		{Method: "POST", Path: "/login", Roles: public, ownCSRF: true, handle: (*req).loginForm},
		{Method: "POST", Path: "/logout", Roles: accounts, handle: (*req).logout},
		{Method: "GET", Path: "/account", Roles: accounts, handle: (*req).accountPage},
		{Method: "POST", Path: "/account/password", Roles: accounts, handle: (*req).changePassword},

		// Audit boards.
		{Method: "GET", Path: "/board", Roles: boards, handle: (*req).boardPage},
		{Method: "GET", Path: "/board/ballots/{n}", Roles: boards, handle: (*req).ballotPage},
		{Method: "POST", Path: "/board/ballots/{n}", Roles: boards, handle: (*req).confirmBallot},

		// Officials.
		{Method: "GET", Path: "/admin", Roles: officials, handle: (*req).adminPage},
		{Method: "POST", Path: "/admin/imports", Roles: officials, ownCSRF: true, handle: (*req).importFile},
		{Method: "GET", Path: "/admin/audits/new", Roles: stateOnly, handle: (*req).newAuditPage},
		{Method: "POST", Path: "/admin/audits", Roles: stateOnly, ownCSRF: true, handle: (*req).startAudit},
		{Method: "GET", Path: "/admin/audits/{id}", Roles: officials, handle: (*req).adminAuditPage},
		{Method: "GET", Path: "/admin/audits/{id}/retrieval.csv", Roles: officials, handle: (*req).retrievalCSV},
		{Method: "POST", Path: "/admin/audits/{id}/end-round", Roles: stateOnly, handle: (*req).endRound},
		{Method: "POST", Path: "/admin/audits/{id}/escalate", Roles: stateOnly, handle: (*req).escalate},
		{Method: "GET", Path: "/admin/certify", Roles: stateOnly, handle: (*req).certifyPage},
		{Method: "POST", Path: "/admin/certify", Roles: stateOnly, ownCSRF: true, handle: (*req).certify},
		{Method: "GET", Path: "/admin/recounts", Roles: stateOnly, handle: (*req).adminRecountsPage},
		{Method: "POST", Path: "/admin/recounts", Roles: stateOnly, handle: (*req).startRecount},
		{Method: "GET", Path: "/admin/recounts/{id}", Roles: stateOnly, handle: (*req).adminRecountPage},
		{Method: "POST", Path: "/admin/recounts/{id}/entries", Roles: stateOnly, ownCSRF: true, handle: (*req).enterRecount},
		{Method: "POST", Path: "/admin/recounts/{id}/finish", Roles: stateOnly, handle: (*req).finishRecount},
		{Method: "GET", Path: "/admin/accounts", Roles: officials, handle: (*req).accountsPage},
		{Method: "POST", Path: "/admin/accounts", Roles: officials, handle: (*req).createAccount},
		{Method: "POST", Path: "/admin/accounts/{name}/disabled", Roles: officials, handle: (*req).disableAccount},

		// The JSON API (docs/API.md).
		{Method: "POST", Path: "/api/v1/session", Roles: public, ownCSRF: true, handle: (*req).apiSignIn},
		{Method: "GET", Path: "/api/v1/session", Roles: accounts, handle: (*req).apiSession},
		{Method: "DELETE", Path: "/api/v1/session", Roles: accounts, handle: (*req).logout},
		{Method: "POST", Path: "/api/v1/account/password", Roles: accounts, handle: (*req).changePassword},
		{Method: "GET", Path: "/api/v1/contests", Roles: public, handle: (*req).apiContests},
		{Method: "GET", Path: "/api/v1/results", Roles: public, handle: (*req).apiResults},
		{Method: "GET", Path: "/api/v1/turnout", Roles: public, handle: (*req).apiTurnout},
		{Method: "GET", Path: "/api/v1/audits", Roles: public, handle: (*req).apiAudits},
		{Method: "GET", Path: "/api/v1/audits/{id}", Roles: public, handle: (*req).apiAudit},
		{Method: "GET", Path: "/api/v1/recounts", Roles: public, handle: (*req).apiRecounts},
		{Method: "GET", Path: "/api/v1/recounts/{id}", Roles: public, handle: (*req).apiRecount},
		{Method: "GET", Path: "/api/v1/electoral", Roles: public, handle: (*req).apiElectoral},
		{Method: "GET", Path: "/api/v1/checkpoint", Roles: public, handle: (*req).apiCheckpoint},
		{Method: "GET", Path: "/api/v1/certifications", Roles: public, handle: (*req).apiCertifications},
		{Method: "GET", Path: "/api/v1/board", Roles: boards, handle: (*req).apiBoard},
		{Method: "GET", Path: "/api/v1/board/ballots/{n}", Roles: boards, handle: (*req).apiBallot},
		{Method: "POST", Path: "/api/v1/board/ballots/{n}/confirm", Roles: boards, handle: (*req).confirmBallot},
		{Method: "GET", Path: "/api/v1/files", Roles: officials, handle: (*req).apiFiles},
		{Method: "POST", Path: "/api/v1/imports", Roles: officials, ownCSRF: true, handle: (*req).importFile},
		{Method: "POST", Path: "/api/v1/audits", Roles: stateOnly, ownCSRF: true, handle: (*req).startAudit},
		{Method: "GET", Path: "/api/v1/audits/{id}/retrieval", Roles: officials, handle: (*req).apiRetrieval},
		{Method: "POST", Path: "/api/v1/audits/{id}/end-round", Roles: stateOnly, handle: (*req).endRound},
		{Method: "POST", Path: "/api/v1/audits/{id}/escalate", Roles: stateOnly, handle: (*req).escalate},
		{Method: "POST", Path: "/api/v1/recounts", Roles: stateOnly, handle: (*req).startRecount},
		{Method: "POST", Path: "/api/v1/recounts/{id}/entries", Roles: stateOnly, ownCSRF: true, handle: (*req).enterRecount},
		{Method: "POST", Path: "/api/v1/recounts/{id}/finish", Roles: stateOnly, handle: (*req).finishRecount},
		{Method: "POST", Path: "/api/v1/certifications", Roles: stateOnly, ownCSRF: true, handle: (*req).certify},
		{Method: "GET", Path: "/api/v1/accounts", Roles: officials, handle: (*req).apiAccounts},
		{Method: "POST", Path: "/api/v1/accounts", Roles: officials, handle: (*req).createAccount},
		{Method: "POST", Path: "/api/v1/accounts/{name}/disabled", Roles: officials, handle: (*req).disableAccount},
	}
}
