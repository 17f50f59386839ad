// Package dbtest gives tests a fresh database of their own: by default a
// SQLite file in a temporary directory, and a new PostgreSQL database when
// EINORDNUNG_TEST_POSTGRES holds the URL of a server to create it on
// (for example postgres://einordnung:einordnung@127.0.0.1:5432/postgres?sslmode=disable;
// the role needs CREATEDB). Each test database is dropped when the test ends.
package dbtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "github.com/mattn/go-sqlite3"    // database/sql driver "sqlite3"

	"einordnung/db"
)

// EnvPostgres is the environment variable with the PostgreSQL server URL.
const EnvPostgres = "EINORDNUNG_TEST_POSTGRES"

// Postgres reports whether the tests run against PostgreSQL.
func Postgres() bool { return os.Getenv(EnvPostgres) != "" }

// SkipOnPostgres skips t when the tests run against PostgreSQL; the same
// test runs in the SQLite pass, where it must not be skipped.
func SkipOnPostgres(t testing.TB, why string) {
	t.Helper()
	if Postgres() {
		t.Skip("SQLite only: " + why)
	}
}

// DSN returns the name of a fresh, empty database for t, for db.Open: a
// file in a temporary directory, or a new PostgreSQL database that is
// dropped (with any connection still open to it) when t ends.
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		return filepath.Join(t.TempDir(), "test.db")
	}
	admin, err := adminDB(base)
	if err != nil {
		t.Fatalf("dbtest: %s: %v", EnvPostgres, err)
	}
	name := "einordnung_test_" + randomHex(8)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("dbtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		// FORCE ends the test's own connections. An autovacuum worker busy
		// with the new database refuses that unless the role may signal
		// backends (.ci/run grants pg_signal_backend); it finishes within
		// moments, so try a few times before calling it a failure.
		var err error
		for attempt := 0; attempt < 20; attempt++ {
			if _, err = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err == nil {
				return
			}
			time.Sleep(250 * time.Millisecond)
		}
		t.Errorf("dbtest: drop database %s: %v", name, err)
	})
	u, _ := url.Parse(base) // parsed by adminDB already
	u.Path = "/" + name
	return u.String()
}

// Open opens a fresh database for t (see DSN) with db.Open and closes it
// when t ends. It returns the store and the database's name, so that a test
// can open it again or look at it through Plain.
func Open(t testing.TB) (*db.Store, string) {
	t.Helper()
	dsn := DSN(t)
	s, err := db.Open(dsn)
	if err != nil {
		t.Fatalf("dbtest: open %s: %v", db.Redact(dsn), err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("dbtest: close: %v", err)
		}
	})
	return s, dsn
}

var admin struct {
	once sync.Once
	db   *sql.DB
	err  error
}

// adminDB is the one connection pool to the server's maintenance database,
// shared by the tests of a process.
func adminDB(base string) (*sql.DB, error) {
	admin.once.Do(func() {
		if _, err := url.Parse(base); err != nil || !db.IsPostgres(base) {
			admin.err = fmt.Errorf("%q is not a postgres:// URL", db.Redact(base))
			return
		}
		admin.db, admin.err = sql.Open("pgx", base)
		if admin.err == nil {
			admin.db.SetMaxOpenConns(2)
			admin.err = admin.db.Ping()
		}
	})
	return admin.db, admin.err
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Conn is a plain database/sql connection to a test database, apart from
// the store, to check what was stored. Queries take ? placeholders on both
// databases.
type Conn struct {
	DB       *sql.DB
	postgres bool
}

// Plain opens a read-write Conn to the database dsn, closed when t ends.
func Plain(t testing.TB, dsn string) *Conn { return plain(t, dsn, false) }

// PlainReadOnly opens a Conn that refuses every write.
func PlainReadOnly(t testing.TB, dsn string) *Conn { return plain(t, dsn, true) }

func plain(t testing.TB, dsn string, readOnly bool) *Conn {
	t.Helper()
	driver, source := "sqlite3", dsn+"?_busy_timeout=10000"
	if readOnly {
		source += "&_query_only=true"
	}
	if db.IsPostgres(dsn) {
		driver, source = "pgx", dsn
		if readOnly {
			u, err := url.Parse(dsn)
			if err != nil {
				t.Fatalf("dbtest: %v", err)
			}
			q := u.Query()
			q.Set("default_transaction_read_only", "on")
			u.RawQuery = q.Encode()
			source = u.String()
		}
	}
	d, err := sql.Open(driver, source)
	if err != nil {
		t.Fatalf("dbtest: open plain connection: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return &Conn{DB: d, postgres: driver == "pgx"}
}

// rebind turns ? placeholders into PostgreSQL's $1, $2, …; the tests'
// queries have no ? inside quoted text.
func (c *Conn) rebind(query string) string {
	if !c.postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// QueryRow is database/sql's QueryRow with ? placeholders.
func (c *Conn) QueryRow(query string, args ...any) *sql.Row {
	return c.DB.QueryRow(c.rebind(query), args...)
}

// Query is database/sql's Query with ? placeholders.
func (c *Conn) Query(query string, args ...any) (*sql.Rows, error) {
	return c.DB.Query(c.rebind(query), args...)
}

// Exec is database/sql's Exec with ? placeholders.
func (c *Conn) Exec(query string, args ...any) (sql.Result, error) {
	return c.DB.Exec(c.rebind(query), args...)
}

// Tables returns the names of the database's tables, sorted.
func (c *Conn) Tables() ([]string, error) {
	query := "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
	if c.postgres {
		query = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
	}
	rows, err := c.DB.Query(query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, rows.Err()
}
