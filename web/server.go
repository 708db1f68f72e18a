// Package web is canvass's web application: a JSON API and server-rendered pages over one
// workspace, for the public (results with drill-down, reconciliation findings, audit progress,
// recounts, the verify page), for audit boards (their retrieval list and blind readings that two
// members confirm) and for officials (imports, audits, certification, accounts).
//
// Every request is authorized on the server by the route table (routes.go): each route names
// the roles that may reach it, and handlers check the account's scope (its jurisdictions, its
// audit board). Every change goes through package workspace, which records it in the ledger;
// web holds no election logic.
package web

import (
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/canvass-vote/canvass/workspace"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Options tune the server.
type Options struct {
	// SecureCookies marks the cookies Secure and gives them the __Host- prefix. Set it when the
	// server is reached over TLS (directly or behind a TLS-terminating proxy).
	SecureCookies bool
	// TrustProxy takes the client's address from the last X-Forwarded-For hop (for the
	// per-address sign-in limit) when the server runs behind a reverse proxy.
	TrustProxy bool
	// IdleTimeout ends a session unused for this long (default 30 minutes); SessionLifetime is
	// a session's absolute lifetime (default 12 hours).
	IdleTimeout     time.Duration
	SessionLifetime time.Duration
	// MaxUpload bounds one uploaded file (default 64 GiB); uploads are streamed to TempDir
	// (default os.TempDir()), never held in memory.
	MaxUpload int64
	TempDir   string
	// Published is a folder written by 'canvass publish', served read-only at /log/ for
	// 'canvass verify'; PublishedURL is where the record is published elsewhere (shown on the
	// verify page).
	Published    string
	PublishedURL string
	// Now is the clock (default time.Now); tests set it to move through lock-outs and expiries.
	Now func() time.Time
	// Log receives sign-in failures and server errors (default slog.Default()).
	Log *slog.Logger
}

// server is the web application over one workspace.
type server struct {
	w       *workspace.Workspace
	opts    Options
	mux     *http.ServeMux
	pages   map[string]*template.Template
	limiter *limiter
	// hashing bounds the concurrent password checks (each takes 64 MiB and a tenth of a second).
	hashing chan struct{}
	// lastSeen is when each session (by token hash) was last used, for the idle timeout.
	seenMu   sync.Mutex
	lastSeen map[string]time.Time
	// confirmMu serializes audit-board confirmations (see workspace.BoardConfirm).
	confirmMu sync.Mutex
	memo      memo
}

// New returns the web application serving w. The workspace stays open while it serves; each
// request acts on a copy of w whose Actor is the signed-in account.
func New(w *workspace.Workspace, opts Options) http.Handler {
	return newServer(w, opts)
}

func newServer(w *workspace.Workspace, opts Options) *server {
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 30 * time.Minute
	}
	if opts.SessionLifetime <= 0 {
		opts.SessionLifetime = 12 * time.Hour
	}
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = 64 << 30
	}
	if opts.TempDir == "" {
		opts.TempDir = os.TempDir()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	s := &server{w: w, opts: opts, mux: http.NewServeMux(), limiter: newLimiter(), hashing: make(chan struct{}, 4),
		lastSeen: map[string]time.Time{}, memo: memo{m: map[string]*memoEntry{}}}
	s.pages = parsePages()
	static, _ := fs.Sub(assets, "static")
	files := http.StripPrefix("/static/", http.FileServer(http.FS(static)))
	s.mux.Handle("GET /static/", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(rw, r)
	}))
	for _, rt := range routes {
		s.mux.Handle(rt.Method+" "+rt.Path, s.handler(rt))
	}
	s.mux.Handle("/", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		q := s.newReq(rw, r)
		q.fail(errNotFound)
	}))
	return s
}

// ServeHTTP sets the security headers every response carries and dispatches.
func (s *server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	h := rw.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.opts.SecureCookies {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	s.mux.ServeHTTP(rw, r)
}

// req is one request being handled.
type req struct {
	s  *server
	rw http.ResponseWriter
	r  *http.Request
	// sess is the signed-in session (nil for the public); token its cookie.
	sess  *workspace.Session
	token string
	// ws is the workspace acting as the signed-in account.
	ws *workspace.Workspace
	// api is set for /api/ routes (JSON in and out).
	api bool
	// csrfOK is set once the request's CSRF token has been checked.
	csrfOK bool
}

func (s *server) newReq(rw http.ResponseWriter, r *http.Request) *req {
	ws := *s.w
	ws.Actor = "public"
	return &req{s: s, rw: rw, r: r, ws: &ws, api: strings.HasPrefix(r.URL.Path, "/api/")}
}

// role is the request's role: the account's, or "" for the public.
func (q *req) role() string {
	if q.sess == nil {
		return ""
	}
	return q.sess.Account.Role
}

// handler authorizes a request by the route table, checks its CSRF token, and runs the route.
func (s *server) handler(rt route) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		q := s.newReq(rw, r)
		if err := s.loadSession(q); err != nil {
			q.fail(err)
			return
		}
		if !rt.allows(q.role(), q.sess != nil) {
			if q.sess == nil {
				q.fail(errSignIn)
			} else {
				q.fail(errForbidden)
			}
			return
		}
		if q.sess != nil && !safeMethod(r.Method) && !rt.ownCSRF {
			if err := q.checkCSRF(r.Header.Get("X-CSRF-Token")); err != nil {
				q.fail(err)
				return
			}
		}
		if err := rt.handle(q); err != nil {
			q.fail(err)
		}
	})
}

func safeMethod(m string) bool { return m == http.MethodGet || m == http.MethodHead }

// checkCSRF checks the synchronizer token: the header given, else the form field "csrf" of an
// URL-encoded form (multipart forms check their first field themselves, in readMultipart).
func (q *req) checkCSRF(header string) error {
	tok := header
	if tok == "" && strings.HasPrefix(q.r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		q.r.Body = http.MaxBytesReader(q.rw, q.r.Body, 1<<20)
		tok = q.r.PostFormValue("csrf")
	}
	if q.sess == nil || tok == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(q.sess.CSRF)) != 1 {
		return errCSRF
	}
	q.csrfOK = true
	return nil
}

// loadSession finds the request's session from its cookie, enforcing the idle timeout.
func (s *server) loadSession(q *req) error {
	c, err := q.r.Cookie(s.sessionCookie())
	if err != nil || c.Value == "" {
		return nil
	}
	sess, err := s.w.SessionByToken(q.r.Context(), c.Value)
	if errors.Is(err, workspace.ErrNoSession) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.opts.Now()
	hash := workspace.TokenHash(c.Value)
	s.seenMu.Lock()
	last, ok := s.lastSeen[hash]
	if !ok {
		last = sess.CreatedAt
	}
	idle := now.Sub(last) > s.opts.IdleTimeout
	if idle {
		delete(s.lastSeen, hash)
	} else {
		s.lastSeen[hash] = now
	}
	s.seenMu.Unlock()
	if idle {
		ws := *s.w
		ws.Actor = sess.Account.Name
		if err := ws.SignOut(context.WithoutCancel(q.r.Context()), c.Value); err != nil {
			return err
		}
		return nil
	}
	q.sess, q.token = sess, c.Value
	q.ws.Actor = sess.Account.Name
	return nil
}

func (s *server) forget(token string) {
	s.seenMu.Lock()
	delete(s.lastSeen, workspace.TokenHash(token))
	s.seenMu.Unlock()
}

// clientIP is the request's client address (see Options.TrustProxy).
func (s *server) clientIP(r *http.Request) string {
	if s.opts.TrustProxy {
		if f := r.Header.Get("X-Forwarded-For"); f != "" {
			parts := strings.Split(f, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// httpError is an error with its HTTP status and, for imports, the records it is about.
type httpError struct {
	status   int
	msg      string
	problems []problem
	// retry is the Retry-After of a 429.
	retry time.Duration
}

func (e *httpError) Error() string { return e.msg }

// problem is one record an import refused.
type problem struct {
	File    string `json:"file,omitempty"`
	Record  int64  `json:"record,omitempty"`
	Line    int64  `json:"line,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

var (
	errSignIn    = &httpError{status: http.StatusUnauthorized, msg: "sign in to see this page"}
	errForbidden = &httpError{status: http.StatusForbidden, msg: "your account may not do this"}
	errCSRF      = &httpError{status: http.StatusForbidden, msg: "the form's security token is missing or wrong: reload the page and try again"}
	errNotFound  = &httpError{status: http.StatusNotFound, msg: "no such page"}
)

func badRequest(format string, args ...any) error {
	return &httpError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

func unprocessable(err error) error {
	return &httpError{status: http.StatusUnprocessableEntity, msg: err.Error()}
}

// fail answers an error: JSON for the API, the error page otherwise.
func (q *req) fail(err error) {
	var he *httpError
	if !errors.As(err, &he) && errors.Is(err, workspace.ErrPopulationChanged) {
		// Not the server's fault: the audit's ballots were changed under it (an import).
		he = &httpError{status: http.StatusConflict, msg: err.Error()}
	}
	if he == nil {
		if errors.Is(err, context.Canceled) {
			return
		}
		q.s.opts.Log.Error("request failed", "method", q.r.Method, "path", q.r.URL.Path, "err", err)
		he = &httpError{status: http.StatusInternalServerError, msg: "the server failed: " + err.Error()}
	}
	if he.retry > 0 {
		q.rw.Header().Set("Retry-After", fmt.Sprint(int(he.retry.Seconds()+0.999)))
	}
	if q.api || wantsJSON(q.r) {
		q.json(he.status, map[string]any{"error": he.msg, "problems": he.problems})
		return
	}
	q.render(he.status, "error", map[string]any{"Status": he.status, "StatusText": http.StatusText(he.status), "Message": he.msg, "Problems": he.problems, "SignIn": he.status == http.StatusUnauthorized})
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json") && !strings.Contains(r.Header.Get("Accept"), "text/html")
}

// json writes v as JSON.
func (q *req) json(status int, v any) {
	q.rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	q.rw.Header().Set("Cache-Control", "no-store")
	q.rw.WriteHeader(status)
	json.NewEncoder(q.rw).Encode(v)
}

// decodeJSON reads a JSON request body (at most 1 MiB) into v.
func (q *req) decodeJSON(v any) error {
	if !strings.HasPrefix(q.r.Header.Get("Content-Type"), "application/json") {
		return &httpError{status: http.StatusUnsupportedMediaType, msg: "send JSON (Content-Type: application/json)"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(q.rw, q.r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("request body: %v", err)
	}
	return nil
}

// redirect answers a form post with a redirect to a page (303: the browser gets it).
func (q *req) redirect(path string) error {
	http.Redirect(q.rw, q.r, path, http.StatusSeeOther)
	return nil
}
