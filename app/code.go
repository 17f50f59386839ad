package app

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"einordnung/db"
	"einordnung/questions"
)

type codeField struct {
	Name    string
	Label   string
	Hint    string
	Value   string
	Number  bool
	Max     int
	Invalid bool
}

type codeData struct {
	Cohort *db.Cohort
	Wave   db.Wave
	Fields []codeField
	Error  string
	// Invalid: some elements are marked; the error summary links to them.
	Invalid   bool
	OfferNew  bool // no earlier participation found: offer to go on unlinked
	AskReturn bool // the code fits several people: ask for the return code
	// AskTolerant: the code is one element off a pre participant's. Only
	// their return code links to them; without it, go on as a new participant.
	AskTolerant bool
	// OfferRestart: the code is someone's (maybe theirs) and only a return
	// code could open that participation; offer to start again unlinked.
	OfferRestart bool
	ReturnCode   string
}

func (h *handler) codeData(c *fiber.Ctx, cohort *db.Cohort, wave db.Wave, raw [questions.CodeLen]string, invalid []int) codeData {
	d := codeData{Cohort: cohort, Wave: wave}
	if inst, ok := h.instrument(cohort.Instrument); ok {
		speak(c, inst)
	}
	l := lang(c)
	for i, el := range questions.CodeElements {
		d.Fields = append(d.Fields, codeField{Name: "e" + el.ID, Label: el.Label.In(l), Hint: el.Hint.In(l),
			Value: raw[i], Number: el.Number, Max: el.Max})
	}
	for _, i := range invalid {
		d.Fields[i].Invalid = true
	}
	d.Invalid = len(invalid) > 0
	return d
}

// showCodeForm asks for the six elements of the self-generated code.
func (h *handler) showCodeForm(c *fiber.Ctx) error {
	cohort, wave, err := h.openCohort(c)
	if err != nil {
		return err
	}
	if !h.consented(c, cohort.ID) {
		return c.Redirect("/c/"+cohort.Slug, fiber.StatusSeeOther)
	}
	return h.render(c, "pages/code", "code_title", h.codeData(c, cohort, wave, [questions.CodeLen]string{}, nil))
}

// submitCode turns the code into a participant: a new one in the pre wave,
// the matching one from the pre wave in the post wave.
func (h *handler) submitCode(c *fiber.Ctx) error {
	cohort, wave, err := h.openCohort(c)
	if err != nil {
		return err
	}
	if !h.consented(c, cohort.ID) {
		return c.Redirect("/c/"+cohort.Slug, fiber.StatusSeeOther)
	}
	var raw [questions.CodeLen]string
	for i, el := range questions.CodeElements {
		raw[i] = c.FormValue("e" + el.ID)
		if len(raw[i]) > 40 {
			raw[i] = raw[i][:40]
		}
	}
	code, invalid := questions.NormalizeCode(raw)
	again := func(status int, key string, adjust func(*codeData)) error {
		d := h.codeData(c, cohort, wave, raw, invalid)
		d.Error = h.t(c, key)
		if adjust != nil {
			adjust(&d)
		}
		c.Status(status)
		return h.render(c, "pages/code", "code_title", d)
	}
	if len(invalid) > 0 {
		return again(fiber.StatusUnprocessableEntity, "code_invalid", nil)
	}
	hash := code.Hash(h.cfg.Secret, cohort.Slug)
	if wave == db.Pre {
		candidates, err := h.store.CodeCandidates(cohort.ID, hash, "")
		if err != nil {
			return err
		}
		// Starting again under a code already taken makes a participant of
		// its own, never access to the earlier one: that takes its return
		// code (README, "Taking part" step 3).
		restart := c.FormValue("confirm_new") == "yes"
		for _, p := range candidates {
			if hash.Differences(p.CodeHash()) == 0 && !restart {
				return again(fiber.StatusConflict, "code_taken", func(d *codeData) { d.AskReturn, d.OfferRestart = true, true })
			}
		}
		return h.newParticipant(c, cohort, wave, hash, nil)
	}

	// Only a pre response can be the earlier participation: a post-only
	// participant is never found by code.
	candidates, err := h.store.CodeCandidates(cohort.ID, hash, db.Pre)
	if err != nil {
		return err
	}
	diffs := make([]int, len(candidates))
	for i, p := range candidates {
		diffs[i] = hash.Differences(p.CodeHash())
	}
	index, match := questions.DecideMatch(diffs)
	switch match {
	case questions.Ambiguous:
		if c.FormValue("confirm_new") == "yes" {
			return h.newParticipant(c, cohort, wave, hash, nil)
		}
		return again(fiber.StatusConflict, "code_ambiguous", func(d *codeData) { d.AskReturn, d.OfferRestart = true, true })
	case questions.NoMatch:
		if c.FormValue("confirm_new") != "yes" {
			return again(fiber.StatusOK, "code_no_match", func(d *codeData) { d.OfferNew = true; d.AskReturn = true })
		}
		return h.newParticipant(c, cohort, wave, hash, nil)
	case questions.Tolerant:
		// A code one element off never signs anyone in as the earlier
		// participant: only the return code identifies them.
		tolerant := func(d *codeData) { d.AskTolerant = true }
		if c.FormValue("confirm_new") == "yes" {
			return h.newParticipant(c, cohort, wave, hash, &candidates[index].ID)
		}
		raw := c.FormValue("return_code")
		if raw == "" {
			return again(fiber.StatusOK, "code_tolerant", tolerant)
		}
		p, shown, err := h.participantByReturnCode(raw)
		var pe *pageError
		if errors.As(err, &pe) {
			return again(pe.status, pe.key, tolerant)
		}
		if err != nil {
			return err
		}
		if p.CohortID != cohort.ID {
			return again(fiber.StatusNotFound, "err_unknown_return_code", tolerant)
		}
		return h.identified(c, p, wave, db.LinkReturnCode, plainReturnCode(shown))
	}
	return h.identified(c, &candidates[index], wave, db.LinkCode, "")
}

// identified signs in the participant an exact code or the return code
// identified, with their own response to the wave; returnCode is the one
// they typed, if they did.
func (h *handler) identified(c *fiber.Ctx, p *db.Participant, wave db.Wave, link, returnCode string) error {
	version, err := h.acceptedConsent(c, p.CohortID)
	if err != nil {
		return err
	}
	if _, err := h.store.StartResponse(p.ID, wave, version, link); err != nil {
		return err
	}
	if err := h.signIn(c, p, returnCode); err != nil {
		return err
	}
	return h.routeParticipant(c, p)
}

// newParticipant creates a participant with a fresh return code and their
// response to the wave, in one transaction; provisionalPre, if set, is the
// pre participant one element off, paired with them for the statistics only.
func (h *handler) newParticipant(c *fiber.Ctx, cohort *db.Cohort, wave db.Wave, hash questions.CodeHash, provisionalPre *uint) error {
	link := db.LinkNew
	if provisionalPre != nil {
		link = db.LinkProvisional
	}
	var p *db.Participant
	var returnCode string
	version, err := h.acceptedConsent(c, cohort.ID)
	if err != nil {
		return err
	}
	// A collision of 80-bit random codes is practically impossible; the loop
	// only guards against the unique index saying otherwise.
	for attempt := 0; attempt < 3; attempt++ {
		returnCode = questions.NewReturnCode()
		p, err = h.store.CreateParticipant(db.NewParticipant{
			CohortID: cohort.ID, Pseudonym: questions.NewPseudonym(),
			ReturnCodeHash: questions.HashReturnCode(h.cfg.Secret, returnCode), Code: hash,
			Wave: wave, ConsentVersion: version, Link: link, ProvisionalPreID: provisionalPre,
		})
		if !errors.Is(err, db.ErrExists) {
			break
		}
	}
	if err != nil {
		return err
	}
	if err := h.signIn(c, p, returnCode); err != nil {
		return err
	}
	return c.Redirect("/return-code", fiber.StatusSeeOther)
}

type returnCodeData struct {
	Code string
}

// showReturnCode shows the new participant their return code, printable.
func (h *handler) showReturnCode(c *fiber.Ctx) error {
	p, err := h.participant(c)
	if err != nil {
		return err
	}
	code := h.returnCode(c, p.ID)
	if code == "" {
		return c.Redirect("/survey", fiber.StatusSeeOther)
	}
	return h.render(c, "pages/returncode", "returncode_title", returnCodeData{Code: questions.FormatReturnCode(code)})
}
