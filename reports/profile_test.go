package reports

import (
	"math"
	"testing"

	"einordnung/db"
	"einordnung/db/dbtest"
	"einordnung/questions"
)

// testInstrument has two dimensions on a 0–10 scale, one reverse-keyed item
// and two knowledge items.
func testInstrument() *questions.Instrument {
	t := func(s string) questions.Text { return questions.Text{"de": s, "en": s} }
	return &questions.Instrument{
		ID: "t", Version: 1,
		Scale:      questions.Scale{Min: 0, Max: 10},
		Dimensions: []questions.Dimension{{ID: "a", Title: t("Alpha </script>")}, {ID: "b", Title: t("Beta")}},
		Items: []questions.Item{
			{ID: "a1", Dimension: "a"}, {ID: "a2", Dimension: "a"}, {ID: "a3", Dimension: "a", Reverse: true},
			{ID: "b1", Dimension: "b"}, {ID: "b2", Dimension: "b"}, {ID: "b3", Dimension: "b"},
		},
		Knowledge: []questions.KnowledgeItem{{ID: "k1", Correct: true}, {ID: "k2", Correct: false}},
	}
}

func str(s string) *string { return &s }
func num(n int) *int       { return &n }

func rating(item, v string, retro bool) db.Answer {
	a := db.Answer{Item: item, Kind: db.KindRating, Retro: retro}
	if v != "" {
		a.Value = str(v)
	}
	return a
}

// store saves a submitted response with answers for a new participant
// (participantID 0) or an existing one.
func saveResponse(t *testing.T, s *db.Store, participantID uint, wave db.Wave, answers []db.Answer) uint {
	t.Helper()
	if participantID == 0 {
		c, err := s.CreateCohort("ws26", "Test", "t@1")
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.CreateParticipant(db.NewParticipant{CohortID: c.ID, Pseudonym: "P1", ReturnCodeHash: "h"})
		if err != nil {
			t.Fatal(err)
		}
		participantID = p.ID
	}
	r, err := s.StartResponse(participantID, wave, "v", db.LinkNew)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SavePage(db.PageSave{ResponseID: r.ID, Rev: r.Rev, Answers: answers, Submit: true}); err != nil {
		t.Fatal(err)
	}
	return participantID
}

func TestBuildProfileScoresEachSubmittedWave(t *testing.T) {
	store, _ := dbtest.Open(t)
	inst := testInstrument()

	// Pre: a = (4 + 6 + (10−2)) / 3 = 6; b has one answer of three: missing.
	// Knowledge: k1 right at 80 %, k2 wrong at 60 %.
	pid := saveResponse(t, store, 0, db.Pre, []db.Answer{
		rating("a1", "4", false), rating("a2", "6", false), rating("a3", "2", false),
		rating("b1", "9", false), rating("b2", "", false),
		{Item: "k1", Kind: db.KindKnowledge, Value: str("true"), Confidence: num(80)},
		{Item: "k2", Kind: db.KindKnowledge, Value: str("true"), Confidence: num(60)},
	})
	p, err := BuildProfile(store, inst, pid)
	if err != nil {
		t.Fatal(err)
	}
	const tol = 1e-9
	if !p.HasPre || p.HasPost {
		t.Fatalf("HasPre %v HasPost %v", p.HasPre, p.HasPost)
	}
	if p.Dimensions[0].Pre == nil || math.Abs(*p.Dimensions[0].Pre-6) > tol {
		t.Fatalf("pre a = %v, want 6", p.Dimensions[0].Pre)
	}
	if p.Dimensions[1].Pre != nil {
		t.Fatalf("pre b = %v, want missing (1 of 3 answered)", *p.Dimensions[1].Pre)
	}
	k := p.KnowledgePre
	if k == nil || k.Answered != 2 || k.Correct != 1 || math.Abs(k.Confidence-0.7) > tol ||
		math.Abs(k.Bias-0.2) > tol || math.Abs(k.Brier-(0.04+0.36)/2) > tol {
		t.Fatalf("knowledge %+v", k)
	}

	// Post with retrospective ratings: a post = (8+8+(10−0))/3 = 26/3, then = (3+3+(10−5))/3 = 11/3.
	saveResponse(t, store, pid, db.Post, []db.Answer{
		rating("a1", "8", false), rating("a2", "8", false), rating("a3", "0", false),
		rating("a1", "3", true), rating("a2", "3", true), rating("a3", "5", true),
		rating("b1", "7", false), rating("b2", "7", false), rating("b3", "4", false),
	})
	p, err = BuildProfile(store, inst, pid)
	if err != nil {
		t.Fatal(err)
	}
	a := p.Dimensions[0]
	if !p.HasPost || a.Post == nil || a.Then == nil || math.Abs(*a.Post-26.0/3) > tol || math.Abs(*a.Then-11.0/3) > tol {
		t.Fatalf("post %v then %v", a.Post, a.Then)
	}
	if b := p.Dimensions[1]; b.Post == nil || math.Abs(*b.Post-6) > tol || b.Then != nil {
		t.Fatalf("b post %v then %v", b.Post, b.Then)
	}
	if p.KnowledgePost != nil {
		t.Fatalf("post knowledge %+v, want none (no knowledge answers)", p.KnowledgePost)
	}
}

func TestUnsubmittedResponsesStayOutOfTheProfile(t *testing.T) {
	store, _ := dbtest.Open(t)
	c, _ := store.CreateCohort("ws26", "Test", "t@1")
	pt, _ := store.CreateParticipant(db.NewParticipant{CohortID: c.ID, Pseudonym: "P1", ReturnCodeHash: "h"})
	r, _ := store.StartResponse(pt.ID, db.Pre, "v", db.LinkNew)
	if _, err := store.SavePage(db.PageSave{ResponseID: r.ID, Rev: 0, Answers: []db.Answer{rating("a1", "5", false), rating("a2", "5", false)}}); err != nil {
		t.Fatal(err)
	}
	p, err := BuildProfile(store, testInstrument(), pt.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.HasPre || p.Dimensions[0].Pre != nil {
		t.Fatalf("an unsubmitted response was scored: %+v", p.Dimensions[0])
	}
}
