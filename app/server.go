// Package app is the web layer: Fiber handlers, templates and static files.
// The command line that starts it is package app/cli.
package app

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
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

// ConsentVersion identifies the consent text participants agree to (the
// consent_* messages); it is shown with the text and stored with every
// response. Change it whenever those texts change in meaning.
const ConsentVersion = "2026-11-v1"

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
}

// Cookie names.
const (
	csrfCookie         = "einordnung_csrf"
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
	participants = session.New(session.Config{
		Storage:        store.Sessions(),
		Expiration:     participantSessionLifetime,
		KeyLookup:      "cookie:" + participantCookie,
		CookieHTTPOnly: true,
		CookieSecure:   cfg.SecureCookies,
		CookieSameSite: fiber.CookieSameSiteLaxMode,
	})
	leads = session.New(session.Config{
		Storage:        store.Sessions(),
		Expiration:     idleTimeout,
		KeyLookup:      "cookie:" + adminSessionCookie,
		CookiePath:     "/admin",
		CookieHTTPOnly: true,
		CookieSecure:   cfg.SecureCookies,
		CookieSameSite: fiber.CookieSameSiteLaxMode,
	})
	return participants, leads
}

// useMiddleware installs what every request passes, in order: panic
// recovery, metrics, the probes (before sessions and CSRF), security
// headers, static files, the body limit, the language and CSRF protection.
func (h *handler) useMiddleware(app *fiber.App, static fs.FS) {
	app.Use(recover.New())
	app.Use(h.metrics.observe)
	// Probes for a load balancer or orchestrator: no session, no CSRF.
	app.Get("/healthz", h.showHealth)
	app.Get("/readyz", h.showReady)
	app.Use(helmet.New(helmet.Config{
		ContentSecurityPolicy: contentSecurityPolicy,
		// csrf checks a same-origin Referer over HTTPS; no-referrer would break every form.
		ReferrerPolicy:            "same-origin",
		CrossOriginEmbedderPolicy: "unsafe-none",
		XFrameOptions:             "DENY",
	}))
	app.Use("/static", filesystem.New(filesystem.Config{
		Root:   http.FS(static),
		MaxAge: 365 * 24 * 3600,
	}))
	app.Use(h.limitBody)
	app.Use(h.language)
	app.Use(csrf.New(csrf.Config{
		KeyLookup:      "form:_csrf",
		CookieName:     csrfCookie,
		CookieSameSite: fiber.CookieSameSiteLaxMode,
		CookieHTTPOnly: true,
		CookieSecure:   h.cfg.SecureCookies,
		// A participant may think about a page for a long time; the token
		// is renewed on every page load.
		Expiration:   8 * time.Hour,
		Storage:      h.store.Sessions(),
		ContextKey:   "csrf",
		ErrorHandler: h.csrfFailed,
	}))
}

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
	if status >= 500 {
		slog.Error("request failed", "method", c.Method(), "path", c.Route().Path, "status", status, "err", err)
	}
	c.Status(status)
	return h.render(c, "pages/error", key, map[string]any{"Status": status, "Message": h.t(c, key)})
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

func (h *handler) csrfFailed(c *fiber.Ctx, err error) error {
	return &pageError{status: fiber.StatusForbidden, key: "err_csrf"}
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
)
