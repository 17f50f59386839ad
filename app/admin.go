package app

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"einordnung/db"
)

// adminRoute is one route of the program leads' area and the rule that
// guards it. Every /admin route is registered from this table, and a test
// walks it: a route cannot be added without its rule.
type adminRoute struct {
	method   string
	path     string
	rule     access
	handlers []fiber.Handler
}

func route(method, path string, rule access, handlers ...fiber.Handler) adminRoute {
	return adminRoute{method: method, path: path, rule: rule, handlers: handlers}
}

func (h *handler) adminRoutes() []adminRoute {
	get, post := fiber.MethodGet, fiber.MethodPost
	login := append(h.limit("login", 10, 30, 5*time.Minute), h.login)
	return []adminRoute{
		route(get, "/admin", anyLead, h.showAdminHome),
		route(get, "/admin/login", public, h.showLogin),
		route(post, "/admin/login", public, login...),
		route(post, "/admin/logout", signedIn, h.logout),
		route(get, "/admin/password", signedIn, h.showPassword),
		route(post, "/admin/password", signedIn, h.changePassword),
		route(get, "/admin/cohorts", anyLead, h.listCohorts),
		route(get, "/admin/cohorts/new", anyLead, h.showNewCohort),
		route(get, "/admin/compare", anyLead, h.showCompare),
		route(post, "/admin/cohorts", anyLead, h.createCohort),
		route(get, "/admin/cohorts/:id", cohortMember, h.showCohort),
		route(get, "/admin/cohorts/:id/poster", cohortMember, h.showPoster),
		route(get, "/admin/cohorts/:id/qr.png", cohortMember, h.cohortQR),
		route(get, "/admin/cohorts/:id/report", cohortMember, h.showCohortReport),
		route(get, "/admin/cohorts/:id/quality", cohortMember, h.showQuality),
		route(get, "/admin/cohorts/:id/export/:what", cohortMember, h.exportCohort),
		route(get, "/admin/cohorts/:id/import", cohortMember, h.showImport),
		route(post, "/admin/cohorts/:id/import", cohortMember, h.importResponses),
		route(post, "/admin/cohorts/:id/waves/:wave", cohortMember, h.setWave),
		route(post, "/admin/cohorts/:id/settings", cohortMember, h.updateCohortSettings),
		route(get, "/admin/users", adminOnly, h.listUsers),
		route(post, "/admin/users", adminOnly, h.createUser),
		route(get, "/admin/users/:uid", adminOnly, h.showUser),
		route(post, "/admin/users/:uid", adminOnly, h.updateUser),
		route(get, "/admin/audit", adminOnly, h.showAudit),
		route(get, "/admin/operator", adminOnly, h.showOperator),
		route(post, "/admin/operator", adminOnly, h.saveOperator),
		route(get, "/admin/operator/record", adminOnly, h.showRecord),
		route(get, "/admin/operator/record.html", adminOnly, h.downloadRecord("html")),
		route(get, "/admin/operator/record.md", adminOnly, h.downloadRecord("md")),
		route(get, "/admin/instruments", anyLead, h.listInstruments),
		route(post, "/admin/instruments/import", adminOnly, h.uploadInstrument),
		route(get, "/admin/instruments/:ref", anyLead, h.showInstrument),
		route(get, "/admin/instruments/:ref/file", anyLead, h.downloadInstrument),
		route(get, "/admin/instruments/:ref/preview/:wave/:page", anyLead, h.previewInstrument),
		route(get, "/admin/instruments/:ref/new", adminOnly, h.showNewVersion),
		route(post, "/admin/instruments/:ref/new", adminOnly, h.saveNewVersion),
	}
}

// adminData is the data of every admin page: its own data and a message.
type adminData struct {
	Error string
	Data  any
}

// renderAdmin renders an admin page with an optional error message.
func (h *handler) renderAdmin(c *fiber.Ctx, page, titleKey string, data any, message string) error {
	return h.render(c, page, titleKey, adminData{Error: message, Data: data})
}

func (h *handler) showAdminHome(c *fiber.Ctx) error {
	return c.Redirect("/admin/cohorts", fiber.StatusSeeOther)
}

type loginData struct {
	Email string
}

func (h *handler) showLogin(c *fiber.Ctx) error {
	if u, err := h.adminUser(c); err == nil && u != nil {
		return c.Redirect("/admin/cohorts", fiber.StatusSeeOther)
	}
	return h.renderAdmin(c, "admin/login", "admin_login_title", loginData{}, "")
}

// login checks e-mail and password and starts a session under a new id.
func (h *handler) login(c *fiber.Ctx) error {
	email := c.FormValue("email")
	password := c.FormValue("password")
	u, err := h.store.UserByEmail(email)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	hash := dummyHash
	if u != nil {
		hash = []byte(u.PasswordHash)
	}
	match := bcryptMatches(hash, password)
	if u == nil || !match || u.Disabled {
		// Only a well-formed address goes into the log: a password typed
		// into the wrong field must not.
		actor, ok := db.NormalizeEmail(email)
		if !ok {
			actor = "-"
		}
		h.audit(actor, db.AuditLoginFailed, "", "")
		c.Status(fiber.StatusUnauthorized)
		return h.renderAdmin(c, "admin/login", "admin_login_title", loginData{Email: email}, h.t(c, "admin_login_failed"))
	}
	sess, err := h.adminSessions.Get(c)
	if err != nil {
		return err
	}
	if err := sess.Regenerate(); err != nil {
		return err
	}
	now := time.Now()
	sess.Set(sessUser, u.ID)
	sess.Set(sessLoginAt, now.Unix())
	sess.Set(sessSeenAt, now.Unix())
	dropCSRFToken(sess)
	if err := sess.Save(); err != nil {
		return err
	}
	if err := h.store.UpdateUser(u.ID, db.UserUpdate{LastLoginAt: &now}); err != nil {
		return err
	}
	h.audit(u.Email, db.AuditLogin, "", "")
	if u.MustChangePassword {
		return c.Redirect("/admin/password", fiber.StatusSeeOther)
	}
	return c.Redirect("/admin/cohorts", fiber.StatusSeeOther)
}

func (h *handler) logout(c *fiber.Ctx) error {
	u, _ := h.adminUser(c)
	sess, err := h.adminSessions.Get(c)
	if err != nil {
		return err
	}
	// The token goes with the session.
	if err := sess.Destroy(); err != nil {
		return err
	}
	if u != nil {
		h.audit(u.Email, db.AuditLogout, "", "")
	}
	return c.Redirect("/admin/login", fiber.StatusSeeOther)
}

func (h *handler) showPassword(c *fiber.Ctx) error {
	return h.renderAdmin(c, "admin/password", "admin_password_title", nil, "")
}

// changePassword sets the user's own password; the current one is required.
func (h *handler) changePassword(c *fiber.Ctx) error {
	u, err := h.adminUser(c)
	if err != nil {
		return err
	}
	again := func(key string) error {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderAdmin(c, "admin/password", "admin_password_title", nil, h.t(c, key))
	}
	if !bcryptMatches([]byte(u.PasswordHash), c.FormValue("current")) {
		return again("admin_password_wrong")
	}
	next := c.FormValue("new")
	if next != c.FormValue("repeat") {
		return again("admin_password_mismatch")
	}
	if next == c.FormValue("current") {
		return again("admin_password_same")
	}
	hash, err := HashPassword(next)
	var pe *pageError
	if errors.As(err, &pe) {
		return again(pe.key)
	}
	if err != nil {
		return err
	}
	no := false
	if err := h.store.UpdateUser(u.ID, db.UserUpdate{PasswordHash: &hash, MustChangePassword: &no}); err != nil {
		return err
	}
	h.audit(u.Email, db.AuditPasswordChange, u.Email, "")
	return h.redirectWith(c, "/admin/cohorts", "admin_flash_password")
}
