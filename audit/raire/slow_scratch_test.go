package raire

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestSlowScratch(t *testing.T) {
	files, _ := filepath.Glob("/root/.cache/go-build/fuzz/github.com/canvass-vote/canvass/audit/raire/FuzzParseProblem/*")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		// format: go test fuzz v1\n[]byte("...")
		lines := string(b)
		i := len("go test fuzz v1\n[]byte(")
		s, err := strconv.Unquote(lines[i : len(lines)-2])
		if err != nil {
			continue
		}
		p, err := ParseProblem([]byte(s))
		if err != nil {
			continue
		}
		p.Options.WorkLimit = 20000
		start := time.Now()
		r, err := p.Solve()
		d1 := time.Since(start)
		var d2 time.Duration
		if err == nil {
			as := make([]Assertion, len(r.Assertions))
			for i, a := range r.Assertions {
				as[i] = a.Assertion
			}
			start = time.Now()
			Proves(len(r.Candidates), r.Winner, as)
			d2 = time.Since(start)
		}
		if d1+d2 > 100*time.Millisecond {
			t.Logf("%s: solve %v proves %v (%d cands) %.200s", filepath.Base(f), d1, d2, len(p.Contest.Candidates), s)
		}
	}
}
