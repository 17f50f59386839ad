package app_test

import (
	"einordnung/app"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"einordnung/db"
	"einordnung/db/dbtest"
	"einordnung/questions"
)

// finishWriting is finish with every free-text answer set to text.
func (c *client) finishWriting(text string) reply {
	c.t.Helper()
	pages := c.e.inst.Pages()
	p := c.follow(c.get("/survey"))
	for {
		n := pageNumber(c.t, p)
		form := c.e.answers(pages[n-1], false, "6")
		for k := range form {
			if strings.HasPrefix(k, "x_") {
				form.Set(k, text)
			}
		}
		form.Set("_rev", rev(c.t, p))
		if n == len(pages) {
			form.Set("nav", "submit")
			res := c.post(pageURL(n), form)
			expect(c.t, res, http.StatusSeeOther)
			return c.follow(res)
		}
		form.Set("nav", "next")
		p = c.follow(c.post(pageURL(n), form))
	}
}

// traces are the byte strings that identify one participant: their free
// text, their return code as shown and as typed, its hash, and their pseudonym.
type traces map[string]string

func (e *env) tracesOf(t *testing.T, shownReturnCode, text string) traces {
	t.Helper()
	canonical, ok := questions.NormalizeReturnCode(shownReturnCode)
	if !ok {
		t.Fatalf("shown return code %q does not read back", shownReturnCode)
	}
	hash := questions.HashReturnCode(testSecret, canonical)
	var pseudonym string
	if err := e.sql.QueryRow("SELECT pseudonym FROM participants WHERE return_code_hash = ?", hash).Scan(&pseudonym); err != nil {
		t.Fatalf("the participant is not stored: %v", err)
	}
	tr := traces{"return code": questions.FormatReturnCode(canonical), "return code, unformatted": canonical,
		"return code hash": hash, "pseudonym": pseudonym}
	if text != "" {
		tr["free text"] = text
	}
	return tr
}

// TestSelfDeletionLeavesNothingInTheFile deletes a participant through the
// web and then looks for them in the bytes of the SQLite file and its WAL:
// their free text, return code, its hash and their pseudonym are gone, and
// so are their sessions; another participant's answers stay.
func TestSelfDeletionLeavesNothingInTheFile(t *testing.T) {
	dbtest.SkipOnPostgres(t, "PostgreSQL's files belong to its server; the README says what it needs")
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	stays := e.client()
	stays.startPre("ws26", code("E", "R", "12", "B", "0", "Z"))
	stays.finishWriting("Bleibt-Giraffe-1a2b")

	const text = "Einzigartig-Zebra-7f3c9e41"
	c := e.client()
	shown := c.startPre("ws26", code("M", "K", "07", "H", "1", "A"))
	expect(t, c.finishWriting(text), http.StatusOK, "Ihre persönliche Rückmeldung")
	tr := e.tracesOf(t, shown, text)
	// A second browser signed in with the return code: its session must go too.
	other := e.client()
	other.get("/")
	expect(t, other.post("/resume", url.Values{"return_code": {shown}}), http.StatusSeeOther)
	var id uint
	if err := e.sql.QueryRow("SELECT id FROM participants WHERE pseudonym = ?", tr["pseudonym"]).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if n := sessionsActingFor(t, e, id); n != 2 {
		t.Fatalf("%d sessions act for the participant before the deletion, want 2", n)
	}

	c.get("/delete")
	expect(t, c.post("/delete", url.Values{"return_code": {shown}}), http.StatusOK)
	expect(t, c.post("/delete/confirm", url.Values{"return_code": {shown}}), http.StatusOK)
	if n := countRows(t, e, "participants"); n != 1 {
		t.Fatalf("%d participants after the deletion, want 1", n)
	}
	if n := sessionsActingFor(t, e, id); n != 0 {
		t.Errorf("%d sessions still act for the deleted participant: both should be gone", n)
	}
	expect(t, other.get("/feedback"), http.StatusForbidden)
	assertNotInFiles(t, sqliteFiles(t, e.dsn), tr)
	expect(t, stays.get("/feedback"), http.StatusOK, "Ihre persönliche Rückmeldung")
}

// TestRetentionLeavesNothingInTheFile is the same for the retention job,
// run with a clock past the cohort's retention period.
func TestRetentionLeavesNothingInTheFile(t *testing.T) {
	dbtest.SkipOnPostgres(t, "PostgreSQL's files belong to its server; the README says what it needs")
	e := newEnv(t)
	cohort := e.cohort("ws26", db.Pre)
	if err := e.store.UpdateCohortSettings(cohort.ID, 30, db.MinGroupFloor); err != nil {
		t.Fatal(err)
	}
	const text = "Einzigartig-Zebra-ab12cd34"
	c := e.client()
	shown := c.startPre("ws26", code("M", "K", "07", "H", "1", "A"))
	c.finishWriting(text)
	tr := e.tracesOf(t, shown, text)

	purged, err := e.store.PurgeExpired(time.Now().AddDate(0, 0, 31))
	if err != nil || purged["ws26"] != 1 {
		t.Fatalf("PurgeExpired = %v, %v; want one participant of ws26", purged, err)
	}
	assertNotInFiles(t, sqliteFiles(t, e.dsn), tr)
}

// sessionsActingFor counts the stored sessions that sign a browser in as
// the participant (a browser keeps its CSRF token in a fresh session after
// a deletion; that one acts for nobody).
func sessionsActingFor(t *testing.T, e *env, participantID uint) int {
	t.Helper()
	rows, err := e.sql.Query("SELECT data FROM sessions")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			t.Fatal(err)
		}
		if app.SessionOf(data, participantID) {
			n++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}
