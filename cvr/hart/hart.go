// Package hart reads the cast vote records of Hart InterCivic Verity: a folder (or a ZIP of
// one) of XML files, one per scanned sheet, each a <Cvr> element in the namespace
// http://tempuri.org/CVRDesign.xsd:
//
//	<Cvr>
//	  <Contests>
//	    <Contest><Name>…</Name><Id>…</Id>
//	      <Options>
//	        <Option><Name>…</Name><Id>…</Id><Value>0100</Value><WriteInData>…</WriteInData></Option>
//	      </Options>
//	    </Contest>
//	  </Contests>
//	  <BatchSequence/><SheetNumber/>
//	  <PrecinctSplit><Name>…</Name><Id>…</Id></PrecinctSplit>
//	  <BatchNumber/><CvrGuid/>
//	</Cvr>
//
// An Option lists a marked choice. Its Value has one digit per rank, left to right: "0100" is
// a mark at rank 2 of 4, "0101" marks ranks 2 and 4 (the voter ranked the choice twice), and a
// one-digit "1" is the mark of a contest that is not ranked. Unmarked choices are not listed,
// and a contest the voter left blank has no Options.
//
// The files carry no election definition, so the reader reads them twice: the first pass
// collects each contest's choices and number of ranks, the second streams the ballots.
// docs/formats/hart.md lists the fields read.
package hart

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// FormatName is the name the format is registered under.
const FormatName = "hart"

func init() {
	cvr.Register(cvr.Format{
		Name:       FormatName,
		Sniff:      Sniff,
		Open:       cvr.Opener(func(p string, opts cvr.Options) (*Reader, error) { return open(p, cvr.RankedOptions{}, opts) }),
		OpenRanked: Open,
	})
}

var (
	bom      = []byte("\xef\xbb\xbf")
	zipMagic = []byte("PK\x03\x04")
)

// Sniff reports whether path is a folder or ZIP whose first XML file (in name order) is a Hart
// <Cvr>, or is itself such a file.
func Sniff(p string, head []byte) bool {
	if len(head) > 0 && !bytes.HasPrefix(head, zipMagic) {
		return isCvr(head)
	}
	src, err := openSource(p)
	if err != nil || len(src.files) == 0 {
		if src != nil {
			src.close()
		}
		return false
	}
	defer src.close()
	f, err := src.fsys.Open(src.files[0])
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 512)
	n, _ := io.ReadFull(f, buf)
	return isCvr(buf[:n])
}

// isCvr reports whether the start of an XML file opens a <Cvr> element.
func isCvr(head []byte) bool {
	head = bytes.TrimPrefix(head, bom)
	for {
		head = bytes.TrimLeft(head, " \t\r\n")
		if !bytes.HasPrefix(head, []byte("<")) {
			return false
		}
		if bytes.HasPrefix(head, []byte("<?")) || bytes.HasPrefix(head, []byte("<!")) {
			i := bytes.IndexByte(head, '>')
			if i < 0 {
				return false
			}
			head = head[i+1:]
			continue
		}
		return bytes.HasPrefix(head, []byte("<Cvr ")) || bytes.HasPrefix(head, []byte("<Cvr>"))
	}
}

// source is the set of XML files of an export: a folder or a ZIP, read through fs.FS.
type source struct {
	fsys   fs.FS
	files  []string // the .xml files, in name order (fs.WalkDir's lexical order)
	name   string
	closer io.Closer
}

func (s *source) close() {
	if s.closer != nil {
		s.closer.Close()
	}
}

// display names a file of the source in errors.
func (s *source) display(file string) string {
	return filepath.Join(s.name, filepath.FromSlash(file))
}

func openSource(p string) (*source, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	src := &source{name: p}
	switch {
	case fi.IsDir():
		src.fsys = os.DirFS(p)
	default:
		head := make([]byte, 4)
		if f, err := os.Open(p); err == nil {
			io.ReadFull(f, head)
			f.Close()
		}
		if !bytes.Equal(head, zipMagic) {
			// One XML file: its folder is the file system, and it the only file.
			src.fsys = os.DirFS(filepath.Dir(p))
			src.files = []string{filepath.Base(p)}
			src.name = filepath.Dir(p)
			return src, nil
		}
		zr, err := zip.OpenReader(p)
		if err != nil {
			return nil, &cvr.ParseError{Format: FormatName, File: p, Err: fmt.Errorf("%w: %v", cvr.ErrWrongFormat, err)}
		}
		src.fsys, src.closer = zr, zr
	}
	err = fs.WalkDir(src.fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && strings.HasSuffix(strings.ToLower(name), ".xml") && !strings.HasPrefix(path.Base(name), ".") {
			src.files = append(src.files, name)
		}
		return nil
	})
	if err != nil {
		src.close()
		return nil, &cvr.ParseError{Format: FormatName, File: p, Err: err}
	}
	sort.Strings(src.files)
	return src, nil
}

// Open reads the Hart export at path (a folder of XML files, a ZIP of one, or one XML file).
// opts.Contest selects a contest by Id or Name; "" reads every contest. opts.Candidates, when
// given, name the selected contest's choices (in that order), each option matched by its Id or
// Name against a candidate's name and aliases; an option whose Id or Name is
// opts.UndeclaredWriteInLabel is the choice cvr.UndeclaredWriteIn. The other fields of opts
// are for spreadsheet layouts and are not used.
func Open(path string, opts cvr.RankedOptions) (cvr.Reader, error) {
	r, err := open(path, opts, cvr.Options{})
	if err != nil {
		return nil, err
	}
	return r, nil
}

var _ cvr.Reader = (*Reader)(nil)

// Reader streams the ballots of a Hart export: one ballot per file (sheet), and with a contest
// selected, one per file that holds it. It implements cvr.Reader.
type Reader struct {
	src      *source
	opts     cvr.RankedOptions
	progress func(int64)
	e        *canvass.Election
	contests map[string]*contestIndex // Contest Id → its index
	next     int                      // the next file
	file     string                   // the file of the last ballot
	n        int64                    // ballots returned
	rec      cvrFile
	b        canvass.Ballot
	err      error
}

// contestIndex maps the options of one contest to choices.
type contestIndex struct {
	index   int32
	ranked  bool
	choices map[string]int32 // option key (see optionKey) → choice
}

func open(p string, opts cvr.RankedOptions, copts cvr.Options) (*Reader, error) {
	src, err := openSource(p)
	if err != nil {
		var pe *cvr.ParseError
		if errors.As(err, &pe) {
			return nil, err
		}
		return nil, &cvr.ParseError{Format: FormatName, File: p, Err: err}
	}
	if len(src.files) == 0 {
		src.close()
		return nil, &cvr.ParseError{Format: FormatName, File: p, Err: fmt.Errorf("%w: no .xml files", cvr.ErrWrongFormat)}
	}
	r := &Reader{src: src, opts: opts, progress: copts.Progress}
	if err := r.define(); err != nil {
		src.close()
		return nil, err
	}
	return r, nil
}

// Election returns the contests and choices found in the files.
func (r *Reader) Election() *canvass.Election { return r.e }

// Where names the file of the ballot Next last returned and its 1-based number among the
// ballots returned.
func (r *Reader) Where() (string, int64) { return r.file, r.n }

// Close releases the ZIP, if any.
func (r *Reader) Close() error {
	if r.err == nil {
		r.err = errors.New("hart: reader closed")
	}
	r.src.close()
	return nil
}

// cvrFile is one file as read.
type cvrFile struct {
	guid, batch, precinct, precinctID string
	contests                          []contestRec
}

type contestRec struct {
	id, name string
	options  []optionRec
}

type optionRec struct {
	id, name, value string
	writeIn         bool // has WriteInData
}

// Field paths in errors.
const (
	fieldOption = "Cvr/Contests/Contest/Options/Option"
	fieldValue  = fieldOption + "/Value"
	fieldID     = fieldOption + "/Id"
)

// parse reads one file into c. The Hart files seen in the wild start with a byte order mark.
func (r *Reader) parse(name string, c *cvrFile) error {
	f, err := r.src.fsys.Open(name)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return err
	}
	if r.progress != nil {
		r.progress(int64(len(data)))
	}
	return parseCvr(data, c)
}

// parseCvr reads the XML of one file into c, token by token: the text of an element is
// taken at its end tag, by the path of local names that leads to it.
func parseCvr(data []byte, c *cvrFile) error {
	*c = cvrFile{contests: c.contests[:0]}
	d := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, bom)))
	var stack []string
	var text []byte
	root := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if !root {
				return fmt.Errorf("%w: no <Cvr> element", cvr.ErrWrongFormat)
			}
			return nil
		}
		if err != nil {
			line, _ := d.InputPos()
			if strings.Contains(err.Error(), "unexpected EOF") {
				return fmt.Errorf("%w: line %d: %w", cvr.ErrTruncated, line, err)
			}
			return fmt.Errorf("%w: %w", cvr.ErrSyntax, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				if t.Name.Local != "Cvr" || root {
					return fmt.Errorf("%w: the root element is <%s>, not <Cvr>", cvr.ErrWrongFormat, t.Name.Local)
				}
				root = true
			}
			stack = append(stack, t.Name.Local)
			text = text[:0]
			switch strings.Join(stack, "/") {
			case "Cvr/Contests/Contest":
				c.contests = append(c.contests, contestRec{})
			case fieldOption:
				if n := len(c.contests); n > 0 {
					c.contests[n-1].options = append(c.contests[n-1].options, optionRec{})
				}
			case fieldOption + "/WriteInData":
				if opt := c.lastOption(); opt != nil {
					opt.writeIn = true
				}
			}
		case xml.CharData:
			text = append(text, t...)
		case xml.EndElement:
			v := strings.TrimSpace(string(text))
			text = text[:0]
			switch strings.Join(stack, "/") {
			case "Cvr/CvrGuid":
				c.guid = v
			case "Cvr/BatchNumber":
				c.batch = v
			case "Cvr/PrecinctSplit/Name":
				c.precinct = v
			case "Cvr/PrecinctSplit/Id":
				c.precinctID = v
			case "Cvr/Contests/Contest/Id":
				c.contests[len(c.contests)-1].id = v
			case "Cvr/Contests/Contest/Name":
				c.contests[len(c.contests)-1].name = v
			case fieldID:
				c.lastOption().id = v
			case fieldOption + "/Name":
				c.lastOption().name = v
			case fieldValue:
				c.lastOption().value = v
			}
			stack = stack[:len(stack)-1]
		}
	}
}

func (c *cvrFile) lastOption() *optionRec {
	if n := len(c.contests); n > 0 {
		if m := len(c.contests[n-1].options); m > 0 {
			return &c.contests[n-1].options[m-1]
		}
	}
	return nil
}

// fileError is an error about one file: ParseError with the file, the 1-based file number as
// the record, and the field.
func (r *Reader) fileError(i int, field string, err error) error {
	var pe *cvr.ParseError
	if errors.As(err, &pe) {
		return err
	}
	return &cvr.ParseError{Format: FormatName, File: r.src.display(r.src.files[i]), Record: int64(i + 1), Field: field, Err: err}
}

// selected reports whether the contest is read.
func (r *Reader) selected(c *contestRec) bool {
	if r.opts.Contest == "" {
		return true
	}
	return c.id == r.opts.Contest || canvass.NameKey(c.name) == canvass.NameKey(r.opts.Contest)
}

// optionKey is how an option is known across files: its Id, else its Name.
func optionKey(o *optionRec) string {
	if o.id != "" {
		return o.id
	}
	return o.name
}

// define is the first pass: it reads every file for its contests, their options and their
// number of ranks, and builds the Election.
func (r *Reader) define() error {
	type optionSeen struct {
		key, name string
		writeIn   bool
		file      int
	}
	type contestSeen struct {
		id, name string
		ranks    int
		options  []optionSeen
		seen     map[string]bool
	}
	var order []*contestSeen
	byID := map[string]*contestSeen{}
	var c cvrFile
	for i, name := range r.src.files {
		if err := r.parse(name, &c); err != nil {
			return r.fileError(i, "", err)
		}
		for ci := range c.contests {
			cr := &c.contests[ci]
			if !r.selected(cr) {
				continue
			}
			if cr.id == "" {
				return r.fileError(i, "Cvr/Contests/Contest/Id", cvr.ErrMissingField)
			}
			cs := byID[cr.id]
			if cs == nil {
				cs = &contestSeen{id: cr.id, name: cr.name, seen: map[string]bool{}}
				byID[cr.id] = cs
				order = append(order, cs)
			}
			if cs.name == "" {
				cs.name = cr.name
			}
			for oi := range cr.options {
				o := &cr.options[oi]
				k := optionKey(o)
				if k == "" {
					return r.fileError(i, fieldID, fmt.Errorf("%w: an Option in contest %q has neither Id nor Name", cvr.ErrMissingField, cr.id))
				}
				if err := checkValue(o.value); err != nil {
					return r.fileError(i, fieldValue, fmt.Errorf("contest %q option %q: %w", cr.id, k, err))
				}
				cs.ranks = max(cs.ranks, len(o.value))
				if !cs.seen[k] {
					cs.seen[k] = true
					cs.options = append(cs.options, optionSeen{key: k, name: o.name, writeIn: o.writeIn, file: i})
				}
			}
		}
	}
	if r.opts.Contest != "" && len(order) == 0 {
		return &cvr.ParseError{Format: FormatName, File: r.src.name, Field: "Cvr/Contests/Contest/Id", Err: fmt.Errorf("%w: no file has a contest with Id or Name %q", cvr.ErrUnknownContest, r.opts.Contest)}
	}
	useCandidates := len(r.opts.Candidates) > 0 && len(order) == 1
	r.e = &canvass.Election{}
	r.contests = map[string]*contestIndex{}
	for _, cs := range order {
		c := &canvass.Contest{ID: cs.id, Name: cs.name, Type: canvass.Plurality, Seats: 1, VoteFor: 1}
		if c.Name == "" {
			c.Name = cs.id
		}
		ix := &contestIndex{index: int32(len(r.e.Contests)), choices: map[string]int32{}}
		if cs.ranks > 1 {
			// One digit per rank: a contest whose Values have several digits is ranked.
			c.Type, c.VoteFor, ix.ranked = canvass.IRV, cs.ranks, true
		}
		byName := map[string]int32{}
		if useCandidates {
			for _, cand := range r.opts.Candidates {
				ch := int32(len(c.Choices))
				id := cand.Name
				if len(cand.Aliases) > 0 {
					id = cand.Aliases[0]
				}
				c.Choices = append(c.Choices, &canvass.Choice{ID: id, Name: cand.Name})
				byName[canvass.NameKey(cand.Name)] = ch
				for _, a := range cand.Aliases {
					byName[canvass.NameKey(a)] = ch
				}
			}
		}
		uwi := int32(-1)
		for _, o := range cs.options {
			isUWI := r.opts.UndeclaredWriteInLabel != "" && (o.key == r.opts.UndeclaredWriteInLabel || o.name == r.opts.UndeclaredWriteInLabel)
			switch ch, ok := lookup(byName, o.key, o.name); {
			case isUWI:
				if uwi < 0 {
					uwi = int32(len(c.Choices))
					c.Choices = append(c.Choices, &canvass.Choice{ID: o.key, Name: cvr.UndeclaredWriteIn, WriteIn: true})
				}
				ix.choices[o.key] = uwi
			case ok:
				ix.choices[o.key] = ch
			case useCandidates:
				return r.fileError(o.file, fieldID, fmt.Errorf("%w: option %q (%q) of contest %q is none of the candidates", cvr.ErrUnknownChoice, o.key, o.name, cs.id))
			default:
				name := o.name
				if name == "" {
					name = o.key
				}
				ix.choices[o.key] = int32(len(c.Choices))
				c.Choices = append(c.Choices, &canvass.Choice{ID: o.key, Name: name, WriteIn: o.writeIn})
			}
		}
		r.contests[cs.id] = ix
		r.e.Contests = append(r.e.Contests, c)
	}
	dedupe(r.e)
	return nil
}

func lookup(byName map[string]int32, key, name string) (int32, bool) {
	if ch, ok := byName[canvass.NameKey(key)]; ok {
		return ch, true
	}
	if name != "" {
		ch, ok := byName[canvass.NameKey(name)]
		return ch, ok
	}
	return 0, false
}

// dedupe keeps contest names, and choice names within a contest, distinct (the workspace
// matches by name), appending the id to a repeated one.
func dedupe(e *canvass.Election) {
	seen := map[string]bool{}
	for _, c := range e.Contests {
		if seen[canvass.NameKey(c.Name)] {
			c.Name += " (" + c.ID + ")"
		}
		seen[canvass.NameKey(c.Name)] = true
		chs := map[string]bool{}
		for _, ch := range c.Choices {
			if chs[canvass.NameKey(ch.Name)] {
				ch.Name += " (" + ch.ID + ")"
			}
			chs[canvass.NameKey(ch.Name)] = true
		}
	}
}

// checkValue checks that an option's Value is a string of 0 and 1 digits with at least one 1.
func checkValue(v string) error {
	if v == "" {
		return fmt.Errorf("%w: empty Value", cvr.ErrMissingField)
	}
	for i := 0; i < len(v); i++ {
		if v[i] != '0' && v[i] != '1' {
			return fmt.Errorf("%w: Value %q is not a string of 0 and 1 digits (one per rank)", cvr.ErrSyntax, v)
		}
	}
	return nil
}

// Next returns the next ballot, or io.EOF after the last. The ballot is reused by the next call.
func (r *Reader) Next() (*canvass.Ballot, error) {
	if r.err != nil {
		return nil, r.err
	}
	for r.next < len(r.src.files) {
		i := r.next
		r.next++
		if err := r.parse(r.src.files[i], &r.rec); err != nil {
			r.err = r.fileError(i, "", err)
			return nil, r.err
		}
		r.b.Reset()
		if err := r.fill(i); err != nil {
			r.err = r.fileError(i, fieldValue, err)
			return nil, r.err
		}
		if r.opts.Contest != "" && len(r.b.Contests) == 0 {
			continue // a sheet without the selected contest
		}
		r.n++
		r.file = r.src.display(r.src.files[i])
		return &r.b, nil
	}
	return nil, io.EOF
}

// fill maps r.rec, the i-th file, to r.b.
func (r *Reader) fill(i int) error {
	c := &r.rec
	b := &r.b
	b.ID = c.guid
	if b.ID == "" {
		b.ID = strings.TrimSuffix(path.Base(r.src.files[i]), path.Ext(r.src.files[i]))
	}
	b.Precinct, b.Batch = c.precinct, c.batch
	for ci := range c.contests {
		cr := &c.contests[ci]
		if !r.selected(cr) {
			continue
		}
		ix, ok := r.contests[cr.id]
		if !ok {
			return fmt.Errorf("%w: contest %q was not in the files on the first reading (did they change?)", cvr.ErrUnknownContest, cr.id)
		}
		cm := b.AddContest(ix.index)
		for oi := range cr.options {
			o := &cr.options[oi]
			ch, ok := ix.choices[optionKey(o)]
			if !ok {
				return fmt.Errorf("%w: option %q of contest %q was not in the files on the first reading", cvr.ErrUnknownChoice, optionKey(o), cr.id)
			}
			if err := checkValue(o.value); err != nil {
				return err
			}
			var flags canvass.MarkFlags
			if o.writeIn || r.e.Contests[ix.index].Choices[ch].WriteIn {
				flags = canvass.WriteInMark
			}
			for k := 0; k < len(o.value); k++ {
				if o.value[k] != '1' {
					continue
				}
				rank := int32(0)
				if ix.ranked {
					rank = int32(k + 1)
				}
				cm.Marks = append(cm.Marks, canvass.Mark{Choice: ch, Rank: rank, Flags: flags})
			}
		}
	}
	return nil
}
