package ledger

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// RFC 8785 section 3.2.3: the members of this object, sorted by the UTF-16 code units of
// their names, come in the order the RFC lists: "\r", "1", U+0080, U+00F6, U+20AC, U+1F600
// (the surrogate pair D83D DE00) and U+FB33. By code point U+1F600 would sort last; by UTF-16
// code units D83D sorts before FB33.
func TestCanonicalRFC8785Sorting(t *testing.T) {
	const want = `{"\r":"Carriage Return","1":"One","` + "\u0080" + `":"Control","ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign","😀":"Emoji: Grinning Face","` + "\ufb33" + `":"Hebrew Letter Dalet With Dagesh"}`
	// The RFC's input text, with its escapes.
	rfcInput := json.RawMessage(`{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`)
	goInput := map[string]string{
		"\u20ac":     "Euro Sign",
		"\r":         "Carriage Return",
		"\ufb33":     "Hebrew Letter Dalet With Dagesh",
		"1":          "One",
		"\U0001F600": "Emoji: Grinning Face",
		"\u0080":     "Control",
		"\u00f6":     "Latin Small Letter O With Diaeresis",
	}
	for name, in := range map[string]any{"RFC text": rfcInput, "Go map": goInput} {
		got, err := Canonical(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if string(got) != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}

// The example of RFC 8785 section 3.2.2 without its "numbers" member, whose fractions and
// exponents this restriction refuses: the escapes \u20ac, \u000F, \u000a, \u0042, \u0022,
// \u005c and \/ come out as the RFC's canonical form shows.
func TestCanonicalRFC8785String(t *testing.T) {
	in := json.RawMessage(`{
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`)
	const want = `{"literals":[null,true,false],"string":"€$\u000f\nA'B\"\\\\\"/"}`
	got, err := Canonical(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestCanonicalStrings(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", `""`},
		{"\x00", `"\u0000"`},
		{"\x01\x1f", `"\u0001\u001f"`},
		{"\b\t\n\f\r", `"\b\t\n\f\r"`},
		{"\x0b", `"\u000b"`}, // vertical tab has no short escape in JSON
		{`"\`, `"\"\\"`},
		{"/", `"/"`}, // not \/
		{"<a href='x'>&amp;</a>", `"<a href='x'>&amp;</a>"`}, // no HTML escaping
		{"\x7f", "\"\x7f\""},                 // DEL is not a control character for JSON
		{"\u2028\u2029", "\"\u2028\u2029\""}, // left raw, unlike encoding/json's default
		{"é€😀", `"é€😀"`},                     // non-ASCII raw, never \u escaped
	} {
		got, err := Canonical(c.in)
		if err != nil {
			t.Errorf("Canonical(%q): %v", c.in, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("Canonical(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestCanonicalNumbers(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // "" if refused
	}{
		{"0", "0"},
		{"-0", "0"}, // RFC 8785 section 3.2.2.3: minus zero serializes as 0
		{"7", "7"},
		{"-7", "-7"},
		{"18446744073709551615", "18446744073709551615"},
		{"-9223372036854775808", "-9223372036854775808"},
		{"1.5", ""},
		{"1.0", ""},
		{"1e3", ""},
		{"1E3", ""},
		{"-0.0", ""},
		{"18446744073709551616", ""},
		{"-9223372036854775809", ""},
	} {
		got, err := Canonical(json.RawMessage(c.in))
		switch {
		case c.want == "" && err == nil:
			t.Errorf("Canonical(%s) = %s, want it refused", c.in, got)
		case c.want != "" && err != nil:
			t.Errorf("Canonical(%s): %v", c.in, err)
		case c.want != "" && string(got) != c.want:
			t.Errorf("Canonical(%s) = %s, want %s", c.in, got, c.want)
		}
	}
	// Go values go through encoding/json first: 3.0 marshals as 3, 1.5 and 1e21 do not.
	if got, err := Canonical(map[string]any{"n": 3.0, "m": math.Copysign(0, -1)}); err != nil || string(got) != `{"m":0,"n":3}` {
		t.Errorf("Canonical(3.0, -0.0) = %s, %v; want {\"m\":0,\"n\":3}", got, err)
	}
	for _, f := range []float64{1.5, 1e21} {
		if got, err := Canonical(f); err == nil {
			t.Errorf("Canonical(%v) = %s, want it refused", f, got)
		}
	}
}

func TestCanonicalNested(t *testing.T) {
	in := json.RawMessage(` { "z" : [ { "b" : 1 , "a" : [ ] } , { } ] , "a" : { "y" : null , "x" : "" } } `)
	const want = `{"a":{"x":"","y":null},"z":[{"a":[],"b":1},{}]}`
	got, err := Canonical(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// testTime is 2026-11-27 04:50:00.123456789 UTC.
var testTime = time.Date(2026, 11, 27, 4, 50, 0, 123456789, time.UTC)

// validEntry is the encoding of NewEntry(TypeInit, "alice", testTime, {"name":"Dane"}) with
// Seq 7, written out by hand from the format in Entry's doc comment.
const validEntry = `{"actor":"alice","body":{"name":"Dane"},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`

func TestEntryEncode(t *testing.T) {
	e, err := NewEntry(TypeInit, "alice", testTime.In(time.FixedZone("CST", -6*3600)), map[string]string{"name": "Dane"})
	if err != nil {
		t.Fatal(err)
	}
	e.Seq = 7
	b, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != validEntry {
		t.Errorf("Encode = %s\n  want %s", b, validEntry)
	}
	d, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if d.Actor != "alice" || d.Seq != 7 || d.Type != TypeInit || d.V != Version || d.Time != "2026-11-27T04:50:00.123456789Z" || string(d.Body) != `{"name":"Dane"}` {
		t.Errorf("Decode = %+v", d)
	}
	var body struct{ Name string }
	if err := d.DecodeBody(&body); err != nil || body.Name != "Dane" {
		t.Errorf("DecodeBody = %+v, %v", body, err)
	}
	var other struct{ Title string }
	if err := d.DecodeBody(&other); err == nil {
		t.Error("DecodeBody accepted a body with a field the type does not have")
	}
	// Nanoseconds are always written, even when zero.
	if got := FormatTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)); got != "2026-01-02T03:04:05.000000000Z" {
		t.Errorf("FormatTime = %s", got)
	}
	if _, err := NewEntry(TypeInit, "alice", testTime, map[string]float64{"x": 0.5}); err == nil {
		t.Error("NewEntry accepted a fractional number in the body")
	}
}

func TestEntryEncodeTooLarge(t *testing.T) {
	e, err := NewEntry(TypeImportCVR, "a", testTime, map[string]string{"x": strings.Repeat("a", MaxEntrySize)})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := e.Encode(); err == nil {
		t.Errorf("Encode of a %d-byte entry succeeded", len(b))
	}
}

func TestDecodeRefuses(t *testing.T) {
	for _, c := range []struct{ name, in string }{
		{"space after colon", `{"actor": "alice","body":{"name":"Dane"},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"trailing newline", validEntry + "\n"},
		{"leading space", " " + validEntry},
		{"unsorted keys", `{"body":{"name":"Dane"},"actor":"alice","seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"unsorted body", `{"actor":"alice","body":{"z":1,"a":2},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"escaped slash", `{"actor":"a\/b","body":{},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"escaped non-ASCII", `{"actor":"\u00e9","body":{},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"upper-case escape", `{"actor":"\u001F","body":{},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"minus zero in body", `{"actor":"alice","body":{"n":-0},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"fraction in body", `{"actor":"alice","body":{"n":1.5},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"exponent in body", `{"actor":"alice","body":{"n":1e3},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"duplicate body key", `{"actor":"alice","body":{"a":1,"a":2},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"unknown field", `{"actor":"alice","body":{},"extra":1,"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"version 2", `{"actor":"alice","body":{},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":2}`},
		{"version 0", `{"actor":"alice","body":{},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":0}`},
		{"no version", `{"actor":"alice","body":{},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init"}`},
		{"no type", `{"actor":"alice","body":{},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"","v":1}`},
		{"no body", `{"actor":"alice","seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"negative seq", `{"actor":"alice","body":{},"seq":-1,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"time without nanoseconds", `{"actor":"alice","body":{},"seq":7,"time":"2026-11-27T04:50:00Z","type":"workspace.init","v":1}`},
		{"time in milliseconds", `{"actor":"alice","body":{},"seq":7,"time":"2026-11-27T04:50:00.123Z","type":"workspace.init","v":1}`},
		{"time with offset", `{"actor":"alice","body":{},"seq":7,"time":"2026-11-27T04:50:00.123456789+01:00","type":"workspace.init","v":1}`},
		{"time February 30", `{"actor":"alice","body":{},"seq":7,"time":"2026-02-30T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"time hour 24", `{"actor":"alice","body":{},"seq":7,"time":"2026-11-27T24:00:00.000000000Z","type":"workspace.init","v":1}`},
		{"time not a string", `{"actor":"alice","body":{},"seq":7,"time":1,"type":"workspace.init","v":1}`},
		{"two objects", validEntry + validEntry},
		{"array", `[` + validEntry + `]`},
		{"empty", ``},
		{"invalid UTF-8 in actor", "{\"actor\":\"\xff\",\"body\":{},\"seq\":7,\"time\":\"2026-11-27T04:50:00.123456789Z\",\"type\":\"workspace.init\",\"v\":1}"},
	} {
		e, err := Decode([]byte(c.in))
		if err == nil {
			enc, _ := e.Encode()
			t.Errorf("%s: Decode accepted %.120s (it encodes as %.120s)", c.name, c.in, enc)
		}
	}
}

// TestDecodeOnlyItsOwnEncoding: Decode must accept only the bytes Encode writes for the entry
// it returns, or two different byte strings (two different leaf hashes) would be the same
// entry, and another JSON reader could read them differently. encoding/json fills absent fields
// with zero values and matches field names case-insensitively, so each input below is sorted
// and compact JSON, yet not the encoding of the entry Decode makes of it.
func TestDecodeOnlyItsOwnEncoding(t *testing.T) {
	for _, c := range []struct{ name, in string }{
		{"no actor", `{"body":{},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"no seq", `{"actor":"alice","body":{},"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"over MaxEntrySize", `{"actor":"alice","body":{"x":"` + strings.Repeat("a", MaxEntrySize) + `"},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"capitalised key", `{"Actor":"alice","body":{},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
		{"capitalised version key", `{"V":1,"actor":"alice","body":{},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init"}`},
		{"key twice in two cases", `{"TYPE":"election","actor":"alice","body":{},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`},
	} {
		e, err := Decode([]byte(c.in))
		if err == nil {
			enc, _ := e.Encode()
			t.Errorf("%s: Decode accepted %.120s (it encodes as %.120s)", c.name, c.in, enc)
		}
	}
}

func TestDecodeNotCanonicalError(t *testing.T) {
	_, err := Decode([]byte(`{"actor":"alice","body":{"z":1,"a":2},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`))
	if !errors.Is(err, ErrNotCanonical) {
		t.Errorf("Decode of an unsorted body: %v, want ErrNotCanonical", err)
	}
}

func TestDecodeAccepts(t *testing.T) {
	for _, in := range []string{
		validEntry,
		`{"actor":"","body":{},"seq":0,"time":"2026-11-27T04:50:00.000000000Z","type":"x","v":1}`,
		`{"actor":"alice","body":[1,-2,"€",null,true],"seq":18446744073709551615,"time":"1999-12-31T23:59:59.999999999Z","type":"tabulation","v":1}`,
		`{"actor":"é\u001f\"","body":{"\r":1,"1":2,"ö":3,"😀":4,"` + "\ufb33" + `":5},"seq":1,"time":"2024-02-29T00:00:00.000000000Z","type":"election","v":1}`,
	} {
		e, err := Decode([]byte(in))
		if err != nil {
			t.Errorf("Decode(%s): %v", in, err)
			continue
		}
		b, err := e.Encode()
		if err != nil || string(b) != in {
			t.Errorf("Decode then Encode of %s = %s, %v", in, b, err)
		}
	}
}

// FuzzDecode checks that Decode never panics and accepts only the canonical encoding of what
// it returns: a decoded entry encodes back to exactly its input.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(validEntry))
	f.Add([]byte(`{"actor":"","body":{},"seq":0,"time":"2026-11-27T04:50:00.000000000Z","type":"x","v":1}`))
	f.Add([]byte(`{"actor":"é\u001f\"","body":{"\r":1,"1":2,"ö":3},"seq":1,"time":"2024-02-29T00:00:00.000000000Z","type":"election","v":1}`))
	f.Add([]byte(`{"actor":"alice","body":{"n":-0},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`))
	f.Add([]byte(`{"actor":"alice","body":{"n":1e3},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`))
	f.Add([]byte(`{"body":{},"actor":"alice","seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`))
	f.Add([]byte(`{"actor":"a\/b","body":null,"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"t","v":1}`))
	f.Add([]byte(`{"Actor":"alice","body":{},"seq":7,"time":"2026-11-27T04:50:00.123456789Z","type":"workspace.init","v":1}`))
	f.Add([]byte(`[1,2]`))
	f.Add([]byte(`{`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Decode(data)
		if err != nil {
			return
		}
		b, err := e.Encode()
		if err != nil {
			t.Fatalf("Decode accepted %q, but Encode fails: %v", data, err)
		}
		if string(b) != string(data) {
			t.Fatalf("Decode accepted %q, which encodes as %q", data, b)
		}
	})
}
