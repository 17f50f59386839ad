package cli

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"einordnung/db"
	"einordnung/db/dbtest"
)

// TestCommandsWriteTheAuditLog runs every command that changes the
// database and expects exactly one new audit entry of it, by the command
// line, with the action the same change made on the web is logged under.
func TestCommandsWriteTheAuditLog(t *testing.T) {
	dsn := dbtest.DSN(t)
	long := filepath.Join(t.TempDir(), "responses.csv")
	source := dbtest.DSN(t)
	if code, _, stderr := runCLI(t, "demo", "--db", source, "--cohort", "ws26", "--participants", "6", "--today", "2026-11-02"); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := runCLI(t, "export", "--db", source, "--cohort", "ws26", "--out", long); code != 0 {
		t.Fatal(stderr)
	}
	steps := []struct {
		args           []string
		action, target string
		detail         string // part of the entry's detail
	}{
		{[]string{"cohort", "create", "--slug", "ws26", "--name", "Jahrgang 2026/27"}, db.AuditCohortCreate, "ws26", `name="Jahrgang 2026/27"`},
		{[]string{"cohort", "open", "ws26", "pre"}, db.AuditWaveChange, "ws26", "wave=pre open=true"},
		{[]string{"cohort", "close", "ws26", "pre"}, db.AuditWaveChange, "ws26", "wave=pre open=false"},
		{[]string{"user", "create", "--email", "Leitung@example.org", "--role", "lead"}, db.AuditUserCreate, "leitung@example.org", "role=lead"},
		{[]string{"import", "--cohort", "ws26", long}, db.AuditImport, "ws26", "responses.csv: 11 responses"},
		{[]string{"demo", "--cohort", "ss27", "--participants", "5", "--today", "2026-11-02"}, db.AuditDemo, "ss27", "5 synthetic participants"},
		{[]string{"export", "--cohort", "ws26", "--what", "wide", "--out", filepath.Join(t.TempDir(), "wide.csv")}, db.AuditExport, "ws26", "wide"},
		{[]string{"instrument", "import", writeFile(t, "probe.yaml", probeInstrument)}, db.AuditInstrumentImport, "probe@3", "probe.yaml"},
		{[]string{"instrument", "export", "probe@3", "--out", filepath.Join(t.TempDir(), "back.yaml")}, db.AuditInstrumentExport, "probe@3", "back.yaml"},
	}
	if !dbtest.Postgres() {
		to := filepath.Join(t.TempDir(), "copy.db")
		steps = append(steps, struct {
			args           []string
			action, target string
			detail         string
		}{[]string{"backup", "--to", to}, db.AuditBackup, to, ""})
	}
	seen := 0
	for _, s := range steps {
		args := append(s.args, "--db", dsn)
		if code, _, stderr := runCLI(t, args...); code != 0 {
			t.Fatalf("einordnung %s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
		entries := auditLog(t, dsn)
		if got := len(entries) - seen; got != 1 {
			t.Fatalf("einordnung %s: %d new audit entries, want 1: %+v", strings.Join(s.args, " "), got, entries)
		}
		seen = len(entries)
		e := entries[0]
		if e.Actor != "Kommandozeile" || e.Action != s.action || e.Target != s.target || !strings.Contains(e.Detail, s.detail) {
			t.Errorf("einordnung %s: entry %q %q %q %q, want Kommandozeile %q %q …%s…",
				strings.Join(s.args, " "), e.Actor, e.Action, e.Target, e.Detail, s.action, s.target, s.detail)
		}
	}
}

// TestServeDemoLogsItsCohort: the cohort serve --demo makes (and opens) is
// in the audit log as one entry of the command line; a second start, which
// finds it, adds none. The cohort it fills with synthetic answers is marked
// as a demo and filled once, however often the server starts.
func TestServeDemoLogsItsCohort(t *testing.T) {
	t.Setenv("EINORDNUNG_SECRET", "ein Schlüssel nur für diesen Test, lang genug")
	dsn := dbtest.DSN(t)
	for start := range 2 {
		s := startServe(t, "--db", dsn, "--demo")
		s.shutdown(t)
		var demo []string
		for _, e := range auditLog(t, dsn) {
			if e.Target == "demo" {
				demo = append(demo, fmt.Sprintf("%s %s %s", e.Actor, e.Action, e.Detail))
			}
		}
		if len(demo) != 1 || !strings.HasPrefix(demo[0], db.ActorCLI+" "+db.AuditCohortCreate+" ") || !strings.Contains(demo[0], "wave=pre open=true") {
			t.Errorf("after start %d: audit entries of the demo cohort %q, want one cohort_create by the command line with its pre wave open", start+1, demo)
		}
		// The filled cohort: made, marked and filled once, with one entry.
		var filled []string
		for _, e := range auditLog(t, dsn) {
			if e.Target == demoFilledSlug {
				filled = append(filled, fmt.Sprintf("%s %s %s", e.Actor, e.Action, e.Detail))
			}
		}
		want := fmt.Sprintf("%s %s %d synthetic participants, seed 1, cohort created: ", db.ActorCLI, db.AuditDemo, demoParticipants)
		if len(filled) != 1 || !strings.HasPrefix(filled[0], want) {
			t.Errorf("after start %d: audit entries of the filled demo cohort %q, want one %q…", start+1, filled, want)
		}
		store, err := db.Open(dsn)
		if err != nil {
			t.Fatal(err)
		}
		co, err := store.CohortBySlug(demoFilledSlug)
		if err != nil {
			t.Fatal(err)
		}
		stats, err := store.Stats(co.ID)
		store.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !co.Demo || stats.Submitted[db.Pre] != demoParticipants || stats.Pairs < demoParticipants/2 {
			t.Errorf("after start %d: filled demo cohort demo=%v, %d pre responses, %d pairs; want a demo with %d pre and most of them paired",
				start+1, co.Demo, stats.Submitted[db.Pre], stats.Pairs, demoParticipants)
		}
	}
}

// auditLog reads a database's whole audit log, newest first.
func auditLog(t *testing.T, dsn string) []db.AuditEntry {
	t.Helper()
	store, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	entries, err := store.AuditLog(1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}
