package app_test

// TestAttacks is the suite of hostile input against the running app: each
// row is one attack, with what the attacker or participant sees (status and
// German text) and what is stored before and after. Rows share one app and
// database; each brings its own browser, so that the order of the rows does
// not matter.

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports/demo"
)

const (
	// hostileName is a cohort name as a careless or malicious lead might type it.
	hostileName = `</script><script>alert(1)</script><b onmouseover=alert(2)>'; DROP TABLE cohorts; --`
	// hostileText is free text that tries to break out of the textarea.
	hostileText = `</textarea><script>alert(1)</script><img src=x onerror=alert(1)>"'`
	sqlText     = `'; DROP TABLE answers; --`
	sqlText2    = `Robert'); DROP TABLE participants;--`
	// slowTimeout is the read timeout of the suite's real listener, short so
	// that the slow-client row does not wait the app's 30 seconds.
	slowTimeout = time.Second
)

// markup is what must never reach a page unescaped.
var markup = []string{"<script>alert", "<b onmouseover", "<img src=x", "</textarea><script"}

// escaped is s as html/template writes it into a page's text.
func escaped(s string) string {
	return strings.ReplaceAll(template.HTMLEscapeString(s), "+", "&#43;")
}

// world is the app the attacks run against.
type world struct {
	*env
	lead  *client    // a lead of the hostile cohort
	evil  *db.Cohort // named hostileName, pre wave open, with demo answers
	plain *db.Cohort // a cohort to compare it with
	addr  string     // a real listener on 127.0.0.1
	codes int        // participants so far, for codes of their own
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	evil, err := e.store.CreateCohort("evil", hostileName, e.inst.Ref())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(e.store, e.inst, evil, 30, 7, fixedDemoDay); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetWaveOpen("evil", db.Pre, true); err != nil {
		t.Fatal(err)
	}
	plain := e.demoCohort("plain", 20, 8)
	w := &world{env: e, evil: evil, plain: plain, lead: e.lead(t, dashLead, evil.ID, plain.ID)}

	// The real server, with the read timeout shortened for the slow client.
	w.app.Server().ReadTimeout = slowTimeout
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go w.app.Listener(ln)
	t.Cleanup(func() { w.app.Shutdown() })
	w.addr = ln.Addr().String()
	return w
}

// participant is a new browser in cohort slug with a code of its own. With
// onLast it is on the last page, every page before saved empty.
func (w *world) participant(t *testing.T, slug string, onLast bool) *client {
	t.Helper()
	w.codes++
	c := w.clientFor(t)
	c.startPre(slug, code("Q", "Y", strconv.Itoa(w.codes%31+1), "V", strconv.Itoa(w.codes/31), "Z"))
	if onLast {
		// As reachAllPages, in one transaction instead of a request a page.
		var id uint
		var rev int
		if err := w.sql.QueryRow("SELECT id, rev FROM responses ORDER BY id DESC LIMIT 1").Scan(&id, &rev); err != nil {
			t.Fatal(err)
		}
		last := len(w.inst.Pages()) - 1
		if _, err := w.store.SavePage(db.PageSave{ResponseID: id, Rev: rev, Page: last, Reached: last}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// lastPage opens the last page and returns a form that sends it off with
// the background questions answered; set fills in or overrides fields.
func (w *world) lastPage(t *testing.T, c *client, set url.Values) url.Values {
	t.Helper()
	p := c.get(pageURL(len(w.inst.Pages())))
	form := url.Values{"_rev": {rev(t, p)}, "nav": {"submit"}, "b_field": {"design"}, "b_ai_use": {"daily"}}
	for k, v := range set {
		form[k] = v
	}
	return form
}

// submit sends the last page off with the given texts and returns the
// feedback page.
func (w *world) submit(t *testing.T, c *client, texts url.Values) reply {
	t.Helper()
	p := c.post(pageURL(len(w.inst.Pages())), w.lastPage(t, c, texts))
	if p.Status != http.StatusSeeOther || p.Location != "/feedback" {
		t.Fatalf("sending off: %d to %q: %s", p.Status, p.Location, excerpt(p.Body))
	}
	return c.follow(p)
}

// stored is what the database holds, in summary.
type stored struct {
	tables                                           string
	participants, responses, answers, cohorts, users int64
	revs                                             string
}

func (w *world) stored(t *testing.T) stored {
	t.Helper()
	tables, err := w.sql.Tables()
	if err != nil {
		t.Fatal(err)
	}
	return stored{
		tables:       strings.Join(tables, ","),
		participants: countRows(t, w.env, "participants"), responses: countRows(t, w.env, "responses"),
		answers: countRows(t, w.env, "answers"), cohorts: countRows(t, w.env, "cohorts"), users: countRows(t, w.env, "users"),
		revs: snapshot(t, w.env),
	}
}

// storedVerbatim checks that the attack added answers, left every table in
// place, and stored each text exactly as typed.
func storedVerbatim(texts ...string) func(t *testing.T, w *world, before, after stored) {
	return func(t *testing.T, w *world, before, after stored) {
		t.Helper()
		if after.tables != before.tables {
			t.Fatalf("tables changed: %s → %s", before.tables, after.tables)
		}
		if after.answers <= before.answers || after.participants != before.participants {
			t.Fatalf("stored %+v → %+v, want new answers only", before, after)
		}
		for _, s := range texts {
			var n int
			if err := w.sql.QueryRow("SELECT COUNT(*) FROM answers WHERE value = ?", s).Scan(&n); err != nil || n != 1 {
				t.Fatalf("%q stored %d times (%v), want once, verbatim", s, n, err)
			}
		}
	}
}

// raw sends a request over a real connection exactly as written, and reads
// the response.
func (w *world) raw(t *testing.T, request string) reply {
	t.Helper()
	conn, err := net.Dial("tcp", w.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%q: %v", request, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return reply{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(body)}
}

// randomReturnCode is a well-formed return code nobody has.
func randomReturnCode() string { return questions.FormatReturnCode(questions.NewReturnCode()) }

type attack struct {
	name string
	// setup puts a browser in place for the attack (nil: none needed).
	setup func(t *testing.T, w *world) *client
	// attack is the attack; it returns what the attacker or participant sees.
	attack func(t *testing.T, w *world, c *client) reply
	status int
	says   []string // on the page, in German (or in the file)
	never  []string // nowhere in the reply
	file   bool     // the reply is a download, not a page
	// skip, if set, names a known fault the row fails on until it is fixed.
	skip string
	// check makes further checks of the reply (exports, charts).
	check func(t *testing.T, w *world, p reply)
	// stores checks what the attack stored; nil means nothing at all.
	stores func(t *testing.T, w *world, before, after stored)
}

func onLastPage(slug string) func(t *testing.T, w *world) *client {
	return func(t *testing.T, w *world) *client { return w.participant(t, slug, true) }
}

func onFirstPage(t *testing.T, w *world) *client { return w.participant(t, "ws26", false) }

func freshBrowser(t *testing.T, w *world) *client {
	c := w.clientFor(t)
	expect(t, c.get("/"), http.StatusOK)
	return c
}

func TestAttacks(t *testing.T) {
	w := newWorld(t)
	pages := len(w.inst.Pages())
	formulas := []string{`=cmd|' /C calc'!A0`, `+1+1`, `@SUM(A1:A9)`, `-1+1`}

	attacks := []attack{
		// Script and HTML.
		{name: "script and HTML in free text, page shown again", setup: onLastPage("ws26"),
			attack: func(t *testing.T, w *world, c *client) reply {
				// The other text is too long: the page comes back.
				form := w.lastPage(t, c, url.Values{"x_reflection": {hostileText}, "x_expectations": {strings.Repeat("ä", 2001)}})
				return c.post(pageURL(pages), form)
			},
			status: 422, says: []string{"länger als 2000", escaped(hostileText)}},
		{name: "script and formulas in free text, sent off, feedback page", setup: onLastPage("evil"),
			attack: func(t *testing.T, w *world, c *client) reply {
				return w.submit(t, c, url.Values{"x_expectations": {"+49 170 <b onmouseover=alert(1)>fett</b>"},
					"x_reflection": {`=HYPERLINK("http://evil.example","klick")` + hostileText}})
			},
			status: 200, says: []string{"Ihre persönliche Rückmeldung", escaped(hostileName)},
			check: func(t *testing.T, w *world, p reply) {
				scriptsWellFormed(t, "feedback", p.Body, 0)
				pageCharts(t, p.Body)
			},
			stores: storedVerbatim("+49 170 <b onmouseover=alert(1)>fett</b>", `=HYPERLINK("http://evil.example","klick")`+hostileText)},
		{name: "formulas in free text, in the lead's long CSV and XLSX",
			setup: func(t *testing.T, w *world) *client {
				for i := 0; i < len(formulas); i += 2 {
					w.submit(t, w.participant(t, "evil", true), url.Values{"x_expectations": {formulas[i]}, "x_reflection": {formulas[i+1]}})
				}
				return w.lead
			},
			attack: func(t *testing.T, w *world, c *client) reply { return c.get(exportPath(w.evil, "responses")) },
			status: 200, says: []string{responsesHeader, `'=cmd|' /C calc'!A0`, `'@SUM(A1:A9)`}, file: true,
			check: func(t *testing.T, w *world, p reply) {
				rows, err := csv.NewReader(strings.NewReader(p.Body)).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				found := map[string]bool{}
				for _, r := range rows[1:] {
					if r[6] != db.KindText {
						continue
					}
					if len(r[8]) > 0 && strings.ContainsRune("=+-@\t\r", rune(r[8][0])) {
						t.Errorf("CSV cell %q starts a formula", r[8])
					}
					found[r[8]] = true
				}
				_, body := w.lead.full(httptest.NewRequest(http.MethodGet, exportPath(w.evil, "xlsx"), nil))
				book, err := excelize.OpenReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				defer book.Close()
				long, err := book.GetRows("long")
				if err != nil {
					t.Fatal(err)
				}
				inBook := map[string]bool{}
				for i, r := range long {
					if len(r) > 8 && r[6] == db.KindText {
						inBook[r[8]] = true
						if f, _ := book.GetCellFormula("long", "I"+strconv.Itoa(i+1)); f != "" {
							t.Errorf("XLSX cell I%d is the formula %q", i+1, f)
						}
					}
				}
				for _, s := range formulas {
					if !found["'"+s] || !inBook["'"+s] {
						t.Errorf("%q: in the CSV as %q %v, in the XLSX %v", s, "'"+s, found["'"+s], inBook["'"+s])
					}
				}
			}},
		{name: "script and SQL in a new cohort's name",
			attack: func(t *testing.T, w *world, c *client) reply {
				w.lead.get("/admin/cohorts/new")
				p := w.lead.post("/admin/cohorts", url.Values{"slug": {"xss"}, "name": {hostileName}, "instrument": {w.inst.Ref()}})
				expect(t, p, http.StatusSeeOther)
				return w.lead.follow(p)
			},
			status: 200, says: []string{"<code>xss</code>", escaped(hostileName)},
			stores: func(t *testing.T, w *world, before, after stored) {
				var name string
				if err := w.sql.QueryRow("SELECT name FROM cohorts WHERE slug = 'xss'").Scan(&name); err != nil || name != hostileName {
					t.Fatalf("cohort name stored as %q (%v)", name, err)
				}
				if after.tables != before.tables || after.cohorts != before.cohorts+1 {
					t.Fatalf("stored %+v → %+v", before, after)
				}
			}},
		{name: "cohort name on the consent page",
			attack: func(t *testing.T, w *world, c *client) reply { return w.clientFor(t).get("/c/evil") },
			status: 200, says: []string{"Bevor Sie beginnen", escaped(hostileName)}},
		{name: "cohort name on the dashboard and in its chart options",
			attack: func(t *testing.T, w *world, c *client) reply { return w.lead.get(reportPath(w.evil)) },
			status: 200, says: []string{"<h1>Auswertung: " + escaped(hostileName) + "</h1>"},
			check: func(t *testing.T, w *world, p reply) {
				scriptsWellFormed(t, "dashboard", p.Body, 0)
				if ids, _ := pageCharts(t, p.Body); len(ids) == 0 {
					t.Error("the dashboard has no charts to check")
				}
			}},
		{name: "cohort name in the comparison and its chart options",
			attack: func(t *testing.T, w *world, c *client) reply {
				return w.lead.get(fmt.Sprintf("/admin/compare?cohort=%d&cohort=%d", w.evil.ID, w.plain.ID))
			},
			status: 200, says: []string{`data-chart="chart-compare"`, escaped(hostileName)},
			check: func(t *testing.T, w *world, p reply) {
				scriptsWellFormed(t, "compare", p.Body, 0)
				_, options := pageCharts(t, p.Body)
				// In the chart the name is data: intact once the JSON is parsed.
				if _, ok := seriesData(t, options["compare"])[hostileName]; !ok {
					t.Errorf("no series named as the cohort: %v", seriesData(t, options["compare"]))
				}
			}},

		// SQL-looking strings in every text field.
		{name: "SQL in the free texts", setup: onLastPage("ws26"),
			attack: func(t *testing.T, w *world, c *client) reply {
				return w.submit(t, c, url.Values{"x_reflection": {sqlText}, "x_expectations": {sqlText2}})
			},
			status: 200, says: []string{"Ihre persönliche Rückmeldung"},
			stores: storedVerbatim(sqlText, sqlText2)},
		{name: "SQL in a background choice", setup: onLastPage("ws26"),
			attack: func(t *testing.T, w *world, c *client) reply {
				return c.post(pageURL(pages), w.lastPage(t, c, url.Values{"b_field": {"design' OR '1'='1"}}))
			},
			status: 422, says: []string{"außerhalb der Skala", "Es wurde nichts gespeichert"}},
		{name: "SQL in the cohort short code",
			attack: func(t *testing.T, w *world, c *client) reply {
				return w.clientFor(t).get("/c?code=" + url.QueryEscape("ws26' OR '1'='1"))
			},
			status: 404, says: []string{"gibt es nicht", escaped("ws26' or '1'='1")}},
		{name: "SQL in the code elements", setup: freshBrowser,
			attack: func(t *testing.T, w *world, c *client) reply {
				return c.enter("ws26", code("' OR 1=1 --", sqlText, "1; DELETE FROM answers", `" OR ""="`, "0 OR 1", "x'--"))
			},
			status: 422, says: []string{"markierten"}},
		{name: "SQL in the return code", setup: freshBrowser,
			attack: func(t *testing.T, w *world, c *client) reply {
				return c.post("/resume", url.Values{"return_code": {"' OR '1'='1' --"}})
			},
			status: 422, says: []string{"16 Zeichen", escaped("' OR '1'='1' --")}},
		{name: "SQL in the sign-in",
			attack: func(t *testing.T, w *world, c *client) reply {
				return w.clientFor(t).login("' OR 1=1 --", "' OR ''='")
			},
			status: 401, says: []string{"E-Mail-Adresse oder Passwort stimmen nicht"}},

		// Broken encodings and sizes.
		{name: "invalid UTF-8 in free text", setup: onLastPage("ws26"),
			attack: func(t *testing.T, w *world, c *client) reply {
				return c.post(pageURL(pages), w.lastPage(t, c, url.Values{"x_reflection": {"gut\xff\xfe"}}))
			},
			status: 400, says: []string{"ungültige Zeichen", "Es wurde nichts gespeichert"}},
		{name: "invalid UTF-8 in a field name", setup: onFirstPage,
			attack: func(t *testing.T, w *world, c *client) reply {
				form := c.firstPage("6")
				form.Set("r_"+w.inst.Items[0].ID+"\xff", "5")
				return c.post(pageURL(1), form)
			},
			status: 400, says: []string{"unbekannte Frage"}},
		{name: "invalid UTF-8 in the return code", setup: freshBrowser,
			attack: func(t *testing.T, w *world, c *client) reply {
				return c.post("/resume", url.Values{"return_code": {"\xff\xfe0000-0000-0000-000"}})
			},
			status: 422, says: []string{"16 Zeichen"}},
		{name: "invalid UTF-8 in the code", setup: freshBrowser,
			attack: func(t *testing.T, w *world, c *client) reply {
				return c.enter("ws26", code("\xff", "K", "7", "\xc3", "1", "A"))
			},
			status: 422, says: []string{"markierten"}},
		{name: "a 200 KiB body over real HTTP", setup: onLastPage("ws26"),
			attack: func(t *testing.T, w *world, c *client) reply {
				form := w.lastPage(t, c, url.Values{"x_reflection": {strings.Repeat("x", 200<<10)}})
				form.Set("_csrf", c.csrf)
				req, _ := http.NewRequest(http.MethodPost, "http://"+w.addr+pageURL(pages), strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				for k, v := range c.cookies {
					req.AddCookie(&http.Cookie{Name: k, Value: v})
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				return reply{Status: resp.StatusCode, Body: string(body)}
			},
			status: 413, says: []string{"zu groß", "Es wurde nichts gespeichert"}},
		{name: "5,000 fields", setup: onFirstPage,
			attack: func(t *testing.T, w *world, c *client) reply {
				form := c.firstPage("6")
				for k, v := range manyFields(5000) {
					form[k] = v
				}
				return c.post(pageURL(1), form)
			},
			status: 400, says: []string{"zu viele Felder", "Es wurde nichts gespeichert"}},

		{name: "answers sent as multipart/form-data",
			setup: func(t *testing.T, w *world) *client {
				c := w.participant(t, "ws26", false)
				expect(t, c.post(pageURL(1), c.firstPage("6")), http.StatusSeeOther)
				return c
			},
			attack: func(t *testing.T, w *world, c *client) reply {
				p := c.get(pageURL(1))
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				for k, v := range w.answers(w.inst.Pages()[0], false, "9") {
					mw.WriteField(k, v[0])
				}
				mw.WriteField("_csrf", c.csrf)
				mw.WriteField("_rev", rev(t, p))
				mw.WriteField("nav", "next")
				mw.Close()
				req := httptest.NewRequest(http.MethodPost, pageURL(1), &buf)
				req.Header.Set("Content-Type", mw.FormDataContentType())
				return c.do(req)
			},
			status: 400, says: []string{"unvollständig oder fehlerhaft"}},

		// Forged return codes and CSRF tokens.
		{name: "forged return codes until the limiter stops them", setup: freshBrowser,
			attack: func(t *testing.T, w *world, c *client) reply {
				for i := 1; i <= 10; i++ {
					expect(t, c.post("/resume", url.Values{"return_code": {randomReturnCode()}}), http.StatusNotFound, "nichts gefunden")
				}
				return c.post("/resume", url.Values{"return_code": {randomReturnCode()}})
			},
			status: 429, says: []string{"Zu viele Versuche"}},
		{name: "forged return code to delete someone", setup: freshBrowser,
			attack: func(t *testing.T, w *world, c *client) reply {
				return c.post("/delete/confirm", url.Values{"return_code": {randomReturnCode()}})
			},
			status: 404, says: []string{"nichts gefunden"}},
		{name: "CSRF token of another browser, participant", setup: onFirstPage,
			attack: func(t *testing.T, w *world, c *client) reply {
				other := freshBrowser(t, w)
				form := c.firstPage("6")
				form.Set("_csrf", other.csrf)
				return c.post(pageURL(1), form)
			},
			status: 403, says: []string{"Formular ist abgelaufen"}},
		{name: "CSRF token of another browser, lead",
			attack: func(t *testing.T, w *world, c *client) reply {
				other := w.clientFor(t)
				other.get("/admin/login")
				return w.lead.post("/admin/cohorts", url.Values{"slug": {"csrf1"}, "name": {"X"}, "instrument": {w.inst.Ref()}, "_csrf": {other.csrf}})
			},
			status: 403, says: []string{"Formular ist abgelaufen"}},
		{name: "CSRF token after logout",
			setup: func(t *testing.T, w *world) *client {
				c := w.signIn(t, dashLead, leadPassword)
				expect(t, c.get("/admin/cohorts/new"), http.StatusOK)
				token := c.csrf
				expectRedirect(t, c.post("/admin/logout", nil), "/admin/login")
				c.csrf = token
				return c
			},
			attack: func(t *testing.T, w *world, c *client) reply {
				return c.post("/admin/cohorts", url.Values{"slug": {"afterlogout"}, "name": {"X"}, "instrument": {w.inst.Ref()}})
			},
			// Logging out drops the token as well as the session.
			status: 403, says: []string{"Formular ist abgelaufen"}},

		// A slow client.
		{name: "slow client: half a request line",
			attack: func(t *testing.T, w *world, c *client) reply {
				cfg := w.app.Config()
				for what, d := range map[string]time.Duration{"ReadTimeout": cfg.ReadTimeout, "WriteTimeout": cfg.WriteTimeout, "IdleTimeout": cfg.IdleTimeout} {
					if d <= 0 || d > 2*time.Minute || (what != "IdleTimeout" && d > time.Minute) {
						t.Errorf("%s is %v: want it set, at most a minute (idle two)", what, d)
					}
				}
				conn, err := net.Dial("tcp", w.addr)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				start := time.Now()
				io.WriteString(conn, "GET /c/ws26 HT")
				conn.SetReadDeadline(start.Add(slowTimeout + 5*time.Second))
				got, err := io.ReadAll(conn) // until the server closes
				if err != nil {
					t.Fatalf("the server kept the connection open for %v: %v", time.Since(start), err)
				}
				if took := time.Since(start); took < slowTimeout/2 || took > slowTimeout+3*time.Second {
					t.Errorf("closed after %v, read timeout %v", took, slowTimeout)
				}
				resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(got)), nil)
				if err != nil {
					return reply{Body: string(got)}
				}
				body, _ := io.ReadAll(resp.Body)
				return reply{Status: resp.StatusCode, Body: string(body)}
			},
			status: 408, says: []string{"zu lange gedauert"}},
	}

	// Path traversal on static files, sent over a real connection as written
	// (a client library might clean the path first). The same request for a
	// real file shows that such a request reaches the static files.
	expect(t, w.raw(t, "GET /static/css/app.css HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), http.StatusOK)
	for _, path := range []string{
		"/static/../app/server.go",
		"/static/%2e%2e/%2e%2e/go.mod",
		"/static/vendor/..%2f..%2fserver.go",
		"/static/..%2f..%2f..%2fgo.mod",
		"/static/%252e%252e/%252e%252e/go.mod",
		"/static/..%5c..%5cgo.mod",
		"/static/....//....//go.mod",
		"/static/../../../../../../etc/passwd",
		"/static/../templates/pages/error.html",
		"/static//etc/passwd",
	} {
		attacks = append(attacks, attack{name: "path traversal " + path,
			attack: func(t *testing.T, w *world, c *client) reply {
				return w.raw(t, "GET "+path+" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
			},
			status: 404, says: []string{"Diese Seite gibt es nicht"},
			never: []string{"package app", "module einordnung", "root:", "{{"}})
	}

	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			if a.skip != "" {
				t.Skip("known fault: " + a.skip)
			}
			var c *client
			if a.setup != nil {
				c = a.setup(t, w)
				c.t = t
			}
			before := w.stored(t)
			p := a.attack(t, w, c)
			after := w.stored(t)
			if p.Status != a.status {
				t.Fatalf("status %d, want %d: %s", p.Status, a.status, excerpt(p.Body))
			}
			for _, s := range a.says {
				if !strings.Contains(p.Body, s) {
					t.Errorf("the reply lacks %q: %s", s, excerpt(p.Body))
				}
			}
			never := a.never
			if !a.file {
				never = append(never, markup...)
			}
			for _, s := range never {
				if strings.Contains(p.Body, s) {
					t.Errorf("the reply contains %q: %s", s, excerpt(p.Body))
				}
			}
			if a.check != nil {
				a.check(t, w, p)
			}
			if a.stores != nil {
				a.stores(t, w, before, after)
			} else if after != before {
				t.Errorf("something was stored: %+v → %+v", before, after)
			}
		})
	}
}
