package results

import (
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"

	canvass "github.com/canvass-vote/canvass"
)

// longTable is the layout of a long table: one record per choice (or statistic) per unit.
type longTable struct {
	hdr []string
	// columns, -1 when absent
	state, county, municipality, precinct int
	contest, district, choice, party      int
	mode, stat, votes                     int
	// modes are the vote-mode columns of an OpenElections file (each gives a row of its own).
	modes []countCol
}

func newLongTable(hdr []string) *longTable {
	return &longTable{hdr: copyHeader(hdr), state: -1, county: -1, municipality: -1, precinct: -1,
		contest: -1, district: -1, choice: -1, party: -1, mode: -1, stat: -1, votes: -1}
}

// requireColumns checks the required columns of a long format. A header with none of the
// format's own columns (those no other format uses) is another format's (ErrWrongFormat);
// otherwise the first missing required column is named (ErrMissingField).
func requireColumns(s *src, t table, hdr []string, idx map[string]int, format string, own, required []string) error {
	if pick(idx, own...) < 0 {
		return wrongFormat(s, t, strings.Join(own, " or ")+" column of the "+format+" format")
	}
	for _, k := range required {
		if _, ok := idx[k]; !ok {
			return s.perr(t.row(), t.line(), k, fmt.Errorf("%w: the header has no %q column", canvass.ErrMissingField, k))
		}
	}
	return noDuplicates(s, t, hdr)
}

// The core columns of an OpenElections file (the project's precinct-results guidance:
// county, precinct, office, district, party, candidate, votes). Any other column is a vote
// mode ("a lowercase version of the vote type with underscores instead of spaces").
var openElectionsCore = map[string]bool{
	"state": true, "county": true, "precinct": true, "office": true, "district": true,
	"party": true, "candidate": true, "votes": true,
}

// openElectionsLayout reads an OpenElections header, in any column order.
func openElectionsLayout(s *src, hdr []string, t table) (*longTable, error) {
	if err := notArlo(s, hdr, t); err != nil {
		return nil, err
	}
	idx := headerKeys(hdr)
	if err := requireColumns(s, t, hdr, idx, "openelections", []string{"office", "candidate"}, []string{"county", "precinct", "office", "candidate", "votes"}); err != nil {
		return nil, err
	}
	l := newLongTable(hdr)
	l.state, l.county, l.precinct = pick(idx, "state"), idx["county"], idx["precinct"]
	l.contest, l.district, l.choice, l.party, l.votes = idx["office"], pick(idx, "district"), idx["candidate"], pick(idx, "party"), idx["votes"]
	for i, h := range hdr {
		k := headerKey(h)
		if k == "" || openElectionsCore[k] {
			continue
		}
		l.modes = append(l.modes, countCol{idx: i, header: strings.TrimSpace(h), mode: k})
	}
	return l, nil
}

// openElectionsFile matches the project's file names, 20201103__mi__general__alcona__precinct.csv.
var openElectionsFile = regexp.MustCompile(`^\d{8}__([a-z]{2})__`)

// The offices that are statistics of the unit rather than contests, as NameKey.
var openElectionsStats = map[string]string{
	"registered voters":    canvass.StatRegistered,
	"ballots cast":         canvass.StatBallots,
	"ballots cast - total": canvass.StatBallots,
	"ballots cast total":   canvass.StatBallots,
	"total ballots cast":   canvass.StatBallots,
}

// newOpenElections reads an OpenElections precinct file.
func newOpenElections(s *src, r io.Reader, opts Options) (Reader, error) {
	t, l, err := openTable(s, r, 1, openElectionsLayout)
	if err != nil {
		return nil, err
	}
	state := opts.State
	if m := openElectionsFile.FindStringSubmatch(filepath.Base(s.file)); m != nil {
		state = strings.ToUpper(m[1])
	}
	cols := append([]countCol{{idx: l.votes, header: l.hdr[l.votes]}}, l.modes...)
	rd := &reader{src: s, t: t, hdr: l.hdr, cols: cols, syn: groupedDigits, na: true}
	get := func(rec []string, i int) string {
		v := cell(rec, i)
		if v == "NA" { // R's missing value, written by some of the project's conversion scripts
			return ""
		}
		return v
	}
	rd.begin = func(rec []string) (bool, error) {
		row := canvass.ResultRow{Unit: canvass.Unit{State: state, County: get(rec, l.county), Precinct: get(rec, l.precinct)}}
		if v := get(rec, l.state); v != "" {
			row.Unit.State = v
		}
		if row.Unit.Precinct == "" {
			return false, rd.perr(rd.cur, t.line(), l.hdr[l.precinct], fmt.Errorf("%w: no precinct", canvass.ErrMissingField))
		}
		office := get(rec, l.contest)
		if office == "" {
			return false, rd.perr(rd.cur, t.line(), l.hdr[l.contest], fmt.Errorf("%w: no office", canvass.ErrMissingField))
		}
		key := canvass.NameKey(office)
		if stat, ok := openElectionsStats[key]; ok {
			row.Stat = stat
			rd.tmpl = row
			return false, nil
		}
		if strings.HasPrefix(key, "ballots cast") || key == "cards cast" {
			// "Ballots Cast Blank", "Cards Cast" (a ballot may have several cards): statistics
			// that ResultRow has no place for.
			return true, nil
		}
		row.Contest, row.District, row.Party, row.Choice = office, get(rec, l.district), get(rec, l.party), get(rec, l.choice)
		if row.Choice == "" {
			// Straight-party rows name the party only; it is the choice.
			row.Choice = row.Party
		}
		if row.Choice == "" {
			return false, rd.perr(rd.cur, t.line(), l.hdr[l.choice], fmt.Errorf("%w: neither candidate nor party", canvass.ErrMissingField))
		}
		rd.tmpl = row
		return false, nil
	}
	return rd, nil
}

// The columns of our own long format.
var canvassColumns = []string{"state", "county", "municipality", "precinct", "contest", "district", "choice", "party", "mode", "stat", "votes"}

// Contest names that mark a statistic row in a canvass file without a stat column.
var canvassStatContests = map[string]string{
	"*registered*": canvass.StatRegistered,
	"*ballots*":    canvass.StatBallots,
}

// canvassLayout reads the header of our own long CSV (docs/formats/results.md).
func canvassLayout(s *src, hdr []string, t table) (*longTable, error) {
	if err := notArlo(s, hdr, t); err != nil {
		return nil, err
	}
	idx := headerKeys(hdr)
	if err := requireColumns(s, t, hdr, idx, "canvass", []string{"contest", "choice"}, []string{"contest", "choice", "votes"}); err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, k := range canvassColumns {
		known[k] = true
	}
	for _, h := range hdr {
		if k := headerKey(h); k != "" && !known[k] {
			return nil, s.perr(t.row(), t.line(), h, fmt.Errorf("%w: unknown column (the columns are %s)", canvass.ErrSyntax, strings.Join(canvassColumns, ", ")))
		}
	}
	l := newLongTable(hdr)
	l.state, l.county, l.municipality, l.precinct = pick(idx, "state"), pick(idx, "county"), pick(idx, "municipality"), pick(idx, "precinct")
	if l.state < 0 && l.county < 0 && l.municipality < 0 && l.precinct < 0 {
		return nil, s.perr(t.row(), t.line(), "precinct", fmt.Errorf("%w: no unit column (state, county, municipality or precinct)", canvass.ErrMissingField))
	}
	l.contest, l.district, l.choice, l.party = idx["contest"], pick(idx, "district"), idx["choice"], pick(idx, "party")
	l.mode, l.stat, l.votes = pick(idx, "mode"), pick(idx, "stat"), idx["votes"]
	return l, nil
}

// newCanvass reads our own long CSV.
func newCanvass(s *src, r io.Reader, opts Options) (Reader, error) {
	t, l, err := openTable(s, r, 1, canvassLayout)
	if err != nil {
		return nil, err
	}
	cols := []countCol{{idx: l.votes, header: l.hdr[l.votes], required: true}}
	rd := &reader{src: s, t: t, hdr: l.hdr, cols: cols, syn: plainDigits}
	finest := l.precinct
	for _, i := range []int{l.municipality, l.county, l.state} {
		if finest < 0 {
			finest = i
		}
	}
	field := func(i int) string { return strings.TrimSpace(l.hdr[i]) }
	rd.begin = func(rec []string) (bool, error) {
		row := canvass.ResultRow{
			Unit: canvass.Unit{State: cell(rec, l.state), County: cell(rec, l.county),
				Municipality: cell(rec, l.municipality), Precinct: cell(rec, l.precinct)},
			Contest: cell(rec, l.contest), District: cell(rec, l.district), Choice: cell(rec, l.choice),
			Party: cell(rec, l.party), Mode: cell(rec, l.mode), Stat: cell(rec, l.stat),
		}
		if cell(rec, finest) == "" {
			return false, rd.perr(rd.cur, t.line(), field(finest), fmt.Errorf("%w: the row names no unit", canvass.ErrMissingField))
		}
		if row.Stat == "" {
			row.Stat = canvassStatContests[row.Contest]
			if row.Stat != "" {
				row.Contest = ""
			}
		} else {
			if !canvass.IsStat(row.Stat) {
				return false, rd.perr(rd.cur, t.line(), field(l.stat), fmt.Errorf("%w: stat %q is not one of %q, %q, %q, %q", canvass.ErrSyntax, row.Stat,
					canvass.StatRegistered, canvass.StatBallots, canvass.StatPollBook, canvass.StatAbsenteeReceived))
			}
			if st, ok := canvassStatContests[row.Contest]; ok && st == row.Stat {
				row.Contest = ""
			}
			if row.Contest != "" {
				return false, rd.perr(rd.cur, t.line(), field(l.contest), fmt.Errorf("%w: a %s row names no contest", canvass.ErrSyntax, row.Stat))
			}
		}
		switch {
		case row.Stat != "" && row.Choice != "":
			return false, rd.perr(rd.cur, t.line(), field(l.choice), fmt.Errorf("%w: a %s row names no choice", canvass.ErrSyntax, row.Stat))
		case row.Stat == "" && row.Contest == "":
			return false, rd.perr(rd.cur, t.line(), field(l.contest), fmt.Errorf("%w: no contest", canvass.ErrMissingField))
		case row.Stat == "" && row.Choice == "":
			return false, rd.perr(rd.cur, t.line(), field(l.choice), fmt.Errorf("%w: no choice", canvass.ErrMissingField))
		}
		rd.tmpl = row
		return false, nil
	}
	return rd, nil
}
