// Package jsonscan is a small pull scanner for JSON (RFC 8259) that reads one JSON text from an
// io.Reader through its own buffer, without reflection and without allocating per token. It
// exists because the CVR readers must stream hundreds of thousands of ballots a second and
// encoding/json (Decoder.Token, or Decode per record) is an order of magnitude slower.
//
// The caller drives the scanner with the shape it expects:
//
//	s := jsonscan.New(r)
//	if err := s.BeginObject(); err != nil { ... }
//	for {
//		key, ok, err := s.NextKey()
//		if err != nil { ... }
//		if !ok { break } // '}' consumed
//		switch string(key) { // no allocation: the compiler compares bytes
//		case "Id":
//			id, err := s.Int()
//			...
//		default:
//			err = s.Skip()
//		}
//	}
//	err = s.End()
//
// The scanner accepts exactly the documents encoding/json.Valid accepts when it is walked
// generically (the fuzz test checks this), including the nesting limit of 10,000. Like
// encoding/json.Valid it does not check that strings are valid UTF-8.
//
// For speed on large inputs a reader may also:
//   - scan a whole input in place, NewBytes, such as a regular file mapped into memory with Map
//     (no copy out of the page cache; the same values and errors as through a buffer);
//   - name the keys of a record it skips, Keys.Ignore, so that NextKeyIndex passes over their
//     plain values itself;
//   - remember small values it read, Repeats, and recognize where they repeat byte for byte,
//     reusing what it made of them instead of parsing them again.
//
// Errors are sticky: after the first error every method returns it. Malformed input gives a
// *SyntaxError; input that ends early gives a *SyntaxError that wraps io.ErrUnexpectedEOF; a
// typed read (BeginObject, BeginArray, String, Int, Bool) of a well-formed value of another kind
// gives a *SyntaxError that wraps ErrMismatch.
package jsonscan

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// DefaultBufferSize is the size of the scanner's buffer. It grows only for a single token
// (a string) longer than the buffer.
const DefaultBufferSize = 256 << 10

// maxDepth is the deepest nesting accepted; encoding/json's scanner has the same limit
// (maxNestingDepth), so that both accept the same documents.
const maxDepth = 10000

// Kind is the kind of a JSON value (RFC 8259 section 3).
type Kind uint8

// The kinds of values. Invalid is never returned with a nil error.
const (
	Invalid Kind = iota
	Object
	Array
	String
	Number
	Bool
	Null
)

var kindNames = [...]string{"invalid", "object", "array", "string", "number", "bool", "null"}

// String names the kind ("object", "number", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// ErrMismatch is wrapped by the error of a typed read (BeginObject, BeginArray, String, Int,
// Bool) when the next value is of another kind, or for Int a number that is not an integer
// in the int64 range.
var ErrMismatch = errors.New("value of another kind")

// SyntaxError reports malformed input (or a value of an unexpected kind) and the byte offset
// in the input where it was found.
type SyntaxError struct {
	Offset int64
	Msg    string
	// cause is io.ErrUnexpectedEOF for an input that ends early, ErrMismatch for a value of
	// another kind, else nil.
	cause error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("json: %s at byte offset %d", e.Msg, e.Offset)
}

// Unwrap returns io.ErrUnexpectedEOF for an input that ends early and ErrMismatch for a value
// of another kind.
func (e *SyntaxError) Unwrap() error { return e.cause }

// Scanner reads one JSON text from an io.Reader through its own buffer (default 256 KiB,
// growing only for a single token longer than that), or from a byte slice that holds the whole
// text (NewBytes), without reflection and without allocating per token.
type Scanner struct {
	r io.Reader
	// buf holds the input being scanned: own, or the caller's slice in bytes mode (which the
	// scanner never writes: fill returns at once because eof is set from the start).
	buf  []byte
	own  []byte // the scanner's own buffer, kept across ResetBytes for a later Reset
	pos  int    // index in buf of the next unread byte
	end  int    // buf[:end] holds read bytes
	base int64  // input offset of buf[0]
	eof  bool   // r has reported io.EOF
	err  error  // sticky error

	// first is true right after '{' or '[': the next element needs no comma.
	first bool
	// stack holds the open containers, '{' or '['; top is its last element (0 when empty),
	// kept apart because every key and element checks it.
	stack []byte
	top   byte
	// scratch holds unescaped strings; keyCopy holds a key across a refill.
	scratch []byte
	keyCopy []byte
}

// New returns a Scanner reading from r with a buffer of DefaultBufferSize bytes.
func New(r io.Reader) *Scanner { return newSize(r, DefaultBufferSize) }

// newSize returns a Scanner with a buffer of n bytes (tests use tiny buffers to exercise every
// refill path).
func newSize(r io.Reader, n int) *Scanner {
	if n < 1 {
		n = 1
	}
	b := make([]byte, n)
	return &Scanner{r: r, buf: b, own: b, stack: make([]byte, 0, 16)}
}

// NewBytes returns a Scanner over b, which holds the whole JSON text: the scanner reads it in
// place, without copying it into a buffer, and never writes to it (b may be a read-only
// memory mapping of a file). Strings and keys the scanner returns may point into b, so b must
// stay valid, and unchanged, as long as they are used. Offsets, values and errors are the same
// as for New(bytes.NewReader(b)).
func NewBytes(b []byte) *Scanner {
	s := &Scanner{stack: make([]byte, 0, 16)}
	s.ResetBytes(b)
	return s
}

// Reset makes s read a new JSON text from r, keeping its buffer, so that a reader of many
// files allocates the buffer once.
func (s *Scanner) Reset(r io.Reader) {
	own := s.own
	if own == nil {
		own = make([]byte, DefaultBufferSize)
	}
	*s = Scanner{r: r, buf: own, own: own, stack: s.stack[:0], scratch: s.scratch[:0], keyCopy: s.keyCopy[:0]}
}

// ResetBytes makes s read a new JSON text held whole in b, as NewBytes does, keeping its own
// buffer for a later Reset. ResetBytes(nil) drops s's reference to the previous input (a
// caller about to unmap it does this first).
func (s *Scanner) ResetBytes(b []byte) {
	*s = Scanner{buf: b, own: s.own, end: len(b), eof: true, stack: s.stack[:0], scratch: s.scratch[:0], keyCopy: s.keyCopy[:0]}
}

// Offset returns the byte offset in the input of the next unread byte.
func (s *Scanner) Offset() int64 { return s.base + int64(s.pos) }

// fill reads more input after compacting the buffer so that the unread bytes (from s.pos)
// start at buf[0]. It returns how far the unread bytes moved (callers holding indices into buf
// subtract it) and whether any byte was added; false means end of input or a read error
// (then s.err is set).
func (s *Scanner) fill() (shift int, ok bool) {
	if s.err != nil || s.eof {
		return 0, false
	}
	if s.pos > 0 {
		shift = s.pos
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.base += int64(s.pos)
		s.pos, s.end = 0, n
	}
	if s.end == len(s.buf) {
		// A single token fills the whole buffer: grow it.
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf, s.own = nb, nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := s.r.Read(s.buf[s.end:])
		if n < 0 || n > len(s.buf)-s.end {
			s.err = fmt.Errorf("jsonscan: reader returned invalid count %d", n)
			return shift, false
		}
		s.end += n
		if err == io.EOF {
			s.eof = true
			return shift, n > 0
		}
		if err != nil {
			s.err = fmt.Errorf("jsonscan: read at byte offset %d: %w", s.base+int64(s.end), err)
			return shift, n > 0
		}
		if n > 0 {
			return shift, true
		}
	}
	s.err = fmt.Errorf("jsonscan: read at byte offset %d: %w", s.base+int64(s.end), io.ErrNoProgress)
	return shift, false
}

// fail records and returns a syntax error at buffer index i.
func (s *Scanner) fail(i int, msg string) error {
	if s.err == nil {
		s.err = &SyntaxError{Offset: s.base + int64(i), Msg: msg}
	}
	return s.err
}

// failEOF records and returns the error for an input that ends early (or the read error that
// ended it).
func (s *Scanner) failEOF() error {
	if s.err == nil {
		s.err = &SyntaxError{Offset: s.base + int64(s.end), Msg: "unexpected end of JSON input", cause: io.ErrUnexpectedEOF}
	}
	return s.err
}

// mismatch records and returns the error of a typed read that found a value of another kind.
func (s *Scanner) mismatch(c byte, want string) error {
	k := kindOf(c)
	if k == Invalid {
		return s.fail(s.pos, "invalid character "+quoteChar(c)+" looking for beginning of value")
	}
	if s.err == nil {
		s.err = &SyntaxError{Offset: s.Offset(), Msg: "expected " + want + ", found " + k.String(), cause: ErrMismatch}
	}
	return s.err
}

func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	return fmt.Sprintf("%q", rune(c))
}

func kindOf(c byte) Kind { return kinds[c] }

// kinds maps the first byte of a value to its kind (RFC 8259 section 3); other bytes,
// whitespace included, map to Invalid.
var kinds = [256]Kind{
	'{': Object, '[': Array, '"': String,
	'-': Number, '0': Number, '1': Number, '2': Number, '3': Number, '4': Number,
	'5': Number, '6': Number, '7': Number, '8': Number, '9': Number,
	't': Bool, 'f': Bool, 'n': Null,
}

// peek returns the next non-whitespace byte without consuming it. The fast path (no
// whitespace, byte buffered) is small enough to inline.
func (s *Scanner) peek() (byte, error) {
	if s.pos < s.end {
		if c := s.buf[s.pos]; c > ' ' {
			return c, nil
		}
	}
	return s.peekSlow()
}

func (s *Scanner) peekSlow() (byte, error) {
	if s.err != nil {
		return 0, s.err
	}
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			// RFC 8259 section 2: insignificant whitespace is space, tab, LF and CR.
			if c == ' ' || c == '\n' || c == '\r' || c == '\t' {
				s.pos++
				continue
			}
			return c, nil
		}
		if _, ok := s.fill(); !ok {
			return 0, s.failEOF()
		}
	}
}

// Peek returns the kind of the next value, skipping whitespace before it.
func (s *Scanner) Peek() (Kind, error) {
	// Fast path: the value starts right at s.pos.
	if s.err == nil && s.pos < s.end {
		if k := kinds[s.buf[s.pos]]; k != Invalid {
			return k, nil
		}
	}
	if s.err != nil {
		return Invalid, s.err
	}
	c, err := s.peek()
	if err != nil {
		return Invalid, err
	}
	k := kindOf(c)
	if k == Invalid {
		return Invalid, s.fail(s.pos, "invalid character "+quoteChar(c)+" looking for beginning of value")
	}
	return k, nil
}

func (s *Scanner) push(c byte) error {
	if len(s.stack) >= maxDepth {
		return s.fail(s.pos, "exceeded max depth")
	}
	s.stack = append(s.stack, c)
	s.top = c
	s.pos++
	s.first = true
	return nil
}

// pop closes the innermost container.
func (s *Scanner) pop() {
	s.stack = s.stack[:len(s.stack)-1]
	s.top = 0
	if n := len(s.stack); n > 0 {
		s.top = s.stack[n-1]
	}
	s.first = false
}

// BeginObject consumes the '{' that starts an object.
func (s *Scanner) BeginObject() error {
	if s.err == nil && s.pos < s.end && s.buf[s.pos] == '{' {
		return s.push('{')
	}
	return s.begin('{', "object")
}

// begin is the slow path of BeginObject and BeginArray (their fast path stays inlined).
func (s *Scanner) begin(open byte, what string) error {
	if s.err != nil {
		return s.err
	}
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c != open {
		return s.mismatch(c, what)
	}
	return s.push(open)
}

// BeginArray consumes the '[' that starts an array.
func (s *Scanner) BeginArray() error {
	if s.err == nil && s.pos < s.end && s.buf[s.pos] == '[' {
		return s.push('[')
	}
	return s.begin('[', "array")
}

// NextKey reads the next key of the current object and the ':' after it. It returns ok=false
// after consuming the '}' that ends the object. The key is unescaped and valid until the next
// call on s.
func (s *Scanner) NextKey() (key []byte, ok bool, err error) {
	return s.nextKey(true)
}

func (s *Scanner) nextKey(unescape bool) (key []byte, ok bool, err error) {
	if s.err != nil {
		return nil, false, s.err
	}
	if s.top != '{' {
		return nil, false, s.fail(s.pos, "NextKey called outside an object")
	}
	// peek is written out by hand in the hot methods: with its slow path it is too big for
	// the inliner.
	var c byte
	if s.pos < s.end && s.buf[s.pos] > ' ' {
		c = s.buf[s.pos]
	} else if c, err = s.peekSlow(); err != nil {
		return nil, false, err
	}
	if c == '}' {
		s.pos++
		s.pop()
		return nil, false, nil
	}
	if !s.first {
		if c != ',' {
			return nil, false, s.fail(s.pos, "invalid character "+quoteChar(c)+" after object key:value pair")
		}
		s.pos++
		if s.pos < s.end && s.buf[s.pos] > ' ' {
			c = s.buf[s.pos]
		} else if c, err = s.peekSlow(); err != nil {
			return nil, false, err
		}
	}
	if c != '"' {
		return nil, false, s.fail(s.pos, "invalid character "+quoteChar(c)+" looking for beginning of object key string")
	}
	q, flags, err := s.scanString()
	if err != nil {
		return nil, false, err
	}
	if unescape {
		key = s.stringAt(q, flags)
	} else {
		s.pos = q + 1
	}
	if s.pos < s.end && s.buf[s.pos] == ':' {
		s.pos++
		s.first = false
		return key, true, nil
	}
	// Whitespace, or the end of the buffer, before the ':': a refill would move the bytes
	// key points to, so keep a copy.
	s.keyCopy = append(s.keyCopy[:0], key...)
	key = s.keyCopy
	if c, err = s.peekSlow(); err != nil {
		return nil, false, err
	}
	if c != ':' {
		return nil, false, s.fail(s.pos, "invalid character "+quoteChar(c)+" after object key")
	}
	s.pos++
	s.first = false
	return key, true, nil
}

// Keys is a set of object keys that NextKeyIndex recognizes, for a reader that dispatches on
// the keys of records of a known shape. It predicts that keys come in the order of the
// previous record, so that in the common case a key is recognized by comparing its bytes in
// place, without the general string scan. A Keys keeps that prediction, so it is not safe
// for concurrent use; give each reader its own.
type Keys struct {
	names []string     // the caller's keys: NextKeyIndex returns indices into names
	pats  []keyPattern // in the predicted order; a learned key not in names has index -1
	at    []int32      // at[i] is the position in pats of names[i]
	next  int          // the position in pats of the key expected next
	learn bool         // the next object read sets the order (LearnOrder)
	seen  []string     // learning: that object's keys so far
}

// keyPattern is a key as it appears in compact input, `"Name":`, in little-endian words for
// comparing eight bytes at a time, with masks that are zero past the pattern. n is 0 for a
// key that needs escaping or is longer than maxPattern, which only the general path matches.
type keyPattern struct {
	words [maxPattern / 8]uint64
	masks [maxPattern / 8]uint64
	n     int32 // bytes of `"Name":`, or 0
	index int32 // the key's index in Keys.names
	succ  int32 // the index of the key predicted after this one
	short bool  // n <= 16: the last two words are zero
	skip  bool  // the caller ignores the value (Keys.Ignore)
}

// maxPattern is the longest pattern of the fast path: keys of up to 29 bytes.
const maxPattern = 32

// NewKeys returns the set of the given keys. A key that needs escaping in JSON (a quote, a
// backslash, a control character) or is not ASCII is still recognized, through the general
// path.
func NewKeys(names ...string) *Keys {
	k := &Keys{names: names}
	order := make([]int, len(names))
	for i := range order {
		order[i] = i
	}
	k.order(names, order, nil)
	return k
}

// order makes the patterns of keys, in that order: index[j] is the index in k.names of keys[j]
// (or -1 for a key not in names); ignored holds the indices in names of keys marked with
// Ignore. Keys not in names are marked too: the caller does not know them.
func (k *Keys) order(keys []string, index []int, ignored map[int]bool) {
	k.pats = make([]keyPattern, len(keys))
	k.at = make([]int32, len(k.names))
	k.next = 0
	for j, n := range keys {
		kp := &k.pats[j]
		kp.index, kp.succ = int32(index[j]), int32((j+1)%len(keys))
		kp.skip = index[j] < 0 || ignored[index[j]]
		if index[j] >= 0 {
			k.at[index[j]] = int32(j)
		}
		pat := `"` + n + `":`
		if !plain(n) || len(pat) > maxPattern {
			continue
		}
		kp.n, kp.short = int32(len(pat)), len(pat) <= 16
		for b := 0; b < len(pat); b++ {
			kp.words[b/8] |= uint64(pat[b]) << (8 * (b % 8))
			kp.masks[b/8] |= 0xff << (8 * (b % 8))
		}
	}
}

// LearnOrder makes the next object read with k set the order NextKeyIndex predicts: that
// object's keys in the order they come, then the keys of k it lacked. Keys of that object not
// in k are added to the prediction (NextKeyIndex reports them as -1, as any other unknown
// key, and passes over their plain values as for Ignore). A reader of records whose producer
// is not known, but which writes every record alike, learns its order from the first record
// so that the following ones take the fast path. It returns k.
func (k *Keys) LearnOrder() *Keys {
	k.learn, k.seen = true, k.seen[:0]
	return k
}

// learned ends learning at the end of the first object: it orders the keys as they came.
func (k *Keys) learned() {
	ignored := map[int]bool{}
	for _, kp := range k.pats {
		if kp.skip && kp.index >= 0 {
			ignored[int(kp.index)] = true
		}
	}
	var keys []string
	var index []int
	have := map[string]bool{}
	for _, n := range append(k.seen, k.names...) {
		if have[n] {
			continue
		}
		have[n] = true
		i := -1
		for j, kn := range k.names {
			if kn == n {
				i = j
				break
			}
		}
		keys, index = append(keys, n), append(index, i)
	}
	k.order(keys, index, ignored)
	k.learn, k.seen = false, nil
}

// Ignore marks the given keys of k as keys whose values the caller skips, and returns k.
// NextKeyIndex then consumes the value of such a key itself when it is a value that takes no
// checking beyond a glance (a plain string, a small non-negative integer, true, false, null,
// an empty object or array, an array of small integers) and goes on to the next key, saving
// the caller a return and a Skip per key. A value it does not consume, it leaves to the caller
// with the key's index as usual, so the caller must still skip these keys' values; errors are
// the same either way. Names not in k are ignored.
func (k *Keys) Ignore(names ...string) *Keys {
	for _, n := range names {
		for i, kn := range k.names {
			if kn == n {
				k.pats[k.at[i]].skip = true
			}
		}
	}
	return k
}

// NextKeyIndex is NextKey for a caller that only distinguishes the keys of k: it returns the
// index in k of the next key, or -1 for a key not in k, and consumes the ':' after it; the
// caller then reads or skips the value. It returns ok=false after consuming the '}' that ends
// the object. Keys marked with Ignore may be passed over with their values (see Ignore).
func (s *Scanner) NextKeyIndex(k *Keys) (index int, ok bool, err error) {
	// Fast path: compact input with the predicted key, `,"Name":` or `"Name":` right after '{',
	// or the '}' that ends the object. The state lives in locals, written back on the way out,
	// since the loop goes on past ignored keys.
	if s.top == '{' && s.err == nil && !k.learn {
		buf, end, pos, first, next, pats := s.buf, s.end, s.pos, s.first, k.next, k.pats
		for pos < end {
			c := buf[pos]
			if c == '}' {
				s.pos, k.next = pos+1, next
				s.pop()
				return -1, false, nil
			}
			// The first key of an object is predicted to be the first of the set, so that
			// optional keys at the end of the previous record do not cost a miss.
			p, i := pos, next
			if first {
				i = 0
			} else if c == ',' {
				p++
			} else {
				break
			}
			if uint(i) >= uint(len(pats)) {
				break
			}
			kp := &pats[i]
			// The pattern's words are compared at once, masked (the masks are zero past the
			// pattern): two for a short key, four for a long one. They are read from the
			// buffer past end only as far as len(buf); a match needs the whole pattern before
			// end.
			n := int(kp.n)
			if n == 0 || p+maxPattern > len(buf) || p+n > end {
				break
			}
			b := buf[p : p+maxPattern]
			diff := (binary.LittleEndian.Uint64(b[0:])^kp.words[0])&kp.masks[0] |
				(binary.LittleEndian.Uint64(b[8:])^kp.words[1])&kp.masks[1]
			if !kp.short {
				diff |= (binary.LittleEndian.Uint64(b[16:])^kp.words[2])&kp.masks[2] |
					(binary.LittleEndian.Uint64(b[24:])^kp.words[3])&kp.masks[3]
			}
			if diff != 0 {
				break
			}
			pos, first, next = p+n, false, int(kp.succ)
			if kp.skip && pos < end {
				// The commonest ignored values, a small integer or [], without a call (a
				// call would also spill the loop's state); the rest through skipPlain.
				switch c := buf[pos]; {
				case c-'1' <= 8:
					q := pos + 1
					for q < end && buf[q]-'0' <= 9 {
						q++
					}
					if q < end && (buf[q] == ',' || buf[q] == '}') {
						pos = q
						continue
					}
				case c == '0':
					if pos+1 < end && (buf[pos+1] == ',' || buf[pos+1] == '}') {
						pos++
						continue
					}
				case c == '[':
					if pos+1 < end && buf[pos+1] == ']' {
						pos += 2
						continue
					}
				}
				if q := skipPlain(buf, pos, end, len(s.stack)); q >= 0 {
					pos = q
					continue
				}
			}
			s.pos, s.first, k.next = pos, false, next
			return int(kp.index), true, nil
		}
		s.pos, s.first, k.next = pos, first, next
	}
	key, ok, err := s.nextKey(true)
	if err != nil || !ok {
		if err == nil && k.learn {
			k.learned()
		}
		return -1, ok, err
	}
	if k.learn && len(k.seen) < 64 {
		k.seen = append(k.seen, string(key))
	}
	for i, name := range k.names {
		if string(key) == name {
			if j := k.at[i]; int(j) < len(k.pats) {
				k.next = int(k.pats[j].succ)
			}
			return i, true, nil
		}
	}
	return -1, true, nil
}

// skipPlain returns the index just past the value at buf[i] if it is one that is valid at a
// glance: a string without control characters or \u escapes, a non-negative integer without
// leading zero followed by a byte that may follow a value, true, false, null, {} or [], or an
// array of such integers; and -1 for any other value, or one not wholly before end, or with
// whitespace inside, which the general path then reads (and reports the errors of). depth is
// the number of open containers. Like Skip it does not check that strings are valid UTF-8, and
// what follows a literal is checked by the next read, as after Bool.
func skipPlain(buf []byte, i, end, depth int) int {
	if end > len(buf) || i >= end {
		return -1
	}
	switch c := buf[i]; c {
	case '"':
		i++
		for {
			for i+8 <= end {
				m := special(binary.LittleEndian.Uint64(buf[i:]))
				if m != 0 {
					i += bits.TrailingZeros64(m) >> 3
					break
				}
				i += 8
			}
			if i >= end {
				return -1
			}
			switch c := buf[i]; {
			case c == '"':
				return i + 1
			case c == '\\':
				// An escape (RFC 8259 section 7) that needs no checking beyond its bytes.
				if i+1 >= end {
					return -1
				}
				switch buf[i+1] {
				case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
					i += 2
				default:
					return -1 // \u, or not an escape: the general path checks it
				}
			case c >= 0x20:
				// special flags space and '!' too; plain bytes reach here near the end.
				i++
			default:
				return -1 // a control character
			}
		}
	case 't':
		if end-i >= 4 && binary.LittleEndian.Uint32(buf[i:]) == lit4True {
			return i + 4
		}
	case 'f':
		if end-i >= 5 && binary.LittleEndian.Uint32(buf[i:]) == lit4Fals && buf[i+4] == 'e' {
			return i + 5
		}
	case 'n':
		if end-i >= 4 && binary.LittleEndian.Uint32(buf[i:]) == lit4Null {
			return i + 4
		}
	case '{', '[':
		// The general path would push the container: past the nesting limit it is an error.
		if depth >= maxDepth || i+1 >= end {
			return -1
		}
		if buf[i+1] == c+2 { // '}' is '{'+2, ']' is '['+2
			return i + 2
		}
		if c == '{' {
			return -1
		}
		// An array of integers, [4,6].
		for i++; ; i++ {
			if i = plainInt(buf, i, end); i < 0 {
				return -1
			}
			switch buf[i] {
			case ']':
				return i + 1
			case ',':
				continue
			}
			return -1
		}
	default:
		if i = plainInt(buf, i, end); i >= 0 {
			switch buf[i] {
			case ',', '}', ']', ' ', '\n', '\r', '\t':
				return i
			}
		}
	}
	return -1
}

// plainInt returns the index just past the non-negative integer without leading zero at
// buf[i], if the byte after it is before end; else -1. end <= len(buf).
func plainInt(buf []byte, i, end int) int {
	if i >= end {
		return -1
	}
	switch c := buf[i]; {
	case c == '0':
		i++
	case c >= '1' && c <= '9':
		i++
		for i < end && buf[i]-'0' <= 9 {
			i++
		}
	default:
		return -1
	}
	if i >= end {
		return -1
	}
	return i
}

// plain reports whether name is written in JSON as itself between quotes (printable ASCII
// without '"' and '\\'), so that matching its bytes in the input matches the key.
func plain(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// NextElem reports whether another element of the current array follows, consuming the ','
// before it as needed. It returns false after consuming the ']' that ends the array.
func (s *Scanner) NextElem() (ok bool, err error) {
	if s.err != nil {
		return false, s.err
	}
	if s.top != '[' {
		return false, s.fail(s.pos, "NextElem called outside an array")
	}
	var c byte
	if s.pos < s.end && s.buf[s.pos] > ' ' {
		c = s.buf[s.pos]
	} else if c, err = s.peekSlow(); err != nil {
		return false, err
	}
	if c == ']' {
		s.pos++
		s.pop()
		return false, nil
	}
	if !s.first {
		if c != ',' {
			return false, s.fail(s.pos, "invalid character "+quoteChar(c)+" after array element")
		}
		s.pos++
	}
	s.first = false
	return true, nil
}

// String reads a string value and returns it unescaped. The bytes are valid until the next
// call on s.
func (s *Scanner) String() ([]byte, error) {
	if b, ok := s.PlainString(); ok {
		return b, nil
	}
	if s.err != nil {
		return nil, s.err
	}
	c, err := s.peek()
	if err != nil {
		return nil, err
	}
	if c != '"' {
		return nil, s.mismatch(c, "string")
	}
	return s.readString()
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special returns a word whose lowest set bit is the high bit of the first byte of w (in
// little-endian order) that is below 0x23 or is '\\', or 0 if there is none. Those bytes are
// the ones a string scan must stop at: '"' (0x22), '\\' and control characters (< 0x20); space
// (0x20) and '!' (0x21) are caught too, which costs one step of the byte loop each but saves
// a third test per word. These are the bit tricks of "Bit Twiddling Hacks" (hasless,
// haszero): a byte is flagged when subtracting borrows into its high bit; flags above the
// first true one may be false positives, which is why only the lowest is used.
func special(w uint64) uint64 {
	b := w ^ (ones * '\\')
	return ((w-ones*0x23)&^w | (b-ones)&^b) & highs
}

// PlainString reads the next value and reports true if it is a string right at the current
// position (no whitespace before it) of printable ASCII without escapes, spaces or '!', wholly
// buffered with eight bytes to spare: the commonest strings, whose bytes are their value.
// Otherwise it consumes nothing, sets no error and reports false, and the caller reads the
// value with String or the other methods (a reader of optional values, which may be null,
// tries PlainString first to save a Peek). The bytes are valid until the next call on s.
func (s *Scanner) PlainString() ([]byte, bool) {
	if s.err != nil || s.pos >= s.end || s.end > len(s.buf) || s.buf[s.pos] != '"' {
		return nil, false
	}
	buf, end := s.buf, s.end
	start := s.pos + 1
	for i := start; i+8 <= end; i += 8 {
		w := binary.LittleEndian.Uint64(buf[i:])
		m := special(w)
		if m == 0 {
			if w&highs != 0 {
				return nil, false
			}
			continue
		}
		// Only the bytes before the special one count.
		if w&((m&-m)-1)&highs != 0 {
			return nil, false
		}
		if q := i + bits.TrailingZeros64(m)>>3; buf[q] == '"' {
			s.pos = q + 1
			return buf[start:q], true
		}
		return nil, false
	}
	return nil, false
}

// Flags scanString reports about a string.
const (
	hasEscape   = 1 << iota // a backslash escape
	hasNonASCII             // a byte >= 0x80 (then UTF-8 must be checked)
)

// scanString finds the end of the string starting at buf[s.pos] ('"'), validating it
// (RFC 8259 section 7: no unescaped control characters, only the defined escapes). It returns
// the index of the closing quote and the flags hasEscape and hasNonASCII. It may refill,
// which keeps s.pos at the opening quote.
func (s *Scanner) scanString() (closeQuote int, flags uint8, err error) {
	i := s.pos + 1
	var hi uint64 // the high bits of every byte passed, to tell ASCII strings apart
	for {
		// Eight bytes at a time until a special byte or fewer than eight bytes remain.
		for i+8 <= s.end {
			w := binary.LittleEndian.Uint64(s.buf[i:])
			if m := special(w); m != 0 {
				// Keep the high bits of the bytes before the special one only.
				hi |= w & ((m & -m) - 1)
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			hi |= w
			i += 8
		}
		if i >= s.end {
			if err := s.more(&i); err != nil {
				return 0, 0, err
			}
			continue
		}
		switch c := s.buf[i]; {
		case c == '"':
			if hi&highs != 0 {
				flags |= hasNonASCII
			}
			return i, flags, nil
		case c == '\\':
			if i+1 >= s.end {
				if err := s.more(&i); err != nil {
					return 0, 0, err
				}
				continue
			}
			switch s.buf[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > s.end {
					if err := s.more(&i); err != nil {
						return 0, 0, err
					}
					continue
				}
				for j, h := range s.buf[i+2 : i+6] {
					if unhex(h) < 0 {
						return 0, 0, s.fail(i+2+j, "invalid character "+quoteChar(h)+" in \\u hexadecimal character escape")
					}
				}
				i += 6
			default:
				return 0, 0, s.fail(i+1, "invalid character "+quoteChar(s.buf[i+1])+" in string escape code")
			}
			flags |= hasEscape
		case c < 0x20:
			return 0, 0, s.fail(i, "invalid character "+quoteChar(c)+" in string literal")
		default:
			hi |= uint64(c) // bit 7, inside highs, is set for c >= 0x80
			i++
		}
	}
}

// more refills the buffer in the middle of a token that starts at s.pos, adjusting the index
// *i into it; at end of input it returns the error for a truncated input.
func (s *Scanner) more(i *int) error {
	shift, ok := s.fill()
	*i -= shift
	if !ok {
		return s.failEOF()
	}
	return nil
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// readString reads the string at s.pos and returns its unescaped bytes.
func (s *Scanner) readString() ([]byte, error) {
	q, flags, err := s.scanString()
	if err != nil {
		return nil, err
	}
	return s.stringAt(q, flags), nil
}

// stringAt consumes the string from s.pos to the closing quote at q (found by scanString
// with flags) and returns its unescaped bytes.
func (s *Scanner) stringAt(q int, flags uint8) []byte {
	raw := s.buf[s.pos+1 : q]
	s.pos = q + 1
	// Like encoding/json, invalid UTF-8 becomes U+FFFD.
	if flags == 0 || flags == hasNonASCII && utf8.Valid(raw) {
		return raw
	}
	s.scratch = unescape(s.scratch[:0], raw)
	return s.scratch
}

// unescape appends the unescaped form of raw, a validated string body, to dst. Like
// encoding/json, an unpaired surrogate in a \u escape becomes U+FFFD.
func unescape(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			j := i + 1
			for j < len(raw) && raw[j] != '\\' {
				j++
			}
			dst = appendUTF8(dst, raw[i:j])
			i = j
			continue
		}
		switch raw[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(raw[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					if r2 := utf16.DecodeRune(r, hex4(raw[i+2:])); r2 != utf8.RuneError {
						dst = utf8.AppendRune(dst, r2)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // '"', '\\', '/'
			dst = append(dst, raw[i+1])
		}
		i += 2
	}
	return dst
}

// appendUTF8 appends b to dst with each invalid UTF-8 sequence replaced by U+FFFD, as
// encoding/json does.
func appendUTF8(dst, b []byte) []byte {
	if utf8.Valid(b) {
		return append(dst, b...)
	}
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = append(dst, b[:n]...)
		}
		b = b[n:]
	}
	return dst
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		r = r<<4 | rune(unhex(c))
	}
	return r
}

// numberEnd returns the index just past the number token at s.pos, refilling until the token
// is wholly buffered (it ends at a byte that cannot continue a number, or at end of input).
func (s *Scanner) numberEnd() int {
	i := s.pos
	for {
		for i < s.end {
			c := s.buf[i]
			if c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
				i++
				continue
			}
			return i
		}
		shift, ok := s.fill()
		i -= shift
		if !ok {
			return i
		}
	}
}

// validNumber reports whether b is a number per RFC 8259 section 6:
// -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
func validNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i >= len(b) {
		return false
	}
	if b[i] == '0' {
		i++
	} else if b[i] >= '1' && b[i] <= '9' {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	} else {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	return i == len(b)
}

// numberToken consumes and validates the number at s.pos and returns its text.
func (s *Scanner) numberToken() ([]byte, error) {
	e := s.numberEnd()
	if s.err != nil {
		return nil, s.err
	}
	tok := s.buf[s.pos:e]
	if !validNumber(tok) {
		return nil, s.badNumber(e)
	}
	s.pos = e
	return tok, nil
}

// badNumber reports the invalid number token buf[s.pos:e]: as truncated input when it is the
// start of a number cut off by the end of input, else at its first offending byte.
func (s *Scanner) badNumber(e int) error {
	tok := s.buf[s.pos:e]
	// prefix reports whether b can be extended into a number.
	prefix := func(b []byte) bool { return validNumber(b) || validNumber(append(b[:len(b):len(b)], '0')) }
	if e == s.end && prefix(tok) {
		return s.failEOF()
	}
	for j := len(tok); j > 0; j-- {
		if prefix(tok[:j]) {
			return s.fail(s.pos+j, "invalid character "+quoteChar(s.buf[s.pos+j])+" in numeric literal")
		}
	}
	return s.fail(s.pos, "invalid character "+quoteChar(tok[0])+" looking for beginning of value")
}

// Number reads a number of any form and returns its text as it appears in the input
// (RFC 8259 section 6), valid until the next call on s. Callers that need a float parse it
// with strconv.ParseFloat.
func (s *Scanner) Number() ([]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	c, err := s.peek()
	if err != nil {
		return nil, err
	}
	if c != '-' && (c < '0' || c > '9') {
		return nil, s.mismatch(c, "number")
	}
	return s.numberToken()
}

// Int reads an integer number. A number with a fraction or an exponent, or one outside the
// int64 range, is an error (wrapping ErrMismatch).
func (s *Scanner) Int() (int64, error) {
	// Fast path: right at s.pos, a non-negative integer of at most 18 digits (no overflow
	// possible) without leading zero, and the byte after it buffered and not part of a number.
	if s.err == nil && s.pos < s.end && s.end <= len(s.buf) {
		buf, i, end := s.buf, s.pos, s.end
		if d := buf[i] - '0'; d <= 9 {
			v := uint64(d)
			j := i + 1
			if d != 0 {
				for j < end {
					d := buf[j] - '0'
					if d > 9 {
						break
					}
					v = v*10 + uint64(d)
					j++
				}
			}
			if j < end && j-i <= 18 {
				if c := buf[j]; c-'0' > 9 && c != '.' && c != 'e' && c != 'E' {
					s.pos = j
					return int64(v), nil
				}
			}
		}
	}
	return s.intGeneral()
}

// intGeneral is Int for what its fast path declines: whitespace first, a negative number, a
// number that reaches the end of the buffer, a malformed number, a non-integer, or one of 19
// or more digits.
func (s *Scanner) intGeneral() (int64, error) {
	if s.err != nil {
		return 0, s.err
	}
	c, err := s.peek()
	if err != nil {
		return 0, err
	}
	if c != '-' && (c < '0' || c > '9') {
		return 0, s.mismatch(c, "integer")
	}
	return s.intSlow()
}

// intSlow parses what the fast path of Int declines: a number that reaches the end of the
// buffer, a malformed number, a non-integer, or one of 19 or more digits.
func (s *Scanner) intSlow() (int64, error) {
	tok, err := s.numberToken()
	if err != nil {
		return 0, err
	}
	neg := tok[0] == '-'
	digits := tok
	if neg {
		digits = tok[1:]
	}
	var v uint64
	ok := true
	for _, c := range digits {
		if c < '0' || c > '9' {
			ok = false // a fraction or an exponent
			break
		}
		hi, lo := bits.Mul64(v, 10)
		lo, carry := bits.Add64(lo, uint64(c-'0'), 0)
		if hi != 0 || carry != 0 {
			ok = false
			break
		}
		v = lo
	}
	switch {
	case ok && neg && v <= 1<<63:
		return int64(-v), nil // -(1<<63) wraps to itself, the minimum int64
	case ok && !neg && v <= 1<<63-1:
		return int64(v), nil
	}
	s.err = &SyntaxError{Offset: s.Offset() - int64(len(tok)), Msg: "number " + string(tok) + " is not an int64 integer", cause: ErrMismatch}
	return 0, s.err
}

// Bool reads true or false.
func (s *Scanner) Bool() (bool, error) {
	if s.err != nil {
		return false, s.err
	}
	// Fast path: compare the whole literal as one word.
	if s.pos+5 <= s.end {
		switch binary.LittleEndian.Uint32(s.buf[s.pos:]) {
		case lit4True:
			s.pos += 4
			return true, nil
		case lit4Fals:
			if s.buf[s.pos+4] == 'e' {
				s.pos += 5
				return false, nil
			}
		}
	}
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	switch c {
	case 't':
		return true, s.literal("true")
	case 'f':
		return false, s.literal("false")
	}
	return false, s.mismatch(c, "bool")
}

// The first four bytes of true, false and null as little-endian words.
const (
	lit4True = 't' | 'r'<<8 | 'u'<<16 | 'e'<<24
	lit4Fals = 'f' | 'a'<<8 | 'l'<<16 | 's'<<24
	lit4Null = 'n' | 'u'<<8 | 'l'<<16 | 'l'<<24
)

// Null consumes null if it is the next value and reports whether it was.
func (s *Scanner) Null() (bool, error) {
	if s.err != nil {
		return false, s.err
	}
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	if c != 'n' {
		if kindOf(c) == Invalid {
			return false, s.fail(s.pos, "invalid character "+quoteChar(c)+" looking for beginning of value")
		}
		return false, nil
	}
	return true, s.literal("null")
}

// literal consumes lit (true, false or null), whose first byte is at s.pos.
func (s *Scanner) literal(lit string) error {
	for s.end-s.pos < len(lit) {
		if _, ok := s.fill(); !ok {
			break
		}
	}
	for i := 0; i < len(lit); i++ {
		if s.pos+i >= s.end {
			return s.failEOF()
		}
		if s.buf[s.pos+i] != lit[i] {
			return s.fail(s.pos+i, "invalid character "+quoteChar(s.buf[s.pos+i])+" in literal "+lit+" (expecting "+quoteChar(lit[i])+")")
		}
	}
	s.pos += len(lit)
	return nil
}

// Skip consumes the next value, whatever its kind, validating it but not unescaping strings.
func (s *Scanner) Skip() error {
	if s.err != nil {
		return s.err
	}
	// Scalars first, without the container loop.
	var c byte
	if s.pos < s.end && s.buf[s.pos] > ' ' {
		c = s.buf[s.pos]
	} else {
		var err error
		if c, err = s.peekSlow(); err != nil {
			return err
		}
	}
	if c != '{' && c != '[' {
		return s.skipScalar(c)
	}
	// Empty containers ([] and {} are common: OutstackConditionIds) without the loop.
	if s.pos+1 < s.end && s.buf[s.pos+1] == c+2 { // ']' is '['+2, '}' is '{'+2
		s.pos += 2
		return nil
	}
	depth := len(s.stack)
	if err := s.push(c); err != nil {
		return err
	}
	for {
		// Close containers until the next value or the end of the skipped one.
		for {
			if len(s.stack) == depth {
				return nil
			}
			var ok bool
			var err error
			if s.top == '{' {
				_, ok, err = s.nextKey(false)
			} else {
				ok, err = s.NextElem()
			}
			if err != nil {
				return err
			}
			if ok {
				break
			}
		}
		// One value.
		c, err := s.peek()
		if err != nil {
			return err
		}
		if c == '{' || c == '[' {
			if err := s.push(c); err != nil {
				return err
			}
		} else if err := s.skipScalar(c); err != nil {
			return err
		}
	}
}

// skipScalar consumes the string, number or literal that starts with c at s.pos.
func (s *Scanner) skipScalar(c byte) error {
	switch c {
	case '"':
		q, _, err := s.scanString()
		if err != nil {
			return err
		}
		s.pos = q + 1
		return nil
	case 't', 'f':
		_, err := s.Bool()
		return err
	case 'n':
		return s.literal("null")
	}
	if c != '-' && (c < '0' || c > '9') {
		return s.fail(s.pos, "invalid character "+quoteChar(c)+" looking for beginning of value")
	}
	// Fast path: a non-negative integer without leading zero (or 0 itself) followed by a byte
	// that ends a number in valid JSON.
	if c != '-' {
		i := s.pos + 1
		if c != '0' {
			for i < s.end && s.buf[i]-'0' <= 9 {
				i++
			}
		}
		if i < s.end {
			switch s.buf[i] {
			case ',', '}', ']', ' ', '\n', '\r', '\t':
				s.pos = i
				return nil
			}
		}
	}
	_, err := s.numberToken()
	return err
}

// Depth returns the number of objects and arrays open at the current position.
func (s *Scanner) Depth() int { return len(s.stack) }

// Repeats remembers up to MaxRepeats values as they appear in the input, so that a reader can
// recognize a value that repeats one of them byte for byte (Scanner.Repeat) and reuse what it
// made of it instead of parsing it again: producers of CVRs write the same small objects (a
// mark, a selection) on ballot after ballot. The zero Repeats is empty.
//
// Recognizing a repeat is sound: a remembered value is an object, array or string that was
// read without error where a value was expected at the same depth, and input that starts with
// those bytes at such a place reads as exactly that value, again without error. (A number is
// never remembered: where it ends depends on what follows; nor is a value at another depth
// recognized, because of the nesting limit.)
type Repeats struct {
	raw   [MaxRepeats][]byte
	depth [MaxRepeats]int
	key   [MaxRepeats]uint64 // the word at offset disc of each value
	n     int                // values remembered
	disc  int                // an offset at which the values differ, and where each has 8 bytes
}

// MaxRepeats is the number of values a Repeats remembers.
const MaxRepeats = 16

// MaxRepeatLen is the length of the longest value a Repeats remembers.
const MaxRepeatLen = 1024

// Len returns the number of values r remembers.
func (r *Repeats) Len() int { return r.n }

// Remember makes value i of r (0 <= i < MaxRepeats; i <= Len) the value just read, from offset
// start (an Offset taken where the value was expected), and reports whether it did: not for a
// value other than an object, array or string, one longer than MaxRepeatLen, or one whose
// bytes have left the buffer (never for a Scanner over bytes, NewBytes). depth is the depth
// where the value was expected (Depth). A value that is not remembered leaves value i unchanged.
func (s *Scanner) Remember(r *Repeats, i int, start int64, depth int) bool {
	b := start - s.base
	if i < 0 || i >= MaxRepeats || i > r.n || s.err != nil || b < 0 || b > int64(s.pos) || int64(s.pos)-b > MaxRepeatLen || int64(s.pos)-b < 2 {
		return false
	}
	v := s.buf[b:s.pos]
	if c := v[0]; c != '{' && c != '[' && c != '"' {
		return false
	}
	r.raw[i] = append(r.raw[i][:0], v...)
	r.depth[i] = depth
	if i == r.n {
		r.n++
	}
	r.rekey()
	return true
}

// rekey picks the offset where the remembered values first differ (the first difference
// between any two is also one between the first value and another), moved back so that
// eight bytes fit in the shortest, and keys each value by its word there.
func (r *Repeats) rekey() {
	minLen := len(r.raw[0])
	disc := minLen
	for i := 1; i < r.n; i++ {
		minLen = min(minLen, len(r.raw[i]))
		disc = min(disc, firstDiff(r.raw[0], r.raw[i]))
	}
	r.disc = max(0, min(disc, minLen-8))
	for i := 0; i < r.n; i++ {
		r.key[i] = 0
		if len(r.raw[i]) >= r.disc+8 {
			r.key[i] = binary.LittleEndian.Uint64(r.raw[i][r.disc:])
		}
	}
}

// firstDiff returns the length of the longest common prefix of a and b.
func firstDiff(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for ; i+8 <= n; i += 8 {
		if x := binary.LittleEndian.Uint64(a[i:]) ^ binary.LittleEndian.Uint64(b[i:]); x != 0 {
			return i + bits.TrailingZeros64(x)>>3
		}
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// Repeat consumes the next value if it repeats a value of r, and returns that value's index;
// otherwise it consumes nothing and returns -1. Call it where a value is expected (after
// NextElem or a key). Whitespace before the value is not skipped: such input takes the
// general path.
func (s *Scanner) Repeat(r *Repeats) int {
	if r.n == 0 || s.err != nil || s.end > len(s.buf) {
		return -1
	}
	p, d := s.pos, r.disc
	if p+d+8 > s.end {
		return -1
	}
	key := binary.LittleEndian.Uint64(s.buf[p+d:])
	depth := len(s.stack)
	for i := 0; i < r.n; i++ {
		raw := r.raw[i]
		n := len(raw)
		if r.key[i] != key || r.depth[i] != depth || n > s.end-p || n < 8 {
			continue
		}
		b := s.buf[p : p+n]
		// The last word first: values with the same key differ, if at all, late (a rank, a
		// status), and the whole compare is the runtime's vectorized one.
		if binary.LittleEndian.Uint64(b[n-8:]) != binary.LittleEndian.Uint64(raw[n-8:]) || string(b) != string(raw) {
			continue
		}
		s.pos = p + n
		return i
	}
	return -1
}

// End checks that the JSON text is complete and only whitespace remains until EOF.
func (s *Scanner) End() error {
	if s.err != nil {
		return s.err
	}
	if len(s.stack) != 0 {
		return s.fail(s.pos, "End called inside an unfinished value")
	}
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			if c == ' ' || c == '\n' || c == '\r' || c == '\t' {
				s.pos++
				continue
			}
			return s.fail(s.pos, "invalid character "+quoteChar(c)+" after top-level value")
		}
		if _, ok := s.fill(); !ok {
			if s.err != nil {
				return s.err
			}
			return nil
		}
	}
}
