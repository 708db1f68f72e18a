package workspace

import (
	"context"
	"fmt"
	"io"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/tabulate"
)

// TabulateOptions choose what to tabulate.
type TabulateOptions struct {
	// Contest limits the result to one contest (by name, case-insensitive); "" for all.
	Contest string
	// By groups the per-unit tables ("" or state: no unit tables).
	By canvass.Level
	// For TabulateFiles: formats of the files ("" sniffs), the jurisdiction of the CVRs, the
	// results options and progress.
	CVRFormat    string
	Jurisdiction string
	Results      results.Options
	Progress     func(int64)
}

// unitOf names the unit of a ballot at level l. CVRs do not name municipalities: grouping by
// municipality groups CVR ballots by jurisdiction.
func unitOf(l canvass.Level, jurisdiction string, b *canvass.Ballot) string {
	var part string
	switch l {
	case "", canvass.LevelState:
		return ""
	case canvass.LevelCounty, canvass.LevelMunicipality:
		if jurisdiction == "" {
			return "(no jurisdiction)"
		}
		return jurisdiction
	case canvass.LevelPrecinct:
		part = b.Precinct
	case canvass.LevelBatch:
		part = b.Batch
	case canvass.LevelTabulator:
		part = b.Tabulator
	}
	if part == "" {
		part = "(none)"
	}
	if jurisdiction == "" {
		return part
	}
	return jurisdiction + " / " + part
}

// ParseLevel checks a --by value.
func ParseLevel(s string) (canvass.Level, error) {
	if s == "" {
		return canvass.LevelState, nil
	}
	for _, l := range canvass.Levels {
		if string(l) == strings.ToLower(s) {
			return l, nil
		}
	}
	names := make([]string, len(canvass.Levels))
	for i, l := range canvass.Levels {
		names[i] = string(l)
	}
	return "", fmt.Errorf("--by %q: use one of %s", s, strings.Join(names, ", "))
}

// Tabulate counts the workspace's ballots and results.
func (w *Workspace) Tabulate(ctx context.Context, opts TabulateOptions) (*tabulate.Result, error) {
	var res *tabulate.Result
	err := w.Store.View(ctx, func(tx store.Tx) error {
		var err error
		res, err = tabulateTx(tx, opts)
		return err
	})
	return res, err
}

func tabulateTx(tx store.Tx, opts TabulateOptions) (*tabulate.Result, error) {
	var res tabulate.Result
	err := func() error {
		el, err := tx.Election()
		if err != nil {
			return err
		}
		if len(el.Contests) > 0 {
			t := tabulate.New(el)
			err := tx.Ballots(func(jur string, b *canvass.Ballot) error {
				t.Add(b, unitOf(opts.By, jur, b))
				return nil
			})
			if err != nil {
				return err
			}
			appendContests(&res, t.Result(), "cvr")
			if err := countRanked(tx, &res); err != nil {
				return err
			}
		}
		rt := tabulate.NewRowTally(opts.By)
		var rows int
		err = tx.Results(func(r *canvass.ResultRow) error {
			rt.Add(r)
			rows++
			return nil
		})
		if err != nil {
			return err
		}
		if rows > 0 {
			appendContests(&res, rt.Result(), "results")
		}
		return nil
	}()
	if err != nil {
		return nil, err
	}
	return filterContest(&res, opts.Contest)
}

func appendContests(dst, src *tabulate.Result, source string) {
	for _, c := range src.Contests {
		c.Source = source
		dst.Contests = append(dst.Contests, c)
	}
}

func filterContest(res *tabulate.Result, name string) (*tabulate.Result, error) {
	if name == "" {
		return res, nil
	}
	out := &tabulate.Result{}
	var names []string
	for _, c := range res.Contests {
		if canvass.NameKey(c.Name) == canvass.NameKey(name) {
			out.Contests = append(out.Contests, c)
		}
		names = append(names, c.Name)
	}
	if len(out.Contests) == 0 {
		return nil, fmt.Errorf("no contest named %q (contests: %s)", name, strings.Join(names, "; "))
	}
	return out, nil
}

// TabulateFiles counts CVR and results files directly, without a workspace. CVR sources are
// merged by contest and choice name; a ballot id seen twice in one jurisdiction is an error.
func TabulateFiles(cvrPaths, resultPaths []string, opts TabulateOptions) (*tabulate.Result, error) {
	var res tabulate.Result
	if len(cvrPaths) > 0 {
		var m merger
		var sources []cvr.Reader
		var remaps []remap
		defer func() {
			for _, r := range sources {
				r.Close()
			}
		}()
		for _, p := range cvrPaths {
			r, err := cvr.Open(p, opts.CVRFormat, cvr.Options{Progress: opts.Progress})
			if err != nil {
				return nil, err
			}
			sources = append(sources, r)
			if err := r.Election().Validate(); err != nil {
				return nil, fmt.Errorf("%s: election definition: %w", p, err)
			}
			rm, err := m.add(r.Election())
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			remaps = append(remaps, rm)
		}
		t := tabulate.New(&m.el)
		// Ballot ids are checked for duplicates a batch at a time (cvr.IDs.AddAll, several
		// times faster than one at a time), with where each came from; the batch is checked
		// before any other error is returned and at the end, so the error is the same as if
		// each id were checked at once: the first duplicate in reading order.
		var ids cvr.IDs
		var batch []string
		var files []string
		var recs []int64
		check := func() error {
			i := ids.AddAll(batch)
			if i >= 0 {
				return &canvass.ParseError{File: files[i], Record: recs[i], Field: "ballot id", Err: fmt.Errorf("%w %q", canvass.ErrDuplicateID, batch[i])}
			}
			batch, files, recs = batch[:0], files[:0], recs[:0]
			return nil
		}
		for i, r := range sources {
			for {
				b, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					if derr := check(); derr != nil {
						return nil, derr
					}
					return nil, err
				}
				file, rec := r.Where()
				batch, files, recs = append(batch, b.ID), append(files, file), append(recs, rec)
				if len(batch) == 64 {
					if err := check(); err != nil {
						return nil, err
					}
				}
				remaps[i].apply(b)
				t.Add(b, unitOf(opts.By, opts.Jurisdiction, b))
			}
		}
		if err := check(); err != nil {
			return nil, err
		}
		appendContests(&res, t.Result(), "cvr")
	}
	if len(resultPaths) > 0 {
		rt := tabulate.NewRowTally(opts.By)
		for _, p := range resultPaths {
			if err := eachResult(p, opts.Results, func(_ results.Reader, r *canvass.ResultRow) error { rt.Add(r); return nil }); err != nil {
				return nil, err
			}
		}
		appendContests(&res, rt.Result(), "results")
	}
	return filterContest(&res, opts.Contest)
}

// eachResult calls fn with each row of a results file, and the reader (for Where); an error
// from fn stops the reading.
func eachResult(path string, opts results.Options, fn func(r results.Reader, row *canvass.ResultRow) error) error {
	r, err := results.Open(path, opts)
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		row, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(r, row); err != nil {
			return err
		}
	}
}

// merger joins the election definitions of several sources by contest and choice name.
type merger struct {
	el       canvass.Election
	contests map[string]int
	choices  []map[string]int
}

// remap translates one source's contest and choice indices to the merged ones; nil when the
// source's indices are already the merged ones.
type remap struct {
	contest []int32
	choice  [][]int32
}

func (m *merger) add(src *canvass.Election) (remap, error) {
	if m.contests == nil {
		m.contests = map[string]int{}
	}
	identity := true
	rm := remap{contest: make([]int32, len(src.Contests)), choice: make([][]int32, len(src.Contests))}
	for i, c := range src.Contests {
		k := canvass.NameKey(c.Name)
		ci, ok := m.contests[k]
		if !ok {
			ci = len(m.el.Contests)
			m.contests[k] = ci
			cp := *c
			cp.Choices = nil
			m.el.Contests = append(m.el.Contests, &cp)
			m.choices = append(m.choices, map[string]int{})
		} else if mc := m.el.Contests[ci]; mc.Type != c.Type || mc.VoteFor != c.VoteFor || mc.Seats != c.Seats {
			return rm, fmt.Errorf("contest %q: %s, %d seat(s), vote for %d here; %s, %d seat(s), vote for %d in an earlier file",
				c.Name, c.Type, c.Seats, c.VoteFor, mc.Type, mc.Seats, mc.VoteFor)
		}
		rm.contest[i] = int32(ci)
		identity = identity && ci == i
		mc := m.el.Contests[ci]
		rm.choice[i] = make([]int32, len(c.Choices))
		for j, ch := range c.Choices {
			ck := canvass.NameKey(ch.Name)
			chi, ok := m.choices[ci][ck]
			if !ok {
				chi = len(mc.Choices)
				m.choices[ci][ck] = chi
				mc.Choices = append(mc.Choices, ch)
			}
			rm.choice[i][j] = int32(chi)
			identity = identity && chi == j
		}
	}
	if identity {
		return remap{}, nil
	}
	return rm, nil
}

func (rm remap) apply(b *canvass.Ballot) {
	if rm.contest == nil {
		return
	}
	for k := range b.Contests {
		cm := &b.Contests[k]
		ch := rm.choice[cm.Contest]
		for j := range cm.Marks {
			if c := cm.Marks[j].Choice; c >= 0 && int(c) < len(ch) {
				cm.Marks[j].Choice = ch[c]
			}
		}
		cm.Contest = rm.contest[cm.Contest]
	}
}
