package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"einordnung/db"
	"einordnung/questions"
)

var returnCodeShown = regexp.MustCompile(`<output>([0-9A-Z-]{19})</output>`)

// startPre takes a new participant into the pre wave and returns their
// return code as shown.
func (c *client) startPre(slug string, form url.Values) string {
	c.t.Helper()
	p := c.enter(slug, form)
	expect(c.t, p, http.StatusSeeOther)
	if p.Location != "/return-code" {
		c.t.Fatalf("code entry went to %q", p.Location)
	}
	p = c.follow(p)
	expect(c.t, p, http.StatusOK, "Rückkehrcode")
	m := returnCodeShown.FindStringSubmatch(p.Body)
	if m == nil {
		c.t.Fatalf("no return code shown: %s", excerpt(p.Body))
	}
	return m[1]
}

func TestPreWaveJourneySavesEveryPageAndShowsFeedback(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	c := e.client()

	expect(t, c.get("/"), http.StatusOK, "Kurzbezeichnung")
	p := c.get("/c?code=WS26")
	expect(t, p, http.StatusSeeOther)
	if p.Location != "/c/ws26" {
		t.Fatalf("short code went to %q", p.Location)
	}
	expect(t, c.follow(p), http.StatusOK, "Jahrgang ws26", "pseudonym", "Rückkehrcode")

	// Consent is required.
	expect(t, c.post("/c/ws26/consent", url.Values{}), http.StatusUnprocessableEntity, "Einwilligung")
	// The code form cannot be skipped to without consent.
	fresh := e.client()
	if p := fresh.get("/c/ws26/code"); p.Status != http.StatusSeeOther || p.Location != "/c/ws26" {
		t.Fatalf("code page without consent: %d %q", p.Status, p.Location)
	}

	// An unreadable code element is marked and nothing is created.
	p = c.enter("ws26", code("M", "K", "35", "H", "1", "A"))
	expect(t, p, http.StatusUnprocessableEntity, `aria-invalid="true"`, "markierten",
		`<div class="error-summary" id="code-error"`, `<li><a href="#ebirthday">`)
	if got := countRows(t, e, "participants"); got != 0 {
		t.Fatalf("%d participants after an invalid code", got)
	}

	returnCode := c.startPre("ws26", code("M", "K", "07", "H", "1", "A"))
	if _, ok := questions.NormalizeReturnCode(returnCode); !ok {
		t.Fatalf("shown return code %q does not read back", returnCode)
	}

	// Page 1 is saved when moving on; the participant can go back and sees it.
	pages := e.inst.Pages()
	p = c.follow(c.get("/survey"))
	if n := pageNumber(t, p); n != 1 {
		t.Fatalf("survey starts on page %d", n)
	}
	form := e.answers(pages[0], false, "7")
	form.Set("r_"+pages[0].Items[0].ID, "na")
	form.Set("_rev", rev(t, p))
	form.Set("nav", "next")
	p = c.follow(c.post("/survey/1", form))
	if n := pageNumber(t, p); n != 2 {
		t.Fatalf("after saving page 1 the participant is on page %d", n)
	}
	answers := answersOf(t, e, c)
	if len(answers) != len(pages[0].Items) {
		t.Fatalf("saved %d answers, want %d", len(answers), len(pages[0].Items))
	}
	for _, a := range answers {
		want := "7"
		if a.Item == pages[0].Items[0].ID {
			if a.Value != nil {
				t.Fatalf("keine Angabe stored as %q", *a.Value)
			}
			continue
		}
		if a.Value == nil || *a.Value != want {
			t.Fatalf("answer %s = %v, want %s", a.Item, a.Value, want)
		}
	}
	back := url.Values{"_rev": {rev(t, p)}, "nav": {"back"}}
	for k, v := range e.answers(pages[1], false, "5") {
		back[k] = v
	}
	p = c.follow(c.post("/survey/2", back))
	if n := pageNumber(t, p); n != 1 {
		t.Fatalf("back went to page %d", n)
	}
	if !strings.Contains(p.Body, `value="7" checked`) || !strings.Contains(p.Body, `value="na" checked`) {
		t.Fatalf("page 1 does not show the saved answers: %s", excerpt(p.Body))
	}

	// Finish everything; the feedback page has the chart data and the table.
	p = c.finish(false, "8")
	expect(t, p, http.StatusOK, "Ihre persönliche Rückmeldung", `data-chart="chart-profile"`,
		`<script type="application/json" id="chart-profile">`, "/static/vendor/echarts.min.js", "<table")
	for _, d := range e.inst.Dimensions {
		if !strings.Contains(p.Body, d.Title.In("de")) {
			t.Fatalf("feedback lacks dimension %q", d.Title.In("de"))
		}
	}
	if !strings.Contains(p.Body, "8,0") {
		t.Fatalf("feedback lacks the score 8,0: %s", excerpt(p.Body))
	}
	assertNoExternalScripts(t, p.Body)

	// A submitted response cannot be changed.
	late := url.Values{"_rev": {"0"}, "nav": {"next"}, "r_" + pages[0].Items[0].ID: {"1"}}
	expect(t, c.post("/survey/1", late), http.StatusConflict, "bereits abgeschickt")

	// Resuming with the return code on another device opens the feedback.
	other := e.client()
	other.get("/")
	p = other.post("/resume", url.Values{"return_code": {strings.ToLower(strings.ReplaceAll(returnCode, "-", " "))}})
	expect(t, p, http.StatusSeeOther)
	if p.Location != "/feedback" {
		t.Fatalf("return code after submission went to %q", p.Location)
	}
	expect(t, other.follow(p), http.StatusOK, "Ihre persönliche Rückmeldung")
}

func TestResumeWithReturnCodeReturnsToThePageLeft(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	c := e.client()
	returnCode := c.startPre("ws26", code("A", "B", "1", "C", "0", "D"))
	pages := e.inst.Pages()
	p := c.follow(c.get("/survey"))
	for n := 1; n <= 3; n++ {
		form := e.answers(pages[n-1], false, "4")
		form.Set("_rev", rev(t, p))
		form.Set("nav", "next")
		p = c.follow(c.post(pageURL(n), form))
	}

	phone := e.client()
	phone.get("/")
	p = phone.follow(phone.post("/resume", url.Values{"return_code": {returnCode}}))
	p = phone.follow(p)
	if n := pageNumber(t, p); n != 4 {
		t.Fatalf("resumed on page %d, want 4", n)
	}
	// Pages already saved can be revisited; pages not reached cannot.
	expect(t, phone.get("/survey/2"), http.StatusOK, `value="4" checked`)
	expect(t, phone.get("/survey/6"), http.StatusForbidden, "vorherigen Seiten")
	expect(t, phone.get("/survey/99"), http.StatusNotFound)
	expect(t, phone.get("/survey/0"), http.StatusNotFound)
	expect(t, phone.get("/survey/x"), http.StatusNotFound)
}

func TestPostWaveCodeMatching(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	// Two people whose codes differ in one element only.
	e.client().startPre("ws26", code("M", "K", "7", "H", "1", "A"))
	e.client().startPre("ws26", code("M", "K", "7", "H", "2", "A"))
	if err := e.store.SetWaveOpen("ws26", db.Post, true); err != nil {
		t.Fatal(err)
	}

	t.Run("fits two people within one element: matched to neither", func(t *testing.T) {
		c := e.client()
		p := c.enter("ws26", code("M", "K", "7", "H", "3", "A"))
		expect(t, p, http.StatusConflict, "mehr als einer Person", `name="return_code"`)
		if n := countRows(t, e, "responses"); n != 2 {
			t.Fatalf("%d responses after an ambiguous code, want 2", n)
		}
	})
	t.Run("two elements differ: not matched, offered to go on unlinked", func(t *testing.T) {
		c := e.client()
		form := code("X", "Y", "7", "H", "1", "A")
		p := c.enter("ws26", form)
		expect(t, p, http.StatusOK, "keine Teilnahme", "Ohne Verknüpfung teilnehmen")
		if n := countRows(t, e, "participants"); n != 2 {
			t.Fatalf("%d participants before confirming, want 2", n)
		}
		form.Set("confirm_new", "yes")
		p = c.post("/c/ws26/code", form)
		expect(t, p, http.StatusSeeOther)
		if p.Location != "/return-code" {
			t.Fatalf("unlinked participant went to %q", p.Location)
		}
		if n := countRows(t, e, "participants"); n != 3 {
			t.Fatalf("%d participants after confirming, want 3", n)
		}
	})
	t.Run("exact code of one person in pre wave is refused", func(t *testing.T) {
		if err := e.store.SetWaveOpen("ws26", db.Pre, true); err != nil {
			t.Fatal(err)
		}
		p := e.client().enter("ws26", code("M", "K", "7", "H", "1", "A"))
		expect(t, p, http.StatusConflict, "schon eine Teilnahme")
	})
}

func TestDeleteWithReturnCodeRemovesEverything(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	c := e.client()
	returnCode := c.startPre("ws26", code("M", "K", "7", "H", "1", "A"))
	c.finish(false, "6")
	if countRows(t, e, "answers") == 0 {
		t.Fatal("no answers stored")
	}

	expect(t, c.get("/delete"), http.StatusOK, "Rückkehrcode")
	expect(t, c.post("/delete", url.Values{"return_code": {"ZZZZ-ZZZZ-ZZZZ-ZZZZ"}}), http.StatusNotFound, "nichts gefunden")
	expect(t, c.post("/delete", url.Values{"return_code": {"kurz"}}), http.StatusUnprocessableEntity, "16 Zeichen")
	p := c.post("/delete", url.Values{"return_code": {returnCode}})
	expect(t, p, http.StatusOK, "Endgültig löschen", returnCode)
	if countRows(t, e, "participants") != 1 {
		t.Fatal("the confirm step already deleted")
	}
	expect(t, c.post("/delete/confirm", url.Values{"return_code": {returnCode}}), http.StatusOK, "gelöscht")
	for _, table := range []string{"participants", "responses", "answers"} {
		if n := countRows(t, e, table); n != 0 {
			t.Fatalf("%d rows left in %s", n, table)
		}
	}
	expect(t, c.get("/feedback"), http.StatusForbidden)
	expect(t, c.post("/resume", url.Values{"return_code": {returnCode}}), http.StatusNotFound)
}

// A participant who deletes their data on one device leaves the other
// device's session without anyone behind it: its questionnaire says so and
// stores nothing.
func TestDeletionEndsTheQuestionnaireOnOtherDevices(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	phone := e.client()
	returnCode := phone.startPre("ws26", code("M", "K", "7", "H", "1", "A"))
	form := phone.firstPage("6")

	laptop := e.client()
	laptop.get("/")
	expectRedirect(t, laptop.post("/resume", url.Values{"return_code": {returnCode}}), "/survey")
	expect(t, laptop.get("/survey/1"), http.StatusOK)

	expect(t, phone.post("/delete/confirm", url.Values{"return_code": {returnCode}}), http.StatusOK, "gelöscht")
	expect(t, laptop.get("/survey/1"), http.StatusForbidden)
	form.Set("_csrf", laptop.csrf)
	expect(t, laptop.post("/survey/1", form), http.StatusForbidden)
	for _, table := range []string{"participants", "responses", "answers"} {
		if n := countRows(t, e, table); n != 0 {
			t.Errorf("%d rows in %s after the deletion", n, table)
		}
	}
}

func TestEnglishOnRequest(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	c := e.client()
	expect(t, c.get("/c/ws26?lang=en"), http.StatusOK, `lang="en"`, "What is stored", e.inst.Description.In("en"))
	// The choice is remembered.
	expect(t, c.get("/"), http.StatusOK, "Short code of your cohort", `href="/?lang=de"`)
}

// assertNoExternalScripts fails if a page loads a script or stylesheet from
// anywhere but the app itself.
func assertNoExternalScripts(t *testing.T, body string) {
	t.Helper()
	for _, m := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		if strings.Contains(m[1], "//") {
			t.Fatalf("page references an external URL %q", m[1])
		}
	}
}

// answersOf returns every stored answer (the tests that use it have one
// participant).
func answersOf(t *testing.T, e *env, c *client) []db.Answer {
	t.Helper()
	rows, err := e.sql.Query("SELECT item, retro, kind, value FROM answers ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var all []db.Answer
	for rows.Next() {
		var a db.Answer
		if err := rows.Scan(&a.Item, &a.Retro, &a.Kind, &a.Value); err != nil {
			t.Fatal(err)
		}
		all = append(all, a)
	}
	return all
}

func countRows(t *testing.T, e *env, table string) int64 {
	t.Helper()
	var n int64
	if err := e.sql.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPreParticipantReturningWhenPostOpensStartsWithConsent(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	c := e.client()
	returnCode := c.startPre("ws26", code("M", "K", "7", "H", "1", "A"))
	c.finish(false, "5")
	if err := e.store.SetWaveOpen("ws26", db.Post, true); err != nil {
		t.Fatal(err)
	}
	// Same browser, still signed in: the questionnaire sends them to the post wave's consent.
	p := c.get("/survey")
	if p.Status != http.StatusSeeOther || p.Location != "/c/ws26" {
		t.Fatalf("survey with a new wave open: %d %q", p.Status, p.Location)
	}
	// With the return code on another device: consent, then straight into the post questionnaire.
	other := e.client()
	other.get("/")
	p = other.post("/resume", url.Values{"return_code": {returnCode}})
	if p.Status != http.StatusSeeOther || p.Location != "/c/ws26" {
		t.Fatalf("return code with post open: %d %q", p.Status, p.Location)
	}
	other.follow(p)
	p = other.post("/c/ws26/consent", url.Values{"agree": {"yes"}})
	if p.Status != http.StatusSeeOther || p.Location != "/survey" {
		t.Fatalf("consent of a known participant: %d %q", p.Status, p.Location)
	}
	p = other.finish(true, "9")
	expect(t, p, http.StatusOK, "Nachher", "9,0", "5,0")
	if n := countRows(t, e, "participants"); n != 1 {
		t.Fatalf("%d participants, want 1", n)
	}
}
