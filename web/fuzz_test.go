package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/canvass-vote/canvass/workspace"
)

// FuzzCleanName: an uploaded file's name never keeps a separator, a control character or a
// leading dot, is never empty and at most 200 bytes long.
func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"cvrs.csv", "../../etc/passwd", `C:\Users\clerk\export.zip`, ".hidden", "", "a\x00b\nc", strings.Repeat("x", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := cleanName(s)
		if n == "" || len(n) > 200 || strings.ContainsAny(n, "/\\:\x00\n") || strings.HasPrefix(n, ".") {
			t.Fatalf("cleanName(%q) = %q", s, n)
		}
	})
}

// FuzzPager: any limit and cursor give a page inside the list, or a 400.
func FuzzPager(f *testing.F) {
	f.Add("10", "o20", 72)
	f.Add("", "", 0)
	f.Add("-1", "o-5", 3)
	f.Add("99999999999999999999", "x", 10)
	f.Fuzz(func(t *testing.T, limit, cursor string, n int) {
		if n < 0 || n > 1<<20 {
			return
		}
		r := httptest.NewRequest("GET", "/?"+url.Values{"limit": {limit}, "cursor": {cursor}}.Encode(), nil)
		q := &req{r: r}
		p, err := q.pager(100, 1000)
		if err != nil {
			return
		}
		lo, hi, next := p.window(n)
		if lo < 0 || hi > n || lo > hi || hi-lo > 1000 || next != "" && hi >= n {
			t.Fatalf("limit %q cursor %q of %d: [%d, %d) next %q", limit, cursor, n, lo, hi, next)
		}
	})
}

// FuzzReadForm: a ballot form either reads as a reading whose choices are the contest's, or
// is refused; it never panics.
func FuzzReadForm(f *testing.F) {
	f.Add("found=yes&c0=Alice", false)
	f.Add("found=no", false)
	f.Add("t0.0=12&t0.1=x", true)
	f.Add("t0.0=-3", true)
	f.Add("c0=Alice&c0=Alice&c1=Bob", false)
	f.Fuzz(func(t *testing.T, form string, batch bool) {
		vals, err := url.ParseQuery(form)
		if err != nil {
			return
		}
		v := &workspace.BoardView{Kind: "comparison", Board: "Audit Board 1", Contests: []workspace.BoardContest{{Name: "President", VoteFor: 1, Choices: []string{"Alice", "Bob"}}}}
		if batch {
			v.Kind = "batch"
		}
		rd, err := readForm(vals, v)
		if err != nil {
			if he, ok := err.(*httpError); !ok || he.status != http.StatusBadRequest {
				t.Fatalf("error %v", err)
			}
			return
		}
		rec, err := rd.record(v, workspace.BoardBallot{})
		if err != nil {
			return
		}
		for c, vs := range rec.Votes {
			for _, x := range vs {
				if c != "President" || x != "Alice" && x != "Bob" {
					t.Fatalf("reading %v", rec.Votes)
				}
			}
		}
		for _, tally := range rec.Tally {
			for ch, n := range tally {
				if n < 0 || ch != "Alice" && ch != "Bob" {
					t.Fatalf("tally %v", rec.Tally)
				}
			}
		}
	})
}

// BenchmarkPublicResults: a county's results through the API, tabulated once per import and
// served from the memo after (the Wisconsin ward report: 3,698 wards in 72 counties).
func BenchmarkPublicResults(b *testing.B) {
	t := &testing.T{}
	f := sharedFixture(t)
	if t.Failed() {
		b.Fatal("fixture")
	}
	h := New(f.w, Options{TempDir: b.TempDir()})
	path := "/api/v1/results?" + url.Values{"contest": {"President"}, "source": {"results"}, "unit": {"WI / MILWAUKEE"}}.Encode()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}
