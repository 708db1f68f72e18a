package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/canvass-vote/canvass/store"
)

// testAccountsAndSessions: accounts and sessions round-trip; a name is unique; a session expires
// at its expiry time and not before, to the nanosecond (20:00:00.5 is after 20:00:00, which a
// text order of RFC 3339 times without fixed digits would get wrong).
func testAccountsAndSessions(t *testing.T, s store.Store) {
	at := time.Date(2020, 11, 3, 20, 0, 0, 123456789, time.UTC)
	var clerk, board int64
	update(t, s, func(tx store.Tx) error {
		var err error
		clerk, err = tx.AddAccount(&store.Account{Name: "clerk", Role: "state-admin", Scope: `{}`, PasswordHash: "$argon2id$x", CreatedAt: at})
		if err != nil {
			return err
		}
		if _, err := tx.AddAccount(&store.Account{Name: "clerk", Role: "audit-board", CreatedAt: at}); err == nil {
			t.Error("a second account named clerk was stored")
		}
		board, err = tx.AddAccount(&store.Account{Name: "board 1", Role: "audit-board", Scope: `{"board":"Board 1","round":1}`, CreatedAt: at.Add(time.Hour)})
		if err != nil {
			return err
		}
		for _, ss := range []store.Session{
			{TokenHash: "aa", Account: clerk, CSRF: "c1", CreatedAt: at, ExpiresAt: at.Add(500 * time.Millisecond)},
			{TokenHash: "bb", Account: clerk, CSRF: "c2", CreatedAt: at, ExpiresAt: at.Add(2 * time.Hour)},
			{TokenHash: "cc", Account: board, CSRF: "c3", CreatedAt: at, ExpiresAt: at.Add(10 * time.Second)},
		} {
			if err := tx.AddSession(&ss); err != nil {
				return err
			}
		}
		if err := tx.AddSession(&store.Session{TokenHash: "dd", Account: 99, CSRF: "c4", CreatedAt: at, ExpiresAt: at}); err == nil {
			t.Error("a session of account 99, which does not exist, was stored")
		}
		_, err = appendTest(tx, "accounts")
		return err
	})
	view(t, s, func(tx store.Tx) error {
		as, err := tx.Accounts()
		want := []store.Account{
			{ID: clerk, Name: "clerk", Role: "state-admin", Scope: `{}`, PasswordHash: "$argon2id$x", CreatedAt: at},
			{ID: board, Name: "board 1", Role: "audit-board", Scope: `{"board":"Board 1","round":1}`, CreatedAt: at.Add(time.Hour)},
		}
		if err != nil || !reflect.DeepEqual(as, want) {
			t.Errorf("accounts:\n got %+v %v\nwant %+v", as, err, want)
		}
		ss, err := tx.SessionByHash("cc")
		if w := (&store.Session{TokenHash: "cc", Account: board, CSRF: "c3", CreatedAt: at, ExpiresAt: at.Add(10 * time.Second)}); err != nil || !reflect.DeepEqual(ss, w) {
			t.Errorf("session cc: %+v %v, want %+v", ss, err, w)
		}
		if none, err := tx.SessionByHash("zz"); none != nil || err != nil {
			t.Errorf("no session: %v %v", none, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		a, err := tx.AccountByName("clerk")
		if err != nil || a == nil || a.ID != clerk {
			t.Fatalf("account %+v %v", a, err)
		}
		a.Disabled, a.PasswordHash, a.Role, a.Scope = true, "$argon2id$y", "jurisdiction-admin", `{"jurisdictions":["Dane"]}`
		if err := tx.UpdateAccount(a); err != nil {
			return err
		}
		if b, _ := tx.AccountByID(clerk); b == nil || !reflect.DeepEqual(b, a) {
			t.Errorf("updated account %+v, want %+v", b, a)
		}
		if none, err := tx.AccountByName("nobody"); none != nil || err != nil {
			t.Errorf("no account: %v %v", none, err)
		}
		if none, err := tx.AccountByID(99); none != nil || err != nil {
			t.Errorf("no account 99: %v %v", none, err)
		}
		if err := tx.UpdateAccount(&store.Account{ID: 99}); err == nil {
			t.Error("updated account 99, which does not exist")
		}
		// At the creation time nothing has expired; half a second later session aa has.
		if err := tx.DeleteExpiredSessions(at); err != nil {
			return err
		}
		if ss, _ := tx.SessionByHash("aa"); ss == nil {
			t.Error("session aa expired before its time")
		}
		if err := tx.DeleteExpiredSessions(at.Add(500 * time.Millisecond)); err != nil {
			return err
		}
		for token, live := range map[string]bool{"aa": false, "bb": true, "cc": true} {
			if ss, _ := tx.SessionByHash(token); (ss != nil) != live {
				t.Errorf("session %s: %+v, live %v", token, ss, live)
			}
		}
		if err := tx.DeleteSessions(clerk); err != nil {
			return err
		}
		if err := tx.DeleteSession("cc"); err != nil {
			return err
		}
		for _, token := range []string{"bb", "cc"} {
			if ss, _ := tx.SessionByHash(token); ss != nil {
				t.Errorf("deleted session kept: %+v", ss)
			}
		}
		_, err = appendTest(tx, "update")
		return err
	})
}
