package cdf

import (
	"errors"
	"fmt"
	"io"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/internal/jsonscan"
)

// This file is the JSON front end: it walks the JSON encoding of SP 1500-103 (schema
// NIST_V0_cast_vote_records.schema.json) with the project's pull scanner and fills the model
// structs of model.go. Keys are compared as bytes (string(key) in a switch does not allocate),
// unknown keys are skipped, and null is accepted wherever an optional value is.

// at attaches a field path to err unless a deeper call already did.
func at(field string, err error) error {
	if err == nil {
		return nil
	}
	var me *mapError
	if errors.As(err, &me) {
		return err
	}
	return &mapError{field, err}
}

var (
	errNotString = errors.New("expected a string")
	errNotObject = errors.New("expected an object")
	errNotArray  = errors.New("expected an array")
	errNotBool   = errors.New("expected true or false")
)

// isNull consumes a null if one is next.
func isNull(s *jsonscan.Scanner) (bool, error) { return s.Null() }

// str reads an optional string value (null gives "").
func str(s *jsonscan.Scanner) (string, error) {
	b, err := strBytes(s)
	return string(b), err
}

// strBytes reads an optional string value (null gives nil); the bytes are valid until the next
// call on s.
func strBytes(s *jsonscan.Scanner) ([]byte, error) {
	if b, ok := s.PlainString(); ok {
		return b, nil
	}
	k, err := s.Peek()
	if err != nil {
		return nil, err
	}
	switch k {
	case jsonscan.String:
		return s.String()
	case jsonscan.Null:
		_, err := s.Null()
		return nil, err
	}
	return nil, errNotString
}

// integer reads an optional integer (null gives 0).
func integer(s *jsonscan.Scanner) (int64, error) {
	k, err := s.Peek()
	if err != nil {
		return 0, err
	}
	switch k {
	case jsonscan.Number:
		n, err := s.Int()
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, fmt.Errorf("%w: %w", canvass.ErrNotNumber, err)
		}
		return n, err
	case jsonscan.Null:
		_, err := s.Null()
		return 0, err
	}
	return 0, fmt.Errorf("%w: expected an integer", canvass.ErrNotNumber)
}

// boolean reads an optional boolean (null gives false).
func boolean(s *jsonscan.Scanner) (bool, error) {
	k, err := s.Peek()
	if err != nil {
		return false, err
	}
	switch k {
	case jsonscan.Bool:
		return s.Bool()
	case jsonscan.Null:
		_, err := s.Null()
		return false, err
	}
	return false, errNotBool
}

// object starts an optional object: ok is false for null.
func object(s *jsonscan.Scanner) (ok bool, err error) {
	k, err := s.Peek()
	if err != nil {
		return false, err
	}
	switch k {
	case jsonscan.Object:
		return true, s.BeginObject()
	case jsonscan.Null:
		_, err := s.Null()
		return false, err
	}
	return false, errNotObject
}

// array starts an optional array: ok is false for null.
func array(s *jsonscan.Scanner) (ok bool, err error) {
	k, err := s.Peek()
	if err != nil {
		return false, err
	}
	switch k {
	case jsonscan.Array:
		return true, s.BeginArray()
	case jsonscan.Null:
		_, err := s.Null()
		return false, err
	}
	return false, errNotArray
}

// eachObject calls f for each element of an optional array of objects, with the object begun;
// f reads its keys.
func eachObject(s *jsonscan.Scanner, f func() error) error {
	ok, err := array(s)
	if !ok || err != nil {
		return err
	}
	for {
		more, err := s.NextElem()
		if err != nil || !more {
			return err
		}
		ok, err := object(s)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := f(); err != nil {
			return err
		}
	}
}

// strings reads an optional array of strings.
func stringList(s *jsonscan.Scanner) ([]string, error) {
	ok, err := array(s)
	if !ok || err != nil {
		return nil, err
	}
	var out []string
	for {
		more, err := s.NextElem()
		if err != nil || !more {
			return out, err
		}
		v, err := str(s)
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
}

// hasString reports whether an optional array of strings contains want (Status arrays).
func hasString(s *jsonscan.Scanner, want string) (bool, error) {
	ok, err := array(s)
	if !ok || err != nil {
		return false, err
	}
	found := false
	for {
		more, err := s.NextElem()
		if err != nil || !more {
			return found, err
		}
		v, err := strBytes(s)
		if err != nil {
			return found, err
		}
		if string(v) == want {
			found = true
		}
	}
}

// firstCode reads a Code array (class Code) and returns its first Value.
func firstCode(s *jsonscan.Scanner) (string, error) {
	var first string
	err := eachObject(s, func() error {
		for {
			key, ok, err := s.NextKey()
			if err != nil || !ok {
				return err
			}
			if string(key) == "Value" && first == "" {
				if first, err = str(s); err != nil {
					return err
				}
				continue
			}
			if err := s.Skip(); err != nil {
				return err
			}
		}
	})
	return first, err
}

// nameOr returns the first non-empty string.
func nameOr(names ...string) string {
	for _, n := range names {
		if n != "" {
			return n
		}
	}
	return ""
}

// Definitions (SP 1500-103 classes Election, Candidate, Contest, ContestSelection, GpUnit,
// ReportingDevice, Party).

func parseElections(s *jsonscan.Scanner, rep *report) error {
	return eachObject(s, func() error {
		el := electionDef{candidates: map[string]candidateDef{}}
		for {
			key, ok, err := s.NextKey()
			if err != nil {
				return at("Election[]", err)
			}
			if !ok {
				break
			}
			switch string(key) {
			case "@id":
				el.id, err = str(s)
				err = at("Election[].@id", err)
			case "Name":
				el.name, err = str(s)
				err = at("Election[].Name", err)
			case "ElectionScopeId":
				el.scopeID, err = str(s)
				err = at("Election[].ElectionScopeId", err)
			case "Candidate":
				err = parseCandidates(s, &el)
			case "Contest":
				err = parseContests(s, &el)
			default:
				err = at("Election[]", s.Skip())
			}
			if err != nil {
				return err
			}
		}
		rep.elections = append(rep.elections, el)
		return nil
	})
}

func parseCandidates(s *jsonscan.Scanner, el *electionDef) error {
	return eachObject(s, func() error {
		var id, name, code, party string
		for {
			key, ok, err := s.NextKey()
			if err != nil {
				return at("Election[].Candidate[]", err)
			}
			if !ok {
				break
			}
			var f string
			switch string(key) {
			case "@id":
				f = "Election[].Candidate[].@id"
				id, err = str(s)
			case "Name":
				f = "Election[].Candidate[].Name"
				name, err = str(s)
			case "PartyId":
				f = "Election[].Candidate[].PartyId"
				party, err = str(s)
			case "Code":
				f = "Election[].Candidate[].Code"
				code, err = firstCode(s)
			default:
				f = "Election[].Candidate[]"
				err = s.Skip()
			}
			if err != nil {
				return at(f, err)
			}
		}
		if id == "" {
			return &mapError{"Election[].Candidate[].@id", canvass.ErrMissingField}
		}
		el.candidates[id] = candidateDef{name: nameOr(name, code, id), partyID: party}
		return nil
	})
}

func parseContests(s *jsonscan.Scanner, el *electionDef) error {
	return eachObject(s, func() error {
		var c contestDef
		var name, abbr, code string
		for {
			key, ok, err := s.NextKey()
			if err != nil {
				return at("Election[].Contest[]", err)
			}
			if !ok {
				break
			}
			var f string
			switch string(key) {
			case "@id":
				f = "Election[].Contest[].@id"
				c.id, err = str(s)
			case "@type":
				f = "Election[].Contest[].@type"
				var t string
				t, err = str(s)
				c.typ = stripType(t)
			case "Name":
				f = "Election[].Contest[].Name"
				name, err = str(s)
			case "Abbreviation":
				f = "Election[].Contest[].Abbreviation"
				abbr, err = str(s)
			case "Code":
				f = "Election[].Contest[].Code"
				code, err = firstCode(s)
			case "VoteVariation":
				f = "Election[].Contest[].VoteVariation"
				c.voteVariation, err = str(s)
			case "PrimaryPartyId":
				f = "Election[].Contest[].PrimaryPartyId"
				c.primaryPartyID, err = str(s)
			case "OtherVoteVariation":
				f = "Election[].Contest[].OtherVoteVariation"
				c.otherVoteVariation, err = str(s)
			case "VotesAllowed":
				f = "Election[].Contest[].VotesAllowed"
				c.votesAllowed, err = integer(s)
			case "NumberElected":
				f = "Election[].Contest[].NumberElected"
				c.numberElected, err = integer(s)
			case "ContestSelection":
				f = "Election[].Contest[].ContestSelection"
				err = parseSelections(s, &c)
			default:
				f = "Election[].Contest[]"
				err = s.Skip()
			}
			if err != nil {
				return at(f, err)
			}
		}
		if c.id == "" {
			return &mapError{"Election[].Contest[].@id", canvass.ErrMissingField}
		}
		c.name = nameOr(name, abbr, code, c.id)
		el.contests = append(el.contests, c)
		return nil
	})
}

func parseSelections(s *jsonscan.Scanner, c *contestDef) error {
	return eachObject(s, func() error {
		var sd selectionDef
		for {
			key, ok, err := s.NextKey()
			if err != nil {
				return at("Election[].Contest[].ContestSelection[]", err)
			}
			if !ok {
				break
			}
			var f string
			switch string(key) {
			case "@id":
				f = "Election[].Contest[].ContestSelection[].@id"
				sd.id, err = str(s)
			case "CandidateIds":
				f = "Election[].Contest[].ContestSelection[].CandidateIds"
				sd.candidateIDs, err = stringList(s)
			case "PartyIds":
				f = "Election[].Contest[].ContestSelection[].PartyIds"
				sd.partyIDs, err = stringList(s)
			case "Selection":
				f = "Election[].Contest[].ContestSelection[].Selection"
				sd.selection, err = str(s)
			case "IsWriteIn":
				f = "Election[].Contest[].ContestSelection[].IsWriteIn"
				sd.isWriteIn, err = boolean(s)
			case "Code":
				f = "Election[].Contest[].ContestSelection[].Code"
				sd.code, err = firstCode(s)
			default:
				f = "Election[].Contest[].ContestSelection[]"
				err = s.Skip()
			}
			if err != nil {
				return at(f, err)
			}
		}
		if sd.id == "" {
			return &mapError{"Election[].Contest[].ContestSelection[].@id", canvass.ErrMissingField}
		}
		c.selections = append(c.selections, sd)
		return nil
	})
}

// parseUnits reads GpUnit (names: Name, else first Code value, else @id), ReportingDevice
// (SerialNumber, else first Code value, else @id: the class has no Name) or Party (Name, else
// Abbreviation, else first Code value, else @id) objects into table.
func parseUnits(s *jsonscan.Scanner, field string, table map[string]string, nameKeys ...string) error {
	return eachObject(s, func() error {
		var id, code string
		names := make([]string, len(nameKeys))
		for {
			key, ok, err := s.NextKey()
			if err != nil {
				return at(field, err)
			}
			if !ok {
				break
			}
			f := field
			switch string(key) {
			case "@id":
				f = field + ".@id"
				id, err = str(s)
			case "Code":
				f = field + ".Code"
				code, err = firstCode(s)
			default:
				matched := false
				for i, nk := range nameKeys {
					if string(key) == nk {
						f = field + "." + nk
						names[i], err = str(s)
						matched = true
						break
					}
				}
				if !matched {
					err = s.Skip()
				}
			}
			if err != nil {
				return at(f, err)
			}
		}
		if id == "" {
			return &mapError{field + ".@id", canvass.ErrMissingField}
		}
		table[id] = nameOr(append(names, code, id)...)
		return nil
	})
}

// CVRs (SP 1500-103 classes CVR, CVRSnapshot, CVRContest, CVRContestSelection,
// SelectionPosition): the hot path. Everything goes into the reused cvrRecord.

// objKeys recognizes the keys of one kind of object of the CVR part through the scanner's
// NextKeyIndex, which learns the key order of the first such object (producers write every
// CVR alike, in an order of their own) so that the following objects take its fast path: a
// key predicted in that order is recognized by comparing its bytes in place, and the plain
// values of keys the reader does not act on ("@type", "ElectionId", ...) are passed over
// there too. A key met in another order or another spacing takes the general path; the result
// is the same.
type objKeys struct {
	keys   *jsonscan.Keys
	fields []string // field path per action, for errors; fields[0] is the object's
}

func newObjKeys(path string, known ...string) objKeys {
	o := objKeys{keys: jsonscan.NewKeys(known...).LearnOrder(), fields: []string{path}}
	for _, k := range known {
		o.fields = append(o.fields, path+"."+k)
	}
	return o
}

// next reads the next key of the current object and returns its action: the index+1 of the
// key in known, 0 for another key (the caller skips its value); ok is false after the
// object's '}'.
func (o *objKeys) next(s *jsonscan.Scanner) (act int, ok bool, err error) {
	i, ok, err := s.NextKeyIndex(o.keys)
	return i + 1, ok, err
}

// The actions of each kind of object: the index+1 of the key in its objKeys.known.
const (
	cvrSnapshot = 1 + iota
	cvrUniqueID
	cvrPrePrintedID
	cvrStyleID
	cvrStyleUnitID
	cvrBatchID
	cvrDeviceID
	cvrCurrent
)

const (
	snapContests = 1 + iota
	snapID
	snapTypeKey
)

const (
	contestSelections = 1 + iota
	contestID
	contestOvervotes
	contestStatus
)

const (
	selPositions = 1 + iota
	selID
	selRank
	selStatus
)

const (
	posHasIndication = 1 + iota
	posIsAllocable
	posNumberVotes
	posRank
	posWriteIn
	posStatus
)

// cvrParser reads CVRs into a cvrRecord.
type cvrParser struct {
	cvr, snap, contest, sel, pos objKeys

	// Repeated objects (see memo): SelectionPositions, and the CVRContestSelections of the
	// k-th contest of a snapshot (usually the same contest on every ballot of a style).
	posMemo memo[posRec]
	selMemo []memo[selMemo]
}

// selMemo is what parseSelections makes of one CVRContestSelection.
type selMemo struct {
	selID             []byte
	rank              int64
	needsAdjudication bool
	positions         []posRec
}

// maxSelMemos bounds the contests of a snapshot that get a memo of their selections.
const maxSelMemos = 64

func newCVRParser() *cvrParser {
	return &cvrParser{
		cvr: newObjKeys("CVR[]", "CVRSnapshot", "UniqueId", "BallotPrePrintedId", "BallotStyleId",
			"BallotStyleUnitId", "BatchId", "CreatingDeviceId", "CurrentSnapshotId"),
		snap:    newObjKeys("CVR[].CVRSnapshot[]", "CVRContest", "@id", "Type"),
		contest: newObjKeys("CVR[].CVRSnapshot[].CVRContest[]", "CVRContestSelection", "ContestId", "Overvotes", "Status"),
		sel: newObjKeys("CVR[].CVRSnapshot[].CVRContest[].CVRContestSelection[]",
			"SelectionPosition", "ContestSelectionId", "Rank", "Status"),
		pos: newObjKeys("CVR[].CVRSnapshot[].CVRContest[].CVRContestSelection[].SelectionPosition[]",
			"HasIndication", "IsAllocable", "NumberVotes", "Rank", "CVRWriteIn", "Status"),
	}
}

// strSpan reads an optional string into r's arena.
func strSpan(s *jsonscan.Scanner, r *cvrRecord) (span, error) {
	b, err := strBytes(s)
	if err != nil {
		return span{}, err
	}
	return r.add(b), nil
}

// nextObject moves to the next object of the current array and begins it; false after ']'.
// An element that is not an object (null included) is an error.
func nextObject(s *jsonscan.Scanner) (bool, error) {
	more, err := s.NextElem()
	if err != nil || !more {
		return false, err
	}
	return true, s.BeginObject()
}

// parseCVR reads one CVR object into r.
func (p *cvrParser) parseCVR(s *jsonscan.Scanner, r *cvrRecord) error {
	r.reset()
	ok, err := object(s)
	if err != nil {
		return at(fieldCVR, err)
	}
	if !ok {
		return &mapError{fieldCVR, errNotObject}
	}
	for {
		act, ok, err := p.cvr.next(s)
		if err != nil {
			return at(fieldCVR, err)
		}
		if !ok {
			return nil
		}
		switch act {
		case cvrSnapshot:
			err = p.parseSnapshots(s, r)
		case cvrUniqueID:
			r.uniqueID, err = strSpan(s, r)
		case cvrPrePrintedID:
			r.prePrintedID, err = strSpan(s, r)
		case cvrStyleID:
			r.styleID, err = strSpan(s, r)
		case cvrStyleUnitID:
			r.styleUnitID, err = strSpan(s, r)
		case cvrBatchID:
			r.batchID, err = strSpan(s, r)
		case cvrDeviceID:
			r.deviceID, err = strSpan(s, r)
		case cvrCurrent:
			r.currentSnapshot, err = strSpan(s, r)
		default:
			err = s.Skip()
		}
		if err != nil {
			return at(p.cvr.fields[act], err)
		}
	}
}

func (p *cvrParser) parseSnapshots(s *jsonscan.Scanner, r *cvrRecord) error {
	if ok, err := array(s); !ok || err != nil {
		return err
	}
	for {
		if ok, err := nextObject(s); !ok || err != nil {
			return err
		}
		i := len(r.snaps)
		r.snaps = append(r.snaps, snapRec{c0: int32(len(r.contests))})
		for {
			act, ok, err := p.snap.next(s)
			if err != nil {
				return at(p.snap.fields[0], err)
			}
			if !ok {
				break
			}
			switch act {
			case snapContests:
				err = p.parseContests(s, r)
			case snapID:
				r.snaps[i].id, err = strSpan(s, r)
			case snapTypeKey:
				var t []byte
				t, err = strBytes(s)
				switch string(t) {
				case "original":
					r.snaps[i].typ = snapOriginal
				case "modified":
					r.snaps[i].typ = snapModified
				case "interpreted":
					r.snaps[i].typ = snapInterpreted
				}
			default:
				err = s.Skip()
			}
			if err != nil {
				return at(p.snap.fields[act], err)
			}
		}
		r.snaps[i].c1 = int32(len(r.contests))
	}
}

func (p *cvrParser) parseContests(s *jsonscan.Scanner, r *cvrRecord) error {
	if ok, err := array(s); !ok || err != nil {
		return err
	}
	for k := 0; ; k++ {
		if ok, err := nextObject(s); !ok || err != nil {
			return err
		}
		i := len(r.contests)
		r.contests = append(r.contests, contestRec{s0: int32(len(r.sels))})
		for {
			act, ok, err := p.contest.next(s)
			if err != nil {
				return at(p.contest.fields[0], err)
			}
			if !ok {
				break
			}
			switch act {
			case contestSelections:
				err = p.parseSelections(s, r, k)
			case contestID:
				r.contests[i].contestID, err = strSpan(s, r)
			case contestOvervotes:
				r.contests[i].overvotes, err = integer(s)
			case contestStatus:
				r.contests[i].overvoted, err = hasString(s, "overvoted")
			default:
				err = s.Skip()
			}
			if err != nil {
				return at(p.contest.fields[act], err)
			}
		}
		r.contests[i].s1 = int32(len(r.sels))
	}
}

// parseSelections reads the CVRContestSelection array of the k-th contest of a snapshot.
func (p *cvrParser) parseSelections(s *jsonscan.Scanner, r *cvrRecord, k int) error {
	if ok, err := array(s); !ok || err != nil {
		return err
	}
	var m *memo[selMemo]
	if k < maxSelMemos {
		for len(p.selMemo) <= k {
			p.selMemo = append(p.selMemo, memo[selMemo]{})
		}
		m = &p.selMemo[k]
	}
	for {
		more, err := s.NextElem()
		if err != nil || !more {
			return err
		}
		if m != nil {
			if v, ok := m.find(s); ok {
				p0 := int32(len(r.positions))
				r.positions = append(r.positions, v.positions...)
				r.sels = append(r.sels, selRec{selID: r.add(v.selID), rank: v.rank, needsAdjudication: v.needsAdjudication, p0: p0, p1: int32(len(r.positions))})
				continue
			}
		}
		start, depth := s.Offset(), s.Depth()
		if err := s.BeginObject(); err != nil {
			return err
		}
		i := len(r.sels)
		r.sels = append(r.sels, selRec{p0: int32(len(r.positions))})
		for {
			act, ok, err := p.sel.next(s)
			if err != nil {
				return at(p.sel.fields[0], err)
			}
			if !ok {
				break
			}
			switch act {
			case selPositions:
				err = p.parsePositions(s, r)
			case selID:
				r.sels[i].selID, err = strSpan(s, r)
			case selRank:
				r.sels[i].rank, err = integer(s)
			case selStatus:
				r.sels[i].needsAdjudication, err = hasString(s, "needs-adjudication")
			default:
				err = s.Skip()
			}
			if err != nil {
				return at(p.sel.fields[act], err)
			}
		}
		sr := &r.sels[i]
		sr.p1 = int32(len(r.positions))
		if m != nil {
			if v := m.add(s, start, depth); v != nil {
				v.selID = append(v.selID[:0], r.bytes(sr.selID)...)
				v.rank, v.needsAdjudication = sr.rank, sr.needsAdjudication
				v.positions = append(v.positions[:0], r.positions[sr.p0:sr.p1]...)
			}
		}
	}
}

// indicationOf reads an IndicationStatus or AllocationStatus value.
func indicationOf(s *jsonscan.Scanner) (indication, error) {
	b, err := strBytes(s)
	switch string(b) {
	case "yes":
		return yes, err
	case "no":
		return no, err
	case "unknown":
		return unknown, err
	}
	return absent, err
}

func (p *cvrParser) parsePositions(s *jsonscan.Scanner, r *cvrRecord) error {
	if ok, err := array(s); !ok || err != nil {
		return err
	}
	for {
		more, err := s.NextElem()
		if err != nil || !more {
			return err
		}
		if v, ok := p.posMemo.find(s); ok {
			r.positions = append(r.positions, *v)
			continue
		}
		start, depth := s.Offset(), s.Depth()
		if err := s.BeginObject(); err != nil {
			return err
		}
		pr := posRec{numberVotes: -1}
		for {
			act, ok, err := p.pos.next(s)
			if err != nil {
				return at(p.pos.fields[0], err)
			}
			if !ok {
				break
			}
			switch act {
			case posHasIndication:
				pr.hasIndication, err = indicationOf(s)
			case posIsAllocable:
				pr.isAllocable, err = indicationOf(s)
			case posNumberVotes:
				pr.numberVotes, err = integer(s)
			case posRank:
				pr.rank, err = integer(s)
			case posWriteIn:
				var null bool
				if null, err = isNull(s); err == nil && !null {
					pr.writeIn = true
					err = s.Skip()
				}
			case posStatus:
				pr.adjudicated, err = hasString(s, "adjudicated")
			default:
				err = s.Skip()
			}
			if err != nil {
				return at(p.pos.fields[act], err)
			}
		}
		r.positions = append(r.positions, pr)
		if v := p.posMemo.add(s, start, depth); v != nil {
			*v = pr
		}
	}
}
