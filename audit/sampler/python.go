package sampler

// Arlo's ballot ids. Rivest's sampler hashes str(id) for any Python object, and Arlo
// (votingworks/arlo, server/api/rounds.py and server/audit_math/sampler.py, read in 2024)
// passes it ballots as tuples (batch_key, ballot_position):
//
//   - ballot positions run from 1 to the batch's number of ballots (range(1, n+1)), or for a
//     comparison audit are the positions of the CVRs that contain the contest;
//   - batch_key is (jurisdiction name, tabulator, batch name) in the ballot-sampling code
//     (older versions used the batch name alone, and the docs call both "batch keys");
//     Arlo's tabulator is None when the manifest has no Tabulator column;
//   - the seed is str(election.random_seed), the digits typed in, unchanged;
//   - the tickets are trimmed to 18 digits (sampler(..., digits=18)); batch (PPEB) samples
//     trim first_fraction/next_fraction tickets of the batch key to 18 digits too.
//
// So the id hashed for ballot 3 of batch "pct 2" is the 12 characters ('pct 2', 3), and
// with the three-part key it is (('J1', 'T1', 'B1'), 3). PythonRepr writes a string the
// way Python's repr() (and so str() of a tuple) does.

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// PythonRepr returns s as Python 3's repr(str) writes it: in single quotes, or in double
// quotes if s contains a single quote and no double quote; with backslash escapes for the
// backslash, the chosen quote, \t, \n and \r; \xhh for the other control characters
// (below U+0020, and U+007F–U+00A0 when not printable); characters that Python deems not
// printable as \xhh, \uhhhh or \Uhhhhhhhh; all other characters as they are.
//
// "Printable" follows Go's unicode.IsPrint, which like Python's str.isprintable excludes the
// categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs other than the space; the two can differ for
// characters added to Unicode in a version one of them does not know yet. A byte that is
// not valid UTF-8 is written \udcXX, as Python writes the lone surrogate that its
// surrogateescape error handler makes of such a byte.
//
// PythonRepr("it's") = `"it's"`; PythonRepr(`a"b'c`) = `'a"b\'c'`.
func PythonRepr(s string) string {
	return string(appendPythonRepr(nil, s))
}

func appendPythonRepr(dst []byte, s string) []byte {
	quote := byte('\'')
	hasSingle, hasDouble := false, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\'':
			hasSingle = true
		case '"':
			hasDouble = true
		}
	}
	if hasSingle && !hasDouble {
		quote = '"'
	}
	const hexDigits = "0123456789abcdef"
	dst = append(dst, quote)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == quote || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c < ' ' || c == 0x7f:
				dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, `\udc`...)
			dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
		case unicode.IsPrint(r):
			dst = append(dst, s[i:i+size]...)
		case r <= 0xff:
			dst = append(dst, '\\', 'x', hexDigits[r>>4], hexDigits[r&15])
		case r <= 0xffff:
			dst = appendHex(append(dst, '\\', 'u'), uint32(r), 4)
		default:
			dst = appendHex(append(dst, '\\', 'U'), uint32(r), 8)
		}
		i += size
	}
	return append(dst, quote)
}

// appendHex appends the n lower-case hex digits of x.
func appendHex(dst []byte, x uint32, n int) []byte {
	for k := n - 1; k >= 0; k-- {
		dst = append(dst, "0123456789abcdef"[(x>>(4*uint(k)))&15])
	}
	return dst
}

// ArloBallotID returns the id Arlo hashes for the ballot at position (1-based) in the batch
// with the given key: Python's str() of the tuple (batch_key, position). A key of one
// string is that string, a longer key a tuple of strings:
//
//	ArloBallotID([]string{"pct 2"}, 3)            = ('pct 2', 3)
//	ArloBallotID([]string{"J1", "T1", "B1"}, 3)  = (('J1', 'T1', 'B1'), 3)
//
// An empty key gives Python's empty tuple, ((), 3).
func ArloBallotID(batchKey []string, position int) string {
	return string(strconv.AppendInt(appendArloKey(nil, batchKey), int64(position), 10)) + ")"
}

// appendArloKey appends "(" + repr(batch key) + ", ", the part of an Arlo id before the
// position. A nil *string in parts stands for Python's None.
func appendArloKey(dst []byte, batchKey []string) []byte {
	ps := make([]*string, len(batchKey))
	for i := range batchKey {
		ps[i] = &batchKey[i]
	}
	return appendArloKeyParts(dst, ps, len(batchKey) != 1)
}

// appendArloKeyParts appends "(" + the key + ", ": one part as itself, or (when tuple is
// true) the parts as a tuple; a nil part is written None.
func appendArloKeyParts(dst []byte, parts []*string, tuple bool) []byte {
	dst = append(dst, '(')
	if tuple {
		dst = append(dst, '(')
	}
	for i, p := range parts {
		if i > 0 {
			dst = append(dst, ',', ' ')
		}
		if p == nil {
			dst = append(dst, "None"...)
		} else {
			dst = appendPythonRepr(dst, *p)
		}
	}
	if tuple {
		if len(parts) == 1 {
			dst = append(dst, ',') // Python's one-element tuple ('a',)
		}
		dst = append(dst, ')')
	}
	return append(dst, ',', ' ')
}
