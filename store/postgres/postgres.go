// Package postgres is the store of a workspace on a PostgreSQL server (github.com/jackc/pgx/v5),
// for deployments where many people and processes work on one election at once. Its schema is
// kept by goose migrations embedded in the binary; it behaves as store/sqlite does:
//
//   - Update runs in a READ COMMITTED transaction that first takes a transaction-scoped
//     advisory lock (writerLock), so write transactions run one at a time across every process
//     using the database, as SQLite's BEGIN IMMEDIATE makes them. Each sees every earlier
//     commit, and the ledger's sequence numbers can neither repeat nor skip.
//   - View runs in a REPEATABLE READ, READ ONLY transaction: a snapshot that no commit changes
//     and that never waits for a writer.
//   - Update refuses (rolls back) a transaction that appended no ledger entry.
//
// Ballots, result rows, ledger entries and tree nodes are buffered in the transaction and
// written with COPY, in batches, before any statement that could read them and at commit; so a
// transaction reads its own writes, and an import of millions of ballots needs few round trips.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// writerLock is the key of the advisory lock that every Update holds from its first statement
// to its commit (pg_advisory_xact_lock). Advisory locks belong to one database, so workspaces
// in different databases of one server do not wait for each other. The value is "canvass\x00"
// read as a big-endian integer.
const writerLock int64 = 0x63616e7661737300

// Buffered rows are sent with COPY when a buffer holds this many rows (or flushBytes of marks).
const (
	flushRows  = 8192
	flushBytes = 8 << 20
)

// DB is a workspace database on a PostgreSQL server. It implements store.Store.
type DB struct {
	pool *pgxpool.Pool
	// write admits one Update of this process at a time, so that writers waiting for the
	// advisory lock do not hold the pool's connections that readers need.
	write chan struct{}
}

var _ store.Store = (*DB)(nil)

// IsURL reports whether s names a PostgreSQL database (postgres:// or postgresql://).
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Redact returns the database URL with its password replaced by "xxxxx", for messages and
// logs. A string that does not parse as a URL is not shown at all.
func Redact(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "(a database URL that does not parse)"
	}
	return u.Redacted()
}

// scrub removes the password of dbURL from an error message: the driver's own messages redact
// passwords only on a best-effort basis.
func scrub(dbURL string, err error) error {
	u, perr := url.Parse(dbURL)
	if perr != nil {
		return errors.New("postgres: the database URL does not parse; write it as postgres://user:password@host:port/database?options")
	}
	msg := err.Error()
	if pw, ok := u.User.Password(); ok && pw != "" {
		msg = strings.ReplaceAll(msg, pw, "xxxxx")
		msg = strings.ReplaceAll(msg, url.QueryEscape(pw), "xxxxx")
		msg = strings.ReplaceAll(msg, url.PathEscape(pw), "xxxxx")
	}
	return fmt.Errorf("postgres %s: %s", u.Redacted(), msg)
}

// Open connects to the database named by dbURL (postgres://user:password@host:port/database,
// with any libpq parameter, e.g. sslmode, as a query parameter) and brings its schema up to
// date. Errors never show the password.
func Open(ctx context.Context, dbURL string) (*DB, error) {
	if !IsURL(dbURL) {
		return nil, errors.New("postgres: a database URL starts with postgres:// or postgresql://")
	}
	if _, err := url.Parse(dbURL); err != nil {
		return nil, scrub(dbURL, err)
	}
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, scrub(dbURL, err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, scrub(dbURL, err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, scrub(dbURL, err)
	}
	return &DB{pool: pool, write: make(chan struct{}, 1)}, nil
}

func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	// The session lock makes processes that open a new database at once migrate it one after
	// the other.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	return nil
}

// Close closes the connections.
func (d *DB) Close() error {
	d.pool.Close()
	return nil
}

// Update implements store.Store.
func (d *DB) Update(ctx context.Context, fn func(store.Tx) error) error {
	select {
	case d.write <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-d.write }()
	ptx, err := d.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: pgx.ReadWrite})
	if err != nil {
		return err
	}
	// Rollback after Commit does nothing; after a failure or a panic in fn it ends the
	// transaction, and if the connection is gone the server has already rolled it back.
	defer ptx.Rollback(context.WithoutCancel(ctx))
	if _, err := ptx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, writerLock); err != nil {
		return err
	}
	t := newTx(ctx, ptx, false)
	if err := fn(t); err != nil {
		return err
	}
	if t.changes == 0 {
		return store.ErrNoChange
	}
	if err := t.flush(); err != nil {
		return err
	}
	if err := t.saveTree(); err != nil {
		return err
	}
	return ptx.Commit(ctx)
}

// View implements store.Store.
func (d *DB) View(ctx context.Context, fn func(store.Tx) error) error {
	ptx, err := d.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer ptx.Rollback(context.WithoutCancel(ctx))
	return fn(newTx(ctx, ptx, true))
}

// AddCheckpoint implements store.Store.
func (d *DB) AddCheckpoint(ctx context.Context, size uint64, note []byte) error {
	_, err := d.pool.Exec(ctx, `INSERT INTO checkpoints (size, note) VALUES ($1, $2) ON CONFLICT (size) DO UPDATE SET note = excluded.note`, int64(size), note)
	return err
}

type entryRow struct {
	seq  uint64
	typ  string
	data []byte
	hash ledger.Hash
}

type nodeRow struct {
	level int32
	idx   uint64
	hash  ledger.Hash
}

type ballotRow struct {
	file                                                         int64
	jurisdiction, id, precinct, ballotType, tabulator, batch, cg string
	marks0, marks1                                               int // t.marks[marks0:marks1]
}

type resultRow struct {
	file int64
	r    canvass.ResultRow
}

type tx struct {
	ctx      context.Context
	tx       pgx.Tx
	readOnly bool
	changes  int
	// tree is the ledger's tree, loaded on first use and saved at commit.
	tree *ledger.Tree
	// rows not yet sent (flush)
	entries []entryRow
	nodes   []nodeRow
	ballots []ballotRow
	marks   []byte
	results []resultRow
	// seen holds, for each jurisdiction a ballot was added to in this transaction, the hashes
	// of the ids of its ballots, stored before or added since: an id whose hash is not there
	// cannot be a duplicate, and one whose hash is there is looked up (see AddBallot).
	seen    map[string]*cvr.IDs
	cursors int
}

func newTx(ctx context.Context, ptx pgx.Tx, readOnly bool) *tx {
	return &tx{ctx: ctx, tx: ptx, readOnly: readOnly}
}

var errReadOnly = errors.New("store: write in a read-only transaction")

func (t *tx) writable() error {
	if t.readOnly {
		return errReadOnly
	}
	return nil
}

// copyRows is a pgx.CopyFromSource over n rows that fill writes into one reused slice.
type copyRows struct {
	n, i int
	vals []any
	fill func(i int, vals []any)
}

func (c *copyRows) Next() bool             { c.i++; return c.i <= c.n }
func (c *copyRows) Values() ([]any, error) { c.fill(c.i-1, c.vals); return c.vals, nil }
func (c *copyRows) Err() error             { return nil }

func (t *tx) copy(table string, cols []string, n int, fill func(i int, vals []any)) error {
	if n == 0 {
		return nil
	}
	got, err := t.tx.CopyFrom(t.ctx, pgx.Identifier{table}, cols, &copyRows{n: n, vals: make([]any, len(cols)), fill: fill})
	if err == nil && got != int64(n) {
		err = fmt.Errorf("store: copied %d of %d rows into %s", got, n, table)
	}
	return err
}

// flush sends the buffered rows. Entries go first: nodes, tabulations and files refer to them.
func (t *tx) flush() error {
	err := t.copy("ledger_entries", []string{"seq", "type", "data", "hash"}, len(t.entries), func(i int, v []any) {
		e := &t.entries[i]
		v[0], v[1], v[2], v[3] = int64(e.seq), e.typ, e.data, e.hash[:]
	})
	if err != nil {
		return err
	}
	t.entries = t.entries[:0]
	err = t.copy("ledger_nodes", []string{"level", "idx", "hash"}, len(t.nodes), func(i int, v []any) {
		n := &t.nodes[i]
		v[0], v[1], v[2] = n.level, int64(n.idx), n.hash[:]
	})
	if err != nil {
		return err
	}
	t.nodes = t.nodes[:0]
	err = t.copy("ballots", []string{"file_id", "jurisdiction", "ballot_id", "precinct", "ballot_type", "tabulator", "batch", "counting_group", "marks"}, len(t.ballots), func(i int, v []any) {
		b := &t.ballots[i]
		v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8] = b.file, b.jurisdiction, b.id, b.precinct, b.ballotType, b.tabulator, b.batch, b.cg, t.marks[b.marks0:b.marks1]
	})
	if err != nil {
		return err
	}
	t.ballots, t.marks = t.ballots[:0], t.marks[:0]
	err = t.copy("results", []string{"file_id", "state", "county", "municipality", "precinct", "contest", "district", "choice", "party", "mode", "stat", "votes"}, len(t.results), func(i int, v []any) {
		r := &t.results[i]
		v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11] = r.file, r.r.Unit.State, r.r.Unit.County, r.r.Unit.Municipality, r.r.Unit.Precinct, r.r.Contest, r.r.District, r.r.Choice, r.r.Party, r.r.Mode, r.r.Stat, r.r.Votes
	})
	if err != nil {
		return err
	}
	t.results = t.results[:0]
	return nil
}

// guard runs one statement that a constraint may refuse (fn) inside a savepoint. PostgreSQL
// aborts the whole transaction when a statement fails, SQLite only the statement; with the
// savepoint a refused insert fails alone here too, and the caller may go on.
func (t *tx) guard(fn func() error) error {
	if _, err := t.tx.Exec(t.ctx, "SAVEPOINT canvass_statement"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := t.tx.Exec(t.ctx, "ROLLBACK TO SAVEPOINT canvass_statement"); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	_, err := t.tx.Exec(t.ctx, "RELEASE SAVEPOINT canvass_statement")
	return err
}

// cursor runs query through a server-side cursor, batch rows at a time: scan reads each row of
// a batch (the connection is busy meanwhile), then deliver hands the batch on (the connection
// is free, so deliver's callbacks may use the transaction). It returns early when deliver
// fails.
func (t *tx) cursor(query string, args []any, scan func(pgx.Rows) error, deliver func() error) error {
	if err := t.flush(); err != nil {
		return err
	}
	t.cursors++
	name := fmt.Sprintf("canvass_cursor_%d", t.cursors)
	if _, err := t.tx.Exec(t.ctx, "DECLARE "+name+" NO SCROLL CURSOR FOR "+query, args...); err != nil {
		return err
	}
	for {
		// Cursor names repeat from one transaction to the next, on other queries: the
		// statement must be described each time, never taken from pgx's statement cache.
		rows, err := t.tx.Query(t.ctx, "FETCH FORWARD 4096 FROM "+name, pgx.QueryExecModeDescribeExec)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			n++
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if n > 0 {
			if err := deliver(); err != nil {
				return err
			}
		}
		if n < 4096 {
			break
		}
	}
	_, err := t.tx.Exec(t.ctx, "CLOSE "+name)
	return err
}

func (t *tx) Tree() (*ledger.Tree, error) {
	if t.tree != nil {
		return t.tree, nil
	}
	var b []byte
	err := t.tx.QueryRow(t.ctx, `SELECT tree FROM ledger_state WHERE id = 1`).Scan(&b)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
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
	_, err = t.tx.Exec(t.ctx, `INSERT INTO ledger_state (id, tree) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET tree = excluded.tree`, b)
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
	data, err := store.AppendEntry(tree, e, func(seq uint64, typ string, data []byte, leaf ledger.Hash) error {
		t.entries = append(t.entries, entryRow{seq: seq, typ: typ, data: data, hash: leaf})
		return nil
	}, func(level int, index uint64, h ledger.Hash) error {
		t.nodes = append(t.nodes, nodeRow{level: int32(level), idx: index, hash: h})
		return nil
	})
	if err != nil {
		return nil, err
	}
	t.changes++
	if len(t.entries) >= flushRows {
		if err := t.flush(); err != nil {
			return nil, err
		}
	}
	return data, nil
}

func (t *tx) scanEntries(query string, args []any, fn func(seq uint64, data []byte) error) error {
	type row struct {
		seq  int64
		data []byte
	}
	var batch []row
	return t.cursor(query, args, func(rows pgx.Rows) error {
		var r row
		if err := rows.Scan(&r.seq, &r.data); err != nil {
			return err
		}
		batch = append(batch, r)
		return nil
	}, func() error {
		for _, r := range batch {
			if err := fn(uint64(r.seq), r.data); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	})
}

// clamp converts a sequence number bound to the database's BIGINT.
func clamp(n uint64) int64 {
	if n > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(n)
}

func (t *tx) Entries(from, to uint64, fn func(seq uint64, data []byte) error) error {
	return t.scanEntries(`SELECT seq, data FROM ledger_entries WHERE seq >= $1 AND seq < $2 ORDER BY seq`, []any{clamp(from), clamp(to)}, fn)
}

func (t *tx) EntriesOfType(typ string, fn func(seq uint64, data []byte) error) error {
	return t.scanEntries(`SELECT seq, data FROM ledger_entries WHERE type = $1 ORDER BY seq`, []any{typ}, fn)
}

func (t *tx) Hashes(tileLevel int, from, to uint64) ([]ledger.Hash, error) {
	if from > to {
		return nil, fmt.Errorf("store: hashes [%d, %d)", from, to)
	}
	if err := t.flush(); err != nil {
		return nil, err
	}
	var rows pgx.Rows
	var err error
	if tileLevel == 0 {
		rows, err = t.tx.Query(t.ctx, `SELECT hash FROM ledger_entries WHERE seq >= $1 AND seq < $2 ORDER BY seq`, clamp(from), clamp(to))
	} else {
		rows, err = t.tx.Query(t.ctx, `SELECT hash FROM ledger_nodes WHERE level = $1 AND idx >= $2 AND idx < $3 ORDER BY idx`, tileLevel, clamp(from), clamp(to))
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return store.ReadHashes(rows, tileLevel, from, to)
}

func (t *tx) Checkpoints() ([]store.Checkpoint, error) {
	rows, err := t.tx.Query(t.ctx, `SELECT size, note FROM checkpoints ORDER BY size`)
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
	if err := t.writable(); err != nil {
		return err
	}
	if err := t.flush(); err != nil {
		return err
	}
	return t.guard(func() error {
		_, err := t.tx.Exec(t.ctx, `INSERT INTO tabulations (seq, result) VALUES ($1, $2)`, clamp(seq), result)
		return err
	})
}

func (t *tx) Tabulation(seq uint64) ([]byte, error) {
	if err := t.flush(); err != nil {
		return nil, err
	}
	var b []byte
	err := t.tx.QueryRow(t.ctx, `SELECT result FROM tabulations WHERE seq = $1`, clamp(seq)).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("store: no tabulation at entry %d", seq)
	}
	return b, err
}

const fileCols = `id, name, sha256, size, kind, format, jurisdiction, imported_by, imported_at, records, COALESCE(replaces, 0), COALESCE(entry, 0)`

func scanFile(s pgx.Row) (*store.File, error) {
	var f store.File
	var at string
	var entry int64
	if err := s.Scan(&f.ID, &f.Name, &f.SHA256, &f.Size, &f.Kind, &f.Format, &f.Jurisdiction, &f.ImportedBy, &at, &f.Records, &f.Replaced, &entry); err != nil {
		return nil, err
	}
	f.Entry = uint64(entry)
	var err error
	if f.ImportedAt, err = time.Parse(store.TimeFormat, at); err != nil {
		return nil, fmt.Errorf("store: file %d: import time %q: %w", f.ID, at, err)
	}
	return &f, nil
}

func (t *tx) FileByHash(sha string) (*store.File, error) {
	if err := t.flush(); err != nil {
		return nil, err
	}
	f, err := scanFile(t.tx.QueryRow(t.ctx, `SELECT `+fileCols+` FROM files WHERE sha256 = $1 AND replaced_by IS NULL ORDER BY id DESC LIMIT 1`, sha))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return f, err
}

func (t *tx) Files() ([]store.File, error) {
	if err := t.flush(); err != nil {
		return nil, err
	}
	rows, err := t.tx.Query(t.ctx, `SELECT `+fileCols+` FROM files ORDER BY id`)
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
	if err := t.writable(); err != nil {
		return 0, err
	}
	if err := t.flush(); err != nil {
		return 0, err
	}
	var replaces any
	if f.Replaced != 0 {
		replaces = f.Replaced
	}
	var id int64
	err := t.guard(func() error {
		err := t.tx.QueryRow(t.ctx, `INSERT INTO files (name, sha256, size, kind, format, jurisdiction, imported_by, imported_at, records, replaces)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			f.Name, f.SHA256, f.Size, f.Kind, f.Format, f.Jurisdiction, f.ImportedBy, f.ImportedAt.UTC().Format(store.TimeFormat), f.Records, replaces).Scan(&id)
		if err == nil && f.Replaced != 0 {
			_, err = t.tx.Exec(t.ctx, `UPDATE files SET replaced_by = $1 WHERE id = $2`, id, f.Replaced)
		}
		return err
	})
	return id, err
}

func (t *tx) FinishFile(id, records int64, entry uint64) error {
	if err := t.writable(); err != nil {
		return err
	}
	if err := t.flush(); err != nil {
		return err
	}
	return t.guard(func() error {
		_, err := t.tx.Exec(t.ctx, `UPDATE files SET records = $1, entry = $2 WHERE id = $3`, records, clamp(entry), id)
		return err
	})
}

func (t *tx) DeleteFileData(id int64) error {
	if err := t.writable(); err != nil {
		return err
	}
	if err := t.flush(); err != nil {
		return err
	}
	if _, err := t.tx.Exec(t.ctx, `DELETE FROM ballots WHERE file_id = $1`, id); err != nil {
		return err
	}
	_, err := t.tx.Exec(t.ctx, `DELETE FROM results WHERE file_id = $1`, id)
	return err
}

func (t *tx) MergeContest(c *canvass.Contest) (store.ContestIDs, error) {
	var ids store.ContestIDs
	if err := t.writable(); err != nil {
		return ids, err
	}
	if err := t.flush(); err != nil {
		return ids, err
	}
	key := canvass.NameKey(c.Name)
	var typ string
	var seats, voteFor int
	err := t.tx.QueryRow(t.ctx, `SELECT id, type, seats, vote_for FROM contests WHERE name_key = $1`, key).Scan(&ids.Contest, &typ, &seats, &voteFor)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		err := t.tx.QueryRow(t.ctx, `INSERT INTO contests (name, name_key, type, seats, vote_for, threshold_num, threshold_den, source_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			c.Name, key, string(c.Type), c.Seats, c.VoteFor, c.Threshold.Num, c.Threshold.Den, c.ID).Scan(&ids.Contest)
		if err != nil {
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
		err := t.tx.QueryRow(t.ctx, `SELECT id FROM choices WHERE contest_id = $1 AND name_key = $2`, ids.Contest, ck).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			err = t.tx.QueryRow(t.ctx, `INSERT INTO choices (contest_id, name, name_key, party, write_in, source_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
				ids.Contest, ch.Name, ck, ch.Party, ch.WriteIn, ch.ID).Scan(&id)
		}
		if err != nil {
			return ids, err
		}
		ids.Choices = append(ids.Choices, id)
	}
	return ids, nil
}

func (t *tx) definition() (*store.Definition, error) {
	if err := t.flush(); err != nil {
		return nil, err
	}
	rows, err := t.tx.Query(t.ctx, `SELECT `+store.ContestColumns+` FROM contests ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var crows pgx.Rows
	defer func() {
		if crows != nil {
			crows.Close()
		}
	}()
	return store.ReadDefinition(rows, func() (store.Rows, error) {
		rows.Close()
		crows, err = t.tx.Query(t.ctx, `SELECT `+store.ChoiceColumns+` FROM choices ORDER BY id`)
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

// ids returns the seen set of a jurisdiction, made on first use from the ballots already
// stored. Writers hold the writer lock, so no other transaction can add one before this one
// commits.
func (t *tx) ids(jurisdiction string) (*cvr.IDs, error) {
	if ids := t.seen[jurisdiction]; ids != nil {
		return ids, nil
	}
	if err := t.flush(); err != nil {
		return nil, err
	}
	rows, err := t.tx.Query(t.ctx, `SELECT ballot_id FROM ballots WHERE jurisdiction = $1`, jurisdiction)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := &cvr.IDs{}
	var id string
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids.Add(id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if t.seen == nil {
		t.seen = map[string]*cvr.IDs{}
	}
	t.seen[jurisdiction] = ids
	return ids, nil
}

func (t *tx) AddBallot(fileID int64, jurisdiction string, b *canvass.Ballot, ids []store.ContestIDs) (bool, error) {
	if err := t.writable(); err != nil {
		return false, err
	}
	seen, err := t.ids(jurisdiction)
	if err != nil {
		return false, err
	}
	if !seen.Add(b.ID) {
		// A hash seen before: most likely the same id, but that ballot may have been deleted
		// since (DeleteFileData), or two ids' hashes may collide, so ask the database.
		if err := t.flush(); err != nil {
			return false, err
		}
		var exists bool
		err := t.tx.QueryRow(t.ctx, `SELECT EXISTS (SELECT 1 FROM ballots WHERE jurisdiction = $1 AND ballot_id = $2)`, jurisdiction, b.ID).Scan(&exists)
		if err != nil || exists {
			return false, err
		}
	}
	m0 := len(t.marks)
	marks, err := store.EncodeMarks(t.marks, b, ids)
	if err != nil {
		return false, err
	}
	t.marks = marks
	t.ballots = append(t.ballots, ballotRow{file: fileID, jurisdiction: jurisdiction, id: b.ID, precinct: b.Precinct, ballotType: b.BallotType,
		tabulator: b.Tabulator, batch: b.Batch, cg: b.CountingGroup, marks0: m0, marks1: len(t.marks)})
	if len(t.ballots) >= flushRows || len(t.marks) >= flushBytes {
		if err := t.flush(); err != nil {
			return false, err
		}
	}
	return true, nil
}

func (t *tx) Ballots(fn func(jurisdiction string, b *canvass.Ballot) error) error {
	d, err := t.definition()
	if err != nil {
		return err
	}
	type row struct {
		jur, id, precinct, ballotType, tabulator, batch, cg string
		marks                                               []byte
	}
	var batch []row
	var b canvass.Ballot
	return t.cursor(`SELECT jurisdiction, ballot_id, precinct, ballot_type, tabulator, batch, counting_group, marks FROM ballots ORDER BY id`, nil,
		func(rows pgx.Rows) error {
			var r row
			if err := rows.Scan(&r.jur, &r.id, &r.precinct, &r.ballotType, &r.tabulator, &r.batch, &r.cg, &r.marks); err != nil {
				return err
			}
			batch = append(batch, r)
			return nil
		},
		func() error {
			for _, r := range batch {
				b.Reset()
				b.ID, b.Precinct, b.BallotType, b.Tabulator, b.Batch, b.CountingGroup = r.id, r.precinct, r.ballotType, r.tabulator, r.batch, r.cg
				if err := store.DecodeMarks(r.marks, &b, d.ContestIndex, d.ChoiceIndex); err != nil {
					return fmt.Errorf("ballot %s: %w", b.ID, err)
				}
				if err := fn(r.jur, &b); err != nil {
					return err
				}
			}
			batch = batch[:0]
			return nil
		})
}

func (t *tx) count(table string) (int64, error) {
	if err := t.flush(); err != nil {
		return 0, err
	}
	var n int64
	err := t.tx.QueryRow(t.ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	return n, err
}

func (t *tx) CountBallots() (int64, error) { return t.count("ballots") }

func (t *tx) AddResult(fileID int64, r *canvass.ResultRow) error {
	if err := t.writable(); err != nil {
		return err
	}
	t.results = append(t.results, resultRow{file: fileID, r: *r})
	if len(t.results) >= flushRows {
		return t.flush()
	}
	return nil
}

func (t *tx) Results(fn func(r *canvass.ResultRow) error) error {
	var batch []canvass.ResultRow
	return t.cursor(`SELECT state, county, municipality, precinct, contest, district, choice, party, mode, stat, votes FROM results ORDER BY id`, nil,
		func(rows pgx.Rows) error {
			var r canvass.ResultRow
			if err := rows.Scan(&r.Unit.State, &r.Unit.County, &r.Unit.Municipality, &r.Unit.Precinct, &r.Contest, &r.District, &r.Choice, &r.Party, &r.Mode, &r.Stat, &r.Votes); err != nil {
				return err
			}
			batch = append(batch, r)
			return nil
		},
		func() error {
			for i := range batch {
				if err := fn(&batch[i]); err != nil {
					return err
				}
			}
			batch = batch[:0]
			return nil
		})
}

func (t *tx) CountResults() (int64, error) { return t.count("results") }
