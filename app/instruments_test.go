package app_test

import (
	"net/http"
	"net/url"
	"os"
	"testing"

	"einordnung/app"
	"einordnung/db"
	"einordnung/db/dbtest"
)

// TestImportedInstrumentThroughTheWebApp imports a file into the database,
// builds the server's instruments the way it does at start, and takes a
// participant through pre and post on it.
func TestImportedInstrumentThroughTheWebApp(t *testing.T) {
	probe, err := os.ReadFile("../questions/testdata/probe-v3.yaml")
	if err != nil {
		t.Fatal(err)
	}
	store, dsn := dbtest.Open(t)
	if _, created, err := app.ImportInstrument(store, "probe-v3.yaml", probe); err != nil || !created {
		t.Fatalf("import: created %v, %v", created, err)
	}
	set, err := app.LoadInstruments(store)
	if err != nil {
		t.Fatal(err)
	}
	inst, ok := set.Get("probe@3")
	if !ok {
		t.Fatal("the imported instrument is not in the set")
	}
	if _, ok := set.Get("einordnung@1"); !ok {
		t.Fatal("the built-in instrument is gone from the set")
	}
	web, err := app.New(app.Config{Secret: testSecret}, store, set)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, app: web, store: store, dsn: dsn, sql: dbtest.PlainReadOnly(t, dsn), set: set, inst: inst, demoDay: fixedDemoDay}
	e.cohort("probe", db.Pre)

	c := e.client()
	returnCode := c.startPre("probe", code("M", "K", "7", "H", "1", "A"))
	// 4 on both alpha items, one of them reverse-keyed: (4 + 2) / 2.
	p := c.finish(false, "4")
	expect(t, p, http.StatusOK, "Ihre persönliche Rückmeldung", "Alpha", "Beta", "3,0", "4,0")

	if err := store.SetWaveOpen("probe", db.Post, true); err != nil {
		t.Fatal(err)
	}
	other := e.client()
	other.get("/")
	other.follow(other.post("/resume", url.Values{"return_code": {returnCode}}))
	expect(t, other.post("/c/probe/consent", url.Values{"agree": {"yes"}}), http.StatusSeeOther)
	p = other.finish(true, "5")
	expect(t, p, http.StatusOK, "Nachher", "5,0", "3,0")
	if n := countRows(t, e, "responses"); n != 2 {
		t.Fatalf("%d responses, want pre and post", n)
	}
}
