package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"einordnung/db"
	"einordnung/db/dbtest"
)

func TestExportImportDemoCommands(t *testing.T) {
	source, target := dbtest.DSN(t), dbtest.DSN(t)
	long := filepath.Join(t.TempDir(), "responses.csv")
	steps := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"demo", "--db", source, "--cohort", "ws26", "--participants", "30", "--seed", "4", "--today", "2026-11-02"}, 0, "Demo-Daten in ws26: 30 Teilnehmende, 30 Vorher-", ""},
		{[]string{"demo", "--db", source, "--cohort", "ws26", "--participants", "3", "--today", "2026-11-02"}, 1, "", "has 30 participants already"},
		{[]string{"demo", "--db", source, "--cohort", "ws27", "--today", "2026-11-28"}, 0, "200 Teilnehmende", ""},
		{[]string{"demo", "--db", source, "--cohort", "ws29", "--today", "28.11.2026"}, 1, "", "--today \"28.11.2026\": use YYYY-MM-DD"},
		{[]string{"demo", "--db", source, "--cohort", "ws28", "--participants", "0"}, 1, "", "use 1 to 100000"},
		{[]string{"demo", "--db", source}, 2, "", "Usage"},
		{[]string{"export", "--db", source, "--cohort", "ws26", "--out", long}, 0, "", ""},
		{[]string{"export", "--db", source, "--cohort", "ws26", "--what", "wide"}, 0, "cohort,participant,wave,submitted_at,und1,", ""},
		{[]string{"export", "--db", source, "--cohort", "ws26", "--what", "codebook"}, 0, "und5,rating,understanding,true,0,10,,", ""},
		{[]string{"export", "--db", source, "--cohort", "ws26", "--what", "sps"}, 0, "/FILE='ws26-demo-wide.csv'", ""},
		{[]string{"export", "--db", source, "--cohort", "ws26", "--what", "r"}, 0, `read.csv(datei, encoding = "UTF-8"`, ""},
		{[]string{"export", "--db", source, "--cohort", "ws26", "--what", "xlsx"}, 0, "PK\x03\x04", ""},
		{[]string{"export", "--db", source, "--cohort", "ws26", "--what", "excel"}, 0, "\uFEFFcohort;wave;participant;response;submitted_at;item;kind;dimension;value;confidence\r\nws26;pre;", ""},
		{[]string{"export", "--db", source, "--cohort", "ws26", "--what", "pdf"}, 1, "", "use responses|excel|wide|xlsx"},
		{[]string{"report", "--db", source, "--cohort", "ws26"}, 0, `"dimensions": [`, ""},
		{[]string{"report", "--db", source, "--cohort", "ws26", "--format", "html"}, 0, "<!doctype html>", ""},
		{[]string{"report", "--db", source, "--cohort", "ws26", "--format", "pdf"}, 1, "", "use json or html"},
		{[]string{"export", "--db", source, "--cohort", "nope"}, 1, "", "not found"},
		{[]string{"cohort", "create", "--db", target, "--slug", "ws26", "--name", "Papier"}, 0, "", ""},
		{[]string{"import", "--db", target, "--cohort", "ws26", long}, 0, "Importiert in ws26: 30 Teilnehmende, 30 Vorher-", ""},
		{[]string{"import", "--db", target, "--cohort", "ws26", long}, 1, "", "schon eine Vorher-Befragung (pre)"},
		{[]string{"import", "--db", target, "--cohort", "ws26"}, 2, "", "Usage"},
		{[]string{"help"}, 0, "einordnung import --cohort SLUG FILE.csv", ""},
	}
	for _, s := range steps {
		code, stdout, stderr := runCLI(t, s.args...)
		if code != s.code || !strings.Contains(stdout, s.stdout) || !strings.Contains(stderr, s.stderr) {
			t.Fatalf("einordnung %s: exit %d, stdout %.300q, stderr %q; want exit %d with %q / %q",
				strings.Join(s.args, " "), code, stdout, stderr, s.code, s.stdout, s.stderr)
		}
	}

	// The imported cohort exports the same rows, response ids aside.
	_, before, _ := runCLI(t, "export", "--db", source, "--cohort", "ws26")
	_, after, _ := runCLI(t, "export", "--db", target, "--cohort", "ws26")
	ids := regexp.MustCompile(`(?m)^(ws26,\w+,'?[\w-]+),\d+,`)
	if before == "" || ids.ReplaceAllString(before, "$1,,") != ids.ReplaceAllString(after, "$1,,") {
		t.Errorf("export after import differs from the original export")
	}
	written, err := os.ReadFile(long)
	if err != nil || string(written) != before {
		t.Errorf("export --out wrote %d bytes (%v), stdout export has %d", len(written), err, len(before))
	}

	store := openStore(t, source)
	entries, err := store.AuditLog(100, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.Action == db.AuditExport || e.Action == db.AuditImport || e.Action == db.AuditDemo {
			got = append(got, e.Action+" "+e.Target+" "+e.Detail)
		}
	}
	// Newest first: the export after the steps, the ones in them, two demos.
	want := []string{"export ws26 responses", "export ws26 html", "export ws26 json", "export ws26 excel", "export ws26 xlsx", "export ws26 r", "export ws26 sps",
		"export ws26 codebook", "export ws26 wide", "export ws26 responses",
		`demo ws27 200 synthetic participants, seed 1, cohort created: name="Demo ws27" instrument=einordnung@1`,
		`demo ws26 30 synthetic participants, seed 4, cohort created: name="Demo ws26" instrument=einordnung@1`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestImportRejectsABadFileAndStoresNothing(t *testing.T) {
	dbFile, file := dbtest.DSN(t), filepath.Join(t.TempDir(), "bad.csv")
	if code, _, stderr := runCLI(t, "cohort", "create", "--db", dbFile, "--slug", "ws26", "--name", "Papier"); code != 0 {
		t.Fatal(stderr)
	}
	const at = "2026-03-02T09:00:00Z"
	rows := []string{
		"cohort,wave,participant,response,submitted_at,item,kind,dimension,value,confidence",
		"ws26,pre,P1,1," + at + ",und1,rating,understanding,7,",
		"ws26,pre,P1,1," + at + ",und2,rating,understanding,11,",
		"ws26,pre,P1,1," + at + ",und3,rating,understanding,5,",
		"ws26,pre,P1,1," + at + ",k01,knowledge,,true,30",
		"ws26,pre,P1,1," + at + ",field,background,,astronaut,",
		"ws26,pre,P2,2," + at + ",und1,rating,understanding,3,",
	}
	if err := os.WriteFile(file, []byte(strings.Join(rows, "\r\n")+"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "import", "--db", dbFile, "--cohort", "ws26", file)
	want := "einordnung: Datei abgelehnt, nichts importiert: 3 Probleme\n" +
		"Zeile 3: Wert 11 liegt außerhalb der Skala 0–10\n" +
		"Zeile 5: Sicherheit „30“: erlaubt ist eine ganze Zahl von 50 bis 100\n" +
		"Zeile 6: „astronaut“ ist keine Antwort auf field (erlaubt: engineering, social_work, design, administration, health, education, other)\n"
	if code != 1 || stdout != "" || stderr != want {
		t.Errorf("import of a bad file: exit %d, stdout %q, stderr:\n%s\nwant exit 1 and:\n%s", code, stdout, stderr, want)
	}
	store := openStore(t, dbFile)
	c, err := store.CohortBySlug("ws26")
	if err != nil {
		t.Fatal(err)
	}
	n, err := store.CountParticipants(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	answers := 0
	if err := store.EachAnswer(c.ID, func(*db.AnswerRow) error { answers++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 0 || answers != 0 {
		t.Errorf("after a rejected import: %d participants, %d answers; want none", n, answers)
	}
	entries, err := store.AuditLog(10, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Action == db.AuditImport {
			t.Errorf("a rejected import was logged as an import: %+v", e)
		}
	}
}

// An import that conflicts with stored data says so in German, with the line
// of the file, and never names another cohort: a pseudonym of another cohort
// reads like any pseudonym this cohort cannot use.
func TestImportConflictsInGermanWithLines(t *testing.T) {
	dbFile, dir := dbtest.DSN(t), t.TempDir()
	for _, slug := range []string{"ws26", "ss27"} {
		if code, _, stderr := runCLI(t, "cohort", "create", "--db", dbFile, "--slug", slug, "--name", "Papier "+slug); code != 0 {
			t.Fatal(stderr)
		}
	}
	const at = "2026-03-02T09:00:00Z"
	file := func(name string, rows ...string) string {
		path := filepath.Join(dir, name)
		head := "cohort,wave,participant,response,submitted_at,item,kind,dimension,value,confidence"
		if err := os.WriteFile(path, []byte(strings.Join(append([]string{head}, rows...), "\r\n")+"\r\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	first := file("ws26.csv",
		"ws26,pre,PAPIER01,1,"+at+",und1,rating,understanding,7,",
		"ws26,pre,PAPIER02,2,"+at+",und1,rating,understanding,5,")
	if code, _, stderr := runCLI(t, "import", "--db", dbFile, "--cohort", "ws26", first); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr := runCLI(t, "import", "--db", dbFile, "--cohort", "ws26", first)
	want := "einordnung: Datei abgelehnt, nichts importiert: 2 Probleme\n" +
		"Zeile 2: PAPIER01 hat in diesem Jahrgang schon eine Vorher-Befragung (pre)\n" +
		"Zeile 3: PAPIER02 hat in diesem Jahrgang schon eine Vorher-Befragung (pre)\n"
	if code != 1 || stdout != "" || stderr != want {
		t.Errorf("the same file twice: exit %d, stderr:\n%s\nwant exit 1 and:\n%s", code, stderr, want)
	}
	other := file("ss27.csv",
		"ss27,pre,NEU01,1,"+at+",und1,rating,understanding,7,",
		"ss27,pre,NEU01,1,"+at+",und2,rating,understanding,7,",
		"ss27,pre,NEU02,1,"+at+",und1,rating,understanding,7,",
		"ss27,pre,NEU03,1,"+at+",und1,rating,understanding,7,",
		"ss27,pre,NEU04,1,"+at+",und1,rating,understanding,7,",
		"ss27,pre,PAPIER01,1,"+at+",und1,rating,understanding,7,")
	code, _, stderr = runCLI(t, "import", "--db", dbFile, "--cohort", "ss27", other)
	want = "einordnung: Datei abgelehnt, nichts importiert: 1 Problem\n" +
		"Zeile 7: Pseudonym „PAPIER01“ kann in diesem Jahrgang nicht verwendet werden\n"
	if code != 1 || stderr != want {
		t.Errorf("a pseudonym of another cohort: exit %d, stderr:\n%s\nwant exit 1 and:\n%s", code, stderr, want)
	}
	for _, leak := range []string{"ws26", "another", "anderen", "db:"} {
		if strings.Contains(stderr, leak) {
			t.Errorf("the message names %q: %s", leak, stderr)
		}
	}
}

// export --what quality writes quality.json with the contract's names, in
// the order of the instrument: three waves per dimension, two per
// knowledge item, one shift per dimension.
func TestExportQualityJSON(t *testing.T) {
	source := dbtest.DSN(t)
	if code, _, stderr := runCLI(t, "demo", "--db", source, "--cohort", "ws26", "--participants", "40", "--seed", "4", "--today", "2026-11-02"); code != 0 {
		t.Fatal(stderr)
	}
	out := filepath.Join(t.TempDir(), "quality.json")
	if code, _, stderr := runCLI(t, "export", "--db", source, "--cohort", "ws26", "--what", "quality", "--out", out); code != 0 {
		t.Fatal(stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("quality.json: %v", err)
	}
	keys := func(v any) string {
		var ks []string
		for k := range v.(map[string]any) {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return strings.Join(ks, " ")
	}
	first := func(list string) any { return doc[list].([]any)[0] }
	for _, c := range []struct{ got, want string }{
		{keys(doc), "cohort instrument knowledge min_group scales shift"},
		{keys(first("scales")), "alpha alpha_ci_high alpha_ci_low dimension items k n omega suppressed wave"},
		{keys(first("scales").(map[string]any)["items"].([]any)[0]), "alpha_if_dropped item loading mean missing r_drop sd"},
		{keys(first("knowledge")), "difficulty discrimination item n suppressed wave"},
		{keys(first("shift")), "d_z df dimension mean_diff mean_pre mean_then n p sd_diff suppressed t"},
	} {
		if c.got != c.want {
			t.Errorf("quality.json keys %q, want %q", c.got, c.want)
		}
	}
	if doc["cohort"] != "ws26" || doc["instrument"] != "einordnung@1" {
		t.Errorf("quality.json names cohort %v, instrument %v", doc["cohort"], doc["instrument"])
	}
	var waves []string
	for _, s := range doc["scales"].([]any)[:3] {
		waves = append(waves, s.(map[string]any)["wave"].(string))
		if s.(map[string]any)["alpha"] == nil {
			t.Errorf("demo cohort of 40: scale %v has no α", s)
		}
	}
	if strings.Join(waves, " ") != "pre then post" {
		t.Errorf("waves of the first dimension: %v", waves)
	}
	store := openStore(t, source)
	entries, err := store.AuditLog(1, 0)
	if err != nil || len(entries) != 1 || entries[0].Detail != "quality" {
		t.Errorf("audit log: %v %v, want the quality export", entries, err)
	}
}
