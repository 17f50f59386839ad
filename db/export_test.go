package db

import (
	"database/sql"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
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

// withGorm runs fn on a plain GORM connection to the database dsn, without
// the store's migrations.
func withGorm(dsn string, fn func(g *gorm.DB) error) error {
	dialector := sqlite.Open(dsn + "?" + writerParams)
	if IsPostgres(dsn) {
		dialector = postgres.Open(dsn)
	}
	g, err := gorm.Open(dialector, gormConfig())
	if err != nil {
		return err
	}
	if sqlDB, err := g.DB(); err == nil {
		defer sqlDB.Close()
	}
	return fn(g)
}

// AutoMigrateModels gives the fresh database dsn the schema that GORM's
// AutoMigrate derives from today's models, bypassing the migrations, and
// records the migrations as applied. It is what the migrations must add up
// to, and what a database made by a build whose migrations called
// AutoMigrate on the models looked like.
func AutoMigrateModels(dsn string) error {
	return withGorm(dsn, func(g *gorm.DB) error {
		err := g.AutoMigrate(&schemaMigration{}, &Cohort{}, &CohortWave{}, &Participant{}, &Response{},
			&Answer{}, &Session{}, &User{}, &AuditEntry{}, &InstrumentFile{}, &Operator{})
		if err != nil {
			return err
		}
		for v := 1; v <= SchemaVersion(); v++ {
			if err := g.Create(&schemaMigration{Version: v, AppliedAt: utcNow()}).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// MigrateTo gives the fresh database dsn the schema of migration version
// last, as an older build left it.
func MigrateTo(dsn string, last int) error {
	return withGorm(dsn, func(g *gorm.DB) error { return migrateStepsTo(g, last) })
}
