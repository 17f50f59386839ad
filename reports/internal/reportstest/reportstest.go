// Package reportstest holds what the tests of reports and of its
// sub-packages (exchange, demo) share: the default instrument, an empty
// demo cohort in a fresh database, and the reference day demo data are
// generated for.
package reportstest

import (
	"testing"
	"time"

	"einordnung/db"
	"einordnung/db/dbtest"
	"einordnung/questions"
)

// DemoDay fixes the day demo data are generated on, so that runs compare.
var DemoDay = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

// DefaultInstrument returns the built-in default instrument, the one a real
// cohort uses.
func DefaultInstrument(t testing.TB) *questions.Instrument {
	t.Helper()
	set, err := questions.Load()
	if err != nil {
		t.Fatal(err)
	}
	inst, err := set.Resolve(questions.DefaultID)
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// DemoCohort opens a fresh database (dbtest.Open) with one empty cohort of
// the default instrument, named "Demo <slug>".
func DemoCohort(t testing.TB, slug string) (*db.Store, *questions.Instrument, *db.Cohort) {
	t.Helper()
	inst := DefaultInstrument(t)
	s, _ := dbtest.Open(t)
	c, err := s.CreateCohort(slug, "Demo "+slug, inst.Ref())
	if err != nil {
		t.Fatal(err)
	}
	return s, inst, c
}
