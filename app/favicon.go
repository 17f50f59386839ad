package app

import (
	"io/fs"

	"github.com/gofiber/fiber/v2"
)

// favicon answers /favicon.ico, which browsers ask for on their own, from
// the icon in the static files. It comes before sessions and CSRF: an icon
// must not cost a session write. The pages link the fingerprinted copy
// under /static (cached for a year); this address has no fingerprint, so
// it is cached for a month.
func (h *handler) favicon(static fs.FS) fiber.Handler {
	icon, err := fs.ReadFile(static, "favicon.ico")
	return func(c *fiber.Ctx) error {
		if err != nil {
			return errNotFound
		}
		c.Set(fiber.HeaderContentType, "image/x-icon")
		c.Set(fiber.HeaderCacheControl, "public, max-age=2592000")
		return c.Send(icon)
	}
}
