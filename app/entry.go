package app

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/session"

	"einordnung/db"
	"einordnung/questions"
)

// Session keys.
const (
	sessParticipant = "pid"     // the participant this browser acts for
	sessConsent     = "consent" // the cohort whose consent text was accepted
	// sessConsentVersion is the version of the text accepted (ConsentVersion).
	sessConsentVersion = "consent_version"
	sessCohort         = "cid" // the participant's cohort
)

// participantSession returns this request's participant session. Fiber
// reads (and decodes) it from storage on every Get, so it is kept for the
// rest of the request; saveSession ends that, because Fiber recycles a
// saved session.
func (h *handler) participantSession(c *fiber.Ctx) (*session.Session, error) {
	if sess, ok := c.Locals(localSession).(*session.Session); ok && sess != nil {
		return sess, nil
	}
	sess, err := h.sessions.Get(c)
	if err != nil {
		return nil, err
	}
	c.Locals(localSession, sess)
	return sess, nil
}

// saveSession saves the participant session (see participantSession).
func (h *handler) saveSession(c *fiber.Ctx, sess *session.Session) error {
	c.Locals(localSession, nil)
	return sess.Save()
}

const localSession = "participant-session"

// showStart shows the start page: a cohort's short code, or a return code.
func (h *handler) showStart(c *fiber.Ctx) error {
	return h.render(c, "pages/start", "start_title", startData{})
}

type startData struct {
	Slug       string
	ReturnCode string
	Error      string
}

// findCohort sends the visitor from the short code they typed to the cohort.
func (h *handler) findCohort(c *fiber.Ctx) error {
	slug := normalizeSlug(c.Query("code"))
	if slug == "" {
		c.Status(fiber.StatusBadRequest)
		return h.render(c, "pages/start", "start_title", startData{Error: h.t(c, "start_code_missing")})
	}
	if _, err := h.store.CohortBySlug(slug); err != nil {
		if errors.Is(err, db.ErrNotFound) {
			c.Status(fiber.StatusNotFound)
			return h.render(c, "pages/start", "start_title", startData{Slug: slug, Error: h.t(c, "err_unknown_cohort")})
		}
		return err
	}
	return c.Redirect("/c/"+slug, fiber.StatusSeeOther)
}

func normalizeSlug(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 40 {
		return ""
	}
	return s
}

// resume opens a participant's questionnaire or feedback from their return code.
func (h *handler) resume(c *fiber.Ctx) error {
	raw := c.FormValue("return_code")
	p, shown, err := h.participantByReturnCode(raw)
	var pe *pageError
	if errors.As(err, &pe) {
		c.Status(pe.status)
		return h.render(c, "pages/start", "start_title", startData{ReturnCode: raw, Error: h.t(c, pe.key)})
	}
	if err != nil {
		return err
	}
	// The code they typed goes back into the sealed cookie, so the pages
	// that show it (the questionnaire, the feedback) show it again.
	if err := h.signIn(c, p, plainReturnCode(shown)); err != nil {
		return err
	}
	return h.routeParticipant(c, p)
}

// participantByReturnCode finds the participant a typed return code belongs
// to, and the code in its printed form. A malformed or unknown code is a
// *pageError the caller shows beside the form.
func (h *handler) participantByReturnCode(raw string) (*db.Participant, string, error) {
	code, ok := questions.NormalizeReturnCode(raw)
	if !ok {
		return nil, "", &pageError{fiber.StatusUnprocessableEntity, "err_malformed_return_code"}
	}
	p, err := h.store.ParticipantByReturnCode(questions.HashReturnCode(h.cfg.Secret, code))
	if errors.Is(err, db.ErrNotFound) {
		return nil, "", &pageError{fiber.StatusNotFound, "err_unknown_return_code"}
	}
	if err != nil {
		return nil, "", err
	}
	return p, questions.FormatReturnCode(code), nil
}

// plainReturnCode is a return code in its printed form back as stored in
// the sealed cookie.
func plainReturnCode(shown string) string {
	code, _ := questions.NormalizeReturnCode(shown)
	return code
}

// routeParticipant sends a known participant where they belong: the open
// wave's questionnaire, its consent page if they have not started it, or
// their feedback.
func (h *handler) routeParticipant(c *fiber.Ctx, p *db.Participant) error {
	cohort, err := h.store.CohortByID(p.CohortID)
	if err != nil {
		return err
	}
	wave, open := cohort.OpenWave(time.Now())
	if open {
		r, err := h.store.ResponseFor(p.ID, wave)
		switch {
		case errors.Is(err, db.ErrNotFound):
			return c.Redirect("/c/"+cohort.Slug, fiber.StatusSeeOther)
		case err != nil:
			return err
		case !r.Submitted():
			return c.Redirect("/survey", fiber.StatusSeeOther)
		}
	}
	return c.Redirect("/feedback", fiber.StatusSeeOther)
}

// signIn binds the browser's session to a participant under a new session
// id (so an id planted before sign-in is worthless). A new participant's
// return code goes to the browser alone (see setReturnCode).
func (h *handler) signIn(c *fiber.Ctx, p *db.Participant, returnCode string) error {
	sess, err := h.participantSession(c)
	if err != nil {
		return err
	}
	consent, version := sess.Get(sessConsent), sess.Get(sessConsentVersion)
	if err := sess.Regenerate(); err != nil {
		return err
	}
	sess.Set(sessParticipant, p.ID)
	sess.Set(sessCohort, p.CohortID)
	if consent != nil {
		sess.Set(sessConsent, consent)
	}
	if version != nil {
		sess.Set(sessConsentVersion, version)
	}
	if returnCode != "" {
		if err := h.setReturnCode(c, p.ID, returnCode); err != nil {
			return err
		}
	}
	return h.saveSession(c, sess)
}

// signedIn returns who this browser acts for, from the session alone: the
// survey pages need no more, and each saved query counts under load.
// Sessions from before the cohort was kept in them look the participant up.
func (h *handler) signedIn(c *fiber.Ctx) (participantID, cohortID uint, err error) {
	sess, err := h.participantSession(c)
	if err != nil {
		return 0, 0, err
	}
	participantID, ok := sess.Get(sessParticipant).(uint)
	if !ok {
		return 0, 0, errNoSession
	}
	if cohortID, ok := sess.Get(sessCohort).(uint); ok {
		return participantID, cohortID, nil
	}
	p, err := h.participant(c)
	if err != nil {
		return 0, 0, err
	}
	return p.ID, p.CohortID, nil
}

// participant returns the participant this browser acts for, or errNoSession.
func (h *handler) participant(c *fiber.Ctx) (*db.Participant, error) {
	sess, err := h.participantSession(c)
	if err != nil {
		return nil, err
	}
	id, ok := sess.Get(sessParticipant).(uint)
	if !ok {
		return nil, errNoSession
	}
	p, err := h.store.ParticipantByID(id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, errNoSession
	}
	return p, err
}

// openCohort returns the cohort named in the URL and its open wave; an
// unknown cohort is a 404 and a cohort without an open wave a 403.
func (h *handler) openCohort(c *fiber.Ctx) (*db.Cohort, db.Wave, error) {
	cohort, err := h.store.CohortBySlug(normalizeSlug(c.Params("slug")))
	if errors.Is(err, db.ErrNotFound) {
		return nil, "", &pageError{fiber.StatusNotFound, "err_unknown_cohort"}
	}
	if err != nil {
		return nil, "", err
	}
	wave, ok := cohort.OpenWave(time.Now())
	if !ok {
		return cohort, "", errClosed
	}
	return cohort, wave, nil
}

type consentData struct {
	Version     string
	Notice      notice
	Cohort      *db.Cohort
	Wave        db.Wave
	Instrument  *questions.Instrument
	Description string
	Error       string
	// Again says why a participant who is signed in (with their return
	// code) is asked for consent once more.
	Again string
}

// showConsent shows what is stored and asks for consent.
func (h *handler) showConsent(c *fiber.Ctx) error {
	cohort, wave, err := h.openCohort(c)
	if err != nil {
		return err
	}
	d, err := h.consentData(c, cohort, wave)
	if err != nil {
		return err
	}
	if d.Again, err = h.whyConsentAgain(c, cohort, wave, d.Version); err != nil {
		return err
	}
	return h.render(c, "pages/consent", "consent_title", d)
}

// whyConsentAgain is the reason a participant signed in to this cohort is
// asked for consent: consent is given per wave, so a new wave asks again,
// and a text changed since they agreed is new to them. It is "" for
// anyone else.
func (h *handler) whyConsentAgain(c *fiber.Ctx, cohort *db.Cohort, wave db.Wave, version string) (string, error) {
	p, err := h.participant(c)
	if err != nil || p.CohortID != cohort.ID {
		return "", nil
	}
	if _, err := h.store.ResponseFor(p.ID, wave); err == nil {
		return "", nil
	}
	other := db.Pre
	if wave == db.Pre {
		other = db.Post
	}
	earlier, err := h.store.ResponseFor(p.ID, other)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	case earlier.ConsentVersion != version:
		return h.t(c, "consent_again_changed"), nil
	}
	return h.t(c, "consent_again_wave"), nil
}

// consentData is the consent page: the notice with this cohort's terms and
// the version of what it says.
func (h *handler) consentData(c *fiber.Ctx, cohort *db.Cohort, wave db.Wave) (consentData, error) {
	o, err := h.store.Operator()
	if err != nil {
		return consentData{}, err
	}
	d := consentData{Version: ConsentVersion(o, cohort), Notice: buildNotice(lang(c), o, cohort), Cohort: cohort, Wave: wave}
	if inst, ok := h.instrument(cohort.Instrument); ok {
		speak(c, inst)
		d.Instrument = inst
		d.Description = inst.Description.In(textLang(c))
	}
	return d, nil
}

// acceptConsent records consent and moves on: to the code form, or, for a
// participant who came back with their return code, straight to the questionnaire.
func (h *handler) acceptConsent(c *fiber.Ctx) error {
	cohort, wave, err := h.openCohort(c)
	if err != nil {
		return err
	}
	d, err := h.consentData(c, cohort, wave)
	if err != nil {
		return err
	}
	// A text changed since the page was shown is not what was agreed to:
	// the participant reads the new one first.
	shown := c.FormValue("version")
	if c.FormValue("agree") != "yes" || (shown != "" && shown != d.Version) {
		d.Error = h.t(c, "consent_required")
		if c.FormValue("agree") == "yes" {
			d.Error = h.t(c, "consent_changed")
		}
		c.Status(fiber.StatusUnprocessableEntity)
		return h.render(c, "pages/consent", "consent_title", d)
	}
	sess, err := h.participantSession(c)
	if err != nil {
		return err
	}
	sess.Set(sessConsent, cohort.ID)
	sess.Set(sessConsentVersion, d.Version)
	if err := h.saveSession(c, sess); err != nil {
		return err
	}
	p, err := h.participant(c)
	if err != nil || p.CohortID != cohort.ID {
		return c.Redirect("/c/"+cohort.Slug+"/code", fiber.StatusSeeOther)
	}
	if _, err := h.store.StartResponse(p.ID, wave, d.Version, db.LinkReturnCode); err != nil {
		return err
	}
	return c.Redirect("/survey", fiber.StatusSeeOther)
}

// consented reports whether this browser accepted the cohort's consent text.
func (h *handler) consented(c *fiber.Ctx, cohortID uint) bool {
	sess, err := h.participantSession(c)
	if err != nil {
		return false
	}
	id, ok := sess.Get(sessConsent).(uint)
	return ok && id == cohortID
}
