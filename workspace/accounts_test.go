package workspace

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/ledger"
)

// TestCheckPasswordReferenceVector: the Argon2id test vector of the reference implementation
// (phc-winner-argon2, src/test.c: password "password", salt "somesalt", t = 2, m = 64 MiB,
// p = 1) verifies, and another password does not.
func TestCheckPasswordReferenceVector(t *testing.T) {
	const ref = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	if ok, err := CheckPassword(ref, "password"); err != nil || !ok {
		t.Errorf("reference vector: %v %v", ok, err)
	}
	if ok, err := CheckPassword(ref, "passwore"); err != nil || ok {
		t.Errorf("a wrong password matched the reference vector: %v %v", ok, err)
	}
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	// RFC 9106 §4, second recommended option: t = 3, m = 64 MiB, p = 4.
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=4$") {
		t.Errorf("hash %s", h)
	}
	if ok, _ := CheckPassword(h, "correct horse battery staple"); !ok {
		t.Error("a password does not match its own hash")
	}
	if ok, _ := CheckPassword(h, "correct horse battery stapler"); ok {
		t.Error("a wrong password matched")
	}
	h2, _ := HashPassword("correct horse battery staple")
	if h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", // 4 GiB
		"$argon2id$v=19$m=65536,t=2,p=1$!!$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"} {
		if ok, err := CheckPassword(bad, "password"); err == nil || ok {
			t.Errorf("hash %q accepted", bad)
		}
	}
}

// FuzzCheckPassword: no stored hash string makes the parser panic or accept a password for a
// malformed hash.
func FuzzCheckPassword(f *testing.F) {
	f.Add("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y")
	f.Add("$argon2id$v=19$m=,t=,p=$$")
	f.Fuzz(func(t *testing.T, hash string) {
		ok, err := CheckPassword(hash, "password")
		if ok && err != nil {
			t.Fatalf("ok with error %v", err)
		}
	})
}

// TestAccountsInTheLedger: creating accounts, signing in and out, setting a password and
// disabling an account are entries of the ledger that never hold a password hash; a session
// token is not reused across sign-ins; the published ledger verifies by replaying them.
func TestAccountsInTheLedger(t *testing.T) {
	ctx := context.Background()
	w := auditWorkspace(t)
	v, err := w.AuditStart(ctx, AuditOptions{Contests: []string{"President"}, Config: audit.Config{Kind: audit.Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: seed20}})
	if err != nil {
		t.Fatal(err)
	}
	for _, na := range []NewAccount{
		{Name: "state", Role: RoleStateAdmin, Password: "state password"},
		{Name: "dane", Role: RoleJurisdictionAdmin, Scope: Scope{Jurisdictions: []string{"Dane", " Dane", "Adams"}}, Password: "dane password"},
		{Name: "dane-b1-ann", Role: RoleAuditBoard, Scope: Scope{Audit: v.ID, Round: 1, Jurisdiction: "Dane", Board: 1, Boards: 2}, Password: "ann password"},
	} {
		if _, err := w.CreateAccount(ctx, na); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []NewAccount{
		{Name: "state", Role: RoleStateAdmin, Password: "state password"},                                                                             // taken
		{Name: "Bad Name", Role: RoleStateAdmin, Password: "state password"},                                                                          // name
		{Name: "x", Role: "superuser", Password: "state password"},                                                                                    // role
		{Name: "y", Role: RoleJurisdictionAdmin, Password: "y password"},                                                                              // no jurisdiction
		{Name: "z", Role: RoleAuditBoard, Scope: Scope{Audit: v.ID, Round: 1, Jurisdiction: "Dane", Board: 1, Boards: 3}, Password: "z password"},     // 3 boards, not 2
		{Name: "u", Role: RoleAuditBoard, Scope: Scope{Audit: v.ID + 1, Round: 1, Jurisdiction: "Dane", Board: 1, Boards: 1}, Password: "u password"}, // not an audit
		{Name: "s", Role: RoleStateAdmin, Password: "short"},
		{Name: "h", Role: RoleStateAdmin, PasswordHash: "$argon2id$v=19$m=65536,t=2,p=1$bm9wZQ"},
		{Name: "g", Role: RoleStateAdmin, Password: "state password", PasswordHash: "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	} {
		if _, err := w.CreateAccount(ctx, bad); err == nil {
			t.Errorf("account %+v created", bad)
		}
	}
	as, err := w.Accounts(ctx)
	if err != nil || len(as) != 3 || strings.Join(as[1].Scope.Jurisdictions, ",") != "Adams,Dane" {
		t.Fatalf("accounts %+v %v", as, err)
	}
	if _, err := w.SignIn(ctx, "dane", "wrong password", SessionOptions{}); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := w.SignIn(ctx, "nobody", "dane password", SessionOptions{}); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("unknown account: %v", err)
	}
	s1, err := w.SignIn(ctx, "dane", "dane password", SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := w.SignIn(ctx, "dane", "dane password", SessionOptions{Replace: s1.Token})
	if err != nil {
		t.Fatal(err)
	}
	if s2.Token == s1.Token || s2.CSRF == s1.CSRF {
		t.Error("a sign-in reused a token")
	}
	if _, err := w.SessionByToken(ctx, s1.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("the replaced session still works: %v", err)
	}
	if s, err := w.SessionByToken(ctx, s2.Token); err != nil || s.Account.Name != "dane" || s.CSRF != s2.CSRF {
		t.Errorf("session %+v %v", s, err)
	}
	if err := w.SignOut(ctx, s2.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SessionByToken(ctx, s2.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("signed-out session: %v", err)
	}
	s3, _ := w.SignIn(ctx, "dane", "dane password", SessionOptions{})
	if err := w.SetPassword(ctx, "dane", "a new dane password"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SessionByToken(ctx, s3.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("a session outlived a password change: %v", err)
	}
	if _, err := w.SignIn(ctx, "dane", "dane password", SessionOptions{}); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("the old password: %v", err)
	}
	if err := w.SetDisabled(ctx, "dane-b1-ann", true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SignIn(ctx, "dane-b1-ann", "ann password", SessionOptions{}); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("a disabled account signed in: %v", err)
	}
	counts := map[string]int{}
	for _, e := range ledgerEntries(t, w) {
		counts[e.Type]++
		if strings.Contains(string(e.Body), "argon2") || strings.Contains(string(e.Body), s1.Token) {
			t.Errorf("entry %d holds a secret: %s", e.Seq, e.Body)
		}
	}
	// 3 accounts; sign-ins s1, s2, s3; one sign-out; a password set and a disabling.
	if counts[TypeAccountCreate] != 3 || counts[TypeSignIn] != 3 || counts[TypeSignOut] != 1 || counts[TypeAccountUpdate] != 2 {
		t.Errorf("entries %v", counts)
	}
	pub := filepath.Join(t.TempDir(), "pub")
	if _, err := w.Publish(ctx, pub, nil); err != nil {
		t.Fatal(err)
	}
	info, _ := w.LogInfo(ctx)
	rebuilt := filepath.Join(t.TempDir(), "rebuilt")
	if rep, err := Rebuild(ctx, ledger.Dir(pub), rebuilt, VerifyOptions{Key: info.LogKey}); err != nil {
		t.Fatalf("%v\n%s", err, problems(rep))
	}
	rw, err := Open(ctx, rebuilt, "tester")
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	ras, _ := rw.Accounts(ctx)
	if len(ras) != 3 || ras[0].HasPassword || !ras[2].Disabled {
		t.Errorf("rebuilt accounts %+v", ras)
	}
}

// TestBoardConfirm: a reading is recorded when a second member of the board confirms the
// same reading; a member confirming twice, or a second member confirming another reading,
// records nothing; a card of another round or not drawn is refused. The published ledger,
// with its audit.confirm entries, verifies.
func TestBoardConfirm(t *testing.T) {
	ctx := context.Background()
	w := auditWorkspace(t)
	v, err := w.AuditStart(ctx, AuditOptions{Contests: []string{"President"}, Config: audit.Config{Kind: audit.Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: seed20}})
	if err != nil {
		t.Fatal(err)
	}
	scope := Scope{Audit: v.ID, Round: 1, Jurisdiction: "Dane", Board: 1, Boards: 2}
	bv, err := w.AuditBoard(ctx, scope)
	if err != nil || !bv.Open || len(bv.Ballots) == 0 || len(bv.Contests) != 1 || strings.Join(bv.Contests[0].Choices, ",") != "Alice,Bob" {
		t.Fatalf("board view %+v %v", bv, err)
	}
	other, _ := w.AuditBoard(ctx, Scope{Audit: v.ID, Round: 1, Jurisdiction: "Dane", Board: 2, Boards: 2})
	// The two boards share the 34 draws' cards (TestAuditComparisonConfirms) without overlap.
	mine := map[audit.Card]bool{}
	for _, b := range bv.Ballots {
		mine[b.Card] = true
	}
	for _, b := range other.Ballots {
		if mine[b.Card] {
			t.Errorf("%s is on both boards' lists", b.Card)
		}
	}
	draws, _, _ := w.AuditSample(ctx, v.ID)
	distinct := map[audit.Card]bool{}
	for _, d := range draws {
		distinct[d.Card] = true
	}
	if len(bv.Ballots)+len(other.Ballots) != len(distinct) {
		t.Errorf("boards have %d + %d cards, the sample %d", len(bv.Ballots), len(other.Ballots), len(distinct))
	}
	card := bv.Ballots[0].Card
	ann, bob := *w, *w
	ann.Actor, bob.Actor = "dane-b1-ann", "dane-b1-bob"
	alice := audit.Record{Card: card, Found: true, Votes: map[string][]string{"President": {"Alice"}}, Board: scope.BoardName()}
	bobVote := audit.Record{Card: card, Found: true, Votes: map[string][]string{"President": {"Bob"}}, Board: scope.BoardName()}
	n0 := len(ledgerEntries(t, w))
	if rec, err := ann.BoardConfirm(ctx, v.ID, alice); err != nil || rec {
		t.Fatalf("first confirmation: %v %v", rec, err)
	}
	if rec, err := ann.BoardConfirm(ctx, v.ID, alice); err != nil || rec {
		t.Fatalf("the same member again: %v %v", rec, err)
	}
	if n := len(ledgerEntries(t, w)); n != n0+1 {
		t.Errorf("%d entries after one confirmation and its repetition, want 1", n-n0)
	}
	bv, _ = w.AuditBoard(ctx, scope)
	if bv.Ballots[0].Status != BallotAwaiting || bv.Ballots[0].Pending.Member != "dane-b1-ann" {
		t.Errorf("after the first confirmation: %+v", bv.Ballots[0])
	}
	if rec, err := bob.BoardConfirm(ctx, v.ID, bobVote); err != nil || rec {
		t.Fatalf("a second member reading otherwise: %v %v", rec, err)
	}
	if rec, err := ann.BoardConfirm(ctx, v.ID, bobVote); err != nil || !rec {
		t.Fatalf("the first member confirming the second's reading: %v %v", rec, err)
	}
	st, _ := w.AuditStatus(ctx, v.ID)
	rep, _ := w.AuditReport(ctx, v.ID)
	var found string
	for _, s := range rep.Sample {
		if s.Card == card.String() {
			found = s.Found + " " + strings.Join(s.Votes["President"], ",") + " " + s.Board
		}
	}
	if found != "yes Bob Dane Audit Board 1" || st.Missing != len(distinct)-1 {
		t.Errorf("recorded %q, %d missing", found, st.Missing)
	}
	if _, err := bob.BoardConfirm(ctx, v.ID, alice); err == nil {
		t.Error("a recorded card was confirmed again with another reading")
	}
	notDrawn := alice
	notDrawn.Card.Position = 1000
	if _, err := ann.BoardConfirm(ctx, v.ID, notDrawn); !errors.Is(err, audit.ErrNotInSample) {
		t.Errorf("a card not drawn: %v", err)
	}
	pub := filepath.Join(t.TempDir(), "pub")
	if _, err := w.Publish(ctx, pub, nil); err != nil {
		t.Fatal(err)
	}
	info, _ := w.LogInfo(ctx)
	if rep := verifyDir(t, pub, VerifyOptions{Key: info.LogKey}); !rep.OK() {
		t.Errorf("verify: %s", problems(rep))
	}
}
