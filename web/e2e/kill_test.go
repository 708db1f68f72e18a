package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/workspace"

	_ "github.com/canvass-vote/canvass/cvr/csvcvr"
)

// Sizes of the kill test's files: a county whose ballots are audited, a small file imported
// whole before any kill, and a large one killed while it streams and while it is imported.
const (
	auditedBallots = 2000
	smallBallots   = 500
	largeBallots   = 120000
)

// TestKillServer runs the canvass binary as 'canvass serve' on a workspace and kills it with
// SIGKILL three times: while two audit boards confirm readings, while a large CVR upload
// streams in, and just after that upload has been sent (while the server imports it). After each
// restart, everything the server acknowledged (a 2xx answer) is there and whole, and nothing
// it did not acknowledge is there in part:
//
//   - a file is imported with all its ballots or not at all: its row exists exactly when its
//     ballots do, and their count is the file's record count; the upload's temporary files left
//     by the killed server are not imported files, and the large file uploads again after the
//     restarts (imported whole, or refused as already imported if its import had committed);
//   - every confirmation acknowledged is on the board's list after the restart (recorded, or
//     awaiting the second member), and a card is recorded at most once;
//   - the ledger verifies: published and replayed entry by entry (workspace.Verify), the store's
//     tree is the tree of its entries.
func TestKillServer(t *testing.T) {
	bin := buildCanvass(t)
	ctx := context.Background()
	root := t.TempDir()
	wsDir, uploads := filepath.Join(root, "ws"), filepath.Join(root, "uploads")
	if err := os.Mkdir(uploads, 0o700); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range []struct {
		jur string
		n   int
	}{{"AUDITED", auditedBallots}, {"SMALL", smallBallots}, {"LARGE", largeBallots}} {
		files[f.jur] = filepath.Join(root, strings.ToLower(f.jur)+"_cvrs.csv")
		if err := writeCVRs(files[f.jur], f.jur, f.n); err != nil {
			t.Fatal(err)
		}
	}
	auditID := killFixture(t, wsDir, files["AUDITED"])

	// (a) Two boards confirm readings; the server is killed after 8 are recorded, mid-request.
	// (The boards go first: importing CVRs changes the population, which ends the audit's
	// round for good.)
	s := startServe(t, bin, wsDir, uploads)
	acked := s.boardsUntilKilled(t, 8)
	s = startServe(t, bin, wsDir, uploads)
	recorded := s.checkBoards(t, acked)

	// (b) One acknowledged upload; then the large one, killed while it streams in.
	clerk := s.signIn("clerk")
	if st, body := clerk.upload("SMALL", files["SMALL"], nil); st != http.StatusCreated {
		t.Fatalf("the small upload: %d %s", st, body)
	}
	gate := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		st, body := clerk.upload("LARGE", files["LARGE"], gate)
		done <- fmt.Errorf("%d %s", st, body)
	}()
	waitFor(t, "the server to receive part of the large upload", func() bool { return receiving(uploads) })
	s.kill()
	close(gate)
	if err := <-done; !strings.HasPrefix(err.Error(), "0 ") {
		t.Fatalf("an upload cut by SIGKILL was answered: %v", err)
	}
	if !leftovers(uploads) {
		t.Errorf("the killed server left no upload in %s: the kill missed the upload", uploads)
	}

	// (c) The large upload again, the server killed at a random moment of the second after it
	// is sent: while it imports (an import of the large file takes 0.8 s here), or after.
	s = startServe(t, bin, wsDir, uploads)
	clerk = s.signIn("clerk")
	sent := make(chan struct{})
	go func() {
		st, body := clerk.upload("LARGE", files["LARGE"], nil, sent)
		done <- fmt.Errorf("%d %s", st, body)
	}()
	<-sent
	time.Sleep(time.Duration(rand.IntN(1000)) * time.Millisecond)
	s.kill()
	largeAcked := strings.HasPrefix((<-done).Error(), "201 ")
	t.Logf("the server was killed after the large upload was sent; its answer arrived before: %v", largeAcked)

	// After the restart: the large file again.
	s = startServe(t, bin, wsDir, uploads)
	clerk = s.signIn("clerk")
	st, body := clerk.upload("LARGE", files["LARGE"], nil)
	switch {
	case st == http.StatusCreated:
		t.Logf("the large file was not imported when the server was killed: imported now")
		if largeAcked {
			t.Errorf("the large import was acknowledged before the kill, yet uploads again: %s", body)
		}
	case st == http.StatusConflict:
		t.Logf("the large file's import had committed when the server was killed")
	default:
		t.Errorf("the large file after the restarts: %d %s", st, body)
	}
	if !strings.Contains(body, fmt.Sprintf(`"records":%d`, largeBallots)) && st == http.StatusCreated {
		t.Errorf("the large file imported with other than %d records: %s", largeBallots, body)
	}
	s.kill()

	// The workspace itself.
	w, err := workspace.Open(ctx, wsDir, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	checkImports(t, w, map[string]int64{"AUDITED": auditedBallots, "SMALL": smallBallots, "LARGE": largeBallots})
	checkRecords(t, w, auditID, recorded)
	pub := filepath.Join(root, "published")
	if _, err := w.Publish(ctx, pub, nil); err != nil {
		t.Fatal(err)
	}
	info, err := w.LogInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := workspace.Verify(ctx, ledger.Dir(pub), workspace.VerifyOptions{Key: info.LogKey})
	if err != nil || !rep.OK() {
		t.Fatalf("the ledger after the kills does not verify: %v %+v", err, rep.Problems)
	}
	t.Logf("verified %d entries, %d files", rep.Entries, rep.Files)
}

// buildCanvass builds cmd/canvass into a temporary folder.
func buildCanvass(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "canvass")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/canvass-vote/canvass/cmd/canvass")
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/canvass: %v\n%s", err, out)
	}
	return bin
}

// killFixture makes the workspace: the audited county's CVRs, a comparison audit of them with a
// first round of 80 draws, a state administrator and two boards of two members. It returns the
// audit's id.
func killFixture(t *testing.T, dir, cvrs string) uint64 {
	t.Helper()
	ctx := context.Background()
	w, err := workspace.Init(ctx, dir, "clerk", workspace.InitOptions{Origin: "kill.example/2020"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.ImportCVR(ctx, cvrs, workspace.ImportOptions{Format: "csv", Jurisdiction: "AUDITED"}); err != nil {
		t.Fatal(err)
	}
	v, err := w.AuditStart(ctx, workspace.AuditOptions{Contests: []string{"Mayor"}, Source: "cvr",
		Config: audit.Config{Kind: audit.Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: "16180339887498948482", RoundSize: 80}})
	if err != nil {
		t.Fatal(err)
	}
	accounts := []workspace.NewAccount{{Name: "clerk", Role: workspace.RoleStateAdmin}}
	for b := 1; b <= 2; b++ {
		for _, m := range "ab" {
			accounts = append(accounts, workspace.NewAccount{Name: fmt.Sprintf("b%d-%c", b, m), Role: workspace.RoleAuditBoard,
				Scope: workspace.Scope{Audit: v.ID, Round: 1, Jurisdiction: "AUDITED", Board: b, Boards: 2}})
		}
	}
	for _, na := range accounts {
		// A cheap hash: RFC 9106's cost is for production.
		if na.PasswordHash, err = workspace.HashPasswordWith("password for "+na.Name, workspace.Argon2Params{Time: 1, Memory: 64, Threads: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.CreateAccount(ctx, na); err != nil {
			t.Fatal(err)
		}
	}
	return v.ID
}

// writeCVRs writes n cast vote records of a jurisdiction in canvass's CVR CSV: contest Mayor,
// 60 % Alice and 40 % Bob, 20 ballots a batch.
func writeCVRs(path, jur string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	cw.Write([]string{"BallotID", "Precinct", "Tabulator", "Batch", "Mayor: Alice", "Mayor: Bob"})
	for i := range n {
		alice, bob := "1", "0"
		if i%5 >= 3 {
			alice, bob = "0", "1"
		}
		cw.Write([]string{fmt.Sprintf("%s-%d", jur, i+1), jur + " Ward 1", "T1", fmt.Sprint(i/20 + 1), alice, bob})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// served is a running 'canvass serve'.
type served struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string
	errs *bytes.Buffer
	done chan struct{}
}

// startServe starts 'canvass serve' on a free loopback port and waits until it listens.
func startServe(t *testing.T, bin, ws, uploads string) *served {
	t.Helper()
	cmd := exec.Command(bin, "--workspace", ws, "serve", "--addr", "127.0.0.1:0", "--upload-dir", uploads)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &served{t: t, cmd: cmd, errs: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = s.errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.kill() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		re := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+) `)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		io.Copy(io.Discard, out)
	}()
	go func() {
		cmd.Wait()
		close(s.done)
	}()
	select {
	case s.url = <-addr:
	case <-s.done:
		t.Fatalf("canvass serve exited: %s", s.errs)
	case <-time.After(30 * time.Second):
		t.Fatalf("canvass serve did not start: %s", s.errs)
	}
	return s
}

// kill sends SIGKILL and waits for the process to end.
func (s *served) kill() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// client is a signed-in API client of a served workspace.
type client struct {
	s    *served
	c    *http.Client
	csrf string
}

func (s *served) signIn(name string) *client {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{s: s, c: &http.Client{Jar: jar, Timeout: 2 * time.Minute}}
	var out struct {
		CSRF string `json:"csrf"`
	}
	if st, body := c.json("POST", "/api/v1/session", map[string]string{"name": name, "password": "password for " + name}, &out); st != http.StatusOK {
		s.t.Fatalf("signing %s in: %d %s", name, st, body)
	}
	c.csrf = out.CSRF
	return c
}

// json sends a JSON request and decodes the answer; the status is 0 when the request failed.
func (c *client) json(method, path string, in, out any) (int, string) {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.s.url+path, body)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.c.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err.Error()
	}
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(b, out); err != nil {
			return 0, err.Error()
		}
	}
	return resp.StatusCode, string(b)
}

// upload streams a CVR file to POST /api/v1/imports as the jurisdiction's. With a gate, it
// sends the first half of the file and waits for the gate to close before sending the rest;
// sent, if given, is closed once the whole request is written. The status is 0 when the request
// failed.
func (c *client) upload(jur, path string, gate <-chan struct{}, sent ...chan struct{}) (int, string) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err.Error()
	}
	defer f.Close()
	fi, _ := f.Stat()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			for _, kv := range [][2]string{{"kind", "cvr"}, {"format", "csv"}, {"jurisdiction", jur}} {
				if err := mw.WriteField(kv[0], kv[1]); err != nil {
					return err
				}
			}
			fw, err := mw.CreateFormFile("file", filepath.Base(path))
			if err != nil {
				return err
			}
			if gate != nil {
				if _, err := io.CopyN(fw, f, fi.Size()/2); err != nil {
					return err
				}
				<-gate
			}
			if _, err := io.Copy(fw, f); err != nil {
				return err
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
		for _, ch := range sent {
			close(ch)
		}
	}()
	req, _ := http.NewRequest("POST", c.s.url+"/api/v1/imports", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, err := c.c.Do(req)
	if err != nil {
		pr.CloseWithError(err)
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err.Error()
	}
	return resp.StatusCode, string(b)
}

// receiving reports whether the server has written part of an upload in the upload folder.
func receiving(uploads string) bool {
	found := false
	filepath.WalkDir(uploads, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil && fi.Size() > 0 {
				found = true
			}
		}
		return nil
	})
	return found
}

// leftovers reports whether a killed server left an upload's temporary folder.
func leftovers(uploads string) bool {
	ents, _ := os.ReadDir(uploads)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "canvass-upload-") {
			return true
		}
	}
	return false
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("waited 30 s for %s", what)
}

// acks are the confirmations the server acknowledged, by board and ballot number: 1 for the
// first member's, 2 when the second member's recorded it.
type acks map[[2]int]int

// boardsUntilKilled has both boards confirm their ballots in order (the first member, then the
// second), and kills the server while they do, once `after` ballots are recorded.
func (s *served) boardsUntilKilled(t *testing.T, after int) acks {
	t.Helper()
	acked := acks{}
	var mu sync.Mutex
	recorded := 0
	trigger := make(chan struct{})
	var wg sync.WaitGroup
	for b := 1; b <= 2; b++ {
		ms := [2]*client{s.signIn(fmt.Sprintf("b%d-a", b)), s.signIn(fmt.Sprintf("b%d-b", b))}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 1; ; n++ {
				for i, m := range ms {
					var out struct {
						Recorded bool `json:"recorded"`
					}
					st, _ := m.json("POST", fmt.Sprintf("/api/v1/board/ballots/%d/confirm", n), map[string]any{"found": true, "votes": map[string][]string{"Mayor": {"Alice"}}}, &out)
					if st != http.StatusOK {
						return // killed (or the list is done)
					}
					mu.Lock()
					acked[[2]int{b, n}] = i + 1
					if out.Recorded != (i == 1) {
						t.Errorf("board %d ballot %d member %d: recorded %v", b, n, i+1, out.Recorded)
					}
					if i == 1 {
						if recorded++; recorded == after {
							close(trigger)
						}
					}
					mu.Unlock()
				}
			}
		}()
	}
	select {
	case <-trigger:
		time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
	case <-time.After(60 * time.Second):
		t.Errorf("the boards did not record %d ballots in a minute", after)
	}
	s.kill()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return acked
}

// checkBoards checks the boards' lists after the restart against what was acknowledged, then
// has each board finish the ballot it was on when the server was killed. It returns the
// number of ballots recorded.
func (s *served) checkBoards(t *testing.T, acked acks) int {
	t.Helper()
	recorded := 0
	for b := 1; b <= 2; b++ {
		ms := [2]*client{s.signIn(fmt.Sprintf("b%d-a", b)), s.signIn(fmt.Sprintf("b%d-b", b))}
		var view struct {
			Items []struct {
				Status  string `json:"status"`
				Pending *struct {
					Member string `json:"member"`
				} `json:"pending"`
			} `json:"items"`
		}
		if st, body := ms[0].json("GET", "/api/v1/board", nil, &view); st != http.StatusOK {
			t.Fatalf("board %d after the restart: %d %s", b, st, body)
		}
		unacked := 0
		for i, it := range view.Items {
			n := i + 1
			want := map[int]string{0: workspace.BallotToDo, 1: workspace.BallotAwaiting, 2: workspace.BallotRecorded}[acked[[2]int{b, n}]]
			if it.Status != want {
				// Only the confirmation in flight when the server was killed may have committed
				// without its answer: one step further than acknowledged.
				next := map[string]string{workspace.BallotToDo: workspace.BallotAwaiting, workspace.BallotAwaiting: workspace.BallotRecorded}[want]
				if it.Status != next {
					t.Errorf("board %d ballot %d: %q after the restart, %q acknowledged", b, n, it.Status, want)
				}
				unacked++
			}
			if it.Status == workspace.BallotAwaiting {
				// The other member confirms it now.
				other := 0
				if it.Pending != nil && it.Pending.Member == fmt.Sprintf("b%d-a", b) {
					other = 1
				}
				var out struct {
					Recorded bool `json:"recorded"`
				}
				if st, body := ms[other].json("POST", fmt.Sprintf("/api/v1/board/ballots/%d/confirm", n), map[string]any{"found": true, "votes": map[string][]string{"Mayor": {"Alice"}}}, &out); st != http.StatusOK || !out.Recorded {
					t.Errorf("board %d ballot %d: finishing it after the restart: %d %s", b, n, st, body)
				}
				it.Status = workspace.BallotRecorded
			}
			if it.Status == workspace.BallotRecorded {
				recorded++
			}
		}
		if unacked > 1 {
			t.Errorf("board %d: %d ballots changed without an acknowledgement", b, unacked)
		}
		t.Logf("board %d after the kill: %d confirmations acknowledged, %d committed unanswered", b, countAcks(acked, b), unacked)
	}
	return recorded
}

func countAcks(acked acks, board int) int {
	n := 0
	for k, v := range acked {
		if k[0] == board {
			n += v
		}
	}
	return n
}

// checkImports checks that every imported file is whole: for each jurisdiction (one file
// each), one file row whose record count is the number of its ballots and the number it
// should have.
func checkImports(t *testing.T, w *workspace.Workspace, want map[string]int64) {
	t.Helper()
	got := map[string]int64{}
	rows := map[string][]int64{}
	var total int64
	err := w.Store.View(context.Background(), func(tx store.Tx) error {
		fs, err := tx.Files()
		if err != nil {
			return err
		}
		for _, f := range fs {
			rows[f.Jurisdiction] = append(rows[f.Jurisdiction], f.Records)
		}
		if total, err = tx.CountBallots(); err != nil {
			return err
		}
		return tx.Ballots(func(jur string, _ *canvass.Ballot) error {
			got[jur]++
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for jur, n := range want {
		if len(rows[jur]) != 1 || rows[jur][0] != n || got[jur] != n {
			t.Errorf("%s: file rows with %v records, %d ballots stored; want one file of %d", jur, rows[jur], got[jur], n)
		}
		sum += n
	}
	if len(rows) != len(want) || total != sum {
		t.Errorf("files of %d jurisdictions, %d ballots; want %d and %d", len(rows), total, len(want), sum)
	}
}

// checkRecords counts the audit's audit.record entries: as many as the ballots recorded, no
// card twice.
func checkRecords(t *testing.T, w *workspace.Workspace, id uint64, recorded int) {
	t.Helper()
	cards := map[string]int{}
	n := 0
	err := w.Store.View(context.Background(), func(tx store.Tx) error {
		return tx.EntriesOfType(workspace.TypeAuditRecord, func(_ uint64, data []byte) error {
			e, err := ledger.Decode(data)
			if err != nil {
				return err
			}
			var b struct {
				Audit uint64          `json:"audit"`
				Card  json.RawMessage `json:"card"`
			}
			if err := json.Unmarshal(e.Body, &b); err != nil {
				return err
			}
			if b.Audit == id {
				cards[string(b.Card)]++
				n++
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != recorded || len(cards) != n {
		t.Errorf("%d audit.record entries for %d cards; the boards' lists show %d recorded", n, len(cards), recorded)
	}
}
