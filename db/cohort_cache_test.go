package db_test

import (
	"testing"
	"time"

	"einordnung/db"
	"einordnung/db/dbtest"
)

// TestCohortChangesReachOtherProcesses: a wave opened through one store (the
// command line, or another instance) reaches a server that has the cohort
// cached within two seconds; a change through the server's own store at once.
func TestCohortChangesReachOtherProcesses(t *testing.T) {
	server, dsn := dbtest.Open(t)
	cli, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	c, err := server.CreateCohort("ws26", "Jahrgang 2026", "einordnung@1")
	if err != nil {
		t.Fatal(err)
	}
	isOpen := func() bool {
		t.Helper()
		got, err := server.CohortByID(c.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, open := got.OpenWave(time.Now())
		return open
	}
	if isOpen() {
		t.Fatal("a new cohort has an open wave")
	}

	if err := cli.SetWaveOpen("ws26", db.Pre, true); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for !isOpen() {
		if time.Now().After(deadline) {
			t.Fatal("a wave opened elsewhere was not seen within 3 s")
		}
		time.Sleep(50 * time.Millisecond)
	}

	if err := server.SetWaveOpen("ws26", db.Pre, false); err != nil {
		t.Fatal(err)
	}
	if isOpen() {
		t.Error("a wave closed through the server's own store is still open for it")
	}
	bySlug, err := server.CohortBySlug("ws26")
	if err != nil {
		t.Fatal(err)
	}
	if _, open := bySlug.OpenWave(time.Now()); open {
		t.Error("CohortBySlug still shows the closed wave open")
	}
	// A caller changing its copy does not change what the next caller gets.
	bySlug.Waves[0].Open = true
	bySlug.Name = "geändert"
	again, _ := server.CohortBySlug("ws26")
	if again.Name != "Jahrgang 2026" || again.Waves[0].Open {
		t.Errorf("the cached cohort was changed through a caller's copy: %+v", again)
	}
}
