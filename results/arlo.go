package results

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	canvass "github.com/canvass-vote/canvass"
)

// An Arlo audit report is one CSV file of sections. Each section starts with a heading record
// of one field, "######## NAME ########", then a header record and data records (Arlo's
// server/api/reports.py writes them in this order: ELECTION INFO, CONTESTS, AUDIT SETTINGS,
// AUDIT BOARDS for online audits, ROUNDS, then SAMPLED BALLOTS, SAMPLED BATCHES or, when every
// ballot was sampled (a full hand count), BATCH RESULTS). Blank lines separate sections.
const (
	arloMark = "######## "
	arloEnd  = " ########"
)

// NotReported stands for an empty count cell of an Arlo report (a batch with no tally entered
// for a choice; a contest without a ballot count): Arlo writes None as an empty cell.
const NotReported int64 = -1

// ArloReport is an audit report exported by Arlo, the risk-limiting audit software of
// VotingWorks, read section by section.
type ArloReport struct {
	File          string
	ElectionInfo  ArloElectionInfo
	Contests      []ArloContest
	AuditSettings ArloAuditSettings
	Rounds        []ArloRound
	// BatchResults is the hand tally of every batch (reports of full hand counts); nil when
	// the report has no BATCH RESULTS section.
	BatchResults *ArloBatchResults
	// Other holds the sections read as raw rows (AUDIT BOARDS, SAMPLED BALLOTS, SAMPLED
	// BATCHES and any section a later Arlo adds), in file order.
	Other []ArloSection
}

// ArloElectionInfo is the ELECTION INFO section.
type ArloElectionInfo struct {
	Organization string
	ElectionName string
	// State is the two-letter state code.
	State string
}

// ArloContest is one row of the CONTESTS section.
type ArloContest struct {
	Name string
	// Targeted is true for a contest the audit targets, false for an opportunistic one.
	Targeted     bool
	NumWinners   int
	VotesAllowed int
	// TotalBallotsCast is the machine count of ballots cast in the contest (NotReported if
	// empty).
	TotalBallotsCast int64
	// TabulatedVotes is the machine count per choice ("Tabulated Votes").
	TabulatedVotes Tally
}

// ArloAuditSettings is the AUDIT SETTINGS section.
type ArloAuditSettings struct {
	AuditName string
	// AuditType is BALLOT_POLLING, BATCH_COMPARISON, BALLOT_COMPARISON or HYBRID.
	AuditType string
	// MathType is the risk-measuring function: BRAVO, MINERVA, SUPERSIMPLE, MACRO, SUITE.
	MathType string
	// RiskLimitPercent is the risk limit in percent ("10%" → 10).
	RiskLimitPercent int
	RandomSeed       string
	// Online is true when audit boards entered their interpretations in Arlo.
	Online bool
}

// ArloRound is one row of the ROUNDS section: one contest in one round.
type ArloRound struct {
	Round       int
	ContestName string
	Targeted    bool
	// SampleSize is the number of ballots (or batches) drawn (NotReported if empty).
	SampleSize   int64
	RiskLimitMet bool
	// PValue is as written: "0", "0.0172", "<0.0000000001", or empty before the round ends.
	PValue string
	// Start and End are in the server's clock (ISO 8601 without zone); End is zero for a round
	// in progress.
	Start, End time.Time
	// AuditedVotes is the audit boards' count per choice so far.
	AuditedVotes Tally
}

// ArloBatchResults is the BATCH RESULTS section: the hand tally of each batch for the
// contest of the report (Arlo writes one contest here, its first).
type ArloBatchResults struct {
	// Choices are the column names after Jurisdiction Name, Batch Name and Batch Type.
	Choices []string
	Batches []ArloBatch
}

// ArloBatch is one batch's tally.
type ArloBatch struct {
	// Jurisdiction is the county (or other jurisdiction) that holds the batch.
	Jurisdiction string
	Name         string
	// Type is the batch type: Absentee By Mail, Advance, Election Day, Provisional, Other.
	Type string
	// Votes holds a count per choice of ArloBatchResults.Choices, NotReported when empty.
	Votes []int64
}

// ArloSection is a section kept as text.
type ArloSection struct {
	Name   string
	Header []string
	Rows   [][]string
	// Record is the 1-based record of the section's heading.
	Record int64
}

// ChoiceVotes is one "Choice: votes" entry.
type ChoiceVotes struct {
	Choice string
	Votes  int64
}

// Tally is a list of votes per choice in the report's order, as Arlo writes it in one cell:
// "Donald J. Trump: 2461468; Joseph R. Biden: 2474248".
type Tally []ChoiceVotes

// Votes returns the votes of the choice named (compared with canvass.NameKey).
func (t Tally) Votes(choice string) (int64, bool) {
	k := canvass.NameKey(choice)
	for _, cv := range t {
		if canvass.NameKey(cv.Choice) == k {
			return cv.Votes, true
		}
	}
	return 0, false
}

// parseTally reads Arlo's "Name: n; Name: n" cell. Entries are split at "; " and each at its
// last ": ", so a choice name may contain a colon but not "; " (Arlo does not escape either).
func parseTally(s string) (Tally, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, "; ")
	t := make(Tally, 0, len(parts))
	for _, p := range parts {
		i := strings.LastIndex(p, ": ")
		if i < 0 {
			return nil, fmt.Errorf("%w: %q is not \"choice: votes\"", canvass.ErrSyntax, clip(p))
		}
		n, ok, err := parseCount(p[i+2:], plainDigits, false)
		if err != nil {
			return nil, fmt.Errorf("choice %q: %w", clip(p[:i]), err)
		}
		if !ok {
			n = NotReported
		}
		t = append(t, ChoiceVotes{Choice: strings.TrimSpace(p[:i]), Votes: n})
	}
	return t, nil
}

// rawCell returns rec[i] untrimmed, or "" when the record is shorter.
func rawCell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return rec[i]
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// isArlo reports whether head starts with an Arlo section heading.
func isArlo(head []byte) bool {
	head = bytes.TrimPrefix(head, utf8BOM)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	_, ok := arloHeading([]string{strings.TrimRight(string(head), "\r")})
	return ok
}

// arloHeading returns the section name of a heading record.
func arloHeading(rec []string) (string, bool) {
	if len(rec) != 1 {
		return "", false
	}
	h := strings.TrimSpace(rec[0])
	if len(h) < len(arloMark)+len(arloEnd) || !strings.HasPrefix(h, arloMark) || !strings.HasSuffix(h, arloEnd) {
		return "", false
	}
	return strings.TrimSpace(h[len(arloMark) : len(h)-len(arloEnd)]), true
}

// arloScanner walks the records of a report, section by section.
type arloScanner struct {
	s       *src
	t       *csvTable
	section string
	hdr     []string // header of the current section, nil until read
	col     map[string]int
	seen    map[string]bool
	// headingRec is the record of the current section's heading.
	headingRec int64
}

// Kinds of records the scanner returns.
const (
	arloHeader = iota + 1 // the header record of a section (s.hdr is set)
	arloData              // a data record
)

func newArloScanner(s *src, r io.Reader) *arloScanner {
	return &arloScanner{s: s, t: newCSVTable(s, r), seen: map[string]bool{}}
}

// next returns the next header or data record; headings only change the section.
func (a *arloScanner) next() (kind int, rec []string, err error) {
	for {
		rec, err := a.t.next()
		if err == io.EOF && a.t.row() == 0 {
			return 0, nil, a.s.perr(0, 0, "", fmt.Errorf("empty file, no header: %w", canvass.ErrTruncated))
		}
		if err != nil {
			return 0, nil, err
		}
		if blank(rec) {
			continue
		}
		if name, ok := arloHeading(rec); ok {
			if a.seen[name] {
				return 0, nil, a.perr("", fmt.Errorf("%w: section %s appears twice", canvass.ErrSyntax, name))
			}
			a.seen[name], a.section, a.hdr, a.col, a.headingRec = true, name, nil, nil, a.t.row()
			continue
		}
		if a.section == "" {
			return 0, nil, a.perr("", fmt.Errorf("%w: an Arlo report starts with a heading such as %q", canvass.ErrWrongFormat, arloMark+"ELECTION INFO"+arloEnd))
		}
		if a.hdr == nil {
			a.hdr = copyHeader(rec)
			a.col = make(map[string]int, len(rec))
			for i, h := range a.hdr {
				a.col[strings.TrimSpace(h)] = i
			}
			return arloHeader, rec, nil
		}
		if err := checkWidth(a.s, a.t, rec, a.hdr); err != nil {
			if pe, ok := err.(*canvass.ParseError); ok && pe.Field != "" {
				pe.Field = a.section + ": " + pe.Field
			}
			return 0, nil, err
		}
		return arloData, rec, nil
	}
}

// perr is an error about the current record and a field of the current section.
func (a *arloScanner) perr(field string, err error) error {
	if field != "" && a.section != "" {
		field = a.section + ": " + field
	}
	return a.s.perr(a.t.row(), a.t.line(), field, err)
}

// need returns the columns of the current section's header, refusing a missing one.
func (a *arloScanner) need(names ...string) ([]int, error) {
	idx := make([]int, len(names))
	for i, n := range names {
		j, ok := a.col[n]
		if !ok {
			return nil, a.perr(n, fmt.Errorf("%w: the section's header has no %q column", canvass.ErrMissingField, n))
		}
		idx[i] = j
	}
	return idx, nil
}

// Column names of the known sections (reports.py).
var (
	arloInfoCols     = []string{"Organization", "Election Name", "State"}
	arloContestCols  = []string{"Contest Name", "Targeted?", "Number of Winners", "Votes Allowed", "Total Ballots Cast", "Tabulated Votes"}
	arloSettingsCols = []string{"Audit Name", "Audit Type", "Audit Math Type", "Risk Limit", "Random Seed", "Online Data Entry?"}
	arloRoundCols    = []string{"Round Number", "Contest Name", "Targeted?", "Sample Size", "Risk Limit Met?", "P-Value", "Start Time", "End Time", "Audited Votes"}
	arloBatchCols    = []string{"Jurisdiction Name", "Batch Name", "Batch Type"}
)

// The names of the sections read into typed fields.
const (
	secInfo     = "ELECTION INFO"
	secContests = "CONTESTS"
	secSettings = "AUDIT SETTINGS"
	secRounds   = "ROUNDS"
	secBatches  = "BATCH RESULTS"
)

// arloBuilder fills an ArloReport record by record.
type arloBuilder struct {
	a    *arloScanner
	rep  *ArloReport
	idx  []int // columns of the current typed section
	info bool  // ELECTION INFO row seen
	set  bool  // AUDIT SETTINGS row seen
}

// header starts a section.
func (b *arloBuilder) header(rec []string) error {
	var err error
	switch b.a.section {
	case secInfo:
		b.idx, err = b.a.need(arloInfoCols...)
	case secContests:
		b.idx, err = b.a.need(arloContestCols...)
	case secSettings:
		b.idx, err = b.a.need(arloSettingsCols...)
	case secRounds:
		b.idx, err = b.a.need(arloRoundCols...)
	case secBatches:
		if b.idx, err = b.a.need(arloBatchCols...); err != nil {
			return err
		}
		br := &ArloBatchResults{}
		fixed := b.idx // the three batch columns; choices are appended after them
		for i, h := range b.a.hdr {
			if !isIn(i, fixed) {
				name := strings.TrimSpace(h)
				if name == "" {
					return b.a.perr(fmt.Sprintf("column %d", i+1), fmt.Errorf("%w: a count column without a choice name", canvass.ErrMissingField))
				}
				br.Choices = append(br.Choices, name)
				b.idx = append(b.idx, i)
			}
		}
		if len(br.Choices) == 0 {
			return b.a.perr("choice columns", fmt.Errorf("%w: the header names no choice", canvass.ErrMissingField))
		}
		b.rep.BatchResults = br
	default:
		b.rep.Other = append(b.rep.Other, ArloSection{Name: b.a.section, Header: copyHeader(rec), Record: b.a.headingRec})
	}
	return err
}

func isIn(i int, idx []int) bool {
	for _, j := range idx {
		if i == j {
			return true
		}
	}
	return false
}

// data adds one data record of the current section.
func (b *arloBuilder) data(rec []string) error {
	a, x := b.a, b.idx
	get := func(i int) string { return cell(rec, x[i]) }
	switch a.section {
	case secInfo:
		if b.info {
			return a.perr("", fmt.Errorf("%w: a second row of election info", canvass.ErrSyntax))
		}
		b.info = true
		b.rep.ElectionInfo = ArloElectionInfo{Organization: get(0), ElectionName: get(1), State: get(2)}
	case secContests:
		c := ArloContest{Name: get(0)}
		var err error
		if c.Targeted, err = arloTargeted(a, arloContestCols[1], get(1)); err != nil {
			return err
		}
		if c.NumWinners, err = arloInt(a, arloContestCols[2], get(2)); err != nil {
			return err
		}
		if c.VotesAllowed, err = arloInt(a, arloContestCols[3], get(3)); err != nil {
			return err
		}
		if c.TotalBallotsCast, err = arloCount(a, arloContestCols[4], get(4)); err != nil {
			return err
		}
		if c.TabulatedVotes, err = parseTally(get(5)); err != nil {
			return a.perr(arloContestCols[5], err)
		}
		b.rep.Contests = append(b.rep.Contests, c)
	case secSettings:
		if b.set {
			return a.perr("", fmt.Errorf("%w: a second row of audit settings", canvass.ErrSyntax))
		}
		b.set = true
		s := ArloAuditSettings{AuditName: get(0), AuditType: get(1), MathType: get(2), RandomSeed: get(4)}
		var err error
		if s.RiskLimitPercent, err = arloInt(a, arloSettingsCols[3], strings.TrimSuffix(get(3), "%")); err != nil {
			return err
		}
		if s.Online, err = arloYesNo(a, arloSettingsCols[5], get(5)); err != nil {
			return err
		}
		b.rep.AuditSettings = s
	case secRounds:
		r := ArloRound{ContestName: get(1), PValue: get(5)}
		var err error
		if r.Round, err = arloInt(a, arloRoundCols[0], get(0)); err != nil {
			return err
		}
		if r.Targeted, err = arloTargeted(a, arloRoundCols[2], get(2)); err != nil {
			return err
		}
		if r.SampleSize, err = arloCount(a, arloRoundCols[3], get(3)); err != nil {
			return err
		}
		if r.RiskLimitMet, err = arloYesNo(a, arloRoundCols[4], get(4)); err != nil {
			return err
		}
		if r.Start, err = arloTime(a, arloRoundCols[6], get(6)); err != nil {
			return err
		}
		if r.End, err = arloTime(a, arloRoundCols[7], get(7)); err != nil {
			return err
		}
		if r.AuditedVotes, err = parseTally(get(8)); err != nil {
			return a.perr(arloRoundCols[8], err)
		}
		b.rep.Rounds = append(b.rep.Rounds, r)
	case secBatches:
		batch := ArloBatch{Votes: make([]int64, len(b.rep.BatchResults.Choices))}
		if err := b.batch(rec, &batch); err != nil {
			return err
		}
		b.rep.BatchResults.Batches = append(b.rep.BatchResults.Batches, batch)
	default:
		o := &b.rep.Other[len(b.rep.Other)-1]
		o.Rows = append(o.Rows, copyHeader(rec))
	}
	return nil
}

// batch reads a BATCH RESULTS record into out (whose Votes has a slot per choice).
func (b *arloBuilder) batch(rec []string, out *ArloBatch) error {
	x := b.idx
	// Names are identifiers here, kept byte for byte: Georgia's report has distinct batches
	// whose names differ only by a trailing space ("Box 3 Batch 12 W/I " in COLUMBIA).
	out.Jurisdiction, out.Name, out.Type = rawCell(rec, x[0]), rawCell(rec, x[1]), cell(rec, x[2])
	if strings.TrimSpace(out.Jurisdiction) == "" {
		return b.a.perr(arloBatchCols[0], fmt.Errorf("%w: no jurisdiction", canvass.ErrMissingField))
	}
	if strings.TrimSpace(out.Name) == "" {
		return b.a.perr(arloBatchCols[1], fmt.Errorf("%w: no batch name", canvass.ErrMissingField))
	}
	for i, col := range x[3:] {
		n, ok, err := parseCount(cell(rec, col), plainDigits, false)
		if err != nil {
			return b.a.perr(b.rep.BatchResults.Choices[i], err)
		}
		if !ok {
			n = NotReported
		}
		out.Votes[i] = n
	}
	return nil
}

func arloInt(a *arloScanner, field, v string) (int, error) {
	n, ok, err := parseCount(v, plainDigits, false)
	if err == nil && !ok {
		err = fmt.Errorf("%w: empty", canvass.ErrMissingField)
	}
	if err == nil && n > 1<<31-1 {
		err = fmt.Errorf("%w: %s out of range", canvass.ErrNotNumber, v)
	}
	if err != nil {
		return 0, a.perr(field, err)
	}
	return int(n), nil
}

func arloCount(a *arloScanner, field, v string) (int64, error) {
	n, ok, err := parseCount(v, plainDigits, false)
	if err != nil {
		return 0, a.perr(field, err)
	}
	if !ok {
		return NotReported, nil
	}
	return n, nil
}

func arloTargeted(a *arloScanner, field, v string) (bool, error) {
	switch v {
	case "Targeted":
		return true, nil
	case "Opportunistic":
		return false, nil
	}
	return false, a.perr(field, fmt.Errorf("%w: %q is neither Targeted nor Opportunistic", canvass.ErrSyntax, clip(v)))
}

func arloYesNo(a *arloScanner, field, v string) (bool, error) {
	switch v {
	case "Yes":
		return true, nil
	case "No":
		return false, nil
	}
	return false, a.perr(field, fmt.Errorf("%w: %q is neither Yes nor No", canvass.ErrSyntax, clip(v)))
}

// arloTime reads Python's isoformat() of a naive datetime (microseconds optional).
func arloTime(a *arloScanner, field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", time.RFC3339Nano} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, a.perr(field, fmt.Errorf("%w: %q is not an ISO 8601 time", canvass.ErrSyntax, clip(v)))
}

// ReadArloReport reads a whole Arlo audit report; name names it in errors. Sections it does not
// know are kept as raw rows in Other; columns it does not know are ignored.
func ReadArloReport(r io.Reader, name string) (*ArloReport, error) {
	s := &src{format: "arlo", file: name}
	b := &arloBuilder{a: newArloScanner(s, r), rep: &ArloReport{File: name}}
	for {
		kind, rec, err := b.a.next()
		if err == io.EOF {
			return b.rep, nil
		}
		if err != nil {
			return nil, err
		}
		if kind == arloHeader {
			err = b.header(rec)
		} else {
			err = b.data(rec)
		}
		if err != nil {
			return nil, err
		}
	}
}

// arloReader streams the BATCH RESULTS of a report as ResultRows.
type arloReader struct {
	b     *arloBuilder
	opts  Options
	batch ArloBatch
	unit  canvass.Unit
	row   canvass.ResultRow
	// contest of the batch tallies
	contest string
	// next cell to return: choice ci/2, the total (even) or the batch-type row (odd)
	ci   int
	have bool
	cur  int64
	err  error
	c    io.Closer
}

func newArloReader(s *src, r io.Reader, opts Options) (Reader, error) {
	b := &arloBuilder{a: newArloScanner(s, r), rep: &ArloReport{File: s.file}}
	ar := &arloReader{b: b, opts: opts}
	// Read the sections before BATCH RESULTS (Arlo writes it last), which name the state and
	// the contest.
	for {
		kind, rec, err := b.a.next()
		if err == io.EOF {
			return nil, s.perr(0, 0, secBatches, fmt.Errorf("%w: the report has no BATCH RESULTS section (only the reports of full hand counts do)", canvass.ErrMissingField))
		}
		if err != nil {
			return nil, err
		}
		if kind == arloHeader {
			err = b.header(rec)
		} else {
			err = b.data(rec)
		}
		if err != nil {
			return nil, err
		}
		if kind == arloHeader && b.a.section == secBatches {
			break
		}
	}
	if err := ar.pickContest(); err != nil {
		return nil, err
	}
	ar.unit.State = b.rep.ElectionInfo.State
	if ar.unit.State == "" {
		ar.unit.State = opts.State
	}
	ar.batch.Votes = make([]int64, len(b.rep.BatchResults.Choices))
	return ar, nil
}

// pickContest names the contest of the batch tallies. Arlo writes the tallies of one contest
// (the election's first) with that contest's choices as columns, so: the contest named in
// Options.Contest; else the only contest; else the only contest whose choices are the columns,
// preferring the targeted one among several.
func (ar *arloReader) pickContest() error {
	rep, a := ar.b.rep, ar.b.a
	if ar.opts.Contest != "" {
		for _, c := range rep.Contests {
			if canvass.NameKey(c.Name) == canvass.NameKey(ar.opts.Contest) {
				ar.contest = c.Name
				return nil
			}
		}
		return a.perr("", fmt.Errorf("%w: %q is not in the CONTESTS section", canvass.ErrUnknownContest, ar.opts.Contest))
	}
	if len(rep.Contests) == 1 {
		ar.contest = rep.Contests[0].Name
		return nil
	}
	var match []ArloContest
	for _, c := range rep.Contests {
		if sameChoices(c.TabulatedVotes, rep.BatchResults.Choices) {
			match = append(match, c)
		}
	}
	if len(match) > 1 {
		var targeted []ArloContest
		for _, c := range match {
			if c.Targeted {
				targeted = append(targeted, c)
			}
		}
		match = targeted
	}
	if len(match) != 1 {
		return a.perr("", fmt.Errorf("%w: cannot tell which of the %d contests the batch tallies are for; name it with --contest", canvass.ErrUnknownContest, len(rep.Contests)))
	}
	ar.contest = match[0].Name
	return nil
}

func sameChoices(t Tally, names []string) bool {
	if len(t) != len(names) {
		return false
	}
	for i, cv := range t {
		if canvass.NameKey(cv.Choice) != canvass.NameKey(names[i]) {
			return false
		}
	}
	return true
}

// Report returns the sections read so far: all those before BATCH RESULTS once the reader is
// open (the batches themselves are streamed, not kept).
func (ar *arloReader) Report() *ArloReport { return ar.b.rep }

func (ar *arloReader) setCloser(c io.Closer) { ar.c = c }

// Where implements Reader.
func (ar *arloReader) Where() (string, int64) { return ar.b.a.s.file, ar.cur }

// Close implements Reader.
func (ar *arloReader) Close() error {
	if ar.c != nil {
		err := ar.c.Close()
		ar.c = nil
		return err
	}
	return nil
}

// Next implements Reader: for each batch and choice, the total (Mode "") and the same count
// under the batch type as its mode.
func (ar *arloReader) Next() (*canvass.ResultRow, error) {
	if ar.err != nil {
		return nil, ar.err
	}
	for {
		if !ar.have || ar.ci == 2*len(ar.batch.Votes) {
			if err := ar.advance(); err != nil {
				ar.err = err
				return nil, err
			}
			continue
		}
		ch, mode := ar.ci/2, ar.ci%2 == 1
		ar.ci++
		n := ar.batch.Votes[ch]
		if n == NotReported || (mode && ar.batch.Type == "") {
			continue
		}
		ar.row = canvass.ResultRow{Unit: ar.unit, Contest: ar.contest, Choice: ar.b.rep.BatchResults.Choices[ch], Votes: n}
		if mode {
			ar.row.Mode = ar.batch.Type
		}
		return &ar.row, nil
	}
}

func (ar *arloReader) advance() error {
	kind, rec, err := ar.b.a.next()
	if err != nil {
		return err
	}
	if ar.b.a.section != secBatches || kind != arloData {
		// A section after BATCH RESULTS: nothing more to stream.
		return io.EOF
	}
	ar.cur = ar.b.a.t.row()
	if err := ar.b.batch(rec, &ar.batch); err != nil {
		return err
	}
	ar.unit.County, ar.unit.Precinct = ar.batch.Jurisdiction, ar.batch.Name
	ar.ci, ar.have = 0, true
	return nil
}
