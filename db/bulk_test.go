package db_test

import (
	"testing"
	"time"

	"einordnung/db"
)

func TestBulkInsertResponses(t *testing.T) {
	s, path := newTestStore(t)
	raw := rawDB(t, path)
	c := mustCohort(t, s, "ws26")
	pre := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	post := time.Date(2026, 7, 1, 10, 30, 0, 0, time.FixedZone("CEST", 2*3600))
	rs := []db.ImportedResponse{
		{Participant: "PA", Wave: db.Pre, SubmittedAt: pre, Answers: []db.Answer{rating("a1", "7"), {Item: "a2", Kind: db.KindRating}}},
		{Participant: "PA", Wave: db.Post, SubmittedAt: post, Answers: []db.Answer{rating("a1", "9"),
			{Item: "a1", Kind: db.KindRating, Retro: true, Value: strp("5")},
			{Item: "k1", Kind: db.KindKnowledge, Value: strp("true"), Confidence: intp(70)}}},
		{Participant: "PB", Wave: db.Pre, SubmittedAt: pre},
	}
	if err := s.BulkInsertResponses(c.ID, rs); err != nil {
		t.Fatalf("BulkInsertResponses: %v", err)
	}
	if n, err := s.CountParticipants(c.ID); err != nil || n != 2 {
		t.Errorf("CountParticipants = %d, %v; want 2", n, err)
	}
	if n := count(t, raw, "SELECT COUNT(*) FROM responses WHERE submitted_at IS NOT NULL AND link = ?", db.LinkBulk); n != 3 {
		t.Errorf("%d submitted bulk responses, want 3", n)
	}
	if n := count(t, raw, "SELECT COUNT(*) FROM answers"); n != 5 {
		t.Errorf("%d answers, want 5", n)
	}
	var rows []string
	err := s.EachAnswer(c.ID, func(a *db.AnswerRow) error {
		v := "-"
		if a.Value.Valid {
			v = a.Value.String
		}
		rows = append(rows, a.Participant+" "+string(a.ExportWave())+" "+a.SubmittedAt.UTC().Format(time.RFC3339)+" "+a.Item+" "+v)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"PA pre 2026-03-02T09:00:00Z a1 7",
		"PA pre 2026-03-02T09:00:00Z a2 -",
		"PA post 2026-07-01T08:30:00Z a1 9",
		"PA then 2026-07-01T08:30:00Z a1 5",
		"PA post 2026-07-01T08:30:00Z k1 true",
	}
	if len(rows) != len(want) {
		t.Fatalf("EachAnswer: %q, want %q", rows, want)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %q, want %q", i, rows[i], want[i])
		}
	}

	// A pseudonym that exists fails the whole chunk: nothing of it is stored.
	again := []db.ImportedResponse{
		{Participant: "PC", Wave: db.Pre, SubmittedAt: pre, Answers: []db.Answer{rating("a1", "1")}},
		{Participant: "PA", Wave: db.Pre, SubmittedAt: pre, Answers: []db.Answer{rating("a1", "2")}},
	}
	if err := s.BulkInsertResponses(c.ID, again); err == nil {
		t.Fatal("BulkInsertResponses with an existing pseudonym succeeded")
	}
	if n := count(t, raw, "SELECT COUNT(*) FROM participants"); n != 2 {
		t.Errorf("%d participants after the failed chunk, want 2", n)
	}
	if n := count(t, raw, "SELECT COUNT(*) FROM answers"); n != 5 {
		t.Errorf("%d answers after the failed chunk, want 5", n)
	}
	if err := s.BulkInsertResponses(c.ID, nil); err != nil {
		t.Errorf("BulkInsertResponses(nil): %v", err)
	}
}
