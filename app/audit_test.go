package app_test

import (
	"net/http"
	"strings"
	"testing"

	"einordnung/db"
)

// TestAuditPageSpeaksSentences: the audit log reads as sentences in the
// page's language, whoever wrote the entry (the web, the command line, the
// server itself), and shows no action code.
func TestAuditPageSpeaksSentences(t *testing.T) {
	e := newEnv(t)
	e.account("admin@example.org", db.RoleAdmin, adminPassword, false)
	expect(t, e.clientFor(t).login("admin@example.org", "ein falsches Passwort!"), http.StatusUnauthorized)
	entries := []struct{ actor, action, target, detail string }{
		{db.ActorCLI, db.AuditCohortCreate, "ws26", `name="Jahrgang 2026/27" instrument=einordnung@1`},
		{db.ActorCLI, db.AuditWaveChange, "ws26", "wave=pre open=true"},
		{"lead@example.org", db.AuditWaveChange, "ws26", "wave=post open=false starts= ends="},
		{db.ActorSystem, db.AuditUserCreate, "admin@localhost", db.FirstAdminDetail},
		{db.ActorCLI, db.AuditBackup, "/srv/sicherung.db", ""},
		{db.ActorSystem, db.AuditRetention, "ws25", "3 participants deleted after the retention period"},
		{"admin@example.org", db.AuditUserUpdate, "lead@example.org", "disable"},
	}
	for _, en := range entries {
		if err := e.store.Audit(en.actor, en.action, en.target, en.detail); err != nil {
			t.Fatal(err)
		}
	}
	a := e.signIn(t, "admin@example.org", adminPassword)
	p := a.get("/admin/audit")
	expect(t, p, http.StatusOK,
		"<td>Kommandozeile</td><td>hat den Jahrgang ws26 („Jahrgang 2026/27“) angelegt</td>",
		"<td>Kommandozeile</td><td>hat die Befragung „Vorher“ von Jahrgang ws26 geöffnet</td>",
		"<td>lead@example.org</td><td>hat die Befragung „Nachher“ von Jahrgang ws26 geschlossen</td>",
		"<td>System</td><td>hat beim ersten Start das Konto admin@localhost angelegt (Administration)</td>",
		"hat eine Sicherung der Datenbank nach /srv/sicherung.db geschrieben",
		"hat in Jahrgang ws25 Teilnahmen nach Ablauf der Aufbewahrungsfrist gelöscht",
		"hat das Konto lead@example.org gesperrt",
		"<td>admin@example.org</td><td>hat sich vergeblich anzumelden versucht</td>",
		"<td>admin@example.org</td><td>hat sich angemeldet</td>",
	)
	for _, action := range db.AuditActions {
		if strings.Contains(p.Body, "<code>"+action+"</code>") || strings.Contains(p.Body, "<td>"+action+"</td>") {
			t.Errorf("the audit page shows the code %s", action)
		}
	}
	p = a.get("/admin/audit?lang=en")
	expect(t, p, http.StatusOK,
		"<td>Command line</td><td>opened the survey “Before” of cohort ws26</td>",
		"<td>admin@example.org</td><td>failed to sign in</td>")
}
