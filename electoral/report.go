package electoral

// Report is everything the package computes about an Election: the allocation, the tipping
// point and the smallest flips.
type Report struct {
	Allocation *Allocation `json:"allocation"`
	// TippingPoint is nil when no candidate has a majority.
	TippingPoint *TippingPoint `json:"tipping_point,omitempty"`
	// Flips are SmallestFlips' four answers.
	Flips []Flip `json:"smallest_flips"`
}

// Analyze allocates e and computes its tipping point and smallest flips.
func Analyze(e *Election) (*Report, error) {
	a, err := Allocate(e)
	if err != nil {
		return nil, err
	}
	r := &Report{Allocation: a, Flips: SmallestFlips(a)}
	if tp, ok := Tipping(a); ok {
		r.TippingPoint = &tp
	}
	return r, nil
}

// WhatIf is a scenario's report and what it changed.
type WhatIf struct {
	Scenario Scenario `json:"scenario"`
	Report   *Report  `json:"report"`
	Diff     Diff     `json:"diff"`
}

// WhatIf applies s to e, analyzes the result and compares it with base, the Report of e.
func (e *Election) WhatIf(s Scenario, base *Report) (*WhatIf, error) {
	after, err := e.Apply(s)
	if err != nil {
		return nil, err
	}
	r, err := Analyze(after)
	if err != nil {
		return nil, err
	}
	return &WhatIf{Scenario: s, Report: r, Diff: Compare(base.Allocation, r.Allocation)}, nil
}
