package app

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"einordnung/db"
	"einordnung/questions"
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

// participantByCode looks a participant up by the return code in the form.
func (h *handler) participantByCode(c *fiber.Ctx) (*db.Participant, string, error) {
	raw := c.FormValue("return_code")
	code, ok := questions.NormalizeReturnCode(raw)
	if !ok {
		return nil, raw, &pageError{fiber.StatusUnprocessableEntity, "err_malformed_return_code"}
	}
	p, err := h.store.ParticipantByReturnCode(questions.HashReturnCode(h.cfg.Secret, code))
	if errors.Is(err, db.ErrNotFound) {
		return nil, raw, &pageError{fiber.StatusNotFound, "err_unknown_return_code"}
	}
	return p, questions.FormatReturnCode(code), err
}

// confirmDelete shows what will be deleted and asks once more.
func (h *handler) confirmDelete(c *fiber.Ctx) error {
	p, code, err := h.participantByCode(c)
	var pe *pageError
	if errors.As(err, &pe) {
		c.Status(pe.status)
		return h.render(c, "pages/delete", "delete_title", deleteData{ReturnCode: code, Error: h.t(c, pe.key)})
	}
	if err != nil {
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
	p, code, err := h.participantByCode(c)
	var pe *pageError
	if errors.As(err, &pe) {
		c.Status(pe.status)
		return h.render(c, "pages/delete", "delete_title", deleteData{ReturnCode: code, Error: h.t(c, pe.key)})
	}
	if err != nil {
		return err
	}
	if err := h.store.DeleteParticipant(p.ID); err != nil {
		return err
	}
	if sess, err := h.sessions.Get(c); err == nil {
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
