package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/workspace"
)

// Recounts, for state administrators: start a recount of chosen jurisdictions, enter the
// recount's counts (one unit by hand, or a results or CVR file), and finish it. Every step is a
// ledger entry written by package workspace; the comparison is the public recount page's.
// Jurisdiction administrators do not enter counts here: which jurisdiction a unit lies in is
// the workspace's to decide, and a file may hold units of many.

// recountForm starts a recount (the fields of workspace.RecountOptions).
type recountForm struct {
	Contest       string   `json:"contest"`
	Source        string   `json:"source,omitempty"`
	Level         string   `json:"level,omitempty"`
	Jurisdictions []string `json:"jurisdictions"`
	State         string   `json:"state,omitempty"`
	Reason        string   `json:"reason,omitempty"`
}

// recountHandEntry enters recount counts by hand through the API: unit → choice → votes.
type recountHandEntry struct {
	Units map[string]map[string]int64 `json:"units"`
	Note  string                      `json:"note,omitempty"`
}

// splitList splits a list written with commas or one item per line.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' }) {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// parseChoiceMapping reads FROM=TO lines (TO empty: not compared; FROM "*": the rest).
func parseChoiceMapping(s string) (map[string]string, error) {
	var out map[string]string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		from, to, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(from) == "" {
			return nil, badRequest("choice mapping %q: write FROM=TO, one a line (TO empty: not compared; * for the rest)", line)
		}
		if out == nil {
			out = map[string]string{}
		}
		out[strings.TrimSpace(from)] = strings.TrimSpace(to)
	}
	return out, nil
}

// recountError answers a refused recount step: 409 for a finished recount, 422 otherwise (a
// unit or choice not in the contest, a unit not recounted, bad counts).
func recountError(err error) error {
	if errors.Is(err, workspace.ErrRecountClosed) {
		return &httpError{status: http.StatusConflict, msg: err.Error()}
	}
	return unprocessable(err)
}

// recountID is the path's recount, which must be one.
func (q *req) recountID() (uint64, error) {
	id, err := strconv.ParseUint(q.r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, errNotFound
	}
	if _, err := q.s.recount(q.r.Context(), id); err != nil {
		return 0, err
	}
	return id, nil
}

func (q *req) adminRecountsPage() error {
	ctx := q.r.Context()
	ids, err := q.s.w.Recounts(ctx)
	if err != nil {
		return err
	}
	var reps []*workspace.RecountReport
	for _, id := range ids {
		rep, err := q.s.w.RecountReport(ctx, id)
		if err != nil {
			return err
		}
		reps = append(reps, rep)
	}
	cs, err := q.s.contestSummaries(ctx)
	if err != nil {
		return err
	}
	return q.page("adminrecounts", map[string]any{"Recounts": reps, "Contests": cs})
}

func (q *req) startRecount() error {
	var in recountForm
	if q.api {
		if err := q.decodeJSON(&in); err != nil {
			return err
		}
	} else {
		f := q.r.PostFormValue
		in = recountForm{Contest: f("contest"), Source: f("source"), Level: f("level"), Jurisdictions: splitList(f("jurisdictions")),
			State: strings.TrimSpace(f("state")), Reason: strings.TrimSpace(f("reason"))}
	}
	if strings.TrimSpace(in.Contest) == "" || len(in.Jurisdictions) == 0 {
		return badRequest("name the contest and the jurisdictions recounted")
	}
	opts := workspace.RecountOptions{Contest: in.Contest, Source: in.Source, Jurisdictions: in.Jurisdictions, State: in.State, Reason: in.Reason, Level: canvass.LevelCounty}
	if in.Level != "" {
		l, err := workspace.ParseLevel(in.Level)
		if err != nil {
			return badRequest("level %q: county, municipality, precinct or state", in.Level)
		}
		opts.Level = l
	}
	id, err := q.ws.RecountStart(q.r.Context(), opts)
	if err != nil {
		return unprocessable(err)
	}
	return q.entered(id)
}

func (q *req) adminRecountPage() error {
	id, err := q.recountID()
	if err != nil {
		return err
	}
	rep, err := q.s.w.RecountReport(q.r.Context(), id)
	if err != nil {
		return err
	}
	var choices []string
	if rep.Comparison != nil {
		for _, t := range rep.Comparison.Totals {
			choices = append(choices, t.Name)
		}
	}
	return q.page("adminrecount", map[string]any{"R": rep, "Choices": choices})
}

// enterRecount records recount counts: by hand (a JSON body, or the page's form with a unit
// and a count per choice), or a results or CVR file (multipart, streamed to a temporary file
// after the CSRF token is checked).
func (q *req) enterRecount() error {
	id, err := q.recountID()
	if err != nil {
		return err
	}
	in := workspace.RecountEntry{Recount: id}
	ct := q.r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/json"):
		if err := q.checkCSRF(q.r.Header.Get("X-CSRF-Token")); err != nil {
			return err
		}
		var h recountHandEntry
		if err := q.decodeJSON(&h); err != nil {
			return err
		}
		if len(h.Units) == 0 {
			return badRequest("give the units' counts: {\"units\": {UNIT: {CHOICE: N}}}")
		}
		in.Units, in.Note = h.Units, h.Note
	case strings.HasPrefix(ct, "multipart/form-data"):
		u, err := q.readMultipart(1, q.s.opts.MaxUpload)
		if err != nil {
			return err
		}
		defer u.cleanup()
		if len(u.files) == 1 && u.files[0].Size > 0 {
			in.File = u.files[0].Path
			in.CVR = u.get("kind") == "cvr"
			format := u.get("format")
			if format == "auto" {
				format = ""
			}
			if in.CVR {
				in.Format, in.Jurisdiction = format, u.get("jurisdiction")
			} else {
				in.Results.Format, in.Results.State, in.Results.County, in.Results.Contest = format, u.get("state"), u.get("county"), u.get("contest")
			}
			if in.Choices, err = parseChoiceMapping(u.get("choices")); err != nil {
				return err
			}
		} else if in.Units, err = handUnit(u.get, u.fields["choice"], u.fields["votes"]); err != nil {
			return err
		}
		in.Note = u.get("note")
		if _, err := q.ws.RecountEnter(q.r.Context(), in); err != nil {
			return u.failure(err, statusOf(recountError(err)))
		}
		return q.entered(id)
	default:
		if err := q.checkCSRF(q.r.Header.Get("X-CSRF-Token")); err != nil {
			return err
		}
		if err := q.r.ParseForm(); err != nil {
			return badRequest("the form: %v", err)
		}
		get := func(k string) string { return strings.TrimSpace(q.r.PostForm.Get(k)) }
		if in.Units, err = handUnit(get, q.r.PostForm["choice"], q.r.PostForm["votes"]); err != nil {
			return err
		}
		in.Note = get("note")
	}
	if _, err := q.ws.RecountEnter(q.r.Context(), in); err != nil {
		return recountError(err)
	}
	return q.entered(id)
}

// statusOf is an httpError's status.
func statusOf(err error) int {
	var he *httpError
	if errors.As(err, &he) {
		return he.status
	}
	return http.StatusInternalServerError
}

// handUnit reads the page's hand entry: a unit, and the choices with their counts side by
// side (every count a whole number).
func handUnit(get func(string) string, choices, votes []string) (map[string]map[string]int64, error) {
	unit := get("unit")
	if unit == "" {
		return nil, badRequest("name the unit counted, or choose a file")
	}
	if len(choices) != len(votes) || len(choices) == 0 {
		return nil, badRequest("give a count for every choice")
	}
	counts := map[string]int64{}
	for i, ch := range choices {
		v := strings.TrimSpace(votes[i])
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, &httpError{status: http.StatusUnprocessableEntity, msg: "the count for " + ch + " (" + strconv.Quote(v) + ") is not a whole number"}
		}
		counts[ch] = n
	}
	return map[string]map[string]int64{unit: counts}, nil
}

// entered answers a recount started or an entry recorded: the recount's report (API), or its
// page.
func (q *req) entered(id uint64) error {
	if q.api || wantsJSON(q.r) {
		rep, err := q.s.w.RecountReport(q.r.Context(), id)
		if err != nil {
			return err
		}
		q.json(http.StatusCreated, rep)
		return nil
	}
	return q.redirect("/admin/recounts/" + strconv.FormatUint(id, 10))
}

func (q *req) finishRecount() error {
	id, err := q.recountID()
	if err != nil {
		return err
	}
	note := q.r.PostFormValue("note")
	if q.api {
		var in struct {
			Note string `json:"note"`
		}
		if q.r.ContentLength != 0 {
			if err := q.decodeJSON(&in); err != nil {
				return err
			}
		}
		note = in.Note
	}
	rep, err := q.ws.RecountFinish(q.r.Context(), id, strings.TrimSpace(note))
	if err != nil {
		return recountError(err)
	}
	if q.api {
		q.json(http.StatusOK, rep)
		return nil
	}
	return q.redirect("/admin/recounts/" + strconv.FormatUint(id, 10))
}
