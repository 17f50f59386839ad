package app

import (
	"bytes"
	"encoding/gob"
	"errors"
	"log/slog"

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

// deleteParticipant deletes the participant and every answer, and ends
// their sessions in every browser. Nothing of them stays: the audit entry
// names the cohort, not the pseudonym, and the sessions go before the
// participant, whose deletion leaves no bytes of the rows in the files.
func (h *handler) deleteParticipant(c *fiber.Ctx) error {
	p, _, err := h.participantToDelete(c)
	if p == nil || err != nil {
		return err
	}
	cohort, err := h.store.CohortByID(p.CohortID)
	if err != nil {
		return err
	}
	if sess, err := h.participantSession(c); err == nil {
		c.Locals(localSession, nil)
		if err := endSession(sess); err != nil {
			return err
		}
	}
	if _, err := h.store.Sessions().DeleteMatching(func(data []byte) bool { return sessionOf(data, p.ID) }); err != nil {
		return err
	}
	h.forgetReturnCode(c)
	if err := h.store.DeleteParticipant(p.ID); errors.Is(err, db.ErrNotScrubbed) {
		// The data are deleted; the next checkpoint clears the WAL.
		slog.Error("deleting a participant", "err", err)
	} else if err != nil {
		return err
	}
	h.audit(db.ActorParticipant, db.AuditDeleteData, cohort.Slug, "all answers of one participant deleted by the participant")
	return h.render(c, "pages/deleted", "delete_done_title", nil)
}

// sessionOf reports whether data is a stored participant session (Fiber
// keeps a session's values gob-encoded) that acts for participantID.
// Anything else in the storage (CSRF tokens, admin sessions) does not decode
// to one.
func sessionOf(data []byte, participantID uint) bool {
	var values map[string]any
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&values); err != nil {
		return false
	}
	id, ok := values[sessParticipant].(uint)
	return ok && id == participantID
}
