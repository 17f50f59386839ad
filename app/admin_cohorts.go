package app

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	qrcode "github.com/skip2/go-qrcode"

	"einordnung/db"
	"einordnung/questions/clean"
)

// dateInput is the format of an HTML datetime-local field.
const dateInput = "2006-01-02T15:04"

type cohortRow struct {
	db.CohortSummary
	OpenWave string
}

// listCohorts lists the cohorts the user may see.
func (h *handler) listCohorts(c *fiber.Ctx) error {
	u, _ := c.Locals("user").(*db.User)
	cohorts, err := h.store.CohortsFor(u)
	if err != nil {
		return err
	}
	rows := make([]cohortRow, len(cohorts))
	for i, co := range cohorts {
		rows[i] = cohortRow{CohortSummary: co}
		if w, ok := co.OpenWave(time.Now()); ok {
			rows[i].OpenWave = h.t(c, "wave_"+string(w))
		}
	}
	return h.renderAdmin(c, "admin/cohorts", "admin_cohorts_title", rows, "")
}

type newCohortData struct {
	Name, Slug, Instrument string
	Instruments            []string
}

func (h *handler) newCohortData(c *fiber.Ctx) newCohortData {
	d := newCohortData{Name: c.FormValue("name"), Slug: c.FormValue("slug"), Instrument: c.FormValue("instrument")}
	for _, in := range h.instruments().All() {
		d.Instruments = append(d.Instruments, in.Ref())
	}
	if d.Instrument == "" {
		if in, err := h.set.Resolve(""); err == nil {
			d.Instrument = in.Ref()
		}
	}
	return d
}

func (h *handler) showNewCohort(c *fiber.Ctx) error {
	return h.renderAdmin(c, "admin/cohort_new", "admin_cohort_new_title", h.newCohortData(c), "")
}

// createCohort creates a cohort; a lead who creates one is assigned to it.
func (h *handler) createCohort(c *fiber.Ctx) error {
	u, _ := c.Locals("user").(*db.User)
	d := h.newCohortData(c)
	again := func(status int, key string) error {
		c.Status(status)
		return h.renderAdmin(c, "admin/cohort_new", "admin_cohort_new_title", d, h.t(c, key))
	}
	if !utf8.ValidString(d.Name) || !utf8.ValidString(d.Slug) {
		return again(fiber.StatusBadRequest, "err_bad_encoding")
	}
	slug := normalizeSlug(clean.Line(d.Slug))
	if !db.ValidSlug(slug) {
		return again(fiber.StatusUnprocessableEntity, "admin_slug_invalid")
	}
	name := clean.Line(d.Name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return again(fiber.StatusUnprocessableEntity, "admin_name_invalid")
	}
	inst, ok := h.instrument(d.Instrument)
	if !ok {
		return again(fiber.StatusUnprocessableEntity, "admin_instrument_invalid")
	}
	cohort, err := h.store.CreateCohort(slug, name, inst.Ref())
	if errors.Is(err, db.ErrExists) {
		return again(fiber.StatusConflict, "admin_slug_taken")
	}
	if err != nil {
		return err
	}
	if !u.IsAdmin() {
		if err := h.store.AssignLead(u.ID, cohort.ID); err != nil {
			return err
		}
	}
	h.audit(u.Email, db.AuditCohortCreate, cohort.Slug, db.CohortCreateDetail(cohort))
	return h.redirectWith(c, cohortURL(cohort), "admin_flash_cohort_created", cohort.Name)
}

func cohortURL(c *db.Cohort) string { return "/admin/cohorts/" + strconv.FormatUint(uint64(c.ID), 10) }

type waveView struct {
	Name       string
	Label      string
	Open       bool
	Accepting  bool
	StartsAt   string
	EndsAt     string
	Started    int
	Submitted  int
	OpenedAt   string
	ClosedAt   string
	FormAction string
}

type cohortView struct {
	Cohort   *db.Cohort
	URL      string
	Link     string
	Waves    []waveView
	Stats    db.CohortStats
	Settings struct{ Retention, MinGroup int }
	// Bounds of the settings, for the form's own checks.
	Floor, MaxMinGroup, MaxRetention int
}

// participantLink is the address participants open for a cohort.
func (h *handler) participantLink(c *fiber.Ctx, cohort *db.Cohort) string {
	base := h.cfg.PublicURL
	if base == "" {
		base = c.BaseURL()
	}
	return strings.TrimRight(base, "/") + "/c/" + cohort.Slug
}

// showCohort shows a cohort's link, QR code, waves, counts and settings.
func (h *handler) showCohort(c *fiber.Ctx) error {
	return h.renderCohort(c, "")
}

func (h *handler) renderCohort(c *fiber.Ctx, message string) error {
	cohort := c.Locals("cohort").(*db.Cohort)
	stats, err := h.store.Stats(cohort.ID)
	if err != nil {
		return err
	}
	v := cohortView{Cohort: cohort, URL: cohortURL(cohort), Link: h.participantLink(c, cohort), Stats: stats,
		Floor: db.MinGroupFloor, MaxMinGroup: db.MaxMinGroup, MaxRetention: db.MaxRetention}
	v.Settings.Retention, v.Settings.MinGroup = cohort.RetentionDays, cohort.MinGroup
	now := time.Now()
	for _, w := range cohort.Waves {
		wv := waveView{Name: string(w.Name), Label: h.t(c, "wave_"+string(w.Name)+"_long"), Open: w.Open,
			Accepting: w.Open && w.Accepts(now), StartsAt: inputTime(w.StartsAt), EndsAt: inputTime(w.EndsAt),
			OpenedAt: shownTime(w.OpenedAt), ClosedAt: shownTime(w.ClosedAt),
			Started: stats.Started[w.Name], Submitted: stats.Submitted[w.Name],
			FormAction: v.URL + "/waves/" + string(w.Name)}
		v.Waves = append(v.Waves, wv)
	}
	return h.renderAdmin(c, "admin/cohort", "admin_cohort_title", v, message)
}

func inputTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(time.Local).Format(dateInput)
}

func shownTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(time.Local).Format("02.01.2006 15:04")
}

// parseInputTime reads a datetime-local field in the server's time zone; an
// empty field is no date.
func parseInputTime(s string) (*time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	t, err := time.ParseInLocation(dateInput, s, time.Local)
	if err != nil {
		return nil, false
	}
	return &t, true
}

// setWave opens or closes a wave and sets its dates.
func (h *handler) setWave(c *fiber.Ctx) error {
	u := c.Locals("user").(*db.User)
	cohort := c.Locals("cohort").(*db.Cohort)
	wave, ok := db.ParseWave(c.Params("wave"))
	if !ok {
		return errNotFound
	}
	starts, okStart := parseInputTime(c.FormValue("starts_at"))
	ends, okEnd := parseInputTime(c.FormValue("ends_at"))
	if !okStart || !okEnd {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderCohort(c, h.t(c, "admin_date_invalid"))
	}
	if starts != nil && ends != nil && !ends.After(*starts) {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderCohort(c, h.t(c, "admin_date_order"))
	}
	var open bool
	switch c.FormValue("action") {
	case "open":
		open = true
	case "close":
	default:
		return errBadForm
	}
	before, wasOpen := cohort.SwitchedOn()
	if err := h.store.SetWave(cohort.ID, wave, db.WaveSettings{Open: open, SetDates: true, StartsAt: starts, EndsAt: ends}); err != nil {
		return err
	}
	h.audit(u.Email, db.AuditWaveChange, cohort.Slug, fmt.Sprintf("%s starts=%s ends=%s",
		db.WaveChangeDetail(wave, open), inputTime(starts), inputTime(ends)))
	label := func(w db.Wave) string { return h.t(c, "wave_"+string(w)) }
	switch {
	case !open:
		return h.redirectWith(c, cohortURL(cohort), "admin_flash_wave_closed", label(wave))
	case wasOpen && before.Name == wave:
		return h.redirectWith(c, cohortURL(cohort), "admin_flash_wave_dates", label(wave))
	case wasOpen:
		// Opening one wave closed the other (db.Store.SetWave).
		return h.redirectWith(c, cohortURL(cohort), "admin_flash_wave_switched", label(wave), label(before.Name))
	case !(&db.CohortWave{StartsAt: starts, EndsAt: ends}).Accepts(time.Now()):
		return h.redirectWith(c, cohortURL(cohort), "admin_flash_wave_scheduled", label(wave))
	}
	return h.redirectWith(c, cohortURL(cohort), "admin_flash_wave_opened", label(wave))
}

// updateCohortSettings sets the retention period and the privacy threshold.
func (h *handler) updateCohortSettings(c *fiber.Ctx) error {
	u := c.Locals("user").(*db.User)
	cohort := c.Locals("cohort").(*db.Cohort)
	retention, err1 := strconv.Atoi(strings.TrimSpace(c.FormValue("retention_days")))
	minGroup, err2 := strconv.Atoi(strings.TrimSpace(c.FormValue("min_group")))
	if err1 != nil || err2 != nil || db.CheckCohortSettings(retention, minGroup) != nil {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderCohort(c, h.t(c, "admin_settings_invalid"))
	}
	if err := h.store.UpdateCohortSettings(cohort.ID, retention, minGroup); err != nil {
		return err
	}
	h.audit(u.Email, db.AuditCohortUpdate, cohort.Slug, fmt.Sprintf("retention_days=%d min_group=%d", retention, minGroup))
	if retention == 0 {
		return h.redirectWith(c, cohortURL(cohort), "admin_flash_settings_keep", strconv.Itoa(minGroup))
	}
	return h.redirectWith(c, cohortURL(cohort), "admin_flash_settings", strconv.Itoa(retention), strconv.Itoa(minGroup))
}

// cohortQR draws the participant link as a QR code to show in a classroom.
func (h *handler) cohortQR(c *fiber.Ctx) error {
	cohort := c.Locals("cohort").(*db.Cohort)
	png, err := qrcode.Encode(h.participantLink(c, cohort), qrcode.Medium, 512)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	c.Set(fiber.HeaderCacheControl, "private, max-age=300")
	return c.Send(png)
}

type posterView struct {
	Cohort *db.Cohort
	URL    string
	Link   string
	Start  string
}

// showPoster shows the QR code, link and short code large, for a projector
// or a printed notice.
func (h *handler) showPoster(c *fiber.Ctx) error {
	cohort := c.Locals("cohort").(*db.Cohort)
	link := h.participantLink(c, cohort)
	return h.renderAdmin(c, "admin/poster", "admin_poster_title", posterView{Cohort: cohort, URL: cohortURL(cohort), Link: link,
		Start: strings.TrimSuffix(link, "/c/"+cohort.Slug)}, "")
}
