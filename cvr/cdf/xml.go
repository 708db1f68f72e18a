package cdf

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// This file is the XML front end: it walks the XML encoding of SP 1500-103 (schema
// NIST_V0_cast_vote_records.xsd, namespace http://itl.nist.gov/ns/voting/1500-103/v1, and the
// older files that name the schema file itself as their namespace) token by token with
// encoding/xml and fills the model structs of model.go, which map to canvass types exactly as
// for JSON. Elements are matched by local name whatever their namespace or prefix; object ids
// are the ObjectId attribute (the XML counterpart of JSON's @id) and subtypes the xsi:type
// attribute.
//
// The schema's sequence puts CVR before Election, so the reader makes two passes over the
// file: the first reads the definitions and every CVR (for the ranks of contests without a
// VoteVariation), the second streams the CVRs and maps each one.

// XMLFormatName is the name the XML encoding is registered under.
const XMLFormatName = "cdf-xml"

func init() {
	cvr.Register(cvr.Format{
		Name:  XMLFormatName,
		Sniff: SniffXML,
		Open:  cvr.Opener(OpenXML),
	})
}

// SniffXML reports whether head, the first bytes of a file, look like the XML encoding of a
// CastVoteRecordReport: markup (after an optional UTF-8 byte order mark and white space) whose
// first 4 KiB contain a CastVoteRecordReport start tag, with or without a prefix.
func SniffXML(path string, head []byte) bool {
	head = bytes.TrimPrefix(head, utf8BOM)
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) == 0 || head[0] != '<' {
		return false
	}
	for i := 0; ; {
		j := bytes.Index(head[i:], []byte("CastVoteRecordReport"))
		if j < 0 {
			return false
		}
		j += i
		// The name must follow '<' or a prefix's ':' that follows a '<' tag name.
		k := j - 1
		for k >= 0 && head[k] != '<' && head[k] != ' ' && head[k] != '>' && head[k] != '"' {
			k--
		}
		if k >= 0 && head[k] == '<' && (k+1 == j || head[j-1] == ':') {
			return true
		}
		i = j + 1
	}
}

var _ cvr.Reader = (*XMLReader)(nil)

// XMLReader streams the ballots of one CDF XML file. It implements cvr.Reader.
type XMLReader struct {
	name     string
	file     *os.File
	src      io.ReadSeeker
	progress func(int64)
	d        *xml.Decoder
	p        xmlParser
	e        *canvass.Election
	m        *mapper
	rec      cvrRecord
	b        canvass.Ballot
	n        int64
	done     bool
	err      error
}

// OpenXML opens the CDF XML file at path. opts.Progress, if set, receives the bytes read by
// the pass that streams the CVRs.
func OpenXML(path string, opts cvr.Options) (*XMLReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cdf: %w", err)
	}
	r, err := NewXMLReader(f, path, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.file = f
	return r, nil
}

// NewXMLReader reads a CDF XML report from in, which it reads twice (it seeks back to where it
// started); name names it in errors. Close does not close in.
func NewXMLReader(in io.ReadSeeker, name string, opts cvr.Options) (*XMLReader, error) {
	r := &XMLReader{name: name, src: in, progress: opts.Progress}
	start, err := in.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("cdf: %s: %w", name, err)
	}
	if err := r.definitions(); err != nil {
		return nil, err
	}
	if _, err := in.Seek(start, io.SeekStart); err != nil {
		return nil, fmt.Errorf("cdf: %s: %w", name, err)
	}
	r.d = xml.NewDecoder(cvr.Counting(in, r.progress))
	if _, err := r.root(); err != nil {
		return nil, err
	}
	return r, nil
}

// SetSnapshot selects which snapshot of each CVR is read (Current by default). Call it before
// the first Next.
func (r *XMLReader) SetSnapshot(which Snapshot) { r.m.snapshot = which }

// Election returns the election definition of the report.
func (r *XMLReader) Election() *canvass.Election { return r.e }

// Where names the file and the 1-based number of the CVR that Next last returned.
func (r *XMLReader) Where() (string, int64) { return r.name, r.n }

// Close releases the file OpenXML opened.
func (r *XMLReader) Close() error {
	if r.err == nil {
		r.err = errors.New("cdf: reader closed")
	}
	if r.file != nil {
		err := r.file.Close()
		r.file = nil
		return err
	}
	return nil
}

// Next returns the next ballot, or io.EOF after the last. The ballot is reused by the next call.
func (r *XMLReader) Next() (*canvass.Ballot, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.done {
		return nil, io.EOF
	}
	for {
		se, ok, err := r.p.child(r.d)
		if err != nil {
			return nil, r.fail(r.n+1, at(fieldCVR, err))
		}
		if !ok {
			r.done = true
			return nil, io.EOF
		}
		if se.Name.Local != "CVR" {
			if err := r.d.Skip(); err != nil {
				return nil, r.fail(r.n+1, err)
			}
			continue
		}
		r.n++
		if err := r.p.parseCVR(r.d, &r.rec); err != nil {
			return nil, r.fail(r.n, err)
		}
		r.p.fillMissingIDs(&r.rec)
		r.b.Reset()
		if err := r.m.fill(&r.rec, r.n, &r.b); err != nil {
			return nil, r.fail(r.n, err)
		}
		return &r.b, nil
	}
}

// root reads up to the report's start tag and checks its name.
func (r *XMLReader) root() (xml.StartElement, error) {
	for {
		tok, err := r.d.Token()
		if err != nil {
			if err == io.EOF {
				return xml.StartElement{}, r.fail(0, fmt.Errorf("%w: no XML element (an empty file, or not XML)", canvass.ErrWrongFormat))
			}
			return xml.StartElement{}, r.fail(0, fmt.Errorf("%w: not XML (%w)", canvass.ErrWrongFormat, err))
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != "CastVoteRecordReport" {
				return se, r.fail(0, fmt.Errorf("%w: the root element is <%s>, not <CastVoteRecordReport>", canvass.ErrWrongFormat, se.Name.Local))
			}
			return se, nil
		}
	}
}

// definitions is the first pass: it reads the definitions and every CVR, and builds the
// election.
func (r *XMLReader) definitions() error {
	r.d = xml.NewDecoder(r.src)
	if _, err := r.root(); err != nil {
		return err
	}
	rep := newReport()
	maxRank := map[string]int64{}
	r.p.noID = map[string]string{}
	sawElection := false
	var rec cvrRecord
	var n int64
	for {
		se, ok, err := r.p.child(r.d)
		if err != nil {
			return r.fail(0, err)
		}
		if !ok {
			break
		}
		switch se.Name.Local {
		case "CVR":
			n++
			if err := r.p.parseCVR(r.d, &rec); err != nil {
				return r.fail(n, err)
			}
			r.p.scanCVR(&rec, maxRank)
		case "Election":
			sawElection = true
			err = r.p.parseElection(r.d, se, rep)
		case "GpUnit":
			err = r.p.parseUnit(r.d, se, "GpUnit[]", rep.gpUnits, "Name")
		case "ReportingDevice":
			err = r.p.parseUnit(r.d, se, "ReportingDevice[]", rep.devices, "SerialNumber")
		case "Party":
			err = r.p.parseUnit(r.d, se, "Party[]", rep.parties, "Name", "Abbreviation")
		default:
			err = r.d.Skip()
		}
		if err != nil {
			return r.fail(0, err)
		}
	}
	if !sawElection {
		return r.fail(0, &mapError{"Election", fmt.Errorf("%w: the report has no Election, so its contests are unknown", canvass.ErrMissingField)})
	}
	for ei := range rep.elections {
		el := &rep.elections[ei]
		for ci := range el.contests {
			cd := &el.contests[ci]
			if sid, ok := r.p.noID[cd.id]; ok {
				// A CVRContestSelection without ContestSelectionId (a write-in the producer
				// did not tie to a write-in line, as in the NIST examples) counts for a
				// write-in choice of its own.
				cd.selections = append(cd.selections, selectionDef{id: sid, isWriteIn: true})
			}
			if _, rk, err := cd.variation(); err == nil && rk == undeclared && maxRank[cd.id] > cd.votesAllowed && maxRank[cd.id] > 1 {
				// Inferred ranked: VotesAllowed counts winners for some producers (Unisyn
				// writes 1 in a contest ranked to 3); the ballots' ranks bound it.
				cd.votesAllowed = maxRank[cd.id]
			}
		}
	}
	e, ix, err := buildElection(rep, maxRank)
	if err != nil {
		return r.fail(0, err)
	}
	r.e, r.m = e, newMapper(ix)
	return nil
}

func (r *XMLReader) fail(rec int64, err error) error {
	var pe *canvass.ParseError
	if errors.As(err, &pe) {
		r.err = err
		return err
	}
	pe = &canvass.ParseError{Format: XMLFormatName, File: r.name, Record: rec}
	if r.d != nil {
		line, _ := r.d.InputPos()
		pe.Line = int64(line)
	}
	var me *mapError
	var de *defError
	switch {
	case errors.As(err, &me):
		pe.Field, err = me.field, me.err
	case errors.As(err, &de):
		pe.Field, err = de.field, de.err
	}
	var se *xml.SyntaxError
	switch {
	case errors.Is(err, canvass.ErrWrongFormat), errors.Is(err, canvass.ErrTruncated), errors.Is(err, canvass.ErrNotNumber), errors.Is(err, canvass.ErrSyntax):
	case errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &se) && strings.Contains(se.Msg, "unexpected EOF"):
		err = fmt.Errorf("%w: %w", canvass.ErrTruncated, err)
	case errors.As(err, &se):
		err = fmt.Errorf("%w: %w", canvass.ErrSyntax, err)
	}
	pe.Err = err
	r.err = pe
	return pe
}

// xmlParser holds what both passes share: the synthetic selection ids of id-less
// selections, and a buffer for element text.
type xmlParser struct {
	noID map[string]string // contest @id → the id given its selections without ContestSelectionId
	text []byte
}

// noIDPrefix starts the id given to selections without ContestSelectionId. An XML ID holds no
// space, so it cannot be a real ObjectId.
const noIDPrefix = "write-in of "

var errNested = errors.New("expected text, found an element")

// child returns the next child element of the current element, or ok false after its end tag.
// Text and other tokens between children are passed over.
func (p *xmlParser) child(d *xml.Decoder) (xml.StartElement, bool, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return xml.StartElement{}, false, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, true, nil
		case xml.EndElement:
			return xml.StartElement{}, false, nil
		}
	}
}

// textBytes reads the text of the element just started, through its end tag. The bytes are
// valid until the next call. A child element is an error.
func (p *xmlParser) textBytes(d *xml.Decoder) ([]byte, error) {
	p.text = p.text[:0]
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			p.text = append(p.text, t...)
		case xml.StartElement:
			return nil, errNested
		case xml.EndElement:
			return bytes.TrimSpace(p.text), nil
		}
	}
}

func (p *xmlParser) text1(d *xml.Decoder) (string, error) {
	b, err := p.textBytes(d)
	return string(b), err
}

func (p *xmlParser) integer(d *xml.Decoder) (int64, error) {
	b, err := p.textBytes(d)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", canvass.ErrNotNumber, b)
	}
	return n, nil
}

func (p *xmlParser) span(d *xml.Decoder, r *cvrRecord) (span, error) {
	b, err := p.textBytes(d)
	if err != nil {
		return span{}, err
	}
	return r.add(b), nil
}

func (p *xmlParser) indication(d *xml.Decoder) (indication, error) {
	b, err := p.textBytes(d)
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

// objectID returns the element's ObjectId attribute (the schema's spelling; objectId and id
// are accepted too).
func objectID(se xml.StartElement) string {
	for _, a := range se.Attr {
		switch a.Name.Local {
		case "ObjectId", "objectId", "id":
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// xsiType returns the element's xsi:type without its prefix ("cdf:CandidateContest" →
// "CandidateContest").
func xsiType(se xml.StartElement) string {
	for _, a := range se.Attr {
		if a.Name.Local == "type" && (a.Name.Space == "http://www.w3.org/2001/XMLSchema-instance" || a.Name.Space == "xsi") {
			t := a.Value
			if i := strings.LastIndexByte(t, ':'); i >= 0 {
				t = t[i+1:]
			}
			return stripType(t)
		}
	}
	return ""
}

// code reads a Code element (class Code) and returns its Value.
func (p *xmlParser) code(d *xml.Decoder) (string, error) {
	var v string
	for {
		se, ok, err := p.child(d)
		if err != nil || !ok {
			return v, err
		}
		if se.Name.Local == "Value" {
			if v, err = p.text1(d); err != nil {
				return v, err
			}
			continue
		}
		if err := d.Skip(); err != nil {
			return v, err
		}
	}
}

// Definitions (SP 1500-103 classes Election, Candidate, Contest, ContestSelection, GpUnit,
// ReportingDevice, Party).

func (p *xmlParser) parseElection(d *xml.Decoder, start xml.StartElement, rep *report) error {
	el := electionDef{id: objectID(start), candidates: map[string]candidateDef{}}
	for {
		se, ok, err := p.child(d)
		if err != nil {
			return at("Election[]", err)
		}
		if !ok {
			break
		}
		switch se.Name.Local {
		case "Name":
			el.name, err = p.text1(d)
			err = at("Election[].Name", err)
		case "ElectionScopeId":
			el.scopeID, err = p.text1(d)
			err = at("Election[].ElectionScopeId", err)
		case "Candidate":
			err = p.parseCandidate(d, se, &el)
		case "Contest":
			err = p.parseContest(d, se, &el)
		default:
			err = at("Election[]", d.Skip())
		}
		if err != nil {
			return err
		}
	}
	rep.elections = append(rep.elections, el)
	return nil
}

func (p *xmlParser) parseCandidate(d *xml.Decoder, start xml.StartElement, el *electionDef) error {
	id := objectID(start)
	var name, code, party string
	for {
		se, ok, err := p.child(d)
		if err != nil {
			return at("Election[].Candidate[]", err)
		}
		if !ok {
			break
		}
		f := "Election[].Candidate[]." + se.Name.Local
		switch se.Name.Local {
		case "Name":
			name, err = p.text1(d)
		case "PartyId":
			party, err = p.text1(d)
		case "Code":
			var c string
			if c, err = p.code(d); code == "" {
				code = c
			}
		default:
			err = d.Skip()
		}
		if err != nil {
			return at(f, err)
		}
	}
	if id == "" {
		return &mapError{"Election[].Candidate[].ObjectId", canvass.ErrMissingField}
	}
	el.candidates[id] = candidateDef{name: nameOr(name, code, id), partyID: party}
	return nil
}

func (p *xmlParser) parseContest(d *xml.Decoder, start xml.StartElement, el *electionDef) error {
	c := contestDef{id: objectID(start), typ: xsiType(start)}
	var name, abbr, code string
	for {
		se, ok, err := p.child(d)
		if err != nil {
			return at("Election[].Contest[]", err)
		}
		if !ok {
			break
		}
		f := "Election[].Contest[]." + se.Name.Local
		switch se.Name.Local {
		case "Name":
			name, err = p.text1(d)
		case "Abbreviation":
			abbr, err = p.text1(d)
		case "Code":
			var v string
			if v, err = p.code(d); code == "" {
				code = v
			}
		case "VoteVariation":
			c.voteVariation, err = p.text1(d)
		case "OtherVoteVariation":
			c.otherVoteVariation, err = p.text1(d)
		case "PrimaryPartyId":
			c.primaryPartyID, err = p.text1(d)
		case "VotesAllowed":
			c.votesAllowed, err = p.integer(d)
		case "NumberElected":
			c.numberElected, err = p.integer(d)
		case "ContestSelection":
			err = p.parseSelection(d, se, &c)
		default:
			err = d.Skip()
		}
		if err != nil {
			return at(f, err)
		}
	}
	if c.id == "" {
		return &mapError{"Election[].Contest[].ObjectId", canvass.ErrMissingField}
	}
	c.name = nameOr(name, abbr, code, c.id)
	el.contests = append(el.contests, c)
	return nil
}

func (p *xmlParser) parseSelection(d *xml.Decoder, start xml.StartElement, c *contestDef) error {
	sd := selectionDef{id: objectID(start)}
	for {
		se, ok, err := p.child(d)
		if err != nil {
			return at("Election[].Contest[].ContestSelection[]", err)
		}
		if !ok {
			break
		}
		f := "Election[].Contest[].ContestSelection[]." + se.Name.Local
		var v string
		switch se.Name.Local {
		case "CandidateIds":
			// xsd:IDREFS: a list separated by white space, and repeated elements add to it.
			v, err = p.text1(d)
			sd.candidateIDs = append(sd.candidateIDs, strings.Fields(v)...)
		case "PartyIds":
			v, err = p.text1(d)
			sd.partyIDs = append(sd.partyIDs, strings.Fields(v)...)
		case "Selection":
			sd.selection, err = p.text1(d)
		case "IsWriteIn":
			v, err = p.text1(d)
			switch v {
			case "true", "1":
				sd.isWriteIn = true
			case "false", "0", "":
			default:
				err = fmt.Errorf("%w: IsWriteIn is %q, not true or false", canvass.ErrSyntax, v)
			}
		case "Code":
			if v, err = p.code(d); sd.code == "" {
				sd.code = v
			}
		default:
			err = d.Skip()
		}
		if err != nil {
			return at(f, err)
		}
	}
	if sd.id == "" {
		return &mapError{"Election[].Contest[].ContestSelection[].ObjectId", canvass.ErrMissingField}
	}
	c.selections = append(c.selections, sd)
	return nil
}

// parseUnit reads a GpUnit, ReportingDevice or Party into table, named by the first of
// nameKeys present, else its first Code value, else its ObjectId.
func (p *xmlParser) parseUnit(d *xml.Decoder, start xml.StartElement, field string, table map[string]string, nameKeys ...string) error {
	id := objectID(start)
	names := make([]string, len(nameKeys)+2)
	for {
		se, ok, err := p.child(d)
		if err != nil {
			return at(field, err)
		}
		if !ok {
			break
		}
		matched := false
		for i, nk := range nameKeys {
			if se.Name.Local == nk {
				names[i], err = p.text1(d)
				matched = true
				break
			}
		}
		switch {
		case matched:
		case se.Name.Local == "Code":
			var v string
			if v, err = p.code(d); names[len(nameKeys)] == "" {
				names[len(nameKeys)] = v
			}
		default:
			err = d.Skip()
		}
		if err != nil {
			return at(field+"."+se.Name.Local, err)
		}
	}
	if id == "" {
		return &mapError{field + ".ObjectId", canvass.ErrMissingField}
	}
	names[len(names)-1] = id
	table[id] = nameOr(names...)
	return nil
}

// CVRs (SP 1500-103 classes CVR, CVRSnapshot, CVRContest, CVRContestSelection,
// SelectionPosition).

// parseCVR reads the CVR element just started into r.
func (p *xmlParser) parseCVR(d *xml.Decoder, r *cvrRecord) error {
	r.reset()
	for {
		se, ok, err := p.child(d)
		if err != nil {
			return at(fieldCVR, err)
		}
		if !ok {
			return nil
		}
		switch se.Name.Local {
		case "CVRSnapshot":
			err = p.parseSnapshot(d, se, r)
		case "UniqueId":
			r.uniqueID, err = p.span(d, r)
		case "BallotPrePrintedId":
			r.prePrintedID, err = p.span(d, r)
		case "BallotStyleId":
			r.styleID, err = p.span(d, r)
		case "BallotStyleUnitId":
			r.styleUnitID, err = p.span(d, r)
		case "BatchId":
			r.batchID, err = p.span(d, r)
		case "CreatingDeviceId":
			r.deviceID, err = p.span(d, r)
		case "CurrentSnapshotId":
			r.currentSnapshot, err = p.span(d, r)
		default:
			err = d.Skip()
		}
		if err != nil {
			return at(fieldCVR+"."+se.Name.Local, err)
		}
	}
}

func (p *xmlParser) parseSnapshot(d *xml.Decoder, start xml.StartElement, r *cvrRecord) error {
	i := len(r.snaps)
	r.snaps = append(r.snaps, snapRec{id: r.add([]byte(objectID(start))), c0: int32(len(r.contests))})
	for {
		se, ok, err := p.child(d)
		if err != nil {
			return at(fieldSnapshot, err)
		}
		if !ok {
			break
		}
		switch se.Name.Local {
		case "CVRContest":
			err = p.parseContestRec(d, r)
		case "Type":
			var t []byte
			t, err = p.textBytes(d)
			switch string(t) {
			case "original":
				r.snaps[i].typ = snapOriginal
			case "modified":
				r.snaps[i].typ = snapModified
			case "interpreted":
				r.snaps[i].typ = snapInterpreted
			}
		default:
			err = d.Skip()
		}
		if err != nil {
			return at(fieldSnapshot+"."+se.Name.Local, err)
		}
	}
	r.snaps[i].c1 = int32(len(r.contests))
	return nil
}

const fieldContest = "CVR[].CVRSnapshot[].CVRContest[]"

func (p *xmlParser) parseContestRec(d *xml.Decoder, r *cvrRecord) error {
	i := len(r.contests)
	r.contests = append(r.contests, contestRec{s0: int32(len(r.sels))})
	for {
		se, ok, err := p.child(d)
		if err != nil {
			return at(fieldContest, err)
		}
		if !ok {
			break
		}
		switch se.Name.Local {
		case "CVRContestSelection":
			err = p.parseSelectionRec(d, r)
		case "ContestId":
			r.contests[i].contestID, err = p.span(d, r)
		case "Overvotes":
			r.contests[i].overvotes, err = p.integer(d)
		case "Status":
			var b []byte
			if b, err = p.textBytes(d); string(b) == "overvoted" {
				r.contests[i].overvoted = true
			}
		default:
			err = d.Skip()
		}
		if err != nil {
			return at(fieldContest+"."+se.Name.Local, err)
		}
	}
	r.contests[i].s1 = int32(len(r.sels))
	return nil
}

const fieldSel = "CVR[].CVRSnapshot[].CVRContest[].CVRContestSelection[]"

func (p *xmlParser) parseSelectionRec(d *xml.Decoder, r *cvrRecord) error {
	i := len(r.sels)
	r.sels = append(r.sels, selRec{p0: int32(len(r.positions))})
	for {
		se, ok, err := p.child(d)
		if err != nil {
			return at(fieldSel, err)
		}
		if !ok {
			break
		}
		switch se.Name.Local {
		case "SelectionPosition":
			err = p.parsePosition(d, r)
		case "ContestSelectionId":
			r.sels[i].selID, err = p.span(d, r)
		case "Rank":
			r.sels[i].rank, err = p.integer(d)
		case "Status":
			var b []byte
			if b, err = p.textBytes(d); string(b) == "needs-adjudication" {
				r.sels[i].needsAdjudication = true
			}
		default:
			err = d.Skip()
		}
		if err != nil {
			return at(fieldSel+"."+se.Name.Local, err)
		}
	}
	r.sels[i].p1 = int32(len(r.positions))
	return nil
}

const fieldPos = fieldSel + ".SelectionPosition[]"

func (p *xmlParser) parsePosition(d *xml.Decoder, r *cvrRecord) error {
	pr := posRec{numberVotes: -1}
	for {
		se, ok, err := p.child(d)
		if err != nil {
			return at(fieldPos, err)
		}
		if !ok {
			break
		}
		switch se.Name.Local {
		case "HasIndication":
			pr.hasIndication, err = p.indication(d)
		case "IsAllocable":
			pr.isAllocable, err = p.indication(d)
		case "NumberVotes":
			pr.numberVotes, err = p.integer(d)
		case "Rank":
			pr.rank, err = p.integer(d)
		case "CVRWriteIn":
			pr.writeIn = true
			err = d.Skip()
		case "Status":
			var b []byte
			if b, err = p.textBytes(d); string(b) == "adjudicated" {
				pr.adjudicated = true
			}
		default:
			err = d.Skip()
		}
		if err != nil {
			return at(fieldPos+"."+se.Name.Local, err)
		}
	}
	r.positions = append(r.positions, pr)
	return nil
}

// scanCVR notes, on the first pass, the largest Rank of each contest's marks in every
// snapshot, and the contests with selections that carry no ContestSelectionId.
func (p *xmlParser) scanCVR(r *cvrRecord, maxRank map[string]int64) {
	for ci := range r.contests {
		c := &r.contests[ci]
		id := string(r.bytes(c.contestID))
		for sj := c.s0; sj < c.s1; sj++ {
			sel := &r.sels[sj]
			if sel.selID.end == sel.selID.off {
				if _, ok := p.noID[id]; !ok {
					p.noID[id] = noIDPrefix + id
				}
			}
			for pk := sel.p0; pk < sel.p1; pk++ {
				rank := r.positions[pk].rank
				if rank == 0 {
					rank = sel.rank
				}
				if rank > maxRank[id] {
					maxRank[id] = rank
				}
			}
		}
	}
}

// fillMissingIDs gives selections without ContestSelectionId their contest's write-in id.
func (p *xmlParser) fillMissingIDs(r *cvrRecord) {
	for ci := range r.contests {
		c := &r.contests[ci]
		for sj := c.s0; sj < c.s1; sj++ {
			sel := &r.sels[sj]
			if sel.selID.end == sel.selID.off {
				if sid, ok := p.noID[string(r.bytes(c.contestID))]; ok {
					off := int32(len(r.arena))
					r.arena = append(r.arena, sid...)
					sel.selID = span{off, int32(len(r.arena))}
				}
			}
		}
	}
}
