package e2e

import (
	"strings"
	"testing"
)

// The official figures the drill-down must show, from the Wisconsin Elections Commission's
// ward-by-ward report of the 2020 presidential election after the recount
// (testdata/us2020/wi/wec_wardbyward_president_by_assembly_district_after_recount.csv, the
// CSV of the report the demo imports): statewide Biden 1,630,866 and Trump 1,610,184 (the
// WEC's canvass); Milwaukee County Biden 317,527 and Trump 134,482 (the sum of its wards);
// the Village of Bayside's Wards 1,3 in Milwaukee County, the report's line 1763, Biden 719
// and Trump 323.
const (
	biden = "Joseph R. Biden / Kamala D. Harris"
	trump = "Donald J. Trump / Michael R. Pence"
)

// TestResultsDrillDown: a reader opens the results, chooses the presidential contest as
// reported, then Milwaukee County, then one of its wards, by clicking as a person does, and
// reads the official figures at each level; the breadcrumbs lead back up.
func TestResultsDrillDown(t *testing.T) {
	s := demoSite(t)
	tb := newTab(t, s)
	tb.open("/")
	tb.shoot("results", phoneW, desktopW)

	tb.follow(`//main//h2/a[normalize-space()="President" and contains(@href, "source=results")]`)
	if h := tb.text("main h1"); h != "President" {
		t.Errorf("the contest page's heading is %q", h)
	}
	checkVotes(t, "Wisconsin", tb.bars(), map[string]string{biden: "1,630,866", trump: "1,610,184"})
	tb.shoot("results-state")

	tb.follow(`//main//table//th/a[normalize-space()="MILWAUKEE"]`)
	if h := tb.text("main h1"); h != "President: MILWAUKEE" {
		t.Errorf("Milwaukee County's heading is %q", h)
	}
	if c := tb.text("nav.crumbs"); !strings.Contains(c, "All") || !strings.Contains(c, "MILWAUKEE") {
		t.Errorf("Milwaukee County's breadcrumbs: %q", c)
	}
	checkVotes(t, "Milwaukee County", tb.bars(), map[string]string{biden: "317,527", trump: "134,482"})
	tb.shoot("results-county", phoneW, desktopW)

	tb.follow(`//main//table//th/a[normalize-space()="Village of BAYSIDE / Village of BAYSIDE Wards 1,3"]`)
	checkVotes(t, "Bayside Wards 1,3", tb.bars(), map[string]string{biden: "719", trump: "323"})
	if l := tb.text("main p.lead"); !strings.HasPrefix(l, "One ward or precinct: 1,049 votes") {
		t.Errorf("the ward's summary: %q", l)
	}
	tb.shoot("results-ward", phoneW)

	// Back up through the breadcrumbs: the county, then the state.
	tb.follow(`//nav[contains(@class, "crumbs")]//a[normalize-space()="MILWAUKEE"]`)
	checkVotes(t, "Milwaukee County (back)", tb.bars(), map[string]string{biden: "317,527"})
	tb.follow(`//nav[contains(@class, "crumbs")]//a[normalize-space()="All"]`)
	checkVotes(t, "Wisconsin (back)", tb.bars(), map[string]string{biden: "1,630,866"})
}

// checkVotes checks the bar chart's vote counts ("N votes · S%").
func checkVotes(t *testing.T, where string, bars map[string]string, want map[string]string) {
	t.Helper()
	for name, votes := range want {
		got, ok := bars[name]
		if !ok {
			t.Errorf("%s: no bar for %s among %v", where, name, bars)
			continue
		}
		if !strings.HasPrefix(got, votes+" votes") {
			t.Errorf("%s: %s has %q, want %s votes", where, name, got, votes)
		}
	}
}
