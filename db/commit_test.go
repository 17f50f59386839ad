package db

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestGroupCommitIsolatesWrites queues writes while the writer is busy, so
// that they are committed together, and checks that each caller gets its
// own outcome: the good writes are stored, the failing and the panicking
// one roll back alone.
func TestGroupCommitIsolatesWrites(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "commit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.CreateCohort("gc", "Gruppen-Commit", "einordnung@1")
	if err != nil {
		t.Fatal(err)
	}

	release := make(chan struct{})
	busy := make(chan error, 1)
	go func() {
		busy <- s.write(func(tx *gorm.DB) error { <-release; return nil })
	}()
	waitFor(t, func() bool { return s.commits.commits.Load() == 1 })
	commitsBefore := s.commits.commits.Load()

	const n = 20
	errBad := errors.New("bad write")
	results := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = s.write(func(tx *gorm.DB) error {
				if err := tx.Create(&Participant{CohortID: c.ID, Pseudonym: pseudonym(i), ReturnCodeHash: pseudonym(i)}).Error; err != nil {
					return err
				}
				switch i {
				case 3:
					return errBad // after its insert: the insert must be undone
				case 7:
					panic("boom")
				}
				return nil
			})
		}()
	}
	waitFor(t, func() bool { return len(s.commits.jobs) == n })
	close(release)
	wg.Wait()
	if err := <-busy; err != nil {
		t.Fatalf("blocking write: %v", err)
	}

	if got := s.commits.commits.Load() - commitsBefore; got != 1 {
		t.Errorf("%d queued writes took %d commits, want 1", n, got)
	}
	for i, err := range results {
		switch i {
		case 3:
			if !errors.Is(err, errBad) {
				t.Errorf("write %d: err = %v, want its own error", i, err)
			}
		case 7:
			if err == nil {
				t.Errorf("write %d panicked but reported success", i)
			}
		default:
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		}
	}
	for i := range n {
		var found int64
		s.r.Model(&Participant{}).Where("pseudonym = ?", pseudonym(i)).Count(&found)
		want := int64(1)
		if i == 3 || i == 7 {
			want = 0
		}
		if found != want {
			t.Errorf("participant of write %d stored %d times, want %d", i, found, want)
		}
	}
}

// TestGroupCommitAfterClose refuses writes once the store is closed rather
// than hanging or panicking.
func TestGroupCommitAfterClose(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "closed.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.write(func(tx *gorm.DB) error { return nil }); !errors.Is(err, errClosed) {
		t.Fatalf("write after Close: err = %v, want errClosed", err)
	}
}

func pseudonym(i int) string { return "P-" + string(rune('A'+i)) }

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 5 s")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestWriterAndReadersKeepTheirOwnPools: gorm.Open keeps the config it is
// given and puts its pool in it. With one config for both SQLite handles, a
// session of the writer (with GORM's statement cache, say) wrote to the
// read-only pool and failed.
func TestWriterAndReadersKeepTheirOwnPools(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "pools.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.w.Config == s.r.Config {
		t.Fatal("the writer and the readers share one gorm.Config")
	}
	err = s.w.Session(&gorm.Session{PrepareStmt: true}).
		Exec("INSERT INTO sessions (key, data, expires_at) VALUES ('k', 'v', 0)").Error
	if err != nil {
		t.Fatalf("a write through a session of the writer: %v", err)
	}
}
