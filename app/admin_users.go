package app

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"einordnung/db"
	"einordnung/questions/clean"
)

type usersView struct {
	Users []db.User
	Email string
	Role  string
	// NewPassword is a one-time password to hand over, shown once.
	NewPassword string
	For         string
}

func (h *handler) listUsers(c *fiber.Ctx) error {
	return h.renderUsers(c, usersView{Role: db.RoleLead}, "")
}

func (h *handler) renderUsers(c *fiber.Ctx, v usersView, message string) error {
	users, err := h.store.Users()
	if err != nil {
		return err
	}
	v.Users = users
	return h.renderAdmin(c, "admin/users", "admin_users_title", v, message)
}

// createUser creates an account with a one-time password shown once.
func (h *handler) createUser(c *fiber.Ctx) error {
	admin := c.Locals("user").(*db.User)
	v := usersView{Email: c.FormValue("email"), Role: c.FormValue("role")}
	email, ok := db.NormalizeEmail(clean.Line(v.Email))
	if !ok {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderUsers(c, v, h.t(c, "admin_email_invalid"))
	}
	if v.Role != db.RoleAdmin && v.Role != db.RoleLead {
		return errBadForm
	}
	password := NewPassword()
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	u, err := h.store.CreateUser(email, v.Role, hash, true)
	if errors.Is(err, db.ErrExists) {
		c.Status(fiber.StatusConflict)
		return h.renderUsers(c, v, h.t(c, "admin_email_taken"))
	}
	if err != nil {
		return err
	}
	h.audit(admin.Email, db.AuditUserCreate, u.Email, "role="+u.Role)
	return h.renderUsers(c, usersView{Role: db.RoleLead, NewPassword: password, For: u.Email}, "")
}

type userView struct {
	Account     *db.User
	Self        bool
	Cohorts     []cohortChoice
	NewPassword string
}

type cohortChoice struct {
	ID       uint
	Name     string
	Slug     string
	Assigned bool
}

func (h *handler) accountFromURL(c *fiber.Ctx) (*db.User, error) {
	id, err := strconv.ParseUint(c.Params("uid"), 10, 32)
	if err != nil {
		return nil, errNotFound
	}
	u, err := h.store.UserByID(uint(id))
	if errors.Is(err, db.ErrNotFound) {
		return nil, errNotFound
	}
	return u, err
}

func (h *handler) showUser(c *fiber.Ctx) error {
	account, err := h.accountFromURL(c)
	if err != nil {
		return err
	}
	return h.renderUser(c, account, "", "")
}

func (h *handler) renderUser(c *fiber.Ctx, account *db.User, password, message string) error {
	admin := c.Locals("user").(*db.User)
	cohorts, err := h.store.Cohorts()
	if err != nil {
		return err
	}
	assigned := map[uint]bool{}
	for _, co := range account.Cohorts {
		assigned[co.ID] = true
	}
	v := userView{Account: account, Self: admin.ID == account.ID, NewPassword: password}
	for _, co := range cohorts {
		v.Cohorts = append(v.Cohorts, cohortChoice{ID: co.ID, Name: co.Name, Slug: co.Slug, Assigned: assigned[co.ID]})
	}
	return h.renderAdmin(c, "admin/user", "admin_user_title", v, message)
}

// updateUser disables, enables or resets an account, or sets its cohorts.
func (h *handler) updateUser(c *fiber.Ctx) error {
	admin := c.Locals("user").(*db.User)
	account, err := h.accountFromURL(c)
	if err != nil {
		return err
	}
	var password, detail, done string
	switch action := c.FormValue("action"); action {
	case "disable", "enable":
		if account.ID == admin.ID {
			c.Status(fiber.StatusConflict)
			return h.renderUser(c, account, "", h.t(c, "admin_cannot_disable_self"))
		}
		disabled := action == "disable"
		if err := h.store.UpdateUser(account.ID, db.UserUpdate{Disabled: &disabled}); err != nil {
			return err
		}
		detail, done = action, map[string]string{"disable": "admin_flash_user_disable", "enable": "admin_flash_user_enable"}[action]
	case "reset":
		password = NewPassword()
		hash, err := HashPassword(password)
		if err != nil {
			return err
		}
		yes := true
		if err := h.store.UpdateUser(account.ID, db.UserUpdate{PasswordHash: &hash, MustChangePassword: &yes}); err != nil {
			return err
		}
		detail = "password reset"
	case "cohorts":
		args := c.Request().PostArgs()
		var ids []uint
		var slugs []string
		for _, raw := range args.PeekMulti("cohort") {
			id, err := strconv.ParseUint(string(raw), 10, 32)
			if err != nil {
				return errBadForm
			}
			ids = append(ids, uint(id))
			slugs = append(slugs, string(raw))
		}
		err := h.store.SetLeadCohorts(account.ID, ids)
		if errors.Is(err, db.ErrNotFound) {
			return errBadForm
		}
		if err != nil {
			return err
		}
		detail, done = "cohorts="+strings.Join(slugs, ","), "admin_flash_user_cohorts"
	default:
		return errBadForm
	}
	h.audit(admin.Email, db.AuditUserUpdate, account.Email, detail)
	account, err = h.store.UserByID(account.ID)
	if err != nil {
		return err
	}
	if password != "" {
		return h.renderUser(c, account, password, "")
	}
	return h.redirectWith(c, fmt.Sprintf("/admin/users/%d", account.ID), done, account.Email)
}

// showAudit shows the audit log, newest first, a page at a time.
func (h *handler) showAudit(c *fiber.Ctx) error {
	const perPage = 100
	page, err := strconv.Atoi(c.Query("page", "1"))
	if err != nil || page < 1 || page > 100000 {
		page = 1
	}
	entries, err := h.store.AuditLog(perPage+1, (page-1)*perPage)
	if err != nil {
		return err
	}
	more := len(entries) > perPage
	if more {
		entries = entries[:perPage]
	}
	return h.renderAdmin(c, "admin/audit", "admin_audit_title", auditView{Entries: auditRows(lang(c), entries), Page: page, Next: nextPage(more, page), Prev: page - 1}, "")
}

type auditView struct {
	Entries    []auditRow
	Page       int
	Next, Prev int
}

func nextPage(more bool, page int) int {
	if more {
		return page + 1
	}
	return 0
}
