package db_test

import (
	"fmt"
	"testing"

	"einordnung/db"
	"einordnung/db/dbtest"
)

// BenchmarkSavePage measures one participant's page save as the
// questionnaire makes it: the page's eight answers replaced (the old ones
// deleted, which is where secure_delete works) and the response moved on,
// durably, on a fresh SQLite file or PostgreSQL. Run
//
//	go test ./db -run '^$' -bench SavePage -count 6
func BenchmarkSavePage(b *testing.B) {
	s, _ := dbtest.Open(b)
	c, err := s.CreateCohort("bench", "Benchmark", "einordnung@1")
	if err != nil {
		b.Fatal(err)
	}
	p, err := s.CreateParticipant(db.NewParticipant{CohortID: c.ID, Pseudonym: "PBENCH", ReturnCodeHash: "rc-bench", Code: [6]string{"a"}})
	if err != nil {
		b.Fatal(err)
	}
	r, err := s.StartResponse(p.ID, db.Pre, "c1", db.LinkNew)
	if err != nil {
		b.Fatal(err)
	}
	items := make([]string, 8)
	for i := range items {
		items[i] = fmt.Sprintf("i%d", i)
	}
	rev := 0
	for b.Loop() {
		answers := make([]db.Answer, len(items))
		for i, it := range items {
			v := fmt.Sprint((rev + i) % 11)
			answers[i] = db.Answer{Item: it, Kind: db.KindRating, Value: &v}
		}
		if _, err := s.SavePage(db.PageSave{ResponseID: r.ID, Rev: rev, Items: items, Answers: answers, Page: 1, Reached: 1}); err != nil {
			b.Fatal(err)
		}
		rev++
	}
}
