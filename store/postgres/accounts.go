package postgres

import (
	"errors"
	"fmt"
	"time"

	"github.com/canvass-vote/canvass/store"
	"github.com/jackc/pgx/v5"
)

func (t *tx) AddAccount(a *store.Account) (int64, error) {
	if err := t.writable(); err != nil {
		return 0, err
	}
	var id int64
	err := t.guard(func() error {
		return t.tx.QueryRow(t.ctx, `INSERT INTO accounts (name, role, scope, password_hash, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			a.Name, a.Role, a.Scope, a.PasswordHash, a.Disabled, a.CreatedAt.UTC().Format(store.TimeFormat)).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("store: account %q: %w", a.Name, err)
	}
	return id, nil
}

func (t *tx) UpdateAccount(a *store.Account) error {
	if err := t.writable(); err != nil {
		return err
	}
	tag, err := t.tx.Exec(t.ctx, `UPDATE accounts SET role = $1, scope = $2, password_hash = $3, disabled = $4 WHERE id = $5`,
		a.Role, a.Scope, a.PasswordHash, a.Disabled, a.ID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("store: no account %d", a.ID)
	}
	return nil
}

func (t *tx) oneAccount(where string, arg any) (*store.Account, error) {
	a, err := store.ScanAccount(t.tx.QueryRow(t.ctx, `SELECT `+store.AccountColumns+` FROM accounts WHERE `+where+` = $1`, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return a, err
}

func (t *tx) AccountByName(name string) (*store.Account, error) { return t.oneAccount("name", name) }

func (t *tx) AccountByID(id int64) (*store.Account, error) { return t.oneAccount("id", id) }

func (t *tx) Accounts() ([]store.Account, error) {
	rows, err := t.tx.Query(t.ctx, `SELECT `+store.AccountColumns+` FROM accounts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return store.ScanAccounts(rows)
}

func (t *tx) AddSession(s *store.Session) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.guard(func() error {
		_, err := t.tx.Exec(t.ctx, `INSERT INTO sessions (token_hash, account_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			s.TokenHash, s.Account, s.CSRF, s.CreatedAt.UTC().Format(store.SessionTimeFormat), s.ExpiresAt.UTC().Format(store.SessionTimeFormat))
		return err
	})
}

func (t *tx) SessionByHash(tokenHash string) (*store.Session, error) {
	s, err := store.ScanSession(t.tx.QueryRow(t.ctx, `SELECT `+store.SessionColumns+` FROM sessions WHERE token_hash = $1`, tokenHash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return s, err
}

func (t *tx) DeleteSession(tokenHash string) error {
	if err := t.writable(); err != nil {
		return err
	}
	_, err := t.tx.Exec(t.ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return err
}

func (t *tx) DeleteSessions(account int64) error {
	if err := t.writable(); err != nil {
		return err
	}
	_, err := t.tx.Exec(t.ctx, `DELETE FROM sessions WHERE account_id = $1`, account)
	return err
}

func (t *tx) DeleteExpiredSessions(now time.Time) error {
	if err := t.writable(); err != nil {
		return err
	}
	_, err := t.tx.Exec(t.ctx, `DELETE FROM sessions WHERE expires_at <= $1`, now.UTC().Format(store.SessionTimeFormat))
	return err
}
