package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// walk reads one value generically with the typed methods and returns it in the shape
// encoding/json.Unmarshal with UseNumber produces (map[string]any, []any, string,
// json.Number, bool, nil), so that the two can be compared.
func walk(s *Scanner) (any, error) {
	k, err := s.Peek()
	if err != nil {
		return nil, err
	}
	switch k {
	case Object:
		if err := s.BeginObject(); err != nil {
			return nil, err
		}
		m := map[string]any{}
		for {
			key, ok, err := s.NextKey()
			if err != nil {
				return nil, err
			}
			if !ok {
				return m, nil
			}
			name := string(key)
			v, err := walk(s)
			if err != nil {
				return nil, err
			}
			m[name] = v
		}
	case Array:
		if err := s.BeginArray(); err != nil {
			return nil, err
		}
		a := []any{}
		for {
			ok, err := s.NextElem()
			if err != nil {
				return nil, err
			}
			if !ok {
				return a, nil
			}
			v, err := walk(s)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
	case String:
		b, err := s.String()
		return string(b), err
	case Number:
		b, err := s.Number()
		return json.Number(b), err
	case Bool:
		return s.Bool()
	case Null:
		ok, err := s.Null()
		if err == nil && !ok {
			err = errors.New("Null returned false after Peek said null")
		}
		return nil, err
	}
	return nil, fmt.Errorf("Peek returned %v", k)
}

// walkDoc walks a whole JSON text and checks that nothing follows it.
func walkDoc(s *Scanner) (any, error) {
	v, err := walk(s)
	if err != nil {
		return nil, err
	}
	return v, s.End()
}

func skipDoc(s *Scanner) error {
	if err := s.Skip(); err != nil {
		return err
	}
	return s.End()
}

func decode(doc string) (any, error) {
	d := json.NewDecoder(strings.NewReader(doc))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// readers returns the ways a test feeds doc to a scanner: the default buffer, tiny buffers
// that force a refill inside every token, a reader that returns one byte per call, and the
// whole document in place (NewBytes).
func readers(doc string) map[string]*Scanner {
	m := map[string]*Scanner{"default": New(strings.NewReader(doc)), "bytes": NewBytes([]byte(doc))}
	for _, n := range []int{1, 2, 3, 5, 8, 9, 17} {
		m[fmt.Sprintf("buf%d", n)] = newSize(strings.NewReader(doc), n)
	}
	m["onebyte"] = newSize(iotest.OneByteReader(strings.NewReader(doc)), 64)
	m["dataerr"] = newSize(iotest.DataErrReader(strings.NewReader(doc)), 4)
	return m
}

// docs are hand-written cases for the grammar of RFC 8259; encoding/json.Valid is the
// reference for which are accepted.
var docs = []string{
	// valid
	`{}`, `[]`, `""`, `0`, `-0`, `1`, `-1`, `12.5e-3`, `1E+2`, `1e2`, `0.0`, `true`, `false`, `null`,
	` { "a" : [ 1 , 2 , { "b" : null } ] , "c" : "d" } `,
	"\t\r\n[\n1\n]\n",
	`{"Id":18,"ManifestationId":59657,"Marks":[{"CandidateId":60,"IsVote":true}]}`,
	`"esc \" \\ \/ \b \f \n \r \t \u00e9 \u20AC \ud83d\ude00 \ud800 x \udc00"`,
	`"plain ascii longer than eight bytes to use the word loop"`,
	"\"utf-8 caf\xc3\xa9 \xe2\x82\xac\"",
	"\"invalid utf-8 \xff is accepted like encoding/json\"",
	`[9223372036854775807,-9223372036854775808,18446744073709551616,1.7976931348623157e309]`,
	`{"a":{"b":{"c":[[[]]]}}}`,
	`{"":""}`,
	`{"a":1,"a":2}`,
	// invalid
	``, ` `, `{`, `}`, `[`, `]`, `{]`, `[}`, `[1,]`, `[,1]`, `[1 2]`, `{"a"}`, `{"a":}`, `{"a":1,}`,
	`{"a" 1}`, `{a:1}`, `{1:1}`, `[1]]`, `[1][2]`, `01`, `-`, `-a`, `--1`, `1.`, `1.e5`, `.5`, `1e`,
	`1e+`, `+1`, `0x10`, `tru`, `truex`, `nul`, `nulll`, `fals`, `True`, `"abc`, `"\x"`, `"\u12"`,
	`"\u12G4"`, "\"\x01\"", "\"tab\there\"", `'a'`, `[1,2`, `{"a":1`, `{"a":[1,{"b":2}]`,
	"\xef\xbb\xbf{}", `[1.5e]`, `[-01]`, `nan`, `[Infinity]`, `"\`, `"\u`, `"abc\`,
}

func TestWalkMatchesEncodingJSON(t *testing.T) {
	for _, doc := range docs {
		want, werr := decode(doc)
		valid := json.Valid([]byte(doc))
		for name, s := range readers(doc) {
			got, err := walkDoc(s)
			if (err == nil) != valid {
				t.Errorf("%q (%s): walk error %v, json.Valid %v", doc, name, err, valid)
				continue
			}
			if err != nil {
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Errorf("%q (%s): error %T %v is not a *SyntaxError", doc, name, err, err)
				}
				continue
			}
			if werr != nil {
				t.Fatalf("%q: encoding/json: %v", doc, werr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%q (%s): walk = %#v, encoding/json = %#v", doc, name, got, want)
			}
		}
		for name, s := range readers(doc) {
			if err := skipDoc(s); (err == nil) != valid {
				t.Errorf("%q (%s): Skip error %v, json.Valid %v", doc, name, err, valid)
			}
		}
	}
}

func TestNestingLimit(t *testing.T) {
	// encoding/json accepts 10,000 levels and rejects 10,001; so must we.
	for _, depth := range []int{maxDepth, maxDepth + 1} {
		doc := strings.Repeat("[", depth) + strings.Repeat("]", depth)
		valid := json.Valid([]byte(doc))
		if want := depth <= maxDepth; valid != want {
			t.Fatalf("json.Valid at depth %d = %v, test assumes %v", depth, valid, want)
		}
		if err := skipDoc(New(strings.NewReader(doc))); (err == nil) != valid {
			t.Errorf("depth %d: Skip error %v, want valid=%v", depth, err, valid)
		}
		if _, err := walkDoc(New(strings.NewReader(doc))); (err == nil) != valid {
			t.Errorf("depth %d: walk error %v, want valid=%v", depth, err, valid)
		}
	}
}

func TestInt(t *testing.T) {
	tests := []struct {
		in       string
		want     int64
		mismatch bool // error wraps ErrMismatch
		eof      bool // error wraps io.ErrUnexpectedEOF
		syntax   bool // any other syntax error
	}{
		{in: "0", want: 0},
		{in: "-0", want: 0},
		{in: "7", want: 7},
		{in: "  42  ", want: 42},
		{in: "-123", want: -123},
		{in: "123456789012345678", want: 123456789012345678},
		{in: "1234567890123456789", want: 1234567890123456789},
		{in: "9223372036854775807", want: math.MaxInt64},
		{in: "-9223372036854775808", want: math.MinInt64},
		{in: "9223372036854775808", mismatch: true},
		{in: "-9223372036854775809", mismatch: true},
		{in: "99999999999999999999999", mismatch: true},
		{in: "1.5", mismatch: true},
		{in: "1.0", mismatch: true},
		{in: "1e3", mismatch: true},
		{in: "2E-1", mismatch: true},
		{in: `"1"`, mismatch: true},
		{in: "true", mismatch: true},
		{in: "null", mismatch: true},
		{in: "{}", mismatch: true},
		{in: "01", syntax: true},
		{in: "-a", syntax: true},
		{in: "x", syntax: true},
		{in: "-", eof: true},
		{in: "1.", eof: true},
		{in: "1e+", eof: true},
		{in: "", eof: true},
	}
	for _, tt := range tests {
		for name, s := range readers(tt.in) {
			got, err := s.Int()
			if err == nil {
				err = s.End()
			}
			switch {
			case tt.mismatch:
				if !errors.Is(err, ErrMismatch) {
					t.Errorf("Int(%q) (%s) = %d, %v; want ErrMismatch", tt.in, name, got, err)
				}
			case tt.eof:
				if !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Errorf("Int(%q) (%s) = %d, %v; want io.ErrUnexpectedEOF", tt.in, name, got, err)
				}
			case tt.syntax:
				var se *SyntaxError
				if !errors.As(err, &se) || errors.Is(err, ErrMismatch) || errors.Is(err, io.ErrUnexpectedEOF) {
					t.Errorf("Int(%q) (%s) = %d, %v; want a plain syntax error", tt.in, name, got, err)
				}
			default:
				if err != nil || got != tt.want {
					t.Errorf("Int(%q) (%s) = %d, %v; want %d", tt.in, name, got, err, tt.want)
				}
			}
		}
	}
}

// TestRecord walks an object the way a reader does (typed reads by key) and checks the values
// and the offsets of errors.
func TestRecord(t *testing.T) {
	const doc = `{"TabulatorId":21,"ImageMask":"D:\\NAS\\x*.*","IsVote":false,"Marks":[{"CandidateId":60},{"CandidateId":61}],"Skip":{"a":[1,"}",{"b":null}]},"End":null}`
	for name, s := range readers(doc) {
		var tab int64
		var mask string
		var vote = true
		var cands []int64
		var sawNull bool
		err := s.BeginObject()
		for err == nil {
			var key []byte
			var ok bool
			key, ok, err = s.NextKey()
			if err != nil || !ok {
				break
			}
			switch string(key) {
			case "TabulatorId":
				tab, err = s.Int()
			case "ImageMask":
				var b []byte
				b, err = s.String()
				mask = string(b)
			case "IsVote":
				vote, err = s.Bool()
			case "Marks":
				err = s.BeginArray()
				for err == nil {
					if ok, err = s.NextElem(); err != nil || !ok {
						break
					}
					err = s.BeginObject()
					for err == nil {
						if key, ok, err = s.NextKey(); err != nil || !ok {
							break
						}
						if string(key) == "CandidateId" {
							var c int64
							c, err = s.Int()
							cands = append(cands, c)
						} else {
							err = s.Skip()
						}
					}
				}
			case "End":
				sawNull, err = s.Null()
			default:
				err = s.Skip()
			}
		}
		if err == nil {
			err = s.End()
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if tab != 21 || mask != `D:\NAS\x*.*` || vote || !reflect.DeepEqual(cands, []int64{60, 61}) || !sawNull {
			t.Errorf("%s: got %d %q %v %v %v", name, tab, mask, vote, cands, sawNull)
		}
		if s.Offset() != int64(len(doc)) {
			t.Errorf("%s: Offset = %d, want %d", name, s.Offset(), len(doc))
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		doc    string
		offset int64 // of the SyntaxError
		msg    string
	}{
		{`{"a":1 "b":2}`, 7, "after object key:value pair"},
		{`[1,2,]`, 5, "looking for beginning of value"},
		{"\"ab\x01\"", 3, "in string literal"},
		{`"ab\q"`, 4, "in string escape code"},
		{`[01]`, 2, "in numeric literal"},
		{`[tx]`, 2, "in literal true"},
		{`{"a":1}x`, 7, "after top-level value"},
		{`{"a":1`, 6, "unexpected end"},
	}
	for _, tt := range tests {
		_, err := walkDoc(New(strings.NewReader(tt.doc)))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v, want *SyntaxError", tt.doc, err)
			continue
		}
		if se.Offset != tt.offset || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("%q: error at %d %q, want at %d containing %q", tt.doc, se.Offset, se.Msg, tt.offset, tt.msg)
		}
		// Errors are sticky.
		if _, err2 := s2(tt.doc); err2 == nil {
			t.Errorf("%q: no error on second call", tt.doc)
		}
	}
	// A value of another kind wraps ErrMismatch and says what was found.
	s := New(strings.NewReader(`{"a":"x"}`))
	_ = s.BeginObject()
	_, _, _ = s.NextKey()
	_, err := s.Int()
	if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "found string") {
		t.Errorf("Int on a string: %v", err)
	}
	if _, err2 := s.String(); err2 != err {
		t.Errorf("error not sticky: %v then %v", err, err2)
	}
	// A read error is returned, wrapped, not turned into a syntax error.
	boom := errors.New("boom")
	s = New(io.MultiReader(strings.NewReader(`[1,`), iotest.ErrReader(boom)))
	if err := skipDoc(s); !errors.Is(err, boom) {
		t.Errorf("read error: got %v, want it to wrap %v", err, boom)
	}
	// Misuse is an error, not a panic.
	s = New(strings.NewReader(`[1]`))
	if _, _, err := s.NextKey(); err == nil {
		t.Error("NextKey outside an object: no error")
	}
	s = New(strings.NewReader(`{}`))
	if _, err := s.NextElem(); err == nil {
		t.Error("NextElem outside an array: no error")
	}
	s = New(strings.NewReader(`[`))
	_ = s.BeginArray()
	if err := s.End(); err == nil {
		t.Error("End inside an array: no error")
	}
}

// s2 walks doc and then calls Peek again, which must return the same sticky error.
func s2(doc string) (any, error) {
	s := New(strings.NewReader(doc))
	if _, err := walkDoc(s); err == nil {
		return nil, nil
	}
	_, err := s.Peek()
	return nil, err
}

func TestLongTokenGrowsBuffer(t *testing.T) {
	long := strings.Repeat("x", 1000) + `\n` + strings.Repeat("y", 1000)
	doc := `["` + long + `",` + strings.Repeat("1", 500) + `]`
	s := newSize(strings.NewReader(doc), 16)
	if err := s.BeginArray(); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.NextElem(); !ok || err != nil {
		t.Fatal(ok, err)
	}
	b, err := s.String()
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Repeat("x", 1000) + "\n" + strings.Repeat("y", 1000); string(b) != want {
		t.Errorf("long string: got %d bytes", len(b))
	}
	if ok, err := s.NextElem(); !ok || err != nil {
		t.Fatal(ok, err)
	}
	n, err := s.Number()
	if err != nil || string(n) != strings.Repeat("1", 500) {
		t.Errorf("long number: %q %v", n, err)
	}
	if _, err := s.NextElem(); err != nil {
		t.Fatal(err)
	}
	if err := s.End(); err != nil {
		t.Fatal(err)
	}
}

// TestNoAllocs checks the promise of no per-token allocation: scanning a document of many
// records allocates nothing once the scanner exists.
func TestNoAllocs(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"Sessions":[`)
	for i := range 2000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"TabulatorId":%d,"ImageMask":"D:\\NAS\\T%05d*.*","IsVote":true,"Marks":[{"CandidateId":%d,"X":null}]}`, i, i, i%7)
	}
	b.WriteString(`]}`)
	doc := b.Bytes()
	r := bytes.NewReader(doc)
	s := New(r)
	var sum int64
	allocs := testing.AllocsPerRun(5, func() {
		r.Reset(doc)
		s.Reset(r)
		if err := sumCandidates(s, &sum); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per document, want 0", allocs)
	}
	// 2000 records with CandidateId i%7: 285 full cycles of 0..6 (sum 21) and 0..4 (sum 10).
	if want := int64(6 * (285*21 + 10)); sum != want {
		t.Errorf("sum of CandidateId over 6 runs = %d, want %d", sum, want)
	}
}

// sumCandidates adds every CandidateId of a Sessions document to *sum, using each typed read.
func sumCandidates(s *Scanner, sum *int64) error {
	if err := s.BeginObject(); err != nil {
		return err
	}
	for {
		key, ok, err := s.NextKey()
		if err != nil {
			return err
		}
		if !ok {
			return s.End()
		}
		if string(key) != "Sessions" {
			if err := s.Skip(); err != nil {
				return err
			}
			continue
		}
		if err := s.BeginArray(); err != nil {
			return err
		}
		for {
			ok, err := s.NextElem()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if err := s.BeginObject(); err != nil {
				return err
			}
			for {
				key, ok, err := s.NextKey()
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				switch string(key) {
				case "TabulatorId":
					_, err = s.Int()
				case "ImageMask":
					_, err = s.String()
				case "IsVote":
					_, err = s.Bool()
				case "Marks":
					if err = s.BeginArray(); err != nil {
						return err
					}
					for {
						if ok, err = s.NextElem(); err != nil || !ok {
							break
						}
						if err = s.BeginObject(); err != nil {
							return err
						}
						for {
							if key, ok, err = s.NextKey(); err != nil || !ok {
								break
							}
							if string(key) == "CandidateId" {
								var c int64
								c, err = s.Int()
								*sum += c
							} else {
								err = s.Skip()
							}
							if err != nil {
								return err
							}
						}
					}
				default:
					err = s.Skip()
				}
				if err != nil {
					return err
				}
			}
		}
	}
}

// realFile is a public Dominion CVR export (San Francisco, November 2020) kept in the
// repository; the fuzz seeds and the benchmark use it.
const realFile = "../../testdata/cvr/dominion-kuriwaki/CvrExport_42.json"

func TestRealFile(t *testing.T) {
	data, err := os.ReadFile(realFile)
	if err != nil {
		t.Fatal(err)
	}
	want, err := decode(string(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{7, 4096, DefaultBufferSize} {
		got, err := walkDoc(newSize(bytes.NewReader(data), n))
		if err != nil {
			t.Fatalf("buffer %d: %v", n, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("buffer %d: walk differs from encoding/json", n)
		}
		if err := skipDoc(newSize(bytes.NewReader(data), n)); err != nil {
			t.Errorf("buffer %d: Skip: %v", n, err)
		}
	}
	// Every proper prefix is truncated input.
	for _, cut := range []int{1, 100, len(data) / 2, len(data) - 1} {
		err := skipDoc(New(bytes.NewReader(data[:cut])))
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("prefix of %d bytes: %v, want io.ErrUnexpectedEOF", cut, err)
		}
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Object: "object", Array: "array", String: "string", Number: "number", Bool: "bool", Null: "null", Invalid: "invalid", Kind(42): "Kind(42)"} {
		if k.String() != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, k.String(), want)
		}
	}
}

func TestNextKeyIndex(t *testing.T) {
	// Each document is an array of objects; the keys of k are recognized by index, others give
	// -1. The same Keys is used for every object, so its prediction is exercised on hits
	// (same order as before), misses (another order, a key not in the set), escapes, spaces.
	k := NewKeys("Id", "Name", "Marks", `Odd"Key`)
	tests := []struct {
		doc  string
		want [][]int // per object, the indices NextKeyIndex returns
	}{
		{`[{"Id":1,"Name":"a","Marks":[]},{"Id":2,"Name":"b","Marks":[]}]`, [][]int{{0, 1, 2}, {0, 1, 2}}},
		{`[{"Name":"a","Id":1},{"Marks":[],"Other":true,"Id":3}]`, [][]int{{1, 0}, {2, -1, 0}}},
		{`[ { "Id" : 1 , "Name":"x" } , {"\u0049d":2,"Na\u006de":"y"} ]`, [][]int{{0, 1}, {0, 1}}},
		{`[{"Odd\"Key":1,"Id":2},{}]`, [][]int{{3, 0}, {}}},
		{`[{"I":1,"Idx":2,"Id":3}]`, [][]int{{-1, -1, 0}}},
	}
	for _, tt := range tests {
		for name, s := range readers(tt.doc) {
			var got [][]int
			err := s.BeginArray()
			for err == nil {
				var ok bool
				if ok, err = s.NextElem(); err != nil || !ok {
					break
				}
				if err = s.BeginObject(); err != nil {
					break
				}
				obj := []int{}
				for {
					var i int
					i, ok, err = s.NextKeyIndex(k)
					if err != nil || !ok {
						break
					}
					obj = append(obj, i)
					if err = s.Skip(); err != nil {
						break
					}
				}
				got = append(got, obj)
			}
			if err == nil {
				err = s.End()
			}
			if err != nil {
				t.Errorf("%s (%s): %v", tt.doc, name, err)
				continue
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s (%s): got %v, want %v", tt.doc, name, got, tt.want)
			}
		}
	}
	// With Ignore, NextKeyIndex consumes the plain values of the ignored keys itself; the
	// others it returns as before, and a value it does not consume is returned too.
	ig := NewKeys("Id", "Name", "Marks", "Other").Ignore("Name", "Other", "NotAKey")
	igTests := []struct {
		doc  string
		want [][]int
	}{
		// Plain values of ignored keys are consumed (the first object teaches the order).
		{`[{"Id":1,"Name":"a b!c","Marks":[],"Other":[4,60,0]},{"Id":2,"Name":"abcdefghijklmnop","Marks":[1],"Other":true},` +
			`{"Id":3,"Name":"","Marks":{},"Other":null},{"Id":4,"Name":0,"Marks":[],"Other":false},{"Id":5,"Name":{},"Marks":[],"Other":[]}]`,
			[][]int{{0, 2}, {0, 2}, {0, 2}, {0, 2}, {0, 2}}},
		// Values that need the general path are returned with their key.
		{`[{"Id":1,"Name":"a\"b","Marks":[],"Other":-1},{"Id":2,"Name":[1.5],"Marks":[],"Other":{"x":1}},` +
			`{"Id":3,"Name":[-1],"Marks":[],"Other":01e1},{"Id":4,"Name":[1,"x"],"Marks":[],"Other":[[]]}]`,
			[][]int{{0, 1, 2, 3}, {0, 1, 2, 3}, {0, 1, 2, 3}, {0, 1, 2, 3}}},
	}
	for _, tt := range igTests {
		for name, s := range readers(tt.doc) {
			var got [][]int
			err := s.BeginArray()
			for err == nil {
				var ok bool
				if ok, err = s.NextElem(); err != nil || !ok {
					break
				}
				if err = s.BeginObject(); err != nil {
					break
				}
				obj := []int{}
				for {
					var i int
					i, ok, err = s.NextKeyIndex(ig)
					if err != nil || !ok {
						break
					}
					obj = append(obj, i)
					if err = s.Skip(); err != nil {
						break
					}
				}
				got = append(got, obj)
			}
			if err == nil {
				err = s.End()
			}
			if strings.Contains(tt.doc, "01e1") {
				// 01e1 is not JSON: the general path reports it, as without Ignore.
				if err == nil || !strings.Contains(err.Error(), "invalid character '1' in numeric literal at byte offset 135") {
					t.Errorf("%s: error %v, want one about 01e1", name, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s (%s): %v", tt.doc, name, err)
				continue
			}
			// Tiny buffers and one-byte reads leave values unbuffered, and the fast path
			// needs 64 bytes of buffer from the key on, which the end of the input in place
			// (bytes) lacks: only the default buffer must consume every plain value.
			if name != "default" {
				continue
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s (%s): got %v, want %v", tt.doc, name, got, tt.want)
			}
		}
	}
	// LearnOrder: the first object sets the order, with its unknown keys; afterwards those
	// are passed over with their plain values, and the known keys come by their indices.
	learnDoc := `[{"@type":"X","b":1,"a":"s","c":[1]},{"@type":"X","b":2,"a":"t","c":[2]},{"a":"u","@type":{"x":1},"b":3}]`
	for name, s := range readers(learnDoc) {
		lk := NewKeys("a", "b").LearnOrder()
		var got [][]int
		err := s.BeginArray()
		for err == nil {
			var ok bool
			if ok, err = s.NextElem(); err != nil || !ok {
				break
			}
			if err = s.BeginObject(); err != nil {
				break
			}
			obj := []int{}
			for {
				var i int
				i, ok, err = s.NextKeyIndex(lk)
				if err != nil || !ok {
					break
				}
				obj = append(obj, i)
				if err = s.Skip(); err != nil {
					break
				}
			}
			got = append(got, obj)
		}
		if err == nil {
			err = s.End()
		}
		if err != nil {
			t.Errorf("learn (%s): %v", name, err)
			continue
		}
		if name != "default" {
			continue // small buffers take the general path, which reports every key
		}
		// Object 1 teaches (every key reported); object 2 passes over "@type" and "c"
		// (plain values); object 3 has "@type" with an object value, reported as -1.
		if want := [][]int{{-1, 1, 0, -1}, {1, 0}, {0, -1, 1}}; !reflect.DeepEqual(got, want) {
			t.Errorf("learn: got %v, want %v", got, want)
		}
	}
	// Malformed objects are errors on the fast path as on the slow one.
	for _, doc := range []string{`{"Id":1"Name":2}`, `{,"Id":1}`, `{"Id":1,}`, `{"Id"1}`, `{"Id":1,"Name"`, `[1]`} {
		s := New(strings.NewReader(doc))
		var err error
		if doc[0] == '{' {
			err = s.BeginObject()
		}
		for err == nil {
			var ok bool
			if _, ok, err = s.NextKeyIndex(k); err != nil || !ok {
				break
			}
			err = s.Skip()
		}
		if err == nil {
			err = s.End()
		}
		if err == nil {
			t.Errorf("%s: no error", doc)
		}
	}
}

// TestRepeats checks that remembered values are recognized where they repeat byte for byte
// at the same depth, and nowhere else: not after whitespace, not at another depth, not a
// number (whose end depends on what follows), not a value that differs in its last byte.
func TestRepeats(t *testing.T) {
	mark := `{"Id":12,"Rank":1,"IsVote":true}`
	doc := `[` + mark + `,` + mark + `, ` + mark + `,[` + mark + `],{"Id":12,"Rank":1,"IsVote":false},"plain string",` +
		`"plain string",123456789,123456789,` + mark + `]`
	for name, s := range readers(doc) {
		var reps Repeats
		var hits []int // element numbers read as repeats
		if err := s.BeginArray(); err != nil {
			t.Fatal(err)
		}
		for n := 0; ; n++ {
			ok, err := s.NextElem()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !ok {
				break
			}
			if s.Repeat(&reps) >= 0 {
				hits = append(hits, n)
				continue
			}
			if _, err := s.Peek(); err != nil {
				t.Fatal(err)
			}
			start, depth := s.Offset(), s.Depth()
			k, _ := s.Peek()
			if k == Array {
				// Read the inner array's element normally, at depth 2.
				if err := s.BeginArray(); err != nil {
					t.Fatal(err)
				}
				for {
					ok, err := s.NextElem()
					if err != nil || !ok {
						break
					}
					if s.Repeat(&reps) >= 0 {
						t.Errorf("%s: element %d: a repeat recognized at another depth", name, n)
					}
					if err := s.Skip(); err != nil {
						t.Fatal(err)
					}
				}
				continue
			}
			if err := s.Skip(); err != nil {
				t.Fatal(err)
			}
			remembered := s.Remember(&reps, min(reps.Len(), MaxRepeats-1), start, depth)
			if k == Number && remembered {
				t.Errorf("%s: element %d: a number was remembered", name, n)
			}
		}
		if err := s.End(); err != nil {
			t.Fatal(err)
		}
		// Tiny buffers lose a value's bytes before it ends: nothing is remembered.
		if name != "default" && name != "bytes" {
			continue
		}
		// Elements 1 (the mark again) and 6 (the string again) and 9 (the mark, after other
		// values were remembered); not 2 (after a space), 3 (inside an array), 4 (false),
		// 8 (a number).
		if want := []int{1, 6, 9}; !reflect.DeepEqual(hits, want) {
			t.Errorf("%s: repeats at elements %v, want %v", name, hits, want)
		}
	}
}

// TestPlainString checks which strings PlainString takes (plain ASCII, right at the position,
// with eight bytes to spare) and that it leaves every other value, unconsumed, to the general
// methods.
func TestPlainString(t *testing.T) {
	tests := []struct {
		doc  string
		want string // "" when PlainString declines
	}{
		{`["abc-12",0000000000]`, "abc-12"},
		{`["a longer plain string",0]`, ""}, // a space: declined
		{`["CVR.SelectionPosition",0000000000]`, "CVR.SelectionPosition"},
		{`["esc\"aped",0]`, ""},
		{"[\"caf\xc3\xa9\",0]", ""},
		{`["x\u0041yzzzzzzzz",0]`, ""},
		{`[null,0]`, ""},
		{`[12345,0]`, ""},
		{`["end"]`, ""}, // fewer than eight bytes after the string
	}
	for _, tt := range tests {
		s := NewBytes([]byte(tt.doc))
		if err := s.BeginArray(); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.NextElem(); !ok || err != nil {
			t.Fatal(ok, err)
		}
		off := s.Offset()
		b, ok := s.PlainString()
		if ok != (tt.want != "") || string(b) != tt.want {
			t.Errorf("%s: PlainString = %q, %v; want %q", tt.doc, b, ok, tt.want)
		}
		if !ok && s.Offset() != off {
			t.Errorf("%s: declined but consumed %d bytes", tt.doc, s.Offset()-off)
		}
		if !ok {
			// The general path reads the value as before.
			if err := s.Skip(); err != nil {
				t.Errorf("%s: Skip after PlainString declined: %v", tt.doc, err)
			}
		}
	}
}
