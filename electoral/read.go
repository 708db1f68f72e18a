package electoral

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/internal/csvtable"
)

// Formats named in the readers' *canvass.ParseError.
const (
	FormatApportionment = "apportionment"
	FormatStates        = "state results"
	FormatDistricts     = "district results"
	FormatCounties      = "county results"
)

var (
	districtRE = regexp.MustCompile(`^(?:(?:cd|district)[- ]?|([a-z]{2})-)0*([1-9][0-9]?)$`)
	atLargeRE  = regexp.MustCompile(`at[- ]large`)
)

// parseDistrict parses a district label: "CD-1", "CD 1", "District 1" (po "") or "ME-1" (po
// "ME"), any case, leading zeros allowed.
func parseDistrict(label string) (po string, n int, ok bool) {
	m := districtRE.FindStringSubmatch(canvass.NameKey(label))
	if m == nil {
		return "", 0, false
	}
	n, _ = strconv.Atoi(m[2])
	return strings.ToUpper(m[1]), n, true
}

// ReadApportionment reads electoral votes per unit from CSV with the columns state (the state's
// name), state_po (its postal code), electoral_votes and, optionally, unit: "statewide" (or
// empty), "statewide (at-large)" or "at-large" for the statewide electors of a state that
// allocates by district, and "CD-1", "District 1" or "ME-1" for a district. Other columns are
// ignored. The units are returned in the file's order, IDs as Unit says. A missing column, an
// empty cell, a count that is not a positive number of electors, an unknown unit, a unit listed
// twice or a postal code with two names is a *canvass.ParseError naming the record and field.
// Whether the units make a valid apportionment is Election.Validate's question.
func ReadApportionment(r io.Reader, file string) ([]Unit, error) {
	t, err := csvtable.Read(r, FormatApportionment, file)
	if err != nil {
		return nil, err
	}
	cs, err := t.Column("state", true)
	if err != nil {
		return nil, err
	}
	cp, err := t.Column("state_po", true)
	if err != nil {
		return nil, err
	}
	ce, err := t.Column("electoral_votes", true)
	if err != nil {
		return nil, err
	}
	cu, _ := t.Column("unit", false)
	var out []Unit
	ids := map[string]bool{}
	names := map[string]string{}
	for i := range t.Records {
		name, err := t.Text(i, cs)
		if err != nil {
			return nil, err
		}
		po, err := t.Text(i, cp)
		if err != nil {
			return nil, err
		}
		po = strings.ToUpper(po)
		if strings.ContainsAny(po, " -:,") {
			return nil, t.Err(i, t.Header[cp], fmt.Errorf("%w: %q is not a postal code", canvass.ErrSyntax, po))
		}
		if n, ok := names[po]; ok && canvass.NameKey(n) != canvass.NameKey(name) {
			return nil, t.Err(i, t.Header[cs], fmt.Errorf("%w: %s is %q here and %q above", canvass.ErrSyntax, po, name, n))
		}
		names[po] = name
		n, err := t.Count(i, ce, false)
		if err != nil {
			return nil, err
		}
		if n < 1 || n > TotalElectors {
			return nil, t.Err(i, t.Header[ce], fmt.Errorf("%w: %d is not a number of electors", canvass.ErrNotNumber, n))
		}
		u := Unit{ID: po, State: po, Name: name, Electors: int(n)}
		label := canvass.NameKey(t.Cell(i, cu))
		dpo, dn, isDistrict := parseDistrict(label)
		switch {
		case label == "" || label == "statewide":
		case atLargeRE.MatchString(label):
			u.AtLarge = true
		case isDistrict && (dpo == "" || dpo == po):
			u.District = dn
			u.ID = fmt.Sprintf("%s-%d", po, dn)
		default:
			return nil, t.Err(i, t.Header[cu], fmt.Errorf("%w: unit %q is not statewide, at-large or a district of %s (CD-1)", canvass.ErrSyntax, t.Cell(i, cu), po))
		}
		if ids[u.ID] {
			return nil, t.Err(i, t.Header[cp], fmt.Errorf("%w: unit %s listed twice", canvass.ErrSyntax, u.ID))
		}
		ids[u.ID] = true
		out = append(out, u)
	}
	return out, nil
}

// ReadStates reads statewide results from CSV with one row per state: a column state (the
// state's name or postal code), optionally total (every vote for the office) and all_others
// (or others: votes of candidates not named), and one column per candidate, headed by the
// candidate's name or label (the FEC's table 2 heads them "biden", "trump"). When the file has
// no others column, Other is total minus the candidates' votes; without a total, Total is the
// sum. Each Count's Unit is the state as written. An empty or negative count, a total below
// the votes it should contain, a state listed twice or a header without candidates is a
// *canvass.ParseError naming the record and field.
func ReadStates(r io.Reader, file string) ([]Count, error) {
	t, err := csvtable.Read(r, FormatStates, file)
	if err != nil {
		return nil, err
	}
	cs, err := t.Column("state", true)
	if err != nil {
		return nil, err
	}
	ct, _ := t.Column("total", false)
	co, _ := t.Column("all_others", false)
	if co < 0 {
		co, _ = t.Column("others", false)
	}
	var cands []int
	for j, h := range t.Header {
		if j != cs && j != ct && j != co && canvass.NameKey(h) != "state_po" {
			if canvass.NameKey(h) == "" {
				return nil, t.Err(-1, fmt.Sprintf("column %d", j+1), fmt.Errorf("%w: a candidate column without a name", canvass.ErrMissingField))
			}
			cands = append(cands, j)
		}
	}
	if len(cands) == 0 {
		return nil, t.Err(-1, "", fmt.Errorf("%w: no candidate columns (the header has %s)", canvass.ErrMissingField, strings.Join(t.Header, ",")))
	}
	var out []Count
	seen := map[string]bool{}
	for i := range t.Records {
		st, err := t.Text(i, cs)
		if err != nil {
			return nil, err
		}
		if seen[canvass.NameKey(st)] {
			return nil, t.Err(i, t.Header[cs], fmt.Errorf("%w: %s listed twice", canvass.ErrSyntax, st))
		}
		seen[canvass.NameKey(st)] = true
		c := Count{Unit: st}
		for _, j := range cands {
			n, err := t.Count(i, j, false)
			if err != nil {
				return nil, err
			}
			c.Votes = append(c.Votes, Vote{Candidate: strings.TrimSpace(t.Header[j]), Votes: n})
			c.Total += n
		}
		if co >= 0 {
			if c.Other, err = t.Count(i, co, false); err != nil {
				return nil, err
			}
			c.Total += c.Other
		}
		if ct >= 0 {
			total, err := t.Count(i, ct, false)
			if err != nil {
				return nil, err
			}
			switch {
			case co >= 0 && total != c.Total:
				return nil, t.Err(i, t.Header[ct], fmt.Errorf("%w: total %d is not the sum of the votes, %d", canvass.ErrSyntax, total, c.Total))
			case total < c.Total:
				return nil, t.Err(i, t.Header[ct], fmt.Errorf("%w: total %d is less than the candidates' votes, %d", canvass.ErrSyntax, total, c.Total))
			}
			c.Other += total - c.Total
			c.Total = total
		}
		out = append(out, c)
	}
	return out, nil
}

// notVote reports whether a candidate label of a long results file counts ballots without a
// valid vote rather than votes ("Blank" in Maine's canvass; undervotes, overvotes).
func notVote(label string) bool {
	switch canvass.NameKey(label) {
	case "blank", "blanks", "blank ballots", "blank votes", "undervote", "undervotes", "under votes",
		"overvote", "overvotes", "over votes":
		return true
	}
	return false
}

// ReadDistricts reads district results from CSV with one row per unit and candidate: the
// columns unit ("ME-1"; "CD-1" with a state_po column), candidate and votes, and optionally
// state and state_po. Rows for blank ballots, undervotes and overvotes (candidate "Blank",
// ...) are counted in Count.Blank, not as votes. The Counts are returned in order of first
// appearance, Unit upper-cased. An empty cell, a count that is not a number or a candidate
// listed twice in a unit is a *canvass.ParseError naming the record and field.
func ReadDistricts(r io.Reader, file string) ([]Count, error) {
	t, err := csvtable.Read(r, FormatDistricts, file)
	if err != nil {
		return nil, err
	}
	cu, err := t.Column("unit", true)
	if err != nil {
		return nil, err
	}
	cc, err := t.Column("candidate", true)
	if err != nil {
		return nil, err
	}
	cv, err := t.Column("votes", true)
	if err != nil {
		return nil, err
	}
	cp, _ := t.Column("state_po", false)
	var out []Count
	at := map[string]int{}
	for i := range t.Records {
		u, err := t.Text(i, cu)
		if err != nil {
			return nil, err
		}
		u = strings.ToUpper(canvass.NameKey(u))
		if po, n, ok := parseDistrict(u); ok {
			if po == "" {
				po = strings.ToUpper(t.Cell(i, cp))
			}
			if po == "" {
				return nil, t.Err(i, t.Header[cu], fmt.Errorf("%w: district %q needs a state_po column", canvass.ErrMissingField, u))
			}
			u = fmt.Sprintf("%s-%d", po, n)
		}
		cand, err := t.Text(i, cc)
		if err != nil {
			return nil, err
		}
		n, err := t.Count(i, cv, false)
		if err != nil {
			return nil, err
		}
		k, ok := at[u]
		if !ok {
			k = len(out)
			at[u] = k
			out = append(out, Count{Unit: u})
		}
		c := &out[k]
		if notVote(cand) {
			c.Blank += n
			continue
		}
		if hasCandidate(c.Votes, cand) {
			return nil, t.Err(i, t.Header[cc], fmt.Errorf("%w: %s listed twice in %s", canvass.ErrSyntax, cand, u))
		}
		c.Votes = append(c.Votes, Vote{Candidate: cand, Votes: n})
		c.Total += n
	}
	return out, nil
}

// hasCandidate reports whether vs has a candidate called name (canvass.NameKey).
func hasCandidate(vs []Vote, name string) bool {
	k := canvass.NameKey(name)
	for _, v := range vs {
		if canvass.NameKey(v.Candidate) == k {
			return true
		}
	}
	return false
}

// ReadCounties reads county results from CSV and sums them by state: a column state_name (or
// state), a column total_votes, and one column per candidate or party headed votes_LABEL
// ("votes_dem", "votes_gop"; the candidate's label is LABEL). Other columns are ignored. Each
// Count's Unit is the state as written, in order of first appearance; Other is the total minus
// the named votes. An empty cell, a count that is not a number or a total below the named
// votes is a *canvass.ParseError naming the record and field.
func ReadCounties(r io.Reader, file string) ([]Count, error) {
	t, err := csvtable.Read(r, FormatCounties, file)
	if err != nil {
		return nil, err
	}
	cs, _ := t.Column("state_name", false)
	if cs < 0 {
		if cs, err = t.Column("state", true); err != nil {
			return nil, err
		}
	}
	ct, err := t.Column("total_votes", true)
	if err != nil {
		return nil, err
	}
	var cands []int
	for j, h := range t.Header {
		k := canvass.NameKey(h)
		if strings.HasPrefix(k, "votes_") && len(k) > len("votes_") {
			cands = append(cands, j)
		}
	}
	if len(cands) == 0 {
		return nil, t.Err(-1, "votes_", fmt.Errorf("%w: no votes_LABEL columns (the header has %s)", canvass.ErrMissingField, strings.Join(t.Header, ",")))
	}
	var out []Count
	at := map[string]int{}
	for i := range t.Records {
		st, err := t.Text(i, cs)
		if err != nil {
			return nil, err
		}
		k, ok := at[canvass.NameKey(st)]
		if !ok {
			k = len(out)
			at[canvass.NameKey(st)] = k
			c := Count{Unit: st}
			for _, j := range cands {
				c.Votes = append(c.Votes, Vote{Candidate: strings.TrimSpace(t.Header[j])[len("votes_"):]})
			}
			out = append(out, c)
		}
		c := &out[k]
		var named int64
		for x, j := range cands {
			n, err := t.Count(i, j, false)
			if err != nil {
				return nil, err
			}
			c.Votes[x].Votes += n
			named += n
		}
		total, err := t.Count(i, ct, false)
		if err != nil {
			return nil, err
		}
		if total < named {
			return nil, t.Err(i, t.Header[ct], fmt.Errorf("%w: total %d is less than the named votes, %d", canvass.ErrSyntax, total, named))
		}
		c.Other += total - named
		c.Total += total
	}
	return out, nil
}

// Names maps the candidate labels of results files to the candidates' names: a key is a label
// as canvass.NameKey writes it ("biden", "dem"), its value the name ("Joe Biden"). A label not
// in the map is a name.
type Names map[string]string

// Set records that label stands for name.
func (n Names) Set(label, name string) { n[canvass.NameKey(label)] = strings.TrimSpace(name) }

// Name returns the name of label.
func (n Names) Name(label string) string {
	if v, ok := n[canvass.NameKey(label)]; ok {
		return v
	}
	return strings.TrimSpace(label)
}

// Source is an input file: its name (for errors) and its contents.
type Source struct {
	Name string
	R    io.Reader
}

// Files are the inputs of Load. Apportionment is required; so is one of States and Counties
// (the statewide results, or county results to be summed by state); Districts is required when
// the apportionment has district units, and gives their results (county files have none).
type Files struct {
	Apportionment, States, Counties, Districts Source
}

// Load reads the files and assembles an Election: each statewide or at-large unit takes the
// statewide count whose state is the unit's name or postal code, each district unit the
// district count with its ID; every candidate label is replaced by names.Name. A count for a
// state or district the apportionment does not have is an error naming it; a unit without a
// count is Election.Validate's error naming the unit.
func Load(f Files, names Names) (*Election, error) {
	if f.Apportionment.R == nil {
		return nil, badf("no apportionment file")
	}
	units, err := ReadApportionment(f.Apportionment.R, f.Apportionment.Name)
	if err != nil {
		return nil, err
	}
	var states []Count
	switch {
	case f.States.R != nil && f.Counties.R != nil:
		return nil, badf("give statewide results or county results, not both")
	case f.States.R != nil:
		states, err = ReadStates(f.States.R, f.States.Name)
	case f.Counties.R != nil:
		states, err = ReadCounties(f.Counties.R, f.Counties.Name)
	default:
		return nil, badf("no statewide or county results file")
	}
	if err != nil {
		return nil, err
	}
	var districts []Count
	if f.Districts.R != nil {
		if districts, err = ReadDistricts(f.Districts.R, f.Districts.Name); err != nil {
			return nil, err
		}
	}
	return Assemble(units, states, districts, names)
}

// Assemble joins an apportionment with statewide and district counts as Load does.
func Assemble(units []Unit, states, districts []Count, names Names) (*Election, error) {
	e := &Election{Units: units}
	byState := map[string]int{}
	byID := map[string]int{}
	for i, u := range units {
		if u.District > 0 {
			byID[strings.ToUpper(u.ID)] = i
			continue
		}
		byState[canvass.NameKey(u.Name)] = i
		byState[canvass.NameKey(u.State)] = i
	}
	used := map[int]bool{}
	add := func(i int, c Count, what string) error {
		if used[i] {
			return badf("unit %s: two sets of %s results", units[i].ID, what)
		}
		used[i] = true
		c.Unit = units[i].ID
		vs := make([]Vote, 0, len(c.Votes))
		for _, v := range c.Votes {
			v.Candidate = names.Name(v.Candidate)
			if hasCandidate(vs, v.Candidate) {
				return badf("unit %s: two labels for %s", units[i].ID, v.Candidate)
			}
			vs = append(vs, v)
		}
		c.Votes = vs
		e.Counts = append(e.Counts, c)
		return nil
	}
	for _, c := range states {
		i, ok := byState[canvass.NameKey(c.Unit)]
		if !ok {
			return nil, badf("statewide results for %q, which is not a state in the apportionment", c.Unit)
		}
		if err := add(i, c, "statewide"); err != nil {
			return nil, err
		}
	}
	for _, c := range districts {
		i, ok := byID[strings.ToUpper(c.Unit)]
		if !ok {
			return nil, badf("district results for %q, which is not a district in the apportionment", c.Unit)
		}
		if err := add(i, c, "district"); err != nil {
			return nil, err
		}
	}
	return e, nil
}
