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

// fuzzSeedFiles are public JSON files in the repository: Dominion CVR exports and manifests,
// a NIST CDF CVR and the CDF JSON schema.
var fuzzSeedFiles = []string{
	"../../testdata/cvr/dominion-kuriwaki/CvrExport_24940.json",
	"../../testdata/cvr/dominion-kuriwaki/ContestManifest.json",
	"../../testdata/cvr/dominion-kuriwaki/CountingGroupManifest.json",
	"../../testdata/cvr/rctab/test_set_8_multi_cdf/test_set_8_multi_cdf_cvr_1.json",
	"../../testdata/cvr/nist-cdf/NIST_V0_cast_vote_records.schema.json",
}

// FuzzScanner checks that, on any input, the scanner never panics, accepts exactly what
// encoding/json.Valid accepts (walked generically with the typed methods, and with Skip), and
// for accepted input yields the same values as encoding/json, whatever the buffer size.
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
	f.Fuzz(func(t *testing.T, data []byte) {
		valid := json.Valid(data)
		var want any
		if valid {
			var err error
			if want, err = decode(string(data)); err != nil {
				t.Fatalf("json.Valid but Decode: %v", err)
			}
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
