package app_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"einordnung/db"
	"einordnung/db/dbtest"
	"einordnung/questions"
)

// sqliteFiles returns the database file and its -wal and -shm files, as far
// as they exist.
func sqliteFiles(t *testing.T, path string) []string {
	t.Helper()
	var files []string
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if _, err := os.Stat(f); err == nil {
			files = append(files, f)
		} else if !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	return files
}

// assertNotInFiles fails for every trace found in the bytes of files.
func assertNotInFiles(t *testing.T, files []string, tr traces) {
	t.Helper()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for what, s := range tr {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s: holds the %s %q", filepath.Base(f), what, s)
			}
		}
	}
}

// TestNoReturnCodeIsStoredReadably follows a participant from code entry to
// feedback and then looks at every byte the server keeps, the database
// file with its WAL and a backup of it: the return code is in none of
// them, and still the participant sees it on every page that shows it.
func TestNoReturnCodeIsStoredReadably(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	c := e.client()
	shown := c.startPre("ws26", code("M", "K", "07", "H", "1", "A"))
	if p := c.follow(c.get("/survey")); !strings.Contains(p.Body, shown) {
		t.Errorf("the questionnaire does not show the return code %s: %s", shown, excerpt(p.Body))
	}
	feedback := c.finish(false, "6")
	expect(t, feedback, http.StatusOK, "Ihre persönliche Rückmeldung", shown)
	expect(t, c.get("/return-code"), http.StatusOK, shown)
	canonical, _ := questions.NormalizeReturnCode(shown)
	for name, v := range c.cookies {
		if strings.Contains(v, canonical) || strings.Contains(v, shown) {
			t.Errorf("cookie %s carries the return code in plain text", name)
		}
	}

	forms := traces{"return code": shown, "return code, unformatted": canonical}
	if dbtest.Postgres() {
		// The files belong to the database server; its rows are what the
		// application writes.
		rows, err := e.sql.Query("SELECT data FROM sessions")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var data []byte
			if err := rows.Scan(&data); err != nil {
				t.Fatal(err)
			}
			for what, s := range forms {
				if bytes.Contains(data, []byte(s)) {
					t.Errorf("a session row holds the %s", what)
				}
			}
		}
		return
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := e.store.Backup(backup); err != nil {
		t.Fatal(err)
	}
	assertNotInFiles(t, append(sqliteFiles(t, e.dsn), backup), forms)
}

// TestReturnCodeCookieShowsOnlyItsOwnParticipant plants one participant's
// return-code cookie in another participant's browser: the other sees no
// code, rather than someone else's.
func TestReturnCodeCookieShowsOnlyItsOwnParticipant(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	a, b := e.client(), e.client()
	shownA := a.startPre("ws26", code("M", "K", "07", "H", "1", "A"))
	shownB := b.startPre("ws26", code("E", "R", "12", "B", "0", "Z"))
	for name, v := range a.cookies {
		if name != "einordnung_session" && name != "einordnung_csrf" {
			b.cookies[name] = v
		}
	}
	p := b.get("/return-code")
	if strings.Contains(p.Body, shownA) {
		t.Fatalf("B's browser shows A's return code: %s", excerpt(p.Body))
	}
	if p := b.follow(b.get("/survey")); strings.Contains(p.Body, shownA) || strings.Contains(p.Body, shownB) {
		t.Errorf("B's questionnaire shows a return code from A's cookie: %s", excerpt(p.Body))
	}
}
