// Package sqlite is the embedded store of a workspace: one SQLite file (modernc.org/sqlite, pure
// Go), its schema kept by goose migrations embedded in the binary.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/store"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a workspace database. It implements store.Store.
type DB struct {
	db *sql.DB
}

var _ store.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path and brings its schema up to date.
func Open(ctx context.Context, path string) (*DB, error) {
	// WAL lets readers proceed during an import; immediate transactions take the write lock at
	// BEGIN so that two writers queue (busy_timeout) instead of failing half way.
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &DB{db: db}, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, db, mustSub(migrations, "migrations"))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	return nil
}

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// Update implements store.Store.
func (d *DB) Update(ctx context.Context, fn func(store.Tx) error) error {
	sqlTx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	t := &tx{tx: sqlTx}
	defer t.closeStmts()
	if err := fn(t); err != nil {
		sqlTx.Rollback()
		return err
	}
	if t.changes == 0 {
		sqlTx.Rollback()
		return store.ErrNoChange
	}
	if err := t.saveTree(); err != nil {
		sqlTx.Rollback()
		return err
	}
	t.closeStmts()
	return sqlTx.Commit()
}

// AddCheckpoint implements store.Store.
func (d *DB) AddCheckpoint(ctx context.Context, size uint64, note []byte) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO checkpoints (size, note) VALUES (?, ?) ON CONFLICT (size) DO UPDATE SET note = excluded.note`, size, note)
	return err
}

// View implements store.Store.
func (d *DB) View(ctx context.Context, fn func(store.Tx) error) error {
	sqlTx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer sqlTx.Rollback()
	t := &tx{tx: sqlTx, readOnly: true}
	defer t.closeStmts()
	return fn(t)
}

type tx struct {
	tx       *sql.Tx
	readOnly bool
	changes  int
	// tree is the ledger's tree, loaded on first use and saved at commit.
	tree *ledger.Tree
	// prepared statements of the hot paths, made on first use
	insBallot, insResult, insEntry, insNode *sql.Stmt
	buf                                     []byte
}

func (t *tx) closeStmts() {
	for _, s := range []**sql.Stmt{&t.insBallot, &t.insResult, &t.insEntry, &t.insNode} {
		if *s != nil {
			(*s).Close()
			*s = nil
		}
	}
}

func (t *tx) Tree() (*ledger.Tree, error) {
	if t.tree != nil {
		return t.tree, nil
	}
	var b []byte
	err := t.tx.QueryRow(`SELECT tree FROM ledger_state WHERE id = 1`).Scan(&b)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		t.tree = ledger.NewTree()
	case err != nil:
		return nil, err
	default:
		if t.tree, err = ledger.UnmarshalTree(b); err != nil {
			return nil, err
		}
	}
	return t.tree, nil
}

func (t *tx) saveTree() error {
	if t.tree == nil {
		return nil
	}
	b, err := t.tree.MarshalBinary()
	if err != nil {
		return err
	}
	_, err = t.tx.Exec(`INSERT INTO ledger_state (id, tree) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET tree = excluded.tree`, b)
	return err
}

func (t *tx) Append(e *ledger.Entry) ([]byte, error) {
	if t.readOnly {
		return nil, errors.New("store: ledger entry in a read-only transaction")
	}
	tree, err := t.Tree()
	if err != nil {
		return nil, err
	}
	if t.insEntry == nil {
		if t.insEntry, err = t.tx.Prepare(`INSERT INTO ledger_entries (seq, type, data, hash) VALUES (?, ?, ?, ?)`); err != nil {
			return nil, err
		}
		if t.insNode, err = t.tx.Prepare(`INSERT INTO ledger_nodes (level, idx, hash) VALUES (?, ?, ?)`); err != nil {
			return nil, err
		}
	}
	data, err := store.AppendEntry(tree, e, func(seq uint64, typ string, data []byte, leaf ledger.Hash) error {
		_, err := t.insEntry.Exec(int64(seq), typ, data, leaf[:])
		return err
	}, func(level int, index uint64, h ledger.Hash) error {
		_, err := t.insNode.Exec(level, int64(index), h[:])
		return err
	})
	if err != nil {
		return nil, err
	}
	t.changes++
	return data, nil
}

func (t *tx) Entries(from, to uint64, fn func(seq uint64, data []byte) error) error {
	rows, err := t.tx.Query(`SELECT seq, data FROM ledger_entries WHERE seq >= ? AND seq < ? ORDER BY seq`, int64(from), int64(to))
	if err != nil {
		return err
	}
	return scanEntries(rows, fn)
}

func (t *tx) EntriesOfType(typ string, fn func(seq uint64, data []byte) error) error {
	rows, err := t.tx.Query(`SELECT seq, data FROM ledger_entries WHERE type = ? ORDER BY seq`, typ)
	if err != nil {
		return err
	}
	return scanEntries(rows, fn)
}

func scanEntries(rows *sql.Rows, fn func(seq uint64, data []byte) error) error {
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var data []byte
		if err := rows.Scan(&seq, &data); err != nil {
			return err
		}
		if err := fn(uint64(seq), data); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *tx) Hashes(tileLevel int, from, to uint64) ([]ledger.Hash, error) {
	var rows *sql.Rows
	var err error
	if tileLevel == 0 {
		rows, err = t.tx.Query(`SELECT hash FROM ledger_entries WHERE seq >= ? AND seq < ? ORDER BY seq`, int64(from), int64(to))
	} else {
		rows, err = t.tx.Query(`SELECT hash FROM ledger_nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx`, tileLevel, int64(from), int64(to))
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return store.ReadHashes(rows, tileLevel, from, to)
}

func (t *tx) Checkpoints() ([]store.Checkpoint, error) {
	rows, err := t.tx.Query(`SELECT size, note FROM checkpoints ORDER BY size`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Checkpoint
	for rows.Next() {
		var c store.Checkpoint
		var size int64
		if err := rows.Scan(&size, &c.Note); err != nil {
			return nil, err
		}
		c.Size = uint64(size)
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t *tx) AddTabulation(seq uint64, result []byte) error {
	_, err := t.tx.Exec(`INSERT INTO tabulations (seq, result) VALUES (?, ?)`, int64(seq), result)
	return err
}

func (t *tx) Tabulation(seq uint64) ([]byte, error) {
	var b []byte
	err := t.tx.QueryRow(`SELECT result FROM tabulations WHERE seq = ?`, int64(seq)).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: no tabulation at entry %d", seq)
	}
	return b, err
}

const fileCols = `id, name, sha256, size, kind, format, jurisdiction, imported_by, imported_at, records, COALESCE(replaces, 0), COALESCE(entry, 0)`

func scanFile(s interface{ Scan(...any) error }) (*store.File, error) {
	var f store.File
	var at string
	if err := s.Scan(&f.ID, &f.Name, &f.SHA256, &f.Size, &f.Kind, &f.Format, &f.Jurisdiction, &f.ImportedBy, &at, &f.Records, &f.Replaced, &f.Entry); err != nil {
		return nil, err
	}
	f.ImportedAt, _ = time.Parse(store.TimeFormat, at)
	return &f, nil
}

func (t *tx) FileByHash(sha string) (*store.File, error) {
	f, err := scanFile(t.tx.QueryRow(`SELECT `+fileCols+` FROM files WHERE sha256 = ? AND replaced_by IS NULL ORDER BY id DESC LIMIT 1`, sha))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return f, err
}

func (t *tx) Files() ([]store.File, error) {
	rows, err := t.tx.Query(`SELECT ` + fileCols + ` FROM files ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.File
	for rows.Next() {
		f, err := scanFile(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *f)
	}
	return out, rows.Err()
}

func (t *tx) AddFile(f *store.File) (int64, error) {
	var replaces any
	if f.Replaced != 0 {
		replaces = f.Replaced
	}
	res, err := t.tx.Exec(`INSERT INTO files (name, sha256, size, kind, format, jurisdiction, imported_by, imported_at, records, replaces)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.Name, f.SHA256, f.Size, f.Kind, f.Format, f.Jurisdiction, f.ImportedBy, f.ImportedAt.UTC().Format(store.TimeFormat), f.Records, replaces)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err == nil && f.Replaced != 0 {
		_, err = t.tx.Exec(`UPDATE files SET replaced_by = ? WHERE id = ?`, id, f.Replaced)
	}
	return id, err
}

func (t *tx) FinishFile(id, records int64, entry uint64) error {
	_, err := t.tx.Exec(`UPDATE files SET records = ?, entry = ? WHERE id = ?`, records, int64(entry), id)
	return err
}

func (t *tx) DeleteFileData(id int64) error {
	if _, err := t.tx.Exec(`DELETE FROM ballots WHERE file_id = ?`, id); err != nil {
		return err
	}
	_, err := t.tx.Exec(`DELETE FROM results WHERE file_id = ?`, id)
	return err
}

func (t *tx) MergeContest(c *canvass.Contest) (store.ContestIDs, error) {
	var ids store.ContestIDs
	key := canvass.NameKey(c.Name)
	var typ string
	var seats, voteFor int
	err := t.tx.QueryRow(`SELECT id, type, seats, vote_for FROM contests WHERE name_key = ?`, key).Scan(&ids.Contest, &typ, &seats, &voteFor)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := t.tx.Exec(`INSERT INTO contests (name, name_key, type, seats, vote_for, threshold_num, threshold_den, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Name, key, string(c.Type), c.Seats, c.VoteFor, c.Threshold.Num, c.Threshold.Den, c.ID)
		if err != nil {
			return ids, err
		}
		if ids.Contest, err = res.LastInsertId(); err != nil {
			return ids, err
		}
	case err != nil:
		return ids, err
	default:
		if err := store.SameContest(c, typ, seats, voteFor); err != nil {
			return ids, err
		}
	}
	for _, ch := range c.Choices {
		ck := canvass.NameKey(ch.Name)
		var id int64
		err := t.tx.QueryRow(`SELECT id FROM choices WHERE contest_id = ? AND name_key = ?`, ids.Contest, ck).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			res, err := t.tx.Exec(`INSERT INTO choices (contest_id, name, name_key, party, write_in, source_id) VALUES (?, ?, ?, ?, ?, ?)`,
				ids.Contest, ch.Name, ck, ch.Party, ch.WriteIn, ch.ID)
			if err != nil {
				return ids, err
			}
			if id, err = res.LastInsertId(); err != nil {
				return ids, err
			}
		} else if err != nil {
			return ids, err
		}
		ids.Choices = append(ids.Choices, id)
	}
	return ids, nil
}

func (t *tx) definition() (*store.Definition, error) {
	rows, err := t.tx.Query(`SELECT ` + store.ContestColumns + ` FROM contests ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var crows *sql.Rows
	defer func() {
		if crows != nil {
			crows.Close()
		}
	}()
	return store.ReadDefinition(rows, func() (store.Rows, error) {
		rows.Close()
		crows, err = t.tx.Query(`SELECT ` + store.ChoiceColumns + ` FROM choices ORDER BY id`)
		return crows, err
	})
}

func (t *tx) Election() (*canvass.Election, error) {
	d, err := t.definition()
	if err != nil {
		return nil, err
	}
	return d.Election, nil
}

func (t *tx) AddBallot(fileID int64, jurisdiction string, b *canvass.Ballot, ids []store.ContestIDs) (bool, error) {
	if t.insBallot == nil {
		s, err := t.tx.Prepare(`INSERT INTO ballots (file_id, jurisdiction, ballot_id, precinct, ballot_type, tabulator, batch, counting_group, marks)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (jurisdiction, ballot_id) DO NOTHING`)
		if err != nil {
			return false, err
		}
		t.insBallot = s
	}
	var err error
	if t.buf, err = store.EncodeMarks(t.buf[:0], b, ids); err != nil {
		return false, err
	}
	res, err := t.insBallot.Exec(fileID, jurisdiction, b.ID, b.Precinct, b.BallotType, b.Tabulator, b.Batch, b.CountingGroup, t.buf)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (t *tx) Ballots(fn func(jurisdiction string, b *canvass.Ballot) error) error {
	d, err := t.definition()
	if err != nil {
		return err
	}
	rows, err := t.tx.Query(`SELECT jurisdiction, ballot_id, precinct, ballot_type, tabulator, batch, counting_group, marks FROM ballots ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var b canvass.Ballot
	var marks []byte
	var jur string
	for rows.Next() {
		b.Reset()
		if err := rows.Scan(&jur, &b.ID, &b.Precinct, &b.BallotType, &b.Tabulator, &b.Batch, &b.CountingGroup, &marks); err != nil {
			return err
		}
		if err := store.DecodeMarks(marks, &b, d.ContestIndex, d.ChoiceIndex); err != nil {
			return fmt.Errorf("ballot %s: %w", b.ID, err)
		}
		if err := fn(jur, &b); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *tx) CountBallots() (int64, error) {
	var n int64
	err := t.tx.QueryRow(`SELECT COUNT(*) FROM ballots`).Scan(&n)
	return n, err
}

func (t *tx) AddResult(fileID int64, r *canvass.ResultRow) error {
	if t.insResult == nil {
		s, err := t.tx.Prepare(`INSERT INTO results (file_id, state, county, municipality, precinct, contest, district, choice, party, mode, stat, votes)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		t.insResult = s
	}
	_, err := t.insResult.Exec(fileID, r.Unit.State, r.Unit.County, r.Unit.Municipality, r.Unit.Precinct, r.Contest, r.District, r.Choice, r.Party, r.Mode, r.Stat, r.Votes)
	return err
}

func (t *tx) Results(fn func(r *canvass.ResultRow) error) error {
	rows, err := t.tx.Query(`SELECT state, county, municipality, precinct, contest, district, choice, party, mode, stat, votes FROM results ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var r canvass.ResultRow
	for rows.Next() {
		if err := rows.Scan(&r.Unit.State, &r.Unit.County, &r.Unit.Municipality, &r.Unit.Precinct, &r.Contest, &r.District, &r.Choice, &r.Party, &r.Mode, &r.Stat, &r.Votes); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *tx) CountResults() (int64, error) {
	var n int64
	err := t.tx.QueryRow(`SELECT COUNT(*) FROM results`).Scan(&n)
	return n, err
}

func mustSub(f embed.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the embedded folder is fixed at build time
	}
	return sub
}

func (t *tx) AddAccount(a *store.Account) (int64, error) {
	res, err := t.tx.Exec(`INSERT INTO accounts (name, role, scope, password_hash, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		a.Name, a.Role, a.Scope, a.PasswordHash, a.Disabled, a.CreatedAt.UTC().Format(store.TimeFormat))
	if err != nil {
		return 0, fmt.Errorf("store: account %q: %w", a.Name, err)
	}
	return res.LastInsertId()
}

func (t *tx) UpdateAccount(a *store.Account) error {
	res, err := t.tx.Exec(`UPDATE accounts SET role = ?, scope = ?, password_hash = ?, disabled = ? WHERE id = ?`,
		a.Role, a.Scope, a.PasswordHash, a.Disabled, a.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("store: no account %d", a.ID)
	}
	return nil
}

func (t *tx) oneAccount(where string, arg any) (*store.Account, error) {
	a, err := store.ScanAccount(t.tx.QueryRow(`SELECT `+store.AccountColumns+` FROM accounts WHERE `+where+` = ?`, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return a, err
}

func (t *tx) AccountByName(name string) (*store.Account, error) { return t.oneAccount("name", name) }

func (t *tx) AccountByID(id int64) (*store.Account, error) { return t.oneAccount("id", id) }

func (t *tx) Accounts() ([]store.Account, error) {
	rows, err := t.tx.Query(`SELECT ` + store.AccountColumns + ` FROM accounts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return store.ScanAccounts(rows)
}

func (t *tx) AddSession(s *store.Session) error {
	_, err := t.tx.Exec(`INSERT INTO sessions (token_hash, account_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		s.TokenHash, s.Account, s.CSRF, s.CreatedAt.UTC().Format(store.SessionTimeFormat), s.ExpiresAt.UTC().Format(store.SessionTimeFormat))
	return err
}

func (t *tx) SessionByHash(tokenHash string) (*store.Session, error) {
	s, err := store.ScanSession(t.tx.QueryRow(`SELECT `+store.SessionColumns+` FROM sessions WHERE token_hash = ?`, tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return s, err
}

func (t *tx) DeleteSession(tokenHash string) error {
	_, err := t.tx.Exec(`DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

func (t *tx) DeleteSessions(account int64) error {
	_, err := t.tx.Exec(`DELETE FROM sessions WHERE account_id = ?`, account)
	return err
}

func (t *tx) DeleteExpiredSessions(now time.Time) error {
	_, err := t.tx.Exec(`DELETE FROM sessions WHERE expires_at <= ?`, now.UTC().Format(store.SessionTimeFormat))
	return err
}
