// Package dominion reads the cast vote record export of Dominion Democracy Suite (the JSON
// "CVR export" of Results Tally and Reporting): CvrExport.json or many CvrExport_N.json files
// with their manifests (ContestManifest.json, CandidateManifest.json, ...), in a folder or a
// ZIP. The format is described in docs/formats/dominion.md.
//
// The reader streams: it holds one session at a time, reads ZIP entries in place, maps files of
// a folder into memory and scans them there (Linux), and parses the JSON with
// internal/jsonscan, so that memory is flat in the number of ballots and one core reads well
// over 500,000 ballots a second.
//
// Importing the package registers the format "dominion" with package cvr.
package dominion

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
	"github.com/canvass-vote/canvass/internal/jsonscan"
)

const formatName = "dominion"

func init() {
	cvr.Register(cvr.Format{
		Name:  formatName,
		Sniff: sniff,
		Open:  cvr.Opener(Open),
	})
}

// Reader reads the ballots of one Dominion export. It implements cvr.Reader.
type Reader struct {
	src  *source
	man  *manifests
	opts cvr.Options

	next       int    // index in src.files of the next file to open
	file       string // the current file, as named in errors
	f          io.ReadCloser
	br         *bufio.Reader // strips a byte order mark
	sc         *jsonscan.Scanner
	mapped     *jsonscan.Mapping // the current file, when sc scans it in place
	mapSkip    int64             // bytes of the mapped file before sc's input (a byte order mark)
	reported   int64             // bytes of the mapped file passed to opts.Progress
	tick       int64             // sc offset at which to report progress and release memory next
	inSessions bool              // sc is inside a Sessions array
	rec        int64             // 1-based number of the current session in file
	err        error             // sticky

	b    canvass.Ballot
	in   [2]interp // the Original and Modified interpretations of the current session
	raw  []int64   // CandidateId of each mark of the contest being read
	seen []uint32  // by contest index: the generation in which the contest was last added
	at   []int32   // by contest index: its entry in the interpretation being read
	gen  uint32

	keys      keySets
	ids       cvr.IDArena
	idScratch []byte
	batches   map[[2]int64]string
	lastBatch [2]int64
	lastName  string
}

// Interpretations of a session (Dominion: Original is the scan, Modified the adjudication).
const (
	original = 0
	modified = 1
)

var (
	interpNames = [2]string{"Original", "Modified"}
	// Field paths, made once: building them per session would allocate.
	interpFields = [2]string{"Sessions[].Original", "Sessions[].Modified"}
	cardFields   = [2]string{"Sessions[].Original.Cards[]", "Sessions[].Modified.Cards[]"}
)

// interp is one interpretation of a session as read, before the reader picks one.
type interp struct {
	present  bool
	current  int8 // IsCurrent: -1 absent, 0 false, 1 true
	cards    bool // contests came under Cards (for error paths)
	hasPP    bool
	hasPrec  bool
	hasBT    bool
	portion  int64 // PrecinctPortionId
	precinct int64 // PrecinctId (older exports)
	btype    int64 // BallotTypeId
	contests []canvass.ContestMarks
}

func (ip *interp) reset() {
	ip.present, ip.current, ip.cards = false, -1, false
	ip.hasPP, ip.hasPrec, ip.hasBT = false, false, false
	ip.contests = ip.contests[:0]
}

// add appends a contest entry, reusing the mark slice an earlier session left there.
func (ip *interp) add() *canvass.ContestMarks {
	n := len(ip.contests)
	if n < cap(ip.contests) {
		ip.contests = ip.contests[:n+1]
	} else {
		ip.contests = append(ip.contests, canvass.ContestMarks{})
	}
	cm := &ip.contests[n]
	cm.Marks, cm.Overvoted = cm.Marks[:0], false
	return cm
}

// path is the field path of the contests of interpretation k, for errors.
func (ip *interp) path(k int) string {
	if ip.cards {
		return "Sessions[]." + interpNames[k] + ".Cards[].Contests[]"
	}
	return "Sessions[]." + interpNames[k] + ".Contests[]"
}

// Open reads the manifests of the Dominion export at path (a folder, a ZIP, or one
// CvrExport*.json file whose folder holds the manifests) and opens its first CvrExport file.
func Open(path string, opts cvr.Options) (*Reader, error) {
	src, err := openSource(path)
	if err != nil {
		return nil, err
	}
	return newReader(src, opts)
}

// newReader reads the manifests of src and opens its first CvrExport file.
func newReader(src *source, opts cvr.Options) (*Reader, error) {
	man, err := loadManifests(src.fsys, src.dir, src.name, opts)
	if err != nil {
		src.close()
		return nil, err
	}
	return readerFor(src, man, opts)
}

// readerFor opens the first CvrExport file of src with the manifests already read.
func readerFor(src *source, man *manifests, opts cvr.Options) (*Reader, error) {
	n := len(man.election.Contests)
	r := &Reader{
		src:       src,
		man:       man,
		opts:      opts,
		seen:      make([]uint32, n),
		at:        make([]int32, n),
		batches:   map[[2]int64]string{},
		br:        bufio.NewReaderSize(nil, 16),
		sc:        jsonscan.New(nil),
		keys:      newKeySets(),
		lastBatch: [2]int64{-1, -1},
	}
	if err := r.openFirst(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// openFirst is openNext for the first file, guarded like Next against a mapped file that
// shrinks.
func (r *Reader) openFirst() (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = r.fault(p)
		}
	}()
	return r.openNext()
}

func (s *source) close() error {
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}

// Election returns the election defined by the manifests.
func (r *Reader) Election() *canvass.Election { return r.man.election }

// Where returns the CvrExport file and the 1-based number, in that file, of the session Next
// last returned.
func (r *Reader) Where() (file string, record int64) { return r.file, r.rec }

// Close closes the open file and the ZIP, if any.
func (r *Reader) Close() error {
	var err error
	r.unmap()
	if r.f != nil {
		err = r.f.Close()
		r.f = nil
	}
	if cerr := r.src.close(); err == nil {
		err = cerr
	}
	r.src.closer = nil
	if r.err == nil {
		r.err = errors.New("dominion: reader closed")
	}
	return err
}

// Next returns the next session as a ballot, or io.EOF after the last session of the last
// file. The ballot is reused by the following call.
func (r *Reader) Next() (b *canvass.Ballot, err error) {
	if r.err != nil {
		return nil, r.err
	}
	// A file that shrinks while it is mapped faults (SIGBUS) when the pages past its new end
	// are read: make that a panic, and the panic an error (see jsonscan.Mapping).
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			b, err = nil, r.fault(p)
		}
	}()
	return r.nextSession()
}

// fault returns the error for p, a panic recovered while reading: a memory fault inside the
// mapped file is a truncated input; anything else is a bug and panics again.
func (r *Reader) fault(p any) error {
	ferr := r.mapped.FaultError(p)
	if ferr == nil {
		panic(p)
	}
	r.err = r.perr("", ferr)
	return r.err
}

// nextSession is Next without the fault guard.
func (r *Reader) nextSession() (*canvass.Ballot, error) {
	for {
		if !r.inSessions {
			if r.next >= len(r.src.files) {
				r.err = io.EOF
				return nil, io.EOF
			}
			if err := r.openNext(); err != nil {
				r.err = err
				return nil, err
			}
		}
		ok, err := r.sc.NextElem()
		if err != nil {
			r.err = r.perr("Sessions", err)
			return nil, r.err
		}
		if ok {
			r.rec++
			if err := r.session(); err != nil {
				r.err = err
				return nil, err
			}
			if r.mapped != nil && r.sc.Offset() >= r.tick {
				r.advance()
			}
			return &r.b, nil
		}
		if err := r.finishFile(); err != nil {
			r.err = err
			return nil, err
		}
	}
}

// openNext opens the next CvrExport file and reads up to the start of its Sessions array.
func (r *Reader) openNext() error {
	name := r.src.files[r.next]
	r.next++
	r.file, r.rec = r.src.display(name), 0
	f, err := r.src.fsys.Open(name)
	if err != nil {
		return &cvr.ParseError{Format: formatName, File: r.file, Err: err}
	}
	r.f = f
	var m *jsonscan.Mapping
	if osf, ok := f.(*os.File); ok {
		if m, err = jsonscan.Map(osf); err != nil {
			return &cvr.ParseError{Format: formatName, File: r.file, Err: err}
		}
	}
	if m != nil {
		// A file of a folder: scan it in place rather than copy it through a buffer.
		data := m.Bytes()
		r.mapped, r.mapSkip, r.reported, r.tick = m, 0, 0, progressStep
		if bytes.HasPrefix(data, bom) {
			data, r.mapSkip = data[len(bom):], int64(len(bom))
		}
		r.sc.ResetBytes(data)
	} else {
		r.br.Reset(cvr.Counting(f, r.opts.Progress))
		if head, _ := r.br.Peek(len(bom)); string(head) == string(bom) {
			_, _ = r.br.Discard(len(bom))
		}
		r.sc.Reset(r.br)
	}
	sc := r.sc
	k, err := sc.Peek()
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return r.perr("", err)
	case err != nil || k != jsonscan.Object:
		return &cvr.ParseError{Format: formatName, File: r.file, Err: fmt.Errorf("%w: not a Dominion CVR export (it does not start with a JSON object)", cvr.ErrWrongFormat)}
	}
	if err := sc.BeginObject(); err != nil {
		return r.perr("", err)
	}
	for {
		i, ok, err := sc.NextKeyIndex(r.keys.top)
		if err != nil {
			return r.perr("", err)
		}
		if !ok {
			return &cvr.ParseError{Format: formatName, File: r.file, Field: "Sessions",
				Err: fmt.Errorf("%w: not a Dominion CVR export (no Sessions)", cvr.ErrWrongFormat)}
		}
		switch i {
		case kSessions:
			if err := sc.BeginArray(); err != nil {
				return r.perr("Sessions", err)
			}
			r.inSessions = true
			return nil
		case kElectionID:
			id, err := sc.String()
			if err != nil {
				return r.perr("ElectionId", err)
			}
			if r.man.election.Name == "" {
				r.man.election.Name = string(id)
			}
		default:
			if err := sc.Skip(); err != nil {
				return r.perr(sub("", topKeys, i), err)
			}
		}
	}
}

// finishFile reads what follows the Sessions array, checks the file ends there and closes it.
func (r *Reader) finishFile() error {
	r.inSessions = false
	sc := r.sc
	for {
		i, ok, err := sc.NextKeyIndex(r.keys.top)
		if err != nil {
			return r.fileErr("", err)
		}
		if !ok {
			break
		}
		if err := sc.Skip(); err != nil {
			return r.fileErr(sub("", topKeys, i), err)
		}
	}
	if err := sc.End(); err != nil {
		return r.fileErr("", err)
	}
	if r.mapped != nil {
		if r.opts.Progress != nil {
			if n := int64(len(r.mapped.Bytes())) - r.reported; n > 0 {
				r.opts.Progress(n)
			}
		}
		r.unmap()
	}
	err := r.f.Close()
	r.f = nil
	if err != nil {
		return &cvr.ParseError{Format: formatName, File: r.file, Err: err}
	}
	return nil
}

// progressStep is how many bytes of a mapped file the reader scans between two calls to
// opts.Progress (the buffered path reports each read of the file, of about as many bytes).
const progressStep = 1 << 20

// advance reports the bytes of the mapped file scanned so far to opts.Progress and lets the
// mapping release the pages behind them.
func (r *Reader) advance() {
	off := r.sc.Offset()
	done := r.mapSkip + off
	if r.opts.Progress != nil && done > r.reported {
		r.opts.Progress(done - r.reported)
	}
	r.reported = done
	r.mapped.Release(done)
	r.tick = off + progressStep
}

// unmap drops the scanner's reference to the mapped file, then unmaps it: nothing the reader
// keeps points into it (ballot ids are formatted from numbers, names come from the manifests).
func (r *Reader) unmap() {
	if r.mapped == nil {
		return
	}
	r.sc.ResetBytes(nil)
	r.mapped.Close()
	r.mapped = nil
}

// fileErr is perr for the parts of a file outside any session.
func (r *Reader) fileErr(field string, err error) error {
	r.rec = 0
	return r.perr(field, err)
}

// perr wraps an error of the scanner or the reader in a ParseError naming the file, the
// session and the field, with the sentinel error that classifies it.
func (r *Reader) perr(field string, err error) error {
	var pe *cvr.ParseError
	if errors.As(err, &pe) {
		return err
	}
	var se *jsonscan.SyntaxError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = fmt.Errorf("%w: %v", cvr.ErrTruncated, err)
	case errors.As(err, &se):
		err = fmt.Errorf("%w: %v", cvr.ErrSyntax, err)
	default:
		err = fmt.Errorf("read: %w", err)
	}
	return &cvr.ParseError{Format: formatName, File: r.file, Record: r.rec, Field: field, Err: err}
}

// valErr is perr for the value of a field; isInt says the field must be an integer, so that a
// value of another kind is reported as ErrNotNumber.
func (r *Reader) valErr(field string, isInt bool, err error) error {
	if isInt && errors.Is(err, jsonscan.ErrMismatch) {
		err = fmt.Errorf("%w: %v", cvr.ErrNotNumber, err)
		return &cvr.ParseError{Format: formatName, File: r.file, Record: r.rec, Field: field, Err: err}
	}
	return r.perr(field, err)
}

// fieldErr is a ParseError about a field of the current session.
func (r *Reader) fieldErr(field string, err error) error {
	return &cvr.ParseError{Format: formatName, File: r.file, Record: r.rec, Field: field, Err: err}
}

// The keys of each kind of object of a CvrExport file, in the order the exports write them
// (jsonscan.Keys predicts that order). Keys the reader does not use are listed too, so that
// skipping them costs no miss.
var (
	topKeys     = []string{"Version", "ElectionId", "Sessions"}
	sessionKeys = []string{"TabulatorId", "BatchId", "RecordId", "CountingGroupId", "ImageMask", "SessionType",
		"VotingSessionIdentifier", "UniqueVotingIdentifier", "Original", "Modified"}
	interpKeys  = []string{"PrecinctPortionId", "BallotTypeId", "IsCurrent", "Cards", "Contests", "PrecinctId"}
	cardKeys    = []string{"Id", "KeyInId", "PaperIndex", "Contests", "OutstackConditionIds"}
	contestKeys = []string{"Id", "ManifestationId", "Undervotes", "Overvotes", "OutstackConditionIds", "Marks"}
	markKeys    = []string{"CandidateId", "ManifestationId", "PartyId", "Rank", "MarkDensity", "IsAmbiguous", "IsVote",
		"OutstackConditionIds", "WriteinIndex", "WriteinDensity"}
)

// Indices into the key lists above.
const (
	kElectionID = 1
	kSessions   = 2

	kTabulatorID     = 0
	kBatchID         = 1
	kRecordID        = 2
	kCountingGroupID = 3
	kOriginal        = 8
	kModified        = 9

	kPrecinctPortionID = 0
	kBallotTypeID      = 1
	kIsCurrent         = 2
	kCards             = 3
	kInterpContests    = 4
	kPrecinctID        = 5

	kCardContests = 3

	kContestID = 0
	kOvervotes = 3
	kMarks     = 5

	kCandidateID = 0
	kRank        = 3
	kIsAmbiguous = 5
	kIsVote      = 6
)

// keySets holds a reader's jsonscan.Keys (each keeps its own prediction).
type keySets struct {
	top, session, interp, card, contest, mark *jsonscan.Keys
}

// newKeySets makes the key sets. The keys the reader skips are marked with Ignore, so that
// the scanner passes over their values itself (the reader still skips those it returns).
func newKeySets() keySets {
	return keySets{
		top:     jsonscan.NewKeys(topKeys...).Ignore("Version"),
		session: jsonscan.NewKeys(sessionKeys...).Ignore("ImageMask", "SessionType", "VotingSessionIdentifier", "UniqueVotingIdentifier"),
		interp:  jsonscan.NewKeys(interpKeys...),
		card:    jsonscan.NewKeys(cardKeys...).Ignore("Id", "KeyInId", "PaperIndex", "OutstackConditionIds"),
		contest: jsonscan.NewKeys(contestKeys...).Ignore("ManifestationId", "Undervotes", "OutstackConditionIds"),
		mark:    jsonscan.NewKeys(markKeys...).Ignore("ManifestationId", "PartyId", "MarkDensity", "OutstackConditionIds", "WriteinIndex", "WriteinDensity"),
	}
}

// sub names the field of key index i of keys under path, for errors.
func sub(path string, keys []string, i int) string {
	switch {
	case i < 0:
		return path
	case path == "":
		return keys[i]
	}
	return path + "." + keys[i]
}

// session reads one element of Sessions into r.b.
func (r *Reader) session() error {
	sc := r.sc
	const field = "Sessions[]"
	if err := sc.BeginObject(); err != nil {
		return r.perr(field, err)
	}
	r.in[original].reset()
	r.in[modified].reset()
	var tab, batch, rec, group int64
	var hasTab, hasBatch, hasRec, hasGroup bool
	for {
		i, ok, err := sc.NextKeyIndex(r.keys.session)
		if err != nil {
			return r.perr(field, err)
		}
		if !ok {
			break
		}
		switch i {
		case kTabulatorID:
			tab, err = sc.Int()
			hasTab = true
		case kBatchID:
			batch, err = sc.Int()
			hasBatch = true
		case kRecordID:
			rec, err = sc.Int()
			hasRec = true
		case kCountingGroupID:
			group, err = sc.Int()
			hasGroup = true
		case kOriginal:
			if err := r.interpretation(original); err != nil {
				return err
			}
		case kModified:
			if err := r.interpretation(modified); err != nil {
				return err
			}
		default:
			err = sc.Skip()
		}
		if err != nil {
			return r.valErr(sub(field, sessionKeys, i), i <= kCountingGroupID, err)
		}
	}
	switch {
	case !hasTab:
		return r.fieldErr("Sessions[].TabulatorId", cvr.ErrMissingField)
	case !hasBatch:
		return r.fieldErr("Sessions[].BatchId", cvr.ErrMissingField)
	case !hasRec:
		return r.fieldErr("Sessions[].RecordId", cvr.ErrMissingField)
	}

	// The Modified interpretation (adjudication) replaces the Original, unless the export
	// marks it as not current while the Original is.
	orig, mod := &r.in[original], &r.in[modified]
	ip := mod
	switch {
	case !orig.present && !mod.present:
		return r.fieldErr("Sessions[].Original", cvr.ErrMissingField)
	case !mod.present, mod.current == 0 && orig.current == 1:
		ip = orig
	}

	b := &r.b
	b.Contests, ip.contests = ip.contests, b.Contests[:0]
	b.ID = r.ballotID(tab, batch, rec)
	b.Tabulator = r.man.tabulators.name(tab)
	b.Batch = r.batchName(tab, batch)
	b.CountingGroup = ""
	if hasGroup {
		b.CountingGroup = r.man.countingGroups.name(group)
	}
	other := orig
	if ip == orig {
		other = mod
	}
	switch {
	case ip.hasPP:
		b.Precinct = r.man.precinctPortions.name(ip.portion)
	case ip.hasPrec:
		b.Precinct = r.man.precincts.name(ip.precinct)
	case other.hasPP:
		b.Precinct = r.man.precinctPortions.name(other.portion)
	case other.hasPrec:
		b.Precinct = r.man.precincts.name(other.precinct)
	default:
		b.Precinct = ""
	}
	switch {
	case ip.hasBT:
		b.BallotType = r.man.ballotTypes.name(ip.btype)
	case other.hasBT:
		b.BallotType = r.man.ballotTypes.name(other.btype)
	default:
		b.BallotType = ""
	}
	return nil
}

// batchName returns "TabulatorId-BatchId", made once per batch.
func (r *Reader) batchName(tab, batch int64) string {
	k := [2]int64{tab, batch}
	if k == r.lastBatch {
		return r.lastName
	}
	s, ok := r.batches[k]
	if !ok {
		s = strconv.FormatInt(tab, 10) + "-" + strconv.FormatInt(batch, 10)
		if len(r.batches) < 1<<20 {
			r.batches[k] = s
		}
	}
	r.lastBatch, r.lastName = k, s
	return s
}

// interpretation reads Original or Modified into r.in[k].
func (r *Reader) interpretation(k int) error {
	sc := r.sc
	ip := &r.in[k]
	field := interpFields[k]
	if ip.present {
		return r.fieldErr(field, fmt.Errorf("%w: %s given twice", cvr.ErrSyntax, interpNames[k]))
	}
	ip.present = true
	r.gen++
	if r.gen == 0 {
		// The generation counter wrapped: forget every earlier generation.
		clear(r.seen)
		r.gen = 1
	}
	var flags canvass.MarkFlags
	if k == modified {
		flags = canvass.Adjudicated
	}
	if err := sc.BeginObject(); err != nil {
		return r.perr(field, err)
	}
	for {
		i, ok, err := sc.NextKeyIndex(r.keys.interp)
		if err != nil {
			return r.perr(field, err)
		}
		if !ok {
			return nil
		}
		switch i {
		case kPrecinctPortionID:
			ip.portion, err = sc.Int()
			ip.hasPP = true
		case kPrecinctID:
			ip.precinct, err = sc.Int()
			ip.hasPrec = true
		case kBallotTypeID:
			ip.btype, err = sc.Int()
			ip.hasBT = true
		case kIsCurrent:
			var cur bool
			cur, err = sc.Bool()
			ip.current = 0
			if cur {
				ip.current = 1
			}
		case kCards:
			// Exports since 5.x list the sheets of a ballot under Cards, each with its
			// contests; a ballot of several sheets is one session.
			ip.cards = true
			if err := sc.BeginArray(); err != nil {
				return r.perr(field+".Cards", err)
			}
			for {
				ok, err := sc.NextElem()
				if err != nil {
					return r.perr(field+".Cards", err)
				}
				if !ok {
					break
				}
				if err := r.card(k, flags); err != nil {
					return err
				}
			}
		case kInterpContests:
			// Older exports put the contests directly in the interpretation.
			if err := r.contests(k, flags); err != nil {
				return err
			}
		default:
			err = sc.Skip()
		}
		if err != nil {
			return r.valErr(sub(field, interpKeys, i), i != kIsCurrent, err)
		}
	}
}

// card reads one element of Cards.
func (r *Reader) card(k int, flags canvass.MarkFlags) error {
	sc := r.sc
	field := cardFields[k]
	if err := sc.BeginObject(); err != nil {
		return r.perr(field, err)
	}
	for {
		i, ok, err := sc.NextKeyIndex(r.keys.card)
		if err != nil {
			return r.perr(field, err)
		}
		if !ok {
			return nil
		}
		if i == kCardContests {
			if err := r.contests(k, flags); err != nil {
				return err
			}
			continue
		}
		if err := sc.Skip(); err != nil {
			return r.perr(sub(field, cardKeys, i), err)
		}
	}
}

// contests reads a Contests array into r.in[k].
func (r *Reader) contests(k int, flags canvass.MarkFlags) error {
	sc := r.sc
	if err := sc.BeginArray(); err != nil {
		return r.perr(r.in[k].path(k), err)
	}
	for {
		ok, err := sc.NextElem()
		if err != nil {
			return r.perr(r.in[k].path(k), err)
		}
		if !ok {
			return nil
		}
		if err := r.contest(k, flags); err != nil {
			return err
		}
	}
}

// contest reads one contest of a card: its Id, Overvotes and Marks. The marks are kept with
// their CandidateId and resolved when the contest is complete, so that the order of the keys
// does not matter.
func (r *Reader) contest(k int, flags canvass.MarkFlags) error {
	sc := r.sc
	ip := &r.in[k]
	if err := sc.BeginObject(); err != nil {
		return r.perr(ip.path(k), err)
	}
	cm := ip.add()
	raw := r.raw[:0]
	var id, over int64
	hasID := false
	for {
		i, ok, err := sc.NextKeyIndex(r.keys.contest)
		if err != nil {
			return r.perr(ip.path(k), err)
		}
		if !ok {
			break
		}
		switch i {
		case kContestID:
			id, err = sc.Int()
			hasID = true
		case kOvervotes:
			over, err = sc.Int()
		case kMarks:
			if err := sc.BeginArray(); err != nil {
				return r.perr(ip.path(k)+".Marks", err)
			}
			for {
				ok, err := sc.NextElem()
				if err != nil {
					return r.perr(ip.path(k)+".Marks", err)
				}
				if !ok {
					break
				}
				if raw, err = r.mark(k, cm, raw, flags); err != nil {
					return err
				}
			}
		default:
			err = sc.Skip()
		}
		if err != nil {
			return r.valErr(sub(ip.path(k), contestKeys, i), i == kContestID || i == kOvervotes, err)
		}
	}
	r.raw = raw
	if !hasID {
		return r.fieldErr(ip.path(k)+".Id", cvr.ErrMissingField)
	}
	ci := r.man.contests.get(id)
	if ci < 0 {
		return r.fieldErr(ip.path(k)+".Id", fmt.Errorf("%w: contest %d is not in %s", cvr.ErrUnknownContest, id, contestManifest))
	}
	cm.Contest, cm.Overvoted = ci, over > 0
	ranked := r.man.ranked[ci]
	for i := range cm.Marks {
		m := &cm.Marks[i]
		ci2 := r.man.candIdx.get(raw[i])
		if ci2 < 0 {
			return r.fieldErr(ip.path(k)+".Marks[].CandidateId", fmt.Errorf("%w: mark %d: candidate %d is not in %s", cvr.ErrUnknownChoice, i+1, raw[i], candidateManifest))
		}
		c := &r.man.cands[ci2]
		if c.contest != ci {
			return r.fieldErr(ip.path(k)+".Marks[].CandidateId", fmt.Errorf("%w: mark %d: candidate %d belongs to contest %s, not to contest %d", cvr.ErrUnknownChoice, i+1, raw[i], r.man.election.Contests[c.contest].ID, id))
		}
		m.Choice = c.choice
		m.Flags |= c.flags
		if !ranked {
			m.Rank = 0
		} else if m.Rank < 1 || int(m.Rank) > r.man.election.Contests[ci].VoteFor {
			return r.fieldErr(ip.path(k)+".Marks[].Rank", fmt.Errorf("%w: mark %d: rank %d outside 1..%d", cvr.ErrSyntax, i+1, m.Rank, r.man.election.Contests[ci].VoteFor))
		}
	}
	// A contest listed twice in one interpretation (on two cards) becomes one entry.
	if r.seen[ci] == r.gen {
		prev := &ip.contests[r.at[ci]]
		prev.Marks = append(prev.Marks, cm.Marks...)
		prev.Overvoted = prev.Overvoted || cm.Overvoted
		ip.contests = ip.contests[:len(ip.contests)-1]
		return nil
	}
	r.seen[ci], r.at[ci] = r.gen, int32(len(ip.contests)-1)
	return nil
}

// mark reads one element of Marks, appends it to cm with its flags and its CandidateId to raw.
func (r *Reader) mark(k int, cm *canvass.ContestMarks, raw []int64, flags canvass.MarkFlags) ([]int64, error) {
	sc := r.sc
	if err := sc.BeginObject(); err != nil {
		return raw, r.perr(r.in[k].path(k)+".Marks[]", err)
	}
	var cand, rank int64
	hasCand := false
	for {
		i, ok, err := sc.NextKeyIndex(r.keys.mark)
		if err != nil {
			return raw, r.perr(r.in[k].path(k)+".Marks[]", err)
		}
		if !ok {
			break
		}
		switch i {
		case kCandidateID:
			cand, err = sc.Int()
			hasCand = true
		case kRank:
			rank, err = sc.Int()
			if err == nil && (rank < -1<<31 || rank > 1<<31-1) {
				return raw, r.fieldErr(r.in[k].path(k)+".Marks[].Rank", fmt.Errorf("%w: rank %d out of range", cvr.ErrSyntax, rank))
			}
		case kIsAmbiguous:
			var amb bool
			if amb, err = sc.Bool(); amb {
				flags |= canvass.Ambiguous
			}
		case kIsVote:
			vote := true
			if vote, err = sc.Bool(); err == nil && !vote {
				flags |= canvass.NotCounted
			}
		default:
			err = sc.Skip()
		}
		if err != nil {
			return raw, r.valErr(sub(r.in[k].path(k)+".Marks[]", markKeys, i), i == kCandidateID || i == kRank, err)
		}
	}
	if !hasCand {
		return raw, r.fieldErr(r.in[k].path(k)+".Marks[].CandidateId", cvr.ErrMissingField)
	}
	cm.Marks = append(cm.Marks, canvass.Mark{Rank: int32(rank), Flags: flags})
	return append(raw, cand), nil
}

// ballotID formats "TabulatorId-BatchId-RecordId" into scratch and interns it in the arena.
func (r *Reader) ballotID(tab, batch, rec int64) string {
	b := strconv.AppendInt(r.idScratch[:0], tab, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, batch, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, rec, 10)
	r.idScratch = b
	return r.ids.String(b)
}
