package app

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"einordnung/db"
	"einordnung/questions"
)

// The leads' area for instruments: every lead sees, previews and
// downloads them (and chooses one for a new cohort); administrators upload
// them and write new versions. A version once stored never changes
// (ImportInstrument refuses the same reference with other content).

type instrumentsView struct {
	Rows     []InstrumentRow
	Problems []string
	Stored   string // the reference just stored
}

// listInstruments lists every instrument with the cohorts (the user may
// see) that use it.
func (h *handler) listInstruments(c *fiber.Ctx) error {
	return h.renderInstruments(c, instrumentsView{}, "")
}

func (h *handler) renderInstruments(c *fiber.Ctx, v instrumentsView, message string) error {
	u := c.Locals("user").(*db.User)
	cohorts, err := h.store.CohortsFor(u)
	if err != nil {
		return err
	}
	if v.Rows, err = InstrumentRows(h.instruments(), cohorts); err != nil {
		return err
	}
	return h.renderAdmin(c, "admin/instruments", "instruments_title", v, message)
}

// uploadInstrument checks an uploaded instrument file as "instrument
// validate" does and stores it as "instrument import" does.
func (h *handler) uploadInstrument(c *fiber.Ctx) error {
	file, err := c.FormFile("file")
	if err != nil {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderInstruments(c, instrumentsView{}, h.t(c, "import_no_file"))
	}
	f, err := file.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	in, problems, err := h.importInstrument(c, file.Filename, data)
	if err != nil {
		return err
	}
	if problems != nil {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderInstruments(c, instrumentsView{Problems: problems}, h.t(c, "instrument_rejected"))
	}
	return h.renderInstruments(c, instrumentsView{Stored: in.Ref()}, "")
}

// importInstrument stores a file through ImportInstrument, audits it and
// adds it to the running server's instruments. What is wrong with the file
// comes back as problems, one a line; err is a failure of the server.
func (h *handler) importInstrument(c *fiber.Ctx, name string, data []byte) (in *questions.Instrument, problems []string, err error) {
	if !utf8.Valid(data) {
		return nil, []string{name + ": " + h.t(c, "err_bad_encoding")}, nil
	}
	in, created, err := ImportInstrument(h.store, name, data)
	var ps questions.Problems
	switch {
	case errors.As(err, &ps):
		for _, p := range ps {
			problems = append(problems, p.String())
		}
		return nil, problems, nil
	case err != nil:
		return nil, nil, err
	}
	if created {
		u := c.Locals("user").(*db.User)
		h.audit(u.Email, db.AuditInstrumentImport, in.Ref(), fmt.Sprintf("file=%q bytes=%d", name, len(data)))
	}
	// The running server takes it at once (so does any other instance as
	// soon as it is asked for it).
	if _, ok := h.instrument(in.Ref()); !ok {
		return nil, nil, fmt.Errorf("app: instrument %s stored but not loaded", in.Ref())
	}
	return in, nil, nil
}

// instrumentFor is the instrument named by the route's :ref.
func (h *handler) instrumentFor(c *fiber.Ctx) (*questions.Instrument, error) {
	ref, err := url.PathUnescape(c.Params("ref"))
	if err != nil {
		return nil, errNotFound
	}
	in, ok := h.instrument(ref)
	if !ok {
		return nil, errNotFound
	}
	return in, nil
}

func instrumentURL(in *questions.Instrument) string {
	return "/admin/instruments/" + url.PathEscape(in.Ref())
}

// previewURL is the preview of page index (from 0) of a wave in a
// language. The language is ?in=, not ?lang=: the lead's own language
// (its cookie) stays as it was after looking at an English page.
func previewURL(in *questions.Instrument, wave db.Wave, index int, lang string) string {
	return instrumentURL(in) + "/preview/" + string(wave) + "/" + strconv.Itoa(index+1) + "?in=" + lang
}

type previewLink struct {
	Lang, Wave, URL string
}

type previewPageRow struct {
	Number int
	Title  string
	Links  []previewLink
}

type instrumentView struct {
	Inst     *questions.Instrument
	URL      string
	Builtin  bool
	Cohorts  []string
	Pages    []previewPageRow
	FileName string
}

// showInstrument shows an instrument: what it has, its pages with their
// previews in every language and wave, the download and a new version.
func (h *handler) showInstrument(c *fiber.Ctx) error {
	in, err := h.instrumentFor(c)
	if err != nil {
		return err
	}
	u := c.Locals("user").(*db.User)
	cohorts, err := h.store.CohortsFor(u)
	if err != nil {
		return err
	}
	rows, err := InstrumentRows(h.instruments(), cohorts)
	if err != nil {
		return err
	}
	v := instrumentView{Inst: in, URL: instrumentURL(in), FileName: InstrumentFileName(in)}
	for _, r := range rows {
		if r.Inst == in {
			v.Builtin, v.Cohorts = r.Builtin, r.Cohorts
		}
	}
	for i := range in.Pages() {
		pv := h.questionnairePage(c, in, i, db.Pre, nil, nil)
		row := previewPageRow{Number: i + 1, Title: pv.Title}
		for _, l := range in.Languages {
			for _, w := range []db.Wave{db.Pre, db.Post} {
				row.Links = append(row.Links, previewLink{Lang: l, Wave: msg(lang(c), "wave_"+string(w)), URL: previewURL(in, w, i, l)})
			}
		}
		v.Pages = append(v.Pages, row)
	}
	return h.renderAdmin(c, "admin/instrument", "instrument_title", v, "")
}

// previewInstrument shows one page of an instrument in the request's
// language exactly as a participant sees it, filled in with nothing and
// sent nowhere: no participant, no response, nothing stored.
func (h *handler) previewInstrument(c *fiber.Ctx) error {
	in, err := h.instrumentFor(c)
	if err != nil {
		return err
	}
	wave, ok := db.ParseWave(c.Params("wave"))
	if !ok {
		return errNotFound
	}
	n, err := strconv.Atoi(c.Params("page"))
	if err != nil || n < 1 || n > len(in.Pages()) {
		return errNotFound
	}
	if l := c.Query("in"); slices.Contains(in.Languages, l) {
		c.Locals("langPref", l)
	}
	speak(c, in)
	v := h.questionnairePage(c, in, n-1, wave, nil, nil)
	v.Preview, v.CohortName, v.BackURL = true, in.Title.In(textLang(c)), instrumentURL(in)
	if n > 1 {
		v.PrevURL = previewURL(in, wave, n-2, textLang(c))
	}
	if n < len(in.Pages()) {
		v.NextURL = previewURL(in, wave, n, textLang(c))
	}
	return h.render(c, "pages/survey", "preview_title", v)
}

// downloadInstrument sends an instrument's file byte for byte.
func (h *handler) downloadInstrument(c *fiber.Ctx) error {
	in, err := h.instrumentFor(c)
	if err != nil {
		return err
	}
	u := c.Locals("user").(*db.User)
	h.audit(u.Email, db.AuditInstrumentExport, in.Ref(), "download")
	name := InstrumentFileName(in)
	c.Attachment(name)
	c.Set(fiber.HeaderContentType, "application/yaml; charset=utf-8")
	if name[len(name)-5:] == ".json" {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	}
	return c.Send(in.Source())
}

type newVersionView struct {
	Base     *questions.Instrument
	URL      string
	Text     string
	Problems []string
}

// showNewVersion is the editor for a new version from an instrument: its
// file with the version raised.
func (h *handler) showNewVersion(c *fiber.Ctx) error {
	in, err := h.instrumentFor(c)
	if err != nil {
		return err
	}
	v := newVersionView{Base: in, URL: instrumentURL(in), Text: string(NextVersionText(h.instruments(), in))}
	return h.renderAdmin(c, "admin/instrument_edit", "instrument_new_version", v, "")
}

// saveNewVersion checks the edited text and stores it as a new instrument;
// with problems the editor comes back with them and the text as typed.
func (h *handler) saveNewVersion(c *fiber.Ctx) error {
	in, err := h.instrumentFor(c)
	if err != nil {
		return err
	}
	// Browsers send a textarea's lines ended by CRLF; the file keeps the
	// LF it was written with.
	v := newVersionView{Base: in, URL: instrumentURL(in), Text: strings.ReplaceAll(c.FormValue("content"), "\r\n", "\n")}
	stored, problems, err := h.importInstrument(c, h.t(c, "instrument_editor_file"), []byte(v.Text))
	if err != nil {
		return err
	}
	if problems != nil {
		v.Problems = problems
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderAdmin(c, "admin/instrument_edit", "instrument_new_version", v, h.t(c, "instrument_rejected"))
	}
	return h.redirectWith(c, instrumentURL(stored), "admin_flash_instrument", stored.Ref())
}
