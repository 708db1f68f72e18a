package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/canvass-vote/canvass/workspace"
)

// Cookies. With Secure cookies the names take the __Host- prefix, which browsers accept only
// from a secure origin, on path /, without a Domain: a sibling host cannot plant them.
func (s *server) sessionCookie() string { return s.cookieName("canvass-session") }
func (s *server) preCookie() string     { return s.cookieName("canvass-pre") }

func (s *server) cookieName(n string) string {
	if s.opts.SecureCookies {
		return "__Host-" + n
	}
	return n
}

func (s *server) setCookie(rw http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(rw, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, Secure: s.opts.SecureCookies, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// The sign-in form is protected against login CSRF by a pre-session: a random cookie set with
// the form, and a form token derived from it (SHA-256 of a label and the cookie), which another
// site can neither read nor compute. The pre-session is never a session: a successful sign-in
// clears it and starts a new session with a new random token (no session fixation).
func loginToken(pre string) string {
	h := sha256.Sum256([]byte("canvass login form\x00" + pre))
	return hex.EncodeToString(h[:])
}

func randomString() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (q *req) loginPage() error {
	pre := randomString()
	q.s.setCookie(q.rw, q.s.preCookie(), pre, 3600)
	next := q.r.URL.Query().Get("next")
	return q.page("login", map[string]any{"Form": loginToken(pre), "Next": safeNext(next)})
}

// safeNext keeps a local path to return to after signing in, and refuses anything else (an
// open redirect).
func safeNext(next string) string {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return ""
}

func (q *req) loginForm() error {
	q.r.Body = http.MaxBytesReader(q.rw, q.r.Body, 64<<10)
	if err := q.r.ParseForm(); err != nil {
		return badRequest("the sign-in form: %v", err)
	}
	c, err := q.r.Cookie(q.s.preCookie())
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(loginToken(c.Value)), []byte(q.r.PostFormValue("form"))) != 1 {
		return errCSRF
	}
	sess, err := q.signIn(q.r.PostFormValue("name"), q.r.PostFormValue("password"))
	if err != nil {
		var he *httpError
		if errors.As(err, &he) && he.status != http.StatusInternalServerError {
			pre := randomString()
			q.s.setCookie(q.rw, q.s.preCookie(), pre, 3600)
			return q.pageStatus(he.status, "login", map[string]any{"Form": loginToken(pre), "Next": safeNext(q.r.PostFormValue("next")), "Error": he.msg, "Name": q.r.PostFormValue("name")})
		}
		return err
	}
	q.s.setCookie(q.rw, q.s.preCookie(), "", -1)
	if next := safeNext(q.r.PostFormValue("next")); next != "" {
		return q.redirect(next)
	}
	return q.redirect(homeOf(sess.Account.Role))
}

// homeOf is the page an account starts on.
func homeOf(role string) string {
	switch role {
	case workspace.RoleAuditBoard:
		return "/board"
	case workspace.RoleStateAdmin, workspace.RoleJurisdictionAdmin:
		return "/admin"
	}
	return "/"
}

// apiSignIn signs in with JSON {"name", "password"}. A JSON body is its CSRF protection: a
// form on another site cannot send one, and a script on another site cannot without a CORS
// preflight that this server never approves.
func (q *req) apiSignIn() error {
	var in struct {
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := q.decodeJSON(&in); err != nil {
		return err
	}
	sess, err := q.signIn(in.Name, in.Password)
	if err != nil {
		return err
	}
	q.json(http.StatusOK, sessionJSON(sess))
	return nil
}

func sessionJSON(s *workspace.Session) map[string]any {
	return map[string]any{"account": s.Account, "csrf": s.CSRF, "expires_at": s.ExpiresAt}
}

func (q *req) apiSession() error {
	q.json(http.StatusOK, sessionJSON(q.sess))
	return nil
}

// signIn checks the limits, the password, and starts a session that replaces any the browser
// holds; the session cookie is set on q.rw.
func (q *req) signIn(name, password string) (*workspace.Session, error) {
	s := q.s
	name = strings.TrimSpace(strings.ToLower(name))
	now := s.opts.Now()
	ip := s.clientIP(q.r)
	keys := []string{"account\x00" + name, "ip\x00" + ip}
	if wait := s.limiter.wait(keys, now); wait > 0 {
		s.opts.Log.Warn("sign-in refused: locked out", "account", name, "ip", ip)
		return nil, &httpError{status: http.StatusTooManyRequests, msg: "too many failed sign-ins: wait " + wait.Round(time.Second).String() + " and try again", retry: wait}
	}
	if len(password) > workspace.MaxPassword {
		password = password[:workspace.MaxPassword+1]
	}
	var old string
	if c, err := q.r.Cookie(s.sessionCookie()); err == nil {
		old = c.Value
	}
	select {
	case s.hashing <- struct{}{}:
	case <-q.r.Context().Done():
		return nil, q.r.Context().Err()
	}
	sess, err := s.w.SignIn(context.WithoutCancel(q.r.Context()), name, password, workspace.SessionOptions{Lifetime: s.opts.SessionLifetime, Replace: old})
	<-s.hashing
	if errors.Is(err, workspace.ErrBadCredentials) {
		s.limiter.fail(keys, now)
		s.opts.Log.Warn("sign-in failed", "account", name, "ip", ip)
		return nil, &httpError{status: http.StatusUnauthorized, msg: workspace.ErrBadCredentials.Error()}
	}
	if err != nil {
		return nil, err
	}
	s.limiter.succeed(keys[0])
	if old != "" {
		s.forget(old)
	}
	s.seenMu.Lock()
	s.lastSeen[workspace.TokenHash(sess.Token)] = now
	s.seenMu.Unlock()
	s.setCookie(q.rw, s.sessionCookie(), sess.Token, int(s.opts.SessionLifetime.Seconds()))
	return sess, nil
}

func (q *req) logout() error {
	if err := q.ws.SignOut(context.WithoutCancel(q.r.Context()), q.token); err != nil {
		return err
	}
	q.s.forget(q.token)
	q.s.setCookie(q.rw, q.s.sessionCookie(), "", -1)
	if q.api {
		q.json(http.StatusOK, map[string]any{"signed_out": true})
		return nil
	}
	return q.redirect("/")
}

func (q *req) accountPage() error {
	return q.page("account", map[string]any{"Done": q.r.URL.Query().Get("done") != ""})
}

// changePassword changes the signed-in account's own password; the current one is asked for
// again. Every session of the account ends, this one included.
func (q *req) changePassword() error {
	var cur, next string
	if q.api {
		var in struct {
			Current string `json:"current"`
			New     string `json:"new"`
		}
		if err := q.decodeJSON(&in); err != nil {
			return err
		}
		cur, next = in.Current, in.New
	} else {
		cur, next = q.r.PostFormValue("current"), q.r.PostFormValue("new")
		if next != q.r.PostFormValue("again") {
			return badRequest("the new password and its repetition differ")
		}
	}
	name := q.sess.Account.Name
	now := q.s.opts.Now()
	keys := []string{"account\x00" + name, "ip\x00" + q.s.clientIP(q.r)}
	if wait := q.s.limiter.wait(keys, now); wait > 0 {
		return &httpError{status: http.StatusTooManyRequests, msg: "too many failed attempts: wait " + wait.Round(time.Second).String(), retry: wait}
	}
	q.s.hashing <- struct{}{}
	err := q.ws.ChangePassword(q.r.Context(), name, cur, next)
	<-q.s.hashing
	if errors.Is(err, workspace.ErrBadCredentials) {
		q.s.limiter.fail(keys, now)
		return &httpError{status: http.StatusForbidden, msg: "the current password is wrong"}
	}
	if err != nil {
		return unprocessable(err)
	}
	q.s.forget(q.token)
	q.s.setCookie(q.rw, q.s.sessionCookie(), "", -1)
	if q.api {
		q.json(http.StatusOK, map[string]any{"password_set": true, "signed_out": true})
		return nil
	}
	return q.redirect("/login?next=/account")
}

// limiter stops password guessing: after a run of failures an account name or a client
// address is locked out for a time that doubles with each further failure (30 s after the
// 5th failure for an account, the 20th for an address, then 1, 2, 4 … minutes, at most an
// hour). A success clears the account's count; an address's count decays a day after its last
// failure. While locked, no password is checked at all.
type limiter struct {
	mu sync.Mutex
	m  map[string]*attempts
}

type attempts struct {
	failures int
	last     time.Time
	until    time.Time
}

const (
	accountFailures = 5
	addressFailures = 20
	firstLockout    = 30 * time.Second
	maxLockout      = time.Hour
	forgetFailures  = 24 * time.Hour
	maxTracked      = 100000
)

func newLimiter() *limiter { return &limiter{m: map[string]*attempts{}} }

// wait returns how long the first locked key stays locked (0 when none is).
func (l *limiter) wait(keys []string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for _, k := range keys {
		if a := l.m[k]; a != nil && now.Before(a.until) {
			wait = max(wait, a.until.Sub(now))
		}
	}
	return wait
}

func (l *limiter) fail(keys []string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.m) >= maxTracked {
		for k, a := range l.m {
			if now.Sub(a.last) > forgetFailures || now.After(a.until) && a.failures < accountFailures {
				delete(l.m, k)
			}
		}
	}
	for _, k := range keys {
		a := l.m[k]
		if a == nil || now.Sub(a.last) > forgetFailures {
			a = &attempts{}
			l.m[k] = a
		}
		a.failures++
		a.last = now
		limit := accountFailures
		if strings.HasPrefix(k, "ip\x00") {
			limit = addressFailures
		}
		if a.failures >= limit {
			d := firstLockout << min(a.failures-limit, 7)
			a.until = now.Add(min(d, maxLockout))
		}
	}
}

func (l *limiter) succeed(key string) {
	l.mu.Lock()
	delete(l.m, key)
	l.mu.Unlock()
}

// memo keeps the last computed value of each key for one version of the workspace (the size
// of its ledger, or of its imports); concurrent requests for the same key and version wait for
// one computation.
type memo struct {
	mu sync.Mutex
	m  map[string]*memoEntry
}

type memoEntry struct {
	version string
	ready   chan struct{}
	val     any
	err     error
}

func (m *memo) get(key, version string, compute func() (any, error)) (any, error) {
	m.mu.Lock()
	e := m.m[key]
	if e != nil && e.version == version {
		m.mu.Unlock()
		<-e.ready
		return e.val, e.err
	}
	e = &memoEntry{version: version, ready: make(chan struct{})}
	m.m[key] = e
	m.mu.Unlock()
	e.val, e.err = compute()
	close(e.ready)
	if e.err != nil {
		m.mu.Lock()
		if m.m[key] == e {
			delete(m.m, key)
		}
		m.mu.Unlock()
	}
	return e.val, e.err
}
