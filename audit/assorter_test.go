package audit

import (
	"math"
	"testing"
)

// The assorter values of SHANGRLA (Stark 2020) sec. 2.1 and 2.3; the supermajority values for
// f = 2/3 are the reference values of AUDIT-REFERENCES.md (3/4, 0, 1/2).
func TestAssorterValues(t *testing.T) {
	plur := Assorter{Winner: "A", Loser: "B", Upper: 1}
	sup := Assorter{Winner: "A", Upper: 0.75, Share: 2.0 / 3}
	cases := []struct {
		a     Assorter
		votes []string
		want  float64
	}{
		{plur, []string{"A"}, 1},
		{plur, []string{"B"}, 0},
		{plur, []string{"C"}, 0.5},
		{plur, nil, 0.5},
		{plur, []string{"A", "B"}, 0.5}, // (1 − 1 + 1)/2
		{sup, []string{"A"}, 0.75},
		{sup, []string{"B"}, 0},
		{sup, []string{"C"}, 0},
		{sup, nil, 0.5},
		{sup, []string{"A", "B"}, 0.5}, // an overvote is no valid vote
	}
	for _, c := range cases {
		if got := c.a.Assort(c.votes); got != c.want {
			t.Errorf("%+v.Assort(%v) = %v, want %v", c.a, c.votes, got, c.want)
		}
	}
}

func TestContestAssorters(t *testing.T) {
	// Plurality, 1000 ballots, A 600, B 300, C 50: mean of A-vs-B = 1/2 + 300/2000 = 0.65,
	// A-vs-C = 1/2 + 550/2000 = 0.775; the A-vs-B margin 2·0.65 − 1 = 0.3 = diluted margin.
	c := &Contest{Name: "p", Ballots: 1000, Choices: []Choice{{"A", 600}, {"B", 300}, {"C", 50}}}
	as, err := ContestAssorters(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 2 || as[0].Loser != "B" || as[1].Loser != "C" {
		t.Fatalf("assorters %+v", as)
	}
	if math.Abs(as[0].Mean-0.65) > 1e-15 || math.Abs(as[1].Mean-0.775) > 1e-15 {
		t.Errorf("means %v %v, want 0.65 0.775", as[0].Mean, as[1].Mean)
	}
	dm, _ := c.DilutedMargin()
	if math.Abs(as[0].Margin()-dm) > 1e-15 {
		t.Errorf("margin %v, diluted margin %v", as[0].Margin(), dm)
	}
	// Supermajority 2/3, 1000 ballots, A 700, B 200, 100 blank:
	// mean = (700·3/4 + 100·1/2)/1000 = 0.575.
	s := &Contest{Name: "s", Ballots: 1000, Choices: []Choice{{"A", 700}, {"B", 200}}, ThresholdNum: 2, ThresholdDen: 3}
	as, err = ContestAssorters(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || as[0].Upper != 0.75 || math.Abs(as[0].Mean-0.575) > 1e-15 {
		t.Errorf("supermajority assorters %+v", as)
	}
	if _, err := ContestAssorters(&Contest{Name: "x", Ballots: 10, Choices: []Choice{{"A", 3}, {"B", 3}}}); err == nil {
		t.Error("a tie gave assorters")
	}
}

// Comparison assorter, SHANGRLA sec. 3.2: u = 1, v = 0.3 (the contest above), so
// B = (1 − ω)/(2 − 0.3) = (1 − ω)/1.7: no error 1/1.7, a one-vote overstatement (CVR says A,
// MVR blank: ω = 1/2) 0.5/1.7, a two-vote overstatement 0, a two-vote understatement 2/1.7 =
// the upper bound 2u/(2u − v).
func TestComparisonAssorter(t *testing.T) {
	a := Assorter{Winner: "A", Loser: "B", Upper: 1, Mean: 0.65}
	cases := []struct {
		cvr, mvr []string
		want     float64
	}{
		{[]string{"A"}, []string{"A"}, 1 / 1.7},
		{[]string{"A"}, nil, 0.5 / 1.7},
		{[]string{"A"}, []string{"B"}, 0},
		{[]string{"B"}, []string{"A"}, 2 / 1.7},
		{nil, []string{"A"}, 1.5 / 1.7},
	}
	for _, c := range cases {
		if got := a.Comparison(c.cvr, c.mvr); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("Comparison(%v, %v) = %v, want %v", c.cvr, c.mvr, got, c.want)
		}
	}
	if got := a.ComparisonUpper(); math.Abs(got-2/1.7) > 1e-15 {
		t.Errorf("upper %v", got)
	}
	if got := a.Overstatement([]string{"A"}, []string{"B"}); got != 1 {
		t.Errorf("overstatement %v, want 1", got)
	}
}
