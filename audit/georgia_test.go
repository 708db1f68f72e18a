package audit_test

import (
	"encoding/csv"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/audit/sampler"
	"github.com/canvass-vote/canvass/results"
)

// georgia reads Georgia's 2020 presidential audit report (machine-count totals and the hand
// tally of every batch) and the certified county results.
func georgia(t *testing.T) (*results.ArloReport, map[string][3]int64) {
	t.Helper()
	f, err := os.Open("../testdata/us2020/ga/arlo_audit_report_2020-11-19.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := results.ReadArloReport(f, "arlo_audit_report_2020-11-19.csv")
	if err != nil {
		t.Fatal(err)
	}
	cf, err := os.Open("../testdata/us2020/national/county_presidential_results_2020.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer cf.Close()
	rows, err := csv.NewReader(cf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// state_name,county_fips,county_name,votes_gop,votes_dem,total_votes,...
	counties := map[string][3]int64{}
	for _, r := range rows[1:] {
		if r[0] != "Georgia" {
			continue
		}
		gop, _ := strconv.ParseInt(r[3], 10, 64)
		dem, _ := strconv.ParseInt(r[4], 10, 64)
		tot, _ := strconv.ParseInt(r[5], 10, 64)
		counties[countyKey(r[2])] = [3]int64{gop, dem, tot}
	}
	if len(counties) != 159 {
		t.Fatalf("%d Georgia counties", len(counties))
	}
	return rep, counties
}

func countyKey(s string) string {
	return strings.TrimSuffix(strings.ToUpper(strings.TrimSpace(s)), " COUNTY")
}

// TestGeorgiaBallotPollingPlan: why Georgia went to a full hand count. The machine count
// (the report's CONTESTS section): Biden 2,474,248, Trump 2,461,468, Jorgensen 62,131 of
// 5,023,513 ballots, a margin of 12,780 votes (0.25%). BRAVO's average sample number at a 10%
// risk limit (Lindeman, Stark, Yates 2012), by hand: p_w = 0.4925334, p_ℓ = 0.4899894,
// s_w = p_w/(p_w + p_ℓ) = 0.5012946, ASN = (ln 10 + ln(2 s_w)/2)/(p_w ln(2 s_w) + p_ℓ ln(2 − 2 s_w))
// = 699,495.6 → 699,496 ballots, 13.9% of all ballots, on average; a first round that
// finishes with probability 90% needs 2,170,311 ballots (43%). Retrieving that many ballots one by one is
// more work than counting every ballot by batch, which is what Georgia did.
func TestGeorgiaBallotPollingPlan(t *testing.T) {
	rep, _ := georgia(t)
	ac := rep.Contests[0]
	c := &audit.Contest{Name: ac.Name, Ballots: ac.TotalBallotsCast, Winners: 1}
	for _, name := range []string{"Donald J. Trump", "Joseph R. Biden", "Jo Jorgensen"} {
		v, _ := ac.TabulatedVotes.Votes(name)
		c.Choices = append(c.Choices, audit.Choice{Name: name, Votes: v})
	}
	if c.Ballots != 5023513 || c.Choices[1].Votes != 2474248 {
		t.Fatalf("contest %+v", c)
	}
	asn, err := audit.BravoASN(c, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if math.Ceil(asn) != 699496 {
		t.Errorf("ASN %v, want 699,496", asn)
	}
	q, err := audit.BravoSampleSizes(c, 0.1, nil, 0, []float64{0.9})
	if err != nil {
		t.Fatal(err)
	}
	if q[0.9] != 2170311 {
		t.Errorf("90%% first round %d", q[0.9])
	}
	t.Logf("BRAVO at 10%%: ASN %.0f ballots (%.1f%% of %d), 90%% first round %d", math.Ceil(asn), 100*math.Ceil(asn)/float64(c.Ballots), c.Ballots, q[0.9])
}

// TestGeorgiaBatchComparison: a MACRO batch-comparison audit with the 159 counties as batches,
// comparing the certified county results (reported) with the audit's hand count (the sum of
// each county's batch tallies), at a 10% risk limit.
//
// By hand: with V = 11,779 the certified Biden–Trump margin and N the ballots, every county's
// error bound is (v_w − v_ℓ + b_p)/V for that pair (the other pairs' margins are millions of
// votes), so U = Σ u_p = (V + N)/V, and a zero-error audit needs ⌈ln α / ln(1 − 1/U)⌉ ≈ 979
// PPEB draws — more than the 159 counties: the plan is to count every county by hand, which is
// what Georgia did. With every county counted, the hand count upholds the outcome (risk 0);
// and a PPEB sample of 2,000 draws from the counted counties, drawn with the seed, measures a
// risk under 10%, the largest taint being Brantley County's 1.2%.
func TestGeorgiaBatchComparison(t *testing.T) {
	rep, counties := georgia(t)
	names := []string{"Donald J. Trump", "Joseph R. Biden", "Jo Jorgensen"}
	col := map[string]int{}
	for i, ch := range rep.BatchResults.Choices {
		col[ch] = i
	}
	hand := map[string]map[string]int64{}
	for _, b := range rep.BatchResults.Batches {
		k := countyKey(b.Jurisdiction)
		if hand[k] == nil {
			hand[k] = map[string]int64{}
		}
		for _, n := range names {
			if v := b.Votes[col[n]]; v > 0 {
				hand[k][n] += v
			}
		}
	}
	if len(hand) != 159 {
		t.Fatalf("hand count of %d counties", len(hand))
	}
	c := &audit.Contest{Name: "President of the United States", Winners: 1}
	reported := map[string]int64{}
	var batches []audit.Batch
	var ballots int64
	keys := make([]string, 0, len(counties))
	for k := range counties {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the batches in a fixed order, so that the seed gives the same draws
	for _, k := range keys {
		v := counties[k]
		rp := map[string]int64{"Donald J. Trump": v[0], "Joseph R. Biden": v[1], "Jo Jorgensen": v[2] - v[0] - v[1]}
		for n, x := range rp {
			reported[n] += x
		}
		ballots += v[2]
		batches = append(batches, audit.Batch{Name: k, Reported: rp, Audited: hand[k], Ballots: v[2]})
	}
	for _, n := range names {
		c.Choices = append(c.Choices, audit.Choice{Name: n, Votes: reported[n]})
	}
	c.Ballots = ballots
	// The certified totals: Biden 2,473,633, Trump 2,461,854 (Georgia's certification after the
	// machine recount).
	if reported["Joseph R. Biden"] != 2473633 || reported["Donald J. Trump"] != 2461854 {
		t.Fatalf("certified totals %v", reported)
	}
	plan := make([]audit.Batch, len(batches))
	for i, b := range batches {
		plan[i] = b
		plan[i].Audited = nil // the plan is made before any batch is counted
	}
	n, err := audit.MacroSampleSize(c, plan, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	v := float64(reported["Joseph R. Biden"] - reported["Donald J. Trump"])
	u := (v + float64(c.Ballots)) / v
	var sumU, maxTaint float64
	var worst string
	for _, b := range batches {
		sumU += audit.MacroErrorBound(c, b)
		if tt := audit.MacroTaint(c, b); tt > maxTaint {
			maxTaint, worst = tt, b.Name
		}
	}
	zeroErr := math.Ceil(math.Log(0.1) / math.Log(1-1/u))
	if math.Abs(sumU-u) > 1e-9*u || zeroErr != 979 || n != 159 {
		t.Errorf("U = %v (by hand %v), zero-error draws %v, plan %d; want 979 draws, so all 159 counties", sumU, u, zeroErr, n)
	}
	all := make([]int, len(batches))
	for i := range all {
		all[i] = i
	}
	if p, err := audit.MacroPValue(c, batches, all); err != nil || p != 0 {
		t.Errorf("every county counted: risk %v, %v; want 0", p, err)
	}
	sample, err := sampler.Weighted("31415926535897932384", audit.PPEBWeights(c, batches), 2000)
	if err != nil {
		t.Fatal(err)
	}
	p, err := audit.MacroPValue(c, batches, sample)
	if err != nil {
		t.Fatal(err)
	}
	if p > 0.1 || worst != "BRANTLEY" || maxTaint > 0.0124 {
		t.Errorf("MACRO risk %v after 2,000 draws; largest taint %v in %s", p, maxTaint, worst)
	}
	t.Logf("MACRO at 10%%: U = %.2f, %v zero-error draws > 159 counties; 2,000 draws: risk %.4f; largest taint %.4f (%s)", u, zeroErr, p, maxTaint, worst)
}
