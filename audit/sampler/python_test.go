package sampler

import "testing"

func TestPythonRepr(t *testing.T) {
	// Each want is what Python 3.11 prints for repr(in); written by hand from the rules of
	// unicode_repr and checked in a Python REPL, e.g.
	//   >>> repr("it's")         -> "it's" in double quotes
	//   >>> repr('a"b\'c')       -> 'a"b\'c'
	cases := []struct{ in, want string }{
		{"pct 2", `'pct 2'`},
		{"", `''`},
		{"it's", `"it's"`},
		{`a"b'c`, `'a"b\'c'`},
		{`say "hi"`, `'say "hi"'`},
		{`back\slash`, `'back\\slash'`},
		{"tab\there", `'tab\there'`},
		{"line\nbreak\r", `'line\nbreak\r'`},
		{"nul\x00bell\x07esc\x1bdel\x7f", `'nul\x00bell\x07esc\x1bdel\x7f'`},
		{"Peña Condado", `'Peña Condado'`},
		{"東京 1", `'東京 1'`},
		{"nb\u00a0sp", `'nb\xa0sp'`},     // NO-BREAK SPACE is Zs: not printable
		{"soft\u00adhy", `'soft\xadhy'`}, // SOFT HYPHEN is Cf
		{"c1\u0085", `'c1\x85'`},         // NEL, a C1 control
		{"zw\u200bsp", `'zw\u200bsp'`},   // ZERO WIDTH SPACE is Cf
		{"ls\u2028", `'ls\u2028'`},       // LINE SEPARATOR is Zl
		{"pua\U000F0000", `'pua\U000f0000'`},
		{"emoji 🗳", `'emoji 🗳'`},
		{"bad\xffbyte", `'bad\udcffbyte'`}, // surrogateescape's lone surrogate
	}
	for _, c := range cases {
		if got := PythonRepr(c.in); got != c.want {
			t.Errorf("PythonRepr(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestArloBallotID(t *testing.T) {
	// Python 3: str(('pct 2', 3)), str((('J1', 'T1', 'B1'), 3)), str((("O'Brien Co", 'T 1', 'B"2'), 10)),
	// str(((), 1)).
	cases := []struct {
		key  []string
		pos  int
		want string
	}{
		{[]string{"pct 2"}, 3, `('pct 2', 3)`},
		{[]string{"J1", "T1", "B1"}, 3, `(('J1', 'T1', 'B1'), 3)`},
		{[]string{"O'Brien Co", "T 1", `B"2`}, 10, `(("O'Brien Co", 'T 1', 'B"2'), 10)`},
		{[]string{"J", "B"}, 7, `(('J', 'B'), 7)`},
		{nil, 1, `((), 1)`},
	}
	for _, c := range cases {
		if got := ArloBallotID(c.key, c.pos); got != c.want {
			t.Errorf("ArloBallotID(%q, %d) = %s, want %s", c.key, c.pos, got, c.want)
		}
	}
	// Python 3: str((('J1', None, 'B1'), 2)) and the one-tuple str((('x',), 5)).
	j, b := "J1", "B1"
	if got := string(appendArloKeyParts(nil, []*string{&j, nil, &b}, true)) + "2)"; got != `(('J1', None, 'B1'), 2)` {
		t.Errorf("None tabulator: %s", got)
	}
	x := "x"
	if got := string(appendArloKeyParts(nil, []*string{&x}, true)) + "5)"; got != `(('x',), 5)` {
		t.Errorf("one-tuple: %s", got)
	}
}
