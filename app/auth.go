package app

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"golang.org/x/crypto/bcrypt"

	"einordnung/db"
)

// Admin session lifetimes: a session ends after idleTimeout without a
// request, and in any case absoluteTimeout after login.
const (
	idleTimeout     = 30 * time.Minute
	absoluteTimeout = 12 * time.Hour
)

// MinPasswordLength is the fewest characters a password of a program
// account may have (HashPassword refuses shorter ones).
const MinPasswordLength = 12

// Admin session keys.
const (
	sessUser    = "uid"
	sessLoginAt = "login_at"
	sessSeenAt  = "seen_at"
)

// HashPassword hashes a password with bcrypt.
func HashPassword(password string) (string, error) {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return "", errShortPassword
	}
	if len(password) > 72 {
		return "", errLongPassword // bcrypt ignores what comes after 72 bytes
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(hash), err
}

var (
	errShortPassword = &pageError{fiber.StatusUnprocessableEntity, "admin_password_short"}
	errLongPassword  = &pageError{fiber.StatusUnprocessableEntity, "admin_password_long"}
)

// dummyHash is compared against when an e-mail address is unknown, so a
// failed login takes as long whether or not the account exists.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no account has this password"), bcrypt.DefaultCost)

// bcryptMatches reports whether password matches hash.
func bcryptMatches(hash []byte, password string) bool {
	return bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
}

// NewPassword returns a random one-time password (128 bits, base 32).
func NewPassword() string { return rand.Text() }

// access is what an admin route requires of its visitor.
type access int

const (
	public       access = iota // anyone: the login page
	signedIn                   // any account, even one that must change its password first
	anyLead                    // any account whose password is set
	cohortMember               // the lead assigned to cohort :id, or an admin; others get 404
	adminOnly                  // administrators
)

func (a access) String() string {
	return [...]string{"public", "signed in", "lead", "cohort member", "admin"}[a]
}

// adminUser returns the signed-in account, or nil.
func (h *handler) adminUser(c *fiber.Ctx) (*db.User, error) {
	if u, ok := c.Locals("user").(*db.User); ok {
		return u, nil
	}
	sess, err := h.adminSessions.Get(c)
	if err != nil {
		return nil, err
	}
	id, ok := sess.Get(sessUser).(uint)
	if !ok {
		return nil, nil
	}
	loginAt, _ := sess.Get(sessLoginAt).(int64)
	if time.Since(time.Unix(loginAt, 0)) > absoluteTimeout {
		return nil, sess.Destroy()
	}
	u, err := h.store.UserByID(id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && u.Disabled) {
		return nil, sess.Destroy()
	}
	if err != nil {
		return nil, err
	}
	// Renew the idle timeout, writing the session at most once a minute.
	save := false
	if seen, _ := sess.Get(sessSeenAt).(int64); time.Since(time.Unix(seen, 0)) > time.Minute {
		sess.Set(sessSeenAt, time.Now().Unix())
		save = true
	}
	// A confirmation goes to the first page shown after the form (see
	// flash.go), read here with the session that is read anyway.
	if key, ok := sess.Get(sessFlashKey).(string); ok && c.Method() == fiber.MethodGet {
		args, _ := sess.Get(sessFlashArgs).(string)
		c.Locals(sessFlashKey, flash{key: key, args: args})
		sess.Delete(sessFlashKey)
		sess.Delete(sessFlashArgs)
		save = true
	}
	if save {
		if err := sess.Save(); err != nil {
			return nil, err
		}
	}
	c.Locals("user", u)
	return u, nil
}

// guard enforces a route's access rule before its handler runs.
func (h *handler) guard(rule access) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if rule == public {
			return c.Next()
		}
		u, err := h.adminUser(c)
		if err != nil {
			return err
		}
		if u == nil {
			if c.Method() == fiber.MethodGet {
				return c.Redirect("/admin/login", fiber.StatusSeeOther)
			}
			return errSignInRequired
		}
		if u.MustChangePassword && rule > signedIn {
			return c.Redirect("/admin/password", fiber.StatusSeeOther)
		}
		switch rule {
		case adminOnly:
			if !u.IsAdmin() {
				return &pageError{fiber.StatusForbidden, "admin_forbidden"}
			}
		case cohortMember:
			id, err := strconv.ParseUint(c.Params("id"), 10, 32)
			if err != nil {
				return errNotFound
			}
			cohort, err := h.store.CohortByID(uint(id))
			if errors.Is(err, db.ErrNotFound) {
				return errNotFound
			}
			if err != nil {
				return err
			}
			// A lead who guesses another cohort's id learns nothing, not even
			// that it exists.
			ok, err := h.store.CanSeeCohort(u, cohort.ID)
			if err != nil {
				return err
			}
			if !ok {
				return errNotFound
			}
			c.Locals("cohort", cohort)
		}
		return c.Next()
	}
}

// audit writes an audit entry; a failure is logged, not shown, because the
// action it records has already happened.
func (h *handler) audit(actor, action, target, detail string) {
	if err := h.store.Audit(actor, action, target, detail); err != nil {
		slog.Error("audit log", "action", action, "err", err)
	}
}

// clientKey identifies a client for rate limiting without storing its
// address: a keyed hash of the IP.
func (h *handler) clientKey(c *fiber.Ctx) string {
	mac := hmac.New(sha256.New, h.cfg.Secret)
	mac.Write([]byte("rate-limit\x00" + c.IP()))
	return hex.EncodeToString(mac.Sum(nil)[:12])
}

// limit rate-limits a route per client address and, more tightly, per
// browser (its CSRF cookie): a lecture hall behind one NAT address shares
// the address limit, while a single script is held by the browser limit
// until it drops its cookies and meets the address limit.
func (h *handler) limit(name string, perBrowser, perAddress int, window time.Duration) []fiber.Handler {
	reached := func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(window.Seconds())))
		return &pageError{fiber.StatusTooManyRequests, "err_rate_limited"}
	}
	// Counters are worth no fsync: losing them in a crash only resets a
	// limit. Fiber's limiter also holds one lock across its storage write,
	// so a durable write would queue every code entry behind a commit. One
	// process on a SQLite file counts in memory; instances sharing a
	// database count in it, so that a limit holds across all of them.
	var storage fiber.Storage
	if h.store.Shared() {
		storage = h.store.Sessions()
	}
	return []fiber.Handler{
		limiter.New(limiter.Config{
			Max: perAddress, Expiration: window, Storage: storage, LimitReached: reached,
			KeyGenerator: func(c *fiber.Ctx) string { return "limit:" + name + ":ip:" + h.clientKey(c) },
		}),
		limiter.New(limiter.Config{
			Max: perBrowser, Expiration: window, Storage: storage, LimitReached: reached,
			KeyGenerator: func(c *fiber.Ctx) string {
				mac := hmac.New(sha256.New, h.cfg.Secret)
				mac.Write([]byte("rate-limit\x00" + browserCookie(c)))
				return "limit:" + name + ":browser:" + hex.EncodeToString(mac.Sum(nil)[:12])
			},
		}),
	}
}
