// Package ledger is canvass's tamper-evident record: an append-only log of typed entries whose
// leaves and tree hashes follow RFC 6962 (github.com/transparency-dev/merkle), whose checkpoints
// are C2SP tlog-checkpoint signed notes (golang.org/x/mod/sumdb/note, Ed25519), and which is
// published as static files in the C2SP tlog-tiles layout. It is the design of Certificate
// Transparency and of Go's checksum database; docs/LEDGER.md states it byte by byte.
//
// The package does no database I/O: the store keeps the entries and the tile rows, and gives
// them back through TileRows; publication and verification read through a Fetcher.
package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// Version is the entry format version written in every entry's "v" field.
const Version = 1

// MaxEntrySize is the largest encoded entry: tlog-tiles entry bundles prefix each entry with a
// big-endian uint16 length.
const MaxEntrySize = 1<<16 - 1

// Entry types. Each state-changing operation of canvass appends one operation entry, possibly
// followed by entries that record its consequences in the same transaction (TypeElection after
// an import that defined contests or choices).
const (
	TypeInit          = "workspace.init"
	TypeImportCVR     = "import.cvr"
	TypeImportResults = "import.results"
	TypeElection      = "election"
	TypeTabulation    = "tabulation"
	TypeCertification = "certification"
	TypeAmendment     = "amendment"
)

// Entry is one record of the log. Its encoding (Encode) is canonical JSON:
//
//	{"actor":"…","body":{…},"seq":N,"time":"2026-11-27T04:50:00.123456789Z","type":"…","v":1}
//
// Seq is the entry's index in the log (0-based), so that an entry moved to another position
// no longer matches its own record. Time is RFC 3339 in UTC with nanoseconds.
type Entry struct {
	Actor string          `json:"actor"`
	Body  json.RawMessage `json:"body"`
	Seq   uint64          `json:"seq"`
	Time  string          `json:"time"`
	Type  string          `json:"type"`
	V     int             `json:"v"`
	// canonicalBody is set when Body is known to be canonical (made by NewEntry or checked
	// by Decode), so that Encode need not canonicalize it again.
	canonicalBody bool
}

// TimeFormat is the layout of Entry.Time.
const TimeFormat = "2006-01-02T15:04:05.000000000Z"

// FormatTime formats t as Entry.Time.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// NewEntry makes an entry of the given type, with body encoded canonically. Seq is set by the
// store when it appends the entry.
func NewEntry(typ, actor string, at time.Time, body any) (*Entry, error) {
	b, err := Canonical(body)
	if err != nil {
		return nil, fmt.Errorf("ledger: %s entry: %w", typ, err)
	}
	return &Entry{V: Version, Type: typ, Actor: actor, Time: FormatTime(at), Body: b, canonicalBody: true}, nil
}

// Encode returns the entry's canonical encoding, the bytes the log hashes.
func (e *Entry) Encode() ([]byte, error) {
	body := []byte(e.Body)
	if !e.canonicalBody {
		var err error
		if body, err = Canonical(e.Body); err != nil {
			return nil, err
		}
	}
	// The members in canonical order: actor, body, seq, time, type, v.
	var buf bytes.Buffer
	buf.Grow(len(body) + len(e.Actor) + len(e.Type) + 96)
	buf.WriteString(`{"actor":`)
	if err := writeString(&buf, e.Actor); err != nil {
		return nil, err
	}
	buf.WriteString(`,"body":`)
	buf.Write(body)
	buf.WriteString(`,"seq":`)
	buf.WriteString(strconv.FormatUint(e.Seq, 10))
	buf.WriteString(`,"time":`)
	if err := writeString(&buf, e.Time); err != nil {
		return nil, err
	}
	buf.WriteString(`,"type":`)
	if err := writeString(&buf, e.Type); err != nil {
		return nil, err
	}
	buf.WriteString(`,"v":`)
	buf.WriteString(strconv.Itoa(e.V))
	buf.WriteByte('}')
	b := buf.Bytes()
	if len(b) > MaxEntrySize {
		return nil, fmt.Errorf("ledger: %s entry is %d bytes, more than the %d an entry may have", e.Type, len(b), MaxEntrySize)
	}
	return b, nil
}

// ErrNotCanonical is returned by Decode for an entry that is valid JSON but not in the
// canonical encoding: a verifier refuses it, because two encodings of one entry would hash
// differently.
var ErrNotCanonical = errors.New("not in canonical encoding")

// Decode parses an encoded entry and checks that it is canonical and of this version.
func Decode(data []byte) (*Entry, error) {
	var e Entry
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(&e); err != nil {
		return nil, fmt.Errorf("entry: %w", err)
	}
	if d.More() {
		return nil, errors.New("entry: data after the JSON object")
	}
	if e.V != Version {
		return nil, fmt.Errorf("entry: version %d, this verifier knows %d", e.V, Version)
	}
	if e.Type == "" || len(e.Body) == 0 {
		return nil, errors.New("entry: missing type or body")
	}
	if _, err := time.Parse(TimeFormat, e.Time); err != nil {
		return nil, fmt.Errorf("entry: time %q: not of the form %s", e.Time, TimeFormat)
	}
	// The one encoding of the decoded entry must be the bytes given: this refuses every
	// variant the JSON decoder tolerates (key case, missing fields, spacing, order, escapes).
	c, err := e.Encode()
	if err != nil {
		return nil, fmt.Errorf("entry: %w", err)
	}
	if !bytes.Equal(c, data) {
		return nil, fmt.Errorf("entry: %w", ErrNotCanonical)
	}
	return &e, nil
}

// DecodeBody decodes the entry's body into v, refusing fields v does not have.
func (e *Entry) DecodeBody(v any) error {
	d := json.NewDecoder(bytes.NewReader(e.Body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%s entry %d: body: %w", e.Type, e.Seq, err)
	}
	return nil
}

// Canonical encodes v (anything encoding/json marshals) as canonical JSON: the JSON
// Canonicalization Scheme of RFC 8785 restricted to integer numbers. Object members are sorted
// by the UTF-16 code units of their names, there is no insignificant white space, strings
// escape only '"', '\\' and control characters (as \b \t \n \f \r or \u00xx), and numbers are
// integers in plain decimal without leading zeros or "+" (-0 is 0). A number with a fraction or
// exponent is refused: counts are integers, and statistics are written as decimal strings.
func Canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeCanonical(&buf, x); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeCanonical(buf *bytes.Buffer, x any) error {
	switch x := x.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		if x {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	case json.Number:
		s := string(x)
		if strings.ContainsAny(s, ".eE") {
			return fmt.Errorf("number %s is not an integer", s)
		}
		if strings.HasPrefix(s, "-") {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return fmt.Errorf("number %s: %w", s, err)
			}
			buf.WriteString(strconv.FormatInt(n, 10))
		} else {
			n, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return fmt.Errorf("number %s: %w", s, err)
			}
			buf.WriteString(strconv.FormatUint(n, 10))
		}
	case string:
		return writeString(buf, x)
	case []any:
		buf.WriteByte('[')
		for i, v := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeCanonical(buf, v); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return lessUTF16(keys[i], keys[j]) })
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeString(buf, k); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := writeCanonical(buf, x[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("canonical: unexpected %T", x)
	}
	return nil
}

func writeString(buf *bytes.Buffer, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("string %q is not valid UTF-8", s)
	}
	buf.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			buf.WriteString(`\"`)
		case c == '\\':
			buf.WriteString(`\\`)
		case c == '\b':
			buf.WriteString(`\b`)
		case c == '\t':
			buf.WriteString(`\t`)
		case c == '\n':
			buf.WriteString(`\n`)
		case c == '\f':
			buf.WriteString(`\f`)
		case c == '\r':
			buf.WriteString(`\r`)
		case c < 0x20:
			fmt.Fprintf(buf, `\u%04x`, c)
		default:
			buf.WriteByte(c)
		}
	}
	buf.WriteByte('"')
	return nil
}

// lessUTF16 orders strings by their UTF-16 code units, as RFC 8785 section 3.2.3 requires.
func lessUTF16(a, b string) bool {
	if isASCII(a) && isASCII(b) {
		return a < b
	}
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return len(ua) < len(ub)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
