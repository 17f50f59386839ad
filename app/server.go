// Package app is the web layer: Fiber handlers, templates and static files.
// The command line that starts it is package app/cli.
//
// Privacy notice: /privacy, every consent page and the record of processing
// activities are built from one source, the operator's details (db.Operator,
// checked by CheckOperator for the admin page and the command line alike),
// the cohorts' terms and the fixed texts. A required detail not given is
// named as missing, never filled with a stand-in. The consent version
// stored with a response (ConsentVersion) hashes all of it, so it changes
// whenever the text a participant agreed to does.
package app

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/csrf"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/session"
	"github.com/gofiber/template/html/v2"

	"einordnung/db"
	"einordnung/questions"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is the web server's configuration, checked once at start.
type Config struct {
	// Secret keys the hashes of self-generated codes and return codes.
	Secret []byte
	// SecureCookies marks cookies Secure; set it when served over HTTPS.
	SecureCookies bool
	// BodyLimit caps a participant's request body in bytes (default 64 KiB).
	BodyLimit int
	// UploadLimit caps any request body, an imported file included
	// (default 8 MiB); larger imports go through the CLI.
	UploadLimit int
	// PublicURL is the address participants reach the server under (for
	// links and QR codes), e.g. https://einordnung.example.org; empty means
	// the address of the request.
	PublicURL string
	// ProxyHeader, if set, is the header a trusted reverse proxy puts the
	// client address in (X-Forwarded-For); TrustedProxies lists the proxies.
	ProxyHeader    string
	TrustedProxies []string
	// CodeLimitPerAddress caps code entries (and return-code and deletion
	// attempts) per client address in five minutes (default 300). Raise it
	// only to load-test from a single machine (einordnung loadtest).
	CodeLimitPerAddress int
	// Metrics, if set, collects Prometheus metrics (see Metrics.Handler).
	Metrics *Metrics
}

// contentSecurityPolicy allows nothing but the app's own files: no inline
// script, no third-party host.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// handler holds what every handler needs.
type handler struct {
	cfg           Config
	store         *db.Store
	set           *questions.Set
	views         *html.Engine
	metrics       *Metrics
	sessions      *session.Store // participants
	adminSessions *session.Store // program leads and admins
	assetVersion  string
	// publicOrigin is PublicURL's scheme://host, lower case; "" without one.
	publicOrigin string
}

// Cookie names.
const (
	csrfCookie         = "einordnung_csrf"
	adminCSRFCookie    = "einordnung_admin_csrf"
	participantCookie  = "einordnung_session"
	adminSessionCookie = "einordnung_admin"
)

// New builds the web application with every route.
func New(cfg Config, store *db.Store, set *questions.Set) (*fiber.App, error) {
	if len(cfg.Secret) < 16 {
		return nil, errors.New("app: the secret must be at least 16 bytes")
	}
	cfg = cfg.withDefaults()
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	engine, err := newEngine()
	if err != nil {
		return nil, err
	}
	h := &handler{cfg: cfg, store: store, set: set, views: engine, assetVersion: assetVersion(static), metrics: cfg.Metrics}
	h.sessions, h.adminSessions = newSessions(cfg, store)
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Host != "" {
		h.publicOrigin = strings.ToLower(u.Scheme + "://" + u.Host)
	}
	h.metrics.watchCommits(store)

	app := fiber.New(fiber.Config{
		ErrorHandler:            h.handleError,
		BodyLimit:               cfg.UploadLimit,
		ReadTimeout:             30 * time.Second,
		WriteTimeout:            30 * time.Second,
		IdleTimeout:             120 * time.Second,
		DisableStartupMessage:   true,
		ProxyHeader:             cfg.ProxyHeader,
		EnableTrustedProxyCheck: len(cfg.TrustedProxies) > 0,
		TrustedProxies:          cfg.TrustedProxies,
	})
	h.useMiddleware(app, static)
	h.participantRoutes(app)
	// Program leads' area: every route with its access rule.
	for _, r := range h.adminRoutes() {
		app.Add(r.method, r.path, append([]fiber.Handler{h.guard(r.rule)}, r.handlers...)...)
	}
	app.Use(func(c *fiber.Ctx) error { return errNotFound })
	return app, nil
}

// withDefaults fills in the limits and the metrics a Config leaves out.
func (cfg Config) withDefaults() Config {
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 64 * 1024
	}
	if cfg.UploadLimit == 0 {
		cfg.UploadLimit = 8 << 20
	}
	if cfg.CodeLimitPerAddress <= 0 {
		cfg.CodeLimitPerAddress = 300
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	return cfg
}

// newSessions returns the participants' and the program leads' sessions,
// both stored in the database, with their own cookies and lifetimes.
func newSessions(cfg Config, store *db.Store) (participants, leads *session.Store) {
	storage := tokenSessions{store.Sessions()}
	participants = session.New(session.Config{
		Storage:        storage,
		Expiration:     participantSessionLifetime,
		KeyLookup:      "cookie:" + participantCookie,
		CookieHTTPOnly: true,
		CookieSecure:   cfg.SecureCookies,
		CookieSameSite: fiber.CookieSameSiteLaxMode,
	})
	leads = session.New(session.Config{
		Storage:        storage,
		Expiration:     idleTimeout,
		KeyLookup:      "cookie:" + adminSessionCookie,
		CookiePath:     "/admin",
		CookieHTTPOnly: true,
		CookieSecure:   cfg.SecureCookies,
		CookieSameSite: fiber.CookieSameSiteLaxMode,
	})
	return participants, leads
}

// tokenSessions stores sessions that hold a CSRF token. The csrf middleware
// saves the session on every request to move the token's expiry, and so
// would turn every page view into a durable write (3 to 4 times the time of
// a page). A session whose only change is a token expiry with more than half
// its lifetime left is stored as it was, so that the storage's own rule
// (see db.SessionStorage.Set) can skip the write.
type tokenSessions struct{ *db.SessionStorage }

func (s tokenSessions) Set(key string, val []byte, exp time.Duration) error {
	if old, err := s.SessionStorage.Get(key); err == nil && old != nil && onlyTokenMoved(old, val) {
		val = old
	}
	return s.SessionStorage.Set(key, val, exp)
}

// onlyTokenMoved reports whether two encodings of a session's data differ
// at most in the expiry of the CSRF token, whose old expiry is more than
// half of csrfExpiration away.
func onlyTokenMoved(old, val []byte) bool {
	var a, b map[string]any
	if gob.NewDecoder(bytes.NewReader(old)).Decode(&a) != nil || gob.NewDecoder(bytes.NewReader(val)).Decode(&b) != nil {
		return false
	}
	ta, ok1 := a[csrfSessionKey].(csrf.Token)
	tb, ok2 := b[csrfSessionKey].(csrf.Token)
	if !ok1 || !ok2 || ta.Key != tb.Key || !bytes.Equal(ta.Raw, tb.Raw) || time.Until(ta.Expiration) < csrfExpiration/2 {
		return false
	}
	delete(a, csrfSessionKey)
	delete(b, csrfSessionKey)
	return reflect.DeepEqual(a, b)
}

// csrfExpiration is how long a CSRF token lives without a request: a
// participant may think about a page for a long time; every page load
// renews it.
const csrfExpiration = 8 * time.Hour

// useMiddleware installs what every request passes, in order: panic
// recovery, metrics, the probes (before sessions and CSRF), security
// headers, static files, the body limit, the language, the origin check and
// CSRF protection.
func (h *handler) useMiddleware(app *fiber.App, static fs.FS) {
	app.Use(recover.New())
	app.Use(h.metrics.observe)
	// Probes for a load balancer or orchestrator: no session, no CSRF.
	app.Get("/healthz", h.showHealth)
	app.Get("/readyz", h.showReady)
	app.Use(helmet.New(helmet.Config{
		ContentSecurityPolicy: contentSecurityPolicy,
		// csrf requires a same-origin Referer over HTTPS; no-referrer would break every form.
		ReferrerPolicy:            "same-origin",
		CrossOriginEmbedderPolicy: "unsafe-none",
		XFrameOptions:             "DENY",
	}))
	app.Use("/static", compressedStatic(static), filesystem.New(filesystem.Config{
		Root:   http.FS(static),
		MaxAge: staticMaxAge,
	}))
	app.Get("/favicon.ico", h.favicon(static))
	app.Use(h.limitBody)
	app.Use(h.language)
	app.Use(h.sameOrigin)
	// A token lives in the session of the area it protects, so a token and
	// CSRF cookie copied from one browser fail with another browser's
	// session. Participants and program leads have sessions of their own
	// (see newSessions), so each area has its own token and cookie.
	app.Use(h.csrf(h.sessions, csrfCookie, "/", inAdminArea))
	app.Use(h.csrf(h.adminSessions, adminCSRFCookie, "/admin", func(c *fiber.Ctx) bool { return !inAdminArea(c) }))
}

// csrf protects the requests skip lets through with tokens kept in the
// sessions of store, under a cookie of the given name and path.
func (h *handler) csrf(store *session.Store, cookie, path string, skip func(*fiber.Ctx) bool) fiber.Handler {
	return csrf.New(csrf.Config{
		Next:           skip,
		KeyLookup:      "form:_csrf",
		CookieName:     cookie,
		CookiePath:     path,
		CookieSameSite: fiber.CookieSameSiteLaxMode,
		CookieHTTPOnly: true,
		CookieSecure:   h.cfg.SecureCookies,
		Expiration:     csrfExpiration,
		Session:        store,
		SessionKey:     csrfSessionKey,
		ContextKey:     "csrf",
		ErrorHandler:   h.csrfFailed,
	})
}

// csrfSessionKey is where a session keeps its CSRF token.
const csrfSessionKey = "csrf"

// dropCSRFToken removes the token from a session about to be saved, when a
// lead signs in: a token known before sign-in is worthless after it, and
// the next page gets a new one.
func dropCSRFToken(sess *session.Session) { sess.Delete(csrfSessionKey) }

// endSession ends a participant's session (after deletion): a new id with
// nothing of the participant in it, only the browser's CSRF token, so the
// forms of the page that says so still work.
func endSession(sess *session.Session) error {
	for _, k := range sess.Keys() {
		if k != csrfSessionKey {
			sess.Delete(k)
		}
	}
	if err := sess.Regenerate(); err != nil {
		return err
	}
	return sess.Save()
}

// browserCookie is the cookie that tells one browser from another in the
// area of the request (for rate limits): its CSRF cookie.
func browserCookie(c *fiber.Ctx) string {
	if inAdminArea(c) {
		return c.Cookies(adminCSRFCookie)
	}
	return c.Cookies(csrfCookie)
}

// inAdminArea reports whether a request goes to the program leads' area.
// Routing ignores case, so this does too.
func inAdminArea(c *fiber.Ctx) bool {
	p := strings.ToLower(c.Path())
	return p == "/admin" || strings.HasPrefix(p, "/admin/")
}

// sameOrigin refuses a state-changing request that the browser says comes
// from another site: its Origin header or, without one, its Referer names
// an origin that is not this server's. Fiber's csrf middleware checks the
// Referer over HTTPS only; this holds over plain HTTP too. A request with
// neither header (a browser told to send no Referer, an old one) is left
// to the token, which is bound to the session. The server's own origin is
// PublicURL's, and the one the request was sent to (its Host, or the
// forwarded host behind a trusted proxy) with the scheme the server sees
// or https (TLS ended at a proxy in front of it).
func (h *handler) sameOrigin(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions, fiber.MethodTrace:
		return c.Next()
	}
	from := c.Get(fiber.HeaderOrigin)
	if from == "" {
		if from = c.Get(fiber.HeaderReferer); from == "" {
			return c.Next()
		}
	}
	u, err := url.Parse(strings.ToLower(from))
	if err != nil || u.Host == "" { // "Origin: null" (a sandboxed frame, a data: URL) is foreign too
		return h.csrfFailed(c, errForeignOrigin)
	}
	if h.publicOrigin != "" && u.Scheme+"://"+u.Host == h.publicOrigin {
		return c.Next()
	}
	if u.Host == strings.ToLower(c.Hostname()) && (u.Scheme == c.Protocol() || u.Scheme == "https") {
		return c.Next()
	}
	return h.csrfFailed(c, errForeignOrigin)
}

var errForeignOrigin = errors.New("app: the request comes from another origin")

// participantRoutes is the participant journey.
func (h *handler) participantRoutes(app *fiber.App) {
	app.Get("/", h.showStart)
	app.Get("/c", h.findCohort)
	// Code entry is where codes could be guessed: limited per browser and,
	// generously for a lecture hall behind one address, per address.
	codeLimit := h.limit("code", 10, h.cfg.CodeLimitPerAddress, 5*time.Minute)
	app.Post("/resume", append(codeLimit, h.resume)...)
	app.Get("/c/:slug", h.showConsent)
	app.Post("/c/:slug/consent", h.acceptConsent)
	app.Get("/c/:slug/code", h.showCodeForm)
	app.Post("/c/:slug/code", append(codeLimit, h.submitCode)...)
	app.Get("/return-code", h.showReturnCode)
	app.Get("/survey", h.continueSurvey)
	app.Get("/survey/:page", h.showPage)
	app.Post("/survey/:page", h.savePage)
	app.Get("/feedback", h.showFeedback)
	app.Get("/delete", h.showDelete)
	app.Post("/delete", append(codeLimit, h.confirmDelete)...)
	app.Post("/delete/confirm", append(codeLimit, h.deleteParticipant)...)
	app.Get("/privacy", h.showPrivacy)
	app.Get("/accessibility", h.showAccessibility)
}

// newEngine loads the embedded templates.
func newEngine() (*html.Engine, error) {
	templates, err := fs.Sub(templateFS, "templates")
	if err != nil {
		return nil, err
	}
	engine := html.NewFileSystem(http.FS(templates), ".html")
	return engine, engine.Load()
}

// limitBody holds participants' requests to the small body limit; only the
// leads' area (file import) may send up to the upload limit.
func (h *handler) limitBody(c *fiber.Ctx) error {
	if len(c.Request().Body()) > h.cfg.BodyLimit && !strings.HasPrefix(c.Path(), "/admin/") {
		return fiber.ErrRequestEntityTooLarge
	}
	return c.Next()
}

// assetVersion fingerprints the static files, so their URLs change with them
// and browsers may cache them for a year.
func assetVersion(static fs.FS) string {
	sum := sha256.New()
	_ = fs.WalkDir(static, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(static, path)
		sum.Write([]byte(path))
		sum.Write(data)
		return err
	})
	return hex.EncodeToString(sum.Sum(nil))[:10]
}

// handleError renders every error as a page in the visitor's language, with
// the status the error carries. Unexpected errors are logged, never shown.
func (h *handler) handleError(c *fiber.Ctx, err error) error {
	status := fiber.StatusInternalServerError
	key := "err_internal"
	var pe *pageError
	var fe *fiber.Error
	var re *redirect
	switch {
	case errors.As(err, &re):
		return c.Redirect(re.to, fiber.StatusSeeOther)
	case errors.As(err, &pe):
		status, key = pe.status, pe.key
	case errors.As(err, &fe):
		status = fe.Code
		key = statusKey(status)
	}
	if status == fiber.StatusInternalServerError && !h.canWrite() {
		// Most unexpected failures while the database refuses writes are
		// that refusal (a session that cannot be saved, say): say so, as
		// a page save does, instead of "an unexpected error".
		status, key = fiber.StatusServiceUnavailable, "err_unavailable"
	}
	if status >= 500 {
		slog.Error("request failed", "method", c.Method(), "path", c.Route().Path, "status", status, "err", err)
	}
	c.Status(status)
	return h.render(c, "pages/error", key, h.errorPage(c, status, key))
}

func statusKey(status int) string {
	switch status {
	case fiber.StatusNotFound, fiber.StatusMethodNotAllowed:
		return "err_not_found"
	case fiber.StatusRequestEntityTooLarge:
		return "err_too_large"
	case fiber.StatusBadRequest:
		return "err_bad_request"
	case fiber.StatusRequestTimeout:
		return "err_timeout"
	case fiber.StatusTooManyRequests:
		return "err_rate_limited"
	}
	return "err_internal"
}

// csrfFailed refuses a request the CSRF check or the origin check turned
// down. A token that is not found may never have been stored: while the
// database refuses writes, the token of the page the form came from could
// not be saved, and reloading would not help. That gets the explanation
// a page save gets, not "the form has expired".
//
// A token also ends with its session: a form sent after the session
// expired is told so, as before tokens lived in sessions.
func (h *handler) csrfFailed(c *fiber.Ctx, err error) error {
	if errors.Is(err, csrf.ErrTokenNotFound) {
		if !h.canWrite() {
			return errUnavailable
		}
		if h.sessionEnded(c) {
			if inAdminArea(c) {
				return errSignInRequired
			}
			return errNoSession
		}
	}
	return &pageError{status: fiber.StatusForbidden, key: "err_csrf"}
}

// sessionEnded reports whether the request names a session (of its area)
// that is no longer stored: it expired.
func (h *handler) sessionEnded(c *fiber.Ctx) bool {
	name := participantCookie
	if inAdminArea(c) {
		name = adminSessionCookie
	}
	id := c.Cookies(name)
	if id == "" {
		return false
	}
	data, err := h.store.Sessions().Get(id)
	return err == nil && data == nil
}

// canWrite reports whether the database accepts a write now, by making
// one: a small row in the sessions table, always the same key with a new
// value (an unchanged one would be skipped). Only failures call it.
func (h *handler) canWrite() bool {
	now := strconv.FormatInt(time.Now().UnixNano(), 10)
	return h.store.Sessions().Set("write-probe", []byte(now), time.Minute) == nil
}

// pageError is an expected failure with a status and a message key.
type pageError struct {
	status int
	key    string
}

func (e *pageError) Error() string { return e.key }

// redirect sends the visitor elsewhere from deep inside a handler's helpers.
type redirect struct{ to string }

func (r *redirect) Error() string { return "redirect to " + r.to }

var (
	errNotFound  = &pageError{fiber.StatusNotFound, "err_not_found"}
	errNoSession = &pageError{fiber.StatusForbidden, "err_no_session"}
	errClosed    = &pageError{fiber.StatusForbidden, "err_wave_closed"}
	errBadForm   = &pageError{fiber.StatusBadRequest, "err_bad_request"}
	// errSignInRequired: a lead's request without a (live) session.
	errSignInRequired = &pageError{fiber.StatusUnauthorized, "admin_signin_required"}
	// errUnavailable: the database refuses writes (disk full, read-only).
	errUnavailable = &pageError{fiber.StatusServiceUnavailable, "err_unavailable"}
)
