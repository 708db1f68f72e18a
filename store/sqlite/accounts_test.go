package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/canvass-vote/canvass/store"
)

// TestAccountsAndSessions: accounts and sessions round-trip; a name is unique; expired
// sessions go at the time they expire and not before (the times sort as times, not as text:
// 20:00:00.5 is after 20:00:00 although RFC 3339 without fixed digits would sort it before).
func TestAccountsAndSessions(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	at := time.Date(2020, 11, 3, 20, 0, 0, 0, time.UTC)
	var id int64
	err := db.Update(ctx, func(tx store.Tx) error {
		var err error
		id, err = tx.AddAccount(&store.Account{Name: "clerk", Role: "state-admin", Scope: `{}`, PasswordHash: "$argon2id$x", CreatedAt: at})
		if err != nil {
			return err
		}
		if _, err := tx.AddAccount(&store.Account{Name: "clerk", Role: "audit-board", CreatedAt: at}); err == nil {
			t.Error("a second account named clerk was stored")
		}
		for _, s := range []store.Session{
			{TokenHash: "aa", Account: id, CSRF: "c1", CreatedAt: at, ExpiresAt: at.Add(500 * time.Millisecond)},
			{TokenHash: "bb", Account: id, CSRF: "c2", CreatedAt: at, ExpiresAt: at.Add(2 * time.Hour)},
		} {
			if err := tx.AddSession(&s); err != nil {
				return err
			}
		}
		return appendTest(tx, "accounts")
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx store.Tx) error {
		a, err := tx.AccountByName("clerk")
		if err != nil || a == nil || a.ID != id || a.Role != "state-admin" || a.Scope != `{}` || a.PasswordHash != "$argon2id$x" || !a.CreatedAt.Equal(at) {
			t.Fatalf("account %+v %v", a, err)
		}
		a.Disabled, a.PasswordHash = true, "$argon2id$y"
		if err := tx.UpdateAccount(a); err != nil {
			return err
		}
		if b, _ := tx.AccountByID(id); b == nil || !b.Disabled || b.PasswordHash != "$argon2id$y" {
			t.Errorf("updated account %+v", b)
		}
		if none, err := tx.AccountByName("nobody"); none != nil || err != nil {
			t.Errorf("no account: %v %v", none, err)
		}
		if err := tx.UpdateAccount(&store.Account{ID: 99}); err == nil {
			t.Error("updated account 99, which does not exist")
		}
		// At exactly 20:00:00 nothing has expired; at 20:00:00.5 the first session has.
		if err := tx.DeleteExpiredSessions(at); err != nil {
			return err
		}
		if s, _ := tx.SessionByHash("aa"); s == nil || s.CSRF != "c1" || !s.ExpiresAt.Equal(at.Add(500*time.Millisecond)) {
			t.Errorf("session aa %+v", s)
		}
		if err := tx.DeleteExpiredSessions(at.Add(500 * time.Millisecond)); err != nil {
			return err
		}
		if s, _ := tx.SessionByHash("aa"); s != nil {
			t.Errorf("expired session kept: %+v", s)
		}
		if s, _ := tx.SessionByHash("bb"); s == nil {
			t.Error("live session removed")
		}
		if err := tx.DeleteSessions(id); err != nil {
			return err
		}
		if s, _ := tx.SessionByHash("bb"); s != nil {
			t.Errorf("session of the account kept: %+v", s)
		}
		as, err := tx.Accounts()
		if err != nil || len(as) != 1 {
			t.Errorf("accounts %v %v", as, err)
		}
		return appendTest(tx, "update")
	})
	if err != nil {
		t.Fatal(err)
	}
}
