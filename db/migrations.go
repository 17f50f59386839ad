package db

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migrations is the one ordered list of schema changes. Each runs once, in
// its own transaction, and its position (1-based) is its version. Append;
// never edit or reorder an entry that has shipped.
var migrations = []func(tx *gorm.DB) error{
	// 1: the participant journey.
	func(tx *gorm.DB) error {
		return tx.AutoMigrate(&Cohort{}, &CohortWave{}, &Participant{}, &Response{}, &Answer{}, &Session{})
	},
	// 2: program accounts, cohort assignment, audit log, wave dates,
	// retention and privacy threshold per cohort.
	func(tx *gorm.DB) error {
		return tx.AutoMigrate(&Cohort{}, &CohortWave{}, &User{}, &AuditEntry{})
	},
}

// schemaMigration records an applied migration.
type schemaMigration struct {
	Version   int `gorm:"primaryKey;autoIncrement:false"`
	AppliedAt time.Time
}

// SchemaVersion is the number of migrations this build knows.
func SchemaVersion() int { return len(migrations) }

// migrationLock is the PostgreSQL advisory lock taken while migrating.
const migrationLock = 0x65696e6f // "eino"

// migrate brings the schema up to date. Instances that share a PostgreSQL
// database and start together would race to create the same tables: each
// migrates under one advisory lock on one connection, so the first does
// the work and the others find nothing left to do.
func migrate(g *gorm.DB) error {
	if g.Dialector.Name() != "postgres" {
		return migrateSteps(g)
	}
	return g.Connection(func(conn *gorm.DB) error {
		// Every statement below starts a new chain on the pinned connection.
		conn = conn.Session(&gorm.Session{NewDB: true})
		if err := conn.Exec("SELECT pg_advisory_lock(?)", migrationLock).Error; err != nil {
			return fmt.Errorf("db: migration lock: %w", err)
		}
		err := migrateSteps(conn)
		if unlock := conn.Exec("SELECT pg_advisory_unlock(?)", migrationLock).Error; unlock != nil && err == nil {
			err = fmt.Errorf("db: migration unlock: %w", unlock)
		}
		return err
	})
}

// appliedVersion is the schema version a database holds (0 if none).
func appliedVersion(g *gorm.DB) (int, error) {
	var v int
	if err := g.Model(&schemaMigration{}).Select("COALESCE(MAX(version), 0)").Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("db: read schema version: %w", err)
	}
	return v, nil
}

func migrateSteps(g *gorm.DB) error {
	if err := g.AutoMigrate(&schemaMigration{}); err != nil {
		return fmt.Errorf("db: migrations table: %w", err)
	}
	current, err := appliedVersion(g)
	if err != nil {
		return err
	}
	if current > len(migrations) {
		return fmt.Errorf("db: database schema version %d is newer than this program (%d); use a newer build", current, len(migrations))
	}
	for v := current + 1; v <= len(migrations); v++ {
		err := g.Transaction(func(tx *gorm.DB) error {
			if err := migrations[v-1](tx); err != nil {
				return err
			}
			return tx.Create(&schemaMigration{Version: v, AppliedAt: utcNow()}).Error
		})
		if err != nil {
			return fmt.Errorf("db: migration %d: %w", v, err)
		}
	}
	return nil
}
