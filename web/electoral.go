package web

import (
	"fmt"
	"sort"
	"strings"

	"github.com/canvass-vote/canvass/electoral"
	"github.com/canvass-vote/canvass/electoral/us2020"
)

// The electoral-vote table and the tile map of the states. The workspace has no electoral
// count of its own yet, so the page shows package electoral's analysis of the certified 2020
// results embedded in the binary (electoral/us2020): the national table, the tipping point,
// the smallest flips and a tile map. When the workspace gains one, this is where it goes.

// tileGrid places each state (and DC) on a grid of 11 columns and 8 rows that keeps the
// neighbours of the map near each other without geodata: {column, row}.
var tileGrid = map[string][2]int{
	"AK": {0, 0}, "ME": {10, 0},
	"WI": {5, 1}, "VT": {9, 1}, "NH": {10, 1},
	"WA": {0, 2}, "ID": {1, 2}, "MT": {2, 2}, "ND": {3, 2}, "MN": {4, 2}, "IL": {5, 2}, "MI": {6, 2}, "NY": {8, 2}, "MA": {9, 2},
	"OR": {0, 3}, "NV": {1, 3}, "WY": {2, 3}, "SD": {3, 3}, "IA": {4, 3}, "IN": {5, 3}, "OH": {6, 3}, "PA": {7, 3}, "NJ": {8, 3}, "CT": {9, 3}, "RI": {10, 3},
	"CA": {0, 4}, "UT": {1, 4}, "CO": {2, 4}, "NE": {3, 4}, "MO": {4, 4}, "KY": {5, 4}, "WV": {6, 4}, "VA": {7, 4}, "MD": {8, 4}, "DE": {9, 4},
	"AZ": {1, 5}, "NM": {2, 5}, "KS": {3, 5}, "AR": {4, 5}, "TN": {5, 5}, "NC": {6, 5}, "SC": {7, 5}, "DC": {8, 5},
	"OK": {3, 6}, "LA": {4, 6}, "MS": {5, 6}, "AL": {6, 6}, "GA": {7, 6},
	"HI": {0, 7}, "TX": {3, 7}, "FL": {8, 7},
}

const tileSize, tileGap = 52.0, 4.0

// tile is one state on the map.
type tile struct {
	State, Name string
	X, Y        float64
	Electors    int
	// Mark is the initial of the candidate who won the state's electors (or of each, for a
	// state whose electors split), so that the map is read without its colours.
	Mark  string
	Class string
	Title string
}

// electoralView is the page's data.
type electoralView struct {
	Report     *electoral.Report
	Candidates []candidateKey
	Tiles      []tile
	W, H       float64
	Units      []electoral.UnitResult
	// Names are the units' names by ID.
	Names map[string]string
}

// candidateKey is a candidate's mark and fill on the map.
type candidateKey struct {
	Name, Mark, Class string
}

func (s *server) electoralReport() (*electoralView, error) {
	v, err := s.memo.get("electoral", "us2020", func() (any, error) {
		e, err := us2020.Election()
		if err != nil {
			return nil, err
		}
		rep, err := electoral.Analyze(e)
		if err != nil {
			return nil, err
		}
		return electoralPage(rep), nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*electoralView), nil
}

func electoralPage(rep *electoral.Report) *electoralView {
	v := &electoralView{Report: rep, Units: rep.Allocation.Units, W: 11*(tileSize+tileGap) - tileGap, H: 8*(tileSize+tileGap) - tileGap}
	v.Names = map[string]string{}
	for _, u := range rep.Allocation.Units {
		v.Names[u.ID] = u.Name
	}
	keys := map[string]candidateKey{}
	for i, t := range rep.Allocation.Totals {
		if t.Electors == 0 {
			continue
		}
		k := candidateKey{Name: t.Candidate, Mark: initial(t.Candidate, keys), Class: fmt.Sprintf("k%d", min(i, 2))}
		keys[t.Candidate] = k
		v.Candidates = append(v.Candidates, k)
	}
	type agg struct {
		name     string
		electors int
		by       map[string]int
		detail   []string
	}
	states := map[string]*agg{}
	for _, u := range rep.Allocation.Units {
		a := states[u.State]
		if a == nil {
			a = &agg{name: u.Name, by: map[string]int{}}
			states[u.State] = a
		}
		a.electors += u.Electors
		for _, aw := range u.Awarded {
			a.by[aw.Candidate] += aw.Electors
		}
		w := u.Winner
		if w == "" {
			w = string(u.Status)
		}
		a.detail = append(a.detail, fmt.Sprintf("%s %d: %s by %s", u.ID, u.Electors, w, num(u.Margin)))
	}
	for code, a := range states {
		pos, ok := tileGrid[code]
		if !ok {
			continue
		}
		t := tile{State: code, Name: a.name, X: float64(pos[0]) * (tileSize + tileGap), Y: float64(pos[1]) * (tileSize + tileGap), Electors: a.electors, Class: "none"}
		var who []string
		for c := range a.by {
			who = append(who, c)
		}
		sort.Slice(who, func(i, j int) bool {
			return a.by[who[i]] > a.by[who[j]] || a.by[who[i]] == a.by[who[j]] && who[i] < who[j]
		})
		var marks []string
		for _, c := range who {
			marks = append(marks, keys[c].Mark)
		}
		if len(who) > 0 {
			t.Class = keys[who[0]].Class
		}
		t.Mark = strings.Join(marks, "+")
		t.Title = a.name + ": " + strings.Join(a.detail, "; ")
		v.Tiles = append(v.Tiles, t)
	}
	sort.Slice(v.Tiles, func(i, j int) bool { return v.Tiles[i].State < v.Tiles[j].State })
	return v
}

// initial is the first letter of a candidate's last name not already taken.
func initial(name string, taken map[string]candidateKey) string {
	f := strings.Fields(name)
	if len(f) == 0 {
		return "?"
	}
	last := strings.ToUpper(f[len(f)-1])
	for n := 1; n <= len(last); n++ {
		m := last[:n]
		free := true
		for _, k := range taken {
			free = free && k.Mark != m
		}
		if free {
			return m
		}
	}
	return last
}

func (q *req) electoralPage() error {
	v, err := q.s.electoralReport()
	if err != nil {
		return err
	}
	return q.page("electoral", map[string]any{"E": v})
}

func (q *req) apiElectoral() error {
	v, err := q.s.electoralReport()
	if err != nil {
		return err
	}
	head := *v.Report
	alloc := *head.Allocation
	alloc.Units = nil
	head.Allocation = &alloc
	return list(q, v.Units, 100, 1000, map[string]any{"report": head, "source": "certified 2020 results (electoral/us2020)"})
}
