// Package loadtest is a bounded load generator for canvass serve (docs/API.md): public readers
// that fetch pages and API answers, and audit boards whose two members read the ballots of their
// retrieval list and confirm each other's readings, all at once for a fixed time.
//
// It is bounded in every way: one goroutine per reader and one per board, each with at most one
// request in flight; no new request starts after the duration; each request has a timeout. A
// request that has started is never cancelled at the deadline, so that every confirmation the
// server acknowledges is counted: the count is what a test compares with the ledger.
//
// Latencies are kept per kind of request and reported as nearest-rank percentiles.
package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"sync"
	"time"
)

// Kinds of request, as the report names them.
const (
	KindSignIn       = "sign-in"          // POST /api/v1/session
	KindBoardList    = "board list"       // GET /api/v1/board
	KindBoardBallot  = "board ballot"     // GET /api/v1/board/ballots/{n}
	KindConfirmFirst = "confirm (first)"  // POST …/confirm by the first member: an audit.confirm entry
	KindConfirmOther = "confirm (second)" // POST …/confirm by the second member: an audit.record entry
)

// Target is a GET the public readers send: Kind names it in the report (several targets may
// share a kind), Path is the path and query.
type Target struct {
	Kind string
	Path string
}

// Member is an audit-board account.
type Member struct {
	Name, Password string
}

// Board is an audit board of two members, who take turns reading first.
type Board struct {
	Members [2]Member
}

// Config is one load run.
type Config struct {
	// BaseURL is the server, "http://127.0.0.1:PORT".
	BaseURL string
	// Readers is the number of public readers; each sends Targets in turn, starting at a
	// different one.
	Readers int
	Targets []Target
	// Boards are the audit boards recording at once.
	Boards []Board
	// Duration is how long requests are started.
	Duration time.Duration
	// Timeout bounds each request (default 60 s).
	Timeout time.Duration
	// Reading is what a board reads on a ballot, as the confirm endpoint takes it; the default
	// is every contest read as a vote for its first choice.
	Reading func(contests []Contest, n int) map[string]any
}

// Contest is an audited contest as the board's view lists it.
type Contest struct {
	Name    string   `json:"name"`
	VoteFor int      `json:"vote_for"`
	Choices []string `json:"choices"`
}

// Stats are the latencies of one kind of request.
type Stats struct {
	Kind   string
	N      int
	Errors int
	// P50, P95, P99 and Max are nearest-rank percentiles of the requests' latencies (from
	// sending the request to reading the whole answer), errors included.
	P50, P95, P99, Max time.Duration
}

// Report is what a run did.
type Report struct {
	// Elapsed is from the start to the end of the last request.
	Elapsed time.Duration
	Kinds   []Stats
	// Requests and Errors count every request; an error is a failed request or an answer
	// that is not 2xx. Problems holds the first few errors.
	Requests, Errors int
	Problems         []string
	// Confirmed counts the first members' confirmations the server acknowledged (answered
	// recorded: false); Recorded the second members' (answered recorded: true). A ballot is
	// confirmed first, then recorded, so Recorded ≤ Confirmed.
	Confirmed, Recorded int
	// BoardsDone counts the boards that recorded every ballot of their list.
	BoardsDone int
}

// Stat returns the stats of a kind (zero if none was sent).
func (r *Report) Stat(kind string) Stats {
	for _, s := range r.Kinds {
		if s.Kind == kind {
			return s
		}
	}
	return Stats{Kind: kind}
}

// maxProblems bounds the errors kept in a Report.
const maxProblems = 10

// sample is one request's outcome.
type sample struct {
	kind string
	d    time.Duration
	err  bool
}

// worker collects one goroutine's samples; merged at the end, so no lock is taken per request.
type worker struct {
	samples             []sample
	problems            []string
	confirmed, recorded int
	done                bool
}

func (w *worker) note(kind string, d time.Duration, err error) {
	w.samples = append(w.samples, sample{kind: kind, d: d, err: err != nil})
	if err != nil && len(w.problems) < maxProblems {
		w.problems = append(w.problems, fmt.Sprintf("%s: %v", kind, err))
	}
}

// Run runs the load and reports it. It returns an error only for a configuration it cannot
// run; failed requests are counted in the report. Cancelling ctx stops starting requests.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.BaseURL == "" || cfg.Duration <= 0 {
		return nil, errors.New("loadtest: a base URL and a positive duration are needed")
	}
	if cfg.Readers > 0 && len(cfg.Targets) == 0 {
		return nil, errors.New("loadtest: readers need targets")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 60 * time.Second
	}
	if cfg.Reading == nil {
		cfg.Reading = FirstChoices
	}
	conns := cfg.Readers + 2*len(cfg.Boards)
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()

	start := time.Now()
	stop := start.Add(cfg.Duration)
	running := func() bool { return ctx.Err() == nil && time.Now().Before(stop) }
	workers := make([]*worker, cfg.Readers+len(cfg.Boards))
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{}
		workers[i] = w
		wg.Add(1)
		if i < cfg.Readers {
			go func() {
				defer wg.Done()
				read(w, &http.Client{Transport: tr, Timeout: cfg.Timeout}, cfg, i, running)
			}()
			continue
		}
		b := cfg.Boards[i-cfg.Readers]
		go func() {
			defer wg.Done()
			record(w, tr, cfg, b, i-cfg.Readers, running)
		}()
	}
	wg.Wait()

	rep := &Report{Elapsed: time.Since(start)}
	byKind := map[string][]sample{}
	for _, w := range workers {
		for _, s := range w.samples {
			byKind[s.kind] = append(byKind[s.kind], s)
		}
		for _, p := range w.problems {
			if len(rep.Problems) < maxProblems {
				rep.Problems = append(rep.Problems, p)
			}
		}
		rep.Confirmed += w.confirmed
		rep.Recorded += w.recorded
		if w.done {
			rep.BoardsDone++
		}
	}
	for kind, ss := range byKind {
		st := summarize(kind, ss)
		rep.Kinds = append(rep.Kinds, st)
		rep.Requests += st.N
		rep.Errors += st.Errors
	}
	slices.SortFunc(rep.Kinds, func(a, b Stats) int { return strings.Compare(a.Kind, b.Kind) })
	return rep, nil
}

// summarize computes a kind's percentiles.
func summarize(kind string, ss []sample) Stats {
	st := Stats{Kind: kind, N: len(ss)}
	ds := make([]time.Duration, len(ss))
	for i, s := range ss {
		ds[i] = s.d
		if s.err {
			st.Errors++
		}
	}
	slices.Sort(ds)
	st.P50, st.P95, st.P99 = Percentile(ds, 0.50), Percentile(ds, 0.95), Percentile(ds, 0.99)
	if len(ds) > 0 {
		st.Max = ds[len(ds)-1]
	}
	return st
}

// Percentile is the nearest-rank percentile of sorted durations: the smallest value such that
// at least a fraction q of the values are at most it (the ⌈q·n⌉-th value); 0 for none.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	k := int(math.Ceil(q * float64(n)))
	k = min(max(k, 1), n)
	return sorted[k-1]
}

// read is a public reader: it sends the targets in turn, starting at target i.
func read(w *worker, c *http.Client, cfg Config, i int, running func() bool) {
	for k := i; running(); k++ {
		t := cfg.Targets[k%len(cfg.Targets)]
		t0 := time.Now()
		_, err := send(c, http.MethodGet, cfg.BaseURL+t.Path, nil, "")
		w.note(t.Kind, time.Since(t0), err)
	}
}

// member is a signed-in board member.
type member struct {
	Member
	c    *http.Client
	csrf string
}

// record is an audit board: both members sign in, read the board's list, then for each ballot
// still to do the first member (alternately one and the other) fetches the ballot and confirms
// a reading, and the other fetches it and confirms the same reading, which records it.
func record(w *worker, tr *http.Transport, cfg Config, b Board, i int, running func() bool) {
	var ms [2]*member
	for j, m := range b.Members {
		jar, _ := cookiejar.New(nil)
		ms[j] = &member{Member: m, c: &http.Client{Transport: tr, Timeout: cfg.Timeout, Jar: jar}}
		if !running() {
			return
		}
		t0 := time.Now()
		body, err := send(ms[j].c, http.MethodPost, cfg.BaseURL+"/api/v1/session", map[string]string{"name": m.Name, "password": m.Password}, "")
		var s struct {
			CSRF string `json:"csrf"`
		}
		if err == nil {
			err = json.Unmarshal(body, &s)
		}
		w.note(KindSignIn, time.Since(t0), err)
		if err != nil {
			return
		}
		ms[j].csrf = s.CSRF
	}
	if !running() {
		return
	}
	t0 := time.Now()
	body, err := send(ms[0].c, http.MethodGet, cfg.BaseURL+"/api/v1/board?limit=5000", nil, "")
	var view struct {
		Board struct {
			Contests []Contest `json:"contests"`
		} `json:"board"`
		Items []struct {
			Status string `json:"status"`
		} `json:"items"`
	}
	if err == nil {
		err = json.Unmarshal(body, &view)
	}
	w.note(KindBoardList, time.Since(t0), err)
	if err != nil {
		return
	}
	left := 0
	for n, it := range view.Items {
		if it.Status == "recorded" {
			continue
		}
		left++
		if !running() {
			return
		}
		first, second := ms[n%2], ms[(n+1)%2]
		reading := cfg.Reading(view.Board.Contests, n+1)
		ballot := fmt.Sprintf("%s/api/v1/board/ballots/%d", cfg.BaseURL, n+1)
		ok := true
		for j, m := range []*member{first, second} {
			if j == 1 && !running() {
				return // the ballot stays awaiting the second member
			}
			t0 := time.Now()
			_, err := send(m.c, http.MethodGet, ballot, nil, "")
			w.note(KindBoardBallot, time.Since(t0), err)
			if err != nil {
				ok = false
				break
			}
			t0 = time.Now()
			body, err := send(m.c, http.MethodPost, ballot+"/confirm", reading, m.csrf)
			var ans struct {
				Recorded bool `json:"recorded"`
			}
			if err == nil {
				err = json.Unmarshal(body, &ans)
			}
			if err == nil && ans.Recorded != (j == 1) {
				err = fmt.Errorf("ballot %d: member %d's confirmation answered recorded=%v", n+1, j+1, ans.Recorded)
			}
			kind := KindConfirmFirst
			if j == 1 {
				kind = KindConfirmOther
			}
			w.note(kind, time.Since(t0), err)
			if err != nil {
				ok = false
				break
			}
			if j == 0 {
				w.confirmed++
			} else {
				w.recorded++
			}
		}
		if !ok {
			return // the board's state is unknown after an error: it stops
		}
		left--
	}
	w.done = left == 0
}

// FirstChoices reads every contest as a vote for its first choice.
func FirstChoices(contests []Contest, _ int) map[string]any {
	votes := map[string][]string{}
	for _, c := range contests {
		if len(c.Choices) > 0 {
			votes[c.Name] = []string{c.Choices[0]}
		} else {
			votes[c.Name] = []string{}
		}
	}
	return map[string]any{"found": true, "votes": votes}
}

// send sends a request (a JSON body when in is not nil, with the CSRF token when given) and
// returns the answer's body; an answer that is not 2xx is an error naming its status and the
// start of its body.
func send(c *http.Client, method, url string, in any, csrf string) ([]byte, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", method, req.URL.Path, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %s: %.200s", method, req.URL.RequestURI(), resp.Status, b)
	}
	return b, nil
}
