package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"einordnung/db"
	"einordnung/db/dbtest"
)

// TestOperatorSetShowRoundTrip: operator set stores a YAML or JSON file
// (audited by the command line), show prints it back in the format set
// reads, and setting show's output changes nothing; a broken file is
// refused in German and stores nothing.
func TestOperatorSetShowRoundTrip(t *testing.T) {
	dsn := dbtest.DSN(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	code, out, stderr := runCLI(t, "operator", "show", "--db", dsn)
	if code != 0 || !strings.Contains(out, "# Es fehlen noch: controller_name, controller_address") {
		t.Fatalf("show on a fresh database: exit %d, %q %q", code, out, stderr)
	}
	yamlFile := write("operator.yaml", `controller_name: "Hochschule Beispielstadt\u0007"
controller_address: |
  Hochschulstraße 1
  12345 Beispielstadt
contact_email: Datenschutz@HS-Beispiel.example
dpo_contact: Die Datenschutzbeauftragte, dsb@hs-beispiel.example
purpose: Evaluation des Zertifikats
legal_basis: public_task
legal_basis_law: § 3 Hochschulgesetz
recipients: keine
hosting: Rechenzentrum der Hochschule
`)
	if code, out, stderr := runCLI(t, "operator", "set", yamlFile, "--db", dsn); code != 0 || !strings.Contains(out, "gespeichert") || strings.Contains(out, "fehlen") {
		t.Fatalf("set: exit %d, %q %q", code, out, stderr)
	}
	code, shown, stderr := runCLI(t, "operator", "show", "--db", dsn)
	for _, want := range []string{"controller_name: Hochschule Beispielstadt\n", "Hochschulstraße 1\n", "contact_email: datenschutz@hs-beispiel.example", "legal_basis: public_task"} {
		if code != 0 || !strings.Contains(shown, want) {
			t.Fatalf("show: exit %d, lacks %q: %s %s", code, want, shown, stderr)
		}
	}
	entries := auditLog(t, dsn)
	if len(entries) != 1 || entries[0].Actor != db.ActorCLI || entries[0].Action != db.AuditOperatorUpdate || !strings.Contains(entries[0].Detail, "fields=controller_name,") {
		t.Fatalf("audit log %+v, want one operator_update by the command line", entries)
	}
	// show's output is a file set reads; setting it changes no field.
	if code, _, stderr := runCLI(t, "operator", "set", write("again.yaml", shown), "--db", dsn); code != 0 {
		t.Fatalf("set of show's output: %s", stderr)
	}
	if e := auditLog(t, dsn)[0]; e.Detail != "fields=" {
		t.Errorf("setting show's output changed %q", e.Detail)
	}
	if _, again, _ := runCLI(t, "operator", "show", "--db", dsn); again != shown {
		t.Errorf("show after the round trip:\n%s\nwant\n%s", again, shown)
	}

	// JSON works too; problems are refused together, in German, and nothing is stored.
	bad := write("bad.json", `{"controller_name": "Andere", "contact_email": "keine Adresse", "legal_basis": "legitimate_interest"}`)
	code, _, stderr = runCLI(t, "operator", "set", bad, "--db", dsn)
	if code != 1 || !strings.Contains(stderr, "keine gültige E-Mail-Adresse") || !strings.Contains(stderr, "Rechtsgrundlage (legal_basis): unbekannt") || !strings.Contains(stderr, "nichts gespeichert") {
		t.Errorf("bad file: exit %d, %q", code, stderr)
	}
	unknown := write("unknown.yaml", "controler_name: Tippfehler\n")
	if code, _, stderr := runCLI(t, "operator", "set", unknown, "--db", dsn); code != 1 || !strings.Contains(stderr, "controler_name") {
		t.Errorf("unknown key: exit %d, %q", code, stderr)
	}
	if _, now, _ := runCLI(t, "operator", "show", "--db", dsn); now != shown {
		t.Errorf("a refused file changed the details:\n%s", now)
	}
	if code, _, _ := runCLI(t, "operator", "set", "--db", dsn); code != 2 {
		t.Errorf("set without a file: exit %d, want 2", code)
	}
}
