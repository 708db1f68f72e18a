package dominion

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// Manifest file names of a Democracy Suite CVR export.
const (
	contestManifest        = "ContestManifest.json"
	candidateManifest      = "CandidateManifest.json"
	ballotTypeManifest     = "BallotTypeManifest.json"
	tabulatorManifest      = "TabulatorManifest.json"
	precinctPortionMan     = "PrecinctPortionManifest.json"
	precinctManifest       = "PrecinctManifest.json"
	countingGroupManifest  = "CountingGroupManifest.json"
	electionEventManifest  = "ElectionEventManifest.json"
	maxManifestSize        = 256 << 20
	writeInType            = "WriteIn"
	qualifiedWriteInType   = "QualifiedWriteIn"
	denseLimit             = 1 << 20 // ids below this are looked up in a slice, above in a map
	denseSlack             = 4096
	defaultRankedSeatCount = 1
)

// item is one entry of a manifest's List. Every manifest has Description and Id; the contest
// and candidate manifests add the fields below. Pointers tell a missing field from a zero.
type item struct {
	Description *string `json:"Description"`
	ID          *int64  `json:"Id"`
	// ContestManifest
	VoteFor    *int64 `json:"VoteFor"`
	NumOfRanks *int64 `json:"NumOfRanks"`
	// CandidateManifest
	ContestID *int64 `json:"ContestId"`
	Type      string `json:"Type"`
}

type manifestFile struct {
	Version string            `json:"Version"`
	List    []json.RawMessage `json:"List"`
}

// manifests holds what the reader needs from the manifests: the election and the lookups
// from Dominion ids, built once.
type manifests struct {
	election *canvass.Election
	contests idMap // contest Id → index in election.Contests
	// candidate Id → index in cands
	candIdx idMap
	cands   []candidate
	ranked  []bool // by contest index: keep the mark's Rank

	tabulators, precinctPortions, precincts, ballotTypes, countingGroups names
}

// candidate is what a CandidateId resolves to.
type candidate struct {
	contest int32 // index in election.Contests
	choice  int32 // index in Contest.Choices
	flags   canvass.MarkFlags
}

// loadManifests reads the manifests in dir of fsys. name is how the source is shown in
// errors (a folder or ZIP path).
func loadManifests(fsys fs.FS, dir, name string, opts cvr.Options) (*manifests, error) {
	m := &manifests{election: &canvass.Election{}}
	read := func(file string, required bool) ([]json.RawMessage, string, error) {
		display := path.Join(name, file)
		f, err := fsys.Open(path.Join(dir, file))
		if err != nil {
			if !required && errors.Is(err, fs.ErrNotExist) {
				return nil, display, nil
			}
			return nil, display, &cvr.ParseError{Format: formatName, File: display,
				Err: fmt.Errorf("required manifest missing next to the CvrExport files (export the CVRs with their manifests): %w", err)}
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(cvr.Counting(f, opts.Progress), maxManifestSize+1))
		if err != nil {
			return nil, display, &cvr.ParseError{Format: formatName, File: display, Err: fmt.Errorf("read: %w", err)}
		}
		if len(data) > maxManifestSize {
			return nil, display, &cvr.ParseError{Format: formatName, File: display, Err: fmt.Errorf("manifest larger than %d bytes", maxManifestSize)}
		}
		var mf manifestFile
		if err := json.Unmarshal(bytes.TrimPrefix(data, bom), &mf); err != nil {
			return nil, display, &cvr.ParseError{Format: formatName, File: display, Err: jsonErr(err)}
		}
		if mf.List == nil {
			return nil, display, &cvr.ParseError{Format: formatName, File: display, Field: "List",
				Err: fmt.Errorf("%w: not a Dominion manifest (no List)", cvr.ErrMissingField)}
		}
		return mf.List, display, nil
	}
	decode := func(display string, i int, raw json.RawMessage) (item, error) {
		var it item
		if err := json.Unmarshal(raw, &it); err != nil {
			return it, &cvr.ParseError{Format: formatName, File: display, Record: int64(i + 1), Field: "List[]", Err: jsonErr(err)}
		}
		if it.ID == nil {
			return it, &cvr.ParseError{Format: formatName, File: display, Record: int64(i + 1), Field: "List[].Id", Err: cvr.ErrMissingField}
		}
		if it.Description == nil {
			return it, &cvr.ParseError{Format: formatName, File: display, Record: int64(i + 1), Field: "List[].Description", Err: cvr.ErrMissingField}
		}
		return it, nil
	}

	// Contests, in manifest order.
	list, display, err := read(contestManifest, true)
	if err != nil {
		return nil, err
	}
	contestIDs := map[int64]int32{}
	for i, raw := range list {
		it, err := decode(display, i, raw)
		if err != nil {
			return nil, err
		}
		if _, dup := contestIDs[*it.ID]; dup {
			return nil, &cvr.ParseError{Format: formatName, File: display, Record: int64(i + 1), Field: "List[].Id", Err: fmt.Errorf("contest Id %d listed twice", *it.ID)}
		}
		voteFor, ranks := int64(1), int64(0)
		if it.VoteFor != nil {
			voteFor = *it.VoteFor
		}
		if it.NumOfRanks != nil {
			ranks = *it.NumOfRanks
		}
		if voteFor < 1 || voteFor > 1<<20 {
			return nil, &cvr.ParseError{Format: formatName, File: display, Record: int64(i + 1), Field: "List[].VoteFor", Err: fmt.Errorf("VoteFor %d is not a positive count", voteFor)}
		}
		if ranks < 0 || ranks > 1<<20 {
			return nil, &cvr.ParseError{Format: formatName, File: display, Record: int64(i + 1), Field: "List[].NumOfRanks", Err: fmt.Errorf("NumOfRanks %d out of range", ranks)}
		}
		c := &canvass.Contest{ID: strconv.FormatInt(*it.ID, 10), Name: *it.Description}
		switch {
		case ranks == 0:
			// Vote for N: N seats.
			c.Type, c.VoteFor, c.Seats = canvass.Plurality, int(voteFor), int(voteFor)
		case voteFor == 1:
			c.Type, c.VoteFor, c.Seats = canvass.IRV, int(ranks), defaultRankedSeatCount
		default:
			// A ranked contest electing VoteFor members is single transferable vote.
			c.Type, c.VoteFor, c.Seats = canvass.STV, int(ranks), int(voteFor)
		}
		contestIDs[*it.ID] = int32(len(m.election.Contests))
		m.election.Contests = append(m.election.Contests, c)
		m.ranked = append(m.ranked, ranks > 0)
	}
	m.contests = newIDMap(contestIDs)

	// Candidates, in manifest order within their contest.
	list, display, err = read(candidateManifest, true)
	if err != nil {
		return nil, err
	}
	candIDs := map[int64]int32{}
	for i, raw := range list {
		it, err := decode(display, i, raw)
		if err != nil {
			return nil, err
		}
		if it.ContestID == nil {
			return nil, &cvr.ParseError{Format: formatName, File: display, Record: int64(i + 1), Field: "List[].ContestId", Err: cvr.ErrMissingField}
		}
		ci, ok := contestIDs[*it.ContestID]
		if !ok {
			return nil, &cvr.ParseError{Format: formatName, File: display, Record: int64(i + 1), Field: "List[].ContestId",
				Err: fmt.Errorf("%w: candidate %d names contest %d, which is not in %s", cvr.ErrUnknownContest, *it.ID, *it.ContestID, contestManifest)}
		}
		if _, dup := candIDs[*it.ID]; dup {
			return nil, &cvr.ParseError{Format: formatName, File: display, Record: int64(i + 1), Field: "List[].Id", Err: fmt.Errorf("candidate Id %d listed twice", *it.ID)}
		}
		c := m.election.Contests[ci]
		writeIn := it.Type == writeInType || it.Type == qualifiedWriteInType
		cand := candidate{contest: ci, choice: int32(len(c.Choices))}
		if writeIn {
			cand.flags = canvass.WriteInMark
		}
		// A qualified (declared) write-in is a candidate who can win: its marks are write-in
		// marks, but the choice is not an unresolved write-in line.
		c.Choices = append(c.Choices, &canvass.Choice{ID: strconv.FormatInt(*it.ID, 10), Name: *it.Description, WriteIn: it.Type == writeInType})
		candIDs[*it.ID] = int32(len(m.cands))
		m.cands = append(m.cands, cand)
	}
	m.candIdx = newIDMap(candIDs)
	disambiguate(m.election)

	// Names of the places and groups a ballot belongs to.
	for _, nm := range []struct {
		file     string
		required bool
		into     *names
	}{
		{ballotTypeManifest, true, &m.ballotTypes},
		{tabulatorManifest, true, &m.tabulators},
		{precinctPortionMan, true, &m.precinctPortions},
		{precinctManifest, false, &m.precincts},
		{countingGroupManifest, false, &m.countingGroups},
	} {
		list, display, err := read(nm.file, nm.required)
		if err != nil {
			return nil, err
		}
		byID := map[int64]string{}
		for i, raw := range list {
			it, err := decode(display, i, raw)
			if err != nil {
				return nil, err
			}
			byID[*it.ID] = *it.Description
		}
		*nm.into = newNames(byID)
	}

	// The election's name, when the export has it.
	list, display, err = read(electionEventManifest, false)
	if err != nil {
		return nil, err
	}
	if len(list) > 0 {
		it, err := decode(display, 0, list[0])
		if err != nil {
			return nil, err
		}
		m.election.Name = *it.Description
	}
	return m, nil
}

// disambiguate makes contest names, and choice names within a contest, unique (the workspace
// matches contests and choices by name, and Election.Validate requires it): a name that
// several share gets " (Id N)" appended on each of them. Dominion repeats names across
// districts or parties (a primary's contest per party).
func disambiguate(el *canvass.Election) {
	count := map[string]int{}
	for _, c := range el.Contests {
		count[canvass.NameKey(c.Name)]++
	}
	for _, c := range el.Contests {
		if count[canvass.NameKey(c.Name)] > 1 {
			c.Name += " (Id " + c.ID + ")"
		}
		choices := map[string]int{}
		for _, ch := range c.Choices {
			choices[canvass.NameKey(ch.Name)]++
		}
		for _, ch := range c.Choices {
			if choices[canvass.NameKey(ch.Name)] > 1 {
				ch.Name += " (Id " + ch.ID + ")"
			}
		}
	}
}

// jsonErr classifies an encoding/json error as truncation or a syntax error.
func jsonErr(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: %v", cvr.ErrTruncated, err)
	case errors.As(err, &se):
		if se.Error() == "unexpected end of JSON input" {
			return fmt.Errorf("%w: %v", cvr.ErrTruncated, err)
		}
		return fmt.Errorf("%w: %v (byte %d)", cvr.ErrSyntax, err, se.Offset)
	case errors.As(err, &te):
		return fmt.Errorf("%w: %v", cvr.ErrSyntax, err)
	}
	return fmt.Errorf("%w: %v", cvr.ErrSyntax, err)
}

// idTable maps Dominion ids (small non-negative integers in every export seen) to values: a
// slice when the ids are dense enough, a map otherwise.
type idTable[V any] struct {
	dense  []V
	has    []bool
	sparse map[int64]V
}

func newIDTable[V any](m map[int64]V) idTable[V] {
	var max int64 = -1
	for id := range m {
		if id > max {
			max = id
		}
	}
	var t idTable[V]
	if max < denseLimit && max < int64(len(m))*16+denseSlack {
		t.dense = make([]V, max+1)
		t.has = make([]bool, max+1)
	}
	for id, v := range m {
		if id >= 0 && id < int64(len(t.dense)) {
			t.dense[id], t.has[id] = v, true
			continue
		}
		if t.sparse == nil {
			t.sparse = map[int64]V{}
		}
		t.sparse[id] = v
	}
	return t
}

// lookup returns the value for id and whether there is one.
func (t *idTable[V]) lookup(id int64) (V, bool) {
	if uint64(id) < uint64(len(t.dense)) && t.has[id] {
		return t.dense[id], true
	}
	v, ok := t.sparse[id]
	return v, ok
}

// idMap maps Dominion ids to indices.
type idMap struct{ idTable[int32] }

func newIDMap(m map[int64]int32) idMap { return idMap{newIDTable(m)} }

// get returns the index for id, or -1.
func (m *idMap) get(id int64) int32 {
	if v, ok := m.lookup(id); ok {
		return v
	}
	return -1
}

// names maps ids to the names of a manifest. An id the manifest lacks is named by its number,
// made once and kept, so that the hot path does not allocate.
type names struct {
	idTable[string]
	fallback map[int64]string
}

func newNames(m map[int64]string) names { return names{idTable: newIDTable(m)} }

// name returns the manifest's name for id, or id in decimal.
func (n *names) name(id int64) string {
	if s, ok := n.lookup(id); ok {
		return s
	}
	if s, ok := n.fallback[id]; ok {
		return s
	}
	s := strconv.FormatInt(id, 10)
	if n.fallback == nil {
		n.fallback = map[int64]string{}
	}
	if len(n.fallback) < 1<<16 { // bounded, whatever the input
		n.fallback[id] = s
	}
	return s
}
