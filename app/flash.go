package app

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// A confirmation ("flash") says on the page a form redirects to what the
// form did (Post/Redirect/Get): the handler stores a message key and one
// argument in the lead's server-side session, and the next page of the
// leads' area shows it once and drops it. It needs no JavaScript and no
// query parameter (a reload or a copied address shows nothing again), and
// it lives in the session, so it is bound to the browser that sent the form.
const (
	sessFlashKey  = "flash"
	sessFlashArgs = "flash_args"
	// flashSep joins a confirmation's arguments in the session: a control
	// character, which package clean keeps out of every typed text.
	flashSep = "\x1f"
)

// flash is a confirmation taken from the session for the page being shown.
type flash struct{ key, args string }

// redirectWith redirects after a form, keeping a confirmation for the next
// page: the message key and what fills its %s in turn, text the app chose
// or a lead typed, escaped when the page shows it.
func (h *handler) redirectWith(c *fiber.Ctx, to, key string, args ...string) error {
	sess, err := h.adminSessions.Get(c)
	if err != nil {
		return err
	}
	sess.Set(sessFlashKey, key)
	sess.Set(sessFlashArgs, strings.Join(args, flashSep))
	if err := sess.Save(); err != nil {
		return err
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// flashText is the confirmation the page shows in lang, "" for none.
func flashText(c *fiber.Ctx, lang string) string {
	f, ok := c.Locals(sessFlashKey).(flash)
	if !ok {
		return ""
	}
	text, ok := messages[lang][f.key]
	if !ok {
		return ""
	}
	if f.args == "" {
		return text
	}
	var args []any
	for _, a := range strings.Split(f.args, flashSep) {
		args = append(args, a)
	}
	return fmt.Sprintf(text, args...)
}
