package db_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"einordnung/db"
	"einordnung/db/dbtest"
)

// benchCode is a stand-in for participant n's hashed code: six distinct
// 32-digit hex strings, as questions.Code.Hash makes them.
func benchCode(n int) [6]string {
	var c [6]string
	for i := range c {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%d/%d", n, i)))
		c[i] = hex.EncodeToString(sum[:16])
	}
	return c
}

// BenchmarkCodeLookup measures one code entry's lookup (a code one element
// off a participant's, the post wave's tolerant case) as one cohort grows
// from 100 to 100,000 participants: the indexed lookup (CodeCandidates)
// against the full scan it replaced (ScanCodeCandidates).
//
//	go test ./db/ -run '^$' -bench CodeLookup -benchtime 2000x
func BenchmarkCodeLookup(b *testing.B) {
	s, _ := dbtest.Open(b)
	c, err := s.CreateCohort("bench", "Benchmark", "einordnung@1")
	if err != nil {
		b.Fatal(err)
	}
	stored := 0
	for _, size := range []int{100, 1000, 10000, 100000} {
		for stored < size {
			n := min(size-stored, 10000)
			codes := make([][6]string, n)
			for i := range codes {
				codes[i] = benchCode(stored + i)
			}
			if err := s.InsertCodedParticipants(c.ID, stored, codes); err != nil {
				b.Fatal(err)
			}
			stored += n
		}
		// One element off participant size/2's code.
		look := benchCode(size / 2)
		look[4] = benchCode(-1)[4]
		check := func(b *testing.B, got []db.Participant, err error) {
			if err != nil || len(got) != 1 || got[0].Pseudonym != fmt.Sprintf("B%d", size/2) {
				b.Fatalf("lookup found %d participants (%v), want B%d", len(got), err, size/2)
			}
		}
		b.Run(fmt.Sprintf("participants=%d/indexed", size), func(b *testing.B) {
			for range b.N {
				got, err := s.CodeCandidates(c.ID, look, db.Pre)
				check(b, got, err)
			}
		})
		b.Run(fmt.Sprintf("participants=%d/scan", size), func(b *testing.B) {
			for range b.N {
				got, err := s.ScanCodeCandidates(c.ID, look, 1)
				check(b, got, err)
			}
		})
	}
}
