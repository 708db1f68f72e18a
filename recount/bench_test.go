package recount

import (
	"fmt"
	"testing"
)

// BenchmarkCompare4000 compares a recount of 4,000 units (about the number of Wisconsin's
// reporting units) with five choices each, every unit recounted.
func BenchmarkCompare4000(b *testing.B) {
	const units = 4000
	names := []string{"Biden", "Trump", "Jorgensen", "Carroll", "Scattering"}
	cv, rc := Counts{}, Counts{}
	for i := 0; i < units; i++ {
		u := fmt.Sprintf("Ward %d", i)
		cv[u], rc[u] = map[string]int64{}, map[string]int64{}
		for j, n := range names {
			v := int64((i*7+j*13)%500 + 10*(5-j))
			cv[u][n] = v
			rc[u][n] = v + int64((i+j)%3) - 1
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := Compare("President", cv, rc, nil, 1)
		if err != nil || len(rep.Units) != units {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/units, "ns/unit")
}

// FuzzCompare checks Compare's identities on arbitrary small counts: every change is recount
// minus canvass, the units' changes add up to the totals', and a pair's change is the
// difference of its choices' changes.
func FuzzCompare(f *testing.F) {
	f.Add([]byte{10, 5, 3, 9, 6, 3, 1, 1, 1, 2, 0, 0}, uint8(1))
	f.Add([]byte{0, 0, 0, 0, 0, 0}, uint8(2))
	f.Add([]byte{255, 1, 7, 200, 3, 7, 9}, uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, seats uint8) {
		const nc = 3
		names := []string{"A", "B", "C"}
		cv, rc := Counts{}, Counts{}
		for i := 0; i+2*nc <= len(data) && i < 60; i += 2 * nc {
			u := fmt.Sprintf("U%d", i)
			cv[u], rc[u] = map[string]int64{}, map[string]int64{}
			for j := 0; j < nc; j++ {
				cv[u][names[j]] = int64(data[i+j])
				rc[u][names[j]] = int64(data[i+nc+j])
			}
		}
		rep, err := Compare("X", cv, rc, nil, int(seats%4))
		if seats%4 == 0 {
			if err == nil {
				t.Fatal("0 seats accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		sum := map[string]int64{}
		for _, u := range rep.Units {
			for _, c := range u.Choices {
				if c.Change != c.Recount-c.Canvass {
					t.Fatalf("%+v", c)
				}
				sum[c.Name] += c.Change
			}
		}
		for _, c := range rep.Totals {
			if c.Change != c.Recount-c.Canvass || sum[c.Name] != c.Change {
				t.Fatalf("total %+v, units add to %d", c, sum[c.Name])
			}
		}
		byName := map[string]int64{}
		for _, c := range rep.Totals {
			byName[c.Name] = c.Change
		}
		for _, p := range rep.Pairs {
			if p.Change != byName[p.A]-byName[p.B] || p.Before < 0 {
				t.Fatalf("pair %+v", p)
			}
		}
	})
}
