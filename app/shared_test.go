package app_test

import (
	"net/http"
	"net/url"
	"testing"

	"einordnung/app"
	"einordnung/db"
	"einordnung/db/dbtest"
)

// TestTwoInstancesShareOnePostgres runs two apps, each with a store of its
// own, on one PostgreSQL database, as two servers behind a load balancer
// would; a browser's requests go to either. A lead signed in on one works
// on the other (session and CSRF token are in the database), a participant
// continues there, and the code-entry limit counts the tries on both.
func TestTwoInstancesShareOnePostgres(t *testing.T) {
	if !dbtest.Postgres() {
		t.Skip("needs PostgreSQL: set " + dbtest.EnvPostgres + " (.ci/run does)")
	}
	a := newEnv(t)
	storeB, err := db.Open(a.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { storeB.Close() })
	webB, err := app.New(app.Config{Secret: testSecret}, storeB, a.set)
	if err != nil {
		t.Fatal(err)
	}
	b := &env{t: t, app: webB, store: storeB, dsn: a.dsn, sql: a.sql, set: a.set, inst: a.inst}
	if !a.store.Shared() || !storeB.Shared() {
		t.Fatal("stores on PostgreSQL do not report that they are shared")
	}
	cohort := a.cohort("ws26", db.Pre)

	t.Run("a lead signed in on A works on B", func(t *testing.T) {
		a.account("lead@example.org", db.RoleLead, leadPassword, false, cohort.ID)
		lead := a.clientFor(t)
		if p := lead.login("lead@example.org", leadPassword); p.Status != http.StatusSeeOther || lead.cookies[adminCookie] == "" {
			t.Fatalf("sign-in on A: %d %q: %s", p.Status, p.Location, excerpt(p.Body))
		}
		lead.e = b
		expect(t, lead.get("/admin/cohorts"), http.StatusOK, "Jahrgang ws26")

		lead.e = a
		expect(t, lead.get("/admin/cohorts/new"), http.StatusOK, `name="slug"`)
		tokenFromA := lead.csrf
		lead.e = b
		form := url.Values{"slug": {"ss27"}, "name": {"Jahrgang 2027"}, "instrument": {a.inst.Ref()}}
		// B checks the token: a forged one is refused, A's is taken.
		form.Set("_csrf", "forged"+tokenFromA)
		if p := lead.post("/admin/cohorts", form); p.Status != http.StatusForbidden {
			t.Fatalf("forged token on B: %d, want 403", p.Status)
		}
		form.Set("_csrf", tokenFromA)
		if p := lead.post("/admin/cohorts", form); p.Status != http.StatusSeeOther {
			t.Fatalf("new cohort on B with A's token: %d: %s", p.Status, excerpt(p.Body))
		}
		lead.e = a
		expect(t, lead.get("/admin/cohorts"), http.StatusOK, "Jahrgang 2027", "Jahrgang ws26")
		if created := audited(t, a, db.AuditCohortCreate); len(created) != 1 || created[0].Actor != "lead@example.org" || created[0].Target != "ss27" {
			t.Errorf("audit of the cohort created on B: %+v", created)
		}

		// Signing out on B ends the session on A too.
		lead.e = b
		expectRedirect(t, lead.post("/admin/logout", nil), "/admin/login")
		lead.e = a
		expectRedirect(t, lead.get("/admin/cohorts"), "/admin/login")
	})

	t.Run("a participant who starts on A continues on B", func(t *testing.T) {
		pt := a.clientFor(t)
		pt.startPre("ws26", code("M", "K", "7", "H", "1", "A"))
		pt.e = b
		expect(t, pt.post("/survey/1", pt.firstPage("6")), http.StatusSeeOther)
		pt.e = a
		expect(t, pt.get("/survey/1"), http.StatusOK, `value="6" checked`)
		pt.e = b
		feedback := pt.finish(false, "6")
		expect(t, feedback, http.StatusOK)
		pt.e = a
		expect(t, pt.get("/feedback"), http.StatusOK)
		st, err := a.store.Stats(cohort.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st.Started[db.Pre] != 1 || st.Submitted[db.Pre] != 1 {
			t.Errorf("pre wave: %d started, %d submitted; want one participant, submitted", st.Started[db.Pre], st.Submitted[db.Pre])
		}
	})

	t.Run("the code-entry limit counts tries on both instances", func(t *testing.T) {
		participants := countRows(t, a, "participants")
		g := a.clientFor(t)
		expect(t, g.get("/c/ws26"), http.StatusOK)
		expect(t, g.post("/c/ws26/consent", url.Values{"agree": {"yes"}}), http.StatusSeeOther)
		for i := 1; i <= 10; i++ {
			on := "A"
			if i > 6 {
				g.e, on = b, "B"
			}
			if p := g.post("/c/ws26/code", code("M", "K", "99", "H", "1", "A")); p.Status == http.StatusTooManyRequests {
				t.Fatalf("try %d (on %s) already limited", i, on)
			}
		}
		// B has seen four tries, A six: only a shared count reaches ten.
		expect(t, g.post("/c/ws26/code", code("M", "K", "7", "H", "1", "B")), http.StatusTooManyRequests, rateLimited)
		g.e = a
		expect(t, g.post("/c/ws26/code", code("M", "K", "7", "H", "1", "B")), http.StatusTooManyRequests, rateLimited)
		if n := countRows(t, a, "participants"); n != participants {
			t.Errorf("%d participants stored by a limited browser", n-participants)
		}
	})
}
