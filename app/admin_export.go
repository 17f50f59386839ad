package app

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"einordnung/db"
	"einordnung/reports/exchange"
)

// exportCohort sends one of a cohort's downloads and writes it to the audit
// log. The file is streamed: a long export of a large cohort is never held
// in memory whole.
func (h *handler) exportCohort(c *fiber.Ctx) error {
	u := c.Locals("user").(*db.User)
	cohort := c.Locals("cohort").(*db.Cohort)
	format, ok := findExport(c.Params("what"))
	if !ok {
		return errNotFound
	}
	inst, err := h.instrumentOf(cohort)
	if err != nil {
		return err
	}
	h.audit(u.Email, db.AuditExport, cohort.Slug, format.name)
	src := exportSource{store: h.store, inst: inst, cohort: cohort, lang: lang(c)}
	// Attachment guesses a type from the file name; ours comes after it.
	c.Attachment(DownloadName(cohort, format.name))
	c.Set(fiber.HeaderContentType, format.mime)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := format.write(w, src); err != nil {
			// Headers are gone; the cut-off file is the only sign left.
			slog.Error("export failed", "cohort", cohort.Slug, "what", format.name, "err", err)
		}
		w.Flush()
	})
	return nil
}

type importView struct {
	Cohort   *db.Cohort
	URL      string
	Problems []string
	Omitted  int
	Imported int
}

func (h *handler) showImport(c *fiber.Ctx) error {
	cohort := c.Locals("cohort").(*db.Cohort)
	return h.renderAdmin(c, "admin/import", "import_title", importView{Cohort: cohort, URL: cohortURL(cohort)}, "")
}

// importResponses validates an uploaded long CSV as a whole and stores it
// only if every row is valid.
func (h *handler) importResponses(c *fiber.Ctx) error {
	u := c.Locals("user").(*db.User)
	cohort := c.Locals("cohort").(*db.Cohort)
	v := importView{Cohort: cohort, URL: cohortURL(cohort)}
	again := func(status int, key string) error {
		c.Status(status)
		return h.renderAdmin(c, "admin/import", "import_title", v, h.t(c, key))
	}
	inst, err := h.instrumentOf(cohort)
	if err != nil {
		return err
	}
	file, err := c.FormFile("file")
	if err != nil {
		return again(fiber.StatusUnprocessableEntity, "import_no_file")
	}
	f, err := file.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return err
	}
	responses, err := exchange.Import(&buf, h.store, inst, cohort)
	var ie *exchange.ImportError
	if errors.As(err, &ie) {
		v.Problems, v.Omitted = ie.Problems, ie.Omitted
		status := fiber.StatusUnprocessableEntity
		if ie.Stored {
			status = fiber.StatusConflict
		}
		return again(status, "import_rejected")
	}
	if err != nil {
		return err
	}
	h.audit(u.Email, db.AuditImport, cohort.Slug, fmt.Sprintf("%d responses from %s", len(responses), file.Filename))
	v.Imported = len(responses)
	return h.renderAdmin(c, "admin/import", "import_title", v, "")
}
