package app_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"einordnung/app"
	"einordnung/db"
)

// csrfRefused is what the CSRF check answers, and nothing else does.
const csrfRefused = "Formular ist abgelaufen"

// TestEveryStateChangingRouteChecksCSRF takes every route that may change
// state (any method but GET, HEAD, OPTIONS and TRACE) from Fiber's own list
// of what New registered, so that no route, participant's or lead's, old or
// new, escapes it. Each is sent as the browser of a signed-in administrator
// (routes under /admin) or of a participant in the middle of the survey
// (the others) would send it, with the session cookie, the browser's CSRF
// cookie and, where the route needs one, a form it would accept, but
// without the CSRF token, and once more with another browser's token. Each
// must be refused by the CSRF check: a 403 for any other reason (no
// session, the guard) does not count.
func TestEveryStateChangingRouteChecksCSRF(t *testing.T) {
	e := newEnv(t)
	cohort := e.cohort("ws26", db.Pre)
	lead := e.account("lead@example.org", db.RoleLead, leadPassword, false, cohort.ID)
	e.account("admin@example.org", db.RoleAdmin, adminPassword, false)
	admin := e.signIn(t, "admin@example.org", adminPassword)
	expect(t, admin.get("/admin/cohorts"), http.StatusOK)

	participant := e.client()
	returnCode := participant.startPre("ws26", code("M", "K", "7", "H", "1", "A"))
	surveyPage := participant.firstPage("6") // also checks the session serves the survey

	other := e.client() // a stranger's browser, for a token that is not this one's
	expect(t, other.get("/"), http.StatusOK)
	if other.csrf == "" || other.csrf == participant.csrf || other.csrf == admin.csrf {
		t.Fatalf("no token of its own in the other browser: %q", other.csrf)
	}

	params := map[string]string{
		":id":   strconv.FormatUint(uint64(cohort.ID), 10),
		":slug": cohort.Slug,
		":page": "1",
		":wave": string(db.Pre),
		":uid":  strconv.FormatUint(uint64(lead.ID), 10),
		":ref":  e.inst.Ref(),
	}
	// What a browser would send to each route, token aside: with the
	// browser's own token each of these is accepted. A route missing here is
	// sent an empty form, which the CSRF check must refuse as well.
	forms := map[string]url.Values{
		"POST /resume":                        {"return_code": {returnCode}},
		"POST /c/:slug/consent":               {"agree": {"yes"}},
		"POST /c/:slug/code":                  code("B", "S", "23", "L", "0", "R"), // a new participant
		"POST /survey/:page":                  surveyPage,
		"POST /delete":                        {"return_code": {returnCode}},
		"POST /delete/confirm":                {"return_code": {returnCode}},
		"POST /admin/login":                   {"email": {"admin@example.org"}, "password": {adminPassword}},
		"POST /admin/password":                {"current": {adminPassword}, "new": {"ein neues langes Passwort"}, "repeat": {"ein neues langes Passwort"}},
		"POST /admin/cohorts":                 {"slug": {"ws27"}, "name": {"Jahrgang 2027"}, "instrument": {e.inst.Ref()}},
		"POST /admin/cohorts/:id/waves/:wave": {"action": {"close"}},
		"POST /admin/cohorts/:id/settings":    {"retention_days": {"365"}, "min_group": {"7"}},
		"POST /admin/users":                   {"email": {"neu@example.org"}, "role": {db.RoleLead}},
		"POST /admin/users/:uid":              {"action": {"disable"}},
		"POST /admin/operator":                {"controller_name": {"Hochschule"}, "legal_basis": {"consent"}},
		"POST /admin/cohorts/:id/import":      nil, // a file, see importFile
		"POST /admin/instruments/import":      nil, // a file too
		"POST /admin/instruments/:ref/new":    {"content": {string(app.NextVersionText(e.set, e.inst))}},
		"POST /admin/logout":                  nil,
	}
	importFile := []byte(responsesHeader + "\r\nws26,pre,P9,1,2026-03-02T09:00:00Z,und1,rating,understanding,7,\r\n")

	safe := map[string]bool{http.MethodGet: true, http.MethodHead: true, http.MethodOptions: true, http.MethodTrace: true}
	// Routes that end the session the others need go last.
	endsSession := map[string]bool{"POST /admin/logout": true, "POST /delete/confirm": true}
	var routes, last []string
	seen := map[string]bool{}
	for _, r := range e.app.GetRoutes(true) {
		key := r.Method + " " + r.Path
		if safe[r.Method] || seen[key] {
			continue
		}
		seen[key] = true
		if endsSession[key] {
			last = append(last, key)
		} else {
			routes = append(routes, key)
		}
	}
	routes = append(routes, last...)
	t.Logf("%d state-changing routes: %s", len(routes), strings.Join(routes, ", "))
	for key := range forms {
		if !seen[key] {
			t.Errorf("%s has a form here but is not registered", key)
		}
	}

	fill := func(path string) string {
		parts := strings.Split(path, "/")
		for i, part := range parts {
			if v, ok := params[part]; ok {
				parts[i] = v
			} else if strings.HasPrefix(part, ":") || strings.ContainsAny(part, "*+") {
				t.Errorf("%s: this test knows no value for %q; add one to params", path, part)
			}
		}
		return strings.Join(parts, "/")
	}
	request := func(method, key, path, token string) *http.Request {
		if strings.HasSuffix(key, "/import") {
			req := multipartImport(path, token, "responses.csv", importFile)
			req.Method = method
			return req
		}
		form := url.Values{}
		for k, v := range forms[key] {
			form[k] = v
		}
		form.Del("_csrf") // only the token under test
		if token != "" {
			form.Set("_csrf", token)
		}
		req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req
	}

	auditBefore := len(auditRows(t, e))
	for _, key := range routes {
		method, pattern, _ := strings.Cut(key, " ")
		browser, who := participant, "participant"
		if pattern == "/admin" || strings.HasPrefix(pattern, "/admin/") {
			browser, who = admin, "administrator"
		}
		path := fill(pattern)
		for _, token := range []struct{ name, value string }{{"no token", ""}, {"another browser's token", other.csrf}} {
			p := browser.do(request(method, key, path, token.value))
			if p.Status != http.StatusForbidden || !strings.Contains(p.Body, csrfRefused) {
				t.Errorf("%s as %s with %s: got %d to %q, want 403 from the CSRF check: %s",
					key, who, token.name, p.Status, p.Location, excerpt(p.Body))
			}
		}
	}

	// Nothing happened, and both sessions are still good.
	if n := len(auditRows(t, e)); n != auditBefore {
		t.Errorf("%d audit entries after the refused requests, %d before: %v", n, auditBefore, auditRows(t, e)[auditBefore:])
	}
	if n := countRows(t, e, "participants"); n != 1 {
		t.Errorf("%d participants after the refused requests, want 1", n)
	}
	if p := admin.get("/admin/cohorts"); p.Status != http.StatusOK {
		t.Errorf("the administrator's session after the refused requests: %d to %q, want 200", p.Status, p.Location)
	}
	if p := participant.get(pageURL(1)); p.Status != http.StatusOK {
		t.Errorf("the participant's session after the refused requests: %d to %q, want 200", p.Status, p.Location)
	}
}

// originRequest is a form POST with the browser's own token, sent with the
// given Origin and Referer headers ("" leaves one out).
func originRequest(c *client, path string, form url.Values, origin, referer string) reply {
	c.t.Helper()
	req := c.formRequest(path, form)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if referer != "" {
		req.Header.Set("Referer", referer)
	}
	return c.do(req)
}

// TestForeignOriginIsRefusedOverHTTP: a form sent from another site's page
// is refused even with a valid token, over plain HTTP as over HTTPS: the
// browser names the page's origin in Origin or, failing that, in Referer.
// A request with neither header (a browser set to send no Referer) is left
// to the token; one from the server's own pages goes through. The requests
// go to http://example.com (httptest's host), which is the server's origin.
func TestForeignOriginIsRefusedOverHTTP(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	e.account("admin@example.org", db.RoleAdmin, adminPassword, false)
	consent := url.Values{"agree": {"yes"}}

	for _, tc := range []struct{ name, origin, referer string }{
		{"a foreign Origin", "http://evil.example", ""},
		{"a foreign Origin with our Referer", "http://evil.example", "http://example.com/c/ws26"},
		{"a foreign Referer", "", "http://evil.example/form.html"},
		{"Origin: null", "null", ""},
		{"our host under another port", "http://example.com:8080", ""},
	} {
		c := e.clientFor(t)
		expect(t, c.get("/c/ws26"), http.StatusOK)
		if p := originRequest(c, "/c/ws26/consent", consent, tc.origin, tc.referer); p.Status != http.StatusForbidden || !strings.Contains(p.Body, csrfRefused) {
			t.Errorf("consent with %s: got %d to %q, want 403 from the CSRF check: %s", tc.name, p.Status, p.Location, excerpt(p.Body))
		}
		lead := e.clientFor(t)
		expect(t, lead.get("/admin/login"), http.StatusOK)
		login := url.Values{"email": {"admin@example.org"}, "password": {adminPassword}}
		if p := originRequest(lead, "/admin/login", login, tc.origin, tc.referer); p.Status != http.StatusForbidden || !strings.Contains(p.Body, csrfRefused) {
			t.Errorf("sign-in with %s: got %d to %q, want 403 from the CSRF check: %s", tc.name, p.Status, p.Location, excerpt(p.Body))
		}
	}
	if n := countRows(t, e, "participants"); n != 0 {
		t.Errorf("%d participants after the refused requests", n)
	}

	for _, tc := range []struct{ name, origin, referer string }{
		{"our Origin", "http://example.com", ""},
		{"our Referer", "", "http://example.com/c/ws26"},
		{"neither header", "", ""},
		{"our host over https (TLS ended at a proxy)", "https://example.com", ""},
	} {
		c := e.clientFor(t)
		expect(t, c.get("/c/ws26"), http.StatusOK)
		if p := originRequest(c, "/c/ws26/consent", consent, tc.origin, tc.referer); p.Status != http.StatusSeeOther || p.Location != "/c/ws26/code" {
			t.Errorf("consent with %s: got %d to %q, want 303 to the code form: %s", tc.name, p.Status, p.Location, excerpt(p.Body))
		}
	}
}

// TestPublicURLIsTheServersOrigin: behind a proxy that passes neither the
// scheme nor the host on, the server knows its origin from PublicURL.
func TestPublicURLIsTheServersOrigin(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	web, err := app.New(app.Config{Secret: testSecret, PublicURL: "https://einordnung.example.org/"}, e.store, e.set)
	if err != nil {
		t.Fatal(err)
	}
	e.app = web
	for origin, want := range map[string]int{
		"https://einordnung.example.org": http.StatusSeeOther,
		"http://einordnung.example.org":  http.StatusForbidden,
		"https://evil.example":           http.StatusForbidden,
	} {
		c := e.clientFor(t)
		expect(t, c.get("/c/ws26"), http.StatusOK)
		if p := originRequest(c, "/c/ws26/consent", url.Values{"agree": {"yes"}}, origin, ""); p.Status != want {
			t.Errorf("consent with Origin %s: got %d to %q, want %d: %s", origin, p.Status, p.Location, want, excerpt(p.Body))
		}
	}
}

// TestCSRFTokenIsBoundToTheSession: a token and CSRF cookie taken from one
// browser are worthless with another browser's session, for participants
// and for program leads (whose sign-in form comes before any sign-in).
func TestCSRFTokenIsBoundToTheSession(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	e.account("admin@example.org", db.RoleAdmin, adminPassword, false)

	// steal sends victim's form with thief's token and CSRF cookies.
	steal := func(thief, victim *client, path string, form url.Values) reply {
		saved := map[string]string{}
		for k, v := range victim.cookies {
			saved[k] = v
		}
		for k, v := range thief.cookies {
			if strings.Contains(k, "csrf") {
				victim.cookies[k] = v
			}
		}
		form.Set("_csrf", thief.csrf)
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		p := victim.do(req)
		victim.cookies = saved
		return p
	}

	a, b := e.client(), e.client()
	expect(t, a.get("/c/ws26"), http.StatusOK)
	expect(t, b.get("/c/ws26"), http.StatusOK)
	if p := steal(a, b, "/c/ws26/consent", url.Values{"agree": {"yes"}}); p.Status != http.StatusForbidden || !strings.Contains(p.Body, csrfRefused) {
		t.Errorf("consent with browser A's token and cookie in browser B: got %d to %q, want 403 from the CSRF check: %s", p.Status, p.Location, excerpt(p.Body))
	}
	// Each browser's own token still works.
	expect(t, b.post("/c/ws26/consent", url.Values{"agree": {"yes"}}), http.StatusSeeOther)
	expect(t, a.post("/c/ws26/consent", url.Values{"agree": {"yes"}}), http.StatusSeeOther)

	la, lb := e.client(), e.client()
	expect(t, la.get("/admin/login"), http.StatusOK)
	expect(t, lb.get("/admin/login"), http.StatusOK)
	login := url.Values{"email": {"admin@example.org"}, "password": {adminPassword}}
	if p := steal(la, lb, "/admin/login", login); p.Status != http.StatusForbidden || !strings.Contains(p.Body, csrfRefused) {
		t.Errorf("sign-in with browser A's token and cookie in browser B: got %d to %q, want 403 from the CSRF check: %s", p.Status, p.Location, excerpt(p.Body))
	}
	p := lb.post("/admin/login", url.Values{"email": {"admin@example.org"}, "password": {adminPassword}})
	expect(t, p, http.StatusSeeOther)
	// After sign-in (a new session id) the token still belongs to the session.
	lb.follow(p)
	stranger := e.client()
	expect(t, stranger.get("/admin/login"), http.StatusOK)
	if p := steal(lb, stranger, "/admin/login", login); p.Status != http.StatusForbidden || !strings.Contains(p.Body, csrfRefused) {
		t.Errorf("a signed-in lead's token in another browser: got %d to %q, want 403: %s", p.Status, p.Location, excerpt(p.Body))
	}
	expect(t, lb.get("/admin/cohorts"), http.StatusOK)
}

// TestPageViewsDoNotRewriteTheSession: the session-bound token moves its
// expiry on every request, but viewing pages must not turn into a durable
// write each (the session row stays as it was while the token has more
// than half its lifetime left); a saved answer still changes it as before.
func TestPageViewsDoNotRewriteTheSession(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	c := e.client()
	c.startPre("ws26", code("M", "K", "7", "H", "1", "A"))
	row := func() string {
		var data []byte
		var at int64
		if err := e.sql.QueryRow("SELECT data, expires_at FROM sessions WHERE key = ?", c.cookies["einordnung_session"]).Scan(&data, &at); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%x@%d", data, at)
	}
	expect(t, c.get(pageURL(1)), http.StatusOK)
	before := row()
	for range 3 {
		expect(t, c.get(pageURL(1)), http.StatusOK)
		expect(t, c.get("/privacy"), http.StatusOK)
	}
	if after := row(); after != before {
		t.Errorf("viewing pages rewrote the session row")
	}
	// The token of those views is still good.
	expect(t, c.post(pageURL(1), c.firstPage("6")), http.StatusSeeOther)
}
