package recount

import (
	"math/bits"
	"strings"
)

// Fraction is an exact share Num/Den (1/100 is one percent); Den 0 means no share.
type Fraction struct {
	Num int64 `json:"num"`
	Den int64 `json:"den"`
}

// Threshold is one margin test of a statute: the margin is within it when the total lies in
// (TotalAbove, TotalAtMost] (TotalAtMost 0: no upper bound) and the margin is at most Share of
// the total, or at most Votes (less than Votes when Strict). Share and Votes may both be set,
// in which case either suffices.
type Threshold struct {
	TotalAbove  int64    `json:"total_above,omitempty"`
	TotalAtMost int64    `json:"total_at_most,omitempty"`
	Share       Fraction `json:"share"`
	Votes       int64    `json:"votes,omitempty"`
	Strict      bool     `json:"strict,omitempty"`
}

// within reports whether margin (of total votes) meets t.
func (t Threshold) within(margin, total int64) bool {
	if total <= t.TotalAbove || (t.TotalAtMost > 0 && total > t.TotalAtMost) {
		return false
	}
	if t.Share.Den > 0 {
		// margin/total <= Num/Den, exactly, in integers: margin*Den <= Num*total, compared as
		// 128-bit products so that no count overflows.
		if !less128(t.Share.Num, total, margin, t.Share.Den) {
			return true
		}
	}
	if t.Votes > 0 {
		if t.Strict {
			return margin < t.Votes
		}
		return margin <= t.Votes
	}
	return false
}

func anyWithin(ts []Threshold, margin, total int64) bool {
	for _, t := range ts {
		if t.within(margin, total) {
			return true
		}
	}
	return false
}

// Who pays for a recount (Eligibility.WhoPays).
const (
	// PaysGovernment: no fee; the state or the counties bear the cost.
	PaysGovernment = "government"
	// PaysPetitioner: the candidate who asks pays (a deposit of the estimated cost or a fee
	// per precinct, as the statute says).
	PaysPetitioner = "petitioner"
)

// StateRules is a state's recount law for a statewide, single-winner office (such as the
// presidential electors), as the cited statutes state it.
type StateRules struct {
	// State is the two-letter postal code; Name the state's name.
	State string `json:"state"`
	Name  string `json:"name"`
	// Automatic lists the margins at which a recount happens without a request (any one
	// suffices); AutomaticScope says which offices it covers.
	Automatic      []Threshold `json:"automatic,omitempty"`
	AutomaticScope string      `json:"automatic_scope,omitempty"`
	// RequestAnyMargin is true when a defeated candidate may ask for a recount at any margin;
	// otherwise Request lists the margins at which one may (any one suffices).
	RequestAnyMargin bool        `json:"request_any_margin,omitempty"`
	Request          []Threshold `json:"request,omitempty"`
	// GovernmentPays lists the margins at which a requested recount costs the petitioner
	// nothing; outside them the petitioner pays. GovernmentAlwaysPays: never a fee.
	GovernmentPays       []Threshold `json:"government_pays,omitempty"`
	GovernmentAlwaysPays bool        `json:"government_always_pays,omitempty"`
	// Total says what the statute divides the margin by; Reach's total must be that number
	// (Divisor picks it). TwoLeaders is set when it is the votes of the two leading
	// candidates rather than every vote for the office.
	Total      string `json:"total"`
	TwoLeaders bool   `json:"two_leaders,omitempty"`
	// Citation names the statute sections; Summary states the rule in words; History records
	// changes.
	Citation string `json:"citation"`
	Summary  string `json:"summary"`
	History  string `json:"history,omitempty"`
}

// Eligibility is what a state's law allows at a margin.
type Eligibility struct {
	// Automatic: the recount happens without a request.
	Automatic bool `json:"automatic"`
	// Requestable: the defeated candidate may ask for one.
	Requestable bool `json:"requestable"`
	// WhoPays is PaysGovernment or PaysPetitioner when a recount happens or can be asked for,
	// and "" otherwise.
	WhoPays string `json:"who_pays"`
	// Rule cites the statute; empty for a state not in the table.
	Rule string `json:"rule"`
}

// pct is n/100 as an exact fraction (a whole number of percent).
func pct(n int64) Fraction { return Fraction{n, 100} }

// stateRules is the table. Sources, checked November 2026: each state's statute as quoted by
// the state or by the recount-law databases of Verified Voting and the Citizens for Election
// Integrity Minnesota (ceimn.org); see docs/RECOUNT.md.
var stateRules = []StateRules{
	{
		State: "AZ", Name: "Arizona",
		Automatic:      []Threshold{{Share: Fraction{1, 200}}},
		AutomaticScope: "every candidate race and ballot measure",
		Total:          "votes cast for the two candidates with the most votes",
		TwoLeaders:     true,
		Citation:       "A.R.S. § 16-661(A)",
		Summary: "A recount is required when the margin between the two leading candidates is less than or equal to " +
			"one-half of one percent of the votes cast for both; candidates may not ask for one. The recount is ordered " +
			"by the superior court on the Secretary of State's certification (A.R.S. § 16-662) and paid by the government.",
		History: "Changed in 2022: before, the threshold was one-tenth of one percent (1/1000) of the votes cast for both " +
			"candidates, or fewer than a number of votes (200 statewide with over 25,000 votes cast, 50 legislative, " +
			"10 local) when that was lower; from the 2022 general election on it is one-half of one percent (1/200).",
		GovernmentAlwaysPays: true,
	},
	{
		State: "GA", Name: "Georgia",
		Request:              []Threshold{{Share: Fraction{1, 200}}},
		GovernmentAlwaysPays: true,
		Total:                "total votes cast for the office",
		Citation:             "O.C.G.A. § 21-2-495(c)",
		Summary: "No automatic recount. When the margin is not more than one-half of one percent of the total votes cast " +
			"for the office, the defeated candidate may request a recount within two business days after certification. " +
			"The statute does not assign the cost; the Secretary of State's office has said the petitioner pays nothing.",
		History: "The one-half of one percent threshold dates from Georgia H.B. 316 (2019).",
	},
	{
		State: "MI", Name: "Michigan",
		Automatic:        []Threshold{{Votes: 2000}},
		AutomaticScope:   "statewide offices with one winner and statewide ballot questions",
		RequestAnyMargin: true,
		Total:            "(votes, not a share)",
		Citation:         "MCL 168.879–168.880a (deposits: MCL 168.881)",
		Summary: "The Board of State Canvassers recounts every precinct when the margin in a statewide race is 2,000 votes " +
			"or fewer (MCL 168.880a); at any other margin a defeated candidate alleging fraud or mistake, with a good-faith " +
			"belief of a reasonable chance of winning, may petition (MCL 168.879, 168.880) and deposits a fee per precinct " +
			"that rises with the margin (MCL 168.881).",
		History: "The per-precinct deposits were raised after 2016 and again by Public Act 74 of 2024 (in force in 2025).",
	},
	{
		State: "NV", Name: "Nevada",
		RequestAnyMargin: true,
		Total:            "(no margin)",
		Citation:         "NRS 293.403 (costs: NRS 293.405)",
		Summary: "No automatic recount. Any defeated candidate may demand a recount within 3 working days after the canvass " +
			"and deposits the estimated cost in advance; the deposit is refunded if the candidate prevails (NRS 293.405).",
	},
	{
		State: "PA", Name: "Pennsylvania",
		Automatic:            []Threshold{{Share: Fraction{1, 200}}},
		AutomaticScope:       "offices on the ballot in every election district of the Commonwealth, and statewide questions",
		GovernmentAlwaysPays: true,
		Total:                "votes cast for the office",
		Citation:             "25 P.S. § 3154(g)",
		Summary: "The Secretary of the Commonwealth orders a recount and recanvass of every county when a candidate for a " +
			"statewide office was defeated by one-half of a percent or less of the votes cast for the office, unless the " +
			"defeated candidate waives it. (Voters may also petition county boards and courts for recounts of districts, " +
			"25 P.S. §§ 3154(e), 3261–3263; those are not candidate requests and are not modelled here.)",
	},
	{
		State: "WI", Name: "Wisconsin",
		Request: []Threshold{
			{TotalAbove: 4000, Share: pct(1)},
			{TotalAtMost: 4000, Votes: 40},
		},
		GovernmentPays: []Threshold{
			{TotalAbove: 4000, Share: Fraction{1, 400}},
			{TotalAtMost: 4000, Votes: 10, Strict: true},
		},
		Total:    "total votes cast for the office",
		Citation: "Wis. Stat. § 9.01(1)(a)",
		Summary: "No automatic recount. A defeated candidate may petition when the margin is not more than 1 percent of " +
			"the total votes cast for the office (more than 4,000 votes cast) or not more than 40 votes (4,000 or fewer). " +
			"No fee when the margin is not more than 0.25 percent (more than 4,000 votes) or less than 10 votes (4,000 or " +
			"fewer); otherwise the petitioner pays the estimated cost in advance.",
	},
}

// Divisor is the total the state's statute divides the margin by: the two leaders' votes
// (leaders) when TwoLeaders, every vote for the office (all) otherwise.
func (r StateRules) Divisor(leaders, all int64) int64 {
	if r.TwoLeaders {
		return leaders
	}
	return all
}

// States lists the postal codes of the states in the table, in order.
func States() []string {
	out := make([]string, len(stateRules))
	for i, r := range stateRules {
		out[i] = r.State
	}
	return out
}

// Rules returns the recount rules of state (a postal code or a name, any case).
func Rules(state string) (StateRules, bool) {
	s := strings.ToLower(strings.Join(strings.Fields(state), " "))
	for _, r := range stateRules {
		if s == strings.ToLower(r.State) || s == strings.ToLower(r.Name) {
			return r, true
		}
	}
	return StateRules{}, false
}

// Reach says whether a statewide, single-winner race decided by margin votes, with total the
// number the state's statute divides by (StateRules.Total), is recounted automatically, may be
// recounted at the defeated candidate's request, and who pays. A state not in the table, or a
// negative margin or a total below 1, gives the zero Eligibility.
func Reach(state string, margin, total int64) Eligibility {
	r, ok := Rules(state)
	if !ok || margin < 0 || total < 1 {
		return Eligibility{}
	}
	e := Eligibility{Rule: r.Citation}
	e.Automatic = anyWithin(r.Automatic, margin, total)
	e.Requestable = r.RequestAnyMargin || anyWithin(r.Request, margin, total)
	switch {
	case e.Automatic || r.GovernmentAlwaysPays && e.Requestable:
		e.WhoPays = PaysGovernment
	case e.Requestable && anyWithin(r.GovernmentPays, margin, total):
		e.WhoPays = PaysGovernment
	case e.Requestable:
		e.WhoPays = PaysPetitioner
	}
	return e
}

// less128 reports whether a*b < c*d for non-negative a, b, c, d, without overflow.
func less128(a, b, c, d int64) bool {
	h1, l1 := bits.Mul64(uint64(a), uint64(b))
	h2, l2 := bits.Mul64(uint64(c), uint64(d))
	return h1 < h2 || h1 == h2 && l1 < l2
}
