package db

import (
	"database/sql"
	"testing"
)

// WriterSQL returns the store's writer connection pool (a single connection),
// so tests can check the per-connection settings it was opened with.
func (s *Store) WriterSQL(t *testing.T) *sql.DB {
	t.Helper()
	d, err := s.w.DB()
	if err != nil {
		t.Fatalf("writer: %v", err)
	}
	return d
}

// ReaderSQL returns the store's read-only connection pool.
func (s *Store) ReaderSQL(t *testing.T) *sql.DB {
	t.Helper()
	d, err := s.r.DB()
	if err != nil {
		t.Fatalf("reader: %v", err)
	}
	return d
}
