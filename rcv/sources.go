package rcv

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
	_ "github.com/canvass-vote/canvass/cvr/cdf" // every provider's reader, registered by name
	_ "github.com/canvass-vote/canvass/cvr/clearballot"
	_ "github.com/canvass-vote/canvass/cvr/dominion"
	_ "github.com/canvass-vote/canvass/cvr/ess"
	_ "github.com/canvass-vote/canvass/cvr/hart"
	_ "github.com/canvass-vote/canvass/cvr/rankcsv"
)

// LoadBallots reads every CVR source of the configuration with the reader of its provider
// (ess, genericCsv, cdf (JSON or XML), dominion, hart, clearBallot) and returns the contest's
// ballots, with each file's candidate names and codes mapped to the configuration's names.
func LoadBallots(cfg *Config) ([]Ballot, error) {
	names := cfg.nameMap()
	var out []Ballot
	for i := range cfg.Sources {
		src := &cfg.Sources[i]
		r, err := openSource(cfg, src)
		if err != nil {
			return nil, fmt.Errorf("cvrFileSources[%d] (%s): %w", i, src.FilePath, err)
		}
		bs, err := readSource(r, src, names)
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("cvrFileSources[%d] (%s): %w", i, src.FilePath, err)
		}
		out = append(out, bs...)
	}
	return out, nil
}

// missingPrecinct is the precinct RCTab gives a ballot whose precinct cell is blank.
const missingPrecinct = "missing_precinct_id"

// RankedOptions are a source's settings for the ranked-layout readers.
func (cfg *Config) RankedOptions(src *Source) cvr.RankedOptions {
	o := cvr.RankedOptions{Contest: src.ContestID, FirstVoteColumn: src.FirstVoteColumnIndex, FirstVoteRow: src.FirstVoteRowIndex,
		IDColumn: src.IDColumnIndex, PrecinctColumn: src.PrecinctColumnIndex, BatchColumn: src.BatchColumnIndex,
		OvervoteDelimiter: src.OvervoteDelimiter, OvervoteLabel: src.OvervoteLabel, UndervoteLabel: src.SkippedRankLabel,
		UndeclaredWriteInLabel: src.UndeclaredWriteInLabel, TreatBlankAsUndeclaredWriteIn: src.TreatBlankAsUndeclaredWriteIn}
	for _, c := range cfg.Candidates {
		rc := cvr.RankedCandidate{Name: c.Name, Aliases: append([]string(nil), c.Aliases...)}
		if c.Code != "" && c.Code != c.Name {
			rc.Aliases = append(rc.Aliases, c.Code)
		}
		o.Candidates = append(o.Candidates, rc)
	}
	return o
}

func openSource(cfg *Config, src *Source) (cvr.Reader, error) {
	switch src.Provider {
	case "ess", "genericCsv", "hart", "clearBallot", "cdf", "dominion":
		return cvr.OpenRanked(src.Path, src.Format(), cfg.RankedOptions(src))
	}
	return nil, fmt.Errorf("provider %q: canvass reads ess, genericCsv, cdf, dominion, hart and clearBallot", src.Provider)
}

// Ranked reports whether the source's reader needs its settings (the ranked layouts: ES&S,
// generic CSV, Hart, Clear Ballot); CDF and Dominion files say everything themselves.
func (src *Source) Ranked() bool {
	switch src.Provider {
	case "ess", "genericCsv", "hart", "clearBallot":
		return true
	}
	return false
}

// contestIndex finds the source's contest: by id or name, or the only ranked one.
func contestIndex(el *canvass.Election, src *Source) (int, error) {
	if src.ContestID != "" {
		for i, c := range el.Contests {
			if c.ID == src.ContestID || canvass.NameKey(c.Name) == canvass.NameKey(src.ContestID) {
				return i, nil
			}
		}
		return -1, fmt.Errorf("no contest %q in the file", src.ContestID)
	}
	found := -1
	for i, c := range el.Contests {
		if c.Type == canvass.IRV || c.Type == canvass.STV || len(el.Contests) == 1 {
			if found >= 0 {
				return -1, fmt.Errorf("the file has several ranked contests; name one with contestId")
			}
			found = i
		}
	}
	if found < 0 {
		return -1, fmt.Errorf("the file has no ranked contest")
	}
	return found, nil
}

func readSource(r cvr.Reader, src *Source, names map[string]string) ([]Ballot, error) {
	var out []Ballot
	err := eachSourceBallot(r, src, names, func(_ *canvass.Election, _ int, _ *canvass.Ballot, rb Ballot, _ func(string) (string, bool)) error {
		out = append(out, rb)
		return nil
	})
	return out, err
}

// eachSourceBallot reads one source and calls fn with each ballot that has the contest, as
// RCTab reads it, converted to a Ballot; fn also gets the file's election, the contest's index,
// the canvass ballot and the name resolver (for callers that keep more of the file, such as
// the CDF export).
func eachSourceBallot(r cvr.Reader, src *Source, names map[string]string,
	fn func(el *canvass.Election, ci int, b *canvass.Ballot, rb Ballot, resolve func(string) (string, bool)) error) error {
	el := r.Election()
	ci, err := contestIndex(el, src)
	if err != nil {
		return err
	}
	// A write-in choice of the file (a CDF or Dominion write-in line) that the configuration
	// does not declare is an undeclared write-in.
	writeIns := map[string]bool{}
	for _, ch := range el.Contests[ci].Choices {
		if ch.WriteIn {
			writeIns[strings.TrimSpace(ch.Name)] = true
		}
	}
	uwiLabel := strings.TrimSpace(src.UndeclaredWriteInLabel)
	resolve := func(n string) (string, bool) {
		n = strings.TrimSpace(n)
		if v, ok := names[n]; ok {
			return v, true
		}
		if writeIns[n] || (uwiLabel != "" && n == uwiLabel) {
			return UndeclaredWriteIn, true
		}
		return "", false
	}
	for {
		b, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		// RCTab counts only the ballots that have the contest (a card of another style is not
		// an undervote), and reads a selection without a rank as a first choice.
		has := false
		for k := range b.Contests {
			cm := &b.Contests[k]
			if int(cm.Contest) != ci {
				continue
			}
			has = true
			kept := cm.Marks[:0]
			for _, m := range cm.Marks {
				if m.Rank == 0 {
					m.Rank = 1
				}
				switch src.Provider {
				case "dominion":
					// Dominion marks every rank after the first IsVote=false in some exports
					// (Alaska, Wyoming); RCTab reads the ranks and drops only ambiguous marks.
					if m.Flags&canvass.Ambiguous != 0 {
						continue
					}
					m.Flags &^= canvass.NotCounted
				case "cdf":
					// RCTab's CDF reader skips selections whose status is needs-adjudication,
					// which the CDF readers flag Ambiguous (as they flag HasIndication
					// "unknown", which no RCTab case has).
					if m.Flags&canvass.Ambiguous != 0 {
						continue
					}
				}
				kept = append(kept, m)
			}
			cm.Marks = kept
		}
		if !has {
			continue
		}
		if b.Precinct == "" && src.PrecinctColumnIndex > 0 {
			b.Precinct = missingPrecinct // as RCTab names a blank precinct cell
		}
		rb, err := FromCanvass(el, ci, b, resolve)
		if err != nil {
			file, rec := r.Where()
			return &canvass.ParseError{Format: src.Provider, File: file, Record: rec, Field: "candidate", Err: err}
		}
		if err := fn(el, ci, b, rb, resolve); err != nil {
			return err
		}
	}
}

// nameMap maps every name, code and alias of the configuration's candidates (and undeclared
// write-ins) to the candidate's name.
func (cfg *Config) nameMap() map[string]string {
	m := map[string]string{UndeclaredWriteIn: UndeclaredWriteIn}
	for _, c := range cfg.Candidates {
		m[strings.TrimSpace(c.Name)] = c.Name
		if c.Code != "" {
			m[strings.TrimSpace(c.Code)] = c.Name
		}
		for _, a := range c.Aliases {
			m[strings.TrimSpace(a)] = c.Name
		}
	}
	return m
}

// Format is canvass's name for the reader of a source's provider ("ess", "rankcsv", "hart",
// "clearballot", "cdf" or "cdf-xml", "dominion").
func (src *Source) Format() string {
	switch src.Provider {
	case "genericCsv":
		return "rankcsv"
	case "clearBallot":
		return "clearballot"
	case "cdf":
		if strings.EqualFold(filepath.Ext(src.Path), ".xml") {
			return "cdf-xml"
		}
	}
	return src.Provider
}
