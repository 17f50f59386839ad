package db

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migrations is the one ordered list of schema changes. Each runs once, in
// its own transaction, and its position (1-based) is its version. Append;
// never edit or reorder an entry that has shipped.
//
// Each step is frozen: it migrates structs of its own, copies of the models
// as they were when it shipped, never the models themselves, so that a later
// change to a model cannot change what an old step does to a new database.
// A model change needs a new step; TestMigrationsMatchModels fails until the
// steps add up to the models again.
//
// The structs are declared inside their step, each before the structs that
// refer to it, under the models' names in lower case: GORM derives the same
// table, column, index and constraint names from them as from the models
// (cohortWave is table cohort_waves, its cohortID column cohort_id, the
// cascade fk_cohorts_waves), and a struct that names one the step has not
// declared is a compile error rather than the current model.
var migrations = []func(tx *gorm.DB) error{
	// 1: the participant journey.
	func(tx *gorm.DB) error {
		type wave string
		type cohortWave struct {
			ID       uint `gorm:"primaryKey"`
			CohortID uint `gorm:"not null;uniqueIndex:idx_cohort_wave"`
			Name     wave `gorm:"size:8;not null;uniqueIndex:idx_cohort_wave"`
			Open     bool `gorm:"not null;default:false"`
			OpenedAt *time.Time
			ClosedAt *time.Time
		}
		type answer struct {
			ID         uint    `gorm:"primaryKey"`
			ResponseID uint    `gorm:"not null;uniqueIndex:idx_answer"`
			Item       string  `gorm:"size:40;not null;uniqueIndex:idx_answer"`
			Retro      bool    `gorm:"not null;default:false;uniqueIndex:idx_answer"`
			Kind       string  `gorm:"size:12;not null"`
			Value      *string `gorm:"size:4000"`
			Confidence *int
		}
		type response struct {
			ID             uint   `gorm:"primaryKey"`
			ParticipantID  uint   `gorm:"not null;uniqueIndex:idx_participant_wave"`
			Wave           wave   `gorm:"size:8;not null;uniqueIndex:idx_participant_wave"`
			Page           int    `gorm:"not null;default:0"`
			Reached        int    `gorm:"not null;default:0"`
			Rev            int    `gorm:"not null;default:0"`
			ConsentVersion string `gorm:"size:40;not null"`
			Link           string `gorm:"size:16;not null"`
			StartedAt      time.Time
			UpdatedAt      time.Time
			SubmittedAt    *time.Time
			Answers        []answer `gorm:"constraint:OnDelete:CASCADE"`
		}
		type participant struct {
			ID             uint   `gorm:"primaryKey"`
			CohortID       uint   `gorm:"not null;index"`
			Pseudonym      string `gorm:"size:24;not null;uniqueIndex"`
			ReturnCodeHash string `gorm:"size:64;not null;uniqueIndex"`
			Code1          string `gorm:"size:32;not null"`
			Code2          string `gorm:"size:32;not null"`
			Code3          string `gorm:"size:32;not null"`
			Code4          string `gorm:"size:32;not null"`
			Code5          string `gorm:"size:32;not null"`
			Code6          string `gorm:"size:32;not null"`
			CreatedAt      time.Time
			Responses      []response `gorm:"constraint:OnDelete:CASCADE"`
		}
		type cohort struct {
			ID           uint   `gorm:"primaryKey"`
			Slug         string `gorm:"size:40;not null;uniqueIndex"`
			Name         string `gorm:"size:200;not null"`
			Instrument   string `gorm:"size:80;not null"`
			CreatedAt    time.Time
			Waves        []cohortWave  `gorm:"constraint:OnDelete:CASCADE"`
			Participants []participant `gorm:"constraint:OnDelete:CASCADE"`
		}
		type session struct {
			Key       string `gorm:"primaryKey;size:128"`
			Data      []byte `gorm:"not null"`
			ExpiresAt int64  `gorm:"not null;index"`
		}
		return tx.AutoMigrate(&cohort{}, &cohortWave{}, &participant{}, &response{}, &answer{}, &session{})
	},
	// 2: program accounts, cohort assignment, audit log, wave dates,
	// retention and privacy threshold per cohort. (cohort leaves out its
	// participants, whose table this step does not touch.)
	func(tx *gorm.DB) error {
		type wave string
		type cohortWave struct {
			ID       uint `gorm:"primaryKey"`
			CohortID uint `gorm:"not null;uniqueIndex:idx_cohort_wave"`
			Name     wave `gorm:"size:8;not null;uniqueIndex:idx_cohort_wave"`
			Open     bool `gorm:"not null;default:false"`
			OpenedAt *time.Time
			ClosedAt *time.Time
			StartsAt *time.Time
			EndsAt   *time.Time
		}
		type cohort struct {
			ID            uint   `gorm:"primaryKey"`
			Slug          string `gorm:"size:40;not null;uniqueIndex"`
			Name          string `gorm:"size:200;not null"`
			Instrument    string `gorm:"size:80;not null"`
			RetentionDays int    `gorm:"not null;default:730"`
			MinGroup      int    `gorm:"not null;default:5"`
			CreatedAt     time.Time
			Waves         []cohortWave `gorm:"constraint:OnDelete:CASCADE"`
		}
		type user struct {
			ID                 uint   `gorm:"primaryKey"`
			Email              string `gorm:"size:254;not null;uniqueIndex"`
			Role               string `gorm:"size:8;not null"`
			PasswordHash       string `gorm:"size:100;not null"`
			MustChangePassword bool   `gorm:"not null;default:false"`
			Disabled           bool   `gorm:"not null;default:false"`
			CreatedAt          time.Time
			LastLoginAt        *time.Time
			Cohorts            []cohort `gorm:"many2many:cohort_leads;constraint:OnDelete:CASCADE"`
		}
		type auditEntry struct {
			ID     uint      `gorm:"primaryKey"`
			At     time.Time `gorm:"not null;index"`
			Actor  string    `gorm:"size:254;not null"`
			Action string    `gorm:"size:40;not null;index"`
			Target string    `gorm:"size:254;not null"`
			Detail string    `gorm:"size:1000;not null"`
		}
		return tx.AutoMigrate(&cohort{}, &cohortWave{}, &user{}, &auditEntry{})
	},
	// 3: indexed code lookup (six keys of the code without one element each,
	// backfilled from the stored element hashes) and the provisional pairing
	// of a post-only participant with a pre participant one element off.
	func(tx *gorm.DB) error {
		type participant struct {
			ID               uint   `gorm:"primaryKey"`
			CohortID         uint   `gorm:"not null;index;index:idx_participants_key1,priority:1;index:idx_participants_key2,priority:1;index:idx_participants_key3,priority:1;index:idx_participants_key4,priority:1;index:idx_participants_key5,priority:1;index:idx_participants_key6,priority:1"`
			Pseudonym        string `gorm:"size:24;not null;uniqueIndex"`
			ReturnCodeHash   string `gorm:"size:64;not null;uniqueIndex"`
			Code1            string `gorm:"size:32;not null"`
			Code2            string `gorm:"size:32;not null"`
			Code3            string `gorm:"size:32;not null"`
			Code4            string `gorm:"size:32;not null"`
			Code5            string `gorm:"size:32;not null"`
			Code6            string `gorm:"size:32;not null"`
			CodeKey1         string `gorm:"size:32;not null;default:'';index:idx_participants_key1,priority:2"`
			CodeKey2         string `gorm:"size:32;not null;default:'';index:idx_participants_key2,priority:2"`
			CodeKey3         string `gorm:"size:32;not null;default:'';index:idx_participants_key3,priority:2"`
			CodeKey4         string `gorm:"size:32;not null;default:'';index:idx_participants_key4,priority:2"`
			CodeKey5         string `gorm:"size:32;not null;default:'';index:idx_participants_key5,priority:2"`
			CodeKey6         string `gorm:"size:32;not null;default:'';index:idx_participants_key6,priority:2"`
			ProvisionalPreID *uint  `gorm:"uniqueIndex"`
			CreatedAt        time.Time
		}
		if err := tx.AutoMigrate(&participant{}); err != nil {
			return err
		}
		// codeKeys is a storage format: a change to it needs a step of its
		// own that recomputes the keys.
		for last := uint(0); ; {
			var batch []participant
			if err := tx.Where("id > ?", last).Order("id").Limit(1000).Find(&batch).Error; err != nil {
				return err
			}
			if len(batch) == 0 {
				if tx.Dialector.Name() == "postgres" {
					// The new indexes are useless to the planner until the
					// table's statistics know the keys.
					return tx.Exec("ANALYZE participants").Error
				}
				return nil
			}
			for _, p := range batch {
				k := codeKeys([6]string{p.Code1, p.Code2, p.Code3, p.Code4, p.Code5, p.Code6})
				err := tx.Model(&participant{}).Where("id = ?", p.ID).Updates(map[string]any{
					"code_key1": k[0], "code_key2": k[1], "code_key3": k[2], "code_key4": k[3], "code_key5": k[4], "code_key6": k[5]}).Error
				if err != nil {
					return err
				}
			}
			last = batch[len(batch)-1].ID
		}
	},
	// 4: instruments imported from files, kept byte for byte.
	func(tx *gorm.DB) error {
		type instrumentFile struct {
			ID           uint   `gorm:"primaryKey"`
			Ref          string `gorm:"size:80;not null;uniqueIndex"`
			InstrumentID string `gorm:"size:40;not null;index"`
			Version      int    `gorm:"not null"`
			Content      []byte `gorm:"not null"`
			SHA256       string `gorm:"size:64;not null"`
			CreatedAt    time.Time
		}
		return tx.AutoMigrate(&instrumentFile{})
	},
	// 5: the operator's details for the privacy notice and the record of
	// processing activities (one row).
	func(tx *gorm.DB) error {
		type operator struct {
			ID                uint   `gorm:"primaryKey;autoIncrement:false"`
			ControllerName    string `gorm:"size:200;not null;default:''"`
			ControllerAddress string `gorm:"size:2000;not null;default:''"`
			ContactEmail      string `gorm:"size:254;not null;default:''"`
			DPOContact        string `gorm:"size:2000;not null;default:''"`
			Purpose           string `gorm:"size:2000;not null;default:''"`
			LegalBasis        string `gorm:"size:20;not null;default:''"`
			LegalBasisLaw     string `gorm:"size:200;not null;default:''"`
			Recipients        string `gorm:"size:2000;not null;default:''"`
			Hosting           string `gorm:"size:2000;not null;default:''"`
			UpdatedAt         time.Time
		}
		return tx.AutoMigrate(&operator{})
	},
	// 6: cohorts filled with synthetic answers (demo) carry a mark, so that
	// every view of them can say so.
	func(tx *gorm.DB) error {
		type cohort struct {
			ID   uint `gorm:"primaryKey"`
			Demo bool `gorm:"not null;default:false"`
		}
		return tx.Migrator().AddColumn(&cohort{}, "Demo")
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

func migrateSteps(g *gorm.DB) error { return migrateStepsTo(g, len(migrations)) }

// migrateStepsTo brings the schema up to version last (tests stop early to
// see what a later step does to existing rows).
func migrateStepsTo(g *gorm.DB, last int) error {
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
	for v := current + 1; v <= last; v++ {
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
