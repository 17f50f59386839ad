// Package db stores cohorts, participants and their answers with GORM.
//
// SQLite is opened twice: one writer connection (SQLite allows one writer at
// a time; a single connection with immediate transactions never fails with
// "database is locked") and a small pool of read-only connections, so long
// reads never wait for a participant's save.
package db

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Errors callers can test for with errors.Is.
var (
	ErrNotFound  = errors.New("not found")
	ErrExists    = errors.New("already exists")
	ErrConflict  = errors.New("changed in the meantime")
	ErrSubmitted = errors.New("already submitted")
)

// Store is the application's storage.
type Store struct {
	w       *gorm.DB   // the single writer connection
	r       *gorm.DB   // read-only pool
	commits *committer // group commit of the participants' writes on w
}

// writerParams make every acknowledged write durable (synchronous=FULL in
// WAL mode) and take the write lock at BEGIN, so a transaction that reads
// and then writes cannot fail on the lock upgrade.
const (
	writerParams = "_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate"
	readerParams = "_busy_timeout=10000&_foreign_keys=on&_query_only=true"
	readers      = 4
)

// Open opens (creating if needed) the SQLite database at path and brings its
// schema up to date.
func Open(path string) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") || path == ":memory:" {
		return nil, fmt.Errorf("db: %q is not a usable database file name", path)
	}
	cfg := &gorm.Config{
		Logger: logger.New(log.New(os.Stderr, "", log.LstdFlags), logger.Config{
			SlowThreshold:             500 * time.Millisecond,
			LogLevel:                  logger.Warn,
			IgnoreRecordNotFoundError: true,
			ParameterizedQueries:      true, // never log answer values or code hashes
		}),
		TranslateError: true,
		// Store every time in UTC, so that stored times compare as text.
		NowFunc: func() time.Time { return time.Now().UTC() },
	}
	w, err := gorm.Open(sqlite.Open(path+"?"+writerParams), cfg)
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	wsql, err := w.DB()
	if err != nil {
		return nil, fmt.Errorf("db: %w", err)
	}
	wsql.SetMaxOpenConns(1)
	wsql.SetMaxIdleConns(1)
	wsql.SetConnMaxLifetime(0)
	wsql.SetConnMaxIdleTime(0)
	if err := migrate(w); err != nil {
		wsql.Close()
		return nil, err
	}

	r, err := gorm.Open(sqlite.Open(path+"?"+readerParams), cfg)
	if err != nil {
		wsql.Close()
		return nil, fmt.Errorf("db: open %s for reading: %w", path, err)
	}
	rsql, err := r.DB()
	if err != nil {
		wsql.Close()
		return nil, fmt.Errorf("db: %w", err)
	}
	rsql.SetMaxOpenConns(readers)
	rsql.SetMaxIdleConns(readers)
	return &Store{w: w, r: r, commits: newCommitter(w)}, nil
}

// Shared reports whether the database is shared by several server
// instances, which then must keep all their state (rate limits included) in
// it. A SQLite file belongs to one process.
func (s *Store) Shared() bool { return false }

// Close finishes the writes already queued and closes both connection pools.
func (s *Store) Close() error {
	s.commits.close()
	var errs []error
	for _, g := range []*gorm.DB{s.r, s.w} {
		if sqlDB, err := g.DB(); err == nil {
			errs = append(errs, sqlDB.Close())
		}
	}
	return errors.Join(errs...)
}

// Ping checks that both connection pools answer.
func (s *Store) Ping(ctx context.Context) error {
	for _, g := range []*gorm.DB{s.w, s.r} {
		sqlDB, err := g.DB()
		if err != nil {
			return err
		}
		if err := sqlDB.PingContext(ctx); err != nil {
			return fmt.Errorf("db: ping: %w", err)
		}
	}
	return nil
}

// ReadOnly switches the writer into (or out of) a maintenance mode in which
// every write fails at once and reads go on: what participants meet when
// the disk is full or the file cannot be written, on purpose.
func (s *Store) ReadOnly(on bool) error {
	v := "OFF"
	if on {
		v = "ON"
	}
	if err := s.w.Exec("PRAGMA query_only = " + v).Error; err != nil {
		return fmt.Errorf("db: read-only %s: %w", v, err)
	}
	return nil
}

// Check runs SQLite's integrity check and reports anything but "ok".
func (s *Store) Check() error {
	var result string
	if err := s.r.Raw("PRAGMA integrity_check").Scan(&result).Error; err != nil {
		return fmt.Errorf("db: integrity check: %w", err)
	}
	if result != "ok" {
		return fmt.Errorf("db: integrity check: %s", result)
	}
	return nil
}

// notFound translates gorm's not-found error into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}
