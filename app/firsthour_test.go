package app_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"einordnung/db"
	"einordnung/questions"
)

// The first hour of a participant (issue 12): what they meet on the way
// through a wave, page by page.

// startedPre is a cohort in its pre wave and a participant who has just
// started it.
func startedPre(t *testing.T) (*env, *client) {
	t.Helper()
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	c := e.client()
	c.startPre("ws26", code("M", "K", "7", "H", "1", "A"))
	return e, c
}

// Moving on with questions left open says once how many, offers to go on
// anyway with a real button, and saves what was typed; „k. A.“ is an
// answer, so a page of „k. A.“ moves on at once; going back never asks.
func TestOpenQuestionsAreAskedAboutOnceAndNeverBlock(t *testing.T) {
	e, c := startedPre(t)
	page := e.inst.Pages()[0]
	form := c.firstPage("6")
	form.Del("r_" + page.Items[1].ID)
	form.Del("r_" + page.Items[2].ID)

	p := c.post("/survey/1", form)
	expect(t, p, http.StatusOK, "Auf dieser Seite sind noch 2 Fragen offen.", `name="nav" value="next-anyway"`,
		`href="#r_`+page.Items[1].ID+`-0"`, `value="6" checked`)
	if n := pageNumber(t, p); n != 1 {
		t.Fatalf("asked about open questions on page %d, want 1", n)
	}
	if n := countRows(t, e, "answers"); n != int64(len(page.Items)-2) {
		t.Fatalf("%d answers saved while asking, want the %d given", n, len(page.Items)-2)
	}
	if got := c.get("/survey"); got.Location != "/survey/1" {
		t.Fatalf("while asking, the questionnaire continues at %q, want page 1", got.Location)
	}

	form.Set("_rev", rev(t, p))
	form.Set("nav", "next-anyway")
	if p := c.post("/survey/1", form); p.Status != http.StatusSeeOther || p.Location != "/survey/2" {
		t.Fatalf("„Trotzdem weiter“: %d to %q, want page 2", p.Status, p.Location)
	}

	// „k. A.“ everywhere is a complete page.
	p = c.get("/survey/2")
	na := url.Values{"_rev": {rev(t, p)}, "nav": {"next"}}
	for _, it := range e.inst.Pages()[1].Items {
		na.Set("r_"+it.ID, "na")
	}
	if p := c.post("/survey/2", na); p.Status != http.StatusSeeOther || p.Location != "/survey/3" {
		t.Fatalf("a page of „k. A.“: %d to %q, want page 3", p.Status, p.Location)
	}
	// Back with nothing answered: no question.
	p = c.get("/survey/3")
	if p := c.post("/survey/3", url.Values{"_rev": {rev(t, p)}, "nav": {"back"}}); p.Status != http.StatusSeeOther || p.Location != "/survey/2" {
		t.Fatalf("going back with open questions: %d to %q, want page 2", p.Status, p.Location)
	}
	// Back cannot be "anyway".
	p = c.get("/survey/2")
	expect(t, c.post("/survey/2", url.Values{"_rev": {rev(t, p)}, "nav": {"back-anyway"}}), http.StatusBadRequest)
}

// The field of work and the use of AI offer „keine Angabe“, as the consent
// text promises for every question; it is stored as an answer without a
// value and shown again as chosen. „Absenden“ says beforehand that answers
// cannot be changed after it.
func TestBackgroundChoicesOfferNoAnswerAndSubmitWarns(t *testing.T) {
	e, c := startedPre(t)
	reachAllPages(t, c)
	last := len(e.inst.Pages())
	p := c.get(pageURL(last))
	for _, q := range e.inst.Background {
		if q.Type == questions.BackgroundChoice {
			expect(t, p, http.StatusOK, fmt.Sprintf(`name="b_%s" value="na"`, q.ID))
		}
	}
	warning := strings.Index(p.Body, "Danach können Sie sie nicht mehr ändern")
	button := strings.Index(p.Body, `name="nav" value="submit"`)
	if warning < 0 || button < 0 || warning > button {
		t.Fatalf("the warning before „Absenden“ is at %d, the button at %d", warning, button)
	}

	form := url.Values{"_rev": {rev(t, p)}, "nav": {"next"}, "b_field": {"na"}, "b_ai_use": {"na"}}
	form.Set("nav", "back")
	expect(t, c.post(pageURL(last), form), http.StatusSeeOther)
	var stored int
	if err := e.sql.QueryRow(`SELECT COUNT(*) FROM answers WHERE kind = 'background' AND value IS NULL`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != 2 {
		t.Fatalf("%d background answers stored as „keine Angabe“, want 2", stored)
	}
	expect(t, c.get(pageURL(last)), http.StatusOK, `name="b_field" value="na" checked`, `name="b_ai_use" value="na" checked`)
}

// A validation error lists every marked question at the top of the page,
// before the heading, each linking to the marked question's first button.
func TestErrorSummaryLinksToEveryMarkedQuestion(t *testing.T) {
	e, c := startedPre(t)
	reachAllPages(t, c)
	n := len(e.inst.Pages()) - 1
	p := c.get(pageURL(n))
	k1, k2 := e.inst.Knowledge[0].ID, e.inst.Knowledge[1].ID
	p = c.post(pageURL(n), url.Values{"_rev": {rev(t, p)}, "nav": {"next"},
		"k_" + k1: {"true"}, "c_" + k2: {"70"}})
	expect(t, p, http.StatusUnprocessableEntity, `id="error-summary"`, `autofocus`)
	summary := regexp.MustCompile(`(?s)<div class="error-summary".*?</div>`).FindString(p.Body)
	links := regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(summary, -1)
	want := []string{"c_" + k1 + "-50", "k_" + k2 + "-true"}
	if len(links) != len(want) {
		t.Fatalf("the summary has links %q, want %q", links, want)
	}
	for i, l := range links {
		if l[1] != want[i] {
			t.Errorf("link %d goes to #%s, want #%s", i+1, l[1], want[i])
		}
		if !strings.Contains(p.Body, `id="`+l[1]+`"`) {
			t.Errorf("the summary links to #%s, which is not on the page", l[1])
		}
	}
	if strings.Index(p.Body, `id="error-summary"`) > strings.Index(p.Body, "<h1>") {
		t.Error("the error summary comes after the page's heading; without JavaScript it must be first")
	}
}

// Every rating shows its scale's end labels at the item, not once at the
// top of the page.
func TestEveryRatingShowsItsScaleEnds(t *testing.T) {
	e, c := startedPre(t)
	p := c.follow(c.get("/survey"))
	items := len(e.inst.Pages()[0].Items)
	for _, label := range []string{e.inst.Scale.MinLabel.In("de"), e.inst.Scale.MaxLabel.In("de"), "k. A. = keine Angabe"} {
		if n := strings.Count(p.Body, "<span>"+label+"</span>"); n != items {
			t.Errorf("%q is shown %d times, want at each of the %d items", label, n, items)
		}
	}
	for _, it := range e.inst.Pages()[0].Items {
		expect(t, p, http.StatusOK, `aria-describedby="r_`+it.ID+`-ends"`, `id="r_`+it.ID+`-ends"`)
	}
}

// The knowledge feedback says in words of their own whether a statement is
// true, what the participant chose with what confidence, and whether that
// was a hit; "richtig" is never the verdict.
func TestKnowledgeFeedbackSaysTruthAnswerAndVerdictApart(t *testing.T) {
	e, c := startedPre(t)
	p := c.finish(false, "6") // every statement judged "true", 60/80/100 %
	outcomes := regexp.MustCompile(`(?s)<ol class="outcomes">.*?</ol>`).FindString(p.Body)
	items := regexp.MustCompile(`(?s)<li>.*?</li>`).FindAllString(outcomes, -1)
	if len(items) != len(e.inst.Knowledge) {
		t.Fatalf("%d statements in the feedback, want %d", len(items), len(e.inst.Knowledge))
	}
	var seenTrue, seenFalse bool
	for i, k := range e.inst.Knowledge {
		truth, verdict := "Die Aussage ist falsch.", "Das war kein Treffer."
		seenFalse = seenFalse || !k.Correct
		if k.Correct {
			truth, verdict = "Die Aussage ist richtig.", "Das war ein Treffer."
			seenTrue = true
		}
		answer := fmt.Sprintf("Sie haben „richtig“ gewählt, mit %s %% Sicherheit.", []string{"60", "80", "100"}[i%3])
		for _, want := range []string{truth, answer, verdict} {
			if !strings.Contains(items[i], want) {
				t.Errorf("statement %s (correct: %v) lacks %q: %s", k.ID, k.Correct, want, items[i])
			}
		}
	}
	if !seenTrue || !seenFalse {
		t.Fatal("the instrument needs true and false statements for this test")
	}
	expect(t, p, http.StatusOK, "nur ein grober Anhaltspunkt", "Wissensteil")
}

// After the post wave: the answers from before are confirmed as found, the
// consent page says why it asks again after a return-code entry, and the
// feedback shows the return code typed.
func TestPostWaveConfirmsTheLinkAndExplainsConsentAgain(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	e.client().startPre("ws26", code("M", "K", "7", "H", "1", "A"))
	returnCode := e.client().startPre("ws26", code("Z", "Z", "9", "Z", "3", "Z"))
	if err := e.store.SetWaveOpen("ws26", db.Post, true); err != nil {
		t.Fatal(err)
	}

	t.Run("exact code", func(t *testing.T) {
		c := e.client()
		p := c.follow(c.follow(c.enter("ws26", code("M", "K", "7", "H", "1", "A"))))
		expect(t, p, http.StatusOK, "Ihre Antworten von vorher wurden gefunden")
		expect(t, c.get("/survey/2"), http.StatusForbidden)
	})
	t.Run("return code, consent asked again with the reason", func(t *testing.T) {
		c := e.client()
		c.get("/")
		p := c.post("/resume", url.Values{"return_code": {returnCode}})
		if p.Location != "/c/ws26" {
			t.Fatalf("a return code in a new wave went to %q, want its consent page", p.Location)
		}
		expect(t, c.follow(p), http.StatusOK, "jede Befragung eine eigene Einwilligung braucht", "der Text ist derselbe")
		p = c.post("/c/ws26/consent", url.Values{"agree": {"yes"}})
		expect(t, c.follow(c.follow(p)), http.StatusOK, "Ihre Antworten von vorher wurden gefunden")
		feedback := c.finish(true, "8")
		expect(t, feedback, http.StatusOK, "Ihr Rückkehrcode: <strong>"+returnCode+"</strong>")
	})
	t.Run("a new participant is not told of answers from before", func(t *testing.T) {
		c := e.client()
		form := code("Q", "Q", "1", "Q", "1", "Q")
		form.Set("confirm_new", "yes")
		c.enter("ws26", code("Q", "Q", "1", "Q", "1", "Q"))
		p := c.post("/c/ws26/code", form)
		c.follow(p)
		page := c.follow(c.get("/survey"))
		if strings.Contains(page.Body, "von vorher wurden gefunden") {
			t.Fatal("a participant without answers from before is told they were found")
		}
		consent := c.get("/c/ws26")
		if strings.Contains(consent.Body, "Willkommen zurück") {
			t.Fatal("the consent page welcomes back a participant who never left")
		}
	})
}

// Whoever lost the return code of a participation under their code can
// start again unlinked: a participant of their own with a new return code,
// who never sees the earlier answers, which stay stored.
func TestLostReturnCodeStartsAgainUnlinked(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	first := e.client()
	first.startPre("ws26", code("M", "K", "7", "H", "1", "A"))
	expect(t, first.post("/survey/1", first.firstPage("9")), http.StatusSeeOther)
	answers := countRows(t, e, "answers")

	c := e.client()
	form := code("M", "K", "7", "H", "1", "A")
	p := c.enter("ws26", form)
	expect(t, p, http.StatusConflict, "schon eine Teilnahme", "Rückkehrcode verloren?", `name="confirm_new" value="yes"`, "Neu beginnen, ohne Verknüpfung")
	form.Set("confirm_new", "yes")
	p = c.post("/c/ws26/code", form)
	if p.Status != http.StatusSeeOther || p.Location != "/return-code" {
		t.Fatalf("starting again: %d to %q, want a new return code", p.Status, p.Location)
	}
	if n := countRows(t, e, "participants"); n != 2 {
		t.Fatalf("%d participants after starting again, want 2", n)
	}
	if n := countRows(t, e, "answers"); n != answers {
		t.Fatalf("%d answers after starting again, want the %d stored before, untouched", n, answers)
	}
	if p := c.follow(c.get("/survey")); strings.Contains(p.Body, "checked") {
		t.Fatal("the new participation shows the earlier one's answers")
	}

	// After the certificate the code fits both: only a return code decides,
	// or the person starts again unlinked, reaching neither.
	if err := e.store.SetWaveOpen("ws26", db.Post, true); err != nil {
		t.Fatal(err)
	}
	post := e.client()
	form = code("M", "K", "7", "H", "1", "A")
	expect(t, post.enter("ws26", form), http.StatusConflict, "mehr als einer Person", "Neu beginnen, ohne Verknüpfung")
	form.Set("confirm_new", "yes")
	p = post.post("/c/ws26/code", form)
	if p.Status != http.StatusSeeOther || p.Location != "/return-code" {
		t.Fatalf("starting again in the post wave: %d to %q", p.Status, p.Location)
	}
	var links string
	if err := e.sql.QueryRow(`SELECT link FROM responses WHERE wave = 'post'`).Scan(&links); err != nil {
		t.Fatal(err)
	}
	if links != db.LinkNew {
		t.Fatalf("the post response started again is linked as %q, want %q", links, db.LinkNew)
	}
}

// A closed wave and a page not yet reached say in German what happened and
// what to do, without a status code.
func TestClosedWaveAndLockedPageSayWhatToDo(t *testing.T) {
	e, c := startedPre(t)
	p := c.get("/survey/5")
	expect(t, p, http.StatusForbidden, "Diese Seite kommt später", "Nichts ist verloren gegangen", `href="/survey"`)
	if err := e.store.SetWaveOpen("ws26", db.Pre, false); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/survey", "/c/ws26"} {
		p = c.get(path)
		expect(t, p, http.StatusForbidden, "Die Befragung ist gerade geschlossen", "mit Ihrem Rückkehrcode")
		for _, never := range []string{"Fehlercode", "403", "Das hat nicht geklappt"} {
			if strings.Contains(excerpt(p.Body), never) {
				t.Errorf("%s: the page says %q", path, never)
			}
		}
	}
}

// The browser's language chooses the page's language if it is offered; a
// choice made on the site wins.
func TestAcceptLanguageChoosesEnglishUnlessChosenOtherwise(t *testing.T) {
	e := newEnv(t)
	get := func(path, accept, cookie string) string {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Language", accept)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "einordnung_lang", Value: cookie})
		}
		resp, err := e.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		m := regexp.MustCompile(`<html lang="(\w+)"`).FindStringSubmatch(readAll(t, resp))
		if m == nil {
			t.Fatalf("%s: no page language", path)
		}
		return m[1]
	}
	for _, tt := range []struct{ path, accept, cookie, want string }{
		{"/", "en-GB,en;q=0.9", "", "en"},
		{"/", "de-AT,en;q=0.5", "", "de"},
		{"/", "fr-FR, it;q=0.8", "", "de"},
		{"/", "", "", "de"},
		{"/", "en-GB", "de", "de"},
		{"/?lang=de", "en-GB", "", "de"},
		{"/?lang=en", "de-DE", "de", "en"},
		{"/", "%%%;;;q=x", "", "de"},
	} {
		if got := get(tt.path, tt.accept, tt.cookie); got != tt.want {
			t.Errorf("GET %s, Accept-Language %q, cookie %q: page in %q, want %q", tt.path, tt.accept, tt.cookie, got, tt.want)
		}
	}
}

// /favicon.ico is an icon from the binary, cached long, and every page
// links its fingerprinted copy.
func TestFaviconIsServedAndLinked(t *testing.T) {
	e := newEnv(t)
	resp, err := e.app.Test(httptest.NewRequest(http.MethodGet, "/favicon.ico", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/x-icon" || !strings.HasPrefix(body, "\x00\x00\x01\x00") {
		t.Fatalf("/favicon.ico: %d %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=2592000") {
		t.Errorf("/favicon.ico is cached %q, want a month", cc)
	}
	if resp.Header.Get("Set-Cookie") != "" {
		t.Error("/favicon.ico sets a cookie: it must not start a session")
	}
	page := e.client().get("/")
	m := regexp.MustCompile(`<link rel="icon" href="([^"]+)"`).FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatal("the layout links no icon")
	}
	linked, err := e.app.Test(httptest.NewRequest(http.MethodGet, m[1], nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	if linked.StatusCode != http.StatusOK || !strings.Contains(linked.Header.Get("Cache-Control"), "max-age=31536000") {
		t.Errorf("the linked icon %s: %d, cached %q", m[1], linked.StatusCode, linked.Header.Get("Cache-Control"))
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	var b strings.Builder
	if _, err := io.Copy(&b, resp.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
