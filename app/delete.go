package app

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"einordnung/db"
)

type deleteData struct {
	ReturnCode string
	Error      string
	Responses  int
	Confirm    bool
}

// showDelete asks for the return code of the data to delete.
func (h *handler) showDelete(c *fiber.Ctx) error {
	return h.render(c, "pages/delete", "delete_title", deleteData{})
}

// participantToDelete finds the participant whose return code the form
// carries. A code that is malformed or unknown shows the form again with a
// message, and p is nil.
func (h *handler) participantToDelete(c *fiber.Ctx) (p *db.Participant, code string, err error) {
	raw := c.FormValue("return_code")
	p, code, err = h.participantByReturnCode(raw)
	var pe *pageError
	if errors.As(err, &pe) {
		c.Status(pe.status)
		return nil, "", h.render(c, "pages/delete", "delete_title", deleteData{ReturnCode: raw, Error: h.t(c, pe.key)})
	}
	return p, code, err
}

// confirmDelete shows what will be deleted and asks once more.
func (h *handler) confirmDelete(c *fiber.Ctx) error {
	p, code, err := h.participantToDelete(c)
	if p == nil || err != nil {
		return err
	}
	responses, err := h.store.ResponsesOf(p.ID)
	if err != nil {
		return err
	}
	return h.render(c, "pages/delete", "delete_title", deleteData{ReturnCode: code, Responses: len(responses), Confirm: true})
}

// deleteParticipant deletes the participant and every answer, then ends the session.
func (h *handler) deleteParticipant(c *fiber.Ctx) error {
	p, _, err := h.participantToDelete(c)
	if p == nil || err != nil {
		return err
	}
	if err := h.store.DeleteParticipant(p.ID); err != nil {
		return err
	}
	h.audit("participant", db.AuditDeleteData, p.Pseudonym, "all answers deleted by the participant")
	h.forgetReturnCode(c)
	if sess, err := h.participantSession(c); err == nil {
		c.Locals(localSession, nil)
		if err := sess.Destroy(); err != nil {
			return err
		}
	}
	return h.render(c, "pages/deleted", "delete_done_title", nil)
}

// showPrivacy explains what is stored and how to delete it.
func (h *handler) showPrivacy(c *fiber.Ctx) error {
	return h.render(c, "pages/privacy", "privacy_title", nil)
}
