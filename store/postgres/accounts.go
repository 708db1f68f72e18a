package postgres

import (
	"errors"
	"fmt"
	"time"

	"github.com/canvass-vote/canvass/store"
	"github.com/jackc/pgx/v5"
)

// fixedTime is the layout of session times: fixed width, so that text order is time order
// (DeleteExpiredSessions compares them as text, as store/sqlite does).
const fixedTime = "2006-01-02T15:04:05.000000000Z"

func (t *tx) AddAccount(a *store.Account) (int64, error) {
	if err := t.writable(); err != nil {
		return 0, err
	}
	var id int64
	err := t.guard(func() error {
		return t.tx.QueryRow(t.ctx, `INSERT INTO accounts (name, role, scope, password_hash, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			a.Name, a.Role, a.Scope, a.PasswordHash, a.Disabled, a.CreatedAt.UTC().Format(timeFormat)).Scan(&id)
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

const accountCols = `id, name, role, scope, password_hash, disabled, created_at`

func scanAccount(s pgx.Row) (*store.Account, error) {
	var a store.Account
	var at string
	if err := s.Scan(&a.ID, &a.Name, &a.Role, &a.Scope, &a.PasswordHash, &a.Disabled, &at); err != nil {
		return nil, err
	}
	var err error
	if a.CreatedAt, err = time.Parse(timeFormat, at); err != nil {
		return nil, fmt.Errorf("store: account %d: creation time %q: %w", a.ID, at, err)
	}
	return &a, nil
}

func (t *tx) oneAccount(where string, arg any) (*store.Account, error) {
	a, err := scanAccount(t.tx.QueryRow(t.ctx, `SELECT `+accountCols+` FROM accounts WHERE `+where+` = $1`, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return a, err
}

func (t *tx) AccountByName(name string) (*store.Account, error) { return t.oneAccount("name", name) }

func (t *tx) AccountByID(id int64) (*store.Account, error) { return t.oneAccount("id", id) }

func (t *tx) Accounts() ([]store.Account, error) {
	rows, err := t.tx.Query(t.ctx, `SELECT `+accountCols+` FROM accounts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

func (t *tx) AddSession(s *store.Session) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.guard(func() error {
		_, err := t.tx.Exec(t.ctx, `INSERT INTO sessions (token_hash, account_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			s.TokenHash, s.Account, s.CSRF, s.CreatedAt.UTC().Format(fixedTime), s.ExpiresAt.UTC().Format(fixedTime))
		return err
	})
}

func (t *tx) SessionByHash(tokenHash string) (*store.Session, error) {
	var s store.Session
	var created, expires string
	err := t.tx.QueryRow(t.ctx, `SELECT token_hash, account_id, csrf, created_at, expires_at FROM sessions WHERE token_hash = $1`, tokenHash).
		Scan(&s.TokenHash, &s.Account, &s.CSRF, &created, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if s.CreatedAt, err = time.Parse(fixedTime, created); err != nil {
		return nil, err
	}
	if s.ExpiresAt, err = time.Parse(fixedTime, expires); err != nil {
		return nil, err
	}
	return &s, nil
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
	_, err := t.tx.Exec(t.ctx, `DELETE FROM sessions WHERE expires_at <= $1`, now.UTC().Format(fixedTime))
	return err
}
