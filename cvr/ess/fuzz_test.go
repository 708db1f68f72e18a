package ess

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	canvass "github.com/canvass-vote/canvass"
)

// FuzzOpen reads arbitrary bytes as an xlsx file: it must not panic, every error must be a
// ParseError naming the file (or the file system's error), and every ballot must refer to the
// election. Seeds: workbooks written by excelize, a hand-made one, and one of RCTab's files.
func FuzzOpen(f *testing.F) {
	f.Add(sheetBytes(f, smallRows))
	f.Add(sheetBytes(f, [][]any{smallRows[0], {1, "P1", "Ann", "Dee"}}))
	f.Add(rawWorkbook(`<row r="1"><c r="C1" t="s"><v>0</v></c></row><row r="2"><c r="C2" t="s"><v>1</v></c></row><row r="9"/>`, []string{"Choice 1", "Ann"}))
	if data, err := os.ReadFile(filepath.Join(rctabDir, "test_set_overvote_delimiter", "test_set_overvote_delimiter_cvr.xlsx")); err == nil {
		f.Add(data)
	}
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "fuzz.xlsx")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		fuzzRead(t, p)
	})
}

// FuzzSheet wraps arbitrary bytes as the sheetData of a valid workbook, so that the fuzzer
// reaches the worksheet scanner rather than the ZIP checksums.
func FuzzSheet(f *testing.F) {
	for _, s := range []string{
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>0</v></c><c r="D1" t="s"><v>0</v></c></row><row r="2"><c r="A2"><v>7</v></c><c r="C2" t="s"><v>1</v></c><c t="inlineStr"><is><r><t>Bo</t></r><rPh><t>x</t></rPh></is></c></row>`,
		`<x:row r="3"><x:c r="A3" t="str"><x:v>8</x:v></x:c><x:c r="C3" t="inlineStr"><x:is><x:t>&#67;y</x:t></x:is></x:c><!-- n --><x:c r="D3" t="inlineStr"><x:is><x:t><![CDATA[Ann/Bo]]></x:t></x:is></x:c></x:row><row r="5"/>`,
		`<row r="1"><c r="C1" t="b"><v>1</v></c></row><row><c r="C2" t="s"><v>9</v></c></row>`,
		`<row r="2"><c r="C2" t="s"><v>1</v></c></row><row r="2"/>`,
		`<row r="1"><c r="C1" t="s"><v>0</v></c></row><row r="2"><c r="C2" t="inlineStr"><is><t>Ann &amp; Bo</t></is></c>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, sheet []byte) {
		p := filepath.Join(t.TempDir(), "fuzz.xlsx")
		if err := os.WriteFile(p, rawWorkbook(string(sheet), []string{"Choice", "Ann", "Bo/Cy"}), 0o644); err != nil {
			t.Fatal(err)
		}
		fuzzRead(t, p)
	})
}

func fuzzRead(t *testing.T, p string) {
	opts := smallOptions
	opts.IDColumn = 0 // most fuzzed rows have no id
	r, err := Open(p, opts)
	if err != nil {
		checkErr(t, p, err)
		return
	}
	defer r.Close()
	el := r.Election()
	if err := el.Validate(); err != nil {
		t.Fatalf("election: %v", err)
	}
	for {
		b, err := r.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			checkErr(t, p, err)
			return
		}
		if err := checkBallot(el.Contests[0], b); err != nil {
			t.Fatal(err)
		}
	}
}

func checkErr(t *testing.T, p string, err error) {
	t.Helper()
	var pe *canvass.ParseError
	if !errors.As(err, &pe) || pe.Format != FormatName || pe.File != p || pe.Err == nil {
		t.Fatalf("error %v (%T) is not a ParseError of %s", err, err, p)
	}
	_ = err.Error()
}
