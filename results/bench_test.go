package results

import (
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"strconv"
	"testing"
)

// benchRead reads data in the format b.N times, reporting bytes/s and rows/s.
func benchRead(b *testing.B, data []byte, name string, opts Options) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), name, opts)
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		r.Close()
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkWECCSV(b *testing.B) {
	benchRead(b, mustRead(b, wecCSV), wecCSV, Options{Format: "wec"})
}

func BenchmarkWECXLSX(b *testing.B) {
	benchRead(b, mustRead(b, wecXLSX), wecXLSX, Options{Format: "wec"})
}

func BenchmarkOpenElections(b *testing.B) {
	benchRead(b, mustRead(b, oeKent), oeKent, Options{Format: "openelections"})
}

func BenchmarkWide(b *testing.B) {
	benchRead(b, mustRead(b, wayneCSV), wayneCSV, Options{Format: "wide", State: "MI", County: "Wayne", Contest: "President"})
}

// BenchmarkCanvass reads the Wisconsin report written out in our own long format (48,074
// rows), built once from the wec reader's rows.
func BenchmarkCanvass(b *testing.B) {
	rows, err := ReadAll(wecCSV, Options{Format: "wec"})
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(canvassColumns)
	for _, r := range rows {
		_ = w.Write([]string{r.Unit.State, r.Unit.County, r.Unit.Municipality, r.Unit.Precinct, r.Contest, r.District,
			r.Choice, r.Party, r.Mode, r.Stat, strconv.FormatInt(r.Votes, 10)})
	}
	w.Flush()
	benchRead(b, buf.Bytes(), "wi.csv", Options{Format: "canvass"})
}

func BenchmarkArlo(b *testing.B) {
	benchRead(b, mustRead(b, arloGA), arloGA, Options{Format: "arlo"})
}

func BenchmarkReadArloReport(b *testing.B) {
	data := mustRead(b, arloGA)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		rep, err := ReadArloReport(bytes.NewReader(data), arloGA)
		if err != nil {
			b.Fatal(err)
		}
		n += int64(len(rep.BatchResults.Batches))
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "batches/s")
}

// BenchmarkOpenElectionsShared reads every OpenElections file of the shared data set that
// reads cleanly (over 5 MB in all), when it is there.
func BenchmarkOpenElectionsShared(b *testing.B) {
	const dir = "../../shared/data/us2020/mi/openelections_precinct"
	entries, err := os.ReadDir(dir)
	if err != nil {
		b.Skipf("shared data not present (%v): this benchmark reads %s", err, dir)
	}
	type file struct {
		name string
		data []byte
	}
	var files []file
	var size int64
	for _, e := range entries {
		data, err := os.ReadFile(dir + "/" + e.Name())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ReadAll(dir+"/"+e.Name(), Options{}); err != nil {
			continue // the two files with a genuine defect (see docs/formats/results.md)
		}
		files = append(files, file{e.Name(), data})
		size += int64(len(data))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		for _, f := range files {
			r, err := NewReader(bytes.NewReader(f.data), f.name, Options{Format: "openelections"})
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := r.Next(); err != nil {
					if err != io.EOF {
						b.Fatal(err)
					}
					break
				}
				n++
			}
			r.Close()
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}
