package app_test

import (
	"net/http"
	"net/url"
	"testing"

	"einordnung/app"
	"einordnung/db"
	"einordnung/db/dbtest"
)

// probeFile is an instrument as a program would import it: its own ids,
// a 1–5 scale and a reverse-keyed item.
const probeFile = `id: probe
version: 3
title: {de: "Probe", en: "Probe"}
description: {de: "Ein Instrument aus einer Datei.", en: "An instrument from a file."}
scale: {min: 1, max: 5, min_label: {de: "1 = nie", en: "1 = never"}, max_label: {de: "5 = immer", en: "5 = always"}}
rating_prompt: {de: "Wie oft?", en: "How often?"}
then_prompt: {de: "Und vorher?", en: "And before?"}
knowledge_prompt: {de: "Stimmt das?", en: "Is it true?"}
dimensions:
  - {id: alpha, title: {de: "Alpha-Gruppe", en: "Alpha group"}, description: {de: "Erste Gruppe.", en: "First group."}}
  - {id: beta, title: {de: "Beta-Gruppe", en: "Beta group"}, description: {de: "Zweite Gruppe.", en: "Second group."}}
items:
  - {id: alpha_one, dimension: alpha, text: {de: "Ich lese Anleitungen.", en: "I read manuals."}}
  - {id: alpha_two, dimension: alpha, reverse: true, text: {de: "Ich rate.", en: "I guess."}}
  - {id: beta_one, dimension: beta, text: {de: "Ich prüfe Quellen.", en: "I check sources."}}
  - {id: beta_two, dimension: beta, text: {de: "Ich vergleiche.", en: "I compare."}}
knowledge:
  - {id: kn_sun, correct: true, text: {de: "Die Sonne ist ein Stern.", en: "The sun is a star."}, explanation: {de: "Ja.", en: "Yes."}}
  - {id: kn_moon, correct: false, text: {de: "Der Mond leuchtet selbst.", en: "The moon shines by itself."}, explanation: {de: "Nein.", en: "No."}}
background:
  - id: role
    type: choice
    text: {de: "Ihre Rolle?", en: "Your role?"}
    options:
      - {value: student, text: {de: "Studium", en: "Student"}}
      - {value: keine_angabe, text: {de: "keine Angabe", en: "prefer not to say"}}
  - {id: wish, type: text, optional: true, text: {de: "Was wünschen Sie sich?", en: "What do you wish for?"}}
`

// TestImportedInstrumentThroughTheWebApp imports a file into the database,
// builds the server's instruments the way it does at start, and takes a
// participant through pre and post on it.
func TestImportedInstrumentThroughTheWebApp(t *testing.T) {
	store, dsn := dbtest.Open(t)
	if _, created, err := app.ImportInstrument(store, "probe.yaml", []byte(probeFile)); err != nil || !created {
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
	expect(t, p, http.StatusOK, "Ihre persönliche Rückmeldung", "Alpha-Gruppe", "Beta-Gruppe", "3,0", "4,0")

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
