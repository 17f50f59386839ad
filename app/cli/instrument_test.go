package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"einordnung/db"
	"einordnung/db/dbtest"
)

// probeInstrument is a small instrument from a file (see the file).
var probeInstrument = func() string {
	b, err := os.ReadFile("../../questions/testdata/probe-v3.yaml")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// writeFile writes content to a file of its own and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestInstrumentValidateListsEveryProblem checks a file with six problems:
// each is named with its line, in German, the exit status is 1, and an
// import of the same file stores nothing.
func TestInstrumentValidateListsEveryProblem(t *testing.T) {
	file := writeFile(t, "broken.yaml", `id: broken
version: 1
title: {de: "Kaputt", en: "Broken"}
description: {de: "D", en: "D"}
scale:
  min: 5
  max: 5
  min_label: {de: "a", en: "a"}
  max_label: {de: "b", en: "b"}
rating_prompt: {de: "R", en: "R"}
then_prompt: {de: "T", en: "T"}
knowledge_prompt: {de: "K", en: "K"}
dimensions:
  - {id: alpha, title: {de: "A", en: "A"}, description: {de: "A", en: "A"}}
items:
  - {id: a1, dimension: alpha, text: {de: "Eins", en: "One"}}
  - {id: a1, dimension: alpha, text: {de: "Zwei", en: "Two"}}
  - {id: a3, dimension: gamma, text: {de: "Drei", en: "Three"}}
  - {id: a4, dimension: alpha, text: {en: "Four"}}
knowledge:
  - {id: k1, text: {de: "Wahr?", en: "True?"}}
`)
	want := []string{
		file + ":6: scale: die Grenzen 5–5 müssen 0 ≤ min und max ≤ 100 erfüllen, mit mindestens 3 Stufen",
		file + ":17: Item „a1“: die ID ist schon vergeben (Item)",
		file + ":18: Item a3: die Dimension „gamma“ gibt es nicht",
		file + ":19: Item a4: deutscher Text (de) fehlt",
		file + ":21: Wissensfrage k1: die richtige Antwort fehlt (correct: true oder false)",
		file + ":21: Wissensfrage k1: die Erklärung fehlt (explanation)",
	}
	code, stdout, stderr := runCLI(t, "instrument", "validate", file)
	if code != 1 || stdout != "" {
		t.Fatalf("validate: exit %d, stdout %q; want exit 1 and nothing", code, stdout)
	}
	if got := strings.Join(want, "\n") + "\n6 Problem(e) gefunden, nichts gespeichert.\n"; stderr != got {
		t.Errorf("validate printed\n%s\nwant\n%s", stderr, got)
	}

	// JSON is the same format, with lines too.
	json := writeFile(t, "broken.json", strings.Replace(`{
	"id": "broken", "version": 1,
	"items": [
		{"id": "a1", "dimension": "gamma", "text": {"de": "Eins", "en": "One"}}
	]
}`, "\t", "  ", -1))
	if code, _, stderr := runCLI(t, "instrument", "validate", json); code != 1 ||
		!strings.Contains(stderr, json+":4: Item a1: die Dimension „gamma“ gibt es nicht\n") {
		t.Errorf("validate JSON: exit %d:\n%s", code, stderr)
	}

	dsn := dbtest.DSN(t)
	if code, _, stderr := runCLI(t, "instrument", "import", "--db", dsn, file); code != 1 || !strings.Contains(stderr, want[2]) {
		t.Fatalf("import of the broken file: exit %d:\n%s", code, stderr)
	}
	store := openStore(t, dsn)
	if files, err := store.InstrumentFiles(); err != nil || len(files) != 0 {
		t.Errorf("the broken file left %d instruments stored (%v)", len(files), err)
	}
	if entries := auditLog(t, dsn); len(entries) != 0 {
		t.Errorf("the refused import was logged: %+v", entries)
	}
}

// TestImportedInstrumentWorksEverywhere imports a file, runs a cohort on
// it through the web app, and gets the file back byte for byte.
func TestImportedInstrumentWorksEverywhere(t *testing.T) {
	t.Setenv("EINORDNUNG_SECRET", "")
	dsn := dbtest.DSN(t)
	args, _ := serveArgs(t, dsn)
	file := writeFile(t, "probe.yaml", probeInstrument)
	run := func(wantCode int, argv ...string) (string, string) {
		t.Helper()
		code, stdout, stderr := runCLI(t, append(argv, args[:2]...)...)
		if code != wantCode {
			t.Fatalf("einordnung %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(argv, " "), code, wantCode, stdout, stderr)
		}
		return stdout, stderr
	}
	if code, stdout, stderr := runCLI(t, "instrument", "validate", file); code != 0 || !strings.Contains(stdout, "probe@3 ist gültig") {
		t.Fatalf("validate: exit %d: %s %s", code, stdout, stderr)
	}
	if out, _ := run(0, "instrument", "import", file); out != "probe@3\n" {
		t.Fatalf("import printed %q, want the reference", out)
	}
	run(0, "cohort", "create", "--slug", "probe", "--name", "Probe", "--instrument", "probe@3")
	run(0, "cohort", "open", "probe", "pre")
	list, _ := run(0, "instrument", "list")
	if !lineWith(list, "probe@3", "importiert", "Probe", "probe") || !lineWith(list, "einordnung@1", "eingebaut", "-") {
		t.Errorf("instrument list:\n%s", list)
	}

	s := startServe(t, append(args, "--code-limit-per-address", "1000000")...)
	code, stdout, stderr := runCLI(t, "loadtest", "--url", "http://"+s.addr, "--cohort", "probe", "--participants", "1", "--duration", "1s")
	s.shutdown(t)
	if code != 0 || !strings.Contains(stdout, "errors: 0") || strings.Contains(stdout, "completed responses: 0 ") {
		t.Fatalf("loadtest on the imported instrument: exit %d:\n%s\n%s", code, stdout, stderr)
	}
	store := openStore(t, dsn)
	cohort, err := store.CohortBySlug("probe")
	if err != nil {
		t.Fatal(err)
	}
	answered := map[string]bool{}
	if err := store.EachAnswer(cohort.ID, func(a *db.AnswerRow) error { answered[a.Item] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, item := range []string{"alpha_one", "alpha_two", "beta_one", "beta_two", "kn_sun", "kn_moon", "role"} {
		if !answered[item] {
			t.Errorf("no submitted answer to %s (answered: %v)", item, answered)
		}
	}
	if codebook, _ := run(0, "export", "--cohort", "probe", "--what", "codebook"); !strings.Contains(codebook, "alpha_two") {
		t.Errorf("codebook of the imported instrument:\n%s", codebook)
	}

	exported, _ := run(0, "instrument", "export", "probe@3")
	if exported != probeInstrument {
		t.Errorf("export differs from the imported file:\n%s", exported)
	}
	out := filepath.Join(t.TempDir(), "back.yaml")
	run(0, "instrument", "export", "probe@3", "--out", out)
	if back, err := os.ReadFile(out); err != nil || string(back) != probeInstrument {
		t.Errorf("export --out differs from the imported file (%v)", err)
	}
	if again, _ := run(0, "instrument", "import", out); !strings.Contains(again, "probe@3 (unverändert") {
		t.Errorf("importing the export again: %q", again)
	}
	changed := writeFile(t, "probe.yaml", strings.Replace(probeInstrument, "Ich rate.", "Ich rate oft.", 1))
	if _, stderr := run(1, "instrument", "import", changed); !strings.Contains(stderr, "probe@3 ist bereits mit anderem Inhalt gespeichert") {
		t.Errorf("changed content under the same reference: %s", stderr)
	}
	builtin, err := os.ReadFile("../../questions/instruments/einordnung-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, stderr := run(1, "instrument", "import", writeFile(t, "mine.yaml", string(builtin))); !strings.Contains(stderr, "einordnung@1 ist eingebaut") {
		t.Errorf("import of the built-in reference: %s", stderr)
	}
	if files, err := store.InstrumentFiles(); err != nil || len(files) != 1 || string(files[0].Content) != probeInstrument {
		t.Errorf("stored instruments: %d (%v), want the first file only", len(files), err)
	}
}

// lineWith reports whether a line of out contains every one of words.
func lineWith(out string, words ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		all := true
		for _, w := range words {
			all = all && strings.Contains(line, w)
		}
		if all {
			return true
		}
	}
	return false
}

// TestInstrumentDiff compares an imported instrument with a changed file.
func TestInstrumentDiff(t *testing.T) {
	dsn := dbtest.DSN(t)
	if code, _, stderr := runCLI(t, "instrument", "import", "--db", dsn, writeFile(t, "probe.yaml", probeInstrument)); code != 0 {
		t.Fatal(stderr)
	}
	next := probeInstrument
	for _, r := range [][2]string{
		{"version: 3", "version: 4"},
		{"  min: 1\n  max: 5", "  min: 0\n  max: 10"},
		{"Ich rate.", "Ich rate oft."},
		{`explanation: {de: "Nein.", en: "No."}`, `explanation: {de: "Nein, er spiegelt die Sonne.", en: "No."}`},
		{"  - {id: beta_two, dimension: beta, text: {de: \"Ich vergleiche.\", en: \"I compare.\"}}\n",
			"  - {id: beta_three, dimension: beta, text: {de: \"Ich frage nach.\", en: \"I ask.\"}}\n"},
	} {
		if strings.Count(next, r[0]) != 1 {
			t.Fatalf("%q is not in the probe once", r[0])
		}
		next = strings.Replace(next, r[0], r[1], 1)
	}
	code, stdout, stderr := runCLI(t, "instrument", "diff", "--db", dsn, "probe@3", writeFile(t, "probe-v4.yaml", next))
	if code != 0 {
		t.Fatalf("diff: exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"Von probe@3 zu probe@4:",
		"~ Item alpha_two umformuliert (text.de): „Ich rate.“ → „Ich rate oft.“",
		"~ Item alpha_one neue Skala: 1–5 (1 = nie … 5 = immer) → 0–10 (1 = nie … 5 = immer)",
		"+ Item beta_three hinzugefügt: „Ich frage nach.“",
		"- Item beta_two entfernt: „Ich vergleiche.“",
		"~ Wissensfrage kn_moon umformuliert (explanation.de): „Nein.“ → „Nein, er spiegelt die Sonne.“",
	} {
		if !strings.Contains(stdout, want+"\n") {
			t.Errorf("diff lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "alpha_one umformuliert") || strings.Contains(stdout, "kn_sun") {
		t.Errorf("diff names unchanged texts:\n%s", stdout)
	}
}

// TestREADMEInstrumentExample keeps the README's example a valid instrument
// with what it claims to show.
func TestREADMEInstrumentExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "```yaml\n# instrument example")
	block, _, _ = strings.Cut("# instrument example"+block, "```")
	if !ok {
		t.Fatal("the README has no instrument example")
	}
	file := writeFile(t, "praxis.yaml", block)
	code, stdout, stderr := runCLI(t, "instrument", "validate", file)
	if code != 0 || !strings.Contains(stdout, "praxis@1 ist gültig (2 Dimensionen, 4 Items, 1 Wissensfragen, 2 Hintergrundfragen)") {
		t.Fatalf("validate the README example: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, shows := range []string{"reverse: true", "explanation:", "keine Angabe", "type: text", "breakdown:"} {
		if !strings.Contains(block, shows) {
			t.Errorf("the example does not show %q", shows)
		}
	}
	// The README's sample messages are what validate says of those mistakes.
	broken := strings.Replace(block, "dimension: sources\n    reverse", "dimension: source\n    reverse", 1)
	broken = strings.Replace(broken, "    explanation: {de: \"Sie erzeugen", "    #explanation: {de: \"Sie erzeugen", 1)
	file = writeFile(t, "praxis.yaml", broken)
	_, _, stderr = runCLI(t, "instrument", "validate", file)
	for _, want := range []string{":20: Dimension sources: braucht mindestens 2 Items, hat 1", ":34: Item src_trust: die Dimension „source“ gibt es nicht", ":40: Wissensfrage kn_refs: die Erklärung fehlt (explanation)"} {
		if !strings.Contains(stderr, file+want) {
			t.Errorf("validate does not say %q:\n%s", want, stderr)
		}
	}
}

// TestDemoFillsACohortOnAnImportedInstrument: a program that imported its
// own questionnaire can see the dashboard filled before anyone answers it.
func TestDemoFillsACohortOnAnImportedInstrument(t *testing.T) {
	dsn := dbtest.DSN(t)
	if code, _, stderr := runCLI(t, "instrument", "import", "--db", dsn, writeFile(t, "probe.yaml", probeInstrument)); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr := runCLI(t, "demo", "--db", dsn, "--cohort", "probedemo", "--instrument", "probe@3",
		"--participants", "30", "--today", "2026-11-04")
	if code != 0 || !strings.Contains(stdout, "30 Teilnehmende") {
		t.Fatalf("demo on probe@3: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "cohort", "list", "--db", dsn)
	if code != 0 || !lineWith(stdout, "probedemo", "probe@3") {
		t.Fatalf("cohort list does not show probedemo on probe@3: exit %d\n%s%s", code, stdout, stderr)
	}
	// A cohort that exists keeps its instrument: asking for another one is refused.
	code, _, stderr = runCLI(t, "demo", "--db", dsn, "--cohort", "probedemo", "--instrument", "einordnung",
		"--participants", "5", "--today", "2026-11-04")
	if code == 0 || !strings.Contains(stderr, "probe@3") {
		t.Fatalf("demo with another instrument on an existing cohort: exit %d, %s", code, stderr)
	}
}
