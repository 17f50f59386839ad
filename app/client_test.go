package app_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"einordnung/app"
	"einordnung/db"
	"einordnung/db/dbtest"
	"einordnung/questions"
)

// testSecret keys code hashes in tests.
var testSecret = []byte("0123456789abcdef0123456789abcdef")

// env is a real app on a fresh database (SQLite, or PostgreSQL with
// EINORDNUNG_TEST_POSTGRES set; see dbtest).
type env struct {
	t     *testing.T
	app   *fiber.App
	store *db.Store
	dsn   string       // the database's name, for db.Open or dbtest.Plain
	sql   *dbtest.Conn // a plain read-only connection to check what is stored
	set   *questions.Set
	inst  *questions.Instrument
	// demoDay is the reference day of demoCohort's synthetic answers: a
	// fixed date, so that no test depends on the calendar.
	demoDay time.Time
}

// fixedDemoDay is the reference day demo cohorts are generated for unless a
// test sets env.demoDay.
var fixedDemoDay = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

func newEnv(t *testing.T) *env {
	t.Helper()
	set, err := questions.Load()
	if err != nil {
		t.Fatal(err)
	}
	store, dsn := dbtest.Open(t)
	web, err := app.New(app.Config{Secret: testSecret}, store, set)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := set.Resolve(questions.DefaultID)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, app: web, store: store, dsn: dsn, sql: dbtest.PlainReadOnly(t, dsn), set: set, inst: inst, demoDay: fixedDemoDay}
}

// cohort creates a cohort with the given wave open.
func (e *env) cohort(slug string, open db.Wave) *db.Cohort {
	e.t.Helper()
	c, err := e.store.CreateCohort(slug, "Jahrgang "+slug, e.inst.Ref())
	if err != nil {
		e.t.Fatal(err)
	}
	if open != "" {
		if err := e.store.SetWaveOpen(slug, open, true); err != nil {
			e.t.Fatal(err)
		}
	}
	return c
}

// client is one browser: it keeps cookies and the last page's CSRF token.
type client struct {
	t       *testing.T
	e       *env
	cookies map[string]string
	csrf    string
}

func (e *env) client() *client { return e.clientFor(e.t) }

// clientFor is a client whose failures end test t (a subtest, say).
func (e *env) clientFor(t *testing.T) *client {
	return &client{t: t, e: e, cookies: map[string]string{}}
}

// reply is a response as a test sees it.
type reply struct {
	Status   int
	Location string
	Body     string
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (c *client) do(req *http.Request) reply {
	c.t.Helper()
	resp, body := c.full(req)
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	if m := csrfField.FindStringSubmatch(string(body)); m != nil {
		c.csrf = m[1]
	}
	return reply{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(body)}
}

func (c *client) get(path string) reply {
	c.t.Helper()
	return c.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// post sends a form with the current CSRF token (unless the form sets _csrf).
func (c *client) post(path string, form url.Values) reply {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, set := form["_csrf"]; !set {
		form.Set("_csrf", c.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// follow fetches a redirect's target.
func (c *client) follow(p reply) reply {
	c.t.Helper()
	if p.Status != http.StatusSeeOther && p.Status != http.StatusFound {
		c.t.Fatalf("expected a redirect, got %d: %s", p.Status, excerpt(p.Body))
	}
	return c.get(p.Location)
}

func expect(t *testing.T, p reply, status int, contains ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("status %d, want %d (location %q): %s", p.Status, status, p.Location, excerpt(p.Body))
	}
	for _, s := range contains {
		if !strings.Contains(p.Body, s) {
			t.Fatalf("page lacks %q: %s", s, excerpt(p.Body))
		}
	}
}

func excerpt(body string) string {
	if i := strings.Index(body, `<main`); i >= 0 {
		body = body[i:]
	}
	if len(body) > 1500 {
		body = body[:1500] + "…"
	}
	return body
}

var revField = regexp.MustCompile(`name="_rev" value="(\d+)"`)

// rev returns the revision a questionnaire page was rendered with.
func rev(t *testing.T, p reply) string {
	t.Helper()
	m := revField.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no _rev on page: %s", excerpt(p.Body))
	}
	return m[1]
}

// code is a self-generated code as form values.
func code(mother, father, birthday, birthplace, siblings, last string) url.Values {
	return url.Values{"emother": {mother}, "efather": {father}, "ebirthday": {birthday},
		"ebirthplace": {birthplace}, "esiblings": {siblings}, "elastletter": {last}}
}

// enter takes a client from the start page through consent and code entry.
func (c *client) enter(slug string, form url.Values) reply {
	c.t.Helper()
	c.get("/c/" + slug)
	p := c.post("/c/"+slug+"/consent", url.Values{"agree": {"yes"}})
	expect(c.t, p, http.StatusSeeOther)
	c.follow(p)
	return c.post("/c/"+slug+"/code", form)
}

// answers fills in every question of a page with plausible values.
func (e *env) answers(pg questions.Page, post bool, rating string) url.Values {
	v := url.Values{}
	switch pg.Kind {
	case questions.PageDimension:
		for _, it := range pg.Items {
			v.Set("r_"+it.ID, rating)
			if post {
				v.Set("t_"+it.ID, "3")
			}
		}
	case questions.PageKnowledge:
		for i, k := range e.inst.Knowledge {
			v.Set("k_"+k.ID, "true")
			v.Set("c_"+k.ID, []string{"60", "80", "100"}[i%3])
		}
	case questions.PageBackground:
		for _, q := range e.inst.Background {
			if q.Type == questions.BackgroundChoice {
				v.Set("b_"+q.ID, q.Options[0].Value)
			} else {
				v.Set("x_"+q.ID, "Ich prüfe Quellen – immer öfter.")
			}
		}
	}
	return v
}

// finish answers every page from the current one and submits; it returns
// the feedback page.
func (c *client) finish(post bool, rating string) reply {
	c.t.Helper()
	pages := c.e.inst.Pages()
	p := c.follow(c.get("/survey"))
	for {
		n := pageNumber(c.t, p)
		form := c.e.answers(pages[n-1], post, rating)
		form.Set("_rev", rev(c.t, p))
		if n == len(pages) {
			form.Set("nav", "submit")
			res := c.post(pageURL(n), form)
			expect(c.t, res, http.StatusSeeOther)
			if res.Location != "/feedback" {
				c.t.Fatalf("submit went to %q", res.Location)
			}
			return c.follow(res)
		}
		form.Set("nav", "next")
		p = c.follow(c.post(pageURL(n), form))
	}
}

var progressField = regexp.MustCompile(`<progress id="progress" value="(\d+)"`)

func pageNumber(t *testing.T, p reply) int {
	t.Helper()
	m := progressField.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("not a questionnaire page (%d): %s", p.Status, excerpt(p.Body))
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func pageURL(n int) string { return "/survey/" + strconv.Itoa(n) }

// firstPage opens page 1 and returns it filled in with rating, ready to post
// with "next".
func (c *client) firstPage(rating string) url.Values {
	c.t.Helper()
	p := c.follow(c.get("/survey"))
	form := c.e.answers(c.e.inst.Pages()[0], false, rating)
	form.Set("_rev", rev(c.t, p))
	form.Set("nav", "next")
	return form
}
