package app_test

import (
	"database/sql"
	"net/http"
	"strings"
	"testing"

	"einordnung/db"
)

// provisionalOf reads the pre participant a participant is provisionally
// paired with (0: none), and the link of their post response.
func provisionalOf(t *testing.T, e *env, participantID int64) (pre int64, link string) {
	t.Helper()
	var p sql.NullInt64
	if err := e.sql.QueryRow("SELECT provisional_pre_id FROM participants WHERE id = ?", participantID).Scan(&p); err != nil {
		t.Fatalf("read provisional pair of %d: %v", participantID, err)
	}
	if err := e.sql.QueryRow("SELECT link FROM responses WHERE participant_id = ? AND wave = 'post'", participantID).Scan(&link); err != nil {
		t.Fatalf("read post link of %d: %v", participantID, err)
	}
	return p.Int64, link
}

// participantIDs lists the participants in the order they came.
func participantIDs(t *testing.T, e *env) []int64 {
	t.Helper()
	rows, err := e.sql.Query("SELECT id FROM participants ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// The steps: V answers the pre wave with M/F/12/B/2/L; in the post
// wave another browser enters M/F/12/B/3/L. A code one element off never
// grants access: without V's return code the newcomer answers as a new
// participant, sees only their own figures and gets their own return code;
// V's exact code later gets V's own post questionnaire, never the
// newcomer's answers, and ends the provisional pair.
func TestOneElementOffNeverGrantsAccess(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	v := e.client()
	vReturn := v.startPre("ws26", code("M", "F", "12", "B", "2", "L"))
	expect(t, v.finish(false, "4"), http.StatusOK, "<td>4,0</td>")
	if err := e.store.SetWaveOpen("ws26", db.Post, true); err != nil {
		t.Fatal(err)
	}

	other := e.client()
	near := code("M", "F", "12", "B", "3", "L")
	p := other.enter("ws26", near)
	expect(t, p, http.StatusOK, "frühere Teilnahme gefunden, die in einer Angabe abweicht", `name="return_code"`,
		`name="confirm_new" value="yes"`, "Ohne Rückkehrcode fortsetzen")
	if n := countRows(t, e, "responses"); n != 1 {
		t.Fatalf("%d responses after the question for the return code, want 1 (V's pre)", n)
	}
	near.Set("confirm_new", "yes")
	p = other.post("/c/ws26/code", near)
	expectRedirect(t, p, "/return-code")
	p = other.follow(p)
	m := returnCodeShown.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("the newcomer is shown no return code: %s", excerpt(p.Body))
	}
	if m[1] == vReturn {
		t.Fatalf("the newcomer is shown V's return code")
	}
	fb := other.finish(true, "8")
	expect(t, fb, http.StatusOK, "<td>8,0</td>")
	if strings.Contains(fb.Body, "<td>4,0</td>") {
		t.Fatalf("the newcomer's feedback shows V's pre-wave scores: %s", excerpt(fb.Body))
	}
	ids := participantIDs(t, e)
	if len(ids) != 2 {
		t.Fatalf("%d participants, want 2 (V and the newcomer)", len(ids))
	}
	vID, newcomer := ids[0], ids[1]
	if pre, link := provisionalOf(t, e, newcomer); pre != vID || link != db.LinkProvisional {
		t.Fatalf("newcomer paired with %d (post link %q), want provisionally with V (%d)", pre, link, vID)
	}

	// V in a fresh browser, with the exact code: V's own post questionnaire.
	v2 := e.client()
	p = v2.enter("ws26", code("M", "F", "12", "B", "2", "L"))
	expectRedirect(t, p, "/survey")
	if pre, _ := provisionalOf(t, e, newcomer); pre != 0 {
		t.Fatalf("the provisional pair with V stands after V's exact code (pre %d)", pre)
	}
	page := v2.follow(v2.get("/survey"))
	if n := pageNumber(t, page); n != 1 {
		t.Fatalf("V's post questionnaire opens on page %d, want 1 (nothing of the newcomer's answers)", n)
	}
	fb = v2.finish(true, "6")
	expect(t, fb, http.StatusOK, "<td>4,0</td>", "<td>6,0</td>")
	if strings.Contains(fb.Body, "<td>8,0</td>") {
		t.Fatalf("V's feedback shows the newcomer's post answers: %s", excerpt(fb.Body))
	}
	var vPost string
	if err := e.sql.QueryRow("SELECT link FROM responses WHERE participant_id = ? AND wave = 'post'", vID).Scan(&vPost); err != nil || vPost != db.LinkCode {
		t.Fatalf("V's post response link %q (%v), want %q", vPost, err, db.LinkCode)
	}
	// The newcomer still sees only their own answers.
	fb = other.get("/feedback")
	expect(t, fb, http.StatusOK, "<td>8,0</td>")
	if strings.Contains(fb.Body, "<td>4,0</td>") || strings.Contains(fb.Body, "<td>6,0</td>") {
		t.Fatalf("the newcomer's feedback shows V's answers: %s", excerpt(fb.Body))
	}
}

// With the return code of the participant one element off, the code entry
// links to them, as an exact code does.
func TestOneElementOffLinksWithTheReturnCode(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	v := e.client()
	vReturn := v.startPre("ws26", code("M", "F", "12", "B", "2", "L"))
	v.finish(false, "4")
	if err := e.store.SetWaveOpen("ws26", db.Post, true); err != nil {
		t.Fatal(err)
	}

	later := e.client()
	near := code("M", "F", "12", "B", "3", "L")
	expect(t, later.enter("ws26", near), http.StatusOK, "frühere Teilnahme gefunden")
	near.Set("return_code", "ZZZZ-ZZZZ-ZZZZ-ZZZZ")
	expect(t, later.post("/c/ws26/code", near), http.StatusNotFound, "nichts gefunden", `name="return_code"`, "Ohne Rückkehrcode fortsetzen")
	near.Set("return_code", vReturn)
	expectRedirect(t, later.post("/c/ws26/code", near), "/survey")
	expect(t, later.finish(true, "8"), http.StatusOK, "<td>4,0</td>", "<td>8,0</td>")
	ids := participantIDs(t, e)
	if len(ids) != 1 {
		t.Fatalf("%d participants, want 1 (pre and post linked)", len(ids))
	}
	var link string
	if err := e.sql.QueryRow("SELECT link FROM responses WHERE participant_id = ? AND wave = 'post'", ids[0]).Scan(&link); err != nil || link != db.LinkReturnCode {
		t.Fatalf("post response link %q (%v), want %q", link, err, db.LinkReturnCode)
	}
}
