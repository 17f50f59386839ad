package app_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"einordnung/db"
	"einordnung/db/dbtest"
)

// TestBadInputIsRejectedWholeWithAClearMessage sends every kind of broken or
// forged page to a participant who has saved page 1, and checks the status,
// the German message, and that nothing at all was stored.
func TestBadInputIsRejectedWholeWithAClearMessage(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	pages := e.inst.Pages()
	dim1, dim2 := pages[0], pages[1]
	item := dim1.Items[0].ID
	knowledgePage, backgroundPage := len(pages)-1, len(pages)
	k := e.inst.Knowledge[0].ID

	tests := []struct {
		name   string
		page   int
		form   url.Values
		status int
		says   string
	}{
		{"value above the scale", 1, url.Values{"r_" + item: {"11"}}, 422, "außerhalb der Skala"},
		{"value below the scale", 1, url.Values{"r_" + item: {"-1"}}, 422, "außerhalb der Skala"},
		{"value not a number", 1, url.Values{"r_" + item: {"sieben"}}, 422, "außerhalb der Skala"},
		{"unknown item id", 1, url.Values{"r_nosuchitem": {"5"}}, 400, "unbekannte Frage"},
		{"item of another page", 1, url.Values{"r_" + dim2.Items[0].ID: {"5"}}, 400, "unbekannte Frage"},
		{"retrospective rating in the pre wave", 1, url.Values{"t_" + item: {"5"}}, 400, "unbekannte Frage"},
		{"field sent twice", 1, url.Values{"r_" + item: {"5", "6"}}, 400, "unvollständig oder fehlerhaft"},
		{"page number that does not exist", 99, url.Values{"r_" + item: {"5"}}, 404, "gibt es nicht"},
		{"missing revision", 1, url.Values{"_rev": {""}}, 400, "unvollständig"},
		{"unknown navigation", 1, url.Values{"nav": {"jump"}}, 400, "unvollständig"},
		{"submit from the first page", 1, url.Values{"nav": {"submit"}}, 400, "unvollständig"},
		{"too many fields", 1, manyFields(500), 400, "zu viele Felder"},
		{"knowledge answer without confidence", knowledgePage, url.Values{"k_" + k: {"true"}}, 422, "wie sicher"},
		{"confidence outside 50–100", knowledgePage, url.Values{"k_" + k: {"true"}, "c_" + k: {"40"}}, 422, "außerhalb der Skala"},
		{"judgement neither true nor false", knowledgePage, url.Values{"k_" + k: {"vielleicht"}, "c_" + k: {"60"}}, 422, "außerhalb der Skala"},
		{"unknown background option", backgroundPage, url.Values{"b_field": {"astronaut"}, "b_ai_use": {"daily"}}, 422, "außerhalb der Skala"},
		{"free text too long", backgroundPage, url.Values{"b_field": {"design"}, "b_ai_use": {"daily"}, "x_reflection": {strings.Repeat("ä", 2001)}}, 422, "länger als 2000"},
		{"invalid UTF-8", backgroundPage, url.Values{"b_field": {"design"}, "b_ai_use": {"daily"}, "x_reflection": {"a\xffb"}}, 400, "ungültige Zeichen"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.clientFor(t)
			// Every participant needs a code of their own.
			c.startPre("ws26", code("M", "K", strconv.Itoa(i+1), "H", "1", "A"))
			reachAllPages(t, c)
			before := snapshot(t, e)
			form := url.Values{"nav": {"next"}}
			if tt.page == len(pages) {
				form.Set("nav", "submit")
			}
			form.Set("_rev", currentRev(t, c))
			for k, v := range tt.form {
				form[k] = v
			}
			p := c.post(pageURL(tt.page), form)
			expect(t, p, tt.status, tt.says)
			if after := snapshot(t, e); after != before {
				t.Fatalf("something was stored: before %s, after %s", before, after)
			}
		})
	}
}

// reachAllPages saves every page but the last empty, so any page may be
// posted: past the question about open items ("Trotzdem weiter").
func reachAllPages(t *testing.T, c *client) {
	t.Helper()
	n := len(c.e.inst.Pages())
	p := c.follow(c.get("/survey"))
	for i := 1; i < n; i++ {
		form := url.Values{"_rev": {rev(t, p)}, "nav": {"next-anyway"}}
		p = c.follow(c.post(pageURL(i), form))
	}
	// Back on page 1, which the tests post to with the current revision.
	c.get("/survey/1")
}

func currentRev(t *testing.T, c *client) string {
	t.Helper()
	return rev(t, c.get("/survey/1"))
}

// snapshot summarises what is stored, to compare before and after a request.
func snapshot(t *testing.T, e *env) string {
	t.Helper()
	var answers, revs int64
	if err := e.sql.QueryRow("SELECT COUNT(*) FROM answers").Scan(&answers); err != nil {
		t.Fatal(err)
	}
	if err := e.sql.QueryRow("SELECT COALESCE(SUM(rev), 0) + COUNT(submitted_at) FROM responses").Scan(&revs); err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(answers, 10) + "/" + strconv.FormatInt(revs, 10)
}

func manyFields(n int) url.Values {
	v := url.Values{}
	for i := 0; i < n; i++ {
		v.Set("f"+strconv.Itoa(i), "1")
	}
	return v
}

func TestWrongPlacesAndForgedRequests(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	e.cohort("closed", "")
	c := e.client()
	c.startPre("ws26", code("M", "K", "7", "H", "1", "A"))
	expect(t, c.post("/survey/1", c.firstPage("6")), http.StatusSeeOther)
	saved := snapshot(t, e)

	t.Run("unknown cohort", func(t *testing.T) {
		c.t = t
		expect(t, c.get("/c/nope"), http.StatusNotFound, "gibt es nicht")
		expect(t, c.get("/c?code=nope"), http.StatusNotFound, "gibt es nicht")
		expect(t, c.post("/c/nope/consent", url.Values{"agree": {"yes"}}), http.StatusNotFound)
	})
	t.Run("cohort without an open wave", func(t *testing.T) {
		c.t = t
		expect(t, c.get("/c/closed"), http.StatusForbidden, "nicht geöffnet")
		expect(t, c.post("/c/closed/code", code("M", "K", "7", "H", "1", "A")), http.StatusForbidden, "nicht geöffnet")
	})
	t.Run("unknown or malformed return code", func(t *testing.T) {
		c.t = t
		expect(t, c.post("/resume", url.Values{"return_code": {"0000-0000-0000-0000"}}), http.StatusNotFound, "nichts gefunden")
		expect(t, c.post("/resume", url.Values{"return_code": {"<b>x</b>"}}), http.StatusUnprocessableEntity, "16 Zeichen", "&lt;b&gt;x&lt;/b&gt;")
	})
	t.Run("missing or foreign CSRF token", func(t *testing.T) {
		c.t = t
		f := e.answers(e.inst.Pages()[1], false, "6")
		f.Set("_rev", "1")
		f.Set("nav", "next")
		f.Set("_csrf", "")
		expect(t, c.post("/survey/2", f), http.StatusForbidden, "Formular ist abgelaufen")
		f.Set("_csrf", "forged-token")
		expect(t, c.post("/survey/2", f), http.StatusForbidden, "Formular ist abgelaufen")
		other := e.clientFor(t)
		other.get("/")
		f.Set("_csrf", other.csrf)
		expect(t, c.post("/survey/2", f), http.StatusForbidden)
	})
	t.Run("page number not reached yet", func(t *testing.T) {
		c.t = t
		f := e.answers(e.inst.Pages()[3], false, "6")
		f.Set("_rev", "1")
		f.Set("nav", "next")
		expect(t, c.post("/survey/4", f), http.StatusForbidden, "vorherigen Seiten")
	})
	t.Run("no session", func(t *testing.T) {
		c.t = t
		stranger := e.clientFor(t)
		expect(t, stranger.get("/survey/1"), http.StatusForbidden, "Rückkehrcode")
		expect(t, stranger.get("/feedback"), http.StatusForbidden)
	})
	t.Run("wave closed while answering", func(t *testing.T) {
		c.t = t
		if err := e.store.SetWaveOpen("ws26", db.Pre, false); err != nil {
			t.Fatal(err)
		}
		defer e.store.SetWaveOpen("ws26", db.Pre, true)
		f := e.answers(e.inst.Pages()[1], false, "6")
		f.Set("_rev", "1")
		f.Set("nav", "next")
		expect(t, c.post("/survey/2", f), http.StatusForbidden, "nicht geöffnet", "gespeicherte Antworten sind erhalten")
	})
	if after := snapshot(t, e); after != saved {
		t.Fatalf("forged requests changed what is stored: %s → %s", saved, after)
	}
}

func TestSecondSubmitOfTheSamePage(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	c := e.client()
	c.startPre("ws26", code("M", "K", "7", "H", "1", "A"))
	form := c.firstPage("6")
	first := c.post("/survey/1", form)
	expect(t, first, http.StatusSeeOther)
	saved := snapshot(t, e)

	// A double click sends the same page again: it moves on, stores nothing new.
	again := c.post("/survey/1", form)
	expect(t, again, http.StatusSeeOther)
	if again.Location != first.Location {
		t.Fatalf("repeat went to %q, first to %q", again.Location, first.Location)
	}
	if after := snapshot(t, e); after != saved {
		t.Fatalf("repeat stored something: %s → %s", saved, after)
	}

	// A stale form with different answers does not overwrite unseen.
	stale := e.answers(e.inst.Pages()[0], false, "2")
	stale.Set("_rev", form.Get("_rev"))
	stale.Set("nav", "next")
	p := c.post("/survey/1", stale)
	expect(t, p, http.StatusConflict, "inzwischen", `value="6" checked`)
	if after := snapshot(t, e); after != saved {
		t.Fatalf("stale form stored something: %s → %s", saved, after)
	}
	// Saving again from the shown page works.
	stale.Set("_rev", rev(t, p))
	expect(t, c.post("/survey/1", stale), http.StatusSeeOther)
}

func TestFreeTextIsEscapedWhereShown(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	c := e.client()
	c.startPre("ws26", code("M", "K", "7", "H", "1", "A"))
	reachAllPages(t, c)
	n := len(e.inst.Pages())
	p := c.get(pageURL(n))
	attack := `</textarea><script>alert(1)</script>"'`
	form := url.Values{"_rev": {rev(t, p)}, "nav": {"submit"}, "b_field": {"design"}, "b_ai_use": {"daily"},
		"x_reflection": {attack}, "x_expectations": {strings.Repeat("ä", 2001)}}
	// The other text is too long: the page comes back with the text escaped.
	p = c.post(pageURL(n), form)
	expect(t, p, http.StatusUnprocessableEntity, "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;")
	if strings.Contains(p.Body, "<script>alert(1)") {
		t.Fatal("free text was written into the page unescaped")
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	resp, err := e.app.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", got)
	}
	if got := resp.Header.Get("Referrer-Policy"); got != "same-origin" {
		t.Errorf("Referrer-Policy %q: CSRF over HTTPS needs a same-origin referrer", got)
	}
	for _, ck := range resp.Cookies() {
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %s: HttpOnly %v SameSite %v", ck.Name, ck.HttpOnly, ck.SameSite)
		}
	}
}

func TestStaticFilesAreServedFromTheBinary(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/static/vendor/echarts.min.js", "/static/vendor/pico.min.css", "/static/js/charts.js", "/static/css/app.css"} {
		resp, err := e.app.Test(httptest.NewRequest(http.MethodGet, path, nil))
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || resp.ContentLength < 100 {
			t.Errorf("%s: %d, %d bytes", path, resp.StatusCode, resp.ContentLength)
		}
	}
	for _, path := range []string{"/static/../server.go", "/static/%2e%2e/server.go", "/static/vendor/nope.js"} {
		resp, err := e.app.Test(httptest.NewRequest(http.MethodGet, path, nil))
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestBodyOverTheLimitOverRealHTTP checks the size limit on a real socket:
// the server refuses the body with 413 and a German page, and stores nothing.
func TestBodyOverTheLimitOverRealHTTP(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.app.Listener(ln)
	t.Cleanup(func() { e.app.Shutdown() })

	body := "x_reflection=" + strings.Repeat("x", 200*1024)
	resp, err := http.Post("http://"+ln.Addr().String()+"/c/ws26/consent", "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(page), "zu groß") {
		t.Fatalf("status %d: %s", resp.StatusCode, excerpt(string(page)))
	}
	if n := countRows(t, e, "participants"); n != 0 {
		t.Fatalf("%d participants stored", n)
	}
}

// TestWriteFailureKeepsTheTypedAnswers: when the database cannot be written
// (disk full, read-only file), a participant's page comes back with what
// they typed and a German explanation, and reads go on.
func TestWriteFailureKeepsTheTypedAnswers(t *testing.T) {
	dbtest.SkipOnPostgres(t, "Store.ReadOnly switches SQLite's writer connection to query_only")
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	c := e.client()
	c.startPre("ws26", code("M", "K", "7", "H", "1", "A"))
	expect(t, c.post("/survey/1", c.firstPage("6")), http.StatusSeeOther)
	saved := snapshot(t, e)
	form := c.e.answers(c.e.inst.Pages()[1], false, "9")
	form.Set("_rev", rev(t, c.get("/survey/2")))
	form.Set("nav", "next")

	if err := e.store.ReadOnly(true); err != nil {
		t.Fatal(err)
	}
	p := c.post("/survey/2", form)
	expect(t, p, http.StatusServiceUnavailable, "nicht gespeichert werden", `value="9" checked`)
	if after := snapshot(t, e); after != saved {
		t.Fatalf("something was stored while read-only: %s → %s", saved, after)
	}
	// Reads go on: the saved page and the start page are served.
	expect(t, c.get("/survey/1"), http.StatusOK, `value="6" checked`)
	expect(t, e.client().get("/"), http.StatusOK)

	if err := e.store.ReadOnly(false); err != nil {
		t.Fatal(err)
	}
	form.Set("_rev", rev(t, p))
	expect(t, c.post("/survey/2", form), http.StatusSeeOther)
}
