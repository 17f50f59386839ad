package db_test

import (
	"sync"
	"testing"

	"einordnung/db"
	"einordnung/db/dbtest"
)

// Two leads (or two instances) opening different waves of one cohort at the
// same moment: every change goes through, and afterwards one wave is open.
func TestConcurrentWaveChangesTakeTurns(t *testing.T) {
	s, dsn := dbtest.Open(t)
	other, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	c, err := s.CreateCohort("ws26", "Jahrgang 2026", "einordnung@1")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 50 {
		for _, st := range []struct {
			store *db.Store
			wave  db.Wave
		}{{s, db.Pre}, {other, db.Post}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- st.store.SetWave(c.ID, st.wave, db.WaveSettings{Open: i%3 != 2})
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("SetWave: %v", err)
		}
	}
	got, err := other.CohortByID(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if open := openWaves(got); open > 1 {
		t.Errorf("%d waves open after concurrent changes, want at most one", open)
	}
}
