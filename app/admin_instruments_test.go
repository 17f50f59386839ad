package app_test

import (
	"bytes"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"einordnung/app"
	"einordnung/db"
	"einordnung/questions"
)

// probeFile is the small instrument of the import tests: probe@3, two
// dimensions on a 1–5 scale, a knowledge page and a background page.
func probeFile(t *testing.T) []byte {
	t.Helper()
	probe, err := os.ReadFile("../questions/testdata/probe-v3.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return probe
}

// importProbe stores probe@3 and adds it to the server's instruments, as
// the server does at start.
func (e *env) importProbe() {
	e.t.Helper()
	in, _, err := app.ImportInstrument(e.store, "probe-v3.yaml", probeFile(e.t))
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.set.Add(in); err != nil {
		e.t.Fatal(err)
	}
}

// uploadInstrument sends the upload form with the browser's token.
func (c *client) uploadInstrument(name string, content []byte) reply {
	c.t.Helper()
	return c.do(multipartImport("/admin/instruments/import", c.csrf, name, content))
}

func TestInstrumentListShowsImportedWithCohorts(t *testing.T) {
	e := newEnv(t)
	e.importProbe()
	mine, err := e.store.CreateCohort("probe26", "Jahrgang Probe", "probe@3")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.CreateCohort("fremd", "Fremder Jahrgang", "probe@3"); err != nil {
		t.Fatal(err)
	}
	e.account("lead@example.org", db.RoleLead, leadPassword, false, mine.ID)
	e.account("admin@example.org", db.RoleAdmin, adminPassword, false)

	admin := e.signIn(t, "admin@example.org", adminPassword)
	p := admin.get("/admin/cohorts")
	expect(t, p, http.StatusOK, `href="/admin/instruments"`)
	p = admin.get("/admin/instruments")
	expect(t, p, http.StatusOK, "probe@3", "importiert", "einordnung@1", "eingebaut",
		"<code>fremd</code>, <code>probe26</code>", `action="/admin/instruments/import"`)

	// A lead sees every instrument but only their own cohorts, and no upload.
	lead := e.signIn(t, "lead@example.org", leadPassword)
	p = lead.get("/admin/instruments")
	expect(t, p, http.StatusOK, "probe@3", "<code>probe26</code>")
	if strings.Contains(p.Body, "fremd") || strings.Contains(p.Body, `action="/admin/instruments/import"`) {
		t.Errorf("a lead's list shows another lead's cohort or the upload form: %s", excerpt(p.Body))
	}
}

func TestInstrumentUploadOfABrokenFileStoresNothing(t *testing.T) {
	e := newEnv(t)
	e.account("admin@example.org", db.RoleAdmin, adminPassword, false)
	admin := e.signIn(t, "admin@example.org", adminPassword)
	expect(t, admin.get("/admin/instruments"), http.StatusOK)

	broken := bytes.Replace(probeFile(t), []byte("dimension: beta, text"), []byte("dimension: gamma, text"), 1)
	broken = bytes.Replace(broken, []byte(`en: "The sun is a star."`), []byte(`en: ""`), 1)
	p := admin.uploadInstrument("kaputt.yaml", broken)
	// The same messages, with the same lines, as "instrument validate".
	expect(t, p, http.StatusUnprocessableEntity, "Es wurde nichts gespeichert",
		html.EscapeString("kaputt.yaml:23: Item beta_one: die Dimension „gamma“ gibt es nicht"),
		"kaputt.yaml:26: Wissensfrage kn_sun: englischer Text (en) fehlt")
	if n := countRows(t, e, "instrument_files"); n != 0 {
		t.Errorf("%d instrument files stored after a broken upload", n)
	}
	if got := audited(t, e, db.AuditInstrumentImport); len(got) != 0 {
		t.Errorf("a broken upload is audited as an import: %+v", got)
	}
	// Built-in references cannot be replaced.
	builtin, _ := os.ReadFile("../questions/instruments/einordnung-v1.yaml")
	expect(t, admin.uploadInstrument("eigen.yaml", builtin), http.StatusUnprocessableEntity, "einordnung@1 ist eingebaut")
	if n := countRows(t, e, "instrument_files"); n != 0 {
		t.Errorf("%d instrument files stored after uploading a built-in one", n)
	}
}

func TestInstrumentUploadThenCohortWithIt(t *testing.T) {
	e := newEnv(t)
	e.account("admin@example.org", db.RoleAdmin, adminPassword, false)
	admin := e.signIn(t, "admin@example.org", adminPassword)
	expect(t, admin.get("/admin/instruments"), http.StatusOK)

	p := admin.uploadInstrument("probe-v3.yaml", probeFile(t))
	expect(t, p, http.StatusOK, "Gespeichert: <code>probe@3</code>")
	if n := countRows(t, e, "instrument_files"); n != 1 {
		t.Fatalf("%d instrument files stored, want 1", n)
	}
	if got := audited(t, e, db.AuditInstrumentImport); len(got) != 1 || got[0].Target != "probe@3" || got[0].Actor != "admin@example.org" {
		t.Errorf("audit of the upload: %+v", got)
	}
	// The running server sees it at once: the cohort form offers it.
	expect(t, admin.get("/admin/cohorts/new"), http.StatusOK, `<option value="probe@3">probe@3</option>`)
	p = admin.post("/admin/cohorts", url.Values{"slug": {"probe26"}, "name": {"Jahrgang Probe"}, "instrument": {"probe@3"}})
	expect(t, p, http.StatusSeeOther)
	cohort, err := e.store.CohortBySlug("probe26")
	if err != nil || cohort.Instrument != "probe@3" {
		t.Fatalf("cohort created with the upload: %+v, %v", cohort, err)
	}
	// And a participant answers it.
	if err := e.store.SetWaveOpen("probe26", db.Pre, true); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	expect(t, c.enter("probe26", code("M", "K", "7", "H", "1", "A")), http.StatusSeeOther)
	expect(t, c.get(pageURL(1)), http.StatusOK, "Ich lese Anleitungen.", `name="r_alpha_one"`)

	// The same file again is no change, and is not audited again.
	expect(t, admin.get("/admin/instruments"), http.StatusOK)
	expect(t, admin.uploadInstrument("probe-v3.yaml", probeFile(t)), http.StatusOK, "Gespeichert: <code>probe@3</code>")
	if got := audited(t, e, db.AuditInstrumentImport); len(got) != 1 {
		t.Errorf("%d import entries after the same file twice, want 1", len(got))
	}
}

func TestLeadSeesAndChoosesInstrumentsButCannotUpload(t *testing.T) {
	e := newEnv(t)
	e.importProbe()
	e.account("lead@example.org", db.RoleLead, leadPassword, false)
	lead := e.signIn(t, "lead@example.org", leadPassword)
	expect(t, lead.get("/admin/instruments"), http.StatusOK, "probe@3")

	other := bytes.Replace(probeFile(t), []byte("version: 3"), []byte("version: 9"), 1)
	expect(t, lead.uploadInstrument("probe-v9.yaml", other), http.StatusForbidden)
	expect(t, lead.get("/admin/instruments/probe@3/new"), http.StatusForbidden)
	expect(t, lead.post("/admin/instruments/probe@3/new", url.Values{"content": {string(other)}}), http.StatusForbidden)
	if n := countRows(t, e, "instrument_files"); n != 1 {
		t.Errorf("%d instrument files after a lead's uploads, want the 1 imported", n)
	}

	p := lead.get("/admin/instruments/probe@3")
	expect(t, p, http.StatusOK, "/admin/instruments/probe@3/preview/pre/1?in=de", "/admin/instruments/probe@3/file")
	if strings.Contains(p.Body, "/admin/instruments/probe@3/new") {
		t.Errorf("a lead is offered the new-version editor")
	}
	expect(t, lead.get("/admin/instruments/probe@3/preview/post/1?lang=de"), http.StatusOK, "Ich lese Anleitungen.")
	expect(t, lead.get("/admin/instruments/probe@3/file"), http.StatusOK, "id: probe")
	expect(t, lead.get("/admin/cohorts/new"), http.StatusOK, `<option value="probe@3">probe@3</option>`)
	p = lead.post("/admin/cohorts", url.Values{"slug": {"probe26"}, "name": {"Jahrgang Probe"}, "instrument": {"probe@3"}})
	expect(t, p, http.StatusSeeOther)
	expect(t, lead.get("/admin/instruments"), http.StatusOK, "<code>probe26</code>")
}

func TestInstrumentPreviewShowsEveryPageAndStoresNothing(t *testing.T) {
	e := newEnv(t)
	e.importProbe()
	e.account("admin@example.org", db.RoleAdmin, adminPassword, false)
	admin := e.signIn(t, "admin@example.org", adminPassword)
	tables := []string{"participants", "responses", "answers", "sessions", "audit_entries", "instrument_files"}
	before := map[string]int64{}
	for _, table := range tables {
		before[table] = countRows(t, e, table)
	}

	inst, _ := e.set.Get("probe@3")
	pages := inst.Pages()
	if len(pages) != 4 {
		t.Fatalf("probe@3 has %d pages, want 4", len(pages))
	}
	for _, lang := range []string{"de", "en"} {
		note := map[string]string{"de": "Vorschau – nichts wird gespeichert", "en": "Preview – nothing is saved"}[lang]
		for _, wave := range []string{"pre", "post"} {
			for i, pg := range pages {
				path := "/admin/instruments/probe@3/preview/" + wave + "/" + string(rune('1'+i)) + "?in=" + lang
				p := admin.get(path)
				var want []string
				for _, it := range pg.Items {
					want = append(want, html.EscapeString(it.Text.In(lang)), `name="r_`+it.ID+`"`)
					if wave == "post" {
						want = append(want, `name="t_`+it.ID+`"`)
					}
				}
				if pg.Kind == "knowledge" {
					for _, k := range inst.Knowledge {
						want = append(want, html.EscapeString(k.Text.In(lang)))
					}
				}
				if pg.Kind == "background" {
					for _, q := range inst.Background {
						want = append(want, html.EscapeString(q.Text.In(lang)))
					}
				}
				expect(t, p, http.StatusOK, append(want, note, `<form class="survey preview"`, "disabled")...)
				// The page's form is sent nowhere: no action, no token, no revision.
				form := p.Body[strings.Index(p.Body, `<form class="survey preview"`):]
				form = form[:strings.Index(form, "</form>")]
				for _, bad := range []string{"action=", `method="post"`, `name="_csrf"`, `name="_rev"`} {
					if strings.Contains(form, bad) {
						t.Errorf("%s: the preview's form has %s", path, bad)
					}
				}
				if wave == "pre" && strings.Contains(p.Body, `name="t_`) {
					t.Errorf("%s: the before survey shows retrospective ratings", path)
				}
			}
		}
	}
	expect(t, admin.get("/admin/instruments/probe@3/preview/pre/5?in=de"), http.StatusNotFound)
	// The lead's own language stays German after the English pages.
	expect(t, admin.get("/admin/instruments"), http.StatusOK, "Fragebögen")
	expect(t, admin.get("/admin/instruments/nichts@1/preview/pre/1"), http.StatusNotFound)
	for _, table := range tables {
		if n := countRows(t, e, table); n != before[table] {
			t.Errorf("%s: %d rows after the previews, %d before", table, n, before[table])
		}
	}
}

func TestInstrumentDownloadIsTheFile(t *testing.T) {
	e := newEnv(t)
	e.importProbe()
	e.account("lead@example.org", db.RoleLead, leadPassword, false)
	lead := e.signIn(t, "lead@example.org", leadPassword)
	resp, body := lead.full(httptest.NewRequest(http.MethodGet, "/admin/instruments/probe@3/file", nil))
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, probeFile(t)) {
		t.Fatalf("download: %d, %d bytes, want the %d bytes of the file", resp.StatusCode, len(body), len(probeFile(t)))
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="probe-v3.yaml"`) {
		t.Errorf("Content-Disposition %q, want the file name probe-v3.yaml", cd)
	}
	if got := audited(t, e, db.AuditInstrumentExport); len(got) != 1 || got[0].Target != "probe@3" {
		t.Errorf("audit of the download: %+v", got)
	}
}

func TestNewInstrumentVersionInTheEditor(t *testing.T) {
	e := newEnv(t)
	e.importProbe()
	e.account("admin@example.org", db.RoleAdmin, adminPassword, false)
	admin := e.signIn(t, "admin@example.org", adminPassword)

	p := admin.get("/admin/instruments/probe@3/new")
	expect(t, p, http.StatusOK, `<textarea id="content" name="content"`, "version: 4", html.EscapeString("Ich lese Anleitungen."))
	next := string(app.NextVersionText(e.set, mustGet(t, e, "probe@3")))
	if !strings.Contains(next, "version: 4\n") || strings.Replace(next, "version: 4", "version: 3", 1) != string(probeFile(t)) {
		t.Fatalf("the editor's text is not the file with only its version raised:\n%s", next)
	}

	// Invalid: the problems with their lines above the text, kept as typed.
	typed := strings.Replace(next, "dimension: beta, text", "dimension: gamma, text", 1) + "# meine Notiz <b>\n"
	p = admin.post("/admin/instruments/probe@3/new", url.Values{"content": {typed}})
	expect(t, p, http.StatusUnprocessableEntity, "Es wurde nichts gespeichert",
		html.EscapeString("Text:23: Item beta_one: die Dimension „gamma“ gibt es nicht"),
		">"+html.EscapeString(typed)+"</textarea>")
	if strings.Index(p.Body, "Text:23:") > strings.Index(p.Body, "<textarea") {
		t.Errorf("the problems are not above the text")
	}
	if n := countRows(t, e, "instrument_files"); n != 1 {
		t.Fatalf("%d instrument files after an invalid version, want 1", n)
	}

	// Valid: stored as probe@4, at once in the server's instruments.
	changed := strings.Replace(next, "Ich rate.", "Ich rate oft.", 1)
	// As a browser sends a textarea: lines ended by CRLF.
	p = admin.post("/admin/instruments/probe@3/new", url.Values{"content": {strings.ReplaceAll(changed, "\n", "\r\n")}})
	expectRedirect(t, p, "/admin/instruments/probe@4")
	expect(t, admin.follow(p), http.StatusOK, "probe@4", "/admin/instruments/probe@4/preview/pre/1?in=de")
	files, err := e.store.InstrumentFiles()
	if err != nil || len(files) != 2 || files[1].Ref != "probe@4" || string(files[1].Content) != changed {
		t.Fatalf("stored after the new version: %+v, %v", files, err)
	}
	if got := audited(t, e, db.AuditInstrumentImport); len(got) != 1 || got[0].Target != "probe@4" {
		t.Errorf("audit of the new version: %+v", got)
	}
	// The editor of probe@3 now starts at version 5.
	expect(t, admin.get("/admin/instruments/probe@3/new"), http.StatusOK, "version: 5")

	// A version never changes: probe@4 with other content is refused.
	other := strings.Replace(changed, "Ich rate oft.", "Ich rate nie.", 1)
	p = admin.post("/admin/instruments/probe@3/new", url.Values{"content": {other}})
	expect(t, p, http.StatusUnprocessableEntity, "probe@4 ist bereits mit anderem Inhalt gespeichert", html.EscapeString("Ich rate nie."))
	if files, _ := e.store.InstrumentFiles(); len(files) != 2 || string(files[1].Content) != changed {
		t.Errorf("probe@4 changed by a second save")
	}
}

func mustGet(t *testing.T, e *env, ref string) *questions.Instrument {
	t.Helper()
	in, ok := e.set.Get(ref)
	if !ok {
		t.Fatalf("%s is not in the set", ref)
	}
	return in
}

// TestInstrumentUploadedOnOneInstanceWorksOnAnother: two servers on one
// database, each with the instruments it loaded at start; one uploaded on
// A is chosen for a cohort on B and answered there.
func TestInstrumentUploadedOnOneInstanceWorksOnAnother(t *testing.T) {
	a := newEnv(t)
	setB, err := app.LoadInstruments(a.store)
	if err != nil {
		t.Fatal(err)
	}
	webB, err := app.New(app.Config{Secret: testSecret}, a.store, setB)
	if err != nil {
		t.Fatal(err)
	}
	b := &env{t: t, app: webB, store: a.store, dsn: a.dsn, sql: a.sql, set: setB, inst: a.inst, demoDay: fixedDemoDay}
	a.account("admin@example.org", db.RoleAdmin, adminPassword, false)
	onA := a.signIn(t, "admin@example.org", adminPassword)
	expect(t, onA.get("/admin/instruments"), http.StatusOK)
	expect(t, onA.uploadInstrument("probe-v3.yaml", probeFile(t)), http.StatusOK, "Gespeichert: <code>probe@3</code>")

	onB := b.signIn(t, "admin@example.org", adminPassword)
	expect(t, onB.get("/admin/cohorts/new"), http.StatusOK, `<option value="probe@3">probe@3</option>`)
	expect(t, onB.post("/admin/cohorts", url.Values{"slug": {"probe26"}, "name": {"Jahrgang Probe"}, "instrument": {"probe@3"}}), http.StatusSeeOther)
	if err := a.store.SetWaveOpen("probe26", db.Pre, true); err != nil {
		t.Fatal(err)
	}
	c := b.client()
	expect(t, c.enter("probe26", code("M", "K", "7", "H", "1", "A")), http.StatusSeeOther)
	expect(t, c.get(pageURL(1)), http.StatusOK, "Ich lese Anleitungen.")
}
