package jsonscan

import (
	"bytes"
	"os"
	"testing"
)

// benchDoc is the public San Francisco export CvrExport_42.json (314,567 bytes, 118 sessions)
// repeated to about 10 MB, so that the benchmark measures the scanner rather than setup.
func benchDoc(b *testing.B) []byte {
	data, err := os.ReadFile(realFile)
	if err != nil {
		b.Fatal(err)
	}
	// Splice the sessions arrays of 32 copies into one document.
	open := bytes.Index(data, []byte(`"Sessions":[`)) + len(`"Sessions":[`)
	body := data[open : len(data)-2] // without the closing "]}"
	var doc bytes.Buffer
	doc.Write(data[:open])
	for i := range 32 {
		if i > 0 {
			doc.WriteByte(',')
		}
		doc.Write(body)
	}
	doc.WriteString("]}")
	return doc.Bytes()
}

// BenchmarkSkip measures validating a whole document with Skip.
func BenchmarkSkip(b *testing.B) {
	doc := benchDoc(b)
	r := bytes.NewReader(doc)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(doc)
		if err := skipDoc(New(r)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTyped measures the access pattern of a CVR reader: typed reads by key, Skip for
// the rest.
func BenchmarkTyped(b *testing.B) {
	doc := benchDoc(b)
	r := bytes.NewReader(doc)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	s := New(r)
	var sum int64
	for b.Loop() {
		r.Reset(doc)
		s.Reset(r)
		if err := sumCandidates(s, &sum); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSkipBytes is BenchmarkSkip over the document in place (NewBytes), the path of a
// memory-mapped file.
func BenchmarkSkipBytes(b *testing.B) {
	doc := benchDoc(b)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	s := NewBytes(doc)
	for b.Loop() {
		s.ResetBytes(doc)
		if err := skipDoc(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTypedBytes is BenchmarkTyped over the document in place (NewBytes).
func BenchmarkTypedBytes(b *testing.B) {
	doc := benchDoc(b)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	s := NewBytes(doc)
	var sum int64
	for b.Loop() {
		s.ResetBytes(doc)
		if err := sumCandidates(s, &sum); err != nil {
			b.Fatal(err)
		}
	}
}
