package reconcile

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/internal/csvtable"
)

// table is a unit table read whole (package csvtable).
type table = csvtable.Table

// readTable reads a CSV file with a header row.
func readTable(r io.Reader, format, file string) (*table, error) {
	return csvtable.Read(r, format, file)
}

// ReadMapping reads a mapping of member units to reporting groups from CSV. Two layouts:
//
//   - The documented one: a header naming the columns "member" and "group" (other columns are
//     ignored), then one row per member. A unit is written as in ParseUnit, completed from
//     within: "Precinct 4", "City of Detroit / Precinct 4" or "Wayne / City of Detroit /
//     Precinct 4".
//   - Detroit's absentee counting board file: header "E-Day Precinct,ACVB Precinct[,SD]", rows
//     of a precinct number and a counting board number; member N is precinct "Precinct N" and
//     group M is "AVCB M" within within (the names of the Wayne County canvass table).
//
// A member mapped twice, an empty cell or a Detroit number that is not a positive integer is a
// *canvass.ParseError naming the record and column.
func ReadMapping(r io.Reader, name string, within Unit) (*Mapping, error) {
	t, err := readTable(r, "mapping", name)
	if err != nil {
		return nil, err
	}
	m := NewMapping()
	_, ed := t.Col["e-day precinct"]
	_, av := t.Col["acvb precinct"]
	if ed && av {
		cols, _ := t.Need("E-Day Precinct", "ACVB Precinct")
		for i := range t.Records {
			var nums [2]int64
			for j, c := range cols {
				s, err := t.Text(i, c)
				if err != nil {
					return nil, err
				}
				n, err := strconv.ParseInt(s, 10, 32)
				if err != nil || n <= 0 {
					return nil, t.Err(i, t.Header[c], fmt.Errorf("%w: %q is not a precinct number", canvass.ErrNotNumber, s))
				}
				nums[j] = n
			}
			member, group := within, within
			member.Precinct = fmt.Sprintf("Precinct %d", nums[0])
			group.Precinct = fmt.Sprintf("AVCB %d", nums[1])
			if err := m.Add(member, group); err != nil {
				return nil, t.Err(i, t.Header[cols[0]], err)
			}
		}
		return m, nil
	}
	cols, err := t.Need("member", "group")
	if err != nil {
		return nil, err
	}
	for i := range t.Records {
		var units [2]Unit
		for j, c := range cols {
			s, err := t.Text(i, c)
			if err != nil {
				return nil, err
			}
			if units[j], err = ParseUnit(s, within); err != nil {
				return nil, t.Err(i, t.Header[c], fmt.Errorf("%w: %v", canvass.ErrSyntax, err))
			}
		}
		if err := m.Add(units[0], units[1]); err != nil {
			return nil, t.Err(i, t.Header[cols[0]], err)
		}
	}
	return m, nil
}

// parseDate reads an ISO date (2020-11-01).
func parseDate(s string) (time.Time, error) { return time.Parse("2006-01-02", s) }

// ReadRegistration reads registered voters per unit from CSV: a header naming the columns
// "unit" and "registered", and optionally "date", then one row per unit. A unit is written as
// in ParseUnit, completed from within; registered is a count; date (YYYY-MM-DD) is the date of
// the registration list, and date (the argument) is used when the column is absent or empty.
// A unit given twice is an error.
func ReadRegistration(r io.Reader, name string, date time.Time, within Unit) ([]Registration, error) {
	t, err := readTable(r, "registration", name)
	if err != nil {
		return nil, err
	}
	cols, err := t.Need("unit", "registered")
	if err != nil {
		return nil, err
	}
	dateCol, hasDate := t.Col["date"]
	seen := map[string]bool{}
	var out []Registration
	for i := range t.Records {
		s, err := t.Text(i, cols[0])
		if err != nil {
			return nil, err
		}
		u, err := ParseUnit(s, within)
		if err != nil {
			return nil, t.Err(i, t.Header[cols[0]], fmt.Errorf("%w: %v", canvass.ErrSyntax, err))
		}
		if seen[u.Key()] {
			return nil, t.Err(i, t.Header[cols[0]], fmt.Errorf("%w: %s is registered twice", canvass.ErrSyntax, u))
		}
		seen[u.Key()] = true
		n, err := t.Count(i, cols[1], false)
		if err != nil {
			return nil, err
		}
		d := date
		if hasDate {
			if ds := t.Cell(i, dateCol); ds != "" {
				if d, err = parseDate(ds); err != nil {
					return nil, t.Err(i, t.Header[dateCol], fmt.Errorf("%w: %q is not a date YYYY-MM-DD", canvass.ErrSyntax, ds))
				}
			}
		}
		out = append(out, Registration{Unit: u, Registered: n, Date: d})
	}
	return out, nil
}

// WayneCounty is the jurisdiction ReadWayne gives its units.
const WayneCounty = "Wayne County"

// ReadWayne reads Wayne County's (Michigan) 2020 presidential canvass by precinct with
// registration: columns municipality, precinct, registered_voters, ballots_cast_election_day,
// ballots_cast_av_counting_board, ballots_cast_total, one column per candidate, and
// total_votes_president. Each row becomes the figures of Unit{WayneCounty, municipality,
// precinct}; VotesByContest["President"] is total_votes_president. Detroit's absentee counting
// boards are rows "AVCB N" with 0 registered voters; join them to their precincts with the
// Detroit mapping (ReadMapping). The file does not date its registration.
func ReadWayne(r io.Reader, name string) ([]UnitFigures, error) {
	t, err := readTable(r, "wayne", name)
	if err != nil {
		return nil, err
	}
	c, err := t.Need("municipality", "precinct", "registered_voters", "ballots_cast_election_day",
		"ballots_cast_av_counting_board", "ballots_cast_total", "total_votes_president")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := make([]UnitFigures, 0, len(t.Records))
	for i := range t.Records {
		var u Unit
		u.Jurisdiction = WayneCounty
		if u.Municipality, err = t.Text(i, c[0]); err != nil {
			return nil, err
		}
		if u.Precinct, err = t.Text(i, c[1]); err != nil {
			return nil, err
		}
		if seen[u.Key()] {
			return nil, t.Err(i, t.Header[c[1]], fmt.Errorf("%w: %s appears twice", canvass.ErrSyntax, u))
		}
		seen[u.Key()] = true
		f := NewFigures(u)
		var n [5]int64
		for j := range n {
			if n[j], err = t.Count(i, c[2+j], false); err != nil {
				return nil, err
			}
		}
		f.Registered, f.BallotsElectionDay, f.BallotsAbsentee, f.Ballots = n[0], n[1], n[2], n[3]
		f.VotesByContest = map[string]int64{"President": n[4]}
		out = append(out, f)
	}
	return out, nil
}

// MilwaukeeCounty is the jurisdiction ReadMilwaukeeWards gives its units.
const MilwaukeeCounty = "Milwaukee County"

// Wards is Milwaukee County's ward file read by ReadMilwaukeeWards.
type Wards struct {
	// Figures holds one entry per ward: Unit{MilwaukeeCounty, municipality, "Ward N"}.
	Figures []UnitFigures
	// Mapping maps each ward reported combined to its group, Unit{MilwaukeeCounty,
	// municipality, "Wards 1,3"}.
	Mapping *Mapping
	// Combined holds the ballots the file reports for each group, by group Unit.Key (for
	// Options.CombinedBallots).
	Combined map[string]int64
	// NotReported lists wards the file marks "Not reported in results" (no ballots).
	NotReported []Unit
}

var combinedRE = regexp.MustCompile(`^WARNING: Combined in results: (.+), combined results: ([0-9]+)$`)

// ReadMilwaukeeWards reads the Milwaukee County ward file of 2020: columns name ("City of
// Milwaukee - Ward 1"), muni, ward_id, normalized_name, warning, election_day_registered,
// ballots_cast, nov_1_registered. Registered is nov_1_registered dated 2020-11-01;
// RegisteredElectionDay is election_day_registered; Ballots is ballots_cast. A warning
// "WARNING: Combined in results: Village of Bayside Wards 1,3, combined results: 1057" maps
// the ward to the group "Wards 1,3" of its municipality, whose reported ballots are 1057.
func ReadMilwaukeeWards(r io.Reader, name string) (*Wards, error) {
	t, err := readTable(r, "milwaukee-wards", name)
	if err != nil {
		return nil, err
	}
	c, err := t.Need("name", "warning", "election_day_registered", "ballots_cast", "nov_1_registered")
	if err != nil {
		return nil, err
	}
	nov1 := time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC)
	w := &Wards{Mapping: NewMapping(), Combined: map[string]int64{}}
	seen := map[string]bool{}
	for i := range t.Records {
		full, err := t.Text(i, c[0])
		if err != nil {
			return nil, err
		}
		muni, ward, ok := strings.Cut(full, " - ")
		muni, ward = strings.TrimSpace(muni), strings.TrimSpace(ward)
		if !ok || muni == "" || ward == "" {
			return nil, t.Err(i, t.Header[c[0]], fmt.Errorf("%w: %q is not \"Municipality - Ward N\"", canvass.ErrSyntax, full))
		}
		u := Unit{Jurisdiction: MilwaukeeCounty, Municipality: muni, Precinct: ward}
		if seen[u.Key()] {
			return nil, t.Err(i, t.Header[c[0]], fmt.Errorf("%w: %s appears twice", canvass.ErrSyntax, u))
		}
		seen[u.Key()] = true
		f := NewFigures(u)
		if f.RegisteredElectionDay, err = t.Count(i, c[2], true); err != nil {
			return nil, err
		}
		if f.Ballots, err = t.Count(i, c[3], true); err != nil {
			return nil, err
		}
		if f.Registered, err = t.Count(i, c[4], true); err != nil {
			return nil, err
		}
		if f.Registered >= 0 {
			f.RegisteredDate = nov1
		}
		warn := t.Cell(i, c[1])
		switch {
		case warn == "":
		case strings.EqualFold(warn, "Not reported in results"):
			w.NotReported = append(w.NotReported, u)
		default:
			m := combinedRE.FindStringSubmatch(warn)
			if m == nil {
				return nil, t.Err(i, t.Header[c[1]], fmt.Errorf("%w: warning %q is neither \"Not reported in results\" nor \"WARNING: Combined in results: ..., combined results: N\"", canvass.ErrSyntax, warn))
			}
			gname := strings.TrimSpace(m[1])
			// The group is named with its municipality ("Village of Bayside Wards 1,3"); the
			// file spells municipalities in varying case ("City Of Oak Creek").
			if len(gname) > len(muni) && strings.EqualFold(gname[:len(muni)], muni) {
				if rest := strings.TrimSpace(gname[len(muni):]); rest != "" {
					gname = rest
				}
			}
			g := Unit{Jurisdiction: MilwaukeeCounty, Municipality: muni, Precinct: gname}
			n, err := strconv.ParseInt(m[2], 10, 64)
			if err != nil {
				return nil, t.Err(i, t.Header[c[1]], fmt.Errorf("%w: %q", canvass.ErrNotNumber, m[2]))
			}
			if old, ok := w.Combined[g.Key()]; ok && old != n {
				return nil, t.Err(i, t.Header[c[1]], fmt.Errorf("%w: %s reports %d combined ballots here, %d before", canvass.ErrSyntax, g, n, old))
			}
			w.Combined[g.Key()] = n
			if err := w.Mapping.Add(u, g); err != nil {
				return nil, t.Err(i, t.Header[c[1]], err)
			}
		}
		w.Figures = append(w.Figures, f)
	}
	return w, nil
}

var regDateRE = regexp.MustCompile(`^reg_voter_([0-9]{4})_([0-9]{2})_([0-9]{2})$`)

// ReadCountyEstimates reads Wisconsin's county registration and census estimates: columns
// county ("ADAMS COUNTY"), reg_voter_YYYY_MM_DD (registered voters on that date), and columns
// starting vap_est and cvap_est (American Community Survey estimates, e.g.
// vap_est_acs2014_2018). The unit is Unit{Jurisdiction: the county name without " COUNTY"},
// so that it matches the ward report's "County Name"; VAP and CVAP are set with EstimateSource
// naming the survey from the column name.
func ReadCountyEstimates(r io.Reader, name string) ([]UnitFigures, error) {
	t, err := readTable(r, "county-estimates", name)
	if err != nil {
		return nil, err
	}
	c, err := t.Need("county")
	if err != nil {
		return nil, err
	}
	reg, vap, cvap := -1, -1, -1
	var date time.Time
	var source string
	for i, h := range t.Header {
		k := canvass.NameKey(h)
		switch {
		case regDateRE.MatchString(k):
			m := regDateRE.FindStringSubmatch(k)
			d, err := parseDate(m[1] + "-" + m[2] + "-" + m[3])
			if err != nil {
				return nil, t.Err(-1, h, fmt.Errorf("%w: %q does not name a date", canvass.ErrSyntax, h))
			}
			reg, date = i, d
		case strings.HasPrefix(k, "vap_est"):
			vap = i
			source = strings.TrimPrefix(strings.TrimPrefix(k, "vap_est"), "_")
		case strings.HasPrefix(k, "cvap_est"):
			cvap = i
		}
	}
	if reg < 0 || vap < 0 || cvap < 0 {
		return nil, t.Err(-1, "reg_voter_YYYY_MM_DD, vap_est*, cvap_est*", fmt.Errorf("%w: the header needs a reg_voter_YYYY_MM_DD, a vap_est and a cvap_est column", canvass.ErrMissingField))
	}
	seen := map[string]bool{}
	var out []UnitFigures
	for i := range t.Records {
		county, err := t.Text(i, c[0])
		if err != nil {
			return nil, err
		}
		county = strings.TrimSpace(county)
		if k := canvass.NameKey(county); strings.HasSuffix(k, " county") {
			county = strings.TrimSpace(county[:len(county)-len(" county")])
		}
		u := Unit{Jurisdiction: county}
		if seen[u.Key()] {
			return nil, t.Err(i, t.Header[c[0]], fmt.Errorf("%w: %s appears twice", canvass.ErrSyntax, county))
		}
		seen[u.Key()] = true
		f := NewFigures(u)
		if f.Registered, err = t.Count(i, reg, false); err != nil {
			return nil, err
		}
		f.RegisteredDate = date
		if f.VAP, err = t.Count(i, vap, false); err != nil {
			return nil, err
		}
		if f.CVAP, err = t.Count(i, cvap, false); err != nil {
			return nil, err
		}
		f.EstimateSource = source
		out = append(out, f)
	}
	return out, nil
}

// FromResults sums results rows (package results) into figures per unit at level
// (canvass.LevelCounty, LevelMunicipality or LevelPrecinct): votes per contest from the
// total rows (Mode ""), Registered, Ballots, PollBook and AbsenteeReceived from the
// statistic rows (StatRegistered, StatBallots, StatPollBook, StatAbsenteeReceived) of Mode "".
// Units come in order of first appearance; a unit's Jurisdiction is the county.
func FromResults(rows []canvass.ResultRow, level canvass.Level) []UnitFigures {
	var out []UnitFigures
	at := map[string]int{}
	for i := range rows {
		r := &rows[i]
		if r.Mode != "" {
			continue
		}
		u := Unit{Jurisdiction: strings.TrimSpace(r.Unit.County)}
		switch level {
		case canvass.LevelPrecinct:
			u.Precinct = strings.TrimSpace(r.Unit.Precinct)
			fallthrough
		case canvass.LevelMunicipality:
			u.Municipality = strings.TrimSpace(r.Unit.Municipality)
		}
		k := u.Key()
		j, ok := at[k]
		if !ok {
			j = len(out)
			at[k] = j
			out = append(out, NewFigures(u))
		}
		f := &out[j]
		switch r.Stat {
		case canvass.StatRegistered:
			sum(&f.Registered, r.Votes)
		case canvass.StatBallots:
			sum(&f.Ballots, r.Votes)
		case canvass.StatPollBook:
			sum(&f.PollBook, r.Votes)
		case canvass.StatAbsenteeReceived:
			sum(&f.AbsenteeReceived, r.Votes)
		case "":
			if f.VotesByContest == nil {
				f.VotesByContest = map[string]int64{}
			}
			c := r.Contest
			if r.District != "" {
				c += " " + r.District
			}
			f.VotesByContest[c] += r.Votes
		}
	}
	return out
}
