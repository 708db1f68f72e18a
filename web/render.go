package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/canvass-vote/canvass/internal/numfmt"
	"github.com/canvass-vote/canvass/workspace"
)

// navItem is an entry of the navigation bar.
type navItem struct {
	Path, Label string
}

// publicNav is the navigation of every page. The recount and electoral-vote entries are slots
// that their packages' pages fill (slots.go).
var publicNav = []navItem{
	{"/", "Results"},
	{"/turnout", "Turnout"},
	{"/audits", "Audits"},
	{"/recount", "Recount"},
	{"/electoral", "Electoral votes"},
	{"/verify", "Verify"},
}

var funcs = template.FuncMap{
	"num":  num,
	"pct":  func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" },
	"pctw": func(f float64) string { return strconv.FormatFloat(f*100, 'f', 2, 64) },
	"share": func(a, b int64) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	},
	"risk": func(f float64) string { return strconv.FormatFloat(f, 'g', 4, 64) },
	"add":  func(a, b int) int { return a + b },
	"sub":  func(a, b float64) float64 { return a - b },
	"addf": func(a, b float64) float64 { return a + b },
	"half": func(a float64) float64 { return a / 2 },
	"last": lastPart,
	// query makes a URL's query from keys and values (empty values left out); it is a
	// template.URL because url.Values.Encode has already escaped every part.
	"query": func(kv ...string) template.URL {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] != "" {
				v.Set(kv[i], kv[i+1])
			}
		}
		return template.URL(v.Encode())
	},
	"join": strings.Join,
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"has":    func(m map[string]bool, k string) bool { return m[k] },
	"nav":    func() []navItem { return publicNav },
	"home":   homeOf,
	"isRole": func(a *workspace.Account, role string) bool { return a != nil && a.Role == role },
	"fmtf":   func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
	"votes": func(m map[string][]string, c string) string {
		if v, ok := m[c]; ok {
			if len(v) == 0 {
				return "(none)"
			}
			return strings.Join(v, ", ")
		}
		return ""
	},
	"inList": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
	"tally": func(m map[string]map[string]int64, c, ch string) string {
		if t, ok := m[c]; ok {
			return strconv.FormatInt(t[ch], 10)
		}
		return ""
	},
}

// num writes a whole number with thousands separators: 1,630,866.
func num(v any) string {
	var s string
	switch n := v.(type) {
	case int:
		s = strconv.Itoa(n)
	case int64:
		s = strconv.FormatInt(n, 10)
	case uint64:
		s = strconv.FormatUint(n, 10)
	case *int64:
		if n == nil {
			return ""
		}
		s = strconv.FormatInt(*n, 10)
	default:
		return fmt.Sprint(v)
	}
	return numfmt.Group(s)
}

// parsePages parses each page template with the layout.
func parsePages() map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html"))
	out := map[string]*template.Template{}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		panic(err) // the embedded templates are fixed at build time
	}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(assets, n))
	}
	return out
}

// page renders a page with status 200.
func (q *req) page(name string, data map[string]any) error {
	q.render(http.StatusOK, name, data)
	return nil
}

func (q *req) pageStatus(status int, name string, data map[string]any) error {
	q.render(status, name, data)
	return nil
}

// render executes a page into a buffer first, so that a failure is a clean 500.
func (q *req) render(status int, name string, data map[string]any) {
	t := q.s.pages[name]
	if t == nil {
		http.Error(q.rw, "no page "+name, http.StatusInternalServerError)
		return
	}
	if data == nil {
		data = map[string]any{}
	}
	if q.sess != nil {
		a := q.sess.Account
		data["Me"] = &a
		data["CSRF"] = q.sess.CSRF
	}
	data["Path"] = q.r.URL.Path
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		q.s.opts.Log.Error("template", "page", name, "err", err)
		http.Error(q.rw, fmt.Sprintf("the page %s failed: %v", name, err), http.StatusInternalServerError)
		return
	}
	h := q.rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if q.sess != nil {
		h.Set("Cache-Control", "no-store")
	}
	q.rw.WriteHeader(status)
	q.rw.Write(buf.Bytes())
}
