package workspace

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/mod/sumdb/note"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/audit/sampler"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/store"
)

// Accounts of the web application (canvass serve), their sessions, and the two-member
// confirmation of audit-board readings. Every change is a ledger entry: an account's creation
// (its name, role and scope, never its password hash), a password set or an account disabled,
// every sign-in and sign-out, and each first confirmation of a board's reading. A rebuild from
// the published ledger replays them; passwords cannot be replayed, so a rebuilt workspace's
// accounts have none until one is set ('canvass accounts password').

// Roles of accounts. The public (not signed in) has no account.
const (
	RoleStateAdmin        = "state-admin"        // everything
	RoleJurisdictionAdmin = "jurisdiction-admin" // the imports and audit boards of Scope.Jurisdictions
	RoleAuditBoard        = "audit-board"        // one board of one round of one audit
)

// Roles lists the roles of accounts.
var Roles = []string{RoleStateAdmin, RoleJurisdictionAdmin, RoleAuditBoard}

// Ledger entry types of accounts and audit boards.
const (
	TypeAccountCreate = "account.create"
	TypeAccountUpdate = "account.update"
	TypeSignIn        = "account.signin"
	TypeSignOut       = "account.signout"
	// TypeAuditConfirm is a board member's confirmation of a reading that no other member of
	// the board has confirmed yet; the matching confirmation of a second member is the
	// audit.record entry.
	TypeAuditConfirm = "audit.confirm"
)

// Scope is what an account may act on.
type Scope struct {
	// Jurisdictions of a jurisdiction administrator.
	Jurisdictions []string `json:"jurisdictions,omitempty"`
	// Audit, Round, Jurisdiction and Board name an audit board's board: board Board of Boards
	// sharing the retrieval list of Jurisdiction in round Round of audit Audit (the audit's
	// ledger entry).
	Audit        uint64 `json:"audit,omitempty"`
	Round        int    `json:"round,omitempty"`
	Jurisdiction string `json:"jurisdiction,omitempty"`
	Board        int    `json:"board,omitempty"`
	Boards       int    `json:"boards,omitempty"`
}

// Has reports whether the scope includes jurisdiction j (names compared as NameKey does).
func (s Scope) Has(j string) bool {
	for _, x := range s.Jurisdictions {
		if canvass.NameKey(x) == canvass.NameKey(j) {
			return true
		}
	}
	return false
}

// BoardName is the name an audit board records its readings under ("Dane Audit Board 2").
func (s Scope) BoardName() string {
	name := "Audit Board " + strconv.Itoa(s.Board)
	if s.Jurisdiction != "" {
		name = s.Jurisdiction + " " + name
	}
	return name
}

// Account is an account of the web application.
type Account struct {
	ID        int64     `json:"-"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Scope     Scope     `json:"scope"`
	Disabled  bool      `json:"disabled,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// HasPassword is false for an account that cannot sign in until a password is set.
	HasPassword bool `json:"has_password"`
	hash        string
}

// NewAccount describes an account to create.
type NewAccount struct {
	Name     string
	Role     string
	Scope    Scope
	Password string
	// PasswordHash, instead of Password, is a hash made beforehand (HashPassword, or
	// HashPasswordWith for other costs), so that the password itself never reaches the
	// workspace.
	PasswordHash string
}

// Errors of accounts and sessions.
var (
	// ErrBadCredentials is returned for an unknown account, a wrong password or a disabled
	// account alike, so that a sign-in says nothing about which.
	ErrBadCredentials = errors.New("wrong account name or password")
	// ErrNoSession is returned for a session token that is unknown, expired or whose account
	// is disabled.
	ErrNoSession = errors.New("no such session (signed out or expired)")
	// ErrOutOfScope is wrapped by the error of an act on something outside an account's scope.
	ErrOutOfScope = errors.New("not one of your jurisdictions")
)

// Password lengths accepted: at least the 8 characters of NIST SP 800-63B §5.1.1.2, at most a
// bound that keeps hashing cheap to refuse.
const (
	MinPassword = 8
	MaxPassword = 256
)

var accountName = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{0,63}$`)

// accountCreateBody is the body of an account.create entry.
type accountCreateBody struct {
	Name  string `json:"name"`
	Role  string `json:"role"`
	Scope Scope  `json:"scope"`
}

// accountUpdateBody is the body of an account.update entry.
type accountUpdateBody struct {
	Name string `json:"name"`
	// PasswordSet says a new password was set (the hash is never recorded).
	PasswordSet bool  `json:"password_set,omitempty"`
	Disabled    *bool `json:"disabled,omitempty"`
}

// sessionBody is the body of account.signin and account.signout entries.
type sessionBody struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// checkScope checks a new account's role and scope and puts the scope in canonical form.
func checkScope(tx store.Tx, role string, s *Scope) error {
	switch role {
	case RoleStateAdmin:
		if !s.isZero() {
			return errors.New("a state administrator has no scope: it may act on everything")
		}
	case RoleJurisdictionAdmin:
		if s.Audit != 0 || s.Round != 0 || s.Board != 0 || s.Boards != 0 || s.Jurisdiction != "" {
			return errors.New("a jurisdiction administrator's scope is a list of jurisdictions only")
		}
		seen := map[string]bool{}
		var js []string
		for _, j := range s.Jurisdictions {
			j = strings.TrimSpace(j)
			if j == "" || seen[canvass.NameKey(j)] {
				continue
			}
			seen[canvass.NameKey(j)] = true
			js = append(js, j)
		}
		if len(js) == 0 {
			return errors.New("a jurisdiction administrator needs at least one jurisdiction (--jurisdiction)")
		}
		sort.Strings(js)
		s.Jurisdictions = js
	case RoleAuditBoard:
		if len(s.Jurisdictions) > 0 {
			return errors.New("an audit board's scope names one jurisdiction (its retrieval list), not a list")
		}
		s.Jurisdiction = strings.TrimSpace(s.Jurisdiction)
		if s.Round < 1 || s.Boards < 1 || s.Board < 1 || s.Board > s.Boards {
			return fmt.Errorf("an audit board is board 1 to N (--board) of the N boards sharing its jurisdiction's list (--boards) in a round from 1 (--round); got board %d of %d, round %d", s.Board, s.Boards, s.Round)
		}
		var start *ledger.Entry
		if err := entriesOf(tx, TypeAuditStart, func(e *ledger.Entry, _ []byte) error {
			if e.Seq == s.Audit {
				start = e
			}
			return nil
		}); err != nil {
			return err
		}
		if start == nil {
			return fmt.Errorf("entry %d is not the start of an audit ('canvass audit status' names the audit)", s.Audit)
		}
		// Every board of a jurisdiction's round must share the list the same number of ways.
		accts, err := tx.Accounts()
		if err != nil {
			return err
		}
		for _, a := range accts {
			if a.Role != RoleAuditBoard {
				continue
			}
			var o Scope
			if json.Unmarshal([]byte(a.Scope), &o) != nil {
				continue
			}
			if o.Audit == s.Audit && o.Round == s.Round && canvass.NameKey(o.Jurisdiction) == canvass.NameKey(s.Jurisdiction) && o.Boards != s.Boards {
				return fmt.Errorf("audit board account %q shares round %d of %q among %d boards, not %d", a.Name, s.Round, s.Jurisdiction, o.Boards, s.Boards)
			}
		}
	default:
		return fmt.Errorf("role %q: use one of %s", role, strings.Join(Roles, ", "))
	}
	return nil
}

func (s Scope) isZero() bool {
	return len(s.Jurisdictions) == 0 && s.Audit == 0 && s.Round == 0 && s.Jurisdiction == "" && s.Board == 0 && s.Boards == 0
}

func checkPasswordLength(pw string) error {
	if n := len([]rune(pw)); n < MinPassword || len(pw) > MaxPassword {
		return fmt.Errorf("a password has %d to %d characters", MinPassword, MaxPassword)
	}
	return nil
}

// CreateAccount creates an account and records it (name, role and scope) in the ledger. An
// empty password creates an account that cannot sign in until one is set.
func (w *Workspace) CreateAccount(ctx context.Context, na NewAccount) (*Account, error) {
	if !accountName.MatchString(na.Name) {
		return nil, fmt.Errorf("account name %q: use 1 to 64 lower-case letters, digits and . _ @ -, starting with a letter or digit", na.Name)
	}
	hash := na.PasswordHash
	if hash != "" {
		if na.Password != "" {
			return nil, errors.New("give a password or its hash, not both")
		}
		if _, _, err := parseHash(hash); err != nil {
			return nil, err
		}
	}
	if na.Password != "" {
		if err := checkPasswordLength(na.Password); err != nil {
			return nil, err
		}
		var err error
		if hash, err = HashPassword(na.Password); err != nil {
			return nil, err
		}
	}
	return w.createAccount(ctx, na.Name, na.Role, na.Scope, hash)
}

func (w *Workspace) createAccount(ctx context.Context, name, role string, scope Scope, hash string) (*Account, error) {
	at := w.now()
	var out *Account
	err := w.Store.Update(ctx, func(tx store.Tx) error {
		if a, err := tx.AccountByName(name); err != nil {
			return err
		} else if a != nil {
			return fmt.Errorf("account %q already exists", name)
		}
		if err := checkScope(tx, role, &scope); err != nil {
			return err
		}
		sc, err := json.Marshal(scope)
		if err != nil {
			return err
		}
		sa := &store.Account{Name: name, Role: role, Scope: string(sc), PasswordHash: hash, CreatedAt: at}
		if sa.ID, err = tx.AddAccount(sa); err != nil {
			return err
		}
		if _, _, err := w.append(tx, at, TypeAccountCreate, accountCreateBody{Name: name, Role: role, Scope: scope}); err != nil {
			return err
		}
		out, err = accountOf(sa)
		return err
	})
	return out, err
}

func accountOf(sa *store.Account) (*Account, error) {
	a := &Account{ID: sa.ID, Name: sa.Name, Role: sa.Role, Disabled: sa.Disabled, CreatedAt: sa.CreatedAt, HasPassword: sa.PasswordHash != "", hash: sa.PasswordHash}
	if sa.Scope != "" {
		if err := json.Unmarshal([]byte(sa.Scope), &a.Scope); err != nil {
			return nil, fmt.Errorf("account %q: scope: %w", sa.Name, err)
		}
	}
	return a, nil
}

// Accounts lists the accounts.
func (w *Workspace) Accounts(ctx context.Context) ([]Account, error) {
	var out []Account
	err := w.Store.View(ctx, func(tx store.Tx) error {
		as, err := tx.Accounts()
		if err != nil {
			return err
		}
		for i := range as {
			a, err := accountOf(&as[i])
			if err != nil {
				return err
			}
			out = append(out, *a)
		}
		return nil
	})
	return out, err
}

// SetPassword sets an account's password and ends its sessions.
func (w *Workspace) SetPassword(ctx context.Context, name, password string) error {
	if err := checkPasswordLength(password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return w.updateAccount(ctx, accountUpdateBody{Name: name, PasswordSet: true}, hash)
}

// ChangePassword sets an account's password after checking its current one
// (ErrBadCredentials when it is wrong), and ends the account's sessions.
func (w *Workspace) ChangePassword(ctx context.Context, name, current, password string) error {
	if err := checkPasswordLength(password); err != nil {
		return err
	}
	var sa *store.Account
	err := w.Store.View(ctx, func(tx store.Tx) error {
		var err error
		sa, err = tx.AccountByName(name)
		return err
	})
	if err != nil {
		return err
	}
	if sa == nil || sa.PasswordHash == "" || sa.Disabled {
		return ErrBadCredentials
	}
	if ok, err := CheckPassword(sa.PasswordHash, current); err != nil || !ok {
		if err != nil {
			return err
		}
		return ErrBadCredentials
	}
	return w.SetPassword(ctx, name, password)
}

// SetDisabled disables an account (ending its sessions) or enables it again.
func (w *Workspace) SetDisabled(ctx context.Context, name string, disabled bool) error {
	return w.updateAccount(ctx, accountUpdateBody{Name: name, Disabled: &disabled}, "")
}

// updateAccount applies an account.update; hash is the new password hash when PasswordSet
// ("" in a rebuild, which cannot know it).
func (w *Workspace) updateAccount(ctx context.Context, b accountUpdateBody, hash string) error {
	at := w.now()
	return w.Store.Update(ctx, func(tx store.Tx) error {
		sa, err := tx.AccountByName(b.Name)
		if err != nil {
			return err
		}
		if sa == nil {
			return fmt.Errorf("no account %q", b.Name)
		}
		if b.PasswordSet {
			sa.PasswordHash = hash
		}
		if b.Disabled != nil {
			sa.Disabled = *b.Disabled
		}
		if err := tx.UpdateAccount(sa); err != nil {
			return err
		}
		if err := tx.DeleteSessions(sa.ID); err != nil {
			return err
		}
		_, _, err = w.append(tx, at, TypeAccountUpdate, b)
		return err
	})
}

// Session is a signed-in session.
type Session struct {
	// Token is the secret the browser holds (set only by SignIn; the store keeps its hash).
	Token string
	// CSRF is the synchronizer token that the session's forms and API calls carry.
	CSRF      string
	Account   Account
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionOptions tune a sign-in.
type SessionOptions struct {
	// Lifetime is the absolute lifetime of the session (default 12 hours).
	Lifetime time.Duration
	// Replace is the token of a session the browser already holds: it is ended, so that a
	// sign-in always starts a new session (a session is never carried across a sign-in).
	Replace string
}

// TokenHash is the hex SHA-256 of a session token, under which the store keeps the session.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func randomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// dummyHash is checked when the account is unknown, so that an unknown name costs the same
// time as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("no account has this password")
	return h
})

// SignIn checks an account's password and starts a session, recorded by an account.signin
// entry. The password is checked outside the write transaction (hashing takes a tenth of a
// second and must not hold the store's write lock); the transaction checks that the account
// did not change meanwhile.
func (w *Workspace) SignIn(ctx context.Context, name, password string, opts SessionOptions) (*Session, error) {
	var sa *store.Account
	err := w.Store.View(ctx, func(tx store.Tx) error {
		var err error
		sa, err = tx.AccountByName(name)
		return err
	})
	if err != nil {
		return nil, err
	}
	hash := dummyHash()
	if sa != nil && sa.PasswordHash != "" {
		hash = sa.PasswordHash
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return nil, err
	}
	if !ok || sa == nil || sa.PasswordHash == "" || sa.Disabled {
		return nil, ErrBadCredentials
	}
	token, err := randomToken()
	if err != nil {
		return nil, err
	}
	csrf, err := randomToken()
	if err != nil {
		return nil, err
	}
	life := opts.Lifetime
	if life <= 0 {
		life = 12 * time.Hour
	}
	at := w.now()
	s := &Session{Token: token, CSRF: csrf, CreatedAt: at, ExpiresAt: at.Add(life)}
	err = w.Store.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.AccountByID(sa.ID)
		if err != nil {
			return err
		}
		if cur == nil || cur.Disabled || cur.PasswordHash != sa.PasswordHash {
			return ErrBadCredentials
		}
		if err := tx.DeleteExpiredSessions(at); err != nil {
			return err
		}
		if opts.Replace != "" {
			if err := tx.DeleteSession(TokenHash(opts.Replace)); err != nil {
				return err
			}
		}
		if err := tx.AddSession(&store.Session{TokenHash: TokenHash(token), Account: cur.ID, CSRF: csrf, CreatedAt: at, ExpiresAt: s.ExpiresAt}); err != nil {
			return err
		}
		a, err := accountOf(cur)
		if err != nil {
			return err
		}
		s.Account = *a
		return w.appendSession(tx, at, TypeSignIn, cur)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// appendSession appends a sign-in or sign-out entry for the account, as the account.
func (w *Workspace) appendSession(tx store.Tx, at time.Time, typ string, a *store.Account) error {
	as := *w
	as.Actor = a.Name
	_, _, err := as.append(tx, at, typ, sessionBody{Name: a.Name, Role: a.Role})
	return err
}

// SessionByToken returns the live session of a token: ErrNoSession when it is unknown, has
// expired, or its account is disabled.
func (w *Workspace) SessionByToken(ctx context.Context, token string) (*Session, error) {
	if token == "" {
		return nil, ErrNoSession
	}
	now := w.now()
	var s *Session
	err := w.Store.View(ctx, func(tx store.Tx) error {
		ss, err := tx.SessionByHash(TokenHash(token))
		if err != nil || ss == nil {
			return err
		}
		if !now.Before(ss.ExpiresAt) {
			return nil
		}
		sa, err := tx.AccountByID(ss.Account)
		if err != nil || sa == nil || sa.Disabled {
			return err
		}
		a, err := accountOf(sa)
		if err != nil {
			return err
		}
		s = &Session{CSRF: ss.CSRF, Account: *a, CreatedAt: ss.CreatedAt, ExpiresAt: ss.ExpiresAt}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, ErrNoSession
	}
	return s, nil
}

// SignOut ends a session, recorded by an account.signout entry. An unknown token is no error.
func (w *Workspace) SignOut(ctx context.Context, token string) error {
	at := w.now()
	err := w.Store.Update(ctx, func(tx store.Tx) error {
		ss, err := tx.SessionByHash(TokenHash(token))
		if err != nil {
			return err
		}
		if ss == nil {
			return errNothingNew
		}
		sa, err := tx.AccountByID(ss.Account)
		if err != nil {
			return err
		}
		if err := tx.DeleteSession(ss.TokenHash); err != nil {
			return err
		}
		if sa == nil {
			return errNothingNew
		}
		return w.appendSession(tx, at, TypeSignOut, sa)
	})
	if errors.Is(err, errNothingNew) {
		return nil
	}
	return err
}

// Argon2Params are the cost of an Argon2id password hash: passes, memory in KiB, lanes.
type Argon2Params struct {
	Time    uint32
	Memory  uint32
	Threads uint8
}

// DefaultArgon2 is the cost of the hashes HashPassword makes: the second recommended option of
// RFC 9106 §4, t = 3 passes, m = 64 MiB, p = 4 lanes (about a tenth to half a second of two
// cores). With a 128-bit random salt and a 256-bit tag, the hash is kept in the PHC string
// format "$argon2id$v=19$m=65536,t=3,p=4$<salt>$<tag>" (unpadded standard base64), which states
// its parameters, so that they can be raised later without breaking older hashes.
func DefaultArgon2() Argon2Params { return Argon2Params{Time: 3, Memory: 64 * 1024, Threads: 4} }

const (
	argonSaltLen = 16
	argonKeyLen  = 32
)

// HashPassword hashes a password with Argon2id at DefaultArgon2's cost.
func HashPassword(password string) (string, error) {
	return HashPasswordWith(password, DefaultArgon2())
}

// HashPasswordWith hashes a password with Argon2id at the given cost.
func HashPasswordWith(password string, p Argon2Params) (string, error) {
	if err := p.check(); err != nil {
		return "", err
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// check refuses costs beyond what any canvass hash uses by a wide margin (memory over 1 GiB,
// more than 16 passes, more than 64 lanes), so that a forged hash cannot exhaust the server,
// and below what Argon2 allows (8 KiB of memory per lane).
func (p Argon2Params) check() error {
	if p.Threads < 1 || p.Threads > 64 || p.Memory < 8*uint32(p.Threads) || p.Memory > 1<<20 || p.Time < 1 || p.Time > 16 {
		return fmt.Errorf("password hash: cost m=%d,t=%d,p=%d out of range", p.Memory, p.Time, p.Threads)
	}
	return nil
}

// parseHash reads a PHC string of Argon2id v19: its cost, salt and tag.
func parseHash(hash string) (Argon2Params, [2][]byte, error) {
	var p Argon2Params
	var st [2][]byte
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, st, errors.New("password hash: not an Argon2id v19 PHC string")
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || seen[k] {
			return p, st, fmt.Errorf("password hash: parameter %q", kv)
		}
		seen[k] = true
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return p, st, fmt.Errorf("password hash: parameter %q", kv)
			}
			p.Threads = uint8(n)
		default:
			return p, st, fmt.Errorf("password hash: parameter %q", kv)
		}
	}
	if err := p.check(); err != nil {
		return p, st, err
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	tag, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(tag) < 16 || len(tag) > 64 {
		return p, st, errors.New("password hash: bad salt or tag")
	}
	st[0], st[1] = salt, tag
	return p, st, nil
}

// CheckPassword reports whether password matches a hash in the PHC string format of Argon2id
// (see DefaultArgon2; the cost is the hash's own, within the bounds parseHash allows).
func CheckPassword(hash, password string) (bool, error) {
	p, st, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), st[0], p.Time, p.Memory, p.Threads, uint32(len(st[1])))
	return subtle.ConstantTimeCompare(got, st[1]) == 1, nil
}

// ParseSigner reads a signer key given as text (the contents of a key file written by
// WriteKeyPair), for a certification signed through the web application, which never stores it.
func ParseSigner(skey string) (*Signer, error) {
	skey = strings.TrimSpace(skey)
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, errors.New("not a signer key (PRIVATE+KEY+name+hash+key)")
	}
	vkey, err := verifierKey(skey)
	if err != nil {
		return nil, err
	}
	return &Signer{Signer: s, VerifierKey: vkey}, nil
}

// CheckResultsScope reads a results file and refuses it, naming the first row, when a row's
// county is not one of jurisdictions: a jurisdiction administrator imports the results of
// their own jurisdictions only.
func CheckResultsScope(path string, opts results.Options, jurisdictions []string) error {
	allowed := Scope{Jurisdictions: jurisdictions}
	opts, err := opts.Resolve(path)
	if err != nil {
		return err
	}
	return eachResult(path, opts, func(r results.Reader, row *canvass.ResultRow) error {
		if !allowed.Has(row.Unit.County) {
			file, rec := r.Where()
			return &canvass.ParseError{Format: opts.Format, File: file, Record: rec, Field: "county",
				Err: fmt.Errorf("county %q: %w (%s); nothing was imported", row.Unit.County, ErrOutOfScope, strings.Join(jurisdictions, ", "))}
		}
		return nil
	})
}

// Audit boards.

// auditConfirmBody is the body of an audit.confirm entry.
type auditConfirmBody struct {
	Audit uint64                      `json:"audit"`
	Card  auditCard                   `json:"card"`
	Found bool                        `json:"found"`
	Votes map[string][]string         `json:"votes,omitempty"`
	Tally map[string]map[string]int64 `json:"tally,omitempty"`
	Board string                      `json:"board"`
}

func (b auditConfirmBody) record() audit.Record {
	return audit.Record{Card: audit.Card{Jurisdiction: b.Card.Jurisdiction, Batch: b.Card.Batch, Position: b.Card.Position}, Found: b.Found, Votes: b.Votes, Tally: b.Tally, Board: b.Board}
}

// Confirmation is a board member's confirmed reading that awaits a second member.
type Confirmation struct {
	Seq    uint64       `json:"entry"`
	Member string       `json:"member"`
	At     string       `json:"at"`
	Record audit.Record `json:"record"`
}

// sameReading reports whether two readings of a card agree (votes compared as sets).
func sameReading(a, b audit.Record) bool {
	if a.Found != b.Found || a.Board != b.Board {
		return false
	}
	if !a.Found {
		return true
	}
	if len(a.Votes) != len(b.Votes) || len(a.Tally) != len(b.Tally) {
		return false
	}
	for c, v := range a.Votes {
		w, ok := b.Votes[c]
		if !ok || !sameVotes(v, w) {
			return false
		}
	}
	for c, t := range a.Tally {
		u, ok := b.Tally[c]
		if !ok || len(t) != len(u) {
			return false
		}
		for ch, n := range t {
			if m, ok := u[ch]; !ok || m != n {
				return false
			}
		}
	}
	return true
}

// pendingConfirmations returns, for each card of the audit not yet recorded, the latest
// confirmation of a reading.
func pendingConfirmations(tx store.Tx, id uint64) (map[audit.Card]*Confirmation, error) {
	out := map[audit.Card]*Confirmation{}
	err := entriesOf(tx, TypeAuditConfirm, func(e *ledger.Entry, _ []byte) error {
		var b auditConfirmBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		if b.Audit == id {
			r := b.record()
			out[r.Card] = &Confirmation{Seq: e.Seq, Member: e.Actor, At: e.Time, Record: r}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = entriesOf(tx, TypeAuditRecord, func(e *ledger.Entry, _ []byte) error {
		var b auditRecordBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		if b.Audit == id {
			delete(out, audit.Card{Jurisdiction: b.Card.Jurisdiction, Batch: b.Card.Batch, Position: b.Card.Position})
		}
		return nil
	})
	return out, err
}

// BoardConfirm enters one board member's (the workspace's Actor's) confirmation of a reading.
// When another member of the same board has confirmed the same reading and it is the latest
// confirmation of the card, this second confirmation records it (AuditRecord) and recorded is
// true; otherwise it is kept as an audit.confirm entry awaiting a second member (a reading that
// differs from an earlier one replaces it as the one to confirm). The caller serializes the
// confirmations of one audit, so that the check and the record are not interleaved with
// another confirmation of the same card.
func (w *Workspace) BoardConfirm(ctx context.Context, id uint64, rec audit.Record) (recorded bool, err error) {
	var pending *Confirmation
	err = w.Store.View(ctx, func(tx store.Tx) error {
		p, err := pendingConfirmations(tx, id)
		pending = p[rec.Card]
		return err
	})
	if err != nil {
		return false, err
	}
	if pending != nil && sameReading(pending.Record, rec) {
		if pending.Member == w.Actor {
			return false, nil // confirmed again by the same member: nothing new
		}
		n, err := w.AuditRecord(ctx, id, []audit.Record{rec})
		if err != nil {
			return false, err
		}
		if n == 0 {
			return false, fmt.Errorf("%s is already recorded", rec.Card)
		}
		return true, nil
	}
	return false, w.appendConfirm(ctx, id, rec)
}

// appendConfirm checks a reading against the audit (the card is in the open round's sample and
// not recorded yet) and appends the audit.confirm entry.
func (w *Workspace) appendConfirm(ctx context.Context, id uint64, rec audit.Record) error {
	at := w.now()
	return w.Store.Update(ctx, func(tx store.Tx) error {
		a, _, err := w.loadAudit(tx, id)
		if err != nil {
			return err
		}
		if a.CurrentRound() == nil {
			return fmt.Errorf("audit %d has no open round (status: %s)", id, a.Status)
		}
		if a.Records[rec.Card] != nil {
			return fmt.Errorf("%s is already recorded", rec.Card)
		}
		if _, err := a.Record(rec); err != nil {
			return err
		}
		b := auditConfirmBody{Audit: id, Card: auditCard{Jurisdiction: rec.Card.Jurisdiction, Batch: rec.Card.Batch, Position: rec.Card.Position}, Found: rec.Found, Board: rec.Board}
		if rec.Found {
			b.Votes, b.Tally = rec.Votes, rec.Tally
		}
		_, _, err = w.append(tx, at, TypeAuditConfirm, b)
		return err
	})
}

// BoardContest is a contest an audit board reads, with the choices it can mark.
type BoardContest struct {
	Name    string   `json:"name"`
	VoteFor int      `json:"vote_for"`
	Choices []string `json:"choices"`
}

// BoardBallot is one card (or batch) of a board's retrieval list: where to find it and where
// its reading stands. It never carries the card's CVR: the board reads blind.
type BoardBallot struct {
	Card         audit.Card `json:"-"`
	Jurisdiction string     `json:"jurisdiction,omitempty"`
	Container    string     `json:"container,omitempty"`
	Tabulator    string     `json:"tabulator,omitempty"`
	Batch        string     `json:"batch"`
	Position     int64      `json:"position,omitempty"`
	ImprintedID  string     `json:"imprinted_id,omitempty"`
	Tickets      string     `json:"ticket_numbers"`
	Times        int        `json:"times_sampled"`
	// Status is "to do", "awaiting a second member" or "recorded".
	Status string `json:"status"`
	// Pending is the reading awaiting a second member of this board (nil otherwise).
	Pending *Confirmation `json:"pending,omitempty"`
}

// Statuses of a BoardBallot.
const (
	BallotToDo     = "to do"
	BallotAwaiting = "awaiting a second member"
	BallotRecorded = "recorded"
)

// BoardView is what one audit board sees: its ballots in retrieval order and the contests to
// read. Open is false when the board's round is not the audit's open round.
type BoardView struct {
	Audit    uint64         `json:"audit"`
	Kind     string         `json:"kind"`
	Round    int            `json:"round"`
	Open     bool           `json:"open"`
	Board    string         `json:"board"`
	Contests []BoardContest `json:"contests"`
	Ballots  []BoardBallot  `json:"ballots"`
}

// AuditBoard builds the view of the board that scope names: the open round's retrieval list
// shared among scope.Boards boards, the rows of the board's jurisdiction and number.
func (w *Workspace) AuditBoard(ctx context.Context, scope Scope) (*BoardView, error) {
	v := &BoardView{Audit: scope.Audit, Round: scope.Round, Board: scope.BoardName(), Ballots: []BoardBallot{}}
	err := w.Store.View(ctx, func(tx store.Tx) error {
		a, pop, err := w.loadAudit(tx, scope.Audit)
		if err != nil {
			return err
		}
		v.Kind = string(a.Config.Kind)
		el, err := tx.Election()
		if err != nil {
			return err
		}
		for _, c := range a.Contests {
			bc := BoardContest{Name: c.Name, VoteFor: max(c.Winners, 1), Choices: []string{}}
			for _, ec := range el.Contests {
				if canvass.NameKey(ec.Name) == canvass.NameKey(c.Name) {
					bc.VoteFor = ec.VoteFor
					for _, ch := range ec.Choices {
						bc.Choices = append(bc.Choices, ch.Name)
					}
				}
			}
			if len(bc.Choices) == 0 {
				for _, ch := range c.Choices {
					bc.Choices = append(bc.Choices, ch.Name)
				}
			}
			v.Contests = append(v.Contests, bc)
		}
		r := a.CurrentRound()
		if r == nil || r.Number != scope.Round {
			return nil
		}
		v.Open = true
		rows, err := retrievalRows(tx, a, pop, scope.Boards)
		if err != nil {
			return err
		}
		pending, err := pendingConfirmations(tx, scope.Audit)
		if err != nil {
			return err
		}
		for _, row := range rows {
			if canvass.NameKey(row.Jurisdiction) != canvass.NameKey(scope.Jurisdiction) || row.AuditBoard != scope.Board {
				continue
			}
			card := RetrievalCard(row)
			b := BoardBallot{Card: card, Jurisdiction: row.Jurisdiction, Container: row.Container, Tabulator: row.Tabulator, Batch: row.Batch,
				Position: row.Position, ImprintedID: row.ImprintedID, Tickets: row.TicketNumbers, Times: row.Times, Status: BallotToDo}
			switch p := pending[card]; {
			case a.Records[card] != nil:
				b.Status = BallotRecorded
			case p != nil && p.Record.Board == scope.BoardName():
				b.Status, b.Pending = BallotAwaiting, p
			}
			v.Ballots = append(v.Ballots, b)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// AuditRetrievalRows returns the open round's retrieval list shared among boards boards (the
// rows AuditRetrieval writes), and the round's number.
func (w *Workspace) AuditRetrievalRows(ctx context.Context, id uint64, boards int) ([]sampler.RetrievalRow, int, error) {
	var rows []sampler.RetrievalRow
	var round int
	err := w.Store.View(ctx, func(tx store.Tx) error {
		a, pop, err := w.loadAudit(tx, id)
		if err != nil {
			return err
		}
		r := a.CurrentRound()
		if r == nil {
			return fmt.Errorf("audit %d has no open round (status: %s)", id, a.Status)
		}
		round = r.Number
		rows, err = retrievalRows(tx, a, pop, boards)
		return err
	})
	return rows, round, err
}

// RetrievalCard is the card a retrieval row names, as the audit records it.
func RetrievalCard(row sampler.RetrievalRow) audit.Card {
	return audit.Card{Jurisdiction: row.Jurisdiction, Batch: batchLabel(row.Tabulator, row.Batch), Position: row.Position}
}

// retrievalRows lists the open round's ballots (or batches) to pull, shared among boards.
// AuditRetrieval computes the same rows (the two can become one call).
func retrievalRows(tx store.Tx, a *audit.Audit, pop *population, boards int) ([]sampler.RetrievalRow, error) {
	r := a.CurrentRound()
	if pop.manifest == nil {
		return batchRetrieval(a, r), nil
	}
	bd, err := sampler.SampleManifest(a.Config.Seed, pop.manifest, int(r.Size), a.Config.WithReplacement, pop.key)
	if err != nil {
		return nil, err
	}
	var prev int64
	if len(a.Rounds) > 1 {
		prev = a.Rounds[len(a.Rounds)-2].Size
	}
	rows := sampler.RetrievalList(bd[prev:], pop.manifest, 18, boards)
	if pop.source == "cvr" {
		ids, err := imprintedIDs(tx, pop.cardStyle, pop.manifest, rows)
		if err != nil {
			return nil, err
		}
		sampler.FillImprintedIDs(rows, func(batch int, position int64) string { return ids[[2]int64{int64(batch), position}] })
	}
	return rows, nil
}

// replayAccount re-runs an account or audit-board entry during a rebuild (see Verify).
// Passwords and sessions are not in the ledger: a rebuilt account has no password, a replayed
// sign-in starts no session.
func (r *replayer) replayAccount(e *ledger.Entry) error {
	ctx := r.ctx
	switch e.Type {
	case TypeAccountCreate:
		var b accountCreateBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		_, err := r.w.createAccount(ctx, b.Name, b.Role, b.Scope, "")
		return err
	case TypeAccountUpdate:
		var b accountUpdateBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		return r.w.updateAccount(ctx, b, "")
	case TypeSignIn, TypeSignOut:
		var b sessionBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		at, _ := time.Parse(ledger.TimeFormat, e.Time)
		return r.w.Store.Update(ctx, func(tx store.Tx) error {
			sa, err := tx.AccountByName(b.Name)
			if err != nil {
				return err
			}
			if sa == nil {
				return fmt.Errorf("no account %q", b.Name)
			}
			return r.w.appendSession(tx, at, e.Type, sa)
		})
	case TypeAuditConfirm:
		var b auditConfirmBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		return r.w.appendConfirm(ctx, b.Audit, b.record())
	}
	return fmt.Errorf("unknown entry type %q", e.Type)
}
