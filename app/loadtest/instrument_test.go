package loadtest

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"einordnung/db"
	"einordnung/questions"
)

// probeInstrument shares nothing with the built-in instrument but the
// format: other item ids, a 1–5 scale, two knowledge statements, a choice
// and a required free-text background question.
const probeInstrument = `
id: probe
version: 3
title: {de: "Probe", en: "Probe"}
description: {de: "Ein Instrument nur für den Lasttest.", en: "An instrument for the load test only."}
scale:
  min: 1
  max: 5
  min_label: {de: "1 = nie", en: "1 = never"}
  max_label: {de: "5 = immer", en: "5 = always"}
rating_prompt: {de: "Wie oft?", en: "How often?"}
then_prompt: {de: "Und vorher?", en: "And before?"}
knowledge_prompt: {de: "Stimmt das?", en: "Is it true?"}
dimensions:
  - {id: alpha, title: {de: "Alpha", en: "Alpha"}, description: {de: "Erste Gruppe.", en: "First group."}}
  - {id: beta, title: {de: "Beta", en: "Beta"}, description: {de: "Zweite Gruppe.", en: "Second group."}}
items:
  - {id: alpha_one, dimension: alpha, text: {de: "Ich lese Anleitungen.", en: "I read manuals."}}
  - {id: alpha_two, dimension: alpha, reverse: true, text: {de: "Ich rate.", en: "I guess."}}
  - {id: alpha_three, dimension: alpha, text: {de: "Ich frage nach.", en: "I ask."}}
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
      - {value: staff, text: {de: "Personal", en: "Staff"}}
      - {value: guest, text: {de: "Gast", en: "Guest"}}
  - id: wish
    type: text
    text: {de: "Was wünschen Sie sich?", en: "What do you wish for?"}
`

// TestLoadTestPlaysAnyInstrument serves a cohort on an instrument the tool
// has never seen, beside the built-in one, and checks that the simulated
// participants submitted answers to exactly its questions, each within
// what the instrument allows: the tool answers what the pages ask.
func TestLoadTestPlaysAnyInstrument(t *testing.T) {
	builtin, err := os.ReadFile("../../questions/instruments/einordnung-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	set, err := questions.LoadFS(fstest.MapFS{
		"instruments/einordnung-v1.yaml": {Data: builtin},
		"instruments/probe-v3.yaml":      {Data: []byte(probeInstrument)},
	}, "instruments")
	if err != nil {
		t.Fatal(err)
	}
	probe, ok := set.Get("probe@3")
	if !ok || len(set.All()) != 2 {
		t.Fatalf("set: %d instruments, probe@3 %v", len(set.All()), ok)
	}
	base, store := startLoadServer(t, set, "probe@3", 1_000_000)
	rep := playCohort(t, base)
	if pages := len(probe.Pages()); rep.PageSaves != rep.Completed*pages {
		t.Errorf("%d page saves for %d responses of %d pages", rep.PageSaves, rep.Completed, pages)
	}

	cohort, err := store.CohortBySlug("load")
	if err != nil {
		t.Fatal(err)
	}
	// Every item of every submitted response, with what was answered.
	answered := map[uint]map[string]*db.AnswerRow{}
	if err := store.EachAnswer(cohort.ID, func(a *db.AnswerRow) error {
		if answered[a.ResponseID] == nil {
			answered[a.ResponseID] = map[string]*db.AnswerRow{}
		}
		row := *a
		answered[a.ResponseID][a.Item] = &row
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(answered) != rep.Completed {
		t.Fatalf("answers of %d responses stored, %d submitted", len(answered), rep.Completed)
	}
	want := len(probe.Items) + len(probe.Knowledge) + len(probe.Background)
	for id, items := range answered {
		if len(items) != want {
			t.Errorf("response %d: %d items answered, want %d: %v", id, len(items), want, keys(items))
		}
		for _, it := range probe.Items {
			a := items[it.ID]
			n, err := strconv.Atoi(valueOf(a))
			if a == nil || a.Kind != db.KindRating || err != nil || n < probe.Scale.Min || n > probe.Scale.Max {
				t.Errorf("response %d, item %s: %+v, want a rating 1–5", id, it.ID, a)
			}
		}
		for _, k := range probe.Knowledge {
			a := items[k.ID]
			if a == nil || a.Kind != db.KindKnowledge || (valueOf(a) != "true" && valueOf(a) != "false") || !a.Confidence.Valid {
				t.Errorf("response %d, statement %s: %+v, want a judgement with a confidence", id, k.ID, a)
			}
		}
		if a := items["role"]; a == nil || a.Kind != db.KindBackground || !probe.Background[0].HasOption(valueOf(a)) {
			t.Errorf("response %d, role: %+v, want one of the options", id, a)
		}
		if a := items["wish"]; a == nil || a.Kind != db.KindText || valueOf(a) == "" {
			t.Errorf("response %d, wish: %+v, want a text", id, a)
		}
	}
}

// playCohort lets two simulated participants answer the cohort "load" for
// a second and fails on any error or when none completed.
func playCohort(t *testing.T, base string) *Report {
	t.Helper()
	lt, err := New(Config{URL: base, Cohort: "load", Participants: 2, Duration: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rep := lt.Run(context.Background())
	if rep.Completed == 0 || rep.Errors() != 0 {
		var out strings.Builder
		rep.Print(&out)
		t.Fatalf("completed %d, errors %d:\n%s", rep.Completed, rep.Errors(), out.String())
	}
	return rep
}

// valueOf is an answer's value, "" for none.
func valueOf(a *db.AnswerRow) string {
	if a == nil || !a.Value.Valid {
		return ""
	}
	return a.Value.String
}

func keys(m map[string]*db.AnswerRow) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// TestLoadTestPlaysAMultiScaleInstrument: on an instrument with a 1–5
// scale labelled on every point (a list of choices on the page) beside a
// 0–10 one, every rating the tool sends lies on its own item's scale.
func TestLoadTestPlaysAMultiScaleInstrument(t *testing.T) {
	trio, err := os.ReadFile("../../questions/testdata/trio-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	set, err := questions.LoadFS(fstest.MapFS{"instruments/trio-v1.yaml": {Data: trio}}, "instruments")
	if err != nil {
		t.Fatal(err)
	}
	inst, _ := set.Get("trio@1")
	base, store := startLoadServer(t, set, "trio@1", 1_000_000)
	playCohort(t, base)
	cohort, err := store.CohortBySlug("load")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.EachAnswer(cohort.ID, func(a *db.AnswerRow) error {
		it, ok := inst.Item(a.Item)
		if !ok {
			return nil
		}
		sc := inst.ScaleOf(it)
		n, err := strconv.Atoi(valueOf(a))
		if err != nil || !sc.Contains(n) {
			t.Errorf("item %s: %+v, want a rating %d–%d", it.ID, a, sc.Min, sc.Max)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
