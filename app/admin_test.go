package app_test

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"einordnung/app"
	"einordnung/db"
	"einordnung/db/dbtest"
	"einordnung/questions"
)

const (
	adminCookie   = "einordnung_admin"
	leadPassword  = "ein langes Passwort der Leitung"
	adminPassword = "ein langes Passwort der Administration"
	loginFailed   = "E-Mail-Adresse oder Passwort stimmen nicht"
	rateLimited   = "Zu viele Versuche"
)

// account creates an account directly in the store. Its password is hashed
// at bcrypt's lowest cost so that the tests sign in quickly; the app checks
// a hash of any cost.
func (e *env) account(email, role, password string, mustChange bool, cohorts ...uint) *db.User {
	e.t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		e.t.Fatal(err)
	}
	u, err := e.store.CreateUser(email, role, string(hash), mustChange)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(cohorts) > 0 {
		if err := e.store.SetLeadCohorts(u.ID, cohorts); err != nil {
			e.t.Fatal(err)
		}
	}
	return u
}

// login opens the login page in browser c and signs in.
func (c *client) login(email, password string) reply {
	c.t.Helper()
	expect(c.t, c.get("/admin/login"), http.StatusOK, `action="/admin/login"`)
	p := c.post("/admin/login", url.Values{"email": {email}, "password": {password}})
	if p.Status == http.StatusSeeOther {
		// Like a browser, load the page signed in to: it carries the CSRF
		// token issued after sign-in (the login page's was dropped).
		c.get(p.Location)
	}
	return p
}

// signIn returns a new browser signed in as email; it fails the test unless
// the sign-in is accepted.
func (e *env) signIn(t *testing.T, email, password string) *client {
	t.Helper()
	c := e.clientFor(t)
	p := c.login(email, password)
	if p.Status != http.StatusSeeOther || c.cookies[adminCookie] == "" {
		t.Fatalf("sign-in as %s: %d %q, session cookie %q: %s", email, p.Status, p.Location, c.cookies[adminCookie], excerpt(p.Body))
	}
	return c
}

// expectRedirect fails unless p is a 303 to location.
func expectRedirect(t *testing.T, p reply, location string) {
	t.Helper()
	if p.Status != http.StatusSeeOther || p.Location != location {
		t.Fatalf("got %d to %q, want 303 to %q: %s", p.Status, p.Location, location, excerpt(p.Body))
	}
}

// full sends req with the browser's cookies and returns the whole response,
// headers included. The browser's cookies are left as they are.
func (c *client) full(req *http.Request) (*http.Response, []byte) {
	c.t.Helper()
	var jar []string
	for k, v := range c.cookies {
		jar = append(jar, k+"="+v)
	}
	if len(jar) > 0 {
		req.Header.Set("Cookie", strings.Join(jar, "; "))
	}
	resp, err := c.e.app.Test(req, -1)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// formRequest is a form POST carrying the browser's current CSRF token.
func (c *client) formRequest(path string, form url.Values) *http.Request {
	form.Set("_csrf", c.csrf)
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, ck := range resp.Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

type auditRow struct {
	Actor, Action, Target, Detail string
}

// auditRows returns the audit log as stored, oldest first.
func auditRows(t *testing.T, e *env) []auditRow {
	t.Helper()
	rows, err := e.sql.Query("SELECT actor, action, target, detail FROM audit_entries ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var r auditRow
		if err := rows.Scan(&r.Actor, &r.Action, &r.Target, &r.Detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// audited returns the entries with the given action, oldest first.
func audited(t *testing.T, e *env, action string) []auditRow {
	t.Helper()
	var out []auditRow
	for _, r := range auditRows(t, e) {
		if r.Action == action {
			out = append(out, r)
		}
	}
	return out
}

// writable opens a plain read-write connection to the env's database, to
// age what the app stored.
func writable(t *testing.T, e *env) *dbtest.Conn {
	t.Helper()
	return dbtest.Plain(t, e.dsn)
}

// allowed reports whether a reply shows the guard let the request through:
// no 401/403/404, no server error, no redirect to sign-in or password change.
func allowed(p reply) bool {
	switch {
	case p.Status == http.StatusUnauthorized, p.Status == http.StatusForbidden, p.Status == http.StatusNotFound, p.Status >= 500:
		return false
	case p.Status == http.StatusSeeOther && (p.Location == "/admin/login" || p.Location == "/admin/password"):
		return false
	}
	return true
}

// TestEveryAdminRouteIsGuarded walks the admin route table (the one New
// registers every /admin route from) with an anonymous visitor, an account
// that must still change its password, a lead and an administrator, and
// checks each route's rule. A route registered under /admin outside the
// table fails the test.
func TestEveryAdminRouteIsGuarded(t *testing.T) {
	e := newEnv(t)
	mine := e.cohort("mine", "")
	const secretName = "Geheimer Jahrgang Zett"
	theirs, err := e.store.CreateCohort("theirs", secretName, e.inst.Ref())
	if err != nil {
		t.Fatal(err)
	}
	e.account("admin@example.org", db.RoleAdmin, adminPassword, false)
	lead := e.account("lead@example.org", db.RoleLead, leadPassword, false, mine.ID)
	e.account("neu@example.org", db.RoleLead, leadPassword, true, mine.ID)

	table := app.AdminRouteTable(e.store)
	rules := map[string]string{}
	t.Logf("%-6s %-34s %s", "METHOD", "PATH", "RULE")
	for _, r := range table {
		rules[r.Method+" "+r.Path] = r.Rule
		t.Logf("%-6s %-34s %s", r.Method, r.Path, r.Rule)
	}
	registered := map[string]bool{}
	for _, r := range e.app.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/admin") {
			continue
		}
		key := r.Method + " " + r.Path
		registered[key] = true
		if _, ok := rules[key]; !ok {
			t.Errorf("%s is registered but not in the admin route table: it has no access rule", key)
		}
	}
	for key := range rules {
		if !registered[key] {
			t.Errorf("%s is in the table but not registered", key)
		}
	}

	anon := e.client()
	expect(t, anon.get("/admin/login"), http.StatusOK) // a CSRF token for its POSTs
	fresh := e.signIn(t, "neu@example.org", leadPassword)
	leadC := e.signIn(t, "lead@example.org", leadPassword)
	adminC := e.signIn(t, "admin@example.org", adminPassword)

	// Real values for the route parameters; :id is the cohort under test.
	params := map[string]string{
		":uid":  strconv.FormatUint(uint64(lead.ID), 10),
		":wave": string(db.Pre),
		":what": "json",
		":ref":  e.inst.Ref(),
		":page": "1",
	}
	fill := func(path string, cohortID uint) string {
		parts := strings.Split(path, "/")
		for i, part := range parts {
			if part == ":id" {
				parts[i] = strconv.FormatUint(uint64(cohortID), 10)
			} else if v, ok := params[part]; ok {
				parts[i] = v
			}
		}
		return strings.Join(parts, "/")
	}
	for _, r := range table {
		if strings.Contains(fill(r.Path, 1), ":") {
			t.Errorf("%s %s: this test knows no value for a parameter; add one to params", r.Method, r.Path)
		}
	}
	send := func(c *client, method, path string) reply {
		if method == http.MethodGet {
			return c.get(path)
		}
		return c.post(path, nil) // an empty form with a valid CSRF token
	}

	// Signing out ends the session the other routes need: walk it last.
	ordered := make([]app.AdminRoute, 0, len(table))
	var last []app.AdminRoute
	for _, r := range table {
		if r.Path == "/admin/logout" {
			last = append(last, r)
			continue
		}
		ordered = append(ordered, r)
	}
	ordered = append(ordered, last...)

	for _, r := range ordered {
		route := r.Method + " " + r.Path
		path := fill(r.Path, mine.ID)
		other := fill(r.Path, theirs.ID)
		hasCohort := strings.Contains(r.Path, ":id")
		fail := func(who string, p reply, want string) {
			t.Errorf("%s (%s) as %s: got %d to %q, want %s: %s", route, r.Rule, who, p.Status, p.Location, want, excerpt(p.Body))
		}

		// Anonymous.
		p := send(anon, r.Method, path)
		switch {
		case r.Rule == "public" && r.Method == http.MethodGet:
			if p.Status != http.StatusOK || !strings.Contains(p.Body, `action="/admin/login"`) {
				fail("anonymous", p, "200 with the login form")
			}
		case r.Rule == "public":
			if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, `action="/admin/login"`) || !strings.Contains(p.Body, loginFailed) {
				fail("anonymous", p, "the login page again (401) for an empty form")
			}
		case r.Method == http.MethodGet:
			if p.Status != http.StatusSeeOther || p.Location != "/admin/login" {
				fail("anonymous", p, "303 to /admin/login")
			}
		default:
			if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "Bitte melden Sie sich an") {
				fail("anonymous", p, "401 asking to sign in")
			}
		}

		for _, who := range []struct {
			name string
			c    *client
		}{{"must-change account", fresh}, {"lead", leadC}, {"admin", adminC}} {
			p := send(who.c, r.Method, path)
			// A lead sees only the cohorts assigned to them, on every page.
			if who.c != adminC && strings.Contains(p.Body, secretName) {
				fail(who.name, p, "no trace of a cohort not assigned to them")
			}
			switch {
			case r.Rule == "public" && r.Method == http.MethodPost:
				if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, `action="/admin/login"`) {
					fail(who.name, p, "the login page again (401) for an empty form")
				}
			case r.Rule == "public":
				if p.Status != http.StatusOK && !(p.Status == http.StatusSeeOther && p.Location == "/admin/cohorts") {
					fail(who.name, p, "the login page or, signed in, 303 to /admin/cohorts")
				}
			case r.Path == "/admin/logout":
				if p.Status != http.StatusSeeOther || p.Location != "/admin/login" {
					fail(who.name, p, "303 to /admin/login")
				}
				// Signed out now: the session is gone.
				if p := who.c.get("/admin/cohorts"); p.Status != http.StatusSeeOther || p.Location != "/admin/login" {
					fail(who.name+" after signing out", p, "303 to /admin/login")
				}
			case who.c == fresh && r.Rule != "signed in":
				if p.Status != http.StatusSeeOther || p.Location != "/admin/password" {
					fail(who.name, p, "303 to /admin/password")
				}
			case who.c == leadC && r.Rule == "admin":
				if p.Status != http.StatusForbidden {
					fail(who.name, p, "403")
				}
			case r.Rule == "signed in", r.Rule == "lead", r.Rule == "cohort member", r.Rule == "admin":
				if !allowed(p) {
					fail(who.name, p, "to be let through")
				}
				if templateFailed(p) {
					fail(who.name, p, "a page without a template error")
				}
			default:
				t.Errorf("%s: rule %q is unknown to this test; teach it the new rule", route, r.Rule)
			}
		}
		if r.Rule != "cohort member" {
			continue
		}
		if !hasCohort {
			t.Errorf("%s: a cohort-member route without :id", route)
			continue
		}
		// A lead guessing another cohort's id learns nothing, not even that it exists.
		p = send(leadC, r.Method, other)
		if p.Status != http.StatusNotFound || strings.Contains(p.Body, secretName) || strings.Contains(p.Body, "theirs") {
			fail("lead on another cohort", p, "404 without the cohort's name")
		}
		// The administrator sees every cohort; ids that name none are 404.
		if p := send(adminC, r.Method, other); !allowed(p) {
			fail("admin on another lead's cohort", p, "to be let through")
		}
		for _, id := range []string{"99999", "x", "-1"} {
			if p := send(adminC, r.Method, fill(strings.ReplaceAll(r.Path, ":id", id), 0)); p.Status != http.StatusNotFound {
				fail("admin on cohort "+id, p, "404")
			}
		}
	}
}

func TestLoginFailuresAreAlikeAndAudited(t *testing.T) {
	e := newEnv(t)
	e.account("lead@example.org", db.RoleLead, leadPassword, false)
	gone := e.account("weg@example.org", db.RoleLead, leadPassword, false)
	yes := true
	if err := e.store.UpdateUser(gone.ID, db.UserUpdate{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	// The log names the address in its normal form; anything that is not
	// an address (it might be a password in the wrong field) becomes "-".
	tests := []struct {
		name, email, password, actor string
	}{
		{"wrong password", "lead@example.org", "ein falsches Passwort", "lead@example.org"},
		{"unknown e-mail", "niemand@example.org", leadPassword, "niemand@example.org"},
		{"disabled account with its right password", "weg@example.org", leadPassword, "weg@example.org"},
		{"empty form", "", "", "-"},
		{"known e-mail in capitals, wrong password", "LEAD@example.org", "ein anderes falsches Passwort", "lead@example.org"},
		{"password typed into the e-mail field", "mein geheimes Passwort", "zweites Feld leer", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(audited(t, e, db.AuditLoginFailed))
			c := e.clientFor(t)
			p := c.login(tt.email, tt.password)
			expect(t, p, http.StatusUnauthorized, loginFailed, `action="/admin/login"`)
			// The browser has a session from the sign-in form on (it holds
			// the form's CSRF token), but it signs no one in.
			if p := c.get("/admin/cohorts"); p.Status != http.StatusSeeOther || p.Location != "/admin/login" {
				t.Errorf("after a failed sign-in, /admin/cohorts answers %d to %q, want the sign-in form", p.Status, p.Location)
			}
			failed := audited(t, e, db.AuditLoginFailed)
			if len(failed) != before+1 {
				t.Fatalf("%d login_failed entries, want %d", len(failed), before+1)
			}
			if got := failed[len(failed)-1]; got.Actor != tt.actor {
				t.Errorf("login_failed actor %q, want %q", got.Actor, tt.actor)
			}
			for _, r := range auditRows(t, e) {
				if tt.password != "" && strings.Contains(r.Actor+r.Target+r.Detail, tt.password) {
					t.Errorf("the audit log holds the typed password: %+v", r)
				}
			}
			expectRedirect(t, c.get("/admin/cohorts"), "/admin/login")
		})
	}
	if n := len(audited(t, e, db.AuditLogin)); n != 0 {
		t.Errorf("%d successful logins audited, want 0", n)
	}
}

func TestLoginRotatesTheSessionAndSetsSafeCookies(t *testing.T) {
	e := newEnv(t)
	e.account("lead@example.org", db.RoleLead, leadPassword, false)
	e.account("admin@example.org", db.RoleAdmin, adminPassword, false)

	t.Run("an id planted before sign-in is replaced", func(t *testing.T) {
		c := e.clientFor(t)
		c.cookies[adminCookie] = "planted-by-someone-else"
		expectRedirect(t, c.login("lead@example.org", leadPassword), "/admin/cohorts")
		if got := c.cookies[adminCookie]; got == "" || got == "planted-by-someone-else" {
			t.Fatalf("session cookie after sign-in %q", got)
		}
		if len(audited(t, e, db.AuditLogin)) != 1 {
			t.Errorf("the sign-in was not audited")
		}
	})

	t.Run("signing in again in the same browser gives a new id and ends the old", func(t *testing.T) {
		c := e.clientFor(t)
		expect(t, c.get("/admin/login"), http.StatusOK)
		tokenBefore := c.csrf
		expectRedirect(t, c.post("/admin/login", url.Values{"email": {"lead@example.org"}, "password": {leadPassword}}), "/admin/cohorts")
		first := c.cookies[adminCookie]
		// The CSRF token of the login page was dropped at sign-in: a form
		// sent with it now fails, one sent with the token of a page
		// loaded since goes through.
		if p := c.post("/admin/login", url.Values{"email": {"admin@example.org"}, "password": {adminPassword}, "_csrf": {tokenBefore}}); p.Status != http.StatusForbidden {
			t.Fatalf("sign-in form with the token from before the first sign-in: %d, want 403", p.Status)
		}
		expect(t, c.get("/admin/cohorts"), http.StatusOK)
		if c.csrf == "" || c.csrf == tokenBefore {
			t.Fatalf("CSRF token before sign-in %q, after %q: not renewed", tokenBefore, c.csrf)
		}
		// (The login page itself sends a signed-in browser on; the form is posted as it stands.)
		expectRedirect(t, c.post("/admin/login", url.Values{"email": {"admin@example.org"}, "password": {adminPassword}}), "/admin/cohorts")
		second := c.cookies[adminCookie]
		if second == "" || second == first {
			t.Fatalf("session id before %q, after %q: not rotated", first, second)
		}
		old := e.clientFor(t)
		old.cookies[adminCookie] = first
		expectRedirect(t, old.get("/admin/cohorts"), "/admin/login")
		// The new session is the administrator's.
		expect(t, c.get("/admin/users"), http.StatusOK, "lead@example.org")
	})

	attributes := []struct {
		name   string
		secure bool
	}{{"over HTTP", false}, {"with SecureCookies", true}}
	for _, tt := range attributes {
		t.Run("cookie attributes "+tt.name, func(t *testing.T) {
			web, err := app.New(app.Config{Secret: testSecret, SecureCookies: tt.secure}, e.store, e.set)
			if err != nil {
				t.Fatal(err)
			}
			ee := *e
			ee.app = web
			c := ee.clientFor(t)
			c.get("/admin/login")
			resp, _ := c.full(c.formRequest("/admin/login", url.Values{"email": {"lead@example.org"}, "password": {leadPassword}}))
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign-in: %d", resp.StatusCode)
			}
			ck := cookieNamed(resp, adminCookie)
			if ck == nil {
				t.Fatalf("no %s cookie in %v", adminCookie, resp.Header.Values("Set-Cookie"))
			}
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/admin" || ck.Secure != tt.secure {
				t.Errorf("cookie %q: HttpOnly %v, SameSite %v, Path %q, Secure %v; want HttpOnly, Lax, /admin, Secure %v",
					resp.Header.Get("Set-Cookie"), ck.HttpOnly, ck.SameSite, ck.Path, ck.Secure, tt.secure)
			}
		})
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	e := newEnv(t)
	e.account("lead@example.org", db.RoleLead, leadPassword, false)
	c := e.signIn(t, "lead@example.org", leadPassword)
	id := c.cookies[adminCookie]
	expect(t, c.get("/admin/cohorts"), http.StatusOK, "Abmelden")

	expectRedirect(t, c.post("/admin/logout", nil), "/admin/login")
	expectRedirect(t, c.get("/admin/cohorts"), "/admin/login")
	// The CSRF token of the signed-in pages ended with the session.
	if p := c.post("/admin/login", url.Values{"email": {"lead@example.org"}, "password": {leadPassword}}); p.Status != http.StatusForbidden {
		t.Errorf("sign-in form with the token from before the logout: %d, want 403", p.Status)
	}
	// The old cookie, kept by someone, no longer works either.
	stolen := e.clientFor(t)
	stolen.cookies[adminCookie] = id
	expectRedirect(t, stolen.get("/admin/cohorts"), "/admin/login")
	var n int
	if err := e.sql.QueryRow("SELECT COUNT(*) FROM sessions WHERE key = ?", id).Scan(&n); err != nil || n != 0 {
		t.Errorf("session row after logout: %d (%v)", n, err)
	}
	if out := audited(t, e, db.AuditLogout); len(out) != 1 || out[0].Actor != "lead@example.org" {
		t.Errorf("logout audit %+v", out)
	}
}

// sessionData reads and decodes a stored admin session.
func sessionData(t *testing.T, w *dbtest.Conn, id string) map[string]any {
	t.Helper()
	var raw []byte
	if err := w.QueryRow("SELECT data FROM sessions WHERE key = ?", id).Scan(&raw); err != nil {
		t.Fatalf("session %q: %v", id, err)
	}
	data := map[string]any{}
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&data); err != nil {
		t.Fatalf("decode session: %v", err)
	}
	return data
}

// storeSessionData writes a session's data back, as the app encodes it,
// through the session storage (which may answer reads from memory).
func storeSessionData(t *testing.T, e *env, id string, data map[string]any, expiresAt time.Time) {
	t.Helper()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&data); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Sessions().Set(id, buf.Bytes(), time.Until(expiresAt)); err != nil {
		t.Fatal(err)
	}
}

func TestAdminSessionExpiry(t *testing.T) {
	e := newEnv(t)
	e.account("lead@example.org", db.RoleLead, leadPassword, false)
	w := writable(t, e)
	expiresAt := func(id string) int64 {
		var at int64
		if err := w.QueryRow("SELECT expires_at FROM sessions WHERE key = ?", id).Scan(&at); err != nil {
			t.Fatalf("session %q: %v", id, err)
		}
		return at
	}

	t.Run("idle: an expired session row signs the lead out", func(t *testing.T) {
		c := e.signIn(t, "lead@example.org", leadPassword)
		id := c.cookies[adminCookie]
		if left := time.Until(time.Unix(expiresAt(id), 0)); left < 29*time.Minute || left > 31*time.Minute {
			t.Errorf("a new session expires in %v, want the 30-minute idle timeout", left)
		}
		// Let the stored session run out: one second left, then wait.
		storeSessionData(t, e, id, sessionData(t, w, id), time.Now().Add(time.Second))
		time.Sleep(time.Until(time.Unix(time.Now().Unix()+2, 0)))
		// A form of the expired session asks to sign in again (its CSRF
		// token ended with the session).
		if p := c.post("/admin/cohorts", url.Values{"slug": {"ws26"}, "name": {"x"}}); p.Status != http.StatusUnauthorized {
			t.Errorf("POST with an expired session: %d, want 401", p.Status)
		}
		expectRedirect(t, c.get("/admin/cohorts"), "/admin/login")
	})

	t.Run("idle: working renews the timeout", func(t *testing.T) {
		c := e.signIn(t, "lead@example.org", leadPassword)
		id := c.cookies[adminCookie]
		data := sessionData(t, w, id)
		data["seen_at"] = time.Now().Add(-5 * time.Minute).Unix()
		storeSessionData(t, e, id, data, time.Now().Add(time.Minute))
		expect(t, c.get("/admin/cohorts"), http.StatusOK)
		if left := time.Until(time.Unix(expiresAt(id), 0)); left < 29*time.Minute {
			t.Errorf("after a request the session expires in %v, want the idle timeout renewed to 30 minutes", left)
		}
	})

	t.Run("absolute: twelve hours after sign-in the session ends however busy", func(t *testing.T) {
		c := e.signIn(t, "lead@example.org", leadPassword)
		id := c.cookies[adminCookie]
		data := sessionData(t, w, id)
		if _, ok := data["login_at"].(int64); !ok {
			t.Fatalf("session data %v has no login time", data)
		}
		data["login_at"] = time.Now().Add(-12*time.Hour - time.Minute).Unix()
		data["seen_at"] = time.Now().Unix()
		storeSessionData(t, e, id, data, time.Now().Add(30*time.Minute))
		expectRedirect(t, c.get("/admin/cohorts"), "/admin/login")
		var n int
		if err := w.QueryRow("SELECT COUNT(*) FROM sessions WHERE key = ?", id).Scan(&n); err != nil || n != 0 {
			t.Errorf("the expired session is still stored (%d, %v)", n, err)
		}
	})
}

func TestFirstLoginMustChangePassword(t *testing.T) {
	e := newEnv(t)
	const onetime = "EINMALPASSWORT-1234"
	e.account("neu@example.org", db.RoleLead, onetime, true)
	c := e.clientFor(t)
	expectRedirect(t, c.login("neu@example.org", onetime), "/admin/password")
	expectRedirect(t, c.get("/admin/cohorts"), "/admin/password")
	expect(t, c.get("/admin/password"), http.StatusOK, "Bitte legen Sie vor dem ersten Arbeiten ein eigenes Passwort fest")

	const next = "mein eigenes neues Passwort"
	steps := []struct {
		name                 string
		current, new, repeat string
		status               int
		message              string
	}{
		{"wrong current password", "falsch-falsch-falsch", next, next, http.StatusUnprocessableEntity, "Das bisherige Passwort stimmt nicht"},
		{"repeat differs", onetime, next, next + "!", http.StatusUnprocessableEntity, "stimmen nicht überein"},
		{"too short", onetime, "kurz", "kurz", http.StatusUnprocessableEntity, "mindestens 12 Zeichen"},
		{"same as before", onetime, onetime, onetime, http.StatusUnprocessableEntity, "unterscheiden"},
		{"over 72 bytes", onetime, strings.Repeat("ä", 37), strings.Repeat("ä", 37), http.StatusUnprocessableEntity, "höchstens 72 Byte"},
		{"accepted", onetime, next, next, http.StatusSeeOther, ""},
	}
	for _, s := range steps {
		p := c.post("/admin/password", url.Values{"current": {s.current}, "new": {s.new}, "repeat": {s.repeat}})
		if s.status == http.StatusSeeOther {
			expectRedirect(t, p, "/admin/cohorts")
			continue
		}
		expect(t, p, s.status, s.message)
		if len(audited(t, e, db.AuditPasswordChange)) != 0 {
			t.Fatalf("%s: a password change was audited", s.name)
		}
	}
	expect(t, c.get("/admin/cohorts"), http.StatusOK, "Jahrgänge")
	if out := audited(t, e, db.AuditPasswordChange); len(out) != 1 || out[0].Actor != "neu@example.org" {
		t.Errorf("password_change audit %+v", out)
	}
	u, err := e.store.UserByEmail("neu@example.org")
	if err != nil || u.MustChangePassword {
		t.Fatalf("account after the change: %+v, %v", u, err)
	}
	expectRedirect(t, e.clientFor(t).login("neu@example.org", next), "/admin/cohorts")
	expect(t, e.clientFor(t).login("neu@example.org", onetime), http.StatusUnauthorized, loginFailed)
}

func TestLoginIsRateLimitedPerBrowser(t *testing.T) {
	e := newEnv(t)
	e.account("lead@example.org", db.RoleLead, leadPassword, false)
	c := e.clientFor(t)
	expect(t, c.get("/admin/login"), http.StatusOK)
	for i := 1; i <= 10; i++ {
		expect(t, c.post("/admin/login", url.Values{"email": {"lead@example.org"}, "password": {fmt.Sprintf("falsch %d", i)}}),
			http.StatusUnauthorized, loginFailed)
	}
	resp, body := c.full(c.formRequest("/admin/login", url.Values{"email": {"lead@example.org"}, "password": {"falsch 11"}}))
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), rateLimited) {
		t.Fatalf("11th attempt: %d %s", resp.StatusCode, excerpt(string(body)))
	}
	if got := resp.Header.Get("Retry-After"); got != "300" {
		t.Errorf("Retry-After %q, want 300", got)
	}
	// While limited, even the right password is refused.
	expect(t, c.post("/admin/login", url.Values{"email": {"lead@example.org"}, "password": {leadPassword}}), http.StatusTooManyRequests, rateLimited)
	if p := c.get("/admin/cohorts"); p.Status != http.StatusSeeOther || p.Location != "/admin/login" {
		t.Errorf("a limited browser was signed in: /admin/cohorts answers %d to %q", p.Status, p.Location)
	}
	// Another browser (a colleague behind the same address) still can.
	e.signIn(t, "lead@example.org", leadPassword)
}

func TestCodeEntryIsRateLimitedPerBrowser(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	c := e.client()
	expect(t, c.get("/c/ws26"), http.StatusOK)
	expect(t, c.post("/c/ws26/consent", url.Values{"agree": {"yes"}}), http.StatusSeeOther)
	for i := 1; i <= 10; i++ {
		p := c.post("/c/ws26/code", code("M", "K", "99", "H", "1", "A")) // an invalid birthday
		if p.Status == http.StatusTooManyRequests {
			t.Fatalf("attempt %d already limited", i)
		}
	}
	resp, body := c.full(c.formRequest("/c/ws26/code", code("M", "K", "7", "H", "1", "A")))
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), rateLimited) {
		t.Fatalf("11th code: %d %s", resp.StatusCode, excerpt(string(body)))
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After header")
	}
	if n := countRows(t, e, "participants"); n != 0 {
		t.Errorf("%d participants created while limited", n)
	}
	// The other ways to try return codes count against the same limit.
	expect(t, c.post("/resume", url.Values{"return_code": {"ABCD-EFGH-JKLM-NPQR"}}), http.StatusTooManyRequests, rateLimited)
	expect(t, c.post("/delete", url.Values{"return_code": {"ABCD-EFGH-JKLM-NPQR"}}), http.StatusTooManyRequests, rateLimited)
	// Another browser can still take part.
	e.client().startPre("ws26", code("M", "K", "7", "H", "1", "A"))
}

// A cohort's name and short code pass the one normaliser of outside text
// (package clean): control characters are not stored.
func TestCohortFormDropsControlCharacters(t *testing.T) {
	e := newEnv(t)
	e.account("lead@example.org", db.RoleLead, leadPassword, false)
	c := e.signIn(t, "lead@example.org", leadPassword)
	p := c.post("/admin/cohorts", url.Values{"slug": {"ws27\x00"}, "name": {"Na\x00me\x01"}, "instrument": {e.inst.Ref()}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("status %d: %s", p.Status, excerpt(p.Body))
	}
	all, err := e.store.Cohorts()
	if err != nil || len(all) != 1 || all[0].Slug != "ws27" || all[0].Name != "Name" {
		t.Fatalf("stored %+v (%v), want ws27 named %q", all, err, "Name")
	}
}

func TestLeadCreatesCohort(t *testing.T) {
	e := newEnv(t)
	lead := e.account("lead@example.org", db.RoleLead, leadPassword, false)
	e.account("andere@example.org", db.RoleLead, leadPassword, false)
	c := e.signIn(t, "lead@example.org", leadPassword)
	expect(t, c.get("/admin/cohorts"), http.StatusOK, "Noch keine Jahrgänge")
	expect(t, c.get("/admin/cohorts/new"), http.StatusOK, `name="slug"`, e.inst.Ref())

	var created string
	steps := []struct {
		name                    string
		slug, cname, instrument string
		status                  int
		message                 string
	}{
		{"slug with a space", "ws 26", "Jahrgang 2026/27", e.inst.Ref(), http.StatusUnprocessableEntity, "Kurzbezeichnung braucht"},
		{"slug of one letter", "w", "Jahrgang 2026/27", e.inst.Ref(), http.StatusUnprocessableEntity, "Kurzbezeichnung braucht"},
		{"slug starting with a dash", "-ws26", "Jahrgang 2026/27", e.inst.Ref(), http.StatusUnprocessableEntity, "Kurzbezeichnung braucht"},
		{"no name", "ws26", "  ", e.inst.Ref(), http.StatusUnprocessableEntity, "Namen"},
		{"unknown instrument", "ws26", "Jahrgang 2026/27", "einordnung@99", http.StatusUnprocessableEntity, "Diesen Fragebogen gibt es nicht"},
		{"created", "ws26", "Jahrgang 2026/27", e.inst.Ref(), http.StatusSeeOther, ""},
		{"same slug again", "ws26", "Nochmal", e.inst.Ref(), http.StatusConflict, "schon vergeben"},
		{"same slug in capitals", " WS26 ", "Nochmal", e.inst.Ref(), http.StatusConflict, "schon vergeben"},
	}
	for _, s := range steps {
		p := c.post("/admin/cohorts", url.Values{"slug": {s.slug}, "name": {s.cname}, "instrument": {s.instrument}})
		if s.status == http.StatusSeeOther {
			if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/admin/cohorts/") {
				t.Fatalf("%s: %d %q: %s", s.name, p.Status, p.Location, excerpt(p.Body))
			}
			created = p.Location
			continue
		}
		expect(t, p, s.status, s.message)
	}
	cohort, err := e.store.CohortBySlug("ws26")
	if err != nil {
		t.Fatal(err)
	}
	if created != fmt.Sprintf("/admin/cohorts/%d", cohort.ID) || cohort.Name != "Jahrgang 2026/27" || cohort.Instrument != e.inst.Ref() {
		t.Fatalf("created %q: %+v", created, cohort)
	}
	if all, _ := e.store.Cohorts(); len(all) != 1 {
		t.Errorf("%d cohorts after one creation", len(all))
	}
	// The lead who created it is assigned to it; no other lead is.
	if ok, err := e.store.CanSeeCohort(lead, cohort.ID); !ok || err != nil {
		t.Errorf("the creating lead is not assigned (%v)", err)
	}
	expect(t, c.get(created), http.StatusOK, "Jahrgang 2026/27", "<code>ws26</code>")
	expect(t, c.get("/admin/cohorts"), http.StatusOK, "Jahrgang 2026/27")
	other := e.signIn(t, "andere@example.org", leadPassword)
	expect(t, other.get(created), http.StatusNotFound)
	if p := other.get("/admin/cohorts"); strings.Contains(p.Body, "Jahrgang 2026/27") {
		t.Error("another lead's list shows the cohort")
	}
	if out := audited(t, e, db.AuditCohortCreate); len(out) != 1 || out[0].Actor != "lead@example.org" || out[0].Target != "ws26" {
		t.Errorf("cohort_create audit %+v", out)
	}
	// A new cohort takes no answers until a wave is opened.
	expect(t, e.client().get("/c/ws26"), http.StatusForbidden, "nicht geöffnet")
}

// localInput formats a time as a datetime-local field does.
func localInput(t time.Time) string { return t.In(time.Local).Format("2006-01-02T15:04") }

func TestWavesOpenCloseAndDates(t *testing.T) {
	e := newEnv(t)
	cohort := e.cohort("ws26", "")
	e.account("lead@example.org", db.RoleLead, leadPassword, false, cohort.ID)
	c := e.signIn(t, "lead@example.org", leadPassword)
	base := fmt.Sprintf("/admin/cohorts/%d", cohort.ID)
	now := time.Now()
	inTwoHours, inTwoDays := localInput(now.Add(2*time.Hour)), localInput(now.Add(48*time.Hour))
	yesterday, anHourAgo := localInput(now.Add(-24*time.Hour)), localInput(now.Add(-time.Hour))

	// The steps run in order; each starts from the state the previous left.
	steps := []struct {
		name                 string
		wave, action         string
		starts, ends         string
		status               int
		message              string
		participants         int // GET /c/ws26
		preOpen, postOpen    bool
		participantsSeeClose bool
	}{
		{"open pre", "pre", "open", "", "", http.StatusSeeOther, "", http.StatusOK, true, false, false},
		{"pre starts in two hours", "pre", "open", inTwoHours, "", http.StatusSeeOther, "", http.StatusForbidden, true, false, true},
		{"end before start is refused", "pre", "open", inTwoDays, inTwoHours, http.StatusUnprocessableEntity, "Das Ende muss nach dem Beginn liegen", http.StatusForbidden, true, false, true},
		{"end equal to start is refused", "pre", "open", inTwoHours, inTwoHours, http.StatusUnprocessableEntity, "Das Ende muss nach dem Beginn liegen", http.StatusForbidden, true, false, true},
		{"an unreadable date is refused", "pre", "open", "morgen früh", "", http.StatusUnprocessableEntity, "vollständig", http.StatusForbidden, true, false, true},
		{"started yesterday, ends in two hours", "pre", "open", yesterday, inTwoHours, http.StatusSeeOther, "", http.StatusOK, true, false, false},
		{"ended an hour ago", "pre", "open", yesterday, anHourAgo, http.StatusSeeOther, "", http.StatusForbidden, true, false, true},
		{"opening post closes pre", "post", "open", "", "", http.StatusSeeOther, "", http.StatusOK, false, true, false},
		{"close post", "post", "close", "", "", http.StatusSeeOther, "", http.StatusForbidden, false, false, true},
		{"unknown action", "pre", "toggle", "", "", http.StatusBadRequest, "", http.StatusForbidden, false, false, true},
		{"unknown wave", "during", "open", "", "", http.StatusNotFound, "", http.StatusForbidden, false, false, true},
	}
	for _, s := range steps {
		p := c.post(base+"/waves/"+s.wave, url.Values{"action": {s.action}, "starts_at": {s.starts}, "ends_at": {s.ends}})
		if s.status == http.StatusSeeOther {
			if p.Status != http.StatusSeeOther || p.Location != base {
				t.Fatalf("%s: %d %q: %s", s.name, p.Status, p.Location, excerpt(p.Body))
			}
		} else {
			if p.Status != s.status || !strings.Contains(p.Body, s.message) {
				t.Fatalf("%s: %d, want %d with %q: %s", s.name, p.Status, s.status, s.message, excerpt(p.Body))
			}
		}
		got, err := e.store.CohortByID(cohort.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range got.Waves {
			want := map[db.Wave]bool{db.Pre: s.preOpen, db.Post: s.postOpen}[w.Name]
			if w.Open != want {
				t.Errorf("%s: wave %s open = %v, want %v", s.name, w.Name, w.Open, want)
			}
		}
		visit := e.client().get("/c/ws26")
		if visit.Status != s.participants {
			t.Errorf("%s: participants get %d, want %d", s.name, visit.Status, s.participants)
		}
		if s.participantsSeeClose && !strings.Contains(visit.Body, "nicht geöffnet") {
			t.Errorf("%s: participants are not told the survey is not open: %s", s.name, excerpt(visit.Body))
		}
	}
	// The dates a lead set are shown again in the form.
	if err := e.store.SetWave(cohort.ID, db.Pre, db.WaveSettings{Open: true, SetDates: true, StartsAt: ptr(now.Add(2 * time.Hour))}); err != nil {
		t.Fatal(err)
	}
	expect(t, c.get(base), http.StatusOK, `value="`+inTwoHours+`"`, "geöffnet, aber außerhalb von Beginn/Ende")
	if n := len(audited(t, e, db.AuditWaveChange)); n != 6 {
		t.Errorf("%d wave_change entries, want 6 (one per accepted change)", n)
	}
}

func ptr[T any](v T) *T { return &v }

func TestCohortSettings(t *testing.T) {
	e := newEnv(t)
	cohort := e.cohort("ws26", "")
	e.account("lead@example.org", db.RoleLead, leadPassword, false, cohort.ID)
	c := e.signIn(t, "lead@example.org", leadPassword)
	base := fmt.Sprintf("/admin/cohorts/%d", cohort.ID)
	expect(t, c.get(base), http.StatusOK, `name="retention_days" min="0" max="3650" value="730"`, `name="min_group" min="3" max="1000" value="5"`)

	// The steps run in order; a refused one leaves the previous values.
	steps := []struct {
		retention, minGroup string
		status              int
		wantRetention       int
		wantMinGroup        int
	}{
		{"730", "2", http.StatusUnprocessableEntity, 730, 5},
		{"730", "3", http.StatusSeeOther, 730, 3},
		{"30", "3", http.StatusSeeOther, 30, 3},
		{"0", "5", http.StatusSeeOther, 0, 5},
		{"3650", "1000", http.StatusSeeOther, 3650, 1000},
		{"3651", "5", http.StatusUnprocessableEntity, 3650, 1000},
		{"-1", "5", http.StatusUnprocessableEntity, 3650, 1000},
		{"30", "1001", http.StatusUnprocessableEntity, 3650, 1000},
		{"dreißig", "5", http.StatusUnprocessableEntity, 3650, 1000},
		{"30", "", http.StatusUnprocessableEntity, 3650, 1000},
		{" 30 ", " 7 ", http.StatusSeeOther, 30, 7},
	}
	for _, s := range steps {
		p := c.post(base+"/settings", url.Values{"retention_days": {s.retention}, "min_group": {s.minGroup}})
		if s.status == http.StatusSeeOther {
			expectRedirect(t, p, base)
		} else {
			expect(t, p, s.status, "Aufbewahrung: 0 bis 3650 Tage")
		}
		got, err := e.store.CohortByID(cohort.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.RetentionDays != s.wantRetention || got.MinGroup != s.wantMinGroup {
			t.Errorf("after %q/%q: retention %d, min group %d; want %d, %d", s.retention, s.minGroup,
				got.RetentionDays, got.MinGroup, s.wantRetention, s.wantMinGroup)
		}
	}
	if n := len(audited(t, e, db.AuditCohortUpdate)); n != 5 {
		t.Errorf("%d cohort_update entries, want 5", n)
	}
}

func TestCohortLinkAndQRCode(t *testing.T) {
	e := newEnv(t)
	cohort := e.cohort("ws26", db.Pre)
	e.account("lead@example.org", db.RoleLead, leadPassword, false, cohort.ID)
	base := fmt.Sprintf("/admin/cohorts/%d", cohort.ID)

	c := e.signIn(t, "lead@example.org", leadPassword)
	expect(t, c.get(base), http.StatusOK, `href="http://example.com/c/ws26"`, `src="`+base+`/qr.png"`, "<code>ws26</code>")
	expect(t, c.get(base+"/poster"), http.StatusOK, "http://example.com/c/ws26", `src="`+base+`/qr.png"`, "ws26")

	resp, body := c.full(httptest.NewRequest(http.MethodGet, base+"/qr.png", nil))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("qr.png: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !bytes.HasPrefix(body, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("qr.png does not start with the PNG signature: % x", body[:min(8, len(body))])
	}
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("qr.png does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 256 || b.Dy() < 256 {
		t.Errorf("QR code is %dx%d, too small to show in a classroom", b.Dx(), b.Dy())
	}

	// Behind a proxy the configured public address is used.
	web, err := app.New(app.Config{Secret: testSecret, PublicURL: "https://einordnung.example.org/"}, e.store, e.set)
	if err != nil {
		t.Fatal(err)
	}
	ee := *e
	ee.app = web
	pc := ee.signIn(t, "lead@example.org", leadPassword)
	expect(t, pc.get(base), http.StatusOK, `href="https://einordnung.example.org/c/ws26"`)
	// The link works for participants.
	expect(t, e.client().get("/c/ws26"), http.StatusOK, "Jahrgang ws26")
}

var (
	preCounts  = regexp.MustCompile(`<th scope="row">Befragung vor dem Zertifikat</th><td>(\d+)</td><td>(\d+)</td>`)
	postCounts = regexp.MustCompile(`<th scope="row">Befragung nach dem Zertifikat</th><td>(\d+)</td><td>(\d+)</td>`)
	linkCounts = []*regexp.Regexp{
		regexp.MustCompile(`<strong id="pairs">(\d+)</strong>`),
		regexp.MustCompile(`über den genauen Code: <strong id="linked-code">(\d+)</strong>`),
		regexp.MustCompile(`über den Rückkehrcode: <strong id="linked-return">(\d+)</strong>`),
		regexp.MustCompile(`vorläufig für die Auswertung \(Code in einer Angabe abweichend\): <strong id="linked-provisional">(\d+)</strong>`),
	}
)

// counts reads the participation counts off a cohort page: pre
// started/submitted, post started/submitted, pairs, and the post responses
// linked by the exact code, by the return code and provisionally.
func counts(t *testing.T, p reply) [8]string {
	t.Helper()
	var out [8]string
	for i, m := range [][]string{preCounts.FindStringSubmatch(p.Body), postCounts.FindStringSubmatch(p.Body)} {
		if m == nil {
			t.Fatalf("no counts on the cohort page: %s", excerpt(p.Body))
		}
		out[2*i], out[2*i+1] = m[1], m[2]
	}
	for i, re := range linkCounts {
		m := re.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatalf("no link counts (%s) on the cohort page: %s", re, excerpt(p.Body))
		}
		out[4+i] = m[1]
	}
	return out
}

func TestCohortPageShowsLiveCounts(t *testing.T) {
	e := newEnv(t)
	cohort := e.cohort("ws26", db.Pre)
	e.account("lead@example.org", db.RoleLead, leadPassword, false, cohort.ID)
	lead := e.signIn(t, "lead@example.org", leadPassword)
	base := fmt.Sprintf("/admin/cohorts/%d", cohort.ID)
	if got := counts(t, lead.get(base)); got != [8]string{"0", "0", "0", "0", "0", "0", "0", "0"} {
		t.Fatalf("empty cohort counts %v", got)
	}

	done := e.client()
	done.startPre("ws26", code("M", "K", "7", "H", "1", "A"))
	done.finish(false, "4")
	e.client().startPre("ws26", code("X", "Y", "1", "Z", "0", "B")) // started, not sent off
	returning := e.client()
	returnCode := returning.startPre("ws26", code("Q", "R", "3", "S", "4", "T"))
	returning.finish(false, "5")
	if got := counts(t, lead.get(base)); got != [8]string{"3", "2", "0", "0", "0", "0", "0", "0"} {
		t.Fatalf("after the pre wave: counts %v, want pre 3/2", got)
	}

	expectRedirect(t, lead.post(base+"/waves/post", url.Values{"action": {"open"}}), base)
	// One element off, without the return code: provisionally paired.
	later := e.client()
	typo := code("m", "K", "07", "G", "1", "a") // birthplace mistyped
	expect(t, later.enter("ws26", typo), http.StatusOK, "Rückkehrcode")
	typo.Del("_csrf")
	typo.Set("confirm_new", "yes")
	expectRedirect(t, later.post("/c/ws26/code", typo), "/return-code")
	later.finish(true, "8")
	// One element off, with the return code.
	typo = code("Q", "R", "3", "S", "5", "T")
	expect(t, returning.enter("ws26", typo), http.StatusOK, "Rückkehrcode")
	typo.Del("_csrf")
	typo.Set("return_code", returnCode)
	expectRedirect(t, returning.post("/c/ws26/code", typo), "/survey")
	returning.finish(true, "7")
	// The exact code of the one who did not send the pre wave off.
	expectRedirect(t, e.client().enter("ws26", code("X", "Y", "1", "Z", "0", "B")), "/survey")

	p := lead.get(base)
	if got := counts(t, p); got != [8]string{"3", "2", "3", "2", "2", "1", "1", "1"} {
		t.Fatalf("after the post wave: counts %v, want pre 3/2, post 3/2, 2 pairs, 1 exact, 1 by return code, 1 provisional", got)
	}
}

func TestCohortListShowsCounts(t *testing.T) {
	e := newEnv(t)
	cohort := e.cohort("ws26", db.Pre)
	e.account("lead@example.org", db.RoleLead, leadPassword, false, cohort.ID)
	lead := e.signIn(t, "lead@example.org", leadPassword)
	done := e.client()
	done.startPre("ws26", code("M", "K", "7", "H", "1", "A"))
	done.finish(false, "4")
	e.client().startPre("ws26", code("X", "Y", "1", "Z", "0", "B"))

	p := lead.get("/admin/cohorts")
	expect(t, p, http.StatusOK, "Jahrgang ws26", "<td>Vorher</td>")
	if templateFailed(p) {
		t.Fatalf("the cohort list fails to render: %s", excerpt(p.Body))
	}
	expect(t, p, http.StatusOK, "<td>2 / 1</td>", "<td>0 / 0</td>")
}

// templateFailed reports whether a page carries a template error. The layout
// embeds the page through a function returning only an error, which
// html/template prints as a value: a failing page comes back as 200 with
// the error message in it.
func templateFailed(p reply) bool {
	return strings.Contains(p.Body, "error calling") || strings.Contains(p.Body, "template: ")
}

var newPassword = regexp.MustCompile(`<output id="new-password">([^<]+)</output>`)

func TestAdminManagesAccounts(t *testing.T) {
	e := newEnv(t)
	mine := e.cohort("mine", "")
	other := e.cohort("other", "")
	admin := e.account("admin@example.org", db.RoleAdmin, adminPassword, false)
	a := e.signIn(t, "admin@example.org", adminPassword)

	// Create a lead: the one-time password is shown once.
	p := a.post("/admin/users", url.Values{"email": {" Neue.Leitung@Example.org "}, "role": {"lead"}})
	expect(t, p, http.StatusOK, "neue.leitung@example.org", "Passwort noch nicht geändert")
	m := newPassword.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no one-time password shown: %s", excerpt(p.Body))
	}
	onetime := m[1]
	if p := a.get("/admin/users"); newPassword.MatchString(p.Body) {
		t.Error("the one-time password is shown again")
	}
	for _, bad := range []struct {
		email, role string
		status      int
		message     string
	}{
		{"neue.leitung@example.org", "lead", http.StatusConflict, "schon ein Konto"},
		{"NEUE.LEITUNG@example.org", "admin", http.StatusConflict, "schon ein Konto"},
		{"keine adresse", "lead", http.StatusUnprocessableEntity, "gültige E-Mail-Adresse"},
		{"root@example.org", "root", http.StatusBadRequest, ""},
	} {
		expect(t, a.post("/admin/users", url.Values{"email": {bad.email}, "role": {bad.role}}), bad.status, bad.message)
	}
	if n, _ := e.store.CountUsers(); n != 2 {
		t.Fatalf("%d accounts, want 2", n)
	}
	lead, err := e.store.UserByEmail("neue.leitung@example.org")
	if err != nil || lead.Role != db.RoleLead || !lead.MustChangePassword {
		t.Fatalf("new account %+v, %v", lead, err)
	}
	if out := audited(t, e, db.AuditUserCreate); len(out) != 1 || out[0].Target != "neue.leitung@example.org" || out[0].Actor != "admin@example.org" {
		t.Errorf("user_create audit %+v", out)
	}
	userURL := fmt.Sprintf("/admin/users/%d", lead.ID)

	// The lead signs in with it and must choose a password first.
	l := e.clientFor(t)
	expectRedirect(t, l.login("neue.leitung@example.org", onetime), "/admin/password")
	expectRedirect(t, l.post("/admin/password", url.Values{"current": {onetime}, "new": {leadPassword}, "repeat": {leadPassword}}), "/admin/cohorts")
	mineURL, otherURL := fmt.Sprintf("/admin/cohorts/%d", mine.ID), fmt.Sprintf("/admin/cohorts/%d", other.ID)
	expect(t, l.get(mineURL), http.StatusNotFound)

	// Assigning cohorts replaces the lead's cohorts.
	assign := func(ids ...uint) reply {
		form := url.Values{"action": {"cohorts"}}
		for _, id := range ids {
			form.Add("cohort", strconv.FormatUint(uint64(id), 10))
		}
		return a.post(userURL, form)
	}
	steps := []struct {
		name       string
		ids        []uint
		status     int
		mine, othr int // what the lead gets on each cohort page
	}{
		{"both", []uint{mine.ID, other.ID}, http.StatusSeeOther, http.StatusOK, http.StatusOK},
		{"only other", []uint{other.ID}, http.StatusSeeOther, http.StatusNotFound, http.StatusOK},
		{"unknown cohort is refused, nothing changes", []uint{mine.ID, 99999}, http.StatusBadRequest, http.StatusNotFound, http.StatusOK},
		{"none", nil, http.StatusSeeOther, http.StatusNotFound, http.StatusNotFound},
	}
	for _, s := range steps {
		p := assign(s.ids...)
		if p.Status != s.status {
			t.Fatalf("%s: %d, want %d: %s", s.name, p.Status, s.status, excerpt(p.Body))
		}
		if got := l.get(mineURL).Status; got != s.mine {
			t.Errorf("%s: lead on mine: %d, want %d", s.name, got, s.mine)
		}
		if got := l.get(otherURL).Status; got != s.othr {
			t.Errorf("%s: lead on other: %d, want %d", s.name, got, s.othr)
		}
	}
	expect(t, a.get(userURL), http.StatusOK, `name="cohort" value="`+strconv.FormatUint(uint64(mine.ID), 10)+`">`)

	// Disabling ends the lead's session and refuses sign-in; enabling allows it again.
	expectRedirect(t, a.post(userURL, url.Values{"action": {"disable"}}), userURL)
	expectRedirect(t, l.get("/admin/cohorts"), "/admin/login")
	expect(t, e.clientFor(t).login("neue.leitung@example.org", leadPassword), http.StatusUnauthorized, loginFailed)
	expect(t, a.get("/admin/users"), http.StatusOK, "gesperrt")
	expectRedirect(t, a.post(userURL, url.Values{"action": {"enable"}}), userURL)
	expectRedirect(t, e.clientFor(t).login("neue.leitung@example.org", leadPassword), "/admin/cohorts")

	// A reset shows a new one-time password: it works, the old password not.
	p = a.post(userURL, url.Values{"action": {"reset"}})
	expect(t, p, http.StatusOK, "Einmal-Passwort für")
	m = newPassword.FindStringSubmatch(p.Body)
	if m == nil || m[1] == onetime {
		t.Fatalf("reset shows no new password: %s", excerpt(p.Body))
	}
	expect(t, e.clientFor(t).login("neue.leitung@example.org", leadPassword), http.StatusUnauthorized, loginFailed)
	expectRedirect(t, e.clientFor(t).login("neue.leitung@example.org", m[1]), "/admin/password")

	// An administrator cannot lock themselves out.
	selfURL := fmt.Sprintf("/admin/users/%d", admin.ID)
	expect(t, a.post(selfURL, url.Values{"action": {"disable"}}), http.StatusConflict, "eigenes Konto nicht sperren")
	expect(t, a.get("/admin/users"), http.StatusOK)
	if u, _ := e.store.UserByID(admin.ID); u.Disabled {
		t.Error("the administrator disabled their own account")
	}
	expect(t, a.post(userURL, url.Values{"action": {"promote"}}), http.StatusBadRequest)
	expect(t, a.get("/admin/users/99999"), http.StatusNotFound)

	details := map[string]bool{}
	for _, r := range audited(t, e, db.AuditUserUpdate) {
		details[r.Detail] = true
	}
	for _, want := range []string{"disable", "enable", "password reset", fmt.Sprintf("cohorts=%d,%d", mine.ID, other.ID), "cohorts="} {
		if !details[want] {
			t.Errorf("no user_update entry %q in %v", want, details)
		}
	}
}

func TestAuditLogAndEscaping(t *testing.T) {
	e := newEnv(t)
	e.account("admin@example.org", db.RoleAdmin, adminPassword, false)
	// A failed sign-in with markup as the e-mail address ends up in the log.
	expect(t, e.clientFor(t).login("<b>x</b>@example.org", "egal-egal-egal"), http.StatusUnauthorized)
	a := e.signIn(t, "admin@example.org", adminPassword)

	const evil = "<script>x</script>"
	const escaped = "&lt;script&gt;x&lt;/script&gt;"
	p := a.post("/admin/cohorts", url.Values{"slug": {"xss"}, "name": {evil}, "instrument": {e.inst.Ref()}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", p.Status, excerpt(p.Body))
	}
	cohortURL := p.Location
	lead := e.account("lead@example.org", db.RoleLead, leadPassword, false)
	for _, path := range []string{cohortURL, cohortURL + "/poster", "/admin/cohorts", "/admin/audit", fmt.Sprintf("/admin/users/%d", lead.ID)} {
		p := a.get(path)
		expect(t, p, http.StatusOK, escaped)
		if strings.Contains(p.Body, evil) {
			t.Errorf("%s shows the cohort name unescaped", path)
		}
	}

	// Newest first.
	p = a.get("/admin/audit")
	expect(t, p, http.StatusOK)
	if strings.Contains(p.Body, "<b>x</b>") {
		t.Error("the audit page shows what was typed as an address unescaped")
	}
	order := []string{"hat den Jahrgang xss", "hat sich angemeldet", "hat sich vergeblich anzumelden versucht"}
	last := -1
	for _, action := range order {
		i := strings.Index(p.Body, action)
		if i < 0 || i < last {
			t.Fatalf("audit page order: %q at %d after %d; want newest first %v", action, i, last, order)
		}
		last = i
	}

	// A page at a time.
	for i := 0; i < 120; i++ {
		if err := e.store.Audit("system", db.AuditExport, fmt.Sprintf("eintrag-%03d", i), ""); err != nil {
			t.Fatal(err)
		}
	}
	p = a.get("/admin/audit")
	expect(t, p, http.StatusOK, "eintrag-119", `href="/admin/audit?page=2"`)
	if strings.Contains(p.Body, "eintrag-019") || strings.Contains(p.Body, "Neuere Einträge") {
		t.Error("page 1 shows more than the newest 100 entries or a link to newer ones")
	}
	p = a.get("/admin/audit?page=2")
	expect(t, p, http.StatusOK, "eintrag-019", "hat sich vergeblich anzumelden versucht", "Neuere Einträge")
	if strings.Contains(p.Body, "eintrag-020") || strings.Contains(p.Body, "Ältere Einträge") {
		t.Error("page 2 repeats entries of page 1 or offers older ones")
	}
	expect(t, a.get("/admin/audit?page=abc"), http.StatusOK, "eintrag-119")
}

func TestParticipantDeletionIsAuditedWithoutTheReturnCode(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	c := e.client()
	returnCode := c.startPre("ws26", code("M", "K", "7", "H", "1", "A"))
	c.finish(false, "6")
	expect(t, c.post("/delete", url.Values{"return_code": {returnCode}}), http.StatusOK, "Endgültig löschen")
	expect(t, c.post("/delete/confirm", url.Values{"return_code": {returnCode}}), http.StatusOK, "gelöscht")

	out := audited(t, e, db.AuditDeleteData)
	if len(out) != 1 || out[0].Actor != db.ActorParticipant || out[0].Target != "ws26" {
		t.Fatalf("delete_data audit %+v", out)
	}
	normalized, ok := questions.NormalizeReturnCode(returnCode)
	if !ok {
		t.Fatalf("return code %q does not read back", returnCode)
	}
	forms := []string{returnCode, normalized, strings.ToLower(normalized), questions.HashReturnCode(testSecret, normalized)}
	for _, r := range auditRows(t, e) {
		for _, f := range forms {
			if strings.Contains(r.Actor+"\x00"+r.Target+"\x00"+r.Detail, f) {
				t.Errorf("audit entry %+v contains the return code (%q)", r, f)
			}
		}
	}
	// The administrator sees the deletion in the log.
	e.account("admin@example.org", db.RoleAdmin, adminPassword, false)
	expect(t, e.signIn(t, "admin@example.org", adminPassword).get("/admin/audit"), http.StatusOK, "hat die eigenen Daten in Jahrgang ws26 gelöscht")
}
