package electoral

import (
	"fmt"

	"github.com/canvass-vote/canvass/recount"
)

// Reach is whether a unit's margin was within its state's recount thresholds, from the rules
// table of package recount (recount.Rules, recount.Reach).
type Reach struct {
	// OnFile is true when package recount has the state's rules; Note says why not otherwise.
	OnFile bool `json:"on_file"`
	// Automatic, Requestable, WhoPays and Rule are recount.Reach's answer.
	Automatic   bool   `json:"automatic"`
	Requestable bool   `json:"requestable"`
	WhoPays     string `json:"who_pays,omitempty"`
	Rule        string `json:"rule,omitempty"`
	// Divisor is the total the statute divides the margin by (recount.StateRules.Total): the
	// two leaders' votes for a state whose statute says so (Arizona), every vote for the
	// office otherwise.
	Divisor int64  `json:"divisor,omitempty"`
	Note    string `json:"note,omitempty"`
}

// reach looks the unit's state up in recount's table. margin < 0 means no runner-up. The
// rules are the state's rules for a statewide office; a district unit is reported with them
// and says so.
func reach(u Unit, margin, top2, total int64) Reach {
	r, ok := recount.Rules(u.State)
	if !ok {
		return Reach{Note: fmt.Sprintf("no recount rules on file for %s", u.State)}
	}
	if margin < 0 {
		return Reach{OnFile: true, Rule: r.Citation, Note: "a single candidate: no margin"}
	}
	d := r.Divisor(top2, total)
	e := recount.Reach(u.State, margin, d)
	out := Reach{OnFile: true, Automatic: e.Automatic, Requestable: e.Requestable, WhoPays: e.WhoPays,
		Rule: r.Citation, Divisor: d}
	if u.District > 0 {
		out.Note = "the state's statewide rules, applied to the district"
	}
	return out
}
