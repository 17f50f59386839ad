package app

import (
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"einordnung/db"
)

// notice is what the privacy notice says beyond its fixed texts: the
// operator's details, the ones still missing, and each cohort's terms (the
// consent page: that cohort's only).
type notice struct {
	Operator *db.Operator
	// Missing are the labels of the required details not given yet.
	Missing []string
	// Consent and PublicTask say which rights apply; with neither (no
	// legal basis given yet) the notice names every right.
	Consent, PublicTask bool
	Cohorts             []cohortTerms
}

// cohortTerms are a cohort's retention period and privacy threshold, as
// the notice states them.
type cohortTerms struct {
	Name      string
	Retention string
	MinGroup  int
}

func termsOf(l string, c *db.Cohort) cohortTerms {
	retention := msg(l, "notice_retention_none")
	if c.RetentionDays > 0 {
		retention = fmt.Sprintf(msg(l, "notice_retention_days"), c.RetentionDays)
	}
	return cohortTerms{Name: c.Name, Retention: retention, MinGroup: c.MinGroup}
}

func buildNotice(l string, o *db.Operator, cohorts ...*db.Cohort) notice {
	n := notice{Operator: o, Consent: o.LegalBasis == db.LegalBasisConsent, PublicTask: o.LegalBasis == db.LegalBasisPublicTask}
	for _, name := range MissingOperatorDetails(o) {
		n.Missing = append(n.Missing, msg(l, "operator_field_"+name))
	}
	for _, c := range cohorts {
		n.Cohorts = append(n.Cohorts, termsOf(l, c))
	}
	return n
}

// allCohorts returns every cohort, for the notice and the record.
func (h *handler) allCohorts() ([]*db.Cohort, error) {
	list, err := h.store.Cohorts()
	if err != nil {
		return nil, err
	}
	out := make([]*db.Cohort, len(list))
	for i := range list {
		out[i] = &list[i].Cohort
	}
	return out, nil
}

type privacyData struct {
	Notice notice
}

// showPrivacy is the privacy notice (Art. 13 DSGVO) for every cohort.
func (h *handler) showPrivacy(c *fiber.Ctx) error {
	o, err := h.store.Operator()
	if err != nil {
		return err
	}
	cohorts, err := h.allCohorts()
	if err != nil {
		return err
	}
	return h.render(c, "pages/privacy", "privacy_title", privacyData{Notice: buildNotice(lang(c), o, cohorts...)})
}

// consentVersionNow is the version of the consent text the cohort's
// participants are shown now.
func (h *handler) consentVersionNow(cohortID uint) (string, error) {
	o, err := h.store.Operator()
	if err != nil {
		return "", err
	}
	cohort, err := h.store.CohortByID(cohortID)
	if err != nil {
		return "", err
	}
	return ConsentVersion(o, cohort), nil
}

// acceptedConsent is the version of the consent text this browser
// accepted; a session from before versions were kept in it gets the
// current one.
func (h *handler) acceptedConsent(c *fiber.Ctx, cohortID uint) (string, error) {
	if sess, err := h.participantSession(c); err == nil {
		if v, ok := sess.Get(sessConsentVersion).(string); ok && v != "" {
			return v, nil
		}
	}
	return h.consentVersionNow(cohortID)
}

// operatorView is the admin page "Betreiber und Datenschutz".
type operatorView struct {
	Form       OperatorFile
	Problems   []string
	Missing    []string
	LegalBases []string
	Saved      bool
}

func (h *handler) showOperator(c *fiber.Ctx) error {
	o, err := h.store.Operator()
	if err != nil {
		return err
	}
	return h.renderOperator(c, OperatorFileOf(o), nil, c.Query("saved") == "1")
}

func (h *handler) renderOperator(c *fiber.Ctx, form OperatorFile, problems []OperatorProblem, saved bool) error {
	o, err := h.store.Operator()
	if err != nil {
		return err
	}
	v := operatorView{Form: form, LegalBases: db.LegalBases, Saved: saved, Missing: buildNotice(lang(c), o).Missing}
	for _, p := range problems {
		v.Problems = append(v.Problems, p.In(lang(c)))
	}
	return h.renderAdmin(c, "admin/operator", "operator_title", v, "")
}

// saveOperator stores the form's details (administrators only), audited.
func (h *handler) saveOperator(c *fiber.Ctx) error {
	u := c.Locals("user").(*db.User)
	var form OperatorFile
	for _, f := range operatorFields {
		*f.file(&form) = c.FormValue(f.name)
	}
	problems, err := SetOperator(h.store, form, u.Email)
	if errors.Is(err, ErrOperatorInvalid) {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderOperator(c, form, problems, false)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/operator?saved=1", fiber.StatusSeeOther)
}

// operatorIncomplete reports whether required details are missing, for the
// warning on every page of the leads' area.
func (h *handler) operatorIncomplete() bool {
	o, err := h.store.Operator()
	return err == nil && len(MissingOperatorDetails(o)) > 0
}

// showRecord is the record of processing activities as a printable page.
func (h *handler) showRecord(c *fiber.Ctx) error {
	rec, err := h.record(lang(c))
	if err != nil {
		return err
	}
	return h.renderAdmin(c, "admin/record", "record_title", rec, "")
}

// downloadRecord sends the record as a file: format is "html" or "md".
func (h *handler) downloadRecord(format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rec, err := h.record(lang(c))
		if err != nil {
			return err
		}
		name := "verarbeitungsverzeichnis-" + time.Now().Format("2006-01-02") + "." + format
		c.Attachment(name)
		c.Set(fiber.HeaderCacheControl, "no-store")
		if format == "md" {
			c.Set(fiber.HeaderContentType, "text/markdown; charset=utf-8")
			return c.SendString(rec.Markdown())
		}
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return writeRecordHTML(c.Response().BodyWriter(), lang(c), rec)
	}
}

func (h *handler) record(l string) (*record, error) {
	o, err := h.store.Operator()
	if err != nil {
		return nil, err
	}
	cohorts, err := h.allCohorts()
	if err != nil {
		return nil, err
	}
	return buildRecord(l, o, cohorts, time.Now()), nil
}
