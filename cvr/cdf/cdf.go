// Package cdf reads cast vote records in the NIST SP 1500-103 Cast Vote Records Common Data
// Format (CDF), JSON encoding (schema NIST_V0_cast_vote_records.schema.json, version 1.0.0).
//
// One CastVoteRecordReport holds the election definition (Election objects with their Contest,
// ContestSelection and Candidate objects, GpUnit, ReportingDevice and Party) and the CVR array,
// one CVR per ballot. The reader streams the CVRs with memory flat in their number. Open maps a
// regular file into memory and scans it in place (Linux; see jsonscan.Mapping), giving the
// pages behind it back as it goes; other inputs are read through a buffer.
//
// Producers write the top-level keys in any order, and those that sort keys (RCTab) put the
// CVR array before the Election. When the definitions come first the reader streams in one
// pass. Otherwise, for a seekable input (an *os.File, a bytes.Reader), it first reads the
// whole report skipping the CVR array, then seeks back to the array and streams it. A
// non-seekable input is copied to a temporary file while this first pass reads it, which is
// then removed; the copy is abandoned as soon as the definitions turn out to precede the CVRs.
// A contest without a VoteVariation is ranked when its CVRs carry a Rank above 1, which takes a
// look at the first CVRs before the first ballot is returned (see decideAfter).
//
// docs/formats/cdf.md lists the fields read and how they map to canvass types.
package cdf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
	"github.com/canvass-vote/canvass/internal/jsonscan"
)

// FormatName is the name the format is registered under.
const FormatName = "cdf"

func init() {
	cvr.Register(cvr.Format{
		Name:  FormatName,
		Sniff: Sniff,
		Open:  cvr.Opener(Open),
	})
}

// Sniff reports whether head, the first bytes of the file at path, look like the JSON encoding
// of a CastVoteRecordReport: a JSON object that names the CastVoteRecordReport type near its
// start (the schema makes "@type" required; producers that sort keys write it first).
func Sniff(path string, head []byte) bool {
	i := 0
	if len(head) >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF {
		i = 3 // a UTF-8 byte order mark
	}
	for i < len(head) && (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r') {
		i++
	}
	if i >= len(head) || head[i] != '{' {
		return false
	}
	return bytesContains(head[i:], `"CVR.CastVoteRecordReport"`) || bytesContains(head[i:], `"CastVoteRecordReport"`)
}

func bytesContains(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return true
		}
	}
	return false
}

var _ cvr.Reader = (*Reader)(nil)

// Reader streams the ballots of one CDF JSON file. It implements cvr.Reader.
type Reader struct {
	name     string
	file     *os.File // the file Open opened (closed by Close)
	tmp      *os.File // the copy of a non-seekable input (removed by Close)
	src      io.ReadSeeker
	mapped   *jsonscan.Mapping // the file Open mapped (src is nil then)
	cur      *meter            // mapped: the meter of the scanner reading the CVRs
	tick     int64             // mapped: s offset at which Next reports progress next
	base     int64             // offset in src where the JSON text starts
	size     int64             // bytes in the JSON text, once known (-1 before)
	progress func(int64)
	reported int64 // bytes reported to progress

	s        *jsonscan.Scanner
	e        *canvass.Election
	m        *mapper
	p        *cvrParser
	rec      cvrRecord
	b        canvass.Ballot
	n        int64 // CVRs read so far
	state    readState
	sawType  bool  // the report's @type has been checked
	trailing bool  // one pass: after the CVR array, the rest of the report follows
	err      error // sticky
}

type readState uint8

const (
	stateCVRs readState = iota // inside the CVR array
	stateDone                  // io.EOF
)

// Open opens the CDF JSON file at path. opts.Progress, if set, receives the bytes read.
func Open(path string, opts cvr.Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cdf: %w", err)
	}
	m, err := jsonscan.Map(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("cdf: %w", err)
	}
	var r *Reader
	if m != nil {
		r, err = newMappedReader(m, path, opts)
	} else {
		r, err = newReader(f, path, opts)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	r.file = f
	return r, nil
}

// newMappedReader reads the report in the mapped file m, which it owns (Close unmaps it).
func newMappedReader(m *jsonscan.Mapping, name string, opts cvr.Options) (r *Reader, err error) {
	r = &Reader{name: name, size: -1, progress: opts.Progress, p: newCVRParser(), mapped: m}
	defer func() {
		if err != nil {
			r.Close()
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = r.fault(p)
		}
	}()
	return r, r.start(nil)
}

// fault returns the error for p, a panic recovered while reading: a memory fault inside the
// mapped file (which shrank while it was read) is a truncated input; anything else is a bug
// and panics again.
func (r *Reader) fault(p any) error {
	ferr := r.mapped.FaultError(p)
	if ferr == nil {
		panic(p)
	}
	return r.fail(r.n, ferr)
}

// NewReader reads a CDF JSON report from in; name names it in errors. If in is an
// io.ReadSeeker the reader seeks in it when the CVRs precede the definitions; otherwise it
// copies the input to a temporary file in that case (see the package documentation). Close
// releases the temporary file but does not close in.
func NewReader(in io.Reader, name string, opts cvr.Options) (*Reader, error) {
	return newReader(in, name, opts)
}

func newReader(in io.Reader, name string, opts cvr.Options) (*Reader, error) {
	r := &Reader{name: name, size: -1, progress: opts.Progress, p: newCVRParser()}
	if err := r.start(in); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// SetSnapshot selects which snapshot of each CVR is read (Current by default). Call it before
// the first Next.
func (r *Reader) SetSnapshot(which Snapshot) {
	if r.m != nil {
		r.m.snapshot = which
	}
}

// Election returns the election definition of the report.
func (r *Reader) Election() *canvass.Election { return r.e }

// Where names the file and the 1-based number of the CVR that Next last returned.
func (r *Reader) Where() (string, int64) { return r.name, r.n }

// Close releases the file Open opened and any temporary copy.
func (r *Reader) Close() error {
	var err error
	if r.err == nil {
		r.err = errors.New("cdf: reader closed")
	}
	if r.mapped != nil {
		// Drop every reference into the mapping before unmapping it: the record and the
		// ballot hold copies only.
		if r.s != nil {
			r.s.ResetBytes(nil)
		}
		r.cur = nil
		err = r.mapped.Close()
		r.mapped = nil
	}
	if r.file != nil {
		if cerr := r.file.Close(); err == nil {
			err = cerr
		}
		r.file = nil
	}
	if r.tmp != nil {
		r.tmp.Close()
		if rerr := os.Remove(r.tmp.Name()); err == nil {
			err = rerr
		}
		r.tmp = nil
	}
	return err
}

// Next returns the next ballot, or io.EOF after the last. The ballot is reused by the next call.
func (r *Reader) Next() (b *canvass.Ballot, err error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.state == stateDone {
		return nil, io.EOF
	}
	if r.mapped == nil {
		return r.next()
	}
	// A mapped file that shrinks while it is read faults (SIGBUS) past its new end: make that
	// a panic, and the panic an error (see jsonscan.Mapping).
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			b, err = nil, r.fault(p)
		}
	}()
	b, err = r.next()
	if err == nil && r.s.Offset() >= r.tick {
		r.advance()
	}
	return b, err
}

// progressStep is how many bytes of a mapped file Next scans between two calls to
// Options.Progress (the buffered path reports each read, of about as many bytes).
const progressStep = 1 << 20

// advance reports the bytes scanned so far to Options.Progress and lets the mapping release
// the pages behind them.
func (r *Reader) advance() {
	r.cur.flush()
	r.mapped.Release(r.cur.origin + r.s.Offset())
	r.tick = r.s.Offset() + progressStep
}

// next is Next without the fault guard.
func (r *Reader) next() (*canvass.Ballot, error) {
	more, err := r.s.NextElem()
	if err != nil {
		return nil, r.fail(r.n+1, at(fieldCVR, err))
	}
	if !more {
		if err := r.finish(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	r.n++
	if err := r.p.parseCVR(r.s, &r.rec); err != nil {
		return nil, r.fail(r.n, err)
	}
	r.b.Reset()
	if err := r.m.fill(&r.rec, r.n, &r.b); err != nil {
		return nil, r.fail(r.n, err)
	}
	return &r.b, nil
}

// finish runs after the CVR array: in one-pass mode it reads the rest of the report (to check
// its @type and that it is well formed); then it tops progress up to the input's size.
func (r *Reader) finish() error {
	if r.trailing {
		h := header{r: r, rep: newReport(), after: true}
		if err := h.rest(); err != nil {
			return r.setErr(err)
		}
	}
	r.state = stateDone
	if r.progress != nil && r.size > r.reported {
		r.progress(r.size - r.reported)
		r.reported = r.size
	}
	return nil
}

func (r *Reader) setErr(err error) error {
	r.err = err
	return err
}

// fail turns err into the final *canvass.ParseError for record rec (0: not about a CVR).
func (r *Reader) fail(rec int64, err error) error {
	return r.setErr(r.parseError(rec, err))
}

func (r *Reader) parseError(rec int64, err error) error {
	var pe *canvass.ParseError
	if errors.As(err, &pe) {
		return err
	}
	pe = &canvass.ParseError{Format: FormatName, File: r.name, Record: rec}
	var me *mapError
	var de *defError
	switch {
	case errors.As(err, &me):
		pe.Field, err = me.field, me.err
	case errors.As(err, &de):
		pe.Field, err = de.field, de.err
	}
	var se *jsonscan.SyntaxError
	switch {
	case errors.Is(err, canvass.ErrWrongFormat), errors.Is(err, canvass.ErrTruncated), errors.Is(err, canvass.ErrNotNumber):
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = fmt.Errorf("%w: %w", canvass.ErrTruncated, err)
	case errors.As(err, &se), errors.Is(err, errNotString), errors.Is(err, errNotObject), errors.Is(err, errNotArray), errors.Is(err, errNotBool):
		err = fmt.Errorf("%w: %w", canvass.ErrSyntax, err)
	}
	pe.Err = err
	return pe
}

// meter counts the bytes read from the input for Options.Progress and, for a non-seekable
// input, copies them to a temporary file while a copy may be needed. For a mapped file it
// counts the bytes its scanner s has passed instead, when flushed.
type meter struct {
	r     *Reader
	in    io.Reader
	count bool     // report bytes to progress
	copy  *os.File // copy bytes here (nil: no copy)
	n     int64    // bytes read
	werr  error

	s      *jsonscan.Scanner // mapped: the scanner whose offset is counted
	origin int64             // mapped: the offset in the file of s's input
	last   int64             // mapped: s's offset when last counted
}

// flush reports the bytes a mapped scanner passed since the last flush, if counting.
func (m *meter) flush() {
	if m.s == nil {
		return
	}
	off := m.s.Offset()
	if m.count {
		m.r.report(off - m.last)
	}
	m.last = off
}

// setCount turns counting on or off, as from the scanner's current position.
func (m *meter) setCount(on bool) {
	m.flush()
	m.count = on
}

// mappedMeter returns a scanner over the mapped file from offset origin (of the JSON text),
// reusing r.s, and its meter.
func (r *Reader) mappedMeter(origin int64, count bool) (*jsonscan.Scanner, *meter) {
	data := r.mapped.Bytes()[r.base+origin:]
	if r.s == nil {
		r.s = jsonscan.NewBytes(data)
	} else {
		r.s.ResetBytes(data)
	}
	m := &meter{r: r, count: count, s: r.s, origin: r.base + origin}
	r.cur = m
	return r.s, m
}

func (m *meter) Read(p []byte) (int, error) {
	n, err := m.in.Read(p)
	if n > 0 {
		m.n += int64(n)
		if m.copy != nil && m.werr == nil {
			_, m.werr = m.copy.Write(p[:n])
		}
		if m.count {
			m.r.report(int64(n))
		}
	}
	return n, err
}

// report passes n more bytes to progress, never beyond the input's size.
func (r *Reader) report(n int64) {
	if r.progress == nil {
		return
	}
	if r.size >= 0 && r.reported+n > r.size {
		n = r.size - r.reported
	}
	if n > 0 {
		r.reported += n
		r.progress(n)
	}
}

// start reads the definitions and positions the reader at the first CVR. A mapped reader
// passes a nil in.
func (r *Reader) start(in io.Reader) error {
	if r.mapped != nil {
		return r.startMapped()
	}
	// A UTF-8 byte order mark, which Windows tools write before JSON, is not part of the JSON
	// text (RFC 8259 section 8.1): skip it.
	var head [3]byte
	n, err := io.ReadFull(in, head[:])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return fmt.Errorf("cdf: %s: %w", r.name, err)
	}
	bom := 0
	if n == 3 && head == [3]byte{0xEF, 0xBB, 0xBF} {
		bom = 3
	}
	m := &meter{r: r, in: in, count: true}
	if rs, ok := in.(io.ReadSeeker); ok {
		r.src = rs
		pos, err := rs.Seek(0, io.SeekCurrent)
		if err != nil {
			return fmt.Errorf("cdf: %s: %w", r.name, err)
		}
		end, err := rs.Seek(0, io.SeekEnd)
		if err != nil {
			return fmt.Errorf("cdf: %s: %w", r.name, err)
		}
		start := pos - int64(n)
		r.base, r.size = start+int64(bom), end-start
		if _, err := rs.Seek(r.base, io.SeekStart); err != nil {
			return fmt.Errorf("cdf: %s: %w", r.name, err)
		}
	} else {
		if bom == 0 {
			m.in = io.MultiReader(bytes.NewReader(head[:n]), in)
		}
		f, err := os.CreateTemp("", "canvass-cdf-*.json")
		if err != nil {
			return fmt.Errorf("cdf: %s: a copy of the input is needed and could not be made: %w", r.name, err)
		}
		r.tmp = f
		m.copy = f
	}
	r.report(int64(bom))
	r.s = jsonscan.New(m)
	h := header{r: r, rep: newReport(), meter: m}
	if err := h.read(); err != nil {
		return err
	}
	return r.afterHeader(&h, m, bom)
}

// startMapped is start for a mapped file: the whole input is in memory, so seeking is slicing.
func (r *Reader) startMapped() error {
	data := r.mapped.Bytes()
	bom := 0
	if bytes.HasPrefix(data, utf8BOM) {
		bom = len(utf8BOM)
	}
	r.base, r.size = int64(bom), int64(len(data))
	r.report(int64(bom))
	_, m := r.mappedMeter(0, true)
	h := header{r: r, rep: newReport(), meter: m}
	err := h.read()
	m.flush()
	if err != nil {
		return err
	}
	return r.afterHeader(&h, m, bom)
}

// utf8BOM is the UTF-8 byte order mark.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// afterHeader positions the reader at the first CVR once the header pass h has run.
func (r *Reader) afterHeader(h *header, m *meter, bom int) error {
	if h.ranksFirst {
		// The definitions preceded the CVR array, but some contests have no VoteVariation:
		// scan the first CVRs for ranks, then stream the array from its start.
		maxRank, err := r.scanRanks(h.cvrAt, h.undeclared())
		if err != nil {
			return err
		}
		e, ix, err := buildElection(h.rep, maxRank)
		if err != nil {
			return r.fail(0, err)
		}
		r.e, r.m = e, newMapper(ix)
		return r.restart()
	}
	if h.streaming {
		// One pass: the definitions preceded the CVR array and r.s is at its first element.
		if r.tmp != nil {
			m.copy = nil
			r.tmp.Close()
			os.Remove(r.tmp.Name())
			r.tmp = nil
		}
		r.trailing = true
		return nil
	}
	if r.tmp != nil {
		if m.werr != nil {
			return fmt.Errorf("cdf: %s: copying the input to a temporary file: %w", r.name, m.werr)
		}
		m.copy = nil
		r.src, r.base, r.size = r.tmp, 0, int64(bom)+m.n
	}
	var maxRank map[string]int64
	if h.cvrAt >= 0 && h.needRanks() {
		var err error
		if maxRank, err = r.scanRanks(h.cvrAt, h.undeclared()); err != nil {
			return err
		}
	}
	e, ix, err := buildElection(h.rep, maxRank)
	if err != nil {
		return r.fail(0, err)
	}
	r.e, r.m = e, newMapper(ix)
	if h.cvrAt < 0 {
		// No CVR array: a report of definitions only.
		r.state = stateDone
		r.finish()
		return nil
	}
	// Second pass: stream the CVR array, counting its bytes for progress (the first pass
	// reported those before and after it).
	s, err := r.at(h.cvrAt, true)
	if err != nil {
		return err
	}
	if err := s.BeginArray(); err != nil {
		return r.fail(0, at("CVR", err))
	}
	r.s = s
	return nil
}

// restart reads the report again from its start up to the first CVR, skipping the
// definitions already read, so that the scanner is inside the report's object and reads the
// keys after the CVR array (r.trailing). Only the bytes from the CVR array on are reported to
// progress: the first pass reported those before.
func (r *Reader) restart() error {
	var s *jsonscan.Scanner
	var m *meter
	if r.mapped != nil {
		s, m = r.mappedMeter(0, false)
	} else {
		if _, err := r.src.Seek(r.base, io.SeekStart); err != nil {
			return fmt.Errorf("cdf: %s: %w", r.name, err)
		}
		m = &meter{r: r, in: r.src}
		s = r.scanner(m)
	}
	if err := s.BeginObject(); err != nil {
		return r.fail(0, err)
	}
	for {
		key, ok, err := s.NextKey()
		if err != nil {
			return r.fail(0, err)
		}
		if !ok {
			return r.fail(0, &mapError{"CVR", errors.New("the CVR array is gone on the second reading (did the file change?)")})
		}
		if string(key) == "CVR" {
			break
		}
		if err := s.Skip(); err != nil {
			return r.fail(0, err)
		}
	}
	m.setCount(true)
	if err := s.BeginArray(); err != nil {
		return r.fail(0, at("CVR", err))
	}
	r.s, r.trailing = s, true
	return nil
}

// at returns a scanner over the JSON text from offset off.
func (r *Reader) at(off int64, count bool) (*jsonscan.Scanner, error) {
	if r.mapped != nil {
		s, _ := r.mappedMeter(off, count)
		return s, nil
	}
	if _, err := r.src.Seek(r.base+off, io.SeekStart); err != nil {
		return nil, fmt.Errorf("cdf: %s: %w", r.name, err)
	}
	return r.scanner(&meter{r: r, in: r.src, count: count}), nil
}

// scanner returns a scanner reading in. The passes over a file run one after the other, so
// they share one scanner and its buffer.
func (r *Reader) scanner(in io.Reader) *jsonscan.Scanner {
	if r.s == nil {
		return jsonscan.New(in)
	}
	r.s.Reset(in)
	return r.s
}

// decideAfter is how many CVRs marking a contest without VoteVariation scanRanks reads before
// it calls the contest unranked. RCV voters rank a second choice on most ballots, so a ranked
// contest shows a Rank above 1 long before; and should one appear later, fill refuses it with
// an error naming the contest rather than counting it as plurality.
const decideAfter = 1000

// scanRanks reads the CVR array at off and returns, per contest @id, the largest Rank its
// marks carry. It stops once every contest in want has a rank above 1 or has been marked on
// decideAfter CVRs.
func (r *Reader) scanRanks(off int64, want map[string]bool) (map[string]int64, error) {
	s, err := r.at(off, false)
	if err != nil {
		return nil, err
	}
	if err := s.BeginArray(); err != nil {
		return nil, r.fail(0, at("CVR", err))
	}
	maxRank := map[string]int64{}
	seen := map[string]int{}
	left := len(want)
	var rec cvrRecord
	p := newCVRParser()
	for n := int64(1); left > 0; n++ {
		more, err := s.NextElem()
		if err != nil {
			return nil, r.fail(n, at(fieldCVR, err))
		}
		if !more {
			break
		}
		if err := p.parseCVR(s, &rec); err != nil {
			return nil, r.fail(n, err)
		}
		for ci := range rec.contests {
			c := &rec.contests[ci]
			id := rec.bytes(c.contestID)
			if !want[string(id)] || maxRank[string(id)] > 1 || seen[string(id)] >= decideAfter {
				continue // decided
			}
			marked := false
			for sj := c.s0; sj < c.s1; sj++ {
				sel := &rec.sels[sj]
				for pk := sel.p0; pk < sel.p1; pk++ {
					marked = true
					rank := rec.positions[pk].rank
					if rank == 0 {
						rank = sel.rank
					}
					maxRank[string(id)] = max(maxRank[string(id)], rank)
				}
			}
			if marked {
				seen[string(id)]++
			}
			if maxRank[string(id)] > 1 || seen[string(id)] >= decideAfter {
				left--
			}
		}
	}
	return maxRank, nil
}

// header reads the top level of the report.
type header struct {
	r     *Reader
	rep   *report
	meter *meter
	after bool // reading the keys after the CVR array in one-pass mode

	sawElection, sawGpUnit, sawDevice, sawCVR bool
	streaming                                 bool  // stopped at the first CVR, one pass
	ranksFirst                                bool  // stopped at the CVR array to scan it for ranks
	cvrAt                                     int64 // offset of the CVR array for a second pass; -1 if none
}

// read reads the report's top-level object until the CVR array, if it can be streamed at
// once, or to the end.
func (h *header) read() error {
	h.cvrAt = -1
	s := h.r.s
	k, err := s.Peek()
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) && s.Offset() == 0 {
			return h.r.fail(0, fmt.Errorf("%w: the file is empty", canvass.ErrTruncated))
		}
		var se *jsonscan.SyntaxError
		if errors.As(err, &se) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return h.r.fail(0, fmt.Errorf("%w: not JSON (%w)", canvass.ErrWrongFormat, err))
		}
		return h.r.fail(0, err)
	}
	if k != jsonscan.Object {
		return h.r.fail(0, fmt.Errorf("%w: the JSON text is %s %s, not a CastVoteRecordReport object", canvass.ErrWrongFormat, article(k), k))
	}
	if err := s.BeginObject(); err != nil {
		return h.r.fail(0, err)
	}
	return h.rest()
}

func article(k jsonscan.Kind) string {
	if k == jsonscan.Object || k == jsonscan.Array {
		return "an"
	}
	return "a"
}

// rest reads top-level keys until the end of the report (or, on the first pass, until a CVR
// array that can be streamed now).
func (h *header) rest() error {
	s, r := h.r.s, h.r
	for {
		key, ok, err := s.NextKey()
		if err != nil {
			return r.fail(0, err)
		}
		if !ok {
			break
		}
		var f string
		switch string(key) {
		case "@type":
			f = "@type"
			var t string
			if t, err = str(s); err == nil {
				if t != "CVR.CastVoteRecordReport" && t != "CastVoteRecordReport" {
					return r.fail(0, &mapError{"@type", fmt.Errorf("%w: @type is %q, not CVR.CastVoteRecordReport", canvass.ErrWrongFormat, t)})
				}
				r.sawType = true
			}
		case "CVR":
			f = "CVR"
			if h.after {
				err = s.Skip() // cannot happen twice in valid JSON of the schema; ignore a duplicate
				break
			}
			h.sawCVR = true
			defined := h.sawElection && h.sawGpUnit && h.sawDevice
			if defined && len(h.undeclared()) > 0 && h.meter != nil && h.meter.copy == nil {
				// Seekable, definitions first, but ranks to look at: the caller scans the
				// first CVRs for ranks, then seeks back here and streams.
				h.cvrAt, h.ranksFirst = s.Offset(), true
				return nil
			}
			if defined && len(h.undeclared()) == 0 {
				e, ix, err := buildElection(h.rep, nil)
				if err != nil {
					return r.fail(0, err)
				}
				r.e, r.m = e, newMapper(ix)
				if err := s.BeginArray(); err != nil {
					return r.fail(0, at("CVR", err))
				}
				h.streaming = true
				return nil
			}
			h.cvrAt = s.Offset()
			if h.meter != nil {
				// The second pass reports the CVR array's bytes.
				h.meter.setCount(false)
			}
			if err = s.Skip(); err == nil && h.meter != nil {
				h.meter.setCount(true)
			}
		case "Election":
			f = "Election"
			h.sawElection = true
			err = parseElections(s, h.rep)
		case "GpUnit":
			f = "GpUnit"
			h.sawGpUnit = true
			err = parseUnits(s, "GpUnit[]", h.rep.gpUnits, "Name")
		case "ReportingDevice":
			f = "ReportingDevice"
			h.sawDevice = true
			err = parseUnits(s, "ReportingDevice[]", h.rep.devices, "SerialNumber")
		case "Party":
			f = "Party"
			err = parseUnits(s, "Party[]", h.rep.parties, "Name", "Abbreviation")
		default:
			err = s.Skip()
		}
		if err != nil {
			return r.fail(0, at(f, err))
		}
	}
	if err := s.End(); err != nil {
		return r.fail(0, err)
	}
	if !r.sawType && !h.after && !h.sawElection && !h.sawCVR {
		return r.fail(0, fmt.Errorf("%w: a JSON object without @type CVR.CastVoteRecordReport, Election or CVR", canvass.ErrWrongFormat))
	}
	if !h.after && !h.sawElection {
		return r.fail(0, &mapError{"Election", fmt.Errorf("%w: the report has no Election, so its contests are unknown", canvass.ErrMissingField)})
	}
	return nil
}

// undeclared returns the @ids of contests without a VoteVariation.
func (h *header) undeclared() map[string]bool {
	var ids map[string]bool
	for _, el := range h.rep.elections {
		for i := range el.contests {
			if _, rk, err := el.contests[i].variation(); err == nil && rk == undeclared {
				if ids == nil {
					ids = map[string]bool{}
				}
				ids[el.contests[i].id] = true
			}
		}
	}
	return ids
}

func (h *header) needRanks() bool { return len(h.undeclared()) > 0 }
