package app

import (
	"encoding/json"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"einordnung/db"
	"einordnung/reports"
)

// exportCohort sends one of a cohort's downloads and writes it to the audit log.
func (h *handler) exportCohort(c *fiber.Ctx) error {
	u := c.Locals("user").(*db.User)
	cohort := c.Locals("cohort").(*db.Cohort)
	inst, ok := h.set.Get(cohort.Instrument)
	if !ok {
		return fmt.Errorf("app: instrument %s is not loaded", cohort.Instrument)
	}
	what := c.Params("what")
	filename := cohort.Slug + "-" + what
	switch what {
	case "report.json":
		rep, err := reports.Build(h.store, inst, cohort)
		if err != nil {
			return err
		}
		data, err := json.MarshalIndent(rep.Report, "", "  ")
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		c.Attachment(filename)
		h.audit(u.Email, db.AuditExport, cohort.Slug, what)
		return c.Send(data)
	}
	return errNotFound
}
