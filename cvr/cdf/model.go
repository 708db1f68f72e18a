package cdf

import (
	"fmt"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// This file holds the part of the reader that does not depend on the encoding: the CDF model as
// small structs (report, electionDef, contestDef, selectionDef for the definitions; cvrRecord
// for one CVR) that a front end fills, and the mapping from them to canvass types. The JSON
// front end (json.go) fills them today; an XML front end can fill the same structs and reuse
// buildElection and mapper.fill unchanged.

// report is the definition part of a CastVoteRecordReport (SP 1500-103, class
// CastVoteRecordReport): everything except the CVRs.
type report struct {
	elections []electionDef
	gpUnits   map[string]string // GpUnit @id → display name
	devices   map[string]string // ReportingDevice @id → display name
	parties   map[string]string // Party @id → display name
}

func newReport() *report {
	return &report{
		gpUnits: map[string]string{},
		devices: map[string]string{},
		parties: map[string]string{},
	}
}

// electionDef is one Election object (class Election): its candidates and contests.
type electionDef struct {
	id, name   string
	scopeID    string                  // ElectionScopeId, a GpUnit
	candidates map[string]candidateDef // Candidate @id → candidate
	contests   []contestDef
}

// candidateDef is one Candidate (class Candidate). name already holds the fallback (Name, else
// the first Code value, else @id).
type candidateDef struct {
	name, partyID string
}

// contestDef is one Contest of any subtype (classes CandidateContest, BallotMeasureContest,
// PartyContest, RetentionContest, Contest). name already holds the fallback (Name, else
// Abbreviation, else the first Code value, else @id).
type contestDef struct {
	id, typ, name                     string
	voteVariation, otherVoteVariation string
	primaryPartyID                    string
	votesAllowed, numberElected       int64 // 0 when absent
	selections                        []selectionDef
}

// selectionDef is one ContestSelection of any subtype (CandidateSelection,
// BallotMeasureSelection, PartySelection, ContestSelection). Real producers do not keep the
// subtype and its fields together (RCTab writes "@type": "ContestSelection" with CandidateIds),
// so every field is read whatever the @type says.
type selectionDef struct {
	id           string
	candidateIDs []string
	partyIDs     []string
	selection    string // BallotMeasureSelection.Selection
	code         string // first Code value
	isWriteIn    bool
}

// stripType removes the "CVR." namespace prefix the NIST JSON schema puts on every @type value;
// RCTab writes some without it ("CandidateContest"), so both spellings compare equal.
func stripType(t string) string { return strings.TrimPrefix(t, "CVR.") }

// ranking classifies a contest's VoteVariation (SP 1500-103, enumeration VoteVariation, and
// OtherVoteVariation when it is "other").
type ranking uint8

const (
	undeclared ranking = iota // no VoteVariation: decided from the CVRs' ranks
	unranked                  // plurality, n-of-m, majority, approval, super-majority
	ranked                    // rcv (and "other" irv/stv)
)

// variation maps a contest's VoteVariation to a canvass contest type. Variations canvass cannot
// tabulate (borda, cumulative, range, proportional) are an error rather than a silent plurality
// count.
func (c *contestDef) variation() (canvass.ContestType, ranking, error) {
	v := strings.ToLower(strings.TrimSpace(c.voteVariation))
	if v == "other" {
		v = strings.ToLower(strings.TrimSpace(c.otherVoteVariation))
	}
	switch v {
	case "":
		if c.typ == "BallotMeasureContest" || c.typ == "RetentionContest" {
			// A yes/no question is never ranked: reading the CVRs to find out is wasted.
			return canvass.Plurality, unranked, nil
		}
		return canvass.Plurality, undeclared, nil
	case "rcv", "irv", "stv", "instant-runoff", "ranked-choice":
		return canvass.IRV, ranked, nil
	case "plurality", "n-of-m", "1-of-m", "majority":
		return canvass.Plurality, unranked, nil
	case "approval":
		return canvass.Approval, unranked, nil
	case "super-majority", "supermajority":
		return canvass.Supermajority, unranked, nil
	}
	return "", 0, fmt.Errorf("VoteVariation %q is not supported (canvass tabulates plurality, n-of-m, majority, approval, super-majority and rcv)", v)
}

// index is what the streaming mapper needs from the definitions: contest and selection ids to
// indices into the canvass.Election.
type index struct {
	contests map[string]int32   // contest @id → index into Election.Contests
	choices  []map[string]int32 // per contest: selection @id → index into Contest.Choices
	ranked   []bool             // per contest: marks carry ranks
	inferred []bool             // per contest: no VoteVariation, ranked or not from its CVRs
	writeIn  [][]bool           // per contest, per choice: a write-in line
	gpUnits  map[string]string
	devices  map[string]string
}

// defError is an error in the definitions (record 0), with the field it is about.
type defError struct {
	field string
	err   error
}

func (e *defError) Error() string { return e.field + ": " + e.err.Error() }
func (e *defError) Unwrap() error { return e.err }

// buildElection turns the definitions into a canvass.Election. maxRank holds, for contests
// without a VoteVariation, the largest Rank their CVRs carry (nil when no contest needed the
// scan): a contest whose CVRs rank beyond 1 is ranked.
func buildElection(rep *report, maxRank map[string]int64) (*canvass.Election, *index, error) {
	e := &canvass.Election{}
	ix := &index{
		contests: map[string]int32{},
		gpUnits:  rep.gpUnits,
		devices:  rep.devices,
	}
	var names []string
	for _, el := range rep.elections {
		// RCTab writes no Election Name; its scope GpUnit carries the jurisdiction's name.
		if n := nameOr(el.name, rep.gpUnits[el.scopeID]); n != "" && n != el.scopeID {
			names = append(names, n)
		}
		for ci := range el.contests {
			cd := &el.contests[ci]
			if _, dup := ix.contests[cd.id]; dup {
				return nil, nil, &defError{"Election[].Contest[].@id", fmt.Errorf("contest @id %q defined twice", cd.id)}
			}
			c, choices, isRanked, err := buildContest(cd, &el, rep, maxRank)
			if err != nil {
				return nil, nil, err
			}
			_, rk, _ := cd.variation()
			ix.inferred = append(ix.inferred, rk == undeclared)
			ix.contests[cd.id] = int32(len(e.Contests))
			ix.choices = append(ix.choices, choices)
			ix.ranked = append(ix.ranked, isRanked)
			w := make([]bool, len(c.Choices))
			for i, ch := range c.Choices {
				w[i] = ch.WriteIn
			}
			ix.writeIn = append(ix.writeIn, w)
			e.Contests = append(e.Contests, c)
		}
	}
	e.Name = strings.Join(names, " / ")
	dedupeContestNames(e, rep)
	if err := e.Validate(); err != nil {
		return nil, nil, &defError{"Election[].Contest[]", err}
	}
	return e, ix, nil
}

func buildContest(cd *contestDef, el *electionDef, rep *report, maxRank map[string]int64) (*canvass.Contest, map[string]int32, bool, error) {
	typ, rk, err := cd.variation()
	if err != nil {
		return nil, nil, false, &defError{"Election[].Contest[].VoteVariation", fmt.Errorf("contest %q: %w", cd.id, err)}
	}
	if rk == undeclared && maxRank[cd.id] > 1 {
		// SP 1500-103 uses Rank only for ranked choice voting (class SelectionPosition, Rank), so
		// a contest whose CVRs rank beyond 1 is ranked even when its definition does not say so
		// (RCTab's CDF export has no VoteVariation).
		typ, rk = canvass.IRV, ranked
	}
	c := &canvass.Contest{ID: cd.id, Name: cd.name, Type: typ, Seats: 1}
	if cd.numberElected > 0 {
		c.Seats = int(cd.numberElected)
	}
	choices := make(map[string]int32, len(cd.selections))
	for si := range cd.selections {
		sd := &cd.selections[si]
		if _, dup := choices[sd.id]; dup {
			return nil, nil, false, &defError{"Election[].Contest[].ContestSelection[].@id", fmt.Errorf("contest %q: selection @id %q defined twice", cd.id, sd.id)}
		}
		choices[sd.id] = int32(len(c.Choices))
		c.Choices = append(c.Choices, buildChoice(sd, el, rep))
	}
	dedupeChoiceNames(c)
	n := max(len(c.Choices), 1)
	switch {
	case rk == ranked:
		if c.Seats > 1 {
			c.Type = canvass.STV
		}
		// For a ranked contest VoteFor is the number of ranks: VotesAllowed (SP 1500-100 uses
		// it for the number of rankings an rcv contest allows), else one rank per choice.
		c.VoteFor = n
		if cd.votesAllowed > 0 {
			c.VoteFor = int(cd.votesAllowed)
		}
	case typ == canvass.Approval:
		c.VoteFor = n
	case typ == canvass.Supermajority:
		// CDF carries no threshold: the workspace sets Contest.Threshold from its configuration.
		c.VoteFor = 1
	default:
		c.VoteFor = c.Seats
		if cd.votesAllowed > 0 {
			c.VoteFor = int(cd.votesAllowed)
		}
	}
	return c, choices, rk == ranked, nil
}

// buildChoice names a selection: its candidates' names (a ticket joined with " / "), else its
// parties' names, else the ballot-measure Selection text, else "Write-in" for a write-in line,
// else its first Code value, else its @id.
func buildChoice(sd *selectionDef, el *electionDef, rep *report) *canvass.Choice {
	ch := &canvass.Choice{ID: sd.id, WriteIn: sd.isWriteIn}
	var names []string
	for _, id := range sd.candidateIDs {
		cand, ok := el.candidates[id]
		if !ok {
			names = append(names, id)
			continue
		}
		names = append(names, cand.name)
		if ch.Party == "" && cand.partyID != "" {
			ch.Party = partyName(rep, cand.partyID)
		}
	}
	if len(names) == 0 {
		for _, id := range sd.partyIDs {
			names = append(names, partyName(rep, id))
		}
		if len(names) > 0 {
			ch.Party = strings.Join(names, " / ")
		}
	}
	switch {
	case len(names) > 0:
		ch.Name = strings.Join(names, " / ")
	case sd.selection != "":
		ch.Name = sd.selection
	case sd.isWriteIn:
		ch.Name = "Write-in"
	case sd.code != "":
		ch.Name = sd.code
	default:
		ch.Name = sd.id
	}
	return ch
}

func partyName(rep *report, id string) string {
	if n, ok := rep.parties[id]; ok {
		return n
	}
	return id
}

// dedupeContestNames keeps contest names distinct, since the workspace matches contests by
// name: the contests of a partisan primary share their office's name ("Governor" once per
// party, told apart by PrimaryPartyId), so a repeated name gets its primary party's name
// appended, else its @id.
func dedupeContestNames(e *canvass.Election, rep *report) {
	count := map[string]int{}
	for _, c := range e.Contests {
		count[canvass.NameKey(c.Name)]++
	}
	party := map[string]string{}
	for _, el := range rep.elections {
		for _, cd := range el.contests {
			if cd.primaryPartyID != "" {
				party[cd.id] = partyName(rep, cd.primaryPartyID)
			}
		}
	}
	seen := map[string]bool{}
	for _, c := range e.Contests {
		if count[canvass.NameKey(c.Name)] > 1 {
			if p := party[c.ID]; p != "" {
				c.Name += " (" + p + ")"
			}
		}
		if seen[canvass.NameKey(c.Name)] {
			c.Name += " (" + c.ID + ")"
		}
		seen[canvass.NameKey(c.Name)] = true
	}
}

// dedupeChoiceNames keeps choice names distinct within a contest (two unnamed write-in lines,
// two selections of the same candidate), since the workspace matches choices by name.
func dedupeChoiceNames(c *canvass.Contest) {
	seen := make(map[string]bool, len(c.Choices))
	for _, ch := range c.Choices {
		k := canvass.NameKey(ch.Name)
		if seen[k] {
			ch.Name += " (" + ch.ID + ")"
			k = canvass.NameKey(ch.Name)
		}
		seen[k] = true
	}
}

// span is a byte range in a cvrRecord's arena.
type span struct{ off, end int32 }

// indication is an IndicationStatus or AllocationStatus value (SP 1500-103 enumerations
// IndicationStatus and AllocationStatus: yes, no, unknown).
type indication uint8

const (
	absent indication = iota
	yes
	no
	unknown
)

// snapType is a CVRSnapshot Type (enumeration CVRType).
type snapType uint8

const (
	snapOther snapType = iota
	snapOriginal
	snapInterpreted
	snapModified
)

// cvrRecord is one CVR as read, before the mapping: ids are spans into arena, snapshots,
// contests, selections and positions are flat slices indexed by ranges, so that a record is
// read without allocating once the slices have grown.
type cvrRecord struct {
	arena []byte

	uniqueID, prePrintedID, styleID, styleUnitID, batchID, deviceID, currentSnapshot span

	snaps     []snapRec
	contests  []contestRec
	sels      []selRec
	positions []posRec
}

type snapRec struct {
	id     span
	typ    snapType
	c0, c1 int32 // contests[c0:c1]
}

type contestRec struct {
	contestID span
	overvotes int64
	overvoted bool  // Status contains "overvoted"
	s0, s1    int32 // sels[s0:s1]
}

type selRec struct {
	selID             span
	rank              int64 // CVRContestSelection.Rank; 0 if absent
	needsAdjudication bool  // Status contains "needs-adjudication"
	p0, p1            int32 // positions[p0:p1]
}

type posRec struct {
	hasIndication indication
	isAllocable   indication
	numberVotes   int64 // -1 if absent
	rank          int64 // 0 if absent
	writeIn       bool  // CVRWriteIn present
	adjudicated   bool  // Status contains "adjudicated"
}

func (r *cvrRecord) reset() {
	r.arena = r.arena[:0]
	r.uniqueID, r.prePrintedID, r.styleID, r.styleUnitID = span{}, span{}, span{}, span{}
	r.batchID, r.deviceID, r.currentSnapshot = span{}, span{}, span{}
	r.snaps = r.snaps[:0]
	r.contests = r.contests[:0]
	r.sels = r.sels[:0]
	r.positions = r.positions[:0]
}

// add copies b into the arena and returns its span.
func (r *cvrRecord) add(b []byte) span {
	off := int32(len(r.arena))
	r.arena = append(r.arena, b...)
	return span{off, int32(len(r.arena))}
}

func (r *cvrRecord) bytes(s span) []byte { return r.arena[s.off:s.end] }

// mapError is an error about one field of one CVR; the front end adds file and record.
type mapError struct {
	field string
	err   error
}

func (e *mapError) Error() string { return e.field + ": " + e.err.Error() }
func (e *mapError) Unwrap() error { return e.err }

// Field paths of the CVR part, as the JSON names them (the XML element names are the same).
const (
	fieldCVR        = "CVR[]"
	fieldSnapshot   = "CVR[].CVRSnapshot[]"
	fieldCurrent    = "CVR[].CurrentSnapshotId"
	fieldContestID  = "CVR[].CVRSnapshot[].CVRContest[].ContestId"
	fieldSelection  = "CVR[].CVRSnapshot[].CVRContest[].CVRContestSelection[].ContestSelectionId"
	fieldRank       = "CVR[].CVRSnapshot[].CVRContest[].CVRContestSelection[].SelectionPosition[].Rank"
	maxInternedStrs = 1 << 16
)

// mapper turns cvrRecords into canvass.Ballots. It looks ids up in idTables made from the
// index, interns the few distinct precinct, style, batch and device names, and cuts ballot ids
// from an arena, so that a ballot costs no allocation.
type mapper struct {
	ix       *index
	contests *idTable   // contest @id → index into Election.Contests
	choices  []*idTable // per contest: selection @id → index into Contest.Choices
	gpUnits  names
	devices  names
	intern   *idTable // interned string → index into interned
	interned []string
	ids      cvr.IDArena
	snapshot Snapshot
}

func newMapper(ix *index) *mapper {
	m := &mapper{
		ix:       ix,
		contests: newIDTable(len(ix.contests)),
		gpUnits:  newNames(ix.gpUnits),
		devices:  newNames(ix.devices),
		intern:   newIDTable(64),
	}
	for id, c := range ix.contests {
		m.contests.put(id, c)
	}
	for _, ch := range ix.choices {
		t := newIDTable(len(ch))
		for id, c := range ch {
			t.put(id, c)
		}
		m.choices = append(m.choices, t)
	}
	return m
}

// str returns b as a string, shared with earlier equal strings while the table is small
// (bounded so that a file with a distinct batch id per ballot keeps memory flat).
func (m *mapper) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if i, ok := m.intern.get(b); ok {
		return m.interned[i]
	}
	s := string(b)
	if len(m.interned) < maxInternedStrs {
		m.intern.put(s, int32(len(m.interned)))
		m.interned = append(m.interned, s)
	}
	return s
}

// lookup names a GpUnit or ReportingDevice reference through table, or returns the id itself.
func (m *mapper) lookup(table *names, b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := table.get(b); ok {
		return s
	}
	return m.str(b)
}

// Snapshot selects which CVRSnapshot of each CVR a Reader maps to the ballot.
type Snapshot uint8

const (
	// Current is the snapshot CurrentSnapshotId names, else the last of Type "modified", else
	// the last "original", else the last one: the CVR as its producer last interpreted it.
	Current Snapshot = iota
	// Original is the snapshot of Type "original": the scanner's reading of the marks before
	// contest rules or adjudication. RCTab's CDF export adds one "interpreted" snapshot per
	// round of its tabulation and names the last round current, with IsAllocable "no" on every
	// ranking not counted in that round; read such a file with Original to tabulate it again.
	Original
)

// pickSnapshot chooses the snapshot the ballot is read from: the one CurrentSnapshotId names
// (SP 1500-103, CVR.CurrentSnapshotId), else the last of Type "modified", else the last
// "original", else the last one.
func pickSnapshot(r *cvrRecord, which Snapshot) (int, error) {
	if len(r.snaps) == 0 {
		return -1, &mapError{"CVR[].CVRSnapshot", fmt.Errorf("%w: a CVR needs at least one CVRSnapshot", canvass.ErrMissingField)}
	}
	if which == Original {
		for i := range r.snaps {
			if r.snaps[i].typ == snapOriginal {
				return i, nil
			}
		}
		return -1, &mapError{"CVR[].CVRSnapshot[].Type", fmt.Errorf("%w: no CVRSnapshot of Type \"original\"", canvass.ErrMissingField)}
	}
	if cur := r.bytes(r.currentSnapshot); len(cur) > 0 {
		for i := range r.snaps {
			if string(r.bytes(r.snaps[i].id)) == string(cur) {
				return i, nil
			}
		}
		return -1, &mapError{fieldCurrent, fmt.Errorf("%w: no CVRSnapshot has @id %q", canvass.ErrMissingField, cur)}
	}
	pick, orig := -1, -1
	for i := range r.snaps {
		switch r.snaps[i].typ {
		case snapModified:
			pick = i
		case snapOriginal:
			orig = i
		}
	}
	switch {
	case pick >= 0:
		return pick, nil
	case orig >= 0:
		return orig, nil
	}
	return len(r.snaps) - 1, nil
}

// fill maps r to b (which the caller has Reset). recNo is the 1-based CVR number, used for the
// fallback ballot id.
//
// The mapping (SP 1500-103 classes CVR, CVRContest, CVRContestSelection, SelectionPosition):
//   - a SelectionPosition is a mark when HasIndication is "yes" or "unknown", or when it is
//     allocated (IsAllocable "yes") with NumberVotes > 0 and no indication (a vote generated by
//     rules, IsGenerated), or when HasIndication is absent and NumberVotes > 0. HasIndication
//     "no" is no mark even with NumberVotes 1: the NIST example_1 writes NumberVotes 1 on
//     unmarked positions.
//   - IsAllocable "no" → NotCounted; HasIndication "unknown" or a selection Status
//     "needs-adjudication" → Ambiguous; a write-in selection or a CVRWriteIn → WriteInMark; a
//     "modified" snapshot or a position Status "adjudicated" → Adjudicated.
//   - Rank is the position's Rank, else the CVRContestSelection's Rank; 0 in unranked contests.
//   - CVRContest.Overvotes > 0 or a Status "overvoted" → ContestMarks.Overvoted.
func (m *mapper) fill(r *cvrRecord, recNo int64, b *canvass.Ballot) error {
	si, err := pickSnapshot(r, m.snapshot)
	if err != nil {
		return err
	}
	snap := &r.snaps[si]
	switch {
	case r.uniqueID.end > r.uniqueID.off:
		b.ID = m.ids.String(r.bytes(r.uniqueID))
	case r.prePrintedID.end > r.prePrintedID.off:
		b.ID = m.ids.String(r.bytes(r.prePrintedID))
	case snap.id.end > snap.id.off:
		b.ID = m.ids.String(r.bytes(snap.id))
	default:
		b.ID = fmt.Sprintf("record %d", recNo)
	}
	b.Precinct = m.lookup(&m.gpUnits, r.bytes(r.styleUnitID))
	if dev := r.bytes(r.deviceID); len(dev) > 0 {
		if s, ok := m.devices.get(dev); ok {
			b.Tabulator = s
		} else {
			// Not a ReportingDevice: a producer may point CreatingDeviceId at a GpUnit.
			b.Tabulator = m.lookup(&m.gpUnits, dev)
		}
	}
	b.Batch = m.str(r.bytes(r.batchID))
	b.BallotType = m.str(r.bytes(r.styleID))
	var snapFlags canvass.MarkFlags
	if snap.typ == snapModified {
		snapFlags = canvass.Adjudicated
	}
	for ci := snap.c0; ci < snap.c1; ci++ {
		cr := &r.contests[ci]
		cid := r.bytes(cr.contestID)
		if len(cid) == 0 {
			return &mapError{fieldContestID, canvass.ErrMissingField}
		}
		cx, ok := m.contests.get(cid)
		if !ok {
			return &mapError{fieldContestID, fmt.Errorf("%w: %q is not a Contest @id of the report's Election", canvass.ErrUnknownContest, cid)}
		}
		cm := b.AddContest(cx)
		cm.Overvoted = cr.overvotes > 0 || cr.overvoted
		isRanked := m.ix.ranked[cx]
		choices := m.choices[cx]
		writeIn := m.ix.writeIn[cx]
		for sj := cr.s0; sj < cr.s1; sj++ {
			sr := &r.sels[sj]
			sid := r.bytes(sr.selID)
			if len(sid) == 0 {
				return &mapError{fieldSelection, canvass.ErrMissingField}
			}
			ch, ok := choices.get(sid)
			if !ok {
				return &mapError{fieldSelection, fmt.Errorf("%w: %q is not a ContestSelection @id of contest %q", canvass.ErrUnknownChoice, sid, cid)}
			}
			base := snapFlags
			if sr.needsAdjudication {
				base |= canvass.Ambiguous
			}
			for pk := sr.p0; pk < sr.p1; pk++ {
				p := &r.positions[pk]
				if !p.isMark() {
					continue
				}
				f := base
				if p.hasIndication == unknown {
					f |= canvass.Ambiguous
				}
				if p.isAllocable == no {
					f |= canvass.NotCounted
				}
				if p.writeIn || writeIn[ch] {
					f |= canvass.WriteInMark
				}
				if p.adjudicated {
					f |= canvass.Adjudicated
				}
				rank := p.rank
				if rank == 0 {
					rank = sr.rank
				}
				switch {
				case !isRanked:
					if rank > 1 && m.ix.inferred[cx] {
						return &mapError{fieldRank, fmt.Errorf("rank %d in contest %q, which has no VoteVariation and was read as unranked because its first %d CVRs rank nothing above 1; give it VoteVariation \"rcv\"", rank, cid, decideAfter)}
					}
					if rank > 1 {
						return &mapError{fieldRank, fmt.Errorf("rank %d in contest %q, whose VoteVariation is not ranked", rank, cid)}
					}
					rank = 0
				case rank == 0:
					return &mapError{fieldRank, fmt.Errorf("%w: a mark in ranked contest %q has no Rank", canvass.ErrMissingField, cid)}
				case rank < 0 || rank > 1<<30:
					return &mapError{fieldRank, fmt.Errorf("rank %d out of range", rank)}
				}
				cm.Marks = append(cm.Marks, canvass.Mark{Choice: ch, Rank: int32(rank), Flags: f})
			}
		}
	}
	return nil
}

func (p *posRec) isMark() bool {
	switch p.hasIndication {
	case yes, unknown:
		return true
	case no:
		return p.isAllocable == yes && p.numberVotes > 0
	}
	return p.numberVotes > 0
}
