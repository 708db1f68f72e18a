package results

import (
	"fmt"
	"io"
	"strings"

	canvass "github.com/canvass-vote/canvass"
)

// Unit levels, in the order of wideTable.unit.
const (
	uState = iota
	uCounty
	uMunicipality
	uPrecinct
)

// wideTable is the layout of a wide table: unit columns, then one count column per choice or
// statistic. The Wisconsin report (wec) and generic wide files (wide) share it.
type wideTable struct {
	hdr  []string
	unit [4]int // column of each unit level, -1 when absent
	cols []countCol
	// totalsRow reports a record that sums others (skipped, so counts are not doubled).
	totalsRow func(rec []string) bool
}

// wecHeaderRows is how far down the Wisconsin report's header row may be: the Elections
// Commission's workbooks put title rows (report name, election, contest) above it.
const wecHeaderRows = 30

// The unit columns of the Wisconsin Elections Commission ward-by-ward report, as header keys
// (headerKey), with their names as printed.
var wecUnitCols = []struct{ key, name string }{
	{"county_name", "County Name"},
	{"municipality_name", "Municipality Name"},
	{"reporting_unit", "Reporting Unit"},
}

// wecLayout reads the header of the Wisconsin ward-by-ward report: County Name, Municipality
// Name, Reporting Unit, the district columns, then one column per candidate (write-in lines
// and SCATTERING included).
func wecLayout(s *src, hdr []string, t table) (*wideTable, error) {
	if err := notArlo(s, hdr, t); err != nil {
		return nil, err
	}
	idx := headerKeys(hdr)
	l := &wideTable{hdr: copyHeader(hdr), unit: [4]int{-1, -1, -1, -1}}
	found := 0
	for _, c := range wecUnitCols {
		if _, ok := idx[c.key]; ok {
			found++
		}
	}
	if 2*found < len(wecUnitCols) {
		// Not the header: a title row above it, or another kind of file (one "County Name"
		// column alone does not make a ward report).
		return nil, wrongFormat(s, t, "County Name, Municipality Name and Reporting Unit columns")
	}
	if err := noDuplicates(s, t, hdr); err != nil {
		return nil, err
	}
	for i, c := range wecUnitCols {
		j, ok := idx[c.key]
		if !ok {
			return nil, s.perr(t.row(), t.line(), c.name, fmt.Errorf("%w: the header row has no %q column", canvass.ErrMissingField, c.name))
		}
		l.unit[uCounty+i] = j
	}
	for i, h := range hdr {
		switch k := headerKey(h); {
		case i == l.unit[uCounty] || i == l.unit[uMunicipality] || i == l.unit[uPrecinct]:
		case k == "":
			// An unnamed column (an empty spreadsheet column) holds nothing we can name.
		case k == "congressional_district" || k == "senate_district" || k == "assembly_district":
			// The districts the unit lies in ("Assembly - District 41"): metadata of the unit,
			// not part of its name, and not a contest of this report.
		case strings.HasPrefix(k, "total_votes"):
			// "Total Votes Cast": the sum of the candidate columns.
		default:
			l.cols = append(l.cols, countCol{idx: i, header: strings.TrimSpace(h), setsChoice: true, choice: strings.TrimSpace(h)})
		}
	}
	if len(l.cols) == 0 {
		return nil, s.perr(t.row(), t.line(), "candidate columns", fmt.Errorf("%w: the header row names no candidate", canvass.ErrMissingField))
	}
	if err := distinctChoices(s, t, l.cols); err != nil {
		return nil, err
	}
	county := l.unit[uCounty]
	l.totalsRow = func(rec []string) bool {
		// The Commission's reports may open with an "Office Totals:" row (the statewide sum).
		return strings.HasPrefix(canvass.NameKey(cell(rec, county)), "office total")
	}
	return l, nil
}

// newWEC reads the Wisconsin ward-by-ward report, from its XLSX workbook or as CSV.
func newWEC(s *src, r io.Reader, opts Options) (Reader, error) {
	t, l, err := openTable(s, r, wecHeaderRows, wecLayout)
	if err != nil {
		return nil, err
	}
	def := canvass.Unit{State: opts.State}
	if def.State == "" {
		def.State = "WI"
	}
	contest := opts.Contest
	if contest == "" {
		contest = "President"
	}
	return newWideReader(s, t, l, def, contest), nil
}

// Unit column names of generic wide files, as header keys.
var wideUnitKeys = [4][]string{
	uState:        {"state", "state_name"},
	uCounty:       {"county", "county_name"},
	uMunicipality: {"municipality", "municipality_name"},
	uPrecinct:     {"precinct", "precinct_name", "ward", "reporting_unit"},
}

// wideLayout reads the header of a generic wide file: unit columns by name, statistics
// (registered_voters; ballots_cast or ballots_cast_total; ballots_cast_<mode>; poll_book or
// voters_checked_in; absentee_received or absentee_ballots_received), totals to skip
// (total_votes*), and every other column a choice.
func wideLayout(s *src, hdr []string, t table) (*wideTable, error) {
	if err := notArlo(s, hdr, t); err != nil {
		return nil, err
	}
	idx := headerKeys(hdr)
	if _, votes := idx["votes"]; votes && pick(idx, "office", "contest", "candidate", "choice") >= 0 {
		return nil, s.perr(t.row(), t.line(), "", fmt.Errorf("%w: one row per choice with a votes column is a long table (format openelections or canvass), not a wide one", canvass.ErrWrongFormat))
	}
	l := &wideTable{hdr: copyHeader(hdr), unit: [4]int{-1, -1, -1, -1}}
	isUnit := map[int]bool{}
	for level, keys := range wideUnitKeys {
		for _, k := range keys {
			i, ok := idx[k]
			if !ok {
				continue
			}
			if l.unit[level] >= 0 {
				return nil, s.perr(t.row(), t.line(), hdr[i], fmt.Errorf("%w: a second %s column (the first is %q)", canvass.ErrSyntax, keys[0], hdr[l.unit[level]]))
			}
			l.unit[level] = i
			isUnit[i] = true
		}
	}
	if len(isUnit) == 0 {
		return nil, wrongFormat(s, t, "unit column (state, county, municipality, precinct, ward or reporting unit)")
	}
	if err := noDuplicates(s, t, hdr); err != nil {
		return nil, err
	}
	ballotsTotal := -1
	for i, h := range hdr {
		name := strings.TrimSpace(h)
		c := countCol{idx: i, header: name, setsChoice: true}
		switch k := headerKey(h); {
		case isUnit[i] || k == "" || s.skip[k]:
			continue
		case k == "registered_voters":
			c.stat = canvass.StatRegistered
		case k == "poll_book" || k == "voters_checked_in":
			c.stat = canvass.StatPollBook
		case k == "absentee_received" || k == "absentee_ballots_received":
			c.stat = canvass.StatAbsenteeReceived
		case k == "ballots_cast" || k == "ballots_cast_total":
			if ballotsTotal >= 0 {
				return nil, s.perr(t.row(), t.line(), name, fmt.Errorf("%w: a second total of ballots cast (the first is %q)", canvass.ErrSyntax, hdr[ballotsTotal]))
			}
			ballotsTotal = i
			c.stat = canvass.StatBallots
		case strings.HasPrefix(k, "ballots_cast_"):
			c.stat, c.mode = canvass.StatBallots, strings.TrimPrefix(k, "ballots_cast_")
		case strings.HasPrefix(k, "total_votes"):
			// A sum of the choice columns: reading it would count the votes twice.
			continue
		case k == "fips" || strings.HasSuffix(k, "_fips") || k == "geoid":
			// Codes of the unit, not counts (county_fips 01001 is no vote count).
			continue
		default:
			c.choice = name
			if n, ok := s.rename[k]; ok && n != "" {
				c.choice = n
			}
		}
		l.cols = append(l.cols, c)
	}
	for k := range s.skip {
		if _, ok := idx[k]; !ok {
			return nil, s.perr(t.row(), t.line(), k, fmt.Errorf("%w: the header has no column %q to skip", canvass.ErrMissingField, k))
		}
	}
	for k := range s.rename {
		if _, ok := idx[k]; !ok {
			return nil, s.perr(t.row(), t.line(), k, fmt.Errorf("%w: the header has no column %q to rename", canvass.ErrMissingField, k))
		}
	}
	if len(l.cols) == 0 {
		return nil, s.perr(t.row(), t.line(), "choice columns", fmt.Errorf("%w: the header has unit columns only", canvass.ErrMissingField))
	}
	if err := distinctChoices(s, t, l.cols); err != nil {
		return nil, err
	}
	return l, nil
}

// distinctChoices refuses two columns for the same choice (names equal under NameKey), which
// would be summed as one.
func distinctChoices(s *src, t table, cols []countCol) error {
	seen := map[string]string{}
	for _, c := range cols {
		if c.choice == "" {
			continue
		}
		k := canvass.NameKey(c.choice)
		if first, dup := seen[k]; dup {
			return s.perr(t.row(), t.line(), c.header, fmt.Errorf("%w: the same choice as column %q", canvass.ErrSyntax, first))
		}
		seen[k] = c.header
	}
	return nil
}

// newWide reads a generic wide file.
func newWide(s *src, r io.Reader, opts Options) (Reader, error) {
	t, l, err := openTable(s, r, 1, wideLayout)
	if err != nil {
		return nil, err
	}
	if opts.Contest == "" {
		for _, c := range l.cols {
			if c.choice != "" {
				_ = t.close()
				return nil, s.perr(1, 0, "Options.Contest", fmt.Errorf("%w: the choice columns (%q, ...) need the name of their contest (--contest)", canvass.ErrMissingField, c.header))
			}
		}
	}
	return newWideReader(s, t, l, canvass.Unit{State: opts.State, County: opts.County}, opts.Contest), nil
}

// newWideReader returns the reader of a wide table: a record's unit columns make the unit, and
// each non-empty count cell a row.
func newWideReader(s *src, t table, l *wideTable, def canvass.Unit, contest string) *reader {
	for i := range l.cols {
		if l.cols[i].choice != "" {
			l.cols[i].contest = contest
		}
	}
	r := &reader{src: s, t: t, hdr: l.hdr, cols: l.cols, syn: groupedDigits}
	finest := -1
	for level := uPrecinct; level >= uState && finest < 0; level-- {
		finest = l.unit[level]
	}
	r.begin = func(rec []string) (bool, error) {
		if l.totalsRow != nil && l.totalsRow(rec) {
			return true, nil
		}
		u := def
		for level, i := range l.unit {
			if i < 0 {
				continue
			}
			v := cell(rec, i)
			if v == "" {
				continue
			}
			switch level {
			case uState:
				u.State = v
			case uCounty:
				u.County = v
			case uMunicipality:
				u.Municipality = v
			case uPrecinct:
				u.Precinct = v
			}
		}
		if finest >= 0 && cell(rec, finest) == "" {
			return false, r.perr(r.cur, t.line(), strings.TrimSpace(l.hdr[finest]), fmt.Errorf("%w: the row names no unit", canvass.ErrMissingField))
		}
		r.tmpl = canvass.ResultRow{Unit: u}
		return false, nil
	}
	return r
}
