package app

import "github.com/gofiber/fiber/v2"

// showAccessibility shows the accessibility statement (Erklärung zur
// Barrierefreiheit, BITV 2.0): how far the application meets WCAG 2.1 AA,
// how that was checked, its known limits, and whom to tell about barriers.
// Its texts are the accessibility_* messages; keep them in step with
// TestBrowserAccessibility and TestBrowserKeyboardOnly.
func (h *handler) showAccessibility(c *fiber.Ctx) error {
	return h.render(c, "pages/accessibility", "accessibility_title", nil)
}
