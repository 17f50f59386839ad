// Package db stores cohorts, participants and their answers with GORM, in
// a SQLite file or a PostgreSQL database.
//
// SQLite is opened twice: one writer connection (SQLite allows one writer at
// a time; a single connection with immediate transactions never fails with
// "database is locked") and a small pool of read-only connections, so long
// reads never wait for a participant's save. PostgreSQL locks rows, not the
// database: one pool serves reads and writes, and several server instances
// can share the database.
//
// Deleting a participant, by the participant (DeleteParticipant) or after
// the retention period (PurgeExpired), leaves nothing of them readable in
// the SQLite file or its WAL: the writer zeroes deleted rows
// (secure_delete) and a checkpoint empties the WAL (scrub). PostgreSQL
// keeps dead rows in its pages until VACUUM; the README says what it needs.
//
// Instruments imported from files (instruments.go) are kept byte for byte
// under their "id@version", never changed: the same bytes again are no
// change, other bytes under a stored reference are refused. db does not
// read them; package questions parses and checks them.
//
// Linking (participants.go, export.go): an exact code or the return code
// identifies a participant; a one-element match links for statistics only
// and never grants access. A post-only participant whose code was one
// element off a pre participant's, and who had no return code, is paired
// with that pre participant provisionally (Participant.ProvisionalPreID):
// the pair counts in reports, exports and the cohort's counts (pairID is the
// one rule of who is paired with whom), never in what anyone is shown. One
// pre response is paired with at most one post response: the pre
// participant's own post response (StartResponse) or their deletion ends a
// provisional pair in the same transaction, and a second near miss is not
// paired.
package db

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
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
	// ErrInvalidSettings reports cohort settings outside their bounds.
	ErrInvalidSettings = errors.New("invalid cohort settings")
	// ErrUnsupported reports an operation PostgreSQL does not offer here.
	ErrUnsupported = errors.New("not supported on PostgreSQL")
)

// ErrNotScrubbed reports a deletion whose rows are gone from every table
// but whose bytes may still be in the SQLite WAL, until the next
// checkpoint (see scrub).
var ErrNotScrubbed = errors.New("db: deleted, but the WAL was not emptied after the deletion")

// ErrBackupPostgres is Backup's answer on PostgreSQL, where the database
// server's own tools make consistent copies.
var ErrBackupPostgres = fmt.Errorf("backup: %w: use pg_dump, e.g. pg_dump --format=custom --file=einordnung.dump \"$DATABASE_URL\", and pg_restore to restore", ErrUnsupported)

// Store is the application's storage.
type Store struct {
	w        *gorm.DB   // SQLite: the single writer connection; PostgreSQL: the pool
	r        *gorm.DB   // SQLite: the read-only pool; PostgreSQL: the same pool as w
	commits  *committer // SQLite's group commit of the participants' writes on w; nil on PostgreSQL
	postgres bool
	sessions sessionCache // see SessionStorage
	cohorts  cohortCache  // see CohortByID
}

// writerParams make every acknowledged write durable (synchronous=FULL in
// WAL mode) and take the write lock at BEGIN, so a transaction that reads
// and then writes cannot fail on the lock upgrade. secure_delete overwrites
// deleted rows with zeros instead of leaving them in free space, so that a
// participant's deleted answers cannot be read back from the file (see
// scrub); only the writer deletes.
const (
	writerParams = "_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate&_secure_delete=on"
	readerParams = "_busy_timeout=10000&_foreign_keys=on&_query_only=true"
	readers      = 4
)

// postgresConns is the size of the PostgreSQL pool of one instance.
const postgresConns = 16

// IsPostgres reports whether dsn names a PostgreSQL database
// (postgres://… or postgresql://…) rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Redact returns dsn fit to print: a PostgreSQL URL without its password.
func Redact(dsn string) string {
	if !IsPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// utcNow is the time stored for "now": UTC, so that SQLite's time text sorts
// as time, and cut to microseconds, which is what PostgreSQL keeps, so a
// stored time reads back the same on both.
func utcNow() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func gormConfig() *gorm.Config {
	return &gorm.Config{
		Logger: logger.New(log.New(os.Stderr, "", log.LstdFlags), logger.Config{
			SlowThreshold:             500 * time.Millisecond,
			LogLevel:                  logger.Warn,
			IgnoreRecordNotFoundError: true,
			ParameterizedQueries:      true, // never log answer values or code hashes
		}),
		TranslateError: true,
		NowFunc:        utcNow,
	}
}

// preparedConfig is gormConfig with a bounded cache of prepared statements.
func preparedConfig() *gorm.Config {
	cfg := gormConfig()
	cfg.PrepareStmt, cfg.PrepareStmtMaxSize, cfg.PrepareStmtTTL = true, 500, time.Hour
	return cfg
}

// Open opens the database named by dsn and brings its schema up to date: a
// postgres:// or postgresql:// URL opens PostgreSQL, anything else is the
// path of a SQLite file (created if needed).
func Open(dsn string) (*Store, error) {
	if IsPostgres(dsn) {
		return openPostgres(dsn)
	}
	return openSQLite(dsn)
}

func openPostgres(dsn string) (*Store, error) {
	name := Redact(dsn)
	if _, err := pgx.ParseConfig(dsn); err != nil {
		return nil, fmt.Errorf("db: %s is not a usable PostgreSQL URL", name)
	}
	g, err := gorm.Open(postgres.New(postgres.Config{
		DSN: dsn,
		// pgx returns timestamptz in the machine's zone; SQLite gives
		// back UTC. Ask for UTC, so times read the same from both.
		OptionOpenDB: []stdlib.OptionOpenDB{stdlib.OptionAfterConnect(func(_ context.Context, c *pgx.Conn) error {
			c.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
				Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
			return nil
		})},
	}), gormConfig())
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", name, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("db: %w", err)
	}
	sqlDB.SetMaxOpenConns(postgresConns)
	sqlDB.SetMaxIdleConns(postgresConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := migrate(g); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return &Store{w: g, r: g, postgres: true}, nil
}

func openSQLite(path string) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") || path == ":memory:" {
		return nil, fmt.Errorf("db: %q is not a usable database file name", path)
	}
	// Each handle needs a gorm.Config of its own: gorm.Open keeps the one it
	// is given and sets its connection pool in it, so with a shared one the
	// writer's config pointed at the readers' pool (and GORM's statement
	// cache with it).
	w, err := gorm.Open(sqlite.Open(path+"?"+writerParams), gormConfig())
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

	// The readers keep their prepared statements: every participant request
	// runs the same few reads, and preparing them each time was about a
	// tenth of the server's CPU under load. (The writer would not profit:
	// its statements run in transactions, where database/sql prepares them
	// again on the transaction.)
	r, err := gorm.Open(sqlite.Open(path+"?"+readerParams), preparedConfig())
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
// it. A SQLite file belongs to one process; a PostgreSQL database may serve
// several. A nil store (a handler built without one, in tests) is not shared.
func (s *Store) Shared() bool { return s != nil && s.postgres }

// pools returns the store's connection pools, each once.
func (s *Store) pools() []*gorm.DB {
	if s.r == s.w {
		return []*gorm.DB{s.w}
	}
	return []*gorm.DB{s.r, s.w}
}

// Close finishes the writes already queued and closes the connection pools.
func (s *Store) Close() error {
	if s.commits != nil {
		s.commits.close()
	}
	var errs []error
	for _, g := range s.pools() {
		if sqlDB, err := g.DB(); err == nil {
			errs = append(errs, sqlDB.Close())
		}
	}
	return errors.Join(errs...)
}

// Ping checks that every connection pool answers.
func (s *Store) Ping(ctx context.Context) error {
	for _, g := range s.pools() {
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
// the disk is full or the file cannot be written, on purpose. SQLite only.
func (s *Store) ReadOnly(on bool) error {
	if s.postgres {
		return fmt.Errorf("db: read-only mode: %w", ErrUnsupported)
	}
	v := "OFF"
	if on {
		v = "ON"
	}
	if err := s.w.Exec("PRAGMA query_only = " + v).Error; err != nil {
		return fmt.Errorf("db: read-only %s: %w", v, err)
	}
	return nil
}

// scrub finishes a deletion of people's data on SQLite. secure_delete has
// zeroed the deleted rows in the pages written since, but the WAL still
// holds the frames of earlier writes with those rows, and the zeroed pages
// are not yet in the database file: a TRUNCATE checkpoint copies every page
// into the file and empties the WAL. It waits (busy timeout) for the reads
// in flight, and holds the writer meanwhile: milliseconds, and deletions are
// rare. PostgreSQL needs VACUUM instead (see the README), which its
// autovacuum runs.
func (s *Store) scrub() error {
	if s.postgres {
		return nil
	}
	var busy, logFrames, checkpointed int
	if err := s.w.Raw("PRAGMA wal_checkpoint(TRUNCATE)").Row().Scan(&busy, &logFrames, &checkpointed); err != nil {
		return fmt.Errorf("%w: %w", ErrNotScrubbed, err)
	}
	if busy != 0 {
		return fmt.Errorf("%w: reads kept the WAL busy", ErrNotScrubbed)
	}
	return nil
}

// Check runs SQLite's integrity check and reports anything but "ok". On
// PostgreSQL, which checks its own pages, it checks only that the database
// answers and holds the schema of this build.
func (s *Store) Check() error {
	if s.postgres {
		version, err := appliedVersion(s.r)
		if err != nil {
			return fmt.Errorf("db: check: %w", err)
		}
		if version != SchemaVersion() {
			return fmt.Errorf("db: check: schema version %d, this build has %d", version, SchemaVersion())
		}
		return nil
	}
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
