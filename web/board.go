package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/workspace"
)

// Audit boards. A board account sees only its own board's list of the round it is scoped to,
// one ballot at a time, addressed by its place in that list: it cannot name another board's
// ballot. No page or answer it gets carries a card's cast vote record, before or after its
// reading is recorded: the comparison is blind. A reading is recorded when two members of the
// board (two accounts of the same board) confirm the same reading (workspace.BoardConfirm).

// board returns the signed-in board's view.
func (q *req) board() (*workspace.BoardView, error) {
	return q.ws.AuditBoard(q.r.Context(), q.sess.Account.Scope)
}

// ranked names the contests of the board's audit that the board reads as rankings (the
// instant-runoff contests, audited by their assertions).
func (q *req) ranked(v *workspace.BoardView) (map[string]bool, error) {
	return q.ws.AuditIRVContests(q.r.Context(), v.Audit)
}

// ballot returns the board's ballot n (1-based) of its list.
func (q *req) ballot() (*workspace.BoardView, int, error) {
	v, err := q.board()
	if err != nil {
		return nil, 0, err
	}
	n, err := strconv.Atoi(q.r.PathValue("n"))
	if err != nil || n < 1 || n > len(v.Ballots) {
		return nil, 0, &httpError{status: http.StatusNotFound, msg: fmt.Sprintf("your board has no ballot %q", q.r.PathValue("n"))}
	}
	return v, n, nil
}

func (q *req) boardPage() error {
	v, err := q.board()
	if err != nil {
		return err
	}
	done := 0
	for _, b := range v.Ballots {
		if b.Status == workspace.BallotRecorded {
			done++
		}
	}
	return q.page("board", map[string]any{"B": v, "Done": done, "Next": nextToDo(v, 0, q.sess.Account.Name)})
}

// nextToDo is the first ballot after position after (1-based; 0 for the first) that awaits
// the member: not recorded, and not awaiting the member's own confirmed reading; it wraps
// around, and is 0 when there is none.
func nextToDo(v *workspace.BoardView, after int, member string) int {
	n := len(v.Ballots)
	for i := 0; i < n; i++ {
		k := (after + i) % n
		b := v.Ballots[k]
		if b.Status != workspace.BallotRecorded && (b.Pending == nil || b.Pending.Member != member) {
			return k + 1
		}
	}
	return 0
}

func (q *req) apiBoard() error {
	v, err := q.board()
	if err != nil {
		return err
	}
	head := *v
	head.Ballots = nil
	return list(q, v.Ballots, 500, 5000, map[string]any{"board": head})
}

func (q *req) apiBallot() error {
	v, n, err := q.ballot()
	if err != nil {
		return err
	}
	ranked, err := q.ranked(v)
	if err != nil {
		return err
	}
	names := []string{}
	for _, c := range v.Contests {
		if ranked[c.Name] {
			names = append(names, c.Name)
		}
	}
	q.json(http.StatusOK, map[string]any{"number": n, "of": len(v.Ballots), "ballot": v.Ballots[n-1], "contests": v.Contests, "ranked": names, "kind": v.Kind, "board": v.Board})
	return nil
}

func (q *req) ballotPage() error {
	v, n, err := q.ballot()
	if err != nil {
		return err
	}
	b := v.Ballots[n-1]
	ranked, err := q.ranked(v)
	if err != nil {
		return err
	}
	data := map[string]any{"B": v, "N": n, "Ballot": b, "Batch": v.Kind == string(audit.BatchKind), "Ranked": ranked}
	if b.Pending != nil {
		data["Mine"] = b.Pending.Member == q.sess.Account.Name
	}
	return q.page("ballot", data)
}

// reading is a board's reading of a ballot as the API takes it.
type reading struct {
	Found bool                        `json:"found"`
	Votes map[string][]string         `json:"votes,omitempty"`
	Tally map[string]map[string]int64 `json:"tally,omitempty"`
}

// readForm reads a reading from the ballot form: "found" (yes or no), for each contest i the
// checked choices "c<i>" (ballot audits) or the counts "t<i>.<j>" (batch audits). A ranked
// contest's form gives each choice j its rank "r<i>.<j>" (blank: not ranked), read into the
// ranking as the count reads it (workspace.IRVReading); the confirmation forms carry a
// reading back as "c<i>" in rank order.
func readForm(form url.Values, v *workspace.BoardView) (reading, error) {
	rd := reading{Found: form.Get("found") != "no"}
	if !rd.Found {
		return rd, nil
	}
	batch := v.Kind == string(audit.BatchKind)
	for i, c := range v.Contests {
		if batch {
			t := map[string]int64{}
			for j, ch := range c.Choices {
				s := strings.TrimSpace(form.Get(fmt.Sprintf("t%d.%d", i, j)))
				if s == "" {
					s = "0"
				}
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil || n < 0 {
					return rd, badRequest("%s, %s: %q is not a count", c.Name, ch, s)
				}
				t[ch] = n
			}
			if rd.Tally == nil {
				rd.Tally = map[string]map[string]int64{}
			}
			rd.Tally[c.Name] = t
			continue
		}
		if rd.Votes == nil {
			rd.Votes = map[string][]string{}
		}
		ranks, isRanked := map[string]int{}, false
		for j, ch := range c.Choices {
			key := fmt.Sprintf("r%d.%d", i, j)
			if _, ok := form[key]; !ok {
				continue
			}
			isRanked = true
			s := strings.TrimSpace(form.Get(key))
			if s == "" {
				continue
			}
			k, err := strconv.Atoi(s)
			if top := max(c.VoteFor, len(c.Choices)); err != nil || k < 1 || k > top {
				return rd, badRequest("%s, %s: %q is not a rank from 1 to %d", c.Name, ch, s, top)
			}
			ranks[ch] = k
		}
		if !isRanked {
			rd.Votes[c.Name] = form["c"+strconv.Itoa(i)]
			continue
		}
		rk, err := workspace.IRVReading(ranks)
		if err != nil {
			return rd, badRequest("%s: %v", c.Name, err)
		}
		rd.Votes[c.Name] = rk
	}
	return rd, nil
}

// inContestOrder lists a plurality reading's choices in the contest's order (a ranked
// contest's reading keeps its order): two members who mark the same choices give the same
// reading, however a client listed them.
func inContestOrder(rec *audit.Record, v *workspace.BoardView, ranked map[string]bool) {
	for _, c := range v.Contests {
		votes, ok := rec.Votes[c.Name]
		if !ok || ranked[c.Name] {
			continue
		}
		marked := map[string]bool{}
		for _, ch := range votes {
			marked[ch] = true
		}
		out := []string{}
		for _, ch := range c.Choices {
			if marked[ch] {
				out = append(out, ch)
			}
		}
		rec.Votes[c.Name] = out
	}
}

// record checks a reading against the board's contests and makes the audit record: every
// contest of the audit is read (a contest with no choice marked reads as no vote), every
// choice is one of the contest's.
func (rd reading) record(v *workspace.BoardView, b workspace.BoardBallot) (audit.Record, error) {
	rec := audit.Record{Card: b.Card, Found: rd.Found, Board: v.Board}
	if !rd.Found {
		return rec, nil
	}
	known := map[string]map[string]bool{}
	for _, c := range v.Contests {
		known[c.Name] = map[string]bool{}
		for _, ch := range c.Choices {
			known[c.Name][ch] = true
		}
	}
	if v.Kind == string(audit.BatchKind) {
		rec.Tally = map[string]map[string]int64{}
		for c, t := range rd.Tally {
			if known[c] == nil {
				return rec, badRequest("contest %q is not audited", c)
			}
			for ch, n := range t {
				if !known[c][ch] || n < 0 {
					return rec, badRequest("%s: %q is not a choice, or %d not a count", c, ch, n)
				}
			}
			rec.Tally[c] = t
		}
		for _, c := range v.Contests {
			if rec.Tally[c.Name] == nil {
				rec.Tally[c.Name] = map[string]int64{}
			}
		}
		return rec, nil
	}
	rec.Votes = map[string][]string{}
	for c, chs := range rd.Votes {
		if known[c] == nil {
			return rec, badRequest("contest %q is not audited", c)
		}
		seen := map[string]bool{}
		for _, ch := range chs {
			if !known[c][ch] || seen[ch] {
				return rec, badRequest("%s: %q is not a choice of the contest, or is marked twice", c, ch)
			}
			seen[ch] = true
		}
		rec.Votes[c] = chs
	}
	for _, c := range v.Contests {
		if rec.Votes[c.Name] == nil {
			rec.Votes[c.Name] = []string{}
		}
	}
	return rec, nil
}

// confirmBallot takes a member's reading: the form's "review" step shows it back, its
// "confirm" step (and the API) confirms it. The second member's matching confirmation records
// it in the audit.
func (q *req) confirmBallot() error {
	v, n, err := q.ballot()
	if err != nil {
		return err
	}
	b := v.Ballots[n-1]
	if !v.Open {
		return &httpError{status: http.StatusConflict, msg: "your board's round is not open"}
	}
	var rd reading
	step := "confirm"
	if q.api {
		if err := q.decodeJSON(&rd); err != nil {
			return err
		}
	} else {
		q.r.Body = http.MaxBytesReader(q.rw, q.r.Body, 1<<20)
		if err := q.r.ParseForm(); err != nil {
			return badRequest("the form: %v", err)
		}
		if rd, err = readForm(q.r.PostForm, v); err != nil {
			return err
		}
		step = q.r.PostFormValue("step")
	}
	rec, err := rd.record(v, b)
	if err != nil {
		return err
	}
	ranked, err := q.ranked(v)
	if err != nil {
		return err
	}
	if rec.Found && rec.Votes != nil {
		inContestOrder(&rec, v, ranked)
	}
	if step == "review" {
		return q.page("review", map[string]any{"B": v, "N": n, "Ballot": b, "Rec": rec, "Batch": v.Kind == string(audit.BatchKind), "Ranked": ranked})
	}
	if step != "confirm" {
		return badRequest("step %q: review or confirm", step)
	}
	q.s.confirmMu.Lock()
	recorded, err := q.ws.BoardConfirm(q.r.Context(), v.Audit, rec)
	q.s.confirmMu.Unlock()
	if err != nil {
		return &httpError{status: http.StatusConflict, msg: err.Error()}
	}
	status := workspace.BallotAwaiting
	if recorded {
		status = workspace.BallotRecorded
	}
	if q.api {
		q.json(http.StatusOK, map[string]any{"recorded": recorded, "status": status})
		return nil
	}
	v, err = q.board()
	if err != nil {
		return err
	}
	if next := nextToDo(v, n, q.sess.Account.Name); next != 0 && next != n {
		return q.redirect("/board/ballots/" + strconv.Itoa(next) + "?done=" + strconv.Itoa(n))
	}
	return q.redirect("/board?done=" + strconv.Itoa(n))
}
