package ess

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// This file reads the first worksheet of an xlsx workbook (ECMA-376 Part 1, SpreadsheetML) row
// by row. It does not use excelize's Rows: that iterator returns a row for every row number up
// to the last, so it cannot tell a <row> element with no cells (a ballot with no rankings, which
// RCTab counts) from a row number the sheet leaves out (no ballot); and its encoding/xml
// tokenizer is several times slower than the byte scanner here on the sheets of a city's CVR.
//
// The parts read, found as ECMA-376 Part 2 (OPC) says: _rels/.rels names the workbook
// (relationship type officeDocument), the workbook's relationships name its worksheets and
// shared string table, and workbook.xml lists the sheets in order (§18.2.19 sheet). The
// worksheet's sheetData (§18.3.1.80) holds row elements (§18.3.1.73, attribute r the 1-based
// row number) of c elements (§18.3.1.4, attribute r the cell reference such as "C7", t the
// type), whose value is in v (§18.3.1.96), or in is/t for inline strings (§18.3.1.53).

// Relationship types (ECMA-376 Part 1 §15.2.12.2, §12.3.3, §12.3.15).
const (
	relOfficeDocument = "/officeDocument"
	relWorksheet      = "/worksheet"
	relSharedStrings  = "/sharedStrings"
)

// workbook is an open xlsx file: its first worksheet and its shared string table.
type workbook struct {
	zr    *zip.ReadCloser
	sheet *zip.File
	sst   []string
}

// maxSharedStrings bounds the shared string table read into memory (a city's CVR has a few
// hundred strings; a hostile file could declare millions of empty ones).
const maxSharedStrings = 1 << 22

// openWorkbook opens the xlsx file at p and reads what is needed to stream its first sheet.
func openWorkbook(p string) (*workbook, error) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, fmt.Errorf("not an xlsx workbook (a ZIP archive): %w", err)
	}
	w := &workbook{zr: zr}
	if err := w.init(); err != nil {
		zr.Close()
		return nil, err
	}
	return w, nil
}

func (w *workbook) init() error {
	files := map[string]*zip.File{}
	for _, f := range w.zr.File {
		files[strings.TrimPrefix(f.Name, "/")] = f
	}
	wbPath := "xl/workbook.xml"
	if rels, err := readRels(files, "_rels/.rels", ""); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.Type, relOfficeDocument) {
				wbPath = r.Target
				break
			}
		}
	}
	wb, ok := files[wbPath]
	if !ok {
		return fmt.Errorf("not an xlsx workbook: no %s", wbPath)
	}
	dir := path.Dir(wbPath)
	relsPath := path.Join(dir, "_rels", path.Base(wbPath)+".rels")
	rels, err := readRels(files, relsPath, dir)
	if err != nil {
		return err
	}
	sheetID, err := firstSheetID(wb)
	if err != nil {
		return fmt.Errorf("%s: %w", wbPath, err)
	}
	var sstPath string
	for _, r := range rels {
		switch {
		case r.ID == sheetID && strings.HasSuffix(r.Type, relWorksheet):
			w.sheet = files[r.Target]
		case strings.HasSuffix(r.Type, relSharedStrings):
			sstPath = r.Target
		}
	}
	if w.sheet == nil {
		return fmt.Errorf("%s: the first sheet (relationship %q) is not a worksheet in the file", wbPath, sheetID)
	}
	if sst, ok := files[sstPath]; ok {
		if w.sst, err = readSharedStrings(sst); err != nil {
			return fmt.Errorf("%s: %w", sstPath, err)
		}
	}
	return nil
}

// Close closes the file.
func (w *workbook) Close() error { return w.zr.Close() }

// rel is one relationship of an OPC part, its target resolved to a path in the archive.
type rel struct{ ID, Type, Target string }

// readRels reads the relationships part at p; targets are relative to dir.
func readRels(files map[string]*zip.File, p, dir string) ([]rel, error) {
	f, ok := files[p]
	if !ok {
		return nil, fmt.Errorf("not an xlsx workbook: no %s", p)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var rels []rel
	d := xml.NewDecoder(rc)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return rels, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" {
			continue
		}
		var r rel
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Id":
				r.ID = a.Value
			case "Type":
				r.Type = a.Value
			case "Target":
				r.Target = a.Value
			}
		}
		if strings.HasPrefix(r.Target, "/") {
			r.Target = strings.TrimPrefix(r.Target, "/")
		} else {
			r.Target = path.Join(dir, r.Target)
		}
		rels = append(rels, r)
	}
}

// firstSheetID returns the relationship id of the first sheet listed in workbook.xml.
func firstSheetID(f *zip.File) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return "", errors.New("the workbook lists no sheet")
		}
		if err != nil {
			return "", err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "sheet" {
			for _, a := range se.Attr {
				if a.Name.Local == "id" && a.Name.Space != "" {
					return a.Value, nil
				}
			}
			return "", errors.New("the first sheet has no r:id")
		}
	}
}

// readSharedStrings reads the shared string table (§18.4.9 sst): each si is the text of its t
// elements (one, or one per rich-text run r), leaving out phonetic runs (rPh).
func readSharedStrings(f *zip.File) ([]string, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var (
		sst   []string
		cur   strings.Builder
		inT   bool
		inRPh int
	)
	d := xml.NewDecoder(rc)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return sst, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				cur.Reset()
			case "t":
				inT = inRPh == 0
			case "rPh":
				inRPh++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				if len(sst) == maxSharedStrings {
					return nil, fmt.Errorf("more than %d shared strings", maxSharedStrings)
				}
				sst = append(sst, cur.String())
			case "t":
				inT = false
			case "rPh":
				inRPh--
			}
		case xml.CharData:
			if inT {
				cur.Write(t)
			}
		}
	}
}

// cell is one cell of a row with a value: its 1-based column and its text as RCTab's reader
// sees it (a shared or inline string, or the number, boolean or error as written).
type cell struct {
	col int
	val string
}

// sheetScanner streams the rows of a worksheet's sheetData.
type sheetScanner struct {
	br   *bufio.Reader
	rc   io.ReadCloser
	sst  []string
	tagb []byte // a tag spread over several buffer reads
	text []byte // character data being read
	vbuf []byte // the v of the cell being read

	maxCol    int    // cells right of this column are read but not kept (0: keep all)
	dimension string // the ref of the dimension element (§18.3.1.35), if it came before sheetData
	inData    bool   // inside sheetData
	row       int    // the number of the row last returned
	cells     []cell // the cells of that row, reused
}

// openSheet starts streaming the first sheet.
func (w *workbook) openSheet() (*sheetScanner, error) {
	rc, err := w.sheet.Open()
	if err != nil {
		return nil, err
	}
	return &sheetScanner{br: bufio.NewReaderSize(rc, 64<<10), rc: rc, sst: w.sst}, nil
}

// Close closes the sheet stream.
func (s *sheetScanner) Close() error { return s.rc.Close() }

// errSheetEnd is returned by nextRow after the end of sheetData.
var errSheetEnd = io.EOF

// sheetError is a malformed worksheet; col is the column (0 when not about a cell).
type sheetError struct {
	row, col int
	err      error
}

func (e *sheetError) Error() string { return e.err.Error() }
func (e *sheetError) Unwrap() error { return e.err }

// nextRow reads the next row element. It returns io.EOF after sheetData.
func (s *sheetScanner) nextRow() error {
	for {
		tag, err := s.nextTag()
		if err != nil {
			return s.eof(err)
		}
		name, end, empty := tagName(tag)
		switch {
		case name == "sheetData" && !end:
			s.inData = !empty
			if empty {
				return errSheetEnd
			}
		case name == "sheetData" && end:
			return errSheetEnd
		case name == "dimension" && !s.inData && !end:
			if ref, ok := attr(tag, "ref"); ok {
				s.dimension = string(ref)
			}
		case name == "row" && !end && s.inData:
			num, err := rowNumber(tag, s.row)
			if err != nil {
				return &sheetError{row: s.row + 1, err: err}
			}
			s.row = num
			s.cells = s.cells[:0]
			if empty {
				return nil
			}
			return s.readCells()
		}
	}
}

// eof turns the end of the stream before the end of sheetData into an error.
func (s *sheetScanner) eof(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return &sheetError{row: s.row, err: errTruncatedSheet}
	}
	return &sheetError{row: s.row, err: err}
}

var errTruncatedSheet = errors.New("the worksheet ends inside its data (truncated?)")

// rowNumber returns the r attribute of a row tag, or prev+1 without one.
func rowNumber(tag []byte, prev int) (int, error) {
	v, ok := attr(tag, "r")
	if !ok {
		return prev + 1, nil
	}
	n, err := atoi(v)
	if err != nil || n < 1 || n > maxRows || n <= prev {
		return 0, fmt.Errorf("row number %q is not above the previous row's %d (or not a row number at all)", v, prev)
	}
	return n, nil
}

// maxRows is the last row of a worksheet (§18.3.1.73: r is at most 1048576).
const maxRows = 1 << 20

// maxCols is the last column (XFD).
const maxCols = 16384

// readCells reads the cells of the row whose start tag was just read, up to its end tag.
func (s *sheetScanner) readCells() error {
	col := 0
	for {
		tag, err := s.nextTag()
		if err != nil {
			return s.eof(err)
		}
		name, end, empty := tagName(tag)
		switch {
		case name == "row" && end:
			return nil
		case name == "c" && !end:
			if ref, ok := attr(tag, "r"); ok {
				c, err := refColumn(ref)
				if err != nil {
					return &sheetError{row: s.row, col: col + 1, err: err}
				}
				if c <= col {
					return &sheetError{row: s.row, col: c, err: fmt.Errorf("cell %s is not right of the row's previous cell", ref)}
				}
				col = c
			} else {
				col++
			}
			if col > maxCols {
				return &sheetError{row: s.row, col: col, err: errors.New("more than 16384 columns")}
			}
			if empty {
				continue
			}
			typ, _ := attr(tag, "t")
			val, has, err := s.readValue(cellType(typ), s.maxCol == 0 || col <= s.maxCol)
			if err != nil {
				return &sheetError{row: s.row, col: col, err: err}
			}
			if has {
				s.cells = append(s.cells, cell{col: col, val: val})
			}
		}
	}
}

// readValue reads the content of a c element up to its end tag and returns its value as text
// (has is false for a cell with no value, or when keep is false).
func (s *sheetScanner) readValue(typ byte, keep bool) (val string, has bool, err error) {
	s.vbuf = s.vbuf[:0]
	var inline strings.Builder
	haveV, haveIS := false, false
	rph := 0
	for {
		tag, err := s.nextTag()
		if err != nil {
			return "", false, err
		}
		name, end, empty := tagName(tag)
		switch {
		case name == "c" && end:
			if !keep {
				return "", false, nil
			}
			if typ == typeInline {
				return inline.String(), haveIS, nil
			}
			if !haveV {
				return "", false, nil
			}
			v, err := s.cellText(typ, s.vbuf)
			return v, err == nil, err
		case (name == "v" || name == "f" || name == "t") && !end && !empty:
			text, err := s.readText()
			if err != nil {
				return "", false, err
			}
			etag, err := s.readTag() // readText consumed its '<'
			if err != nil {
				return "", false, err
			}
			if n, e, _ := tagName(etag); n != name || !e {
				return "", false, fmt.Errorf("<%s> ends with <%s>", name, etag)
			}
			switch {
			case name == "v":
				s.vbuf, haveV = append(s.vbuf[:0], text...), true
			case name == "t" && rph == 0:
				inline.Write(text)
				haveIS = true
			}
		case name == "is" && !end:
			haveIS = true
		case name == "rPh" && !end && !empty:
			rph++
		case name == "rPh" && end:
			rph--
		}
	}
}

// cellText is the text of a cell of type typ whose v holds raw (§18.18.11 ST_CellType).
func (s *sheetScanner) cellText(typ byte, raw []byte) (string, error) {
	switch typ {
	case typeShared:
		i, err := atoi(bytes.TrimSpace(raw))
		if err != nil || i >= len(s.sst) {
			return "", fmt.Errorf("shared string index %q is not in the table of %d strings", raw, len(s.sst))
		}
		return s.sst[i], nil
	case typeBool:
		switch string(bytes.TrimSpace(raw)) {
		case "1":
			return "TRUE", nil
		case "0":
			return "FALSE", nil
		}
	}
	return string(raw), nil
}

// nextTag skips character data and returns the next tag: the bytes between < and >, valid
// until the next read. Comments, processing instructions and declarations are skipped.
func (s *sheetScanner) nextTag() ([]byte, error) {
	for {
		if err := s.skipTo('<'); err != nil {
			return nil, err
		}
		tag, err := s.readTag()
		if err != nil {
			return nil, err
		}
		if len(tag) > 0 && (tag[0] == '?' || tag[0] == '!') {
			continue
		}
		return tag, nil
	}
}

// skipTo discards input up to and including c.
func (s *sheetScanner) skipTo(c byte) error {
	for {
		_, err := s.br.ReadSlice(c)
		if err != bufio.ErrBufferFull {
			return err
		}
	}
}

// maxTag bounds a tag's length (a cell tag is a few dozen bytes).
const maxTag = 1 << 16

// readTag reads after a '<' up to the '>' that ends the tag (a '>' inside a quoted attribute
// value does not), or for a comment the "-->".
func (s *sheetScanner) readTag() ([]byte, error) {
	s.tagb = s.tagb[:0]
	for {
		b, err := s.br.ReadSlice('>')
		if err != nil && err != bufio.ErrBufferFull {
			return nil, err
		}
		var tag []byte
		if len(s.tagb) == 0 && err == nil {
			tag = b
		} else {
			s.tagb = append(s.tagb, b...)
			tag = s.tagb
			if len(tag) > maxTag {
				return nil, errors.New("a tag longer than 64 KiB")
			}
		}
		if err == bufio.ErrBufferFull || !tagComplete(tag) {
			if len(s.tagb) == 0 {
				s.tagb = append(s.tagb, b...)
			}
			continue
		}
		return tag[:len(tag)-1], nil
	}
}

// tagComplete reports whether tag, which ends in '>', is a whole tag: not in a quoted value,
// and for a comment ending in "-->".
func tagComplete(tag []byte) bool {
	if bytes.HasPrefix(tag, []byte("!--")) {
		return len(tag) >= 6 && bytes.HasSuffix(tag, []byte("-->"))
	}
	if bytes.HasPrefix(tag, []byte("![CDATA[")) {
		return bytes.HasSuffix(tag, []byte("]]>"))
	}
	var q byte
	for _, c := range tag {
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		}
	}
	return q == 0
}

// maxText bounds a cell's text (Excel's limit is 32,767 characters).
const maxText = 1 << 20

// readText reads character data up to and including the next '<' that starts a tag and returns
// it decoded; CDATA sections are included literally. The result is valid until the next call.
func (s *sheetScanner) readText() ([]byte, error) {
	s.text = s.text[:0]
	for {
		// The raw text up to '<' is gathered whole, so that an entity is never split.
		start := len(s.text)
		for {
			b, err := s.br.ReadSlice('<')
			if err != nil && err != bufio.ErrBufferFull {
				return nil, err
			}
			if err == nil {
				b = b[:len(b)-1]
			}
			s.text = append(s.text, b...)
			if len(s.text) > maxText {
				return nil, errors.New("a value longer than 1 MiB")
			}
			if err == nil {
				break
			}
		}
		s.text = append(s.text[:start], decodeEntities(s.text[start:])...)
		if p, _ := s.br.Peek(8); !bytes.Equal(p, []byte("![CDATA[")) {
			return s.text, nil
		}
		s.br.Discard(8)
		cdata := len(s.text)
		for !bytes.HasSuffix(s.text[cdata:], []byte("]]>")) {
			b, err := s.br.ReadSlice('>')
			if err != nil && err != bufio.ErrBufferFull {
				return nil, err
			}
			s.text = append(s.text, b...)
			if len(s.text) > maxText {
				return nil, errors.New("a value longer than 1 MiB")
			}
		}
		s.text = s.text[:len(s.text)-3]
	}
}

// decodeEntities replaces XML's predefined entities and character references in b, in place.
func decodeEntities(b []byte) []byte {
	i := bytes.IndexByte(b, '&')
	if i < 0 {
		return b
	}
	out := b[:i]
	for i < len(b) {
		c := b[i]
		if c != '&' {
			out = append(out, c)
			i++
			continue
		}
		j := bytes.IndexByte(b[i:], ';')
		if j < 0 {
			out = append(out, b[i:]...)
			break
		}
		ent := string(b[i+1 : i+j])
		var r rune = -1
		switch ent {
		case "amp":
			r = '&'
		case "lt":
			r = '<'
		case "gt":
			r = '>'
		case "quot":
			r = '"'
		case "apos":
			r = '\''
		default:
			if strings.HasPrefix(ent, "#x") {
				if v, err := strconv.ParseUint(ent[2:], 16, 21); err == nil {
					r = rune(v)
				}
			} else if strings.HasPrefix(ent, "#") {
				if v, err := strconv.ParseUint(ent[1:], 10, 21); err == nil {
					r = rune(v)
				}
			}
		}
		if r < 0 {
			out = append(out, b[i:i+j+1]...)
		} else {
			// The encoding is never longer than the reference it replaces ("&#1;" is 4 bytes).
			out = append(out, string(r)...)
		}
		i += j + 1
	}
	return out
}

// tagName returns the local name of a tag (its namespace prefix removed), whether it is an end
// tag, and whether it is an empty-element tag.
func tagName(tag []byte) (name string, end, empty bool) {
	if len(tag) > 0 && tag[0] == '/' {
		end = true
		tag = tag[1:]
	}
	if len(tag) > 0 && tag[len(tag)-1] == '/' {
		empty = true
		tag = tag[:len(tag)-1]
	}
	n := 0
	for n < len(tag) && !isSpace(tag[n]) {
		n++
	}
	raw := tag[:n]
	if k := bytes.LastIndexByte(raw, ':'); k >= 0 {
		raw = raw[k+1:]
	}
	// The names compared are a few bytes; these conversions do not allocate when compared.
	switch string(raw) {
	case "c":
		return "c", end, empty
	case "v":
		return "v", end, empty
	case "row":
		return "row", end, empty
	case "t":
		return "t", end, empty
	case "f":
		return "f", end, empty
	case "is":
		return "is", end, empty
	case "rPh":
		return "rPh", end, empty
	case "sheetData":
		return "sheetData", end, empty
	case "dimension":
		return "dimension", end, empty
	}
	return "", end, empty
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// attr returns the value of the unprefixed attribute name in tag (entities decoded). The
// result may share tag's bytes.
func attr(tag []byte, name string) ([]byte, bool) {
	i := 0
	for i < len(tag) && !isSpace(tag[i]) { // the element name
		i++
	}
	for i < len(tag) {
		for i < len(tag) && isSpace(tag[i]) {
			i++
		}
		start := i
		for i < len(tag) && tag[i] != '=' && !isSpace(tag[i]) {
			i++
		}
		key := tag[start:i]
		for i < len(tag) && (isSpace(tag[i]) || tag[i] == '=') {
			i++
		}
		if i >= len(tag) || (tag[i] != '"' && tag[i] != '\'') {
			return nil, false
		}
		q := tag[i]
		i++
		vs := i
		for i < len(tag) && tag[i] != q {
			i++
		}
		if i >= len(tag) {
			return nil, false
		}
		if string(key) == name {
			v := tag[vs:i]
			if bytes.IndexByte(v, '&') >= 0 {
				v = decodeEntities(append([]byte(nil), v...))
			}
			return v, true
		}
		i++
	}
	return nil, false
}

// Cell types (§18.18.11 ST_CellType) that change how a value reads.
const (
	typeOther  byte = iota // n (number), str (formula string), e (error), d (date): as written
	typeShared             // s: an index into the shared string table
	typeInline             // inlineStr: the text of is
	typeBool               // b: 0 or 1, read as FALSE or TRUE
)

func cellType(t []byte) byte {
	switch string(t) {
	case "s":
		return typeShared
	case "inlineStr":
		return typeInline
	case "b":
		return typeBool
	}
	return typeOther
}

// atoi parses a non-negative decimal number of at most 9 digits.
func atoi(b []byte) (int, error) {
	if len(b) == 0 || len(b) > 9 {
		return 0, fmt.Errorf("%q is not a number", b)
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a number", b)
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

// refColumn returns the 1-based column of a cell reference such as "AB12".
func refColumn(ref []byte) (int, error) {
	col, i := 0, 0
	for ; i < len(ref) && 'A' <= ref[i] && ref[i] <= 'Z'; i++ {
		col = col*26 + int(ref[i]-'A'+1)
		if col > maxCols {
			return 0, fmt.Errorf("cell reference %q is beyond column XFD", ref)
		}
	}
	if i == 0 || i == len(ref) {
		return 0, fmt.Errorf("cell reference %q is not a column and a row such as C7", ref)
	}
	for ; i < len(ref); i++ {
		if ref[i] < '0' || ref[i] > '9' {
			return 0, fmt.Errorf("cell reference %q is not a column and a row such as C7", ref)
		}
	}
	return col, nil
}

// columnName returns the letters of 1-based column c ("A", "AB").
func columnName(c int) string {
	var b []byte
	for c > 0 {
		c--
		b = append([]byte{byte('A' + c%26)}, b...)
		c /= 26
	}
	return string(b)
}

// dimensionColumns returns the last column of a dimension ref such as "A1:E80102".
func dimensionColumns(ref string) int {
	if i := strings.IndexByte(ref, ':'); i >= 0 {
		ref = ref[i+1:]
	}
	c, err := refColumn([]byte(strings.ReplaceAll(ref, "$", "")))
	if err != nil {
		return 0
	}
	return c
}
