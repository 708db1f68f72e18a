// Package reconcile checks that a canvass adds up before certification: ballots against
// registered voters (turnout), votes against ballots (over- and undervotes), ballots against
// the poll book and absentee ballots received (Michigan's "out of balance" test), election-night
// (unofficial) against canvass totals, cast vote records against the ballot manifest, and
// ballots against the census estimates of the voting-age (VAP) and citizen voting-age (CVAP)
// population.
//
// Units that report together (Detroit's absentee counting boards serve many precincts;
// Wisconsin municipalities report combined wards) are joined through a Mapping before any
// ratio is computed, so that an absentee counting board with no registered voters of its own is
// compared with the registration of the precincts it served.
//
// The package takes values and returns findings; the only I/O is in the readers, which read
// from an io.Reader and return *canvass.ParseError for bad input. Rules, severities and file
// formats are described in docs/RECONCILE.md.
package reconcile

import (
	"fmt"
	"sort"
	"strings"
	"time"

	canvass "github.com/canvass-vote/canvass"
)

// Unknown marks a count a source does not report. Every int64 count of UnitFigures is Unknown
// (negative) or a count (zero or more); rules skip what they cannot see.
const Unknown int64 = -1

// Unit is a reporting unit: the jurisdiction (a county), the municipality and the precinct,
// ward, combined reporting unit or counting board. Empty parts are not known.
type Unit struct {
	Jurisdiction string `json:"jurisdiction,omitempty"`
	Municipality string `json:"municipality,omitempty"`
	Precinct     string `json:"precinct,omitempty"`
}

// Key is the canonical key of u: each part folded by canvass.NameKey, joined by "/", so
// "ADAMS " and "Adams" are one jurisdiction.
func (u Unit) Key() string {
	return canvass.NameKey(u.Jurisdiction) + "/" + canvass.NameKey(u.Municipality) + "/" + canvass.NameKey(u.Precinct)
}

// String names u for people: its known parts joined by " / ".
func (u Unit) String() string {
	var kept []string
	for _, p := range []string{u.Jurisdiction, u.Municipality, u.Precinct} {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " / ")
}

// ParseUnit reads a unit written as up to three parts separated by "/" (jurisdiction /
// municipality / precinct), filled from the right: "Precinct 4" is a precinct of within,
// "City of Detroit / Precinct 4" a precinct of a municipality of within.Jurisdiction.
func ParseUnit(s string, within Unit) (Unit, error) {
	parts := strings.Split(s, "/")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
		if parts[i] == "" {
			return Unit{}, fmt.Errorf("unit %q has an empty part", s)
		}
	}
	u := within
	switch len(parts) {
	case 1:
		u.Precinct = parts[0]
	case 2:
		u.Municipality, u.Precinct = parts[0], parts[1]
	case 3:
		u = Unit{Jurisdiction: parts[0], Municipality: parts[1], Precinct: parts[2]}
	default:
		return Unit{}, fmt.Errorf("unit %q has more than three parts (jurisdiction / municipality / precinct)", s)
	}
	return u, nil
}

// UnitFigures are the reported figures of one unit, or of a group of units joined by Join.
// Counts are Unknown when not reported.
type UnitFigures struct {
	Unit Unit
	// Members are the units joined into this group (nil for a unit checked alone).
	Members []Unit
	// Registered is the count of registered voters on the list dated RegisteredDate (zero
	// when the date is not known).
	Registered     int64
	RegisteredDate time.Time
	// RegisteredElectionDay is the count of registered voters at the close of election day,
	// same-day registrations included, where the state reports it (Wisconsin).
	RegisteredElectionDay int64
	// Ballots is the count of ballots tabulated; BallotsElectionDay and BallotsAbsentee split
	// it by how they were cast, where the source does (Wayne County: election day and absentee
	// counting board).
	Ballots            int64
	BallotsElectionDay int64
	BallotsAbsentee    int64
	// PollBook is the count of voters checked in at the polls, and AbsenteeReceived the
	// absentee ballots received: Michigan's precinct is in balance when Ballots equals their
	// sum.
	PollBook         int64
	AbsenteeReceived int64
	// VotesByContest is the total of votes for all choices of each contest; VoteFor the number
	// of choices a voter may mark (1 when absent).
	VotesByContest map[string]int64
	VoteFor        map[string]int64
	// VAP and CVAP are census estimates of the voting-age and citizen voting-age population
	// (American Community Survey), with margins of error; EstimateSource names the estimate.
	VAP            int64
	CVAP           int64
	EstimateSource string
}

// NewFigures returns the figures of u with every count Unknown.
func NewFigures(u Unit) UnitFigures {
	return UnitFigures{Unit: u, Registered: Unknown, RegisteredElectionDay: Unknown, Ballots: Unknown,
		BallotsElectionDay: Unknown, BallotsAbsentee: Unknown, PollBook: Unknown, AbsenteeReceived: Unknown,
		VAP: Unknown, CVAP: Unknown}
}

// Severity grades a finding.
type Severity string

// Severities, least to most serious. Info is a figure to note; Warning needs an explanation
// the law allows (listed in the finding); Error cannot be explained by those and must be
// resolved before certification.
const (
	Info    Severity = "info"
	Warning Severity = "warning"
	Error   Severity = "error"
)

// Rules, as Finding.Rule. docs/RECONCILE.md gives each rule's test and severity.
const (
	RuleTurnout            = "turnout"              // ballots / registered (list) > 100%: warning
	RuleTurnoutElectionDay = "turnout_election_day" // ballots / registered at election day > 100%: error
	RuleNoRegistration     = "no_registration"      // ballots in a unit with no registered voters: warning
	RuleOvervote           = "votes_exceed_ballots" // votes > ballots × vote-for: error
	RuleUndervote          = "undervotes"           // ballots × vote-for − votes > 0: info
	RuleModes              = "ballot_modes"         // ballots ≠ election day + absentee: error
	RuleOutOfBalance       = "out_of_balance"       // ballots ≠ poll book + absentee received: warning
	RuleCombined           = "combined_total"       // members' ballots ≠ the group's reported total: warning
	RuleUnofficial         = "unofficial_canvass"   // election-night count ≠ canvass count: warning
	RuleManifest           = "cvr_manifest"         // CVRs in a batch ≠ the manifest's count: error
	RuleEstimate           = "turnout_estimate"     // ballots / VAP and / CVAP: info, warning above 100%
)

// Finding is what one rule found in one unit (or group of units).
type Finding struct {
	Rule     string
	Severity Severity
	Unit     Unit
	// Members are the units joined into Unit, when it is a group.
	Members []Unit
	// Contest and Choice qualify findings about one contest or choice.
	Contest string
	Choice  string
	// Numbers holds the figures the rule compared, by name ("ballots", "registered",
	// "imbalance", ...).
	Numbers map[string]int64
	// Ratio is the ratio the rule tested (turnout rules), 0 for others.
	Ratio float64
	// Estimate is set when a number is a census estimate with a margin of error.
	Estimate bool
	Message  string
	// Explanations lists the legitimate explanations the law allows for this finding.
	Explanations []string
}

// Options complete a check.
type Options struct {
	// ElectionDay is the date of the election, to tell a registration list dated before it.
	ElectionDay time.Time
	// SameDayRegistration is set for states where voters may register at the polls
	// (Wisconsin, Michigan since 2018), which makes turnout above the pre-election list legal.
	SameDayRegistration bool
	// CombinedBallots holds, by group Unit.Key, the ballots a source reports for a group of
	// combined units, to compare with the sum of its members.
	CombinedBallots map[string]int64
	// Unofficial and Official are election-night and canvass results rows, compared per unit,
	// contest and choice.
	Unofficial, Official []canvass.ResultRow
	// CVRCounts and Manifest hold, by batch name, the cast vote records read and the ballots
	// the ballot manifest lists.
	CVRCounts, Manifest map[string]int64
	// Undervotes, when set, reports undervotes (an info finding per unit and contest).
	Undervotes bool
}

// Explanations the law allows, as Finding.Explanations.
const (
	ExplainSameDay       = "same-day registration: voters registered at the polls are not on the pre-election list"
	ExplainListDate      = "the registration list is dated before election day; registrations and removals after it are not counted"
	ExplainCountingBoard = "absentee ballots were counted by a counting board for several precincts; join the board to its precincts through a mapping"
	ExplainCombined      = "wards report combined results; join the combined wards through a mapping"
	ExplainFederalOnly   = "military and overseas (UOCAVA) voters may vote without being on the unit's list"
	ExplainEstimate      = "VAP and CVAP are American Community Survey estimates with margins of error, not counts"
	ExplainCorrection    = "the canvass corrects election-night errors (transcription, unread ballots); each change needs a record"
	ExplainBalance       = "a voter who left without voting, a spoiled ballot not recorded, or a poll-book clerical error (documented in the poll book remarks)"
	ExplainUndervote     = "voters may leave a contest blank"
)

// Join groups figures through m: every unit that m maps to a group is summed into that group,
// together with the group's own figures when present (a Detroit counting board's row). Units
// m does not map stay alone. Sums of counts add the known counts and are Unknown only when no
// member knows the count; the registration date of a group is its earliest. The order is the
// order of first appearance.
func Join(figs []UnitFigures, m *Mapping) []UnitFigures {
	var out []UnitFigures
	at := map[string]int{}
	for i := range figs {
		f := &figs[i]
		gu := f.Unit
		mapped := false
		if m != nil {
			if g, ok := m.Group(f.Unit); ok {
				gu, mapped = g, true
			} else if m.IsGroup(f.Unit) {
				mapped = true
			}
		}
		k := gu.Key()
		j, ok := at[k]
		if !ok {
			j = len(out)
			at[k] = j
			g := NewFigures(gu)
			if !mapped {
				g = *f
				g.VotesByContest = copyMap(f.VotesByContest)
				g.VoteFor = copyMap(f.VoteFor)
				out = append(out, g)
				continue
			}
			out = append(out, g)
		}
		add(&out[j], f)
		if mapped {
			out[j].Members = append(out[j].Members, f.Unit)
		}
	}
	return out
}

func copyMap(m map[string]int64) map[string]int64 {
	if m == nil {
		return nil
	}
	c := make(map[string]int64, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func sum(a *int64, b int64) {
	if b < 0 {
		return
	}
	if *a < 0 {
		*a = 0
	}
	*a += b
}

// add sums f into g.
func add(g, f *UnitFigures) {
	sum(&g.Registered, f.Registered)
	if !f.RegisteredDate.IsZero() && (g.RegisteredDate.IsZero() || f.RegisteredDate.Before(g.RegisteredDate)) {
		g.RegisteredDate = f.RegisteredDate
	}
	sum(&g.RegisteredElectionDay, f.RegisteredElectionDay)
	sum(&g.Ballots, f.Ballots)
	sum(&g.BallotsElectionDay, f.BallotsElectionDay)
	sum(&g.BallotsAbsentee, f.BallotsAbsentee)
	sum(&g.PollBook, f.PollBook)
	sum(&g.AbsenteeReceived, f.AbsenteeReceived)
	sum(&g.VAP, f.VAP)
	sum(&g.CVAP, f.CVAP)
	if g.EstimateSource == "" {
		g.EstimateSource = f.EstimateSource
	}
	for c, v := range f.VotesByContest {
		if g.VotesByContest == nil {
			g.VotesByContest = map[string]int64{}
		}
		g.VotesByContest[c] += v
	}
	for c, v := range f.VoteFor {
		if g.VoteFor == nil {
			g.VoteFor = map[string]int64{}
		}
		if v > g.VoteFor[c] {
			g.VoteFor[c] = v
		}
	}
}

// Check joins figs through m (which may be nil) and applies every rule, returning the findings
// in unit order, then the unofficial/canvass and manifest findings.
func Check(figs []UnitFigures, m *Mapping, opts Options) []Finding {
	var out []Finding
	for _, g := range Join(figs, m) {
		out = append(out, checkUnit(&g, &opts)...)
	}
	out = append(out, CompareTotals(opts.Unofficial, opts.Official)...)
	out = append(out, CompareManifest(opts.CVRCounts, opts.Manifest)...)
	return out
}

func finding(g *UnitFigures, rule string, sev Severity, nums map[string]int64, msg string, expl ...string) Finding {
	return Finding{Rule: rule, Severity: sev, Unit: g.Unit, Members: g.Members, Numbers: nums, Message: msg, Explanations: expl}
}

// Turnout is ballots / registered, or 0 when either is unknown or registered is 0.
func Turnout(g *UnitFigures) float64 {
	if g.Ballots < 0 || g.Registered <= 0 {
		return 0
	}
	return float64(g.Ballots) / float64(g.Registered)
}

func checkUnit(g *UnitFigures, o *Options) []Finding {
	var out []Finding
	name := g.Unit.String()
	// Turnout against the registration list.
	if g.Ballots > 0 && g.Registered == 0 {
		out = append(out, finding(g, RuleNoRegistration, Warning,
			map[string]int64{"ballots": g.Ballots, "registered": 0},
			fmt.Sprintf("%s: %d ballots and no registered voters", name, g.Ballots),
			ExplainCountingBoard, ExplainCombined))
	}
	if g.Ballots >= 0 && g.Registered > 0 && g.Ballots > g.Registered {
		expl := []string{}
		if o.SameDayRegistration {
			expl = append(expl, ExplainSameDay)
		}
		if !g.RegisteredDate.IsZero() && !o.ElectionDay.IsZero() && g.RegisteredDate.Before(o.ElectionDay) {
			expl = append(expl, ExplainListDate)
		}
		expl = append(expl, ExplainCountingBoard, ExplainCombined, ExplainFederalOnly)
		f := finding(g, RuleTurnout, Warning,
			map[string]int64{"ballots": g.Ballots, "registered": g.Registered, "excess": g.Ballots - g.Registered},
			fmt.Sprintf("%s: %d ballots, %d registered (%.1f%%)", name, g.Ballots, g.Registered, 100*Turnout(g)), expl...)
		f.Ratio = Turnout(g)
		out = append(out, f)
	}
	// Turnout against election-day registration, which already counts same-day registrations.
	if g.Ballots >= 0 && g.RegisteredElectionDay > 0 && g.Ballots > g.RegisteredElectionDay {
		f := finding(g, RuleTurnoutElectionDay, Error,
			map[string]int64{"ballots": g.Ballots, "registered_election_day": g.RegisteredElectionDay, "excess": g.Ballots - g.RegisteredElectionDay},
			fmt.Sprintf("%s: %d ballots, %d registered at the close of election day", name, g.Ballots, g.RegisteredElectionDay),
			ExplainCombined, ExplainFederalOnly)
		f.Ratio = float64(g.Ballots) / float64(g.RegisteredElectionDay)
		out = append(out, f)
	}
	// Ballots by mode.
	if g.Ballots >= 0 && g.BallotsElectionDay >= 0 && g.BallotsAbsentee >= 0 && g.Ballots != g.BallotsElectionDay+g.BallotsAbsentee {
		out = append(out, finding(g, RuleModes, Error,
			map[string]int64{"ballots": g.Ballots, "election_day": g.BallotsElectionDay, "absentee": g.BallotsAbsentee,
				"difference": g.Ballots - g.BallotsElectionDay - g.BallotsAbsentee},
			fmt.Sprintf("%s: %d ballots, but %d on election day and %d absentee", name, g.Ballots, g.BallotsElectionDay, g.BallotsAbsentee)))
	}
	// Michigan's balance: ballots tabulated against poll-book check-ins and absentee ballots.
	if g.Ballots >= 0 && g.PollBook >= 0 && g.AbsenteeReceived >= 0 {
		if d := g.Ballots - g.PollBook - g.AbsenteeReceived; d != 0 {
			out = append(out, finding(g, RuleOutOfBalance, Warning,
				map[string]int64{"ballots": g.Ballots, "poll_book": g.PollBook, "absentee_received": g.AbsenteeReceived, "imbalance": d},
				fmt.Sprintf("%s: out of balance by %d (%d ballots, %d in the poll book, %d absentee received)", name, d, g.Ballots, g.PollBook, g.AbsenteeReceived),
				ExplainBalance))
		}
	}
	// Combined wards: the members' ballots against the group's reported total.
	if want, ok := o.CombinedBallots[g.Unit.Key()]; ok && g.Ballots >= 0 && want != g.Ballots {
		out = append(out, finding(g, RuleCombined, Warning,
			map[string]int64{"members_ballots": g.Ballots, "reported": want, "difference": g.Ballots - want},
			fmt.Sprintf("%s: members' ballots add to %d, the combined result reports %d", name, g.Ballots, want)))
	}
	// Votes against ballots, per contest.
	contests := make([]string, 0, len(g.VotesByContest))
	for c := range g.VotesByContest {
		contests = append(contests, c)
	}
	sort.Strings(contests)
	for _, c := range contests {
		if g.Ballots < 0 {
			break
		}
		votes := g.VotesByContest[c]
		vf := g.VoteFor[c]
		if vf <= 0 {
			vf = 1
		}
		capacity := mulSat(g.Ballots, vf)
		nums := map[string]int64{"ballots": g.Ballots, "vote_for": vf, "votes": votes, "undervotes": capacity - votes}
		switch {
		case votes > capacity:
			f := finding(g, RuleOvervote, Error, nums,
				fmt.Sprintf("%s: %s has %d votes, more than %d ballots × %d", name, c, votes, g.Ballots, vf))
			f.Contest = c
			out = append(out, f)
		case votes < capacity && o.Undervotes:
			f := finding(g, RuleUndervote, Info, nums,
				fmt.Sprintf("%s: %s has %d undervotes", name, c, capacity-votes), ExplainUndervote)
			f.Contest = c
			out = append(out, f)
		}
	}
	// Census estimates.
	for _, e := range []struct {
		name string
		n    int64
	}{{"vap", g.VAP}, {"cvap", g.CVAP}} {
		if e.n <= 0 || g.Ballots < 0 {
			continue
		}
		sev := Info
		if g.Ballots > e.n {
			sev = Warning
		}
		f := finding(g, RuleEstimate, sev, map[string]int64{"ballots": g.Ballots, e.name: e.n},
			fmt.Sprintf("%s: %d ballots, %s estimate %d (%.1f%%; an estimate with a margin of error)", name, g.Ballots, strings.ToUpper(e.name), e.n, 100*float64(g.Ballots)/float64(e.n)),
			ExplainEstimate)
		f.Ratio = float64(g.Ballots) / float64(e.n)
		f.Estimate = true
		f.Choice = e.name
		out = append(out, f)
	}
	return out
}

// UnitTurnout is one unit's turnout, for Highest.
type UnitTurnout struct {
	Unit       Unit
	Members    []Unit
	Ballots    int64
	Registered int64
	Turnout    float64
}

// Highest returns the n units of figs (already joined, see Join) with the highest turnout
// (ballots / registered), highest first, ties by unit key. Units without ballots or
// registration are left out.
func Highest(figs []UnitFigures, n int) []UnitTurnout {
	var all []UnitTurnout
	for i := range figs {
		g := &figs[i]
		if g.Ballots < 0 || g.Registered <= 0 {
			continue
		}
		all = append(all, UnitTurnout{Unit: g.Unit, Members: g.Members, Ballots: g.Ballots, Registered: g.Registered, Turnout: Turnout(g)})
	}
	sort.SliceStable(all, func(i, j int) bool {
		// Compare ballots_i·registered_j with ballots_j·registered_i: exact, no float ties.
		a := all[i].Ballots * all[j].Registered
		b := all[j].Ballots * all[i].Registered
		if a != b {
			return a > b
		}
		return all[i].Unit.Key() < all[j].Unit.Key()
	})
	if n >= 0 && n < len(all) {
		all = all[:n]
	}
	return all
}

// CompareTotals compares election-night (unofficial) and canvass (official) rows per unit,
// contest and choice (vote-mode rows and statistics included, each by its own key): a count
// that changed or is present in only one is a warning naming both numbers.
func CompareTotals(unofficial, official []canvass.ResultRow) []Finding {
	if len(unofficial) == 0 && len(official) == 0 {
		return nil
	}
	type key struct{ unit, contest, district, choice, mode, stat string }
	type pair struct {
		row        canvass.ResultRow
		un, off    int64
		inUn, inOf bool
	}
	idx := map[key]*pair{}
	var order []key
	get := func(r *canvass.ResultRow) *pair {
		k := key{r.Unit.At(canvass.LevelPrecinct), canvass.NameKey(r.Contest), canvass.NameKey(r.District), canvass.NameKey(r.Choice), canvass.NameKey(r.Mode), r.Stat}
		p, ok := idx[k]
		if !ok {
			p = &pair{row: *r}
			idx[k] = p
			order = append(order, k)
		}
		return p
	}
	for i := range unofficial {
		p := get(&unofficial[i])
		p.un += unofficial[i].Votes
		p.inUn = true
	}
	for i := range official {
		p := get(&official[i])
		p.off += official[i].Votes
		p.inOf = true
	}
	var out []Finding
	for _, k := range order {
		p := idx[k]
		if p.inUn && p.inOf && p.un == p.off {
			continue
		}
		u := Unit{Jurisdiction: p.row.Unit.County, Municipality: p.row.Unit.Municipality, Precinct: p.row.Unit.Precinct}
		nums := map[string]int64{"unofficial": p.un, "canvass": p.off, "difference": p.off - p.un}
		msg := fmt.Sprintf("%s: %s %s: election night %d, canvass %d (%+d)", u, p.row.Contest, p.row.Choice, p.un, p.off, p.off-p.un)
		if !p.inUn {
			delete(nums, "unofficial")
			msg = fmt.Sprintf("%s: %s %s: %d in the canvass, absent on election night", u, p.row.Contest, p.row.Choice, p.off)
		} else if !p.inOf {
			delete(nums, "canvass")
			msg = fmt.Sprintf("%s: %s %s: %d on election night, absent from the canvass", u, p.row.Contest, p.row.Choice, p.un)
		}
		choice := p.row.Choice
		if p.row.Stat != "" {
			choice = p.row.Stat
		}
		out = append(out, Finding{Rule: RuleUnofficial, Severity: Warning, Unit: u, Contest: p.row.Contest, Choice: choice,
			Numbers: nums, Message: msg, Explanations: []string{ExplainCorrection}})
	}
	return out
}

// CompareManifest compares the cast vote records read per batch with the ballot manifest's
// count, batch by batch in name order: any difference, or a batch in only one, is an error.
func CompareManifest(cvrs, manifest map[string]int64) []Finding {
	names := map[string]bool{}
	for b := range cvrs {
		names[b] = true
	}
	for b := range manifest {
		names[b] = true
	}
	sorted := make([]string, 0, len(names))
	for b := range names {
		sorted = append(sorted, b)
	}
	sort.Strings(sorted)
	var out []Finding
	for _, b := range sorted {
		c, inC := cvrs[b]
		m, inM := manifest[b]
		if inC && inM && c == m {
			continue
		}
		var msg string
		switch {
		case !inM:
			msg = fmt.Sprintf("batch %s: %d CVRs, not in the manifest", b, c)
		case !inC:
			msg = fmt.Sprintf("batch %s: %d ballots in the manifest, no CVRs", b, m)
		default:
			msg = fmt.Sprintf("batch %s: %d CVRs, %d ballots in the manifest (%+d)", b, c, m, c-m)
		}
		out = append(out, Finding{Rule: RuleManifest, Severity: Error, Unit: Unit{Precinct: b},
			Numbers: map[string]int64{"cvrs": c, "manifest": m, "difference": c - m}, Message: msg})
	}
	return out
}

// mulSat is a·b for non-negative a and b, saturating at the largest int64 instead of wrapping,
// so that a hand-built VoteFor cannot turn an overvote into an undervote.
func mulSat(a, b int64) int64 {
	if a != 0 && b > (1<<63-1)/a {
		return 1<<63 - 1
	}
	return a * b
}
