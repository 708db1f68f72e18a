package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// TestPages opens the pages the other tests do not walk through, as the public and as the
// state administrator: each answers 200 with its heading and something of the demo's data,
// reads on a phone without scrolling sideways, and is captured (make screenshots).
//
// The figures come from the demo's public sources: the Wisconsin recount of Milwaukee and Dane
// moved Biden's margin from 20,608 to 20,682 (demo.TestBuild); the certified 2020 electoral
// votes are Biden 306, Trump 232 (the National Archives' certificates, package electoral).
func TestPages(t *testing.T) {
	s := demoSite(t)
	public := newTab(t, s)
	for _, p := range []struct {
		path, name string
		widths     []int
		heading    string // the start of the page's h1
		shows      string // text the page's main content holds
	}{
		{"/turnout", "turnout", []int{desktopW}, "Turnout", "MILWAUKEE"},
		{"/audits", "audits", nil, "Risk-limiting audits", "kaplan-markov"},
		{fmt.Sprintf("/recount?id=%d", s.b.WisconsinRecount), "recount", []int{desktopW}, "Recount", "20,682"},
		{"/electoral", "electoral", []int{phoneW, desktopW}, "Electoral", "306"},
		{"/verify", "verify", []int{desktopW}, "Check the record yourself", "canvass verify"},
		{"/login", "sign-in", []int{phoneW}, "Sign in", "Account name"},
	} {
		public.open(p.path)
		if h := public.text("main h1"); !strings.HasPrefix(h, p.heading) {
			t.Errorf("%s: the heading is %q, want it to start with %q", p.path, h, p.heading)
		}
		if m := public.text("main"); !strings.Contains(m, p.shows) {
			t.Errorf("%s does not show %q: %.3000s", p.path, p.shows, m)
		}
		public.shoot(p.name, p.widths...)
	}

	admin := newTab(t, s)
	admin.signIn("state-admin")
	for _, p := range []struct {
		path, name string
		widths     []int
		heading    string
		shows      string
	}{
		{"/admin", "admin-import", []int{desktopW}, "Officials", "Upload and import"},
		{"/admin/accounts", "admin-accounts", nil, "Accounts", "adams-board-b"},
		{"/admin/audits/new", "admin-audit-new", nil, "Start a risk-limiting audit", "Risk limit"},
	} {
		admin.open(p.path)
		if h := admin.text("main h1"); !strings.HasPrefix(h, p.heading) {
			t.Errorf("%s: the heading is %q, want it to start with %q", p.path, h, p.heading)
		}
		if m := admin.text("main"); !strings.Contains(m, p.shows) {
			t.Errorf("%s does not show %q", p.path, p.shows)
		}
		admin.shoot(p.name, p.widths...)
	}
}
