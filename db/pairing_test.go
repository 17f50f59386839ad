package db_test

import (
	"fmt"
	"testing"

	"einordnung/db"
	"einordnung/db/dbtest"
)

// newcomer creates a post-only participant who asks to be paired with pre.
func newcomer(t *testing.T, s *db.Store, cohortID uint, name string, pre *db.Participant) *db.Participant {
	t.Helper()
	p, err := s.CreateParticipant(db.NewParticipant{
		CohortID: cohortID, Pseudonym: "P" + name, ReturnCodeHash: "rc-" + name,
		Code: code(name, "b", "c", "d", "e", "f"), Wave: db.Post, ConsentVersion: "c1",
		Link: db.LinkProvisional, ProvisionalPreID: &pre.ID,
	})
	if err != nil {
		t.Fatalf("CreateParticipant(%s): %v", name, err)
	}
	return p
}

// pairedWith reads whom a participant is provisionally paired with (0: nobody).
func pairedWith(t *testing.T, s *db.Store, id uint) uint {
	t.Helper()
	p, err := s.ParticipantByID(id)
	if err != nil {
		t.Fatal(err)
	}
	if p.ProvisionalPreID == nil {
		return 0
	}
	return *p.ProvisionalPreID
}

func submitAll(t *testing.T, s *db.Store, p *db.Participant, wave db.Wave) {
	t.Helper()
	r, err := s.StartResponse(p.ID, wave, "c1", db.LinkNew)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SavePage(db.PageSave{ResponseID: r.ID, Rev: r.Rev, Items: []string{"a1"}, Answers: []db.Answer{rating("a1", "5")}, Page: 1, Reached: 1, Submit: true}); err != nil {
		t.Fatal(err)
	}
}

// One pre response is paired with at most one post response; a
// provisional pair counts as a pair in the statistics and exports, and
// gives way to the pre participant's own post response and to deletion.
func TestProvisionalPairs(t *testing.T) {
	s, _ := newTestStore(t)
	c := mustCohort(t, s, "ws26")
	v := mustParticipant(t, s, c.ID, "v", code("v", "b", "c", "d", "e", "f"))
	submitAll(t, s, v, db.Pre)

	first := newcomer(t, s, c.ID, "n1", v)
	if got := pairedWith(t, s, first.ID); got != v.ID {
		t.Fatalf("first newcomer paired with %d, want V (%d)", got, v.ID)
	}
	r, err := s.ResponseFor(first.ID, db.Post)
	if err != nil || r.Link != db.LinkProvisional {
		t.Fatalf("first newcomer's post response %+v (%v), want link %q", r, err, db.LinkProvisional)
	}
	submitAll(t, s, first, db.Post)

	second := newcomer(t, s, c.ID, "n2", v)
	if got := pairedWith(t, s, second.ID); got != 0 {
		t.Fatalf("second newcomer paired with %d, want nobody: V's pre response is paired already", got)
	}
	if r, err := s.ResponseFor(second.ID, db.Post); err != nil || r.Link != db.LinkNew {
		t.Fatalf("second newcomer's post response %+v (%v), want link %q", r, err, db.LinkNew)
	}
	// A pre participant without a pre response, or someone in another
	// cohort, is no one to pair with.
	w := mustParticipant(t, s, c.ID, "w", code("w", "b", "c", "d", "e", "f"))
	if got := pairedWith(t, s, newcomer(t, s, c.ID, "n3", w).ID); got != 0 {
		t.Fatalf("newcomer paired with %d, who has no pre response", got)
	}
	elsewhere := mustCohort(t, s, "ss27")
	if got := pairedWith(t, s, newcomer(t, s, elsewhere.ID, "n4", v).ID); got != 0 {
		t.Fatalf("newcomer of another cohort paired with %d", got)
	}

	st, err := s.Stats(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pairs != 1 || st.Provisional != 1 {
		t.Fatalf("stats %+v: want 1 pair, 1 provisional", st)
	}
	pseudonyms := map[uint]string{}
	if err := s.EachAnswer(c.ID, func(a *db.AnswerRow) error { pseudonyms[a.ResponseID] = a.Participant; return nil }); err != nil {
		t.Fatal(err)
	}
	if got := pseudonyms[r.ID]; got != v.Pseudonym {
		t.Fatalf("the provisionally paired post response is exported under %q, want V's %q", got, v.Pseudonym)
	}

	// V's own post response ends the provisional pair, in the same step.
	submitAll(t, s, v, db.Post)
	if got := pairedWith(t, s, first.ID); got != 0 {
		t.Fatalf("after V's own post response the newcomer is still paired with %d", got)
	}
	if st, err := s.Stats(c.ID); err != nil || st.Pairs != 1 || st.Provisional != 0 {
		t.Fatalf("stats %+v (%v): want 1 pair (V's own), 0 provisional", st, err)
	}
	if got := pairedWith(t, s, newcomer(t, s, c.ID, "n5", v).ID); got != 0 {
		t.Fatalf("newcomer paired with %d, who has a post response of their own", got)
	}

	// Deleting the pre participant ends the pair with them.
	x := mustParticipant(t, s, c.ID, "x", code("x", "b", "c", "d", "e", "f"))
	submitAll(t, s, x, db.Pre)
	paired := newcomer(t, s, c.ID, "n6", x)
	if pairedWith(t, s, paired.ID) != x.ID {
		t.Fatal("newcomer not paired with x")
	}
	if err := s.DeleteParticipant(x.ID); err != nil {
		t.Fatal(err)
	}
	if got := pairedWith(t, s, paired.ID); got != 0 {
		t.Fatalf("after x was deleted the newcomer is still paired with %d", got)
	}
}

// Migration 3 computes the lookup keys of participants stored before it,
// so that their codes are found one element off.
func TestMigrationBackfillsCodeKeys(t *testing.T) {
	dsn := dbtest.DSN(t)
	if err := db.MigrateTo(dsn, 2); err != nil {
		t.Fatalf("migrate to version 2: %v", err)
	}
	raw := rawDB(t, dsn)
	if _, err := raw.Exec(`INSERT INTO cohorts (id, slug, name, instrument, retention_days, min_group, created_at) VALUES (1, 'ws26', 'Alt', 'einordnung@1', 0, 5, CURRENT_TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"old", "far"} {
		c := code(name, "b", "c", "d", "e", "f")
		if name == "far" {
			c = code("u", "v", "w", "x", "y", "z")
		}
		if _, err := raw.Exec(`INSERT INTO participants (id, cohort_id, pseudonym, return_code_hash, code1, code2, code3, code4, code5, code6, created_at)
			VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP)`, i+1, "P"+name, "rc-"+name, c[0], c[1], c[2], c[3], c[4], c[5]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := raw.Exec(`INSERT INTO participants (id, cohort_id, pseudonym, return_code_hash, code1, code2, code3, code4, code5, code6, created_at)
		VALUES (3, 1, 'Pimported', 'imported:x', '', '', '', '', '', '', CURRENT_TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	s, err := db.Open(dsn)
	if err != nil {
		t.Fatalf("Open (migration 3): %v", err)
	}
	defer s.Close()
	got, err := s.CodeCandidates(1, code("old", "b", "c", "d", "e", "CHANGED"), "")
	if err != nil || len(got) != 1 || got[0].Pseudonym != "Pold" {
		t.Fatalf("CodeCandidates one element off after the migration = %+v, %v; want Pold", got, err)
	}
	if got, err := s.CodeCandidates(1, code("old", "b", "c", "d", "e", "f"), ""); err != nil || len(got) != 1 {
		t.Fatalf("CodeCandidates exact after the migration = %+v, %v; want Pold", got, err)
	}
}

// Newcomers one element off and the pre participant's own post response
// racing: once the pre participant has their own post response, nobody is
// paired with them, whatever the order (PostgreSQL runs them side by side).
func TestProvisionalPairRacesOwnPostResponse(t *testing.T) {
	s, raw := newTestStore(t)
	c := mustCohort(t, s, "ws26")
	v := mustParticipant(t, s, c.ID, "v", code("v", "b", "c", "d", "e", "f"))
	submitAll(t, s, v, db.Pre)
	const newcomers = 8
	errs := make(chan error, newcomers+1)
	start := make(chan struct{})
	for i := range newcomers {
		go func() {
			<-start
			_, err := s.CreateParticipant(db.NewParticipant{
				CohortID: c.ID, Pseudonym: fmt.Sprintf("Pn%d", i), ReturnCodeHash: fmt.Sprintf("rc-n%d", i),
				Code: code(fmt.Sprintf("n%d", i), "b", "c", "d", "e", "f"), Wave: db.Post, ConsentVersion: "c1",
				Link: db.LinkProvisional, ProvisionalPreID: &v.ID,
			})
			errs <- err
		}()
	}
	go func() {
		<-start
		_, err := s.StartResponse(v.ID, db.Post, "c1", db.LinkCode)
		errs <- err
	}()
	close(start)
	for range newcomers + 1 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, rawDB(t, raw), "SELECT COUNT(*) FROM participants WHERE provisional_pre_id IS NOT NULL"); n != 0 {
		t.Fatalf("%d participants paired with V, who has a post response of their own", n)
	}
}
