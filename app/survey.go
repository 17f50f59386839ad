package app

import (
	"errors"
	"log/slog"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"einordnung/db"
	"einordnung/questions"
)

// progress is a participant's place in the open wave.
type progress struct {
	participantID uint
	cohort        *db.Cohort
	inst          *questions.Instrument
	response      *db.Response
	pages         []questions.Page
}

// currentProgress finds the response this browser is answering.
func (h *handler) currentProgress(c *fiber.Ctx) (*progress, error) {
	participantID, cohortID, err := h.signedIn(c)
	if err != nil {
		return nil, err
	}
	cohort, err := h.store.CohortByID(cohortID)
	if err != nil {
		return nil, err
	}
	inst, err := h.instrumentOf(cohort)
	if err != nil {
		return nil, err
	}
	speak(c, inst)
	wave, open := cohort.OpenWave(time.Now())
	if !open {
		return nil, errClosed
	}
	r, err := h.store.ResponseFor(participantID, wave)
	if errors.Is(err, db.ErrNotFound) {
		// Their data was deleted from another device (errNoSession), or a
		// new wave opened since they last came: it starts with consent.
		if _, err := h.participant(c); err != nil {
			return nil, err
		}
		return nil, &redirect{to: "/c/" + cohort.Slug}
	}
	if err != nil {
		return nil, err
	}
	return &progress{participantID: participantID, cohort: cohort, inst: inst, response: r, pages: inst.Pages()}, nil
}

// pageIndex reads the page number from the URL; a page that does not exist
// is a 404, one not yet reached a 403.
func (pr *progress) pageIndex(c *fiber.Ctx) (int, error) {
	n, err := strconv.Atoi(c.Params("page"))
	if err != nil || n < 1 || n > len(pr.pages) {
		return 0, errNotFound
	}
	if n-1 > pr.response.Reached {
		return 0, &pageError{fiber.StatusForbidden, "err_page_locked"}
	}
	return n - 1, nil
}

func pageURL(index int) string { return "/survey/" + strconv.Itoa(index+1) }

// navAnyway ends the nav value of the button that goes on past open items.
const navAnyway = "-anyway"

// openItems are the questions a participant moved on from without any
// answer, and the nav value of the button that goes on anyway.
type openItems struct {
	Fields []string
	Nav    string
}

// continueSurvey sends the participant to the page they were on.
func (h *handler) continueSurvey(c *fiber.Ctx) error {
	pr, err := h.currentProgress(c)
	if err != nil {
		return err
	}
	if pr.response.Submitted() {
		return c.Redirect("/feedback", fiber.StatusSeeOther)
	}
	return c.Redirect(pageURL(min(pr.response.Page, len(pr.pages)-1)), fiber.StatusSeeOther)
}

// showPage shows one questionnaire page filled in with what was saved.
func (h *handler) showPage(c *fiber.Ctx) error {
	pr, err := h.currentProgress(c)
	if err != nil {
		return err
	}
	if pr.response.Submitted() {
		return c.Redirect("/feedback", fiber.StatusSeeOther)
	}
	index, err := pr.pageIndex(c)
	if err != nil {
		return err
	}
	answers, err := h.store.Answers(pr.response.ID, pr.pages[index].IDs...)
	if err != nil {
		return err
	}
	return h.renderPage(c, pr, index, answerValues(answers), nil, "", nil)
}

// savePage validates and saves a page, then moves back, on, or submits.
func (h *handler) savePage(c *fiber.Ctx) error {
	pr, err := h.currentProgress(c)
	if err != nil {
		return err
	}
	index, err := pr.pageIndex(c)
	if err != nil {
		return err
	}
	// A page is an urlencoded form: its answers are read from the body
	// alone, so everything else must come from there too, or a request with
	// its answers elsewhere would save the page empty.
	if !strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEApplicationForm) {
		return errBadForm
	}
	post := c.Request().PostArgs()
	rev, err := strconv.Atoi(string(post.Peek("_rev")))
	if err != nil {
		return errBadForm
	}
	last := len(pr.pages) - 1
	target, reached, submit := index, index, false
	// "…-anyway" is the answer to the question about open items: go on
	// without asking again. Going back never asks.
	nav, anyway := strings.CutSuffix(string(post.Peek("nav")), navAnyway)
	switch nav {
	case "back":
		if anyway {
			return errBadForm
		}
		target = max(index-1, 0)
	case "next":
		if index == last {
			return errBadForm
		}
		target, reached = index+1, index+1
	case "submit":
		if index != last {
			return errBadForm
		}
		submit = true
	default:
		return errBadForm
	}

	var fields [][2]string
	post.VisitAll(func(k, v []byte) {
		fields = append(fields, [2]string{string(k), string(v)})
	})
	form, err := decodePage(pr.inst, pr.pages[index], pr.response.Wave == db.Post, fields)
	var fe *formError
	if errors.As(err, &fe) {
		return &pageError{fe.status, fe.key}
	}
	if err != nil {
		return err
	}
	if len(form.Problems) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderPage(c, pr, index, form.Values, form.Problems, "", nil)
	}

	// Open items on the way forward: the page is saved as it is, so nothing
	// typed is lost, and shown again with how many are open and a button
	// to go on anyway.
	ask := nav != "back" && !anyway && len(form.Open) > 0
	if ask {
		target, reached, submit = index, index, false
	}
	saved, err := h.store.SavePage(db.PageSave{
		ResponseID: pr.response.ID, Rev: rev, Items: form.Items, Answers: form.Answers,
		Page: target, Reached: reached, Submit: submit,
	})
	switch {
	case errors.Is(err, db.ErrSubmitted), errors.Is(err, db.ErrConflict):
		return h.resolveConflict(c, pr, index, form, target)
	case err != nil:
		// The database refused the write (disk full, read-only file): show
		// the page again with what was typed, so nothing is lost unseen.
		slog.Error("saving a page failed", "err", err)
		h.metrics.errors.WithLabelValues(c.Route().Path).Inc()
		c.Status(fiber.StatusServiceUnavailable)
		return h.renderPage(c, pr, index, form.Values, nil, h.t(c, "survey_save_failed"), nil)
	}
	h.metrics.saves.Inc()
	if ask {
		pr.response = saved
		return h.renderPage(c, pr, index, form.Values, nil, "", &openItems{Fields: form.Open, Nav: nav + navAnyway})
	}
	if submit {
		h.metrics.submitted.Inc()
		return c.Redirect("/feedback", fiber.StatusSeeOther)
	}
	return c.Redirect(pageURL(target), fiber.StatusSeeOther)
}

// resolveConflict handles a page sent from a stale form or after the
// response was sent off: a second send of exactly what is saved (a double
// click) just moves on; anything else shows the page again with what is
// saved now, so nothing is overwritten unseen.
func (h *handler) resolveConflict(c *fiber.Ctx, pr *progress, index int, form *pageForm, target int) error {
	saved, err := h.store.Answers(pr.response.ID, form.Items...)
	if err != nil {
		return err
	}
	fresh, err := h.store.ResponseFor(pr.participantID, pr.response.Wave)
	if err != nil {
		return err
	}
	same := maps.Equal(answerValues(saved), answerValues(form.Answers))
	switch {
	case same && fresh.Submitted():
		return c.Redirect("/feedback", fiber.StatusSeeOther)
	case same:
		return c.Redirect(pageURL(target), fiber.StatusSeeOther)
	case fresh.Submitted():
		return &pageError{fiber.StatusConflict, "err_already_submitted"}
	}
	pr.response = fresh
	c.Status(fiber.StatusConflict)
	return h.renderPage(c, pr, index, answerValues(saved), nil, h.t(c, "survey_conflict"), nil)
}
