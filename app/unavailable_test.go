package app_test

import (
	"net/http"
	"net/url"
	"testing"

	"einordnung/db"
	"einordnung/db/dbtest"
)

// unavailable is what a participant reads while the database refuses
// writes, on a page save as on any other form.
const unavailable = "der Server kann im Moment nichts speichern"

// TestConsentWhileWritesAreRefused: while the database refuses writes, a
// new participant's consent gets the explanation a page save gets (503),
// not "the form has expired" (which reloading would not cure), whether the
// consent page was loaded before or during the outage. Afterwards it works.
func TestConsentWhileWritesAreRefused(t *testing.T) {
	dbtest.SkipOnPostgres(t, "Store.ReadOnly switches SQLite's writer connection to query_only")
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	consent := func() url.Values { return url.Values{"agree": {"yes"}} }
	before := e.client()
	expect(t, before.get("/c/ws26"), http.StatusOK)
	saved := snapshot(t, e)

	if err := e.store.ReadOnly(true); err != nil {
		t.Fatal(err)
	}
	during := e.client()
	expect(t, during.get("/c/ws26"), http.StatusOK, "agree")
	expect(t, during.post("/c/ws26/consent", consent()), http.StatusServiceUnavailable, unavailable)
	expect(t, before.post("/c/ws26/consent", consent()), http.StatusServiceUnavailable, unavailable)
	if after := snapshot(t, e); after != saved {
		t.Fatalf("something was stored while read-only: %s → %s", saved, after)
	}

	if err := e.store.ReadOnly(false); err != nil {
		t.Fatal(err)
	}
	expect(t, during.get("/c/ws26"), http.StatusOK)
	p := during.post("/c/ws26/consent", consent())
	expect(t, p, http.StatusSeeOther)
	expect(t, during.follow(p), http.StatusOK, "emother")
}
