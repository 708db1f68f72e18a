package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"reflect"
	"testing"
)

// fuzzSeedFiles are small public JSON files in the repository: Dominion manifests and RCTab's
// expected report.
var fuzzSeedFiles = []string{
	"../../testdata/cvr/dominion-kuriwaki/CountingGroupManifest.json",
	"../../testdata/cvr/dominion-kuriwaki/OutstackConditionManifest.json",
	"../../testdata/cvr/dominion-kuriwaki/ElectionEventManifest.json",
	"../../testdata/cvr/rctab/dominion_multi_file/dominion_multi_file_expected_detailed_report.json",
}

// firstSessions returns the first n sessions of a public Dominion CVR file, each as it is in
// the file (a few KiB: whole files would make every fuzz run, and minimizing, slow).
func firstSessions(f *testing.F, file string, n int) [][]byte {
	data, err := os.ReadFile(file)
	if err != nil {
		f.Fatal(err)
	}
	var doc struct{ Sessions []json.RawMessage }
	if err := json.Unmarshal(data, &doc); err != nil {
		f.Fatal(err)
	}
	var out [][]byte
	for _, s := range doc.Sessions[:n] {
		out = append(out, s)
	}
	return out
}

// FuzzScanner checks that, on any input, the scanner never panics, accepts exactly what
// encoding/json.Valid accepts (walked generically with the typed methods, and with Skip), and
// for accepted input yields the same values as encoding/json, whatever the buffer size; and
// that scanning the input in place (NewBytes) gives the same values and the same errors, to
// the byte offset, as reading it through a buffer.
func FuzzScanner(f *testing.F) {
	for _, d := range docs {
		f.Add([]byte(d))
	}
	for _, name := range fuzzSeedFiles {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range firstSessions(f, "../../testdata/cvr/dominion-kuriwaki/CvrExport_42.json", 2) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		valid := json.Valid(data)
		var want any
		if valid {
			var err error
			if want, err = decode(string(data)); err != nil {
				t.Fatalf("json.Valid but Decode: %v", err)
			}
		}
		// The reference for NewBytes: the default buffer, which holds every seed whole.
		wantErr := errString(walkDoc(New(bytes.NewReader(data))))
		_, err := walkDoc(NewBytes(data))
		if got := errString(nil, err); got != wantErr {
			t.Fatalf("walk: NewBytes error %q, reader error %q", got, wantErr)
		}
		if got, want := errString(nil, skipDoc(NewBytes(data))), errString(nil, skipDoc(New(bytes.NewReader(data)))); got != want {
			t.Fatalf("Skip: NewBytes error %q, reader error %q", got, want)
		}
		for _, size := range []int{3, DefaultBufferSize} {
			got, err := walkDoc(newSize(bytes.NewReader(data), size))
			if (err == nil) != valid {
				t.Fatalf("buffer %d: walk error %v, json.Valid %v", size, err, valid)
			}
			if err != nil {
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("buffer %d: error %T %v is not a *SyntaxError", size, err, err)
				}
			} else if !reflect.DeepEqual(got, want) {
				t.Fatalf("buffer %d: walk = %#v, encoding/json = %#v", size, got, want)
			}
			if err := skipDoc(newSize(bytes.NewReader(data), size)); (err == nil) != valid {
				t.Fatalf("buffer %d: Skip error %v, json.Valid %v", size, err, valid)
			}
		}
		// Walking with NextKeyIndex (fast path for known keys) accepts the same documents.
		if err := walkKeys(New(bytes.NewReader(data)), NewKeys("Id", "Marks", "a", "")); (err == nil) != valid {
			t.Fatalf("walk with NextKeyIndex: error %v, json.Valid %v", err, valid)
		}
		if err := walkKeys(NewBytes(data), NewKeys("Id", "Marks", "a", "")); (err == nil) != valid {
			t.Fatalf("walk with NextKeyIndex, NewBytes: error %v, json.Valid %v", err, valid)
		}
		// Keys whose values NextKeyIndex may consume itself (Ignore) give the same errors.
		keys := []string{"Id", "Marks", "a", "", "CandidateId", "IsVote", "OutstackConditionIds", "ImageMask"}
		keysErr := errString(nil, walkKeys(New(bytes.NewReader(data)), NewKeys(keys...)))
		for name, s := range map[string]*Scanner{"reader": New(bytes.NewReader(data)), "buffer 3": newSize(bytes.NewReader(data), 3), "bytes": NewBytes(data)} {
			k := NewKeys(keys...).Ignore("Id", "a", "", "OutstackConditionIds", "ImageMask", "IsVote")
			if got := errString(nil, walkKeys(s, k)); got != keysErr {
				t.Fatalf("walk with ignored keys (%s): error %q, without %q", name, got, keysErr)
			}
		}
		// So do keys that learn their order from the first object (LearnOrder).
		for name, s := range map[string]*Scanner{"reader": New(bytes.NewReader(data)), "bytes": NewBytes(data)} {
			k := NewKeys(keys...).Ignore("Id", "OutstackConditionIds").LearnOrder()
			if got := errString(nil, walkKeys(s, k)); got != keysErr {
				t.Fatalf("walk with learned keys (%s): error %q, without %q", name, got, keysErr)
			}
		}
		// Reusing remembered values (Repeats) gives the same values and errors as reading
		// them, through a buffer or in place.
		plain, plainErr := walkDoc(New(bytes.NewReader(data)))
		for name, s := range map[string]*Scanner{"reader": New(bytes.NewReader(data)), "buffer 5": newSize(bytes.NewReader(data), 5), "bytes": NewBytes(data)} {
			got, err := walkRepeats(s, &repeatMemo{})
			if errString(nil, err) != errString(nil, plainErr) {
				t.Fatalf("walk with Repeats (%s): error %v, without %v", name, err, plainErr)
			}
			if err == nil && !reflect.DeepEqual(got, plain) {
				t.Fatalf("walk with Repeats (%s) = %#v, without %#v", name, got, plain)
			}
		}
		// Every typed read on arbitrary input returns a value or an error, never panics.
		s := New(bytes.NewReader(data))
		_, _ = s.Int()
		s = New(bytes.NewReader(data))
		_, _ = s.Bool()
		s = New(bytes.NewReader(data))
		_, _ = s.String()
		s = New(bytes.NewReader(data))
		if _, err := s.Null(); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Null: %v", err)
			}
		}
	})
}

// walkKeys walks a document like walk, reading keys with NextKeyIndex.
func walkKeys(s *Scanner, k *Keys) error {
	var value func() error
	value = func() error {
		kind, err := s.Peek()
		if err != nil {
			return err
		}
		switch kind {
		case Object:
			if err := s.BeginObject(); err != nil {
				return err
			}
			for {
				_, ok, err := s.NextKeyIndex(k)
				if err != nil || !ok {
					return err
				}
				if err := value(); err != nil {
					return err
				}
			}
		case Array:
			if err := s.BeginArray(); err != nil {
				return err
			}
			for {
				ok, err := s.NextElem()
				if err != nil || !ok {
					return err
				}
				if err := value(); err != nil {
					return err
				}
			}
		}
		return s.Skip()
	}
	if err := value(); err != nil {
		return err
	}
	return s.End()
}

// errString returns err's message, or "" for nil (the value is ignored: it lets a call's
// two results be passed straight in).
func errString(_ any, err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// repeatMemo is what a reader keeps with a Repeats: the value it made of each remembered one.
type repeatMemo struct {
	reps Repeats
	vals [MaxRepeats]any
	next int
}

// walkRepeats walks a document like walkDoc, but at every value first tries to recognize a
// repeat of one it remembered, and otherwise reads the value and remembers it (replacing the
// remembered values in turn), as the CDF reader does with its memos.
func walkRepeats(s *Scanner, m *repeatMemo) (any, error) {
	var value func() (any, error)
	value = func() (any, error) {
		if i := s.Repeat(&m.reps); i >= 0 {
			return m.vals[i], nil
		}
		start, depth := s.Offset(), s.Depth()
		// A value may start after whitespace: Remember needs the offset of its first byte.
		if _, err := s.Peek(); err == nil {
			start = s.Offset()
		}
		var v any
		kind, err := s.Peek()
		if err != nil {
			return nil, err
		}
		switch kind {
		case Object:
			if err := s.BeginObject(); err != nil {
				return nil, err
			}
			obj := map[string]any{}
			for {
				key, ok, err := s.NextKey()
				if err != nil {
					return nil, err
				}
				if !ok {
					break
				}
				k := string(key)
				if obj[k], err = value(); err != nil {
					return nil, err
				}
			}
			v = obj
		case Array:
			if err := s.BeginArray(); err != nil {
				return nil, err
			}
			arr := []any{}
			for {
				ok, err := s.NextElem()
				if err != nil {
					return nil, err
				}
				if !ok {
					break
				}
				e, err := value()
				if err != nil {
					return nil, err
				}
				arr = append(arr, e)
			}
			v = arr
		default:
			if v, err = walk(s); err != nil {
				return nil, err
			}
		}
		i := m.reps.Len()
		if i == MaxRepeats {
			i = m.next
		}
		if s.Remember(&m.reps, i, start, depth) {
			m.vals[i] = v
			if i == m.next {
				m.next = (m.next + 1) % MaxRepeats
			}
		}
		return v, nil
	}
	v, err := value()
	if err != nil {
		return nil, err
	}
	return v, s.End()
}
